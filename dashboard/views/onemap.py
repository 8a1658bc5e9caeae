"""一张图: the "1+5" on one map — events, people on duty and their patrol, service points, social
assistance, 福村宝, supervised enterprises and chemical sites — for the viewer's scope (a town
leader sees the town). Layers and the time window are in the URL (?layers=…&days=…); a click on a
grid dot opens the grid, on a worker their track and tasks, on an enterprise its inspections.
The wall opens /onemap?screen=1: every layer, no widgets, fitted to 1920×1080."""
from __future__ import annotations

import pandas as pd
import streamlit as st

from dashboard.ui import data, maps, nav, panels, session, wall
from dashboard.ui import onemap as ui
from dashboard.ui.errors import user_errors
from dashboard.ui.html import esc, esc_md
from dashboard.ui.layout import fmt_int, header
from geo import metrics, onemap
from geo.places import Path
from geo.roles import ACCOUNT_ROLES, STAFF_LABELS
from geo.status import ENTERPRISE_SECTOR_LABELS, ENTERPRISE_STATUS_LABELS, INSPECTION_LABELS, PRIORITY_LABELS, STATUS_LABELS
from geo.worktime import TZ


def _store() -> None:
    st.query_params["layers"] = ",".join(st.session_state["onemap_layers"]) or "none"
    st.query_params["days"] = str(st.session_state["onemap_days"])


def _side_tables(scope, dark: bool = False) -> None:
    color = "#e8eef7" if dark else "#1f2937"
    st.markdown("#### 人、地、物、组织（基础数据）")
    st.markdown(ui.base_table_html(data.base_summary(scope), dark=dark), unsafe_allow_html=True)   # escaped
    assist = data.assistance_counts(scope)
    st.markdown(f"#### 社会救助（8类，共 {sum(r['households'] for r in assist):,} 户）")
    cells = "；".join(f"{esc(r['label'])} <b>{esc(fmt_int(r['households']))}</b>户" for r in assist)
    st.markdown(f"<div style='font-size:14px;line-height:20px;color:{color}'>{cells}</div>", unsafe_allow_html=True)
    ents = data.enterprise_counts(scope)
    st.markdown("#### 安全监管企业（按行业与整改状态）")
    rows = []
    for code, label in ENTERPRISE_SECTOR_LABELS.items():
        n = {s: sum(r["n"] for r in ents if r["sector"] == code and r["status"] == s) for s in ENTERPRISE_STATUS_LABELS}
        if any(n.values()):
            rows.append([label, *[n[s] for s in ENTERPRISE_STATUS_LABELS]])
    total = [sum(r[i] for r in rows) for i in range(1, 4)]
    st.markdown(wall.html_table(["行业", *ENTERPRISE_STATUS_LABELS.values()], rows + [["合计", *total]]),
                unsafe_allow_html=True)   # cells escaped by html_table
    aid = onemap.mutual_aid_figures(data.onemap_villages(scope))
    paid = f"{aid['paid_yuan'] / 1e8:.2f}"
    st.markdown("#### 福村宝（村级医疗互助）")
    st.markdown(f"<div style='font-size:14px;color:{color}'>覆盖 <b>{esc(fmt_int(aid['villages']))}</b> 个行政村 · "
                f"参保 {esc(fmt_int(aid['members']))} 人 · 累计受益 {esc(fmt_int(aid['beneficiaries']))} 人次 · "
                f"累计补助 {esc(paid)} 亿元</div>", unsafe_allow_html=True)


