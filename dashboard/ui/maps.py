"""pydeck maps made of vector layers only: no tile server needed.

A base map is optional: set JY_TILE_URL to an XYZ raster template (天地图 with its key, or an
internal tile server), e.g. http://tiles.internal/{z}/{x}/{y}.png. Tooltip values go in as plain
text (`tip`): Streamlit's deck.gl chart HTML-escapes every {field} it puts into the tooltip's HTML
(DeckGlJsonChart, Streamlit 1.67), so escaping here too showed "&amp;" for "&" (issue 19;
tests/test_browser_access.py hovers a hostile name).
"""
from __future__ import annotations

import base64
import functools
import json
import math

import pydeck as pdk
import pydeck.bindings.deck as _pdk_deck
from pydeck.bindings.json_tools import default_serialize

from geo.settings import settings
from geo.status import DEDICATED_LABELS, RESOURCE_LABELS

FONT = "Noto Sans CJK SC, Noto Sans SC, Microsoft YaHei, sans-serif"
HAZARD_COLORS = {1: [192, 0, 0], 2: [235, 97, 0], 3: [240, 180, 0], 4: [70, 130, 180]}
RESOURCE_COLORS = {"rescue_base": [128, 0, 128], "fire_station": [220, 20, 60],
                   "hospital": [0, 150, 136], "police_station": [25, 80, 200],
                   "materials_depot": [120, 85, 60], "shelter": [46, 139, 87],
                   "medical_team": [0, 150, 136]}
TOOLTIP = {
    "html": "<div style='font-size:14px'><b>{name}</b><br/>{line1}<br/>{line2}</div>",
    "style": {"backgroundColor": "rgba(20,24,33,0.92)", "color": "white", "fontFamily": FONT},
}
def tip(value) -> str:
    """A tooltip field as text (Streamlit escapes it when it builds the tooltip)."""
    return "" if value is None else str(value)


MAP_W, MAP_H = 900, 600      # the map size views are fitted to (the map column at 1920 px)
CITY_VIEW = (120.30, 31.835, 9.75)


def ramp(value: float, vmax: float, alpha: int = 200) -> list[int]:
    """Light yellow -> deep red by value/vmax."""
    t = 0.0 if vmax <= 0 else max(0.0, min(1.0, value / vmax))
    low, high = (255, 237, 160), (189, 0, 38)
    return [round(a + (b - a) * t) for a, b in zip(low, high)] + [alpha]


def fmt_rate(rate: float | None) -> str:
    return "—" if rate is None else f"{rate * 100:.1f}%"


def _merc_y(lat: float) -> float:
    s = math.sin(math.radians(lat))
    return 0.5 - math.log((1 + s) / (1 - s)) / (4 * math.pi)


def fit_view(bounds, width: int = MAP_W, height: int = MAP_H, pad: float = 0.08):
    """(lon, lat, zoom) showing bounds (minx, miny, maxx, maxy) in a width x height deck.gl map."""
    minx, miny, maxx, maxy = bounds
    dx = max(maxx - minx, 1e-4) / 360.0
    y0, y1 = _merc_y(maxy), _merc_y(miny)
    dy = max(y1 - y0, 1e-7)
    zoom = min(math.log2(width * (1 - pad) / (512 * dx)), math.log2(height * (1 - pad) / (512 * dy)))
    ym = (y0 + y1) / 2
    lat = math.degrees(math.atan(math.sinh(math.pi * (1 - 2 * ym))))
    return ((minx + maxx) / 2, lat, min(zoom, 17.0))


def base_style(background: str = "#eef1f4") -> str:
    """An inline map style (a data: URL): a plain background, or raster tiles with JY_TILE_URL.

    Inline, so the browser fetches nothing from outside; without a style Streamlit would fall back
    to an online Carto base map. Streamlit only accepts a string here, hence the data: URL.
    """
    bg_layer = {"id": "background", "type": "background", "paint": {"background-color": background}}
    url = settings().jy_tile_url.strip()
    if not url:
        style = {"version": 8, "sources": {}, "layers": [bg_layer]}
    else:
        style = {"version": 8,
                 "sources": {"base": {"type": "raster", "tiles": [url], "tileSize": 256}},
                 "layers": [bg_layer, {"id": "base", "type": "raster", "source": "base"}]}
    payload = base64.b64encode(json.dumps(style).encode()).decode()
    return f"data:application/json;base64,{payload}"


