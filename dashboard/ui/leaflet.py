"""Leaflet maps through folium, offline.

folium points every asset at a CDN; here each one comes from the npm registry at set-up
(package.json / package-lock.json, integrity checked by `npm ci`), is copied to
dashboard/static/vendor/ (`python -m dashboard.ui.leaflet install`, run by scripts/setup.sh) and
served by Streamlit's static serving under /app/static/vendor/. An exported map inlines the same
files, so it opens from disk with no request at all.

Where Leaflet is used and why (pydeck stays for the large views): picking a point (事件上报,
调度台), drawing and measuring a zone (事故推演, 危化品), and a map to take away (town, village,
scenario) — see README "Maps without a tile server".
"""
from __future__ import annotations

import base64
import json
import mimetypes
import re
import shutil
import sys
from pathlib import Path

import folium
from branca.element import Figure
from folium import plugins
from jinja2 import Template

from dashboard.ui.html import esc

ROOT = Path(__file__).resolve().parents[2]
VENDOR = ROOT / "dashboard" / "static" / "vendor"
URL = "/app/static/vendor"
# served directory -> the npm package's dist directory (versions: package.json)
PACKAGES = {"leaflet": "leaflet/dist", "leaflet-draw": "leaflet-draw/dist", "leaflet-measure": "leaflet-measure/dist"}
LEAFLET_JS = [("leaflet", "leaflet/leaflet.js")]
LEAFLET_CSS = [("leaflet_css", "leaflet/leaflet.css")]
DRAW_JS = [("leaflet_draw_js", "leaflet-draw/leaflet.draw.js")]
DRAW_CSS = [("leaflet_draw_css", "leaflet-draw/leaflet.draw.css")]
MEASURE_JS = [("leaflet_measure_js", "leaflet-measure/leaflet-measure.cn.js")]
MEASURE_CSS = [("leaflet_measure_css", "leaflet-measure/leaflet-measure.css")]

DEMO_LABEL = "演示数据"
ZONE_STYLE = {"color": "#c00000", "weight": 2, "fillColor": "#c00000", "fillOpacity": 0.25}
AREA_STYLE = {"color": "#34495e", "weight": 1.2, "fillColor": "#7f8c8d", "fillOpacity": 0.08}
GRID_STYLE = {"color": "#2471a3", "weight": 0.8, "fillColor": "#5dade2", "fillOpacity": 0.06}

# Leaflet.draw's toolbar and hints in Chinese (L.drawLocal), set before the control is made.
_DRAW_ZH = {
    "draw": {"toolbar": {"actions": {"title": "取消绘制", "text": "取消"},
                         "finish": {"title": "完成绘制", "text": "完成"},
                         "undo": {"title": "删除最后一个点", "text": "撤销"},
                         "buttons": {"polygon": "画多边形", "rectangle": "画矩形", "circle": "画圆",
                                     "polyline": "画线", "marker": "标点", "circlemarker": "标圆点"}},
             "handlers": {"circle": {"tooltip": {"start": "按住并拖动画圆"}, "radius": "半径"},
                          "polygon": {"tooltip": {"start": "点击开始画多边形", "cont": "点击继续",
                                                  "end": "点击第一个点结束"}},
                          "rectangle": {"tooltip": {"start": "按住并拖动画矩形"}},
                          "simpleshape": {"tooltip": {"end": "松开鼠标完成"}},
                          "polyline": {"error": "<strong>错误：</strong>边不能相交！",
                                       "tooltip": {"start": "点击开始画线", "cont": "点击继续",
                                                   "end": "点击最后一个点结束"}}}},
    "edit": {"toolbar": {"actions": {"save": {"title": "保存修改", "text": "保存"},
                                     "cancel": {"title": "取消修改", "text": "取消"},
                                     "clearAll": {"title": "清除全部", "text": "全部清除"}},
                         "buttons": {"edit": "编辑", "editDisabled": "没有可编辑的图形",
                                     "remove": "删除", "removeDisabled": "没有可删除的图形"}},
             "handlers": {"edit": {"tooltip": {"text": "拖动节点修改图形", "subtext": "点击取消撤销修改"}},
                          "remove": {"tooltip": {"text": "点击图形删除"}}}},
}


