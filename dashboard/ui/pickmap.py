"""Pick a place on a Leaflet map (事件上报): the viewer's area and its grids, a search of villages,
and a click that fills the coordinate inputs. What the point means (its grid, or why a report there
would be refused) comes from geo.intake.point_preview, the same rule as the submit."""
from __future__ import annotations

import json

import shapely
import streamlit as st
from streamlit_folium import st_folium

from dashboard.ui import data, leaflet
from dashboard.ui.html import esc_md
from dashboard.ui.labels import labels
from geo.coords import to_wgs84
from geo.scope import Scope
from geo.settings import settings

DATUM_LABELS = {"wgs84": "WGS84 / CGCS2000（GPS、天地图）", "gcj02": "GCJ-02（高德、腾讯、手机地图）",
                "bd09": "BD-09（百度地图）"}


def villages_in(scope: Scope) -> dict[str, str]:
    """code -> "镇街 / 村社区" for every village the viewer may report in."""
    if scope.village:
        path = data.resolve_path(scope.town, scope.village, None)
        return {path.village.code: f"{path.town.name} / {path.village.name}"}
    towns = [t for t in data.children(Scope.city()) if scope.town in (None, t["code"])]
    return {v["code"]: f"{t['name']} / {v['name']}" for t in towns for v in data.children(Scope(town=t["code"]))}


def _area(scope: Scope, village: str | None) -> tuple[tuple[float, float, float, float], list[dict], list[dict]]:
    """Bounds, outlines (the areas one level down: towns or villages) and grids to draw."""
    if village:
        path = data.resolve_path(None, village, None)
        grids = data.area_shapes(Scope(village=village))
        return path.village.bounds, [], grids
    shapes = data.area_shapes(scope)
    if scope.village:
        return _bounds(shapes), [], shapes
    return _bounds(shapes), shapes, []


def _bounds(shapes: list[dict]) -> tuple[float, float, float, float]:
    geoms = shapely.from_geojson([json.dumps(s["geometry"]) for s in shapes])
    return tuple(shapely.total_bounds(geoms).tolist())


def pick_point(scope: Scope, lon_key: str, lat_key: str, datum_key: str, key: str) -> None:
    """Draw the picker; a click writes WGS84 coordinates into the inputs keyed lon_key/lat_key (the
    form's number inputs, created after this) and sets the datum to WGS84."""
    options = villages_in(scope)
    village = st.selectbox("定位到村社区（可输入名称搜索）", list(options), index=None, format_func=labels(options),
                           placeholder="输入或选择村社区，地图移到该处并显示其网格…", key=f"{key}_village")
    bounds, outlines, grids = _area(scope, village)
    m = leaflet.new_map(bounds)
    if outlines:
        leaflet.areas(m, outlines, "区域", leaflet.AREA_STYLE)
        leaflet.area_labels(m, outlines)           # the towns' or villages' names on the map
    if grids:
        leaflet.areas(m, grids, "网格", leaflet.GRID_STYLE, fields=("name", "code"), aliases=("网格", "编码"))
    point = current_point(lon_key, lat_key, datum_key)
    marker = leaflet.point_group(point)
    out = st_folium(m, key=f"{key}_map", height=420, use_container_width=True, returned_objects=["last_clicked"],
                    feature_group_to_add=marker)
    click = (out or {}).get("last_clicked")
    if click and click != st.session_state.get(f"{key}_last"):
        st.session_state[f"{key}_last"] = click
        st.session_state[lon_key], st.session_state[lat_key] = round(click["lng"], 6), round(click["lat"], 6)
        st.session_state[datum_key] = "wgs84"
        st.rerun()
    st.caption("在地图上点击事件发生的位置即可自动填写经纬度（WGS84/CGCS2000）；也可以在下面直接输入坐标。"
               + ("底图为本县配置的底图服务。" if settings().jy_tile_url.strip() else
                  "未配置底图服务：地图显示辖区、村社区与网格边界及名称。"))
    if point is not None:
        place, problem = data.point_preview(st.session_state[lon_key], st.session_state[lat_key],
                                            st.session_state.get(datum_key) or "wgs84")
        if problem is not None:
            st.warning(problem.message_zh)
        elif place is not None:
            st.success(f"所选位置：{esc_md(place['town_name'])} {esc_md(place['village_name'])} · "
                       f"网格 {esc_md(place['grid_name'])}（{esc_md(place['grid_code'])}）。上报后由该网格负责。")


def current_point(lon_key: str, lat_key: str, datum_key: str) -> tuple[float, float] | None:
    """The inputs' point in WGS84 (for the marker), or None when not both typed."""
    lon, lat = st.session_state.get(lon_key), st.session_state.get(lat_key)
    if lon is None or lat is None:
        return None
    x, y = to_wgs84(lon, lat, st.session_state.get(datum_key) or "wgs84")
    return float(x), float(y)