# ----------------------------------------------------------------------------- layers

def areas_layer(shapes: list[dict], figures: list[dict], metric: str = "open") -> pdk.Layer:
    """Areas shaded by a figure; layer id 'areas' (the one whose clicks drill down)."""
    by_code = {f["code"]: f for f in figures}
    values = [by_code.get(s["code"], {}).get(metric) for s in shapes]
    vmax = max((v for v in values if v is not None), default=0)
    feats = []
    for s, v in zip(shapes, values):
        f = by_code.get(s["code"], {})
        feats.append({"type": "Feature", "geometry": s["geometry"], "properties": {
            "code": s["code"], "name": tip(s["name"]),
            "line1": tip(f"在办 {f.get('open', 0)} 件 · 超期 {f.get('overdue', 0)} 件"),
            "line2": tip(f"今日上报 {f.get('reports_today', 0)} 件 · 按期办结率 "
                         f"{fmt_rate(f.get('on_time_rate'))}"),
            "fill": ramp(v or 0, vmax) if v is not None else [215, 215, 215, 110]}})
    return pdk.Layer("GeoJsonLayer", id="areas",
                     data={"type": "FeatureCollection", "features": feats},
                     pickable=True, stroked=True, filled=True, auto_highlight=True,
                     get_fill_color="properties.fill", get_line_color=[255, 255, 255],
                     line_width_min_pixels=1.2, highlight_color=[30, 144, 255, 90])


def labels_layer(shapes: list[dict], size: int = 14, strip: str = "") -> pdk.Layer:
    """Area names at an interior point; `strip` drops a common prefix (the village in grid names)."""
    import shapely.geometry as sg

    data = []
    for s in shapes:
        p = sg.shape(s["geometry"]).representative_point()
        data.append({"position": [p.x, p.y], "text": s["name"].removeprefix(strip) if strip else s["name"]})
    return pdk.Layer("TextLayer", id="labels", data=data, get_position="position", get_text="text",
                     get_size=size, get_color=[25, 25, 25],
                     # pydeck turns plain strings into expressions; String() keeps these literal.
                     font_family=pdk.types.String(FONT), character_set=pdk.types.String("auto"),
                     outline_width=3, outline_color=[255, 255, 255, 230],
                     font_settings={"sdf": True}, font_weight=600)


def outline_layer(geometry: dict | None, layer_id: str = "outline", width: float = 2.5,
                  color=(60, 60, 60)) -> pdk.Layer:
    return pdk.Layer("GeoJsonLayer", id=layer_id,
                     data={"type": "Feature", "geometry": geometry, "properties": {}},
                     stroked=True, filled=False, get_line_color=list(color),
                     line_width_min_pixels=width)


def density_layer(cells: list[dict], cell_m: int = 1000) -> pdk.Layer:
    """Aggregated density: one square per cell (lower-left corner + count), not raw events."""
    data = _density_data(tuple((c["lon"], c["lat"], c["n"]) for c in cells))
    return pdk.Layer("GridCellLayer", id="density", data=data, get_position="p", get_fill_color="c",
                     cell_size=cell_m, extruded=False, coverage=1, pickable=False)


@functools.lru_cache(maxsize=256)
def _density_data(cells: tuple) -> tuple:
    """The cells' squares and colours, computed once for the same cells (every viewer of a scope
    sees the same ones; a thousand colour ramps per run before). Read-only: pydeck only serializes it."""
    vmax = max((n for _, _, n in cells), default=1)
    return tuple({"p": [round(x, 5), round(y, 5)], "n": n,
                  "c": ramp(n, vmax)[:3] + [round(40 + 170 * n / vmax)]} for x, y, n in cells)


