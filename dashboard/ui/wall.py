"""Wall mode (大屏): `?screen=1` (1920x1080) or `?screen=wide` (3840x1080) on the city view.

Dark, no sidebar or menus, large type, a clock, a rolling ticker of new and overdue events, and
optionally a rotation through the towns (`&rotate=SECONDS`). Panels refresh through fragments, so
the page never reloads and the map is not redrawn by the figure refreshes.
"""
from __future__ import annotations

import datetime as dt
import os

import streamlit as st

from dashboard.ui import data
from dashboard.ui.html import esc, esc_md
from geo.scope import Scope
from geo.status import PRIORITY_LABELS, STATUS_LABELS
from geo.worktime import TZ

REFRESH_S = int(os.environ.get("JY_WALL_REFRESH_S", "30"))

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
.wall-ticker { font-size: 1.15rem; line-height: 2.1rem; color: #e8eef7; }
.stApp .wall-ticker .overdue { color: #ff6b6b !important; font-weight: 600; }
.stApp .wall-ticker .new { color: #4dd4ac !important; font-weight: 600; }
</style>
"""


def mode() -> str | None:
    raw = st.query_params.get("screen")
    return {"1": "standard", "wide": "wide"}.get(raw)


def style() -> None:
    st.markdown(CSS, unsafe_allow_html=True)   # static CSS, no data


@st.fragment(run_every=10)
def title_bar() -> None:
    now = dt.datetime.now(TZ)
    info = data.dataset_info()
    left, right = st.columns([4, 1])
    # Only fixed text and the formatted clock go into this HTML; no value from the database.
    demo = " <span class='wall-demo'>演示数据</span>" if info and info["is_demo"] else ""
    left.markdown(f"<div class='wall-title'>江阴市网格化联动指挥中心 · 城市运行态势{demo}</div>",
                  unsafe_allow_html=True)
    right.markdown(f"<div class='wall-clock'>{now:%Y-%m-%d %H:%M}</div>", unsafe_allow_html=True)


@st.fragment(run_every=REFRESH_S)
def ticker(rows: int = 10) -> None:
    """The newest reports and the most overdue open events, interleaved, rolling a step every refresh."""
    latest = data.latest_events(Scope.city(), 15)
    overdue_rows = data.overdue_events(Scope.city(), 15)
    mixed = [e for pair in zip(latest, overdue_rows) for e in pair] + latest[len(overdue_rows):] \
        + overdue_rows[len(latest):]
    step = int(dt.datetime.now(TZ).timestamp() // max(REFRESH_S, 1))
    shown = [mixed[(step + i) % len(mixed)] for i in range(min(rows, len(mixed)))] if mixed else []
    lines = []
    for e in shown:
        overdue = e["status"] not in ("closed", "rejected") and e["due_at"] < dt.datetime.now(TZ)
        tag = "<span class='overdue'>超期</span>" if overdue else "<span class='new'>新报</span>"
        # Reporter names and phones are never shown on the wall; descriptions are not either.
        lines.append(f"{tag} {e['reported_at']:%H:%M} {esc(e['town_name'])} · {esc(e['grid_name'])} · "
                     f"{esc(e['category'])} · {esc(PRIORITY_LABELS.get(e['priority'], ''))} · "
                     f"{esc(STATUS_LABELS.get(e['status'], e['status']))}")
    st.markdown("#### 事件动态")
    st.markdown("<div class='wall-ticker'>" + "<br/>".join(lines) + "</div>", unsafe_allow_html=True)


def rotating_town(seconds: int) -> None:
    """Every `seconds`, the next town's figures (fragment)."""
    @st.fragment(run_every=seconds)
    def _panel() -> None:
        towns = data.area_figures(Scope.city())
        if not towns:
            return
        t = towns[int(dt.datetime.now(TZ).timestamp() // seconds) % len(towns)]
        st.markdown(f"#### 镇街轮播 · {esc_md(t['name'])}")
        c = st.columns(3)
        c[0].metric("在办", f"{t['open']:,}")
        c[1].metric("超期", f"{t['overdue']:,}")
        c[2].metric("今日上报", f"{t['reports_today']:,}")
    _panel()
