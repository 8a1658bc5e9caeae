"""村社区: one village/community — its grids, grid workers, events, and figures against the town."""
from __future__ import annotations

import streamlit as st

from dashboard.ui import areamaps, data, maps, nav, onemap, panels, sections
from dashboard.ui.errors import user_errors
from dashboard.ui.layout import header
from geo import overview

with user_errors():
    path = nav.current_path(required="village")
    village, town = path.at("village"), path.at("town")
    scope = path.scope()
    ranking = data.village_ranking(town.code)   # per-village counts: village staff see one village
    header(f"{town.name} · {village.name}",
           f"村社区编码 {village.code} · 常住人口（演示）{village.population:,} 人 · 面积 {village.area_km2:.2f} 平方公里")
    nav.breadcrumb(path)
    sections.kpis_with_drill(data.kpis(scope), "village", compare=overview.ranking_kpis(ranking),
                             peer_label="本镇街村社区", parent_label="本镇街", peers=len(ranking))

    figures = data.area_figures(scope)
    shapes = data.area_shapes(scope)
    sections.drill_map(areamaps.village_map(scope, tuple(maps.fit_view(village.bounds)), village.name, figures), figures,
                       "village", "网格",
                       "点击网格进入。橙点：在办事件；红点：超期事件；紫色：专属网格。",
                       lambda code, fig: nav.go("grid", town=town.code, village=village.code, grid=code,
                                                **sections.figure_params(fig)))
    sections.map_download(f"{town.name}{village.name}地图", f"村社区编码 {village.code}", shapes, figures, "网格",
                          data.kpis(scope), data.chem_sites(scope), key="village")

    onemap.base_panel(scope, village.code, "本村社区基础数据（人、地、物、组织）")
    sections.events_section(path, "本村社区上报的事件", key="village")

    st.markdown("#### 网格员与所属网格")
    st.caption(panels.staff_summary_text(data.staff_summary(scope)))
    panels.table(panels.staff_frame(data.staff_list(scope)), hide_index=True, width="stretch", height=320)
