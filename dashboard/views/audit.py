"""审计日志 (admin): every action and log-in, successful or refused. Read-only for everyone."""
from __future__ import annotations

import datetime as dt

import pandas as pd
import streamlit as st

from dashboard.ui import data, panels
from dashboard.ui.errors import user_errors
from dashboard.ui.layout import header
from geo import audit
from geo.roles import ACCOUNT_LABELS, ACTOR_LABELS
from geo.worktime import TZ

ROLE_LABELS = {**ACTOR_LABELS, **ACCOUNT_LABELS}

ACTION_LABELS = {
    "login": "登录", "logout": "退出登录", "session_timeout": "登录超时", "report": "上报事件",
    "auto_escalate": "超期自动升级", "user_create": "新建账号", "user_disable": "停用账号",
    "user_enable": "启用账号", "user_reset_password": "重置密码", "user_unlock": "解除锁定",
    "user_change_scope": "修改角色与辖区", "accept": "立案", "reject": "不予立案", "dispatch": "派遣",
    "reassign": "改派", "return": "退回", "start": "开始处置", "handle": "处置完成", "verify": "核查通过",
    "verify_fail": "核查不通过", "close": "结案", "escalate": "上报升级", "import": "数据导入", "drill": "事故推演（演练）",
    "urge": "催办", "supervise": "督办", "take_over": "上收", "hand_down": "下放", "terminal_password": "设置终端密码",
    "terminal_disable": "停用终端", "terminal_enable": "启用终端", "relocate": "更正位置",
}

with user_errors():
    data.viewer().require_admin()
    header("审计日志", "所有操作与登录记录（成功与失败）；应用账号只能写入，不能修改或删除")
    c1, c2, c3, c4 = st.columns([2, 2, 2, 1], vertical_alignment="bottom")
    username = c1.text_input("用户名", max_chars=64, key="audit_user").strip().lower()
    action = c2.selectbox("操作", [None] + list(ACTION_LABELS), placeholder="请选择", key="audit_action",
                          format_func=lambda a: "全部" if a is None else ACTION_LABELS[a])
    days = c3.selectbox("时间范围", [1, 7, 30, 365], placeholder="请选择", index=1, format_func=lambda d: f"近 {d} 天", key="audit_days")
    only_failed = c4.toggle("仅失败", key="audit_failed")
    rows = data.audit_rows(username=username or None, action=action, only_failed=only_failed,
                           since=dt.datetime.now(TZ) - dt.timedelta(days=days))
    st.caption(f"共 {len(rows)} 条（最多显示 500 条，最新在前）")
    panels.table(pd.DataFrame([{
        "时间": r["at"].astimezone(TZ).strftime("%Y-%m-%d %H:%M:%S"), "用户": r["username"],
        "角色": ROLE_LABELS.get(r["role"], r["role"] or ""), "操作": ACTION_LABELS.get(r["action"], r["action"]), "对象": r["target"] or "",
        "结果": "成功" if r["ok"] else "失败",
        "详情": audit.describe(r["detail"]),
    } for r in rows]), hide_index=True, width="stretch", height=600)
