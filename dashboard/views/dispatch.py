"""调度台: the dispatcher's queue — overdue first — with bulk actions and nearest staff."""
from __future__ import annotations

import pandas as pd
import streamlit as st

from dashboard.ui import data, field, nav, panels, pickmap, review, sections, session
from dashboard.ui.errors import show_error, user_errors
from dashboard.ui.labels import labels
from dashboard.ui.layout import header
from geo import metrics, workflow
from geo.dispatch import WAITING
from geo.status import LEVEL_LABELS, PRIORITY_LABELS, STATUS_LABELS

REFRESH_S = 30


COLUMNS = ["选择", "编号", "时限", "状态", "紧急", "催办", "层级", "类别", "镇街", "网格", "责任部门", "处置人员", "描述"]


def _queue_frame(rows: list[dict], selected: set[int], urged: dict[int, int]) -> pd.DataFrame:
    return pd.DataFrame([{
        "选择": r["id"] in selected, "编号": r["id"],
        "时限": panels.deadline_text(r),
        "状态": STATUS_LABELS[r["status"]] + ("（演练）" if r["is_drill"] else ""),
        "紧急": PRIORITY_LABELS[r["priority"]], "催办": f"催办 {urged[r['id']]} 次" if urged.get(r["id"]) else "",
        "层级": LEVEL_LABELS[r["handling_level"]], "类别": r["category"], "镇街": r["town_name"],
        "网格": r["grid_name"], "责任部门": "、".join(x for x in (r["department"], r["team"]) if x),
        "处置人员": r["assignee"] or "",
        "描述": r["description"],
    } for r in rows], columns=COLUMNS)


@session.live_panel(REFRESH_S)
def queue_panel(actor: workflow.Actor, statuses, all_levels: bool, overdue_only: bool,
                event_id: int | None, search: str | None) -> None:
    rows = data.dispatch_queue(actor, tuple(statuses), all_levels, overdue_only, event_id, search)
    selected: set[int] = st.session_state.setdefault("dispatch_selected", set())
    if event_id is not None:
        if not rows:
            st.warning(f"事件 {event_id} 不在您的待办范围内（已办结、不存在或不属于您的辖区）。")
        selected.clear()
        selected.update(r["id"] for r in rows)
    selected &= {r["id"] for r in rows}
    k = data.kpis(data.viewer().scope)
    area = "全市" if actor.town is None else ("本村社区" if actor.village else "本镇街")
    shown = f"搜索“{search}”：{len(rows)} 件" if search else f"{metrics.QUEUE_LABEL} {len(rows)} 件"
    st.caption(f"{shown}，{metrics.QUEUE_OVERDUE_LABEL} {sum(bool(r['overdue']) and not r['is_drill'] for r in rows)} 件"
               f" · {area}{metrics.label('overdue')} {k.overdue} 件（各层级在办事件中已超时限的全部事件）"
               f" · 每 {REFRESH_S} 秒自动刷新，勾选保持不变。")
    urged = data.urge_counts([r["id"] for r in rows])
    if urged:
        st.caption(f"其中被催办或督办的 {len(urged)} 件（“催办”列），请优先处理。")
    df = _queue_frame(rows, selected, urged)
    # The key follows the rows shown, so a refresh with new rows starts from the kept selection.
    key = "queue_" + str(hash(tuple(df["编号"])))
    edited = st.data_editor(df, key=key, hide_index=True, width="stretch", height=420,
                            disabled=[c for c in df.columns if c != "选择"],
                            column_config={"选择": st.column_config.CheckboxColumn(width="small"),
                                           "编号": st.column_config.NumberColumn(format="%d")})
    selected.clear()
    selected.update(int(i) for i in edited.loc[edited["选择"], "编号"])
    st.session_state["dispatch_rows"] = {r["id"]: r for r in rows}
    actions_panel(actor)


def _flash() -> None:
    flash = st.session_state.pop("dispatch_flash", None)
    if flash:
        ok, errors = flash
        if ok:
            st.success(ok)
        for exc in errors:
            show_error(exc)


