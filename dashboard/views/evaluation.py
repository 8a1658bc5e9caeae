"""综合评价: on-time rate, mean handling time and return rate per town, department or category for
a chosen period, with CSV and XLSX export."""
from __future__ import annotations

import datetime as dt

import streamlit as st

from dashboard.ui import data
from dashboard.ui.errors import user_errors
from dashboard.ui.layout import header
from geo import evaluation
from geo.scope import Scope
from geo.worktime import TZ

with user_errors():
    header("综合评价", "按镇街、责任部门或事件类别统计所选期间上报事件的按期办结率、平均办结用时与退回率。")
    today = dt.datetime.now(TZ).date()
    c1, c2 = st.columns([2, 3])
    period = c1.date_input("上报日期区间", value=(today - dt.timedelta(days=29), today), max_value=today,
                           key="eval_period")
    group = c2.radio("统计口径", list(evaluation.GROUPS), format_func=evaluation.GROUPS.get, horizontal=True,
                     key="eval_group")
    if not isinstance(period, tuple) or len(period) != 2:
        st.info("请选择开始和结束日期。")
        st.stop()
    start, end = period
    df = evaluation.to_frame(data.evaluate(Scope.city(), group, start, end), group)
    st.dataframe(df, hide_index=True, width="stretch", height=560,
                 column_config={"按期办结率": st.column_config.NumberColumn(format="%.1f%%"),
                                "退回率": st.column_config.NumberColumn(format="%.1f%%")})
    st.caption("按期办结率 = 按期结案 / 结案；退回率 = 曾被退回的事件 / 上报；平均办结用时为自然时间。")
    name = f"综合评价_{evaluation.GROUPS[group]}_{start:%Y%m%d}-{end:%Y%m%d}"
    d1, d2, _ = st.columns([1, 1, 4])
    d1.download_button("导出 CSV", evaluation.to_csv(df), file_name=f"{name}.csv", mime="text/csv")
    d2.download_button("导出 Excel", evaluation.to_xlsx(df), file_name=f"{name}.xlsx",
                       mime="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