def _scatter(layer_id: str, rows: list[dict], radius: float | str, units: str = "meters", min_px: float = 3,
             max_px: float = 12, line_px: float = 1, color: str = "color") -> pdk.Layer:
    """Dots from rows already holding position, name/line1/line2 (escaped) and color. Positions go to
    the browser at 5 decimals (about a metre): 15 digits were a sixth of 一张图's payload."""
    for r in rows:
        r["position"] = [round(float(v), 5) for v in r["position"]]
    return pdk.Layer("ScatterplotLayer", id=layer_id, data=rows, get_position="position",
                     get_fill_color=color, get_line_color=[255, 255, 255], stroked=True,
                     line_width_min_pixels=line_px, get_radius=radius, radius_units=pdk.types.String(units),
                     radius_min_pixels=min_px, radius_max_pixels=max_px, pickable=True)


def chem_layer(sites: list[dict]) -> pdk.Layer:
    return _scatter("chem_sites", [
        {"position": [s["lon"], s["lat"]], "name": tip(s["name"]),
         "line1": tip(f"{s['hazard_level']}级重大危险源"), "line2": tip(f"主要物质：{s['main_chemicals'] or '—'}"),
         "color": HAZARD_COLORS.get(s["hazard_level"], [120, 120, 120]) + [230]} for s in sites],
        radius=150, min_px=3, max_px=9)


def resources_layer(items: list[dict]) -> pdk.Layer:
    return _scatter("resources", [
        {"position": [r["lon"], r["lat"]], "name": tip(r["name"]),
         "line1": tip(RESOURCE_LABELS.get(r["kind"], r["kind"])),
         "line2": tip(f"人员 {r['personnel'] or '—'} · 车辆 {r['vehicles'] or '—'}"),
         "color": RESOURCE_COLORS.get(r["kind"], [90, 90, 90]) + [240]} for r in items],
        radius=200, min_px=5, max_px=12, line_px=2)


def dedicated_layer(items: list[dict]) -> pdk.Layer:
    feats = [{"type": "Feature", "geometry": d["geometry"], "properties": {
        "name": tip(d["name"]), "line1": tip(f"专属网格 · {DEDICATED_LABELS.get(d['dedicated_type'], '')}"),
        "line2": tip(f"编码 {d['code']}")}} for d in items]
    return pdk.Layer("GeoJsonLayer", id="dedicated", data={"type": "FeatureCollection", "features": feats},
                     pickable=True, stroked=True, filled=True, get_fill_color=[72, 61, 139, 70],
                     get_line_color=[72, 61, 139, 230], line_width_min_pixels=1.5)


def points_layer(items: list[dict], layer_id: str, name_key: str, line1, line2, color_fn,
                 radius_px: int = 5) -> pdk.Layer:
    return _scatter(layer_id, [
        {"position": [i["lon"], i["lat"]], "id": i.get("id"), "name": tip(i[name_key]),
         "line1": tip(line1(i)), "line2": tip(line2(i)), "color": color_fn(i)} for i in items],
        radius=radius_px, units="pixels", min_px=0, max_px=100)


WARNING_COLORS = {3: [200, 0, 0, 235], 2: [255, 120, 0, 230], 1: [30, 110, 220, 220]}


def warnings_layer(items: list[dict]) -> pdk.Layer:
    """铁脚板's early warnings at their grids, coloured by level (警报 red, 预警 orange, 关注 blue)."""
    from geo.warning import KINDS, LEVELS, PATTERNS
    return points_layer(items, "warnings", "grid_name",
                        lambda w: f"{LEVELS[w['level']]} · {PATTERNS.get(w['pattern'] or '', KINDS[w['kind']])}",
                        lambda w: w["reason"][:60], lambda w: WARNING_COLORS[w["level"]], radius_px=9)


# pydeck looks for its Jupyter widget on every Deck() — an import attempt and a widget instance each
# time, the largest single cost of a map in a page run (profile 2026-11-28). A server never has
# Jupyter: say so once.
_pdk_deck.has_jupyter_extra = lambda: False


class CompactDeck(pdk.Deck):
    """pydeck pretty-prints its JSON (2-space indent, sorted keys, ASCII escapes): a third of the map
    payload. Streamlit sends to_json() to the browser, so write it compact and in UTF-8, in one pass
    with pydeck's own serializer (it was written pretty, parsed and written again)."""

    def to_json(self) -> str:
        return json.dumps(self, default=default_serialize, separators=(",", ":"), ensure_ascii=False)


