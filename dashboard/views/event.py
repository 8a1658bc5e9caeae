"""事件详情: one event — location in its grid, category and responsibility, full timeline,
time-limit state, and possible duplicates nearby."""
from __future__ import annotations

import datetime as dt
import json

import pandas as pd
import shapely
import streamlit as st

from dashboard.ui import data, field, maps, nav, panels
from dashboard.ui.errors import show_error, user_errors
from dashboard.ui.html import esc_md
from dashboard.ui.layout import header
from geo import deadlines, events
from geo.errors import NotFound
from geo.status import LEVEL_LABELS, PRIORITY_LABELS, STATUS_LABELS
from geo.worktime import TZ

SOURCE_LABELS = {"grid_app": "网格员移动终端", "police": "网格警员", "hotline": "热线", "platform": "平台",
                 "inspection": "巡查", "sensor": "物联感知"}

def search_results(q: str | None) -> None:
    header("事件查询", "按事件编号、地址或描述查找（仅限本账号的管辖范围）。")
    with st.form("event_search", border=False):
        typed = st.text_input("事件编号、地址或描述", value=q or "", max_chars=100)
        if st.form_submit_button("查询", type="primary") and typed.strip():
            st.query_params["q"] = typed.strip()
            st.rerun()
    if not q:
        st.info("请输入事件编号、地址或描述中的文字，或从各页面的事件列表点击进入。")
        return
    rows = data.search_events(q)
    more = f"，仅显示最新 {events.MAX_SEARCH} 件" if len(rows) >= events.MAX_SEARCH else ""
    st.caption(f"“{esc_md(q)}”：找到 {len(rows)} 件{more}。点击行查看详情。")
    ev = panels.events_table(rows, key="search_events")
    if ev:
        nav.go("event", event=ev)