class _Script(folium.MacroElement):
    """A script run with the map's own (streamlit-folium runs the children's scripts in order)."""

    _template = Template("{% macro script(this, kwargs) %}{{ this.code }}{% endmacro %}")

    def __init__(self, code: str):
        super().__init__()
        self._name = "Script"
        self.code = code


def _local(assets: list[tuple[str, str]]) -> list[tuple[str, str]]:
    return [(name, f"{URL}/{path}") for name, path in assets]


def _figure(m: folium.Map) -> Figure:
    """The map's page (folium types its root as a plain Element; a Map's root is a Figure)."""
    root = m.get_root()
    assert isinstance(root, Figure)
    return root


def new_map(bounds: tuple[float, float, float, float], height: int | str = "100%",
            base: bool = True) -> folium.Map:
    """A Leaflet map fitted to (minx, miny, maxx, maxy) with a metric scale. Its base is the county's
    own tile layer when JY_TILE_URL is set (the same as the pydeck maps': 天地图 or an internal tile
    server), else nothing (nothing is fetched; the areas drawn on it, named, are the base). An exported
    map (`base=False`) never asks a server for tiles."""
    from geo.settings import settings

    minx, miny, maxx, maxy = bounds
    m = folium.Map(location=[(miny + maxy) / 2, (minx + maxx) / 2], zoom_start=11, tiles=None,
                   height=height, prefer_canvas=False, attribution_control=False)
    url = settings().jy_tile_url.strip()
    if base and url:
        folium.TileLayer(url, attr="底图", name="底图", max_zoom=18, control=False).add_to(m)
    m.default_js = _local(LEAFLET_JS)
    m.default_css = _local(LEAFLET_CSS)
    _figure(m).header.add_child(folium.Element(_MAP_CSS), name="jy_map_css")
    _Script(f"L.control.scale({{imperial: false, maxWidth: 160}}).addTo({m.get_name()});").add_to(m)
    m.fit_bounds([[miny, minx], [maxy, maxx]])
    return m


# No base map: a light ground so the areas read; no focus box on a clicked polygon.
_MAP_CSS = ("<style>.leaflet-container { background: #f4f6f6; } "
            ".leaflet-interactive:focus { outline: none; } "
            ".jy-label { display: inline-block; transform: translate(-50%, -50%); white-space: nowrap; font: 600 13px sans-serif; "
            "color: #1b2631; text-shadow: 0 0 3px #fff, 0 0 3px #fff; pointer-events: none; }</style>")


def areas(m: folium.Map, shapes: list[dict], name: str, style: dict, tooltip: str = "名称",
          fields: tuple[str, ...] = ("name",), aliases: tuple[str, ...] | None = None) -> folium.GeoJson:
    """Polygons with a tooltip; `shapes` as the read layer returns them ({code, name, geometry, …})."""
    # folium's tooltip writes the values as HTML: escaped here, once (dashboard/ui/html.esc)
    feats = [{"type": "Feature", "geometry": s["geometry"],
              "properties": {k: (esc(v) if isinstance(v, str) else v) for k, v in s.items() if k in fields}}
             for s in shapes]
    layer = folium.GeoJson({"type": "FeatureCollection", "features": feats}, name=name,
                           style_function=lambda _f, st=dict(style): st,
                           tooltip=folium.GeoJsonTooltip(list(fields), aliases=list(aliases or (tooltip,)),
                                                         sticky=False) if feats else None)
    layer.add_to(m)
    return layer


