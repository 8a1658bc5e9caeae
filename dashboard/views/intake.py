"""事件上报: report an event — category, description, urgency, and a location clicked on a Leaflet map
of the viewer's area (or typed as coordinates in WGS84 / GCJ-02 / BD-09), chosen as a grid, or found
by its address in the standard address register (the candidates on a map, one picked). The grid comes
from the point and is shown before sending; outside the area or the county is refused."""
from __future__ import annotations

import streamlit as st

from dashboard.ui import data, maps, nav, pickmap
from dashboard.ui.errors import user_errors
from dashboard.ui.labels import labels
from dashboard.ui.layout import header
from geo.errors import IntakeRefused
from geo.intake import PRIORITIES, Report
from geo.scope import Scope

DATUM_LABELS = pickmap.DATUM_LABELS


def _grid_picker() -> str | None:
    c1, c2, c3 = st.columns(3)
    towns = data.children(Scope.city())
    town = c1.selectbox("镇街", [t["code"] for t in towns], index=None, placeholder="选择镇街…",
                        format_func=labels({t["code"]: t["name"] for t in towns}), key="in_town")
    village = grid = None
    if town:
        vs = data.children(Scope(town=town))
        village = c2.selectbox("村社区", [v["code"] for v in vs], index=None, placeholder="选择村社区…",
                               format_func=labels({v["code"]: v["name"] for v in vs}), key="in_village")
    if village:
        gs = data.children(Scope(town=town, village=village))
        grid = c3.selectbox("网格", [g["code"] for g in gs], index=None, placeholder="选择网格…",
                            format_func=labels({g["code"]: g["name"] for g in gs}), key="in_grid")
    return grid


def _address_picker():
    """An address typed, the register's candidates listed and drawn; the one picked (or None)."""
    text = st.text_input("地址", max_chars=200, key="in_addr", placeholder="如：金巷社区春申路340号附近、花巷公寓3幢").strip()
    if not text:
        st.caption("输入市民所说的地址（可含镇街、村社区、道路门牌、小区楼栋或地名），系统在标准地址库中查找位置。")
        return None, ""
    m = data.address_candidates(text)
    if not m.candidates:
        st.warning(m.describe()[1] + "。请补充镇街、村（社区）名称和门牌号，或改用地图选点。")
        return None, text
    best = m.best
    if best:
        st.success(f"匹配到：{best.label}（匹配度 {best.score:.2f}），网格 {best.grid_code}")
    else:
        st.warning(m.describe()[1] + "。请核实后从候选中选择一处。")
    cands = m.candidates
    i = st.radio("候选位置（按匹配度）", list(range(len(cands))), index=0 if best else None, key="in_addr_pick",
                 format_func=lambda k: f"{cands[k].label}（匹配度 {cands[k].score:.2f}）")
    pts = [{"lon": c.lon, "lat": c.lat, "name": f"{k + 1}. {c.label}", "score": f"匹配度 {c.score:.2f}",
            "chosen": k == i} for k, c in enumerate(cands)]
    xs, ys = [p["lon"] for p in pts], [p["lat"] for p in pts]
    layer = maps.points_layer(pts, "candidates", "name", lambda p: p["score"], lambda p: "已选" if p["chosen"] else "",
                              lambda p: [192, 57, 43, 240] if p["chosen"] else [30, 110, 220, 200], radius_px=8)
    outline = [maps.outline_layer(data.grid_shape(cands[i].grid_code), "grid", width=3, color=(192, 57, 43))] \
        if i is not None and cands[i].grid_code else []
    st.pydeck_chart(maps.deck([maps.outline_layer(data.county_outline(), "county"), *outline, layer],
                              maps.fit_view((min(xs) - 0.01, min(ys) - 0.01, max(xs) + 0.01, max(ys) + 0.01), height=320),
                              height=320), height=320)
    st.caption("红点为所选位置，红框为其所在网格；蓝点为其他候选。")
    return (cands[i] if i is not None else None), text


with user_errors():
    header("事件上报", "录入一件新事件：系统按坐标自动确定所属网格、责任部门与处置时限。")
    cats = data.categories_catalogue()
    names = {c["code"]: f"{c['class_name']} / {c['name']}" for c in cats}
    mode = st.radio("位置方式", ["coords", "grid", "address"], horizontal=True, key="in_mode",
                    format_func=labels({"coords": "地图选点 / 输入坐标", "grid": "选择网格", "address": "按地址查找"}))
    grid = _grid_picker() if mode == "grid" else None
    picked, typed = _address_picker() if mode == "address" else (None, "")
    if mode == "coords":
        pickmap.pick_point(data.viewer().scope, "in_lon", "in_lat", "in_datum", key="in_pick")
    with st.form("intake_form"):
        category = st.selectbox("事件类别", list(names), index=None, format_func=labels(names),
                                placeholder="选择类别…")
        description = st.text_area("事件描述", max_chars=2000, placeholder="发生了什么、在什么位置、现场情况……")
        c1, c2 = st.columns([1, 2])
        priority = c1.radio("紧急程度", [3, 2, 1], format_func=labels(PRIORITIES), horizontal=True)
        address = c2.text_input("地址（可选）", max_chars=200) if mode != "address" else typed
        lon = lat = None
        datum = "wgs84"
        if picked is not None:            # the register's point (CGCS2000) of the candidate picked
            lon, lat = picked.lon, picked.lat
        if mode == "coords":
            d1, d2, d3 = st.columns([2, 1, 1])
            datum = d1.selectbox("坐标系", list(DATUM_LABELS), placeholder="请选择", format_func=labels(DATUM_LABELS),
                                 key="in_datum")
            lon = d2.number_input("经度", value=None, format="%.6f", placeholder="如 120.285000", key="in_lon")
            lat = d3.number_input("纬度", value=None, format="%.6f", placeholder="如 31.905000", key="in_lat")
        sent = st.form_submit_button("上报", type="primary")
    if sent:
        if mode == "address" and picked is None:
            st.error("请先输入地址并从候选中选择一处位置。")
            st.stop()
        report = Report(category or "", description, int(priority), lon, lat, datum, grid,
                        address.strip() or None, source="platform",
                        address_match=picked.label if picked else None, address_score=picked.score if picked else None)
        try:
            eid = data.submit_reports([report])[0]
        except IntakeRefused as exc:
            st.error("上报未成功，请修改后重试：\n" + "\n".join(f"- {p.message_zh}" for p in exc.problems))
        else:
            st.success(f"已上报，事件编号 {eid}。")
            nav.link("event", label=f"查看事件 {eid}", query_params={"event": str(eid)})
            nav.link("dispatch", label="前往调度台")
