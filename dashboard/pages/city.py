"""市级指挥: the county overview (also the wall's content)."""
from __future__ import annotations

import pandas as pd
import streamlit as st

from dashboard.ui import data, maps
from dashboard.ui.errors import user_errors
from dashboard.ui.layout import fmt_int, fmt_pct, header
from geo.scope import Scope

LAYERS = {"density": "事件密度（近30天）", "chem": "危化品企业"}
SCOPE = Scope.city()


def _selected_layers() -> list[str]:
    raw = st.query_params.get("layers")
    if raw is None:
        return list(LAYERS)
    return [k for k in raw.split(",") if k in LAYERS]


def _store_layers() -> None:
    st.query_params["layers"] = ",".join(st.session_state["city_layers"]) or "none"


@st.fragment(run_every=30)
def kpi_panel() -> None:
    k = data.kpis(SCOPE)
    c1, c2, c3, c4 = st.columns(4)
    c1.metric("今日上报", fmt_int(k.reports_today), border=True)
    c2.metric("在办事件", fmt_int(k.open), border=True)
    c3.metric("超期事件", fmt_int(k.overdue), border=True)
    c4.metric(f"按期办结率（近{k.period_days}天）", fmt_pct(k.on_time_rate), border=True,
              help=f"近{k.period_days}天结案 {k.closed_period} 件，其中在时限内结案 {k.closed_on_time} 件")


@st.fragment(run_every=60)
def map_and_ranking(layers: list[str]) -> None:
    figures = data.area_figures(SCOPE)
    left, right = st.columns([3, 2])
    with left:
        deck = maps.overview_deck(
            data.area_shapes(SCOPE), figures, outline=data.county_outline(),
            density=data.density(SCOPE) if "density" in layers else None,
            sites=data.chem_sites(SCOPE) if "chem" in layers else None)
        st.pydeck_chart(deck, width="stretch", height=640, key="city_map")
        st.caption("镇街底色：在办事件数（颜色越深越多）。危化品企业：红=一级，橙=二级，黄=三级，蓝=四级重大危险源。"
                   "地图仅用矢量图层，无需在线底图。")
    with right:
        st.markdown("#### 镇街排名")
        table = pd.DataFrame([{
            "镇街": f["name"], "在办": f["open"], "超期": f["overdue"], "今日上报": f["reports_today"],
            "按期办结率": None if f["on_time_rate"] is None else round(f["on_time_rate"] * 100, 1),
        } for f in figures]).sort_values(["超期", "在办"], ascending=False)
        st.dataframe(table, hide_index=True, width="stretch", height=640,
                     column_config={"按期办结率": st.column_config.NumberColumn(format="%.1f%%")})


with user_errors():
    header("市级指挥", "全市事件态势：上报、在办、超期与按期办结；镇街分布与危化品企业。")
    kpi_panel()
    st.multiselect("图层", options=list(LAYERS), format_func=LAYERS.get, default=_selected_layers(),
                   key="city_layers", on_change=_store_layers)
    map_and_ranking(st.session_state.get("city_layers", _selected_layers()))
