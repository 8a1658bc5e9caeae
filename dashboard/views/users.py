"""用户管理 (admin): create accounts, disable/enable, reset a password, unlock, change role and area."""
from __future__ import annotations

import pandas as pd
import streamlit as st

from dashboard.ui import data, panels
from dashboard.ui.errors import show_error, user_errors
from dashboard.ui.labels import labels
from dashboard.ui.layout import header
from geo import auth, terminals
from geo.access import ROLES
from geo.roles import ACCOUNT_ROLES
from geo.scope import Scope

TERMINAL_PAGE = 50      # terminal accounts per page (a county has ~7,400)


def _place_pickers(prefix: str, role: str, town: str | None = None, village: str | None = None):
    """Town (and village) pickers for the roles bound to an area; (town, village)."""
    binds = ACCOUNT_ROLES[role].binds
    if binds == "city":
        return None, None
    optional = binds == "town?"          # a dispatcher without a town is the city dispatcher
    towns = data.children(Scope.city())
    names = {t["code"]: t["name"] for t in towns}
    options = ([None] if optional else []) + list(names)
    picked_town = st.selectbox("镇街" + ("（不选为市级调度员）" if optional else ""), options, placeholder="请选择",
                               index=options.index(town) if town in options else 0,
                               format_func=lambda c: "—" if c is None else names[c], key=f"{prefix}_town")
    picked_village = None
    if binds == "village" and picked_town:
        villages = data.children(Scope(town=picked_town))
        vnames = {v["code"]: v["name"] for v in villages}
        vopts = list(vnames)
        picked_village = st.selectbox("村社区", vopts, placeholder="该镇街没有村社区", index=vopts.index(village) if village in vopts else 0,
                                      format_func=labels(vnames), key=f"{prefix}_village")
    return picked_town, picked_village


def _run(fn, *args, done: str, **kwargs) -> None:
    try:
        data.admin_change(fn, *args, **kwargs)
    except Exception as exc:  # noqa: BLE001 - shown through the one error helper
        show_error(exc)
    else:
        st.session_state["users_flash"] = done
        st.rerun()


