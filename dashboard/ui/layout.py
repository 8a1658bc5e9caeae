"""Page furniture shared by the views: header with the 演示数据 label, KPI formatting."""
from __future__ import annotations

import datetime as dt

import streamlit as st

from dashboard.ui import data
from geo.worktime import TZ, calendar_gaps


def header(title: str, subtitle: str | None = None) -> None:
    info = data.dataset_info()
    left, right = st.columns([5, 2], vertical_alignment="center")
    with left:
        st.markdown(f"## 江阴市网格化联动指挥中心 · {title}")
        if subtitle:
            st.caption(subtitle)
    with right:
        if info is None:
            st.warning("数据库中还没有网格数据：请运行 ./run.sh 载入演示数据，或导入本地数据。")
        elif info["is_demo"]:
            st.badge("演示数据", icon=":material/warning:", color="orange")
            st.caption("演示数据：镇街、村社区与网格边界由驻地点自动生成，并非官方边界；"
                       "人员、事件与危化企业均为虚构。")
        now = dt.datetime.now(TZ).strftime("%Y-%m-%d %H:%M")
        st.caption(f"数据时间：{now}（北京时间）")
        replica = data.replica_status()
        if replica is not None:
            ok, reason = replica
            st.caption(f"数据来源：只读副本（{reason}）" if ok else
                       f"只读副本暂不可用或延迟过大（{reason}），已改由主库读取。")
    gaps = calendar_gaps()
    if gaps:
        st.caption("注：" + "、".join(map(str, gaps)) + "年法定节假日安排尚未收录，时限暂按周一至周五工作日计算。")


def fmt_int(n: int) -> str:
    return f"{n:,}"


def fmt_pct(rate: float | None) -> str:
    return "—" if rate is None else f"{rate * 100:.1f}%"
