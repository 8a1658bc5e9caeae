"""一张图's pieces: the chosen layers and days (in the URL), the map, the legend and the figure panels.
Used by the 一张图 page (dashboard/views/onemap.py), its wall layout, and the grid and village pages
(the base-data summary). Every value shown as HTML passes esc()."""
from __future__ import annotations

import streamlit as st

from dashboard.ui import data, maps, nav
from dashboard.ui.html import esc
from dashboard.ui.layout import fmt_int, fmt_pct
from geo import metrics, onemap
from geo.roles import STAFF_LABELS
from geo.scope import Scope
from geo.status import ENTERPRISE_SECTOR_LABELS, ENTERPRISE_STATUS_LABELS, SERVICE_POINT_LABELS, EnterpriseStatus

ALL_LAYERS = list(onemap.LAYERS)
DEFAULT_LAYERS = ["events", "coverage", "service", "assistance", "mutual_aid", "enterprises"]


def chosen_layers(default: list[str] | None = None) -> list[str]:
    raw = nav.qp("layers")
    if raw is None:
        return list(default if default is not None else DEFAULT_LAYERS)
    return [k for k in raw.split(",") if k in onemap.LAYERS]


def chosen_days() -> int:
    days = nav.parse_int(nav.qp("days"), 2)
    return days if days and 1 <= days <= onemap.MAX_DAYS else metrics.DEFAULT_DAYS


def view_for(scope: Scope, width: int = maps.MAP_W, height: int = maps.MAP_H):
    """The county fitted to the map, or the town's / village's areas."""
    import shapely.geometry as sg
    from shapely import union_all

    if scope.town is None:
        outline = data.county_outline()
        return maps.fit_view(sg.shape(outline).bounds, width, height) if outline else maps.CITY_VIEW
    shapes = data.area_shapes(scope)
    if not shapes:
        return maps.CITY_VIEW
    return maps.fit_view(union_all([sg.shape(s["geometry"]) for s in shapes]).bounds, width, height)


def deck_layers(scope: Scope, layers: list[str], days: int, track: list[dict] | None = None) -> list:
    shapes = data.area_shapes(scope)
    out = [maps.areas_layer(shapes, data.area_figures(scope))]
    if "events" in layers:
        out.append(maps.density_layer(data.density(scope, days=days)))
    out.append(maps.outline_layer(data.county_outline(), "county"))
    out.append(maps.labels_layer(shapes, size=13))
    if "mutual_aid" in layers or "assistance" in layers:
        villages = data.onemap_villages(scope)
        if "assistance" in layers:
            out.append(maps.assistance_layer(villages))
        if "mutual_aid" in layers:
            out.append(maps.mutual_aid_layer(villages))
    if "enterprises" in layers:
        out.append(maps.enterprise_layer(onemap.enterprises_on_map(data.enterprises(scope), scope),
                                         ENTERPRISE_STATUS_LABELS, ENTERPRISE_SECTOR_LABELS))
    if "coverage" in layers:
        out.append(maps.coverage_layer(data.coverage(scope)))
    if "service" in layers:
        out.append(maps.service_layer(data.service_points(scope), SERVICE_POINT_LABELS))
    if "chem" in layers:
        out.append(maps.chem_layer(data.chem_sites(scope)))
    if "duty" in layers:
        out.append(maps.duty_layer(data.duty(scope), STAFF_LABELS))
    if track:
        out.append(maps.track_layer(track))
    return out


@maps.shared_map
def _map(scope: Scope, layers: tuple[str, ...], days: int, view: tuple, height: int, background: str):
    """一张图's map of a scope and set of layers, serialized once per TTL for every viewer who sees the
    same (scope, layers, days, masking): 50 people opening 一张图 cost one build, not 50 (ws_load: ≈1 s of
    a core per run before)."""
    return maps.deck(deck_layers(scope, list(layers), days), view, height=height, background=background)


def deck_for(scope: Scope, layers: list[str], days: int, view, height: int, background: str = "#eef1f4",
             track: list[dict] | None = None):
    """一张图's deck: from the shared serialized map, or built for this viewer when a worker's track is on it."""
    if track:
        return maps.deck(deck_layers(scope, layers, days, track=track), view, height=height, background=background)
    return _map(scope, tuple(layers), days, tuple(view), height, background)


def legend_html(layers: list[str], dark: bool = False, columns: int = 1) -> str:
    color = "#e8eef7" if dark else "#1f2937"
    rows = []
    for rgb, label, ring in maps.legend_items(layers):
        css = f"rgb({int(rgb[0])},{int(rgb[1])},{int(rgb[2])})"
        dot = (f"border:2px solid {css};background:transparent" if ring else f"background:{css}")
        rows.append(f"<span style='display:inline-block;width:12px;height:12px;border-radius:50%;{dot};"
                    f"margin-right:6px;vertical-align:middle'></span>{esc(label)}")
    return (f"<div style='font-size:14px;line-height:20px;color:{color};columns:{int(columns)}'>"
            + "<br/>".join(rows) + "</div>")


