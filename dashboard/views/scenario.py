"""事故推演: a release at a chemical site or any point — wind, stability, terrain — gives an
indicative threat zone (screening Gaussian plume), or a zone loaded from ALOHA, or a zone drawn on a
Leaflet map (the block actually cordoned off: polygon, rectangle, circle; with a distance/area
measure); then the affected villages, grids, people, sensitive targets, domino sites and nearest
rescue forces, a notification list to export, the map as an offline HTML file, and an incident
pushed to the dispatch queue with its zone saved."""
from __future__ import annotations

import datetime as dt
import json

import pandas as pd
import shapely
import streamlit as st

from dashboard.ui import data, exports, maps, nav, panels, zones
from dashboard.ui.errors import show_error, user_errors
from dashboard.ui.labels import labels
from dashboard.ui.layout import header
from geo.hazards import aloha, analysis, plume, register
from geo.scope import Scope
from geo.status import DEDICATED_LABELS
from geo.worktime import TZ

MODEL_NOTE = ("模型说明（指示性）：高斯烟羽筛查模型，地面连续泄漏，Briggs 扩散参数，Pasquill 稳定度；不考虑重气、"
              "建筑物与地形、风向变化和化学反应。威胁区按所选关注浓度（AEGL-2 / ERPG-2，60 分钟）划定，并按风向不确定度"
              "扩展为扇形。结果仅供初期研判，正式决策请以 ALOHA 等专业模型或现场监测为准。")


def inputs() -> dict | None:
    sites = data.hazard_sites(Scope.city())
    chems = [c for c in data.chemicals() if c["aegl2_60min_ppm"] or c["erpg2_ppm"]]
    raw = nav.qp("site")
    site = nav.parse_int(raw)
    default_site = site if site is not None and any(s["id"] == site for s in sites) else None
    with st.form("scenario"):
        where = st.radio("泄漏源", ["site", "point"], horizontal=True,
                         format_func=labels({"site": "危化品企业", "point": "任意坐标（WGS84/CGCS2000）"}))
        c1, c2, c3 = st.columns(3)
        ids = [s["id"] for s in sites]
        site_id = c1.selectbox("企业", ids, index=ids.index(default_site) if default_site in ids else 0,
                               placeholder="本辖区没有危化品企业，请选择“任意坐标”",
                               format_func=lambda i: next(f"{s['name']}（{s['town_name']}）" for s in sites if s["id"] == i))
        lon = c2.number_input("经度", value=None, format="%.6f")
        lat = c3.number_input("纬度", value=None, format="%.6f")
        c1, c2, c3, c4 = st.columns(4)
        cas_list = [c["cas"] for c in chems]
        cas = c1.selectbox("泄漏物质", cas_list, placeholder="请选择", index=cas_list.index("7782-50-5") if "7782-50-5" in cas_list else 0,
                           format_func=lambda x: next(f"{c['name']}（{x}）" for c in chems if c["cas"] == x))
        loc_kind = c2.radio("关注浓度", ["aegl2", "erpg2"], horizontal=True,
                            format_func=labels({"aegl2": "AEGL-2（60分钟）", "erpg2": "ERPG-2"}))
        rate = c3.number_input("泄漏速率（克/秒）", value=None, min_value=0.0, placeholder="或填下面两项")
        qty = c4.number_input("泄漏量（千克）", value=None, min_value=0.0)
        c1, c2, c3, c4 = st.columns(4)
        duration = c1.number_input("持续时间（分钟）", value=None, min_value=0.0)
        wind_from = c2.number_input("风向（来向，度，0=北风）", value=0.0, min_value=0.0, max_value=359.9)
        wind_speed = c3.number_input("风速（米/秒）", value=3.0, min_value=0.1, max_value=30.0)
        spread = c4.number_input("风向不确定度（±度）", value=15.0, min_value=0.0, max_value=45.0)
        c1, c2, c3 = st.columns(3)
        day = c1.radio("时段", [True, False], horizontal=True, format_func=labels({True: "白天", False: "夜间"}))
        cloud = c2.slider("云量（0 晴 – 1 阴）", 0.0, 1.0, 0.5, 0.125)
        urban = c3.radio("下垫面", [False, True], horizontal=True, format_func=labels({False: "乡村/开阔", True: "城市"}))
        upload = st.file_uploader("或载入 ALOHA 导出的威胁区（KML 或 zip 打包的 Shapefile）",
                                  type=["kml", "zip", "geojson"])
        go = st.form_submit_button("开始推演", type="primary")
    if not go:
        return None
    if where == "site":
        if site_id is None:
            raise plume.InvalidInput("no site chosen", "本辖区没有危化品企业：请选择“任意坐标”并填写经纬度。")
        s = next(s for s in sites if s["id"] == site_id)
        src = (s["lon"], s["lat"], s["id"], s["name"])
    else:
        if lon is None or lat is None:
            raise plume.InvalidInput("coordinates missing", "请填写泄漏源的经纬度。")
        src = (lon, lat, None, f"坐标 {lon:.5f}, {lat:.5f}")
    chem = next(c for c in chems if c["cas"] == cas)
    ppm = chem["aegl2_60min_ppm"] if loc_kind == "aegl2" else chem["erpg2_ppm"]
    if ppm is None:
        raise plume.InvalidInput("no level of concern", f"{chem['name']} 没有所选的关注浓度，请换用另一标准。")
    return {"source": src, "chem": chem, "loc_kind": loc_kind, "ppm": float(ppm),
            "rate": plume.release_rate(rate, qty, duration) if upload is None else None,
            "wind_from": wind_from, "wind_speed": wind_speed, "spread": spread,
            "stability": plume.stability_class(wind_speed, day, cloud), "urban": urban, "upload": upload}


