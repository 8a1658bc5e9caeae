"""网格: one third-level grid — its polygon, staff, events and the dedicated grids overlapping it."""
from __future__ import annotations

import streamlit as st

from dashboard.ui import data, maps, nav, onemap, panels, sections
from dashboard.ui.errors import user_errors
from dashboard.ui.layout import header
from geo import metrics
from geo.scope import Scope
from geo.status import CLOSED_STATUSES, STATUS_LABELS

with user_errors():
    path = nav.current_path(required="grid")
    grid, village, town = path.at("grid"), path.at("village"), path.at("town")
    scope = path.scope()
    village_scope = Scope(town=town.code, village=village.code)
    header(f"{village.name} · {grid.name}",
           f"网格编码 {grid.code} · 常住人口（演示）{grid.population or 0:,} 人 · 面积 {grid.area_km2:.3f} 平方公里")
    nav.breadcrumb(path)

    staff = data.staff_list(scope, grid=grid.code)
    overlapping = data.dedicated_grids(scope, overlapping_grid=grid.code)
    points = data.event_points(scope, grid=grid.code)

    # The grid's figures are its row of the village's per-grid figures (one definition, geo/metrics.py).
    fig = next((f for f in data.area_figures(village_scope) if f["code"] == grid.code), None) or {}
    c = st.columns(6)
    c[0].metric("网格员", sum(s["role"] == "grid_worker" for s in staff), border=True)
    c[1].metric("网格警员", sum(s["role"] == "police" for s in staff), border=True)
    for col, key in zip(c[2:], ("reports_today", "open", "overdue", "on_time_rate")):
        value = fig.get(key)
        col.metric(metrics.label(key), maps.fmt_rate(value) if key == "on_time_rate" else f"{value or 0:,}",
                   border=True, help=metrics.help_text(key))
        n = fig.get("closed_period", 0) if key == "on_time_rate" else (value or 0)
        if col.button(f"查看这 {n:,} 件事件", key=f"grid_kpi_{key}", type="tertiary"):
            nav.show_events("grid", metrics.drill_params("closed" if key == "on_time_rate" else key))

    left, right = st.columns([3, 2])
    with left:
        shape = data.grid_shape(grid.code)
        layers = [maps.outline_layer(shape, "grid", width=3, color=(192, 57, 43)),
                  maps.dedicated_layer(overlapping),
                  maps.points_layer(points, "events", "category", lambda p: f"事件 {p['id']}",
                                    lambda p: STATUS_LABELS.get(p["status"], p["status"])
                                    + ("（超期）" if p["overdue"] else ""),
                                    lambda p: [200, 0, 0, 230] if p["overdue"] else
                                    ([150, 150, 150, 200] if p["status"] in CLOSED_STATUSES
                                     else [255, 140, 0, 230])),
                  maps.points_layer(staff, "staff", "name",
                                    lambda s: panels.ROLE_LABELS.get(s["role"], s["role"]),
                                    lambda s: "在岗" if s["on_duty"] else "不在岗",
                                    lambda s: [25, 80, 200, 230] if s["role"] == "police" else [46, 139, 87, 230],
                                    radius_px=6)]
        clicked = st.pydeck_chart(maps.deck(layers, maps.fit_view(grid.bounds)), width="stretch",
                                  height=maps.MAP_H, key="grid_map", on_select="rerun",
                                  selection_mode="single-object")
        st.caption("点击事件点查看详情。橙：在办；红：超期；灰：已办结（近30天）；绿：网格员；蓝：网格警员。")
    with right:
        st.markdown("#### 人员")
        panels.table(panels.staff_frame(staff), hide_index=True, width="stretch", height=250)
        st.markdown(f"#### 重叠的专属网格（{len(overlapping)} 个）")
        panels.table([{"名称": d["name"], "类型": maps.DEDICATED_LABELS.get(d["dedicated_type"], ""),
                       "编码": d["code"]} for d in overlapping], hide_index=True, width="stretch", height=150)
        onemap.base_panel(scope, grid.code, "本网格基础数据（人、地、物、组织）")
    ev_clicked = maps.selected_code(clicked, "events")

    sections.events_section(path, "本网格事件", key="grid", grid=grid.code, clicked_event=ev_clicked)
