"""综合评价: on-time rate, mean handling time and return rate per town, department or category for
a chosen period, with CSV and XLSX export."""
from __future__ import annotations

import datetime as dt

import streamlit as st

from dashboard.ui import data
from dashboard.ui.errors import user_errors
from dashboard.ui.labels import labels
from dashboard.ui.layout import header
from geo import evaluation, metrics
from geo.worktime import TZ

with user_errors():
    header("综合评价", "按镇街、村社区、责任部门或事件类别统计所选期间的上报、结案、按期办结率、平均办结用时与退回率。"
           "口径与各页面指标相同：默认期间（近30天）的数字与镇街页面一致。")
    today = dt.datetime.now(TZ).date()
    c1, c2 = st.columns([2, 3])
    period = c1.date_input("统计期间（按北京时间自然日）", value=evaluation.default_period(today), max_value=today,
                           key="eval_period", format="YYYY-MM-DD")
    scope = data.viewer().scope
    group = c2.radio("统计口径", list(evaluation.GROUPS), format_func=labels(evaluation.GROUPS), horizontal=True,
                     index=list(evaluation.GROUPS).index(evaluation.default_group(scope)), key="eval_group")
    if not isinstance(period, tuple) or len(period) != 2:
        st.info("请选择开始和结束日期。")
        st.stop()
    start, end = period
    names = evaluation.columns(start, end, today)
    df = evaluation.to_frame(data.evaluate(scope, group, start, end), group, names)
    st.dataframe(df, hide_index=True, width="stretch", height=560,
                 column_config={names["on_time_rate"]: st.column_config.NumberColumn(format="%.1f%%"),
                                names["return_rate"]: st.column_config.NumberColumn(format="%.1f%%")})
    st.caption("；".join(f"{metrics.FIGURES[k].name}：{metrics.help_text(k)}" for k in evaluation.FIGURE_COLUMNS))
    name = f"综合评价_{evaluation.GROUPS[group]}_{start:%Y%m%d}-{end:%Y%m%d}"
    d1, d2, _ = st.columns([1, 1, 4])
    # the files are written when a button is clicked, not on every run (the XLSX was a third of a run);
    # a click does not rerun the page: a rerun gives each button a new file id, and a click in flight
    # asked for the old one and got nothing (CI: no download after three clicks)
    d1.download_button("导出 CSV", lambda: evaluation.to_csv(df), file_name=f"{name}.csv", mime="text/csv",
                       on_click="ignore")
    d2.download_button("导出 Excel", lambda: evaluation.to_xlsx(df), file_name=f"{name}.xlsx", on_click="ignore",
                       mime="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