def duty_figures(scope: Scope) -> dict:
    counts = data.duty_counts(scope)
    cov = onemap.coverage_figures(data.coverage(scope))
    return {"counts": counts, "coverage": cov}


def duty_pairs(scope: Scope) -> list[tuple[str, str, str]]:
    """(label with its period, value, definition) of 在线网格员 and 巡查覆盖率 — the same on 一张图, the
    wall and the village/grid pages."""
    f = duty_figures(scope)
    c, cov = f["counts"], f["coverage"]
    gw = c["grid_worker"]
    return [
        (metrics.label("online_workers"), f"{gw['online']:,} / {gw['total']:,}",
         f"{metrics.help_text('online_workers')}（分母为全部网格员；在岗：{metrics.help_text('on_duty')}）"),
        (metrics.label("patrol_coverage", 1), fmt_pct(cov["coverage_today"]),
         f"{metrics.help_text('patrol_coverage')}（今日 {cov['visited_today']:,} / {cov['grids']:,} 个网格）"),
        (metrics.label("patrol_coverage", metrics.PATROL_WEEK_DAYS), fmt_pct(cov["coverage_week"]),
         f"{metrics.help_text('patrol_coverage')}（近7天 {cov['visited_week']:,} / {cov['grids']:,} 个网格）"),
    ]


def figure_pairs(scope: Scope) -> list[tuple[str, str, str]]:
    """一张图's headline figures: duty_pairs, then the base data and the other systems."""
    base = {r["code"]: r["n"] for r in data.base_summary(scope)}
    assist = data.assistance_counts(scope)
    ents = data.enterprise_counts(scope)
    by_status = {s: sum(r["n"] for r in ents if r["status"] == s) for s in ENTERPRISE_STATUS_LABELS}
    aid = onemap.mutual_aid_figures(data.onemap_villages(scope))
    people = base.get("registered", 0) + base.get("floating", 0)
    return duty_pairs(scope) + [
        ("实有人口", _wan(people), f"户籍人口与流动人口之和（基础数据，按网格汇总）：{people:,} 人。"),
        ("社会救助户", fmt_int(sum(r["households"] for r in assist)), "8类社会救助对象户数（仅统计数字）。"),
        ("福村宝覆盖村", fmt_int(aid["villages"]), "参加福村宝村级医疗互助的行政村数。"),
        (f"监管企业 {EnterpriseStatus.RECTIFIED.label}", fmt_int(by_status["rectified"]), "安全生产专项整治中已整改提升的企业数。"),
        (f"监管企业 {EnterpriseStatus.CLOSED.label}", fmt_int(by_status["closed"]), "安全生产专项整治中关停的违法违规企业数。"),
    ]


def _wan(n: int) -> str:
    return f"{n / 10000:.1f}万" if n >= 100000 else fmt_int(n)


def metric_row(scope: Scope, per_row: int = 8) -> None:
    """一张图's eight headline figures, in rows of per_row."""
    pairs = figure_pairs(scope)
    for start in range(0, len(pairs), per_row):
        for col, (label, value, help_) in zip(st.columns(per_row), pairs[start:start + per_row]):
            col.metric(label, value, border=True, help=help_)


def base_table_html(rows: list[dict], dark: bool = False) -> str:
    """人、地、物、组织 as a compact table: kind, item, count with its unit."""
    color = "#e8eef7" if dark else "#1f2937"
    out = []
    for kind in ("people", "land", "things", "orgs"):
        items = [r for r in rows if r["kind"] == kind]
        if not items:
            continue
        cells = "；".join(f"{esc(r['label'])} <b>{esc(fmt_int(r['n']))}</b>{esc(r['unit'])}" for r in items)
        out.append(f"<tr><td style='padding:2px 8px 2px 0;vertical-align:top;white-space:nowrap'><b>{esc(items[0]['kind_label'])}</b></td>"
                   f"<td style='padding:2px 0'>{cells}</td></tr>")
    return f"<table style='font-size:14px;line-height:20px;color:{color}'>{''.join(out)}</table>"


def base_panel(scope: Scope, area: str | None, title: str) -> None:
    """The base-data summary (人、地、物、组织) of an area, for the grid and village pages."""
    rows = data.base_summary(scope, area)
    st.markdown(f"#### {title}")
    if not any(r["n"] for r in rows):
        st.caption("暂无基础数据（可由管理员导入网格基础数据）。")
        return
    as_of = max((r["as_of"] for r in rows if r["as_of"]), default=None)
    st.markdown(base_table_html(rows), unsafe_allow_html=True)   # every value escaped by base_table_html
    assist = data.assistance_counts(scope, area)
    ents = data.enterprise_counts(scope, area)
    parts = [f"社会救助 {sum(r['households'] for r in assist):,} 户"]
    parts += [f"监管企业{label} {sum(r['n'] for r in ents if r['status'] == code):,} 家"
              for code, label in ENTERPRISE_STATUS_LABELS.items()]
    st.caption("；".join(parts) + (f"。基础数据截至 {as_of:%Y-%m-%d}。" if as_of else "。"))
