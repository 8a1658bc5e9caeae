"""Maps to take away: the current town, village or scenario as one self-contained HTML file
(Leaflet and the data inlined, opens from disk with no network), with the figures panel, the
演示数据 label when the data is a demo, and an A4-landscape print layout (the page's 打印 button or
the browser's print). Built with folium through dashboard/ui/leaflet.py."""
from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

import folium

from dashboard.ui import leaflet
from dashboard.ui.html import esc
from geo.worktime import TZ


def map_file(title: str, subtitle: str, areas: list[dict], area_label: str, figures: list[tuple[str, str]],
             demo: bool, zone: dict | None = None, zone_label: str = "区域", sites: Sequence[dict] = (),
             table: tuple[list[str], list[list]] | None = None, table_title: str = "",
             area_fields: tuple[tuple[str, str], ...] = (("name", "名称"),)) -> bytes:
    """One HTML file: `areas` (read-layer shapes, with the figures to show in their tooltips named
    by area_fields), an optional zone (GeoJSON geometry) and chemical sites, and a panel with
    the title, 演示数据 when demo, the figures (label, value) and an optional table."""
    m = leaflet.new_map(leaflet.bounds_of(areas, zone), base=False)     # opens from disk: no tile server
    leaflet.areas(m, areas, area_label, leaflet.AREA_STYLE, fields=tuple(f for f, _ in area_fields),
                  aliases=tuple(a for _, a in area_fields))
    if zone:
        folium.GeoJson({"type": "Feature", "geometry": zone, "properties": {"name": zone_label}}, name=zone_label,
                       style_function=lambda _f: leaflet.ZONE_STYLE,
                       tooltip=folium.GeoJsonTooltip(["name"], labels=False)).add_to(m)
    if sites:
        leaflet.sites(m, list(sites))
    parts = [f"<div class='jy-panel'><h1>{esc(title)}</h1><div>{esc(subtitle)}</div>"]
    if demo:
        parts.append("<p><span class='jy-demo'>演示数据</span> 边界、人员、事件与企业均为虚构，并非官方数据。</p>")
    parts.append("<table>" + "".join(f"<tr><td>{esc(k)}</td><td class='n'>{esc(v)}</td></tr>" for k, v in figures)
                 + "</table>")
    if table and table[1]:
        head, rows = table
        parts.append(f"<b>{esc(table_title)}</b><table><tr>" + "".join(f"<th>{esc(h)}</th>" for h in head) + "</tr>"
                     + "".join("<tr>" + "".join(f"<td{' class=n' if isinstance(c, (int, float)) else ''}>"
                                                f"{esc(_num(c))}</td>" for c in r) + "</tr>" for r in rows)
                     + "</table>")
    parts.append(f"<p style='color:#777'>导出时间 {dt.datetime.now(TZ):%Y-%m-%d %H:%M}（北京时间）· "
                 "江阴市网格化联动指挥中心</p>"
                 "<button class='jy-print' onclick='window.print()'>打印（A4 横向）</button></div>")
    return leaflet.standalone_html(m, "".join(parts))


def _num(v):
    return f"{v:,.0f}" if isinstance(v, float) else (f"{v:,}" if isinstance(v, int) else v)


def file_name(what: str) -> str:
    return f"{what}_{dt.datetime.now(TZ):%Y%m%d%H%M}.html"
