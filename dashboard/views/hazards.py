"""危化品: the major-hazard register (GB 18218) — filter by town, level and chemical — a zone drawn
on the map and what lies inside it (画区域查询), and one site's detail: its chemicals, R and level,
and exposure rings (grids, people, sensitive targets, other sites that could follow)."""
from __future__ import annotations

import json

import pandas as pd
import shapely
import streamlit as st

from dashboard.ui import data, maps, nav, panels, zones
from dashboard.ui.errors import show_error, user_errors
from dashboard.ui.labels import labels
from dashboard.ui.layout import header
from geo.hazards import analysis, register
from geo.hazards.register import alpha
from geo.scope import Scope

LEVEL_NAMES = register.LEVEL_NAMES
SENSITIVE = {"school": "学校", "hospital": "医院", "elderly_home": "养老机构", "market": "市场"}


def _sync(name: str, key: str) -> None:
    value = st.session_state[key]
    if value in (None, [], ""):
        st.query_params.pop(name, None)
    else:
        st.query_params[name] = ",".join(map(str, value)) if isinstance(value, list) else str(value)


def register_view() -> None:
    towns = data.children(Scope.city())
    chems = data.chemicals()
    c1, c2, c3 = st.columns(3)
    town = c1.selectbox("镇街", [None] + [t["code"] for t in towns], placeholder="请选择", key="hz_town",
                        index=([None] + [t["code"] for t in towns]).index(nav.qp("town"))
                        if nav.qp("town") in [t["code"] for t in towns] else 0,
                        format_func=lambda c: "全市" if c is None else {t["code"]: t["name"] for t in towns}[c],
                        on_change=_sync, args=("town", "hz_town"))
    levels = c2.multiselect("重大危险源等级", [1, 2, 3, 4], placeholder="全部等级", format_func=labels(LEVEL_NAMES), key="hz_levels",
                            default=[int(v) for v in (nav.qp("level") or "").split(",") if v in ("1", "2", "3", "4")],
                            on_change=_sync, args=("level", "hz_levels"))
    cas = c3.selectbox("危险化学品", [None] + [c["cas"] for c in chems], placeholder="请选择", key="hz_cas",
                       index=([None] + [c["cas"] for c in chems]).index(nav.qp("cas"))
                       if nav.qp("cas") in [c["cas"] for c in chems] else 0,
                       format_func=lambda c: "全部" if c is None else next(f"{x['name']}（{x['cas']}）" for x in chems if x["cas"] == c),
                       on_change=_sync, args=("cas", "hz_cas"))
    scope = Scope(town=town) if town else Scope.city()
    sites = data.hazard_sites(scope, tuple(levels), cas)
    left, right = st.columns([3, 2])
    with left:
        view = maps.fit_view(data.resolve_path(town, None, None).town.bounds) if town else maps.CITY_VIEW
        layers = [maps.areas_layer(data.area_shapes(Scope.city()), data.area_figures(Scope.city())),
                  maps.labels_layer(data.area_shapes(Scope.city())), maps.chem_layer(sites),
                  maps.resources_layer(data.resources(Scope.city()))]
        clicked = st.pydeck_chart(maps.deck(layers, view), width="stretch", height=maps.MAP_H,
                                  key="hz_map", on_select="rerun", selection_mode="single-object")
        st.caption("红=一级，橙=二级，黄=三级，蓝=四级重大危险源；紫红/深色圆点为应急资源。点击企业查看详情。")
    with right:
        st.markdown(f"#### 企业清单（{len(sites)} 家）")
        df = pd.DataFrame([{"编号": s["id"], "企业": s["enterprise"], "等级": LEVEL_NAMES.get(s["hazard_level"], "未构成"),
                            "R": round(s["r_value"] or 0, 1), "镇街": s["town_name"], "主要物质": s["main_chemicals"]}
                           for s in sites])
        picked = st.dataframe(df, hide_index=True, width="stretch", height=560, on_select="rerun",
                              selection_mode="single-row", key="hz_table")
    chosen = None
    state: dict = dict(clicked or {})
    objs = state.get("selection", {}).get("objects", {}).get("chem_sites") or []
    if objs:
        chosen = next((s["id"] for s in sites if [s["lon"], s["lat"]] == objs[0].get("position")), None)
    if picked and picked.selection.rows:
        chosen = int(df.loc[picked.selection.rows[0], "编号"])
    if chosen:
        st.query_params["site"] = str(chosen)
        st.rerun()
    drawn_zone_view()


