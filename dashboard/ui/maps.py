"""pydeck maps made of vector layers only: no tile server needed.

A base map is optional: set JY_TILE_URL to an XYZ raster template (天地图 with its key, or an
internal tile server), e.g. http://tiles.internal/{z}/{x}/{y}.png. Every value that reaches a
tooltip passes dashboard.ui.html.esc.
"""
from __future__ import annotations

import base64
import json
import os

import pydeck as pdk

from dashboard.ui.html import esc

FONT = "Noto Sans CJK SC, Noto Sans SC, Microsoft YaHei, sans-serif"
HAZARD_COLORS = {1: [192, 0, 0], 2: [235, 97, 0], 3: [240, 180, 0], 4: [70, 130, 180]}
TOOLTIP = {
    "html": "<div style='font-size:14px'><b>{name}</b><br/>{line1}<br/>{line2}</div>",
    "style": {"backgroundColor": "rgba(20,24,33,0.92)", "color": "white", "fontFamily": FONT},
}


def ramp(value: float, vmax: float) -> list[int]:
    """Light yellow -> deep red by value/vmax, opaque enough to read on a blank background."""
    t = 0.0 if vmax <= 0 else max(0.0, min(1.0, value / vmax))
    low, high = (255, 237, 160), (189, 0, 38)
    return [round(a + (b - a) * t) for a, b in zip(low, high)] + [200]


def fmt_rate(rate: float | None) -> str:
    return "—" if rate is None else f"{rate * 100:.1f}%"


def area_features(shapes: list[dict], figures: list[dict], metric: str = "open") -> list[dict]:
    by_code = {f["code"]: f for f in figures}
    vmax = max((f[metric] for f in figures), default=0)
    feats = []
    for s in shapes:
        f = by_code.get(s["code"], {})
        feats.append({
            "type": "Feature",
            "geometry": s["geometry"],
            "properties": {
                "code": s["code"],
                "name": esc(s["name"]),
                "line1": esc(f"在办 {f.get('open', 0)} 件 · 超期 {f.get('overdue', 0)} 件"),
                "line2": esc(f"今日上报 {f.get('reports_today', 0)} 件 · 按期办结率 "
                             f"{fmt_rate(f.get('on_time_rate'))}"),
                "fill": ramp(f.get(metric, 0), vmax),
                "label": s["name"],
            },
        })
    return feats


def _label_points(shapes: list[dict]) -> list[dict]:
    import shapely.geometry as sg

    out = []
    for s in shapes:
        p = sg.shape(s["geometry"]).representative_point()
        out.append({"position": [p.x, p.y], "text": s["name"]})
    return out


def base_style() -> str:
    """An inline map style (a data: URL): a plain background, or raster tiles with JY_TILE_URL.

    Inline, so the browser fetches nothing from outside; without a style Streamlit would fall back
    to an online Carto base map. Streamlit only accepts a string here, hence the data: URL.
    """
    background = {"id": "background", "type": "background", "paint": {"background-color": "#eef1f4"}}
    url = os.environ.get("JY_TILE_URL", "").strip()
    if not url:
        style = {"version": 8, "sources": {}, "layers": [background]}
    else:
        style = {"version": 8,
                 "sources": {"base": {"type": "raster", "tiles": [url], "tileSize": 256}},
                 "layers": [background, {"id": "base", "type": "raster", "source": "base"}]}
    payload = base64.b64encode(json.dumps(style).encode()).decode()
    return f"data:application/json;base64,{payload}"


def overview_deck(shapes, figures, outline=None, density=None, sites=None,
                  view=(120.30, 31.835, 9.75), height=640) -> pdk.Deck:
    layers = [pdk.Layer(
        "GeoJsonLayer", id="areas",
        data={"type": "FeatureCollection", "features": area_features(shapes, figures)},
        pickable=True, stroked=True, filled=True, auto_highlight=True,
        get_fill_color="properties.fill", get_line_color=[255, 255, 255],
        line_width_min_pixels=1.2, highlight_color=[30, 144, 255, 90])]
    if density:
        vmax = max(c["n"] for c in density)
        layers.append(pdk.Layer(
            "GeoJsonLayer", id="density",
            data={"type": "FeatureCollection", "features": [
                {"type": "Feature", "geometry": c["geometry"],
                 "properties": {"name": "事件密度", "line1": esc(f"近30天 {c['n']} 件 / 平方公里"),
                                "line2": "", "fill": ramp(c["n"], vmax)[:3] + [round(40 + 170 * c["n"] / vmax)]}}
                for c in density]},
            pickable=True, stroked=False, filled=True, get_fill_color="properties.fill"))
    if outline:
        layers.append(pdk.Layer(
            "GeoJsonLayer", id="county", data={"type": "Feature", "geometry": outline, "properties": {}},
            stroked=True, filled=False, get_line_color=[60, 60, 60], line_width_min_pixels=2.5))
    layers.append(pdk.Layer(
        "TextLayer", id="labels", data=_label_points(shapes), get_position="position",
        get_text="text", get_size=14, get_color=[25, 25, 25],
        # pydeck turns plain strings into expressions; String() keeps these literal.
        font_family=pdk.types.String(FONT), character_set=pdk.types.String("auto"), outline_width=3,
        outline_color=[255, 255, 255, 230], font_settings={"sdf": True}, font_weight=600))
    if sites:
        layers.append(pdk.Layer(
            "ScatterplotLayer", id="chem_sites",
            data=[{"position": [s["lon"], s["lat"]], "name": esc(s["name"]),
                   "line1": esc(f"{s['hazard_level']}级重大危险源"),
                   "line2": esc(f"主要物质：{s['main_chemicals'] or '—'}"),
                   "color": HAZARD_COLORS.get(s["hazard_level"], [120, 120, 120]) + [230]}
                  for s in sites],
            get_position="position", get_fill_color="color", get_line_color=[255, 255, 255],
            stroked=True, line_width_min_pixels=1, get_radius=150, radius_units="meters",
            radius_min_pixels=3, radius_max_pixels=9, pickable=True))
    lon, lat, zoom = view
    return pdk.Deck(layers=layers, initial_view_state=pdk.ViewState(longitude=lon, latitude=lat, zoom=zoom),
                    map_provider="carto", map_style=base_style(), tooltip=TOOLTIP, height=height)