def _wall(scope) -> None:
    wall.style()
    wall.title_bar()

    @session.live_panel(wall.REFRESH_S)
    def figures() -> None:
        ui.metric_row(scope)
    figures()
    left, right = st.columns([5, 2])
    with left:
        @session.live_panel(wall.REFRESH_S * 2)
        def the_map() -> None:
            st.pydeck_chart(ui.deck_for(scope, ui.ALL_LAYERS, metrics.DEFAULT_DAYS, ui.view_for(scope, 1340, 740),
                                        height=740, background="#0f1a2b"),
                            width="stretch", height=740, key="onemap_wall_map")
        the_map()
    with right:
        st.markdown(ui.legend_html(ui.ALL_LAYERS, dark=True, columns=2), unsafe_allow_html=True)   # fixed labels, escaped
        st.markdown("<style>.stApp h4 { font-size: 18px !important; padding: 2px 0 !important; } "
                    "table.wall-table { font-size: 14px !important; line-height: 17px !important; }</style>",
                    unsafe_allow_html=True)   # static CSS

        @session.live_panel(wall.REFRESH_S * 2)
        def side() -> None:
            _side_tables(scope, dark=True)
        side()
    st.caption(f"事件密度：{metrics.period_label(metrics.DEFAULT_DAYS)}上报。在线：{metrics.ONLINE_MINUTES}分钟内有定位。")


def _worker_panel(staff_id: int) -> list[dict]:
    w = data.worker(staff_id)
    fixes = data.track(staff_id)
    st.markdown(f"#### {esc_md(STAFF_LABELS.get(w['role'], w['role']))} {esc_md(w['name'])} · {esc_md(w['grid_name'])}")
    c = st.columns(4)
    c[0].metric("状态", "在线" if w["online"] else "离线", help=metrics.help_text("online_workers"), border=True)
    c[1].metric("今日巡查打卡", f"{w['checkins_today']:,} 次", border=True)
    c[2].metric("今日轨迹定位点", f"{len(fixes):,} 个", border=True)
    c[3].metric("在办任务", f"{w['open_tasks']:,} 件", border=True)
    if w["tasks"]:
        df = pd.DataFrame([{"事件编号": t["id"], "类别": t["category"], "紧急程度": PRIORITY_LABELS.get(t["priority"], ""),
                            "状态": STATUS_LABELS.get(t["status"], t["status"]), "时限": t["due_at"],
                            "超期": "是" if t["overdue"] else ""} for t in w["tasks"]])
        picked = st.dataframe(df, hide_index=True, width="stretch", on_select="rerun", selection_mode="single-row",
                              key="onemap_tasks")
        rows = picked.selection.rows if picked else []
        if rows:
            nav.go("event", event=int(df.iloc[rows[0]]["事件编号"]))
    if st.button("关闭人员详情", key="onemap_close_worker"):
        st.query_params.pop("worker", None)
        st.rerun()
    return fixes


def _enterprise_panel(enterprise_id: int, scope) -> None:
    ent = next((e for e in data.enterprises(scope) if e["id"] == enterprise_id), None)
    if ent is None:
        st.info("没有找到该企业（或不在您的管辖范围内）。")
        return
    st.markdown(f"#### {esc_md(ent['name'])} · {esc_md(ENTERPRISE_SECTOR_LABELS.get(ent['sector'], ent['sector']))} · "
                f"{esc_md(ENTERPRISE_STATUS_LABELS.get(ent['status'], ent['status']))}")
    rows = data.inspections(enterprise_id)
    panels.table(pd.DataFrame([{"检查时间": r["at"], "结果": INSPECTION_LABELS.get(r["result"], r["result"]),
                                "隐患数": r["issues"], "检查人员": r["inspector"] or "", "备注": r["note"] or ""}
                               for r in rows]), empty="暂无检查记录")


ALL = "all"


def _assistance_detail(scope) -> None:
    v = data.viewer()
    with st.expander("社会救助对象明细"):
        if not ACCOUNT_ROLES[v.role].sees_assistance:
            st.caption("救助对象明细属个人信息，仅市级指挥、镇街领导与村社区工作人员可查看（由数据库行级安全控制）。")
            return
        villages = data.onemap_villages(scope)
        # nothing chosen: no table (500 households were 68 KB of every first load, the expander closed)
        options = ["", ALL] + [r["code"] for r in villages]
        names = {"": "请选择村社区", ALL: "全部（最多500户）", **{r["code"]: r["name"] for r in villages}}
        pick = st.selectbox("村社区", options, format_func=lambda c: names.get(c, c), key="onemap_assist_village",
                            placeholder="请选择村社区")
        if not pick:
            st.caption("选择一个村社区（或“全部”）后显示救助对象明细。")
            return
        rows = data.assistance_households(None if pick == ALL else pick)
        classes = {r["code"]: r["label"] for r in data.assistance_counts(scope)}
        st.caption(f"显示 {len(rows):,} 户（最多500户）；电话已隐去中间四位。")
        panels.table(pd.DataFrame([{"编号": r["code"], "村社区": r["village_name"], "救助类别": classes.get(r["class_code"], r["class_code"]),
                                    "户主": r["head_name"], "人数": r["members"], "月救助金额（元）": r["monthly_yuan"],
                                    "纳入时间": r["since"], "电话": r["phone"]} for r in rows]), empty="无")