def area_labels(m: folium.Map, shapes: list[dict], css_class: str = "jy-label") -> None:
    """Each area's name written on the map at a point inside it (escaped once), so a map without a
    base layer still says where it is."""
    from shapely.geometry import shape

    fg = folium.FeatureGroup(name="地名", control=False)
    for s in shapes:
        if not s.get("name") or not s.get("geometry"):
            continue
        p = shape(s["geometry"]).representative_point()
        folium.Marker([p.y, p.x], icon=folium.DivIcon(html=f"<div class='{css_class}'>{esc(s['name'])}</div>",
                                                       icon_size=(0, 0), class_name="jy-label-icon"),
                      interactive=False).add_to(fg)
    fg.add_to(m)


SITE_COLORS = {1: "#8e0000", 2: "#d35400", 3: "#f1c40f", 4: "#7f8c8d"}   # 重大危险源 一级 … 四级


def sites(m: folium.Map, rows: list[dict]) -> None:
    """Chemical sites as small dots coloured by hazard level, named in the tooltip."""
    fg = folium.FeatureGroup(name="危化品企业")
    for s in rows:
        folium.CircleMarker([s["lat"], s["lon"]], radius=5, weight=1, color="#333333",
                            fill_color=SITE_COLORS.get(int(s.get("hazard_level") or 0), "#7f8c8d"), fill_opacity=0.9,
                            tooltip=esc(f"{s['name']}（{s.get('hazard_level') or '—'}级重大危险源）")).add_to(fg)
    fg.add_to(m)


def bounds_of(shapes: list[dict], *geometries: dict | None) -> tuple[float, float, float, float]:
    """(minx, miny, maxx, maxy) of read-layer shapes and any further GeoJSON geometries."""
    import shapely
    geoms = [json.dumps(s["geometry"]) for s in shapes] + [json.dumps(g) for g in geometries if g]
    return tuple(shapely.total_bounds(shapely.from_geojson(geoms)).tolist())


def point_group(point: tuple[float, float] | None, label: str = "所选位置") -> folium.FeatureGroup:
    """The picked point as its own layer (streamlit-folium adds it without re-drawing the map)."""
    fg = folium.FeatureGroup(name=label)
    if point is not None:
        folium.CircleMarker([point[1], point[0]], radius=8, color="#c00000", weight=3, fill=True,
                            fill_color="#ffffff", fill_opacity=0.9, tooltip=esc(label)).add_to(fg)
    return fg


def draw_tools(m: folium.Map) -> None:
    """Polygon, rectangle and circle drawing (Leaflet.draw) and a distance/area measure
    (leaflet-measure, Chinese build), all from the local copies."""
    # merged key by key into Leaflet.draw's own strings (anything not translated stays as it is)
    _Script("(function merge(t, s) { for (var k in s) { if (typeof s[k] === 'object' && t[k]) merge(t[k], s[k]);"
            " else t[k] = s[k]; } })(L.drawLocal, " + json.dumps(_DRAW_ZH, ensure_ascii=False) + ");").add_to(m)
    d = plugins.Draw(export=False, position="topleft",
                     draw_options={"polyline": False, "marker": False, "circlemarker": False,
                                   "polygon": {"allowIntersection": False, "showArea": True,
                                               "metric": True, "shapeOptions": ZONE_STYLE},
                                   "rectangle": {"showArea": True, "metric": True, "shapeOptions": ZONE_STYLE},
                                   "circle": {"metric": True, "shapeOptions": ZONE_STYLE}},
                     edit_options={"edit": False, "remove": True})
    d.default_js, d.default_css = _local(DRAW_JS), _local(DRAW_CSS)
    d.add_to(m)
    mc = plugins.MeasureControl(position="topright", primary_length_unit="meters",
                                secondary_length_unit="kilometers", primary_area_unit="sqmeters",
                                secondary_area_unit="hectares")
    mc.default_js, mc.default_css = _local(MEASURE_JS), _local(MEASURE_CSS)
    mc.add_to(m)


# --- taking a map away: one HTML file, every asset inlined ---------------------------------

