"""市级指挥: the county overview (also the wall's content). Click a town to drill down."""
from __future__ import annotations

import streamlit as st

from dashboard.ui import areamaps, data, nav, panels, sections, session, wall
from dashboard.ui.errors import user_errors
from dashboard.ui.labels import labels
from dashboard.ui.layout import header
from geo import metrics
from geo.places import Path
from geo.scope import Scope

LAYERS = {"density": f"事件密度（{metrics.period_label(metrics.DEFAULT_DAYS)}上报）", "chem": "危化品企业", "resources": "应急资源",
          "dedicated": "专属网格", "warnings": "预警（近7天）"}
DEFAULT_LAYERS = ["density", "chem", "warnings"]
SCOPE = Scope.city()


def _selected_layers() -> list[str]:
    raw = nav.qp("layers")
    if raw is None:
        return DEFAULT_LAYERS
    return [k for k in raw.split(",") if k in LAYERS]


def _store_layers() -> None:
    st.query_params["layers"] = ",".join(st.session_state["city_layers"]) or "none"


@session.live_panel(30)
def kpi_panel() -> None:
    sections.kpis_with_drill(data.kpis(SCOPE), "city")


@session.live_panel(60)
def map_and_ranking(layers: list[str]) -> None:
    figures = data.area_figures(SCOPE)
    sections.drill_map(areamaps.city_map(tuple(layers), figures), figures, "city", "镇街",
                       "点击镇街进入镇街视图。底色：在办事件数（越深越多）。危化品企业：红=一级，橙=二级，"
                       "黄=三级，蓝=四级重大危险源。地图仅用矢量图层，无需在线底图。",
                       lambda code, fig: nav.go("town", town=code, **sections.figure_params(fig)), height=areamaps.CITY_HEIGHT)


with user_errors():
    screen = wall.mode()
    if screen:
        from dashboard.views import wall as wall_view
        wall_view.render(screen)
        st.stop()
    header("市级指挥", "全市事件态势：上报、在办、超期与按期办结；镇街分布、危化品企业与应急资源。")
    nav.breadcrumb(Path(), here="")
    kpi_panel()
    st.multiselect("图层", options=list(LAYERS), placeholder="不显示附加图层", format_func=labels(LAYERS), default=_selected_layers(),
                   key="city_layers", on_change=_store_layers)
    map_and_ranking(st.session_state.get("city_layers", _selected_layers()))
    c1, c2, c3 = st.columns([2, 2, 3])
    with c1:
        st.markdown(f"#### 每日上报与结案（{metrics.period_label(metrics.DEFAULT_DAYS)}）")
        panels.trend_chart(data.trend(SCOPE))
    with c2:
        st.markdown(f"#### 事件类别（{metrics.period_label(metrics.DEFAULT_DAYS)}上报）")
        panels.category_chart(data.categories(SCOPE))
    with c3:
        st.markdown("#### 最新事件（点击行查看详情）")
        ev = panels.events_table(data.latest_events(SCOPE), key="city_latest", height=260)
        if ev:
            nav.go("event", event=ev)
    sections.warnings_section(SCOPE, key="city")
    sections.events_section(Path(), "全市事件", key="city")