class WrittenDeck(CompactDeck):
    """A deck whose JSON was written once (shared_map) and is handed to Streamlit as it is."""

    def __init__(self, spec: str):
        self._spec, self._tooltip = spec, TOOLTIP
        self.layers: list = []

    def to_json(self) -> str:
        return self._spec


MAP_TTL_S = 30      # as the figures the areas are coloured by (dashboard/ui/data/pools.FIGURES_TTL_S)


def shared_map(fn):
    """A page's map `fn(*options) -> pdk.Deck`, built from the shared (per-scope) reads, serialized once
    per MAP_TTL_S for every viewer of the same scope and masking of personal data, and handed to
    Streamlit as written: fifty people opening the city page cost one build and one JSON dump, not
    fifty (a fifth of a city page's run under load before, py-spy 2026-12-03). `options` must be
    picklable and hold everything else the map depends on (they are the cache key, pools.args_key)."""
    import streamlit as st

    from dashboard.ui.data.pools import args_key, viewer

    def scoped(key: bytes, *, _options: tuple) -> str:
        return fn(*_options).to_json()
    # Streamlit keys a cache by the function's name and source: give it fn's.
    functools.update_wrapper(scoped, fn)
    cached = st.cache_data(ttl=MAP_TTL_S, max_entries=64, show_spinner=False)(scoped)

    @functools.wraps(fn)
    def public(*options) -> WrittenDeck:
        v = viewer()
        return WrittenDeck(cached(args_key(v.scope, v.sees_personal_data, *options), _options=options))
    public.clear = cached.clear  # type: ignore[attr-defined]  # the cache's own clear, on the wrapper
    return public


def deck(layers: list[pdk.Layer], view, height: int = MAP_H, background: str = "#eef1f4") -> pdk.Deck:
    lon, lat, zoom = view
    return CompactDeck(layers=layers, initial_view_state=pdk.ViewState(longitude=lon, latitude=lat, zoom=zoom),
                       map_provider="carto", map_style=base_style(background), tooltip=TOOLTIP, height=height)


def selected_code(selection, layer_id: str = "areas") -> str | None:
    """The code of the clicked feature in a pydeck selection result, if any."""
    try:
        objects = (selection or {}).get("selection", {}).get("objects", {}).get(layer_id) or []
    except AttributeError:
        return None
    for obj in objects:
        props = obj.get("properties", obj) if isinstance(obj, dict) else {}
        if props.get("code"):
            return str(props["code"])
        if props.get("id") is not None:
            return str(props["id"])
    return None


def zone_layer(geometry: dict, layer_id: str, name: str, fill, line) -> pdk.Layer:
    """A hazard ring or threat zone (GeoJSON geometry), drawn translucent."""
    return pdk.Layer("GeoJsonLayer", id=layer_id,
                     data={"type": "Feature", "geometry": geometry,
                           "properties": {"name": tip(name), "line1": "", "line2": ""}},
                     stroked=True, filled=True, get_fill_color=list(fill), get_line_color=list(line),
                     line_width_min_pixels=2, pickable=True)


def import_layer(shapes: list[dict], bad_rows: set[int]) -> pdk.Layer:
    """Features of an import file: refused ones red, the others grey-blue (points, lines or polygons)."""
    import shapely.geometry as sg

    feats = []
    for s in shapes:
        g = s.get("geom")
        if g is None:
            continue
        bad = s["row"] in bad_rows
        feats.append({"type": "Feature", "geometry": sg.mapping(g), "properties": {
            "name": tip(f"第 {s['row']} 行 · {s.get('code') or '无编码'}"), "line1": tip(s.get("name") or ""),
            "line2": "有问题" if bad else "通过",
            "fill": [220, 30, 30, 170] if bad else [70, 110, 160, 70],
            "line": [200, 0, 0] if bad else [70, 110, 160] if "Line" in g.geom_type else [255, 255, 255]}})
    return pdk.Layer("GeoJsonLayer", id="import", data={"type": "FeatureCollection", "features": feats},
                     pickable=True, stroked=True, filled=True, get_fill_color="properties.fill",
                     get_line_color="properties.line", line_width_min_pixels=1.5, point_radius_min_pixels=5,
                     get_point_radius=30)


# ----------------------------------------------------------------------------- 一张图 layers

