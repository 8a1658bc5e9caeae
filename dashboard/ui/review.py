"""待核地址 on 调度台: rows of an event import whose address the register could not place clearly
(geo.addresses review queue) — a dispatcher picks one of the candidates and the event is created there
by the one intake path under the file's own number, or dismisses the row."""
from __future__ import annotations

import streamlit as st

from dashboard.ui import data
from dashboard.ui.html import esc_md


def review_section() -> None:
    if done := st.session_state.pop("rv_done", None):
        st.success(done)
    rows = data.address_review(50)
    if not rows:
        return
    total = rows[0]["open_total"]
    shown = f"共 {total} 条，显示最早的 {len(rows)} 条" if total > len(rows) else f"{total} 条"
    with st.expander(f"待核地址（{shown}）", expanded=True):
        st.caption("事件导入中地址未能可靠匹配的行（不作猜测）：选择一个候选位置后按该位置立案（沿用文件中的编号），或作废。"
                   "无候选时请核实地址后在“事件上报”中地图选点。")
        for r in rows:
            cands = r["candidates"]
            st.markdown(f"**{esc_md(r['address'])}** · {esc_md(r['file_name'])} 第 {r['row_number']} 行"
                        f"（编号 {esc_md(r['external_id'] or '—')}，{esc_md(r['report']['category_code'])}）")
            c1, c2, c3 = st.columns([4, 1, 1])
            pick = c1.selectbox("位置", list(range(len(cands))), index=None, key=f"rv_pick_{r['id']}",
                                placeholder="选择候选位置…" if cands else "无候选",
                                format_func=lambda k, c=cands: f"{c[k]['label']}（匹配度 {c[k]['score']:.2f}）",
                                label_visibility="collapsed", disabled=not cands)
            if c2.button("定位并立案", key=f"rv_go_{r['id']}", disabled=pick is None):
                c = cands[pick]
                eid = data.review_place(r["id"], c["lon"], c["lat"], c["label"], c["score"])
                st.session_state["rv_done"] = f"已按“{c['label']}”创建事件 {eid}。"
                st.rerun()
            if c3.button("作废", key=f"rv_drop_{r['id']}"):
                data.review_dismiss(r["id"])
                st.session_state["rv_done"] = f"已作废：{r['address']}（第 {r['row_number']} 行）。"
                st.rerun()
