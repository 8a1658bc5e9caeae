"""Event filters whose state lives in the URL (?status=…&cls=…&level=…&days=…&overdue=1)."""
from __future__ import annotations

import streamlit as st

from dashboard.ui import data
from geo.events import LEVELS, EventFilter
from geo.status import LEVEL_LABELS, STATUS_LABELS

DAY_OPTIONS = {7: "近7天", 30: "近30天", 90: "近90天", 365: "近一年"}


def _list_param(name: str, allowed, label: str) -> list[str]:
    raw = st.query_params.get(name)
    if not raw:
        return []
    values = [v for v in raw.split(",") if v]
    bad = [v for v in values if v not in allowed]
    if bad:
        st.warning(f"地址中的{label}“{'、'.join(bad)}”无法识别，已忽略。")
    return [v for v in values if v in allowed]


def _sync(name: str, key: str) -> None:
    value = st.session_state[key]
    if isinstance(value, list):
        value = ",".join(map(str, value))
    if value in (None, "", False):
        st.query_params.pop(name, None)
    else:
        st.query_params[name] = "1" if value is True else str(value)


def event_filter(prefix: str, grid: str | None = None) -> EventFilter:
    classes = {c["class_code"]: c["class_name"] for c in data.category_classes()}
    days_raw = st.query_params.get("days")
    days = 30
    if days_raw is not None:
        if days_raw.isdigit() and int(days_raw) in DAY_OPTIONS:
            days = int(days_raw)
        else:
            st.warning(f"地址中的时间范围“{days_raw}”无法识别，已按近30天显示。")
    c1, c2, c3, c4, c5 = st.columns([3, 3, 2, 2, 1.3], vertical_alignment="bottom")
    statuses = c1.multiselect("状态", list(STATUS_LABELS), placeholder="全部", format_func=STATUS_LABELS.get,
                              default=_list_param("status", STATUS_LABELS, "状态"),
                              key=f"{prefix}_status", on_change=_sync, args=("status", f"{prefix}_status"))
    cls = c2.multiselect("类别", list(classes), placeholder="全部", format_func=classes.get,
                         default=_list_param("cls", classes, "类别"),
                         key=f"{prefix}_cls", on_change=_sync, args=("cls", f"{prefix}_cls"))
    levels = c3.multiselect("处置层级", list(LEVELS), placeholder="全部", format_func=LEVEL_LABELS.get,
                            default=_list_param("level", LEVELS, "处置层级"),
                            key=f"{prefix}_level", on_change=_sync, args=("level", f"{prefix}_level"))
    day = c4.selectbox("时间", list(DAY_OPTIONS), format_func=DAY_OPTIONS.get,
                       index=list(DAY_OPTIONS).index(days), key=f"{prefix}_days",
                       on_change=_sync, args=("days", f"{prefix}_days"))
    overdue = c5.toggle("仅超期", value=st.query_params.get("overdue") == "1", key=f"{prefix}_overdue",
                        on_change=_sync, args=("overdue", f"{prefix}_overdue"))
    return EventFilter(statuses=tuple(statuses), classes=tuple(cls), levels=tuple(levels), days=day,
                       overdue_only=overdue, grid=grid)
