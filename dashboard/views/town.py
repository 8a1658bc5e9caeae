"""镇街: one town/street — its villages, figures against the city, events, staff, dedicated grids."""
from __future__ import annotations

import datetime as dt

import streamlit as st

from dashboard.ui import areamaps, data, maps, nav, panels, sections
from dashboard.ui.errors import user_errors
from dashboard.ui.labels import labels
from dashboard.ui.layout import header
from geo import metrics, overview, patrols
from geo.worktime import TZ

METRICS = {"open": metrics.label("open"), "overdue": metrics.label("overdue"),
           "reports_today": metrics.label("reports_today"), "closed_period": metrics.label("closed")}


def _metric() -> str:
    m = nav.qp("metric")
    return m if m in METRICS else "open"


def _store_metric() -> None:
    # Only on a user's change: writing the URL on every run would add browser-history entries.
    st.query_params["metric"] = st.session_state["town_metric"] or "open"


with user_errors():
    path = nav.current_path(required="town")
    town = path.at("town")
    scope = path.scope()
    header(town.name, f"镇街编码 {town.code} · 常住人口（演示）{town.population:,} 人 · 面积 {town.area_km2:.1f} 平方公里")
    nav.breadcrumb(path)
    ranking = data.town_ranking()      # per-town aggregates: a town leader may see these, not rows
    sections.kpis_with_drill(data.kpis(scope), "town", compare=overview.ranking_kpis(ranking),
                             peer_label="全市镇街", parent_label="全市", peers=len(ranking))

    metric = st.segmented_control("地图着色", options=list(METRICS), format_func=labels(METRICS),
                                  default=_metric(), key="town_metric", on_change=_store_metric)
    figures = data.area_figures(scope)
    shapes = data.area_shapes(scope)
    dedicated = data.dedicated_grids(scope)
    sections.drill_map(areamaps.town_map(scope, tuple(maps.fit_view(town.bounds)), metric or "open", figures), figures, "town", "村社区",
                       "点击村社区进入。紫色为专属网格；圆点为危化品企业与应急资源。",
                       lambda code, fig: nav.go("village", town=town.code, village=code,
                                                **sections.figure_params(fig)))
    sections.map_download(f"{town.name}地图", f"镇街编码 {town.code}", shapes, figures, "村社区",
                          data.kpis(scope), data.chem_sites(scope), key="town")

    sections.warnings_section(scope, key="town")
    sections.events_section(path, "事件", key="town")

    start = patrols.week_start(dt.datetime.now(TZ).date())
    st.markdown(f"#### 铁脚板：本周巡查（{start:%m-%d} 周一起）")
    st.caption("；".join(f"{metrics.FIGURES[k].name}：{metrics.help_text(k)}"
                        for k in ("patrol_item_coverage", "patrol_checks", "patrol_fails")))
    panels.table(panels.patrol_frame(data.patrol_coverage(town.code, start)), hide_index=True, width="stretch",
                 height=300)

    st.markdown("#### 全市镇街对比（汇总数据）")
    panels.table(panels.ranking_frame(ranking, town.code), hide_index=True, width="stretch", height=300)

    c1, c2 = st.columns(2)
    with c1:
        st.markdown("#### 在岗人员")
        st.caption(panels.staff_summary_text(data.staff_summary(scope)))
        panels.table(panels.staff_frame(data.staff_list(scope, on_duty_only=True)), hide_index=True,
                     width="stretch", height=300)
    with c2:
        st.markdown(f"#### 专属网格（{len(dedicated)} 个）")
        panels.table([{"名称": d["name"], "类型": maps.DEDICATED_LABELS.get(d["dedicated_type"], ""),
                       "编码": d["code"], "面积（公顷）": round(d["area_km2"] * 100, 1)} for d in dedicated],
                     hide_index=True, width="stretch", height=300)