def drawn_zone_view() -> None:
    """画区域查询: the sites, people and targets inside any zone drawn on the map."""
    st.markdown("#### 画区域查询")
    # a toggle, not an expander: Leaflet measures its box when drawn, and a collapsed one has none
    if st.toggle("在地图上画出区域，查看区域内的危化企业、人口与敏感目标", key="hz_draw_on"):
        try:
            drawn = zones.draw_map("hz_draw")
        except Exception as exc:  # noqa: BLE001 - a drawing that is no zone: its Chinese message
            show_error(exc)
            return
        if drawn is None:
            return
        zone = drawn[1]
        lon, lat = zones.centre(zone)
        rep = data.with_conn(analysis.analyse_zone, zone, (lon, lat), None)
        c = st.columns(4)
        c[0].metric("区域内危化企业", rep.n_domino, border=True)
        c[1].metric("涉及网格 / 村社区", f"{rep.n_grids} / {rep.n_villages}", border=True)
        c[2].metric("估算人口", f"{rep.population:,.0f}", border=True)
        c[3].metric("敏感目标", rep.n_sensitive, border=True)
        panels.zone_towns(rep)
        panels.table(pd.DataFrame([{"企业": d["name"], "等级": register.level_name(d["type"]),
                                    "距区域中心（米）": round(d["distance_m"])} for d in rep.domino]),
                     empty="区域内没有危化企业。", hide_index=True, width="stretch")
        nav.link("scenario", label="到事故推演画区域、推送演练事件")


def site_view(site_id: int) -> None:
    site = data.hazard_site(Scope.city(), site_id)
    nav.link("hazards", label="返回企业清单")
    st.markdown(f"### {site['name']}")
    people = site["population_500m"] or 0
    c = st.columns(5)
    c[0].metric("重大危险源等级", LEVEL_NAMES.get(site["hazard_level"], "未构成"), border=True)
    c[1].metric("R 值", f"{site['r_value'] or 0:.1f}", border=True)
    c[2].metric("500 米内人口（估算）", f"{people:,.0f}", border=True)
    c[3].metric("α（人口校正系数）", f"{alpha(people):.1f}", border=True)
    c[4].metric("Σ q/Q", f"{site['q_ratio_sum'] or 0:.2f}", border=True)
    st.caption(f"{site['town_name']} · {site['grid_name']} · R = α × Σ(β·q/Q)（GB 18218-2018）；"
               "500 米内人口按网格人口与面积比例估算。")
    panels.table(pd.DataFrame([{"物质": i["name"], "CAS": i["cas"], "最大储量 q（吨）": float(i["max_quantity_t"]),
                                "临界量 Q（吨）": float(i["threshold_t"]), "β": float(i["beta"]),
                                "β·q/Q": round(float(i["beta_q_ratio"]), 2)} for i in site["inventory"]]),
                 hide_index=True, width="stretch")
    radii = tuple(int(r) for r in st.multiselect("影响半径（米）", placeholder="选择半径", options=[300, 500, 1000, 2000, 3000, 5000],
                                                 default=[500, 1000, 3000], key="hz_radii"))
    rings = data.exposure(site, radii or (500,))
    left, right = st.columns([3, 2])
    with left:
        layers = [maps.zone_layer(json.loads(shapely.to_geojson(rep.zone)), f"ring{i}", label,
                                  (235, 97, 0, 25 + 10 * i), (235, 97, 0, 200))
                  for i, (_, label, rep) in enumerate(reversed(rings))]
        layers += [maps.chem_layer(data.hazard_sites(Scope.city())), maps.resources_layer(data.resources(Scope.city()))]
        outer = rings[-1][2].zone.bounds
        st.pydeck_chart(maps.deck(layers, maps.fit_view(outer)), width="stretch", height=maps.MAP_H, key="hz_rings")
    with right:
        panels.table(pd.DataFrame([{"范围": label, "涉及网格": rep.n_grids, "估算人口": round(rep.population),
                                    "敏感目标": rep.n_sensitive, "其他危化企业": rep.n_domino}
                                   for _, label, rep in rings]), hide_index=True, width="stretch")
        _, label, rep = rings[-1]
        st.markdown(f"**{label}范围按镇街**")
        panels.zone_towns(rep)
        st.markdown(f"**{label}内的敏感目标**")
        panels.table(pd.DataFrame([{"名称": s["name"], "类型": SENSITIVE.get(s["type"], s["type"])}
                                   for s in rep.sensitive], columns=["名称", "类型"]), hide_index=True, width="stretch")
        st.markdown(f"**{label}内的其他危化企业（多米诺风险）**")
        panels.table(pd.DataFrame([{"企业": d["name"], "等级": register.level_name(d["type"]), "距离（米）": round(d["distance_m"])}
                                   for d in rep.domino], columns=["企业", "等级", "距离（米）"]),
                     hide_index=True, width="stretch")
    nav.link("scenario", label="以此企业开始事故推演", query_params={"site": str(site_id)})


with user_errors():
    header("危化品与公共安全", "重大危险源辨识与分级（GB 18218-2018）、周边暴露分析。")
    raw = nav.qp("site")
    site = nav.parse_int(raw, max_digits=11)
    if site is not None:
        site_view(site)
    else:
        if raw:
            st.warning(f"地址中的企业编号“{raw}”无效，已显示企业清单。")
        register_view()
