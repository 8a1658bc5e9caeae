"""What comes from the field, on the event page and 调度台: the event's photos (处置前 / 处置后, from the
terminals) and 催办 / 督办 with their history. Never on the wall: data.photos() returns nothing for an
account that does not see personal data, and the wall cannot urge."""
from __future__ import annotations

import pandas as pd
import streamlit as st

from dashboard.ui import data, panels
from dashboard.ui.html import esc_md
from dashboard.ui.labels import labels
from geo.status import NOTICE_LABELS, OPEN_STATUSES, PHOTO_STAGE_LABELS


def photo_gallery(event_id: int) -> None:
    rows = data.photos(event_id)
    if not data.viewer().sees_personal_data:
        return
    st.markdown("#### 现场照片")
    if not rows:
        st.caption("暂无照片（网格员移动终端上报或处置完成时上传）。")
        return
    for stage, label in PHOTO_STAGE_LABELS.items():
        shots = [r for r in rows if r["stage"] == stage]
        if not shots:
            continue
        st.markdown(f"**{label}**（{len(shots)} 张）")
        cols = st.columns(4)          # thumbnails; each opens full size with its fullscreen button
        for i, r in enumerate(shots):
            where = ("—" if r["distance_m"] is None else
                     f"距事件 {r['distance_m']:.0f} 米" + ("，拍摄地点偏远" if r["far_from_event"] else ""))
            when = f"拍摄 {r['taken_at']:%m-%d %H:%M}" if r["taken_at"] else "无拍摄时间"
            with cols[i % len(cols)]:
                if r["content"]:
                    st.image(r["content"], width="stretch")
                st.caption(f"{label} · {esc_md(r['uploaded_by'])} · 上传 {r['uploaded_at']:%m-%d %H:%M} · {when} · {where}")
                if r["far_from_event"]:
                    st.warning("照片的 GPS 位置离事件较远，核查时请留意。")


def urge_panel(ev: dict, key: str) -> None:
    """History of 催办/督办 of one event and, for those who may, the form to send one."""
    history = data.urges(ev["id"])
    kinds = data.viewer().may_urge
    flash = st.session_state.pop(f"urge_flash_{ev['id']}", None)
    if not history and not kinds:
        return
    st.markdown(f"#### 催办 / 督办（{len(history)} 次）")
    if flash:
        st.success(flash)
    if history:
        panels.table(pd.DataFrame([{
            # people by role and name (the outbox row keeps both as sent), never an account or a code
            "时间": h["at"].strftime("%m-%d %H:%M"), "类型": h["kind_label"],
            "发起人": h["by_name"] or f"{h['role_label']} {h['by_user']}",
            "对象": h["target_name"], "说明": h["note"] or "",
            "送达": "已送达" if h["notified_at"] and h["webhook_at"] else ("发送失败" if h["failed_at"] else "发送中"),
        } for h in history]), hide_index=True, width="stretch")
    if not kinds or ev["status"] not in OPEN_STATUSES:
        return
    with st.form(f"urge_{key}_{ev['id']}", clear_on_submit=True):
        c1, c2 = st.columns([1, 3], vertical_alignment="bottom")
        kind = c1.radio("类型", kinds, format_func=labels(NOTICE_LABELS), horizontal=True)
        note = c2.text_input("说明（可选，随通知发送）", max_chars=500)
        if st.form_submit_button("发送", type="secondary"):
            sent = data.urge(ev["id"], kind, note)
            st.session_state[f"urge_flash_{ev['id']}"] = (
                f"已{NOTICE_LABELS[kind]}：{esc_md(sent['target'])}（通知将推送到处置人员的移动终端）")
            st.rerun()