METHODS = {"plume": "泄漏扩散推演（烟羽模型 / ALOHA 文件）", "drawn": "在地图上画出区域（实际封控范围）"}


def run(p: dict) -> dict:
    lon, lat, site_id, _ = p["source"]
    if p["upload"] is not None:
        zone, reach = aloha.read_zone(p["upload"].name, p["upload"].getvalue()), None
        method = "aloha"
    else:
        rel = plume.Release(p["rate"], p["wind_from"], p["wind_speed"], p["stability"], p["urban"],
                            plume.ppm_to_g_m3(p["ppm"], float(p["chem"]["mw"])), p["spread"])
        zone, reach = analysis.threat_zone(lon, lat, rel)
        method = "plume"
    params = {k: v for k, v in p.items() if k != "upload"}
    params.update(method=method, file=p["upload"].name if p["upload"] is not None else None)
    return _analyse(params, zone, reach, lon, lat, site_id)


def _analyse(params: dict, zone, reach, lon: float, lat: float, site_id) -> dict:
    rep = data.with_conn(analysis.analyse_zone, zone, (lon, lat), site_id) if not zone.is_empty else None
    return {"params": params, "zone": zone, "reach": reach, "report": rep,
            "resources": data.with_conn(analysis.nearest_resources, lon, lat, 8),
            "evacuation": data.with_conn(analysis.evacuation_list, zone) if not zone.is_empty else []}


def draw_zone() -> dict | None:
    """The drawing map; the inputs of a run when 分析所画区域 is pressed."""
    drawn = zones.draw_map("sc_draw")
    if drawn is not None and st.button("分析所画区域", type="primary", key="sc_draw_go"):
        return {"drawings": drawn[0], "zone": drawn[1]}
    return None


def run_drawn(d: dict) -> dict:
    lon, lat = zones.centre(d["zone"])
    params = {"method": "drawn", "source": (lon, lat, None, "所画区域中心"), "drawings": d["drawings"]}
    return _analyse(params, d["zone"], None, lon, lat, None)


def scenario_inputs(p: dict) -> dict:
    """What is saved with the incident's zone: the inputs that made it."""
    if p["method"] == "drawn":
        return {"drawings": p["drawings"]}
    out = {"source": p["source"][3], "site_id": p["source"][2], "lon": p["source"][0], "lat": p["source"][1],
           "chemical": p["chem"]["name"], "cas": p["chem"]["cas"]}
    if p["method"] == "aloha":
        return {**out, "file": p["file"]}
    return {**out, "level_of_concern": p["loc_kind"], "ppm": p["ppm"], "rate_g_s": p["rate"],
            "wind_from_deg": p["wind_from"], "wind_speed_m_s": p["wind_speed"], "spread_deg": p["spread"],
            "stability": p["stability"], "urban": p["urban"]}


def _first_figure(r: dict) -> tuple[str, str]:
    if r["params"]["method"] == "drawn":
        return "所画区域面积", f"{analysis.zone_area_m2(r['zone']) / 1e6:.2f} 平方公里"
    return "威胁区（指示性）下风向距离", f"{r['reach'] / 1000:.2f} 公里" if r["reach"] else "ALOHA 导入"


