"""Wall mode (大屏): `?screen=1` (1920x1080) or `?screen=wide` (3840x1080) on the city view.

Dark, no sidebar or menus, large type, a clock, a rolling ticker of new and overdue events, and
optionally a rotation through the towns (`&rotate=SECONDS`). Panels refresh through fragments, so
the page never reloads and the map is not redrawn by the figure refreshes.
"""
from __future__ import annotations

import datetime as dt
from collections.abc import Collection

import streamlit as st

from dashboard.ui import data, session
from dashboard.ui.html import esc, esc_md
from geo import metrics
from geo.scope import Scope
from geo.settings import settings
from geo.status import CLOSED_STATUSES, PRIORITY_LABELS, STATUS_LABELS
from geo.worktime import TZ

REFRESH_S = settings().jy_wall_refresh_s

# Static CSS only (no value from the database or a user goes in here).
CSS = """
<style>
[data-testid="stSidebar"], [data-testid="stSidebarCollapsedControl"], header[data-testid="stHeader"],
[data-testid="stToolbar"], [data-testid="stDecoration"], footer { display: none !important; }
.stApp, [data-testid="stAppViewContainer"] { background: #0b1220 !important; color: #e8eef7 !important; }
.block-container { padding: 0.8rem 1.4rem !important; max-width: 100% !important; }
.stApp h1, .stApp h2, .stApp h3, .stApp h4, .stApp p, .stApp span, .stApp label, .stApp li { color: #e8eef7 !important; }
[data-testid="stMetric"] { background: #131c2e; border: 1px solid #263553 !important; border-radius: 8px; }
[data-testid="stMetricValue"] { font-size: 3rem !important; color: #ffd166 !important; }
[data-testid="stMetricLabel"] p { font-size: 1.2rem !important; color: #9fb3d1 !important; }
.wall-title { font-size: 2.1rem; font-weight: 700; letter-spacing: 0.1rem; color: #e8eef7; }
.wall-clock { font-size: 2.1rem; font-weight: 600; color: #ffd166; text-align: right; }
.stApp .wall-demo { color: #ff9f43 !important; font-size: 1rem; }
.wall-ticker { font-size: 20px; line-height: 30px; color: #e8eef7; }
/* one line per event whatever its length (a date before the time after midnight): clipped, never wrapped */
.wall-ticker div { white-space: nowrap; overflow: hidden; text-overflow: ellipsis; }
.stApp .wall-ticker .overdue { color: #ff6b6b !important; font-weight: 600; }
.stApp .wall-ticker .new { color: #4dd4ac !important; font-weight: 600; }
.stApp .wall-ticker .moving { color: #8fb8ff !important; font-weight: 600; }
.stApp .wall-ticker .done { color: #b0b8c4 !important; font-weight: 600; }
.stApp .wall-ticker .urgent { color: #ffffff !important; background: #c0392b; padding: 0 6px; border-radius: 4px; font-weight: 700; }
.stApp h4 { font-size: 24px !important; padding: 4px 0 !important; }
table.wall-table { width: 100%; border-collapse: collapse; font-size: 20px; line-height: 24px; color: #e8eef7; }
table.wall-table th { color: #9fb3d1; font-weight: 600; text-align: right; border-bottom: 1px solid #263553; padding: 1px 6px; }
table.wall-table td { text-align: right; padding: 1px 6px; border-bottom: 1px solid #1a2640; }
table.wall-table th:first-child, table.wall-table td:first-child { text-align: left; }
table.wall-table td.hot { color: #ff6b6b; font-weight: 700; }
[data-testid="stMetricValue"] { font-size: 2.6rem !important; }
[data-testid="stMetricDelta"], [data-testid="stMetricLabel"] svg { display: none !important; }
</style>
"""


def mode() -> str | None:
    raw = st.query_params.get("screen")
    return {"1": "standard", "wide": "wide"}.get(raw or "")


def style() -> None:
    st.markdown(CSS, unsafe_allow_html=True)   # static CSS, no data