_SCRIPT_SRC = re.compile(r'<script src="' + re.escape(URL) + r'/([^"]+)"></script>')
_CSS_LINK = re.compile(r'<link rel="stylesheet" href="' + re.escape(URL) + r'/([^"]+)"/>')
_CSS_URL = re.compile(r"url\(['\"]?(?!data:)([^'\")]+)['\"]?\)")


def _asset(path: str) -> str:
    f = (VENDOR / path).resolve()
    if VENDOR.resolve() not in f.parents or not f.is_file():
        raise FileNotFoundError(f"{path} is not installed under {VENDOR}: run ./run.sh --no-serve (npm ci)")
    return f.read_text(encoding="utf-8")


def _inline_css(path: str) -> str:
    base = (VENDOR / path).parent

    def data_uri(match: re.Match) -> str:
        ref = (base / match.group(1)).resolve()
        if not ref.is_file():
            return "url()"
        mime = mimetypes.guess_type(ref.name)[0] or "application/octet-stream"
        return f"url(data:{mime};base64,{base64.b64encode(ref.read_bytes()).decode()})"

    return _CSS_URL.sub(data_uri, _asset(path))


def standalone_html(m: folium.Map, panel_html: str = "") -> bytes:
    """The map as one self-contained page: Leaflet's JS and CSS inlined (their images as data:
    URIs), no tile layer, a figures panel beside the map and an A4-landscape print layout."""
    root = _figure(m)
    root.header.add_child(folium.Element(_PAGE_CSS), name="jy_page_css")
    if panel_html:
        root.html.add_child(folium.Element(panel_html), name="jy_panel")
    html = root.render()
    html = _SCRIPT_SRC.sub(lambda mm: "<script>" + _asset(mm.group(1)).replace("</script", "<\\/script") + "</script>", html)
    html = _CSS_LINK.sub(lambda mm: "<style>" + _inline_css(mm.group(1)) + "</style>", html)
    return html.encode("utf-8")


_PAGE_CSS = """<style>
body { font-family: "Noto Sans CJK SC", "Microsoft YaHei", "PingFang SC", sans-serif; }
.folium-map { position: absolute !important; left: 0; top: 0; right: 340px; bottom: 0; width: auto !important; }
.jy-panel { position: absolute; right: 0; top: 0; bottom: 0; width: 324px; padding: 8px; overflow: auto;
            border-left: 1px solid #ccc; background: #fff; font-size: 13px; }
.jy-panel h1 { font-size: 17px; margin: 4px 0 8px; }
.jy-panel table { border-collapse: collapse; width: 100%; margin-bottom: 8px; }
.jy-panel td, .jy-panel th { border-bottom: 1px solid #eee; padding: 3px 4px; text-align: left; }
.jy-panel td.n { text-align: right; font-variant-numeric: tabular-nums; }
.jy-demo { display: inline-block; background: #c0392b; color: #fff; padding: 1px 6px; border-radius: 3px; }
.jy-print { margin: 6px 0; }
@page { size: A4 landscape; margin: 8mm; }
@media print {
  .jy-print, .leaflet-control-zoom { display: none; }
  html, body { width: 281mm; height: 194mm; }
  .folium-map { right: 95mm !important; }
  .jy-panel { width: 90mm; overflow: visible; }
}
</style>"""


def install(node_modules: Path = ROOT / "node_modules") -> list[str]:
    """Copy each package's dist directory from node_modules to dashboard/static/vendor."""
    done = []
    for served, dist in PACKAGES.items():
        src = node_modules / dist
        if not src.is_dir():
            raise FileNotFoundError(f"{src} is missing: npm ci did not install {dist.split('/')[0]}")
        dst = VENDOR / served
        if dst.exists():
            shutil.rmtree(dst)
        shutil.copytree(src, dst, ignore=shutil.ignore_patterns("*.map", "*-src.*", "*.esm.js"))
        done.append(served)
    return done


if __name__ == "__main__":
    if sys.argv[1:] != ["install"]:
        sys.exit("usage: python -m dashboard.ui.leaflet install")
    print("leaflet assets installed:", ", ".join(install()))
