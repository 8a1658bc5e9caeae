"""Event filters whose state lives in the URL
(?status=…&cls=…&level=…&days=today|7|30|90|365|all&closed=N&open=1&overdue=1).

A figure's click (geo/metrics.drill_params) writes these parameters, so the list shows exactly the
events the figure counts; nothing hides them behind a default period.
"""
from __future__ import annotations

import streamlit as st

from dashboard.ui import data, nav
from dashboard.ui.labels import labels
from geo.events import LEVELS, EventFilter
from geo.status import LEVEL_LABELS, STATUS_LABELS

# None = any time. 1 = today (the last local day).
DAY_OPTIONS = {1: "今日", 7: "近7天", 30: "近30天", 90: "近90天", 365: "近一年", None: "全部"}
CLOSED_OPTIONS = {None: "不限", 1: "今日结案", 7: "近7天结案", 30: "近30天结案", 90: "近90天结案",
                  365: "近一年结案"}
_URL_DAYS = {"today": 1, "all": None}


def _list_param(name: str, allowed, label: str) -> list[str]:
    raw = st.query_params.get(name)
    if not raw:
        return []
    values = [v for v in raw.split(",") if v]
    bad = [v for v in values if v not in allowed]
    if bad:
        st.warning(f"地址中的{label}“{'、'.join(bad)}”无法识别，已忽略。")
    return [v for v in values if v in allowed]


def _days_param(name: str, options: dict, default, label: str):
    raw = nav.qp(name)
    if raw is None:
        return default
    if raw in _URL_DAYS and _URL_DAYS[raw] in options:
        return _URL_DAYS[raw]
    n = nav.parse_int(raw)
    if n is not None and n in options:
        return n
    st.warning(f"地址中的{label}“{raw}”无法识别，已按{options[default]}显示。")
    return default


def _days_to_url(value) -> str:
    return {1: "today", None: "all"}.get(value, str(value))


def _sync(name: str, key: str) -> None:
    value = st.session_state[key]
    if name == "days":
        st.query_params[name] = _days_to_url(value)
        return
    if isinstance(value, list):
        value = ",".join(map(str, value))
    if value in (None, "", False):
        st.query_params.pop(name, None)
    else:
        st.query_params[name] = "1" if value is True else str(value)


def event_filter(prefix: str, grid: str | None = None) -> EventFilter:
    classes = {c["class_code"]: c["class_name"] for c in data.category_classes()}
    days = _days_param("days", DAY_OPTIONS, 30, "上报时间")
    closed = _days_param("closed", CLOSED_OPTIONS, None, "结案时间")
    c1, c2, c3, c4, c5, c6, c7 = st.columns([3, 2.4, 1.8, 1.4, 1.6, 1, 1], vertical_alignment="bottom")
    statuses = c1.multiselect("状态", list(STATUS_LABELS), placeholder="全部", format_func=labels(STATUS_LABELS),
                              default=_list_param("status", STATUS_LABELS, "状态"),
                              key=f"{prefix}_status", on_change=_sync, args=("status", f"{prefix}_status"))
    cls = c2.multiselect("类别", list(classes), placeholder="全部", format_func=labels(classes),
                         default=_list_param("cls", classes, "类别"),
                         key=f"{prefix}_cls", on_change=_sync, args=("cls", f"{prefix}_cls"))
    levels = c3.multiselect("处置层级", list(LEVELS), placeholder="全部", format_func=labels(LEVEL_LABELS),
                            default=_list_param("level", LEVELS, "处置层级"),
                            key=f"{prefix}_level", on_change=_sync, args=("level", f"{prefix}_level"))
    day = c4.selectbox("上报时间", list(DAY_OPTIONS), placeholder="请选择", format_func=labels(DAY_OPTIONS),
                       index=list(DAY_OPTIONS).index(days), key=f"{prefix}_days",
                       on_change=_sync, args=("days", f"{prefix}_days"))
    closed_day = c5.selectbox("结案时间", list(CLOSED_OPTIONS), placeholder="请选择", format_func=labels(CLOSED_OPTIONS),
                              index=list(CLOSED_OPTIONS).index(closed), key=f"{prefix}_closed",
                              on_change=_sync, args=("closed", f"{prefix}_closed"))
    open_only = c6.toggle("仅在办", value=st.query_params.get("open") == "1", key=f"{prefix}_open",
                          on_change=_sync, args=("open", f"{prefix}_open"))
    overdue = c7.toggle("仅超期", value=st.query_params.get("overdue") == "1", key=f"{prefix}_overdue",
                        on_change=_sync, args=("overdue", f"{prefix}_overdue"))
    return EventFilter(statuses=tuple(statuses), classes=tuple(cls), levels=tuple(levels), days=day,
                       closed_days=closed_day, open_only=open_only, overdue_only=overdue, grid=grid)


def describe(flt: EventFilter) -> str:
    """The filter in words, shown above the list (so a count and its list say the same thing)."""
    parts = [f"上报时间：{DAY_OPTIONS.get(flt.days, f'近{flt.days}天')}"]
    if flt.closed_days:
        parts.append(CLOSED_OPTIONS.get(flt.closed_days, f"近{flt.closed_days}天结案"))
    if flt.open_only:
        parts.append("仅在办")
    if flt.overdue_only:
        parts.append("仅超期")
    if flt.statuses:
        parts.append("状态：" + "、".join(STATUS_LABELS[s] for s in flt.statuses))
    return "；".join(parts)