with user_errors():
    if not nav.qp("event"):
        search_results(nav.qp("q"))
        st.stop()
    event_id = nav.event_id()
    ev = data.event(data.viewer().scope, event_id)
    path = data.resolve_path(ev["town_code"], ev["village_code"], ev["grid_code"])
    given = {k: nav.qp(k) for k in ("town", "village", "grid")}
    if any(v is not None and v != nav.params_for(path)[k] for k, v in given.items()):
        show_error(NotFound("event is not in the place named by the URL",
                            f"事件 {event_id} 不属于地址中指定的区域，已按事件实际所在网格显示。"))
    header(f"事件 {event_id} · {ev['category']}" + ("（演练）" if ev["is_drill"] else ""),
           f"{ev['town_name']} · {ev['village_name']} · {ev['grid_name']}")
    if ev["is_drill"]:
        st.warning("演练事件：由事故推演生成，不计入任何统计，也不在大屏滚动播报。")
    nav.breadcrumb(path, event=event_id)

    state = events.limit_state(ev)
    c = st.columns(4)
    c[0].metric("当前状态", STATUS_LABELS.get(ev["status"], ev["status"]), border=True)
    c[1].metric("紧急程度", PRIORITY_LABELS.get(ev["priority"], ""), border=True)
    c[2].metric("处置层级", LEVEL_LABELS.get(ev["handling_level"], ""), border=True)
    c[3].metric("时限状态", "已超期" if state.overdue else ("按期" if state.closed else "未超期"),
                delta=state.label(), delta_color="inverse" if state.overdue else "normal", border=True)

    left, right = st.columns([3, 2])
    tl = data.timeline(event_id)
    with left:
        dups = data.duplicates(ev)
        shape = data.grid_shape(ev["grid_code"])
        here = [{"lon": ev["lon"], "lat": ev["lat"], "id": ev["id"], "name": ev["category"]}]
        layers = [maps.outline_layer(shape, "grid", width=3, color=(192, 57, 43)),
                  maps.points_layer(dups, "duplicates", "description", lambda d: f"事件 {d['id']}",
                                    lambda d: f"相距 {d['distance_m']:.0f} 米", lambda d: [120, 120, 120, 220]),
                  maps.points_layer(here, "event", "name", lambda e: f"事件 {e['id']}", lambda e: "本事件",
                                    lambda e: [200, 0, 0, 255], radius_px=9)]
        view = maps.fit_view(path.grid.bounds, height=460)
        zone = data.incident_zone(event_id) if ev["is_drill"] else None
        if zone:
            layers.insert(0, maps.zone_layer(zone["geometry"], "incident_zone", f"推演区域（{zone['source_label']}）",
                                             (192, 0, 0, 60), (192, 0, 0, 230)))
            view = maps.fit_view(shapely.bounds(shapely.from_geojson(json.dumps(zone["geometry"]))).tolist(),
                                 height=460)
        st.pydeck_chart(maps.deck(layers, view, height=460), width="stretch", height=460, key="event_map")
        if zone:
            st.caption(f"推演区域：{zone['source_label']}，面积 {zone['area_m2'] / 1e6:.2f} 平方公里，"
                       f"{zone['created_at']:%Y-%m-%d %H:%M} 由 {esc_md(zone['created_by'])} 随事件保存。")
    with right:
        st.markdown("#### 事件信息")
        reporter = ev["reporter"] or (tl[0]["actor"] if tl else "—")
        assignee = ev["assignee"]
        if assignee and data.viewer().sees_personal_data:
            assignee += f"（{panels.ROLE_LABELS.get(ev['assignee_role'], '')}，{ev['assignee_phone']}）"
        info = {
            "类别": f"{ev['class_name']} / {ev['category']}",
            "责任部门": ev["department"] or "—",
            "综合执法队伍": ev["team"] or "—",
            "处置人员": assignee or "—（未指派到人）",
            "时限": deadlines.limit_text(ev) + f"（截止 {ev['due_at']:%Y-%m-%d %H:%M}）",
            "上报": f"{ev['reported_at']:%Y-%m-%d %H:%M} · {reporter}"
                    f"（{SOURCE_LABELS.get(ev['source'], ev['source'])}）",
            "地址": ev["address"] or "—",
            **({"匹配地址": f"{ev['address_match']}（标准地址库，"
                          + (f"匹配度 {ev['address_score']:.2f}）" if ev["address_score"] is not None else "人工选定）")}
               if ev.get("address_match") else {}),
            "坐标（CGCS2000）": f"{ev['lon']:.6f}, {ev['lat']:.6f}",
        }
        st.markdown("\n".join(f"- **{k}**：{esc_md(v)}" for k, v in info.items()))
        st.markdown("**描述**")
        st.text(ev["description"])
        # an import's other columns, as they were (数据导入: 保留其他列); they may name callers: not on the wall
        if ev.get("attributes") and data.viewer().sees_personal_data:
            st.markdown("**附加属性（导入文件中的其他列）**")
            st.markdown("\n".join(f"- {esc_md(k)}：{esc_md(v)}" for k, v in ev["attributes"].items()))

    nav.link("dispatch", label="在调度台处理此事件", query_params={"event": str(event_id)})
    field.photo_gallery(event_id)
    field.urge_panel(ev, "event")
    st.markdown("#### 各环节时限")
    now = dt.datetime.now(TZ)
    panels.table(pd.DataFrame([{
        "环节": s.label, "起算": f"{s.started_at:%m-%d %H:%M}", "截止": f"{s.due_at:%m-%d %H:%M}",
        "完成": f"{s.done_at:%m-%d %H:%M}" if s.done_at else "—",
        "状态": ("超期完成" if s.overdue(now) else "按期完成") if s.done_at else ("已超期" if s.overdue(now) else "进行中"),
    } for s in deadlines.stages(ev, tl)]), hide_index=True, width="stretch")
    st.markdown("#### 处置时间线")
    panels.table(pd.DataFrame([{
        "时间": r["at"].strftime("%Y-%m-%d %H:%M"),
        "环节": (STATUS_LABELS.get(r["from_status"], "—") if r["from_status"] else "—") + " → "
                + STATUS_LABELS.get(r["to_status"], r["to_status"]),
        "处理人": r["actor"],
        "层级": LEVEL_LABELS.get(r["level"], "") if r["level"] else "",
        "说明": r["note"] or "",
    } for r in tl]), hide_index=True, width="stretch")

    st.markdown(f"#### 疑似重复（同类事件，{events.DUPLICATE_RADIUS_M} 米内，近 {events.DUPLICATE_DAYS} 天）")
    if not dups:
        st.caption("未发现疑似重复事件。")
    else:
        df = pd.DataFrame([{"编号": d["id"], "上报时间": d["reported_at"].strftime("%m-%d %H:%M"),
                            "状态": STATUS_LABELS.get(d["status"], d["status"]),
                            "距离（米）": round(d["distance_m"]), "描述": d["description"]} for d in dups])
        picked = st.dataframe(df, hide_index=True, width="stretch", on_select="rerun",
                              selection_mode="single-row", key="event_dups")
        if picked and picked.selection.rows:
            nav.go("event", event=int(df.loc[picked.selection.rows[0], "编号"]))
