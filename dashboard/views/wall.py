"""The city view as the wall shows it (`/?screen=1` or `/?screen=wide`); called from city.py."""
from __future__ import annotations

import streamlit as st

from dashboard.ui import areamaps, data, maps, nav, onemap, panels, session, wall
from geo import metrics
from geo.scope import Scope

SCOPE = Scope.city()
WALL_CATEGORIES = 10      # bars the wall can label in large type without overlap


@session.live_panel(wall.REFRESH_S)
def kpis() -> None:
    left, right = st.columns([5, 2])
    with left:
        panels.kpi_row(data.kpis(SCOPE))
    with right:
        # 在线网格员 and today's patrol coverage, as 一张图 shows them (dashboard/ui/onemap.py)
        for col, (label, value, help_) in zip(st.columns(2), onemap.duty_pairs(SCOPE)[:2]):
            col.metric(label, value, border=True, help=help_)


@session.live_panel(wall.REFRESH_S * 4)
def city_map(height: int) -> None:
    st.pydeck_chart(areamaps.wall_map(height, data.area_figures(SCOPE)), width="stretch", height=height, key="wall_map")


@session.live_panel(wall.REFRESH_S)
def ranking() -> None:
    """All 17 towns, worst first, in large type on the dark wall (an HTML table: a data grid would
    be white and scroll)."""
    st.markdown("#### 镇街排名")
    figures = sorted(data.area_figures(SCOPE), key=lambda f: (-f["overdue"], -f["open"], f["code"]))
    cols = [metrics.label("open"), metrics.label("overdue"), metrics.label("reports_today"),
            metrics.label("on_time_rate")]
    st.markdown(wall.html_table(["镇街", *cols], [[f["name"], f["open"], f["overdue"], f["reports_today"],
                                                  maps.fmt_rate(f["on_time_rate"])] for f in figures], hot={2}),
                unsafe_allow_html=True)   # every cell escaped by html_table


@session.live_panel(wall.REFRESH_S * 2)
def trends() -> None:
    st.markdown(f"#### 每日上报与结案（{metrics.period_label(metrics.DEFAULT_DAYS)}）")
    panels.trend_chart(data.trend(SCOPE), height=200, dark=True)
    rows = sorted(data.categories(SCOPE), key=lambda r: -r["reported"])
    shown = rows[:WALL_CATEGORIES]
    more = f"，前{len(shown)}类" if len(rows) > len(shown) else ""
    st.markdown(f"#### 事件类别（{metrics.period_label(metrics.DEFAULT_DAYS)}上报{more}）")
    panels.category_chart(shown, height=260, dark=True)


def render(layout: str) -> None:
    wall.style()
    wall.title_bar()
    kpis()
    rotate_s = nav.parse_int(nav.qp("rotate"), 4)
    rotate_s = rotate_s if rotate_s and 5 <= rotate_s <= 3600 else None
    wide = layout == "wide"
    cols = st.columns([5, 3, 4] if wide else [3, 2])
    with cols[0]:
        city_map(690)
    with cols[1]:
        ranking()
        if rotate_s:
            wall.rotating_town(rotate_s)
        if not wide:
            wall.ticker(5 if not rotate_s else 2)
    if wide:
        with cols[2]:
            trends()
            wall.ticker(3)