ONLINE_COLOR, OFFLINE_COLOR, POLICE_COLOR = [0, 170, 90], [150, 150, 150], [25, 80, 200]
COVERAGE_COLORS = {"today": [0, 150, 80], "week": [240, 180, 0], "none": [200, 40, 40]}
SERVICE_COLORS = {"window": [0, 120, 215], "app_point": [230, 90, 160]}
ASSISTANCE_COLOR, MUTUAL_AID_COLOR = [255, 140, 0], [46, 139, 87]
ENTERPRISE_COLORS = {"rectifying": [220, 30, 30], "rectified": [60, 160, 60], "closed": [90, 90, 90]}
TRACK_COLOR = [255, 0, 160]


def duty_layer(people: list[dict], labels: dict[str, str]) -> pdk.Layer:
    """Grid workers (green online, grey offline) and police (blue online); names as the viewer may see them."""
    def color(p):
        if not p["online"]:
            return OFFLINE_COLOR + [110]
        return (POLICE_COLOR if p["role"] == "police" else ONLINE_COLOR) + [230]
    return _scatter("duty", [
        {"position": [p["lon"], p["lat"]], "id": p["id"], "name": tip(p["name"]),
         "line1": tip(f"{labels.get(p['role'], p['role'])} · {'在线' if p['online'] else '离线'}"),
         "line2": tip(f"网格 {p['grid_code']}"), "color": color(p)} for p in people],
        radius=2, units="pixels", min_px=1, max_px=5, line_px=0)


def color_by(field: str, colors: list[list[int]]) -> str:
    """A deck.gl expression picking colors[i] for a row whose `field` is i (the last one otherwise):
    a number per row instead of a colour array, which was a tenth of a large layer's payload."""
    expr = json.dumps(colors[-1])
    for i in range(len(colors) - 2, -1, -1):
        expr = f"({field} == {i} ? {json.dumps(colors[i])} : {expr})"
    return expr


def palette(colors: dict[str, list[int]], alpha: int, other: tuple[int, int, int] = (90, 90, 90)) -> tuple[dict[str, int], str]:
    """(the code of each key, the expression colouring field "v" by it): keys not listed are `other`."""
    codes = {k: i for i, k in enumerate(colors)}
    return codes, color_by("v", [c + [alpha] for c in colors.values()] + [[*other, alpha]])


def coverage_layer(grids: list[dict]) -> pdk.Layer:
    """One dot per third-level grid: green visited today, amber in the last 7 days only, red not at all.
    The colour is chosen in the browser from a small number per dot (a colour per row was a tenth of
    一张图's first load)."""
    states, color = palette(COVERAGE_COLORS, 200)

    def state(g) -> int:
        return states["today" if g["visited_today"] else ("week" if g["days_visited"] else "none")]
    return _scatter("coverage", [
        {"position": [g["lon"], g["lat"]], "code": g["code"], "name": tip(g["name"]),
         "line1": tip(f"今日打卡{g['checkins_today']}次 · 近7天巡查{g['days_visited']}天"),
         "line2": "", "v": state(g)} for g in grids],     # the page's caption says a click opens the grid
        radius=3, units="pixels", min_px=2, max_px=5, line_px=0, color=color)


def service_layer(points: list[dict], labels: dict[str, str]) -> pdk.Layer:
    kinds, color = palette(SERVICE_COLORS, 240)
    return _scatter("service", [
        {"position": [p["lon"], p["lat"]], "name": tip(p["name"]), "line1": tip(labels.get(p["kind"], p["kind"])),
         "line2": tip(f"可办事项{p['matters'] or '—'}项 · 近30天服务{p['services_30d'] or 0}人次"),
         "v": kinds.get(p["kind"], len(kinds))} for p in points],
        radius=4, units="pixels", min_px=3, max_px=6, line_px=1, color=color)


def assistance_layer(villages: list[dict]) -> pdk.Layer:
    """A bubble per village/community sized by its assistance households."""
    vmax = max((v["assistance_households"] for v in villages), default=1) or 1
    return _scatter("assistance", [
        {"position": [v["lon"], v["lat"]], "code": v["code"], "name": tip(v["name"]),
         "line1": tip(f"社会救助 {v['assistance_households']} 户 · {v['assistance_persons']} 人"),
         "line2": "", "r": round(4 + 14 * (v["assistance_households"] / vmax) ** 0.5, 1),
         "color": ASSISTANCE_COLOR + [120]} for v in villages if v["assistance_households"]],
        radius="r", units="pixels", min_px=3, max_px=20, line_px=1)