@session.live_panel(10)
def title_bar() -> None:
    now = dt.datetime.now(TZ)
    info = data.dataset_info()
    left, right = st.columns([4, 1])
    # Only fixed text and the formatted clock go into this HTML; no value from the database.
    demo = " <span class='wall-demo'>演示数据</span>" if info and info["is_demo"] else ""
    left.markdown(f"<div class='wall-title'>江阴市网格化联动指挥中心 · 城市运行态势{demo}</div>",
                  unsafe_allow_html=True)
    right.markdown(f"<div class='wall-clock'>{now:%Y-%m-%d %H:%M}</div>", unsafe_allow_html=True)


def when(ts: dt.datetime, now: dt.datetime) -> str:
    """14:05 today, else 11月27日 14:05."""
    local = ts.astimezone(TZ)
    return f"{local:%H:%M}" if local.date() == now.date() else f"{local.month}月{local.day}日 {local:%H:%M}"


def html_table(columns: list[str], rows: list[list], hot: Collection[int] = frozenset()) -> str:
    """A dark, large-type table for the wall. Every cell passes esc(); `hot` marks columns whose
    non-zero values are highlighted."""
    head = "".join(f"<th>{esc(c)}</th>" for c in columns)
    body = "".join("<tr>" + "".join(
        f"<td class='{'hot' if i in hot and v not in (0, None, '0', '—') else ''}'>{esc(v)}</td>"
        for i, v in enumerate(r)) + "</tr>" for r in rows)
    return f"<table class='wall-table'><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"


@session.live_panel(REFRESH_S)
def ticker(rows: int = 10) -> None:
    """Open 特急 events pinned first, then the newest reports and the most overdue open events,
    interleaved, rolling a step every refresh. Drills never appear (the queries leave them out)."""
    now = dt.datetime.now(TZ)
    urgent = data.urgent_events(Scope.city(), max(1, rows - 1))   # one line always rolls
    pinned = {e["id"] for e in urgent}
    latest = [e for e in data.latest_events(Scope.city(), 15) if e["id"] not in pinned]
    overdue_rows = [e for e in data.overdue_events(Scope.city(), 15) if e["id"] not in pinned]
    mixed = [e for pair in zip(latest, overdue_rows) for e in pair] + latest[len(overdue_rows):] \
        + overdue_rows[len(latest):]
    step = int(now.timestamp() // max(REFRESH_S, 1))
    free = max(rows - len(urgent), 0)
    shown = [mixed[(step + i) % len(mixed)] for i in range(min(free, len(mixed)))] if mixed else []
    lines = []
    for e in [*urgent, *shown]:
        overdue = e["status"] not in CLOSED_STATUSES and e["due_at"] < now
        if e["id"] in pinned:
            tag = "<span class='urgent'>特急</span>"
        else:
            # the tag tells the event's state now: a report taken up since is no longer 新报
            tag = ("<span class='overdue'>超期</span>" if overdue
                   else "<span class='new'>新报</span>" if e["status"] == "reported"
                   else "<span class='done'>办结</span>" if e["status"] in CLOSED_STATUSES
                   else "<span class='moving'>在办</span>")
        # Reporter names and phones are never shown on the wall; descriptions are not either.
        lines.append(f"{tag} {esc(when(e['reported_at'], now))} {esc(e['town_name'])} · {esc(e['grid_name'])} · "
                     f"{esc(e['category'])} · {esc(PRIORITY_LABELS.get(e['priority'], ''))} · "
                     f"{esc(STATUS_LABELS.get(e['status'], e['status']))}")
    st.markdown("#### 事件动态")
    st.markdown("<div class='wall-ticker'>" + "".join(f"<div>{line}</div>" for line in lines) + "</div>",
                unsafe_allow_html=True)


def rotating_town(seconds: int) -> None:
    """Every `seconds`, the next town's figures (fragment)."""
    @session.live_panel(seconds)
    def _panel() -> None:
        towns = data.area_figures(Scope.city())
        if not towns:
            return
        t = towns[int(dt.datetime.now(TZ).timestamp() // seconds) % len(towns)]
        st.markdown(f"#### 镇街轮播 · {esc_md(t['name'])}")
        c = st.columns(3)
        for col, key in zip(c, ("open", "overdue", "reports_today")):
            col.metric(metrics.label(key), f"{t[key]:,}")
    _panel()
