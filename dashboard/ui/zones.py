"""Draw a zone on a Leaflet map (事故推演, 危化品): polygon, rectangle and circle tools, a
distance/area measure, the county's towns and chemical sites as the base. What is drawn becomes
one zone through geo.hazards.analysis.drawn_zones (the rule for reading a drawing), and is analysed
by the same functions as a plume."""
from __future__ import annotations

import streamlit as st
from streamlit_folium import st_folium

from dashboard.ui import data, leaflet, maps
from geo.hazards import analysis
from geo.scope import Scope

HELP = ("左侧工具：画多边形、矩形或圆形（可画多个，合并为一个区域；垃圾桶可删除）；右上角工具：量距离和面积。"
        "圆点为危化品企业（颜色为危险源等级）。")


def draw_map(key: str, bounds: tuple[float, float, float, float] | None = None):
    """The drawing map; returns (drawings, zone) once something is drawn, else None. A drawing
    that cannot be a zone raises InvalidInput (the page shows its Chinese message)."""
    towns = data.area_shapes(Scope.city())
    m = leaflet.new_map(bounds or leaflet.bounds_of(towns))
    leaflet.areas(m, towns, "镇街", leaflet.AREA_STYLE)
    leaflet.area_labels(m, towns)
    leaflet.sites(m, data.hazard_sites(Scope.city()))
    leaflet.draw_tools(m)
    out = st_folium(m, key=key, height=maps.MAP_H + 60, use_container_width=True, returned_objects=["all_drawings"])
    st.caption(HELP)
    drawings = (out or {}).get("all_drawings") or []
    if not drawings:
        st.info("尚未画出区域。")
        return None
    zone = analysis.drawn_zones(drawings)
    minx, miny, maxx, maxy = zone.bounds
    st.markdown(f"已画 **{len(drawings)}** 个图形，合计面积 **{analysis.zone_area_m2(zone) / 1e6:.3f}** 平方公里；"
                f"范围：经度 {minx:.5f} – {maxx:.5f}，纬度 {miny:.5f} – {maxy:.5f}")
    return drawings, zone


def centre(zone) -> tuple[float, float]:
    """Where distances and arrival times are measured from: the centroid, or a point inside."""
    c = zone.centroid if zone.contains(zone.centroid) else zone.representative_point()
    return c.x, c.y