with user_errors():
    data.viewer().require_admin()
    header("用户管理", "账号、角色与辖区；每次变更都写入审计日志")
    flash = st.session_state.pop("users_flash", None)
    if flash:
        st.success(flash)
    rows = data.users()
    town_names = {t["code"]: t["name"] for t in data.children(Scope.city())}
    village_names = {v["code"]: v["name"] for town in {r["town_code"] for r in rows if r["village_code"]}
                     for v in data.children(Scope(town=town))}
    panels.table(pd.DataFrame([{
        "用户名": r["username"], "姓名": r["display_name"], "角色": ROLES.get(r["role"], r["role"]),
        "镇街": town_names.get(r["town_code"], r["town_code"] or ""),
        "村社区": village_names.get(r["village_code"], r["village_code"] or ""),
        "状态": "已停用" if r["disabled"] else ("已锁定" if r["locked_until"] else "正常"),
        "连续失败": r["failed_attempts"],
        "最近登录": f"{r['last_login_at']:%Y-%m-%d %H:%M}" if r["last_login_at"] else "—",
    } for r in rows]), hide_index=True, width="stretch")

    new_tab, edit_tab, terminal_tab = st.tabs(["新建账号", "修改账号", "移动终端账号"])
    with new_tab:
        role = st.selectbox("角色", list(ROLES), placeholder="请选择", format_func=labels(ROLES), key="new_role")
        town, village = _place_pickers("new", role)
        with st.form("new_user"):
            username = st.text_input("用户名（小写字母、数字）", max_chars=32)
            name = st.text_input("姓名", max_chars=40)
            st.caption(f"初始密码由系统随机生成，仅显示一次；至少 {auth.MIN_PASSWORD} 位。")
            if st.form_submit_button("创建", type="primary"):
                password = auth.new_password()
                _run(auth.create_user, username.strip(), name, role, password, town=town, village=village,
                     must_change=True,
                     done=f"已创建账号 {username.strip()}，初始密码：{password}（请当面转交，仅显示一次；首次登录须修改）")

    with edit_tab:
        names = [r["username"] for r in rows]
        who = st.selectbox("账号", names, index=None, placeholder="选择账号…", key="edit_user")
        if who:
            r = next(r for r in rows if r["username"] == who)
            c1, c2, c3 = st.columns(3)
            if c1.button("恢复启用" if r["disabled"] else "停用账号", key="toggle"):
                _run(auth.set_disabled, who, not r["disabled"],
                     done=f"已{'恢复启用' if r['disabled'] else '停用'}账号 {who}")
            if c2.button("重置密码", key="reset"):
                password = auth.new_password()
                _run(auth.reset_password, who, password, done=f"账号 {who} 的新密码：{password}（仅显示一次）")
            if c3.button("解除锁定", key="unlock", disabled=not r["locked_until"]):
                _run(auth.unlock, who, done=f"已解除账号 {who} 的锁定")
            st.markdown("##### 修改角色与辖区")
            new_role = st.selectbox("角色", list(ROLES), placeholder="请选择", index=list(ROLES).index(r["role"]),
                                    format_func=labels(ROLES), key="edit_role")
            town, village = _place_pickers("edit", new_role, r["town_code"], r["village_code"])
            if st.button("保存角色与辖区", type="primary", key="save_scope"):
                _run(auth.change_scope, who, new_role, town, village, done=f"已更新账号 {who} 的角色与辖区")

    with terminal_tab:
        accounts = data.terminal_accounts()
        st.caption(f"网格员、网格警员的移动终端账号（终端编号 + 密码）：已开通 {len(accounts)} 个。"
                   "终端用它登录接口（/api/v1/auth/token）；重置密码或停用后，已发出的访问令牌立即失效。")
        with st.form("terminal_account"):
            tid = st.text_input("终端编号（如 JYWG00001）", max_chars=40)
            c1, c2, c3 = st.columns(3)
            opened = c1.form_submit_button("开通 / 重置密码", type="primary")
            stop = c2.form_submit_button("停用")
            resume_ = c3.form_submit_button("恢复启用")
        if tid.strip() and (opened or stop or resume_):
            if opened:
                password = auth.new_password()
                _run(terminals.set_terminal, tid.strip(), password,
                     done=f"终端 {tid.strip()} 的密码：{password}（请当面转交，仅显示一次）")
            else:
                _run(terminals.set_terminal_disabled, tid.strip(), bool(stop),
                     done=f"已{'停用' if stop else '恢复启用'}终端账号 {tid.strip()}")
        f1, f2, f3 = st.columns([3, 1, 1], vertical_alignment="bottom")
        text = f1.text_input("查找（终端编号、姓名或网格编码）", max_chars=40, key="term_find")
        status = f2.selectbox("状态", [None, "active", "disabled"], key="term_status",
                              format_func=lambda v: {None: "全部", "active": "正常", "disabled": "已停用"}[v])
        found = terminals.find_accounts(accounts, text, status)
        pages = max(1, -(-len(found) // TERMINAL_PAGE))
        page = f3.number_input(f"页码（共 {pages} 页）", min_value=1, max_value=pages, value=1, step=1, key="term_page")
        shown = found[(page - 1) * TERMINAL_PAGE: page * TERMINAL_PAGE]
        st.caption(f"符合条件 {len(found):,} 个，本页第 {(page - 1) * TERMINAL_PAGE + 1 if shown else 0:,}–"
                   f"{(page - 1) * TERMINAL_PAGE + len(shown):,} 个。")
        panels.table(pd.DataFrame([{
            "终端编号": a["terminal_id"], "姓名": a["staff_name"], "角色": panels.ROLE_LABELS.get(a["role"], a["role"]),
            "网格": a["grid_code"], "状态": "已停用" if a["disabled"] else "正常",
            "最近登录": f"{a['last_token_at']:%Y-%m-%d %H:%M}" if a["last_token_at"] else "—",
        } for a in shown]), empty="没有符合条件的终端账号", hide_index=True, width="stretch", height=420)