def actions_panel(actor: workflow.Actor) -> None:
    _flash()
    rows = st.session_state.get("dispatch_rows", {})
    chosen = [rows[i] for i in sorted(st.session_state.get("dispatch_selected", set())) if i in rows]
    if not chosen:
        st.info("在上方列表中勾选事件后进行处理（可多选）。")
        return
    statuses = {r["status"] for r in chosen}
    common = workflow.common_actions(chosen, actor)
    st.markdown(f"**已选 {len(chosen)} 件**（状态：{'、'.join(STATUS_LABELS[s] for s in statuses)}）")
    if not common:
        if workflow.common_actions(chosen):
            levels = "、".join(sorted({LEVEL_LABELS[r["handling_level"]] for r in chosen}))
            st.warning(f"所选事件目前由{levels}处置，您没有可执行的操作；可在事件详情中催办，或请相应层级调度处理。")
        else:
            st.warning("所选事件状态不同，没有可同时执行的操作；请按状态分别选择。")
        return
    with st.form("dispatch_action", clear_on_submit=False):
        code = st.radio("操作", [a.code for a in common], format_func=workflow.label,
                        horizontal=True, index=0, key="dispatch_action_" + "_".join(sorted(statuses)))
        c1, c2, c3 = st.columns(3)
        deps = data.departments()
        teams = data.teams()
        department = c1.selectbox("责任部门（派遣/改派）", [None] + [d["code"] for d in deps], placeholder="请选择",
                                  format_func=lambda c: "—" if c is None else {d["code"]: d["name"] for d in deps}[c],
                                  help="派遣时不选：派给各事件按类别分派的责任部门与执法队伍（表中“责任部门”列）。")
        team = c2.selectbox("综合执法队伍（可选）", [None] + [t["code"] for t in teams], placeholder="请选择",
                            format_func=lambda c: "—" if c is None else {t["code"]: t["name"] for t in teams}[c])
        staff = None
        if len(chosen) == 1:
            near = data.nearest_staff(chosen[0]["lon"], chosen[0]["lat"])
            staff = c3.selectbox("指派人员（最近的在岗人员）", [None] + [s["id"] for s in near], placeholder="请选择",
                                 format_func=lambda i: "—" if i is None else next(
                                     f"{s['name']}（{panels.ROLE_LABELS.get(s['role'], s['role'])}，"
                                     f"{s['distance_m']:.0f} 米）" for s in near if s["id"] == i))
        note = st.text_input("说明 / 理由（不予立案、退回、核查不通过、上报升级时必填）", max_chars=500)
        submitted = st.form_submit_button("执行", type="primary")
    if submitted:
        versions = {r["id"]: r["version"] for r in chosen}
        done, refused = data.act_many(versions, code, note=note, department=department, team=team,
                                      staff_id=staff)
        # Shown after the rerun below (which refreshes the queue with the new states).
        st.session_state["dispatch_flash"] = (
            f"已{workflow.label(code)} {len(done)} 件：" + "、".join(str(d["id"]) for d in done)
            if done else None, [exc for _, exc in refused])
        st.rerun()
    if len(chosen) == 1:
        zone = data.incident_zone(chosen[0]["id"])
        if zone:
            st.info(f"该事件带有事故推演区域（{zone['source_label']}，面积 {zone['area_m2'] / 1e6:.2f} 平方公里），"
                    "在事件详情的地图上显示。")
        nav.link("event", label=f"查看事件 {chosen[0]['id']} 详情与时间线",
                     query_params={"event": str(chosen[0]["id"])})
        field.photo_gallery(chosen[0]["id"])
        field.urge_panel(chosen[0], "dispatch")
        relocate_panel(chosen[0], actor)


def relocate_panel(ev: dict, actor: workflow.Actor) -> None:
    """更正位置: a point clicked on the map (or typed) moves the event to that grid — an action in
    the event's log, refused like a report outside the dispatcher's area; offered only where this
    dispatcher may take it."""
    if not workflow.permitted(actor, ev, workflow.ACTIONS["relocate"]):
        return
    # a toggle, not an expander: Leaflet measures its box when drawn, and a collapsed one has none
    if not st.toggle("更正事件位置（在地图上点选正确位置）", key="dp_reloc_on"):
        return
    if st.session_state.get("dp_reloc_for") != ev["id"]:
        st.session_state.update(dp_reloc_for=ev["id"], dp_lon=round(ev["lon"], 6), dp_lat=round(ev["lat"], 6),
                                dp_datum="wgs84", dp_pick_village=ev["grid_code"][:12])
    pickmap.pick_point(data.viewer().scope, "dp_lon", "dp_lat", "dp_datum", key="dp_pick")
    with st.form("dp_reloc"):
        c1, c2, c3 = st.columns([2, 1, 1])
        datum = c1.selectbox("坐标系", list(pickmap.DATUM_LABELS), format_func=labels(pickmap.DATUM_LABELS), key="dp_datum")
        lon = c2.number_input("经度", value=None, format="%.6f", key="dp_lon")
        lat = c3.number_input("纬度", value=None, format="%.6f", key="dp_lat")
        note = st.text_input("更正理由（必填）", max_chars=500, placeholder="如：网格员定位偏差，按现场核实位置更正")
        go = st.form_submit_button("更正位置", type="primary")
    if go:
        done, refused = data.act_many({ev["id"]: ev["version"]}, "relocate", note=note, location=(lon, lat, datum))
        st.session_state["dispatch_flash"] = (
            f"已更正事件 {ev['id']} 的位置。" if done else None, [exc for _, exc in refused])
        st.session_state.pop("dp_reloc_for", None)
        st.rerun()


with user_errors():
    actor = data.viewer().actor()     # Forbidden for the accounts that only look
    header("调度台", f"{actor.label} · 待处理事件按超期优先、剩余时限排序")
    c0, c1, c2, c3 = st.columns([2, 3, 1, 1], vertical_alignment="bottom")
    search = c0.text_input("搜索", placeholder="事件编号、地址或描述", max_chars=100, key="dispatch_search").strip() or None
    statuses = c1.multiselect("状态", WAITING, placeholder="选择状态", default=list(WAITING), format_func=labels(STATUS_LABELS),
                              key="dispatch_statuses")
    overdue_only = c2.toggle("仅超期", key="dispatch_overdue")
    all_levels = c3.toggle("含各级事件", key="dispatch_all", disabled=not data.viewer().sees_all_levels,
                           help="市级调度员、市级指挥可查看镇街、村社区层级的事件；镇街调度员可查看本镇街各村社区的事件并上收")
    only = nav.qp("event")
    event_id = nav.parse_int(only)
    if only and event_id is None:
        st.warning(f"地址中的事件编号“{only}”无效，已显示全部待办。")
    if event_id is not None:
        nav.link("dispatch", label="显示全部待办事件")
    queue_panel(actor, statuses, all_levels, overdue_only, event_id, search)
    sections.warnings_section(data.viewer().scope, key="dispatch", expanded=False)
    review.review_section()
