"""考核: monthly scores of towns, villages/communities and grid workers (geo/assessment.py), ranked,
each explained by its inputs and weights, with an XLSX export. State in the URL (?month=&unit=)."""
from __future__ import annotations

import datetime as dt

import pandas as pd
import streamlit as st

from dashboard.ui import data, nav, panels
from dashboard.ui.errors import user_errors
from dashboard.ui.html import esc_md
from dashboard.ui.labels import labels
from dashboard.ui.layout import header
from geo import assessment
from geo.worktime import TZ


def _months(today: dt.date, n: int = 12) -> list[str]:
    out, d = [], today.replace(day=1)
    for _ in range(n):
        out.append(f"{d:%Y-%m}")
        d = (d - dt.timedelta(days=1)).replace(day=1)
    return out


def _store() -> None:
    st.query_params["month"] = st.session_state["assess_month"]
    st.query_params["unit"] = st.session_state["assess_unit"]


with user_errors():
    today = dt.datetime.now(TZ).date()
    header("考核", "按月考核镇街、村社区与网格员：按期办结率、退回率、巡查覆盖率、人均上报与被催办次数，"
           "按考核权重表计分；每个得分都可查看计算过程。")
    viewer = data.viewer()
    units = [u for u in assessment.UNITS if not (u == "town" and viewer.scope.town)]
    months = _months(today)
    month = nav.qp("month")
    month = month if month in months else months[1]     # the last full month (this one has only begun)
    unit = nav.qp("unit")
    unit = unit if unit in units else units[0]
    c1, c2 = st.columns([1, 3])
    c1.selectbox("考核月份", months, index=months.index(month), key="assess_month", on_change=_store, placeholder="请选择月份",
                 format_func=lambda m: f"{m[:4]}年{int(m[5:])}月")
    c2.radio("考核对象", units, index=units.index(unit), format_func=labels(assessment.UNITS), horizontal=True,
             key="assess_unit", on_change=_store)
    first = assessment.parse_month(st.session_state.get("assess_month", month), today)
    unit = st.session_state.get("assess_unit", unit)
    start, end = assessment.month_period(first, today)
    days = (end - start).days + 1
    label = assessment.period_label(first, today)
    if viewer.scope.town and not viewer.scope.village:
        own, towns = data.town_standing(viewer.scope, viewer.scope.town, first, today)
        if own is not None:
            score = "—" if own["score"] is None else f"{own['score']:.1f}"
            t1, t2, t3 = st.columns([1, 1, 3])
            t1.metric(f"本镇街得分（{label}）", score)
            t2.metric(f"全市排名（{label}）", f"第 {own['rank']} 名 / {towns}")
            trend = data.town_trend(viewer.scope, viewer.scope.town, today)
            t3.caption("近6个完整月：" + "；".join(
                f"{t['month'].month}月 {'—' if t['score'] is None else format(t['score'], '.1f')} 分"
                f"（第 {t['rank'] or '—'} 名）" for t in trend))
    rows = data.assess(viewer.scope, unit, first, today)
    df = assessment.to_frame(rows, unit)
    st.markdown(f"#### {esc_md(label)} {esc_md(assessment.UNITS[unit])}考核排名（共 {len(rows):,} 个）")
    picked = st.dataframe(assessment.shown(df), hide_index=True, width="stretch", height=460, on_select="rerun",
                          selection_mode="single-row", key="assess_table")
    weights = "；".join(f"{i.label} {i.weight:g}（{'越高越好' if i.better == 'higher' else '越低越好'}，"
                       f"目标 {assessment.fmt_value(i, i.target)}）" for i in assessment.inputs())
    st.caption(f"权重：{weights}。得分 = 100 × Σ(权重 × 得分率) ÷ Σ权重（本月无数据的指标不计入）。")
    name = f"考核_{assessment.UNITS[unit]}_{first:%Y%m}"
    title, unit_code = label or "", str(unit)
    st.download_button("导出 Excel（含计分说明）", lambda: assessment.to_xlsx(df, rows, unit_code, days, title),
                       file_name=f"{name}.xlsx", mime="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
                       key="assess_xlsx", on_click="ignore")
    sel = picked.selection.rows if picked else []
    row = rows[sel[0]] if sel else (rows[0] if rows else None)
    if row is not None:
        score = "—" if row["score"] is None else f"{row['score']:.1f}"
        st.markdown(f"#### 计分说明：{esc_md(row['name'])}（第 {row['rank']} 名，{score} 分）")
        panels.table(pd.DataFrame([{"指标": e["input"], "原始数据": e["counts"], "指标值": e["value"], "计分规则": e["rule"],
                                    "得分率": None if e["part"] is None else f"{e['part'] * 100:.1f}%",
                                    "权重": e["weight"], "得分": "—" if e["points"] is None else e["points"],
                                    "说明": e["note"] or "—"}
                                   for e in assessment.explain(row, unit, days)]))
        st.caption("点击排名表中的一行查看该对象的计分说明。")