def _sites_label(p: dict) -> str:
    """Chemical sites in a plume are the domino risk of the source; in a drawn zone, simply inside."""
    return "敏感目标 / 危化企业" if p["method"] == "drawn" else "敏感目标 / 多米诺企业"


def _zone_name(p: dict) -> str:
    return "所画区域" if p["method"] == "drawn" else "威胁区（指示性）"


def results(r: dict) -> None:
    p, rep = r["params"], r["report"]
    lon, lat, site_id, name = p["source"]
    drawn = p["method"] == "drawn"
    if not drawn:
        st.info(MODEL_NOTE)
    if rep is None:
        st.warning("在所给条件下，地面浓度未超过关注浓度：没有威胁区。")
        return
    c = st.columns(5)
    c[0].metric(*_first_figure(r), border=True)
    c[1].metric("涉及村社区", rep.n_villages, border=True)
    c[2].metric("涉及网格", rep.n_grids, border=True)
    c[3].metric("估算影响人口", f"{rep.population:,.0f}", border=True)
    c[4].metric(_sites_label(p), f"{rep.n_sensitive} / {rep.n_domino}", border=True)
    panels.zone_towns(rep)
    if drawn:
        st.caption(f"区域：地图绘制（{len(p['drawings'])} 个图形）· 距离与到达时间自区域中心（{lon:.5f}, {lat:.5f}）起算")
    else:
        st.caption(f"泄漏源：{name} · 物质：{p['chem']['name']} · 关注浓度 {p['ppm']:g} ppm · 稳定度 {p['stability']} 类 · "
                   f"{'城市' if p['urban'] else '乡村'}下垫面 · 风向 {p['wind_from']:.0f}° 风速 {p['wind_speed']:.1f} 米/秒")
    zone_geojson = json.loads(shapely.to_geojson(r["zone"]))
    left, right = st.columns([3, 2])
    with left:
        src = [{"lon": lon, "lat": lat, "id": None, "name": name}]
        towns = data.area_shapes(Scope.city())
        layers = [maps.areas_layer(towns, [], "open"), maps.labels_layer(towns),
                  maps.zone_layer(zone_geojson, "zone", _zone_name(p), (192, 0, 0, 70), (192, 0, 0, 230)),
                  maps.chem_layer(data.hazard_sites(Scope.city())), maps.resources_layer(data.resources(Scope.city())),
                  maps.points_layer(src, "source", "name", lambda s: "区域中心" if drawn else "泄漏源",
                                    lambda s: "", lambda s: [0, 0, 0, 255], 8)]
        st.pydeck_chart(maps.deck(layers, maps.fit_view(r["zone"].bounds)), width="stretch", height=maps.MAP_H,
                        key="sc_map")
    with right:
        st.markdown("**影响村社区**")
        panels.table(pd.DataFrame([{"镇街": v["town"], "村社区": v["village"], "网格数": v["grids"],
                                    "估算人口": round(v["people"])} for v in rep.villages]),
                     hide_index=True, width="stretch", height=200)
        st.markdown("**敏感目标**")
        panels.table(pd.DataFrame([{"名称": s["name"], "类型": DEDICATED_LABELS.get(s["type"], s["type"])} for s in rep.sensitive],
                                  columns=["名称", "类型"]), hide_index=True, width="stretch", height=140)
        st.markdown(f"**最近的应急力量**（直线距离；到达时间按 {analysis.ETA_SPEED_KMH:g} 公里/小时、"
                    f"绕行系数 {analysis.DETOUR_FACTOR:g} 估算）")
        panels.table(pd.DataFrame([{"名称": x["name"], "类型": maps.RESOURCE_LABELS.get(x["kind"], x["kind"]),
                                    "距离（公里）": round(x["distance_m"] / 1000, 2), "预计到达（分钟）": round(x["eta_min"], 1)}
                                   for x in r["resources"]]), hide_index=True, width="stretch", height=220)
    st.markdown("**多米诺风险：区域内的其他危化企业**" if not drawn else "**区域内的危化企业**")
    panels.table(pd.DataFrame([{"企业": d["name"], "等级": register.level_name(d["type"]), "距泄漏源（米）" if not drawn else "距区域中心（米）":
                                round(d["distance_m"])} for d in rep.domino]), hide_index=True, width="stretch")
    evac = pd.DataFrame([{"镇街": e["town"], "村社区": e["village"], "网格编码": e["grid_code"], "网格": e["grid"],
                          "常住人口（演示）": e["population"], "责任网格员": e["grid_workers"] or ""} for e in r["evacuation"]])
    stamp = f"{dt.datetime.now(TZ):%Y%m%d%H%M}"
    c1, c2, c3, c4 = st.columns([1, 1, 1, 2])
    # Written on every run, not when clicked: these results show only on the run after 分析, and a
    # deferred file is gone once the click's rerun no longer draws its button (the download failed).
    c1.download_button("导出疏散/通知名单（CSV）", evac.to_csv(index=False).encode("utf-8-sig"),
                       file_name=f"疏散通知名单_{stamp}.csv", mime="text/csv", on_click="ignore")
    c2.download_button("导出地图（离线网页）", _map_file(r), file_name=exports.file_name("事故推演"),
                       mime="text/html", on_click="ignore", help="一个文件，含地图、区域和统计，无需联网即可打开和打印（A4 横向）。")
    c3.download_button("导出区域（GeoJSON）", json.dumps({"type": "Feature", "geometry": zone_geojson,
                                                      "properties": {"name": _zone_name(p)}}, ensure_ascii=False),
                       file_name=f"推演区域_{stamp}.geojson", mime="application/geo+json", on_click="ignore",
                       help="可在“泄漏扩散推演”的文件载入处重新载入。")
    if c4.button("生成特急演练事件并推送至调度台", type="primary",
                 help="演练事件按特急、市级处置进入调度台，标注“演练”，不计入任何统计和大屏播报；区域随事件保存。"):
        if drawn:
            desc = (f"事故推演（地图绘制区域，{analysis.zone_area_m2(r['zone']) / 1e6:.2f} 平方公里）："
                    f"涉及 {rep.n_villages} 个村社区、估算 {rep.population:,.0f} 人。")
        else:
            desc = (f"事故推演：{name} {p['chem']['name']}泄漏，指示性威胁区下风向约 "
                    f"{(r['reach'] or 0) / 1000:.1f} 公里，涉及 {rep.n_villages} 个村社区、估算 {rep.population:,.0f} 人。")
        eid = data.report_drill(lon, lat, desc, zone=r["zone"], source=p["method"], scenario=scenario_inputs(p))
        st.session_state["sc_event"] = eid
    if st.session_state.get("sc_event"):
        eid = st.session_state["sc_event"]
        st.success(f"已生成市级特急演练事件 {eid}（不计入统计），区域已随事件保存。")
        nav.link("dispatch", label="在调度台处理", query_params={"event": str(eid)})


