"""The city view as the wall shows it (`/?screen=1` or `/?screen=wide`); called from city.py."""
from __future__ import annotations

import streamlit as st

from dashboard.ui import data, maps, panels, wall
from dashboard.ui.maps import CITY_VIEW
from geo.scope import Scope

SCOPE = Scope.city()


@st.fragment(run_every=wall.REFRESH_S)
def kpis() -> None:
    panels.kpi_row(data.kpis(SCOPE))


@st.fragment(run_every=wall.REFRESH_S * 4)
def city_map(height: int) -> None:
    shapes = data.area_shapes(SCOPE)
    layers = [maps.areas_layer(shapes, data.area_figures(SCOPE)), maps.density_layer(data.density(SCOPE)),
              maps.outline_layer(data.county_outline(), "county"), maps.labels_layer(shapes, size=16),
              maps.chem_layer(data.chem_sites(SCOPE))]
    st.pydeck_chart(maps.deck(layers, (CITY_VIEW[0], CITY_VIEW[1], CITY_VIEW[2] + 0.35), height=height,
                              background="#0f1a2b"),
                    width="stretch", height=height, key="wall_map")


@st.fragment(run_every=wall.REFRESH_S)
def ranking(height: int) -> None:
    st.markdown("#### 镇街排名")
    figures = data.area_figures(SCOPE)
    import pandas as pd
    df = pd.DataFrame([{"镇街": f["name"], "在办": f["open"], "超期": f["overdue"], "今日": f["reports_today"],
                        "按期率": None if f["on_time_rate"] is None else round(f["on_time_rate"] * 100, 1)}
                       for f in figures]).sort_values(["超期", "在办"], ascending=False)
    st.dataframe(df, hide_index=True, width="stretch", height=height,
                 column_config={"按期率": st.column_config.NumberColumn(format="%.1f%%")})


@st.fragment(run_every=wall.REFRESH_S * 2)
def trends() -> None:
    st.markdown("#### 近30天上报与结案")
    panels.trend_chart(data.trend(SCOPE), height=190)
    st.markdown("#### 事件类别（近30天）")
    panels.category_chart(data.categories(SCOPE), height=230)


def render(layout: str) -> None:
    wall.style()
    wall.title_bar()
    kpis()
    rotate = st.query_params.get("rotate")
    rotate_s = int(rotate) if rotate and rotate.isdigit() and 5 <= int(rotate) <= 3600 else None
    if layout == "wide":
        c1, c2, c3 = st.columns([5, 3, 4])
        with c1:
            city_map(800)
        with c2:
            ranking(470 if rotate_s else 620)
            if rotate_s:
                wall.rotating_town(rotate_s)
        with c3:
            trends()
            wall.ticker(4)
    else:
        c1, c2 = st.columns([3, 2])
        with c1:
            city_map(800)
        with c2:
            ranking(360)
            if rotate_s:
                wall.rotating_town(rotate_s)
            wall.ticker(7 if not rotate_s else 4)