with user_errors():
    viewer = data.viewer()
    scope = viewer.scope
    if wall.mode():
        _wall(scope)
        st.stop()
    header("一张图", "“1+5”落在同一张网格上：事件、在岗人员与巡查、政务与生活服务点、社会救助、福村宝、安全监管企业与危化品。")
    nav.breadcrumb(data.resolve_path(scope.town, scope.village, None) if scope.town else Path(), here="一张图")

    @session.live_panel(30)
    def figures() -> None:
        ui.metric_row(scope, per_row=4)
    figures()

    c1, c2 = st.columns([3, 1])
    c1.pills("图层", options=ui.ALL_LAYERS, selection_mode="multi", default=ui.chosen_layers(),
             format_func=lambda k: onemap.LAYERS[k].label, key="onemap_layers", on_change=_store)
    c2.slider("事件时间范围（近N天上报）", 1, onemap.MAX_DAYS, ui.chosen_days(), key="onemap_days", on_change=_store)
    layers = st.session_state.get("onemap_layers", ui.chosen_layers())
    days = st.session_state.get("onemap_days", ui.chosen_days())

    worker_id = nav.qp_int("worker")
    enterprise_id = nav.qp_int("enterprise")
    left, right = st.columns([3, 1])
    with right:
        st.markdown("#### 图例")
        st.markdown(ui.legend_html(layers), unsafe_allow_html=True)   # fixed labels, escaped
        _side_tables(scope)
    with left:
        fixes = _worker_panel(worker_id) if worker_id else None
        view = ui.view_for(scope, 1080, 680)    # the map column at 1920 px
        if fixes:     # the selected worker's track of today, fitted to the map
            xs, ys = [f["lon"] for f in fixes], [f["lat"] for f in fixes]
            view = maps.fit_view((min(xs) - 0.003, min(ys) - 0.003, max(xs) + 0.003, max(ys) + 0.003), 1080, 680)
            st.caption(f"品红线：今日巡查轨迹（{len(fixes)} 个定位点，{fixes[0]['at'].astimezone(TZ):%H:%M} 至 {fixes[-1]['at'].astimezone(TZ):%H:%M}）。")
        deck = ui.deck_for(scope, layers, days, view, height=680, track=fixes)
        clicked = st.pydeck_chart(deck, width="stretch", height=680, key="onemap_map", on_select="rerun",
                                  selection_mode="single-object")
        st.caption(f"点击网格圆点进入网格视图，点击人员查看今日轨迹与任务，点击企业查看检查记录。事件密度：近{days}天上报。"
                   f"在线：{metrics.ONLINE_MINUTES}分钟内有定位。地图仅用矢量图层，无需在线底图。"
                   + ("全市地图只标出整改中的监管企业（各状态家数见右侧），进入镇街显示全部企业。"
                      if scope.town is None and "enterprises" in layers else ""))
        if enterprise_id:
            _enterprise_panel(enterprise_id, scope)
        _assistance_detail(scope)
    grid = maps.selected_code(clicked, "coverage")
    person = maps.selected_code(clicked, "duty")
    ent = maps.selected_code(clicked, "enterprises")
    area = maps.selected_code(clicked, "areas")
    if grid:
        nav.go("grid", grid=grid, town=grid[:9], village=grid[:12])
    elif person and person != str(worker_id):
        st.query_params["worker"] = person
        st.rerun()
    elif ent and ent != str(enterprise_id):
        st.query_params["enterprise"] = ent
        st.rerun()
    elif area:
        page = {9: "town", 12: "village"}.get(len(area))
        if page:
            nav.go(page, town=area[:9], village=area[:12] if len(area) == 12 else None)