def mutual_aid_layer(villages: list[dict]) -> pdk.Layer:
    """福村宝 villages as green rings."""
    rows = [{"position": [v["lon"], v["lat"]], "code": v["code"], "name": tip(v["name"]),
             "line1": tip(f"福村宝 参保 {v['mutual_aid_members'] or 0} 人"),
             "line2": tip(f"累计受益 {v['mutual_aid_beneficiaries'] or 0} 人次"), "color": MUTUAL_AID_COLOR + [255]}
            for v in villages if v["mutual_aid"]]
    return pdk.Layer("ScatterplotLayer", id="mutual_aid", data=rows, get_position="position", filled=False,
                     stroked=True, get_line_color="color", line_width_min_pixels=2, get_radius=9,
                     radius_units=pdk.types.String("pixels"), pickable=True)


def enterprise_layer(items: list[dict], status_labels: dict[str, str], sector_labels: dict[str, str]) -> pdk.Layer:
    states, color = palette(ENTERPRISE_COLORS, 200)
    return _scatter("enterprises", [
        {"position": [e["lon"], e["lat"]], "id": e["id"], "name": tip(e["name"]),
         "line1": tip(f"{sector_labels.get(e['sector'], e['sector'])} · {status_labels.get(e['status'], e['status'])}"),
         "line2": tip(f"最近检查 {e['last_inspection']:%Y-%m-%d}" if e.get("last_inspection") else "暂无检查记录"),
         "v": states.get(e["status"], len(states))} for e in items],
        radius=2, units="pixels", min_px=2, max_px=4, line_px=0, color=color)


def track_layer(fixes: list[dict]) -> pdk.Layer:
    path = [[f["lon"], f["lat"]] for f in fixes]
    return pdk.Layer("PathLayer", id="track", data=[{"path": path, "name": "今日巡查轨迹", "line1": f"{len(path)} 个定位点",
                                                     "line2": ""}],
                     get_path="path", get_color=TRACK_COLOR, width_min_pixels=3, pickable=True)


def legend_items(layers: list[str]) -> list[tuple[list[int], str, bool]]:
    """(colour, label, ring) for the legend of the 一张图 layers that are on."""
    items: list[tuple[list[int], str, bool]] = []
    if "events" in layers:
        items.append((ramp(1, 1)[:3], "事件密度（越深越多）", False))
    if "duty" in layers:
        items += [(ONLINE_COLOR, "网格员 在线", False), (POLICE_COLOR, "网格警员 在线", False),
                  (OFFLINE_COLOR, "离线（5分钟内无定位）", False)]
    if "coverage" in layers:
        items += [(COVERAGE_COLORS["today"], "网格 今日已巡查", False), (COVERAGE_COLORS["week"], "网格 近7天巡查过", False),
                  (COVERAGE_COLORS["none"], "网格 近7天未巡查", False)]
    if "service" in layers:
        items += [(SERVICE_COLORS["window"], "澄事之窗", False), (SERVICE_COLORS["app_point"], "最江阴服务点", False)]
    if "assistance" in layers:
        items.append((ASSISTANCE_COLOR, "社会救助户（圈越大户数越多）", False))
    if "mutual_aid" in layers:
        items.append((MUTUAL_AID_COLOR, "福村宝覆盖村", True))
    if "enterprises" in layers:
        items += [(ENTERPRISE_COLORS["rectifying"], "监管企业 整改中", False),
                  (ENTERPRISE_COLORS["rectified"], "监管企业 已整改", False),
                  (ENTERPRISE_COLORS["closed"], "监管企业 已关停", False)]
    if "chem" in layers:
        items += [(HAZARD_COLORS[1], "危化品 一级", False), (HAZARD_COLORS[2], "危化品 二级", False),
                  (HAZARD_COLORS[3], "危化品 三级", False), (HAZARD_COLORS[4], "危化品 四级", False)]
    return items