def _map_file(r: dict):
    """The scenario as an offline HTML map: the rows are read now, the file is built on the click."""
    p, rep = r["params"], r["report"]
    demo = bool((data.dataset_info() or {}).get("is_demo"))
    towns, sites = data.area_shapes(Scope.city()), data.hazard_sites(Scope.city())
    title = "事故推演 · " + ("地图绘制区域" if p["method"] == "drawn" else f"{p['source'][3]} {p['chem']['name']}泄漏")
    figures = [_first_figure(r), ("涉及村社区", f"{rep.n_villages}"), ("涉及网格", f"{rep.n_grids}"),
               ("估算影响人口", f"{rep.population:,.0f}"), (_sites_label(p), f"{rep.n_sensitive} / {rep.n_domino}")]
    rows = [[v["town"], v["village"], v["grids"], round(v["people"])] for v in rep.villages]
    zone = json.loads(shapely.to_geojson(r["zone"]))

    def build() -> bytes:
        return exports.map_file(title, "指示性结果，仅供研判" if p["method"] != "drawn" else "实际封控区域",
                                towns, "镇街", figures, demo, zone=zone, zone_label=_zone_name(p), sites=sites,
                                table=(["镇街", "村社区", "网格数", "估算人口"], rows), table_title="影响村社区")
    return build


with user_errors():
    header("事故推演", "危化品泄漏的指示性威胁区或实际封控区域：影响范围与应急力量。")
    method = st.radio("推演方式", list(METHODS), horizontal=True, format_func=labels(METHODS), key="sc_method")
    try:
        if method == "drawn":
            drawn_in = draw_zone()
            if drawn_in is not None:
                st.session_state["sc_result"] = run_drawn(drawn_in)
                st.session_state.pop("sc_event", None)
        else:
            params = inputs()
            if params is not None:
                st.session_state["sc_result"] = run(params)
                st.session_state.pop("sc_event", None)
    except Exception as exc:  # noqa: BLE001 - show the Chinese message, keep the last result
        show_error(exc)
    if st.session_state.get("sc_result"):
        results(st.session_state["sc_result"])
