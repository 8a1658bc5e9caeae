"""Cached access to geo/: the pool in st.cache_resource, aggregates in st.cache_data (short TTL)."""
from __future__ import annotations

import streamlit as st

from geo import (db, deadlines, dispatch, evaluation, events, intake, layers, overview, places, routing,
                 workflow)
from geo.hazards import analysis, register
from geo.scope import Scope

FIGURES_TTL_S = 30       # live figures
SHAPES_TTL_S = 600       # polygons change only on import


@st.cache_resource(show_spinner=False)
def pool():
    """The primary: every write, and the reads when there is no usable replica."""
    return db.make_pool()


@st.cache_resource(show_spinner=False)
def _replica_pool():
    url = db.replica_url()
    if not url:
        return None
    from psycopg_pool import ConnectionPool
    from psycopg.rows import dict_row
    # Opened without waiting: a replica that is down must not stop the dashboard.
    return ConnectionPool(url, min_size=0, max_size=6, kwargs={"row_factory": dict_row},
                          configure=db._configure, open=True, name="jiangyin-replica")


@st.cache_data(ttl=5, show_spinner=False)
def replica_status() -> tuple[bool, str] | None:
    """None without a replica; else (usable, reason), checked at most every 5 s."""
    rp = _replica_pool()
    return None if rp is None else db.replica_state(rp)


def reader():
    """The pool the read-only views use: the replica when it is up and current, else the primary."""
    status = replica_status()
    if status and status[0]:
        return _replica_pool()
    return pool()


@st.cache_data(ttl=FIGURES_TTL_S, show_spinner=False)
def kpis(scope: Scope, days: int = 30) -> overview.Kpis:
    return overview.kpis(reader(), scope, days=days)


@st.cache_data(ttl=FIGURES_TTL_S, show_spinner=False)
def area_figures(scope: Scope, days: int = 30) -> list[dict]:
    return overview.area_figures(reader(), scope, days=days)


@st.cache_data(ttl=SHAPES_TTL_S, show_spinner=False)
def area_shapes(scope: Scope) -> list[dict]:
    return overview.area_shapes(reader(), scope)


@st.cache_data(ttl=SHAPES_TTL_S, show_spinner=False)
def county_outline() -> dict | None:
    return overview.county_outline(reader())


@st.cache_data(ttl=FIGURES_TTL_S * 4, show_spinner=False)
def density(scope: Scope, days: int = 30) -> list[dict]:
    return overview.density(reader(), scope, days=days)


@st.cache_data(ttl=SHAPES_TTL_S, show_spinner=False)
def chem_sites(scope: Scope) -> list[dict]:
    return overview.chem_sites(reader(), scope)


@st.cache_data(ttl=SHAPES_TTL_S, show_spinner=False)
def dataset_info() -> dict | None:
    return overview.dataset_info(reader())


@st.cache_data(ttl=FIGURES_TTL_S, show_spinner=False)
def trend(scope: Scope, days: int = 30) -> list[dict]:
    return overview.trend(reader(), scope, days=days)


@st.cache_data(ttl=FIGURES_TTL_S, show_spinner=False)
def categories(scope: Scope, days: int = 30) -> list[dict]:
    return overview.categories(reader(), scope, days=days)


@st.cache_data(ttl=FIGURES_TTL_S, show_spinner=False)
def latest_events(scope: Scope, limit: int = 12) -> list[dict]:
    return overview.latest_events(reader(), scope, limit)


@st.cache_data(ttl=FIGURES_TTL_S, show_spinner=False)
def overdue_events(scope: Scope, limit: int = 12) -> list[dict]:
    return overview.overdue_events(reader(), scope, limit)


@st.cache_data(ttl=SHAPES_TTL_S, show_spinner=False)
def resolve_path(town: str | None, village: str | None, grid: str | None) -> places.Path:
    return places.resolve_path(reader(), town, village, grid)


@st.cache_data(ttl=FIGURES_TTL_S, show_spinner=False)
def list_events(scope: Scope, flt: events.EventFilter, limit: int = 300):
    return events.list_events(reader(), scope, flt, limit)


@st.cache_data(ttl=FIGURES_TTL_S, show_spinner=False)
def staff_summary(scope: Scope, grid: str | None = None) -> list[dict]:
    return layers.staff_summary(reader(), scope, grid)


@st.cache_data(ttl=FIGURES_TTL_S, show_spinner=False)
def staff_list(scope: Scope, grid: str | None = None, on_duty_only: bool = False) -> list[dict]:
    return layers.staff_list(reader(), scope, grid, on_duty_only)


@st.cache_data(ttl=SHAPES_TTL_S, show_spinner=False)
def dedicated_grids(scope: Scope, overlapping_grid: str | None = None) -> list[dict]:
    return layers.dedicated_grids(reader(), scope, overlapping_grid)


@st.cache_data(ttl=SHAPES_TTL_S, show_spinner=False)
def resources(scope: Scope) -> list[dict]:
    return layers.resources(reader(), scope)


@st.cache_data(ttl=FIGURES_TTL_S, show_spinner=False)
def event_points(scope: Scope, grid: str | None = None) -> list[dict]:
    return layers.event_points(reader(), scope, grid)


@st.cache_data(ttl=SHAPES_TTL_S, show_spinner=False)
def grid_shape(code: str) -> dict | None:
    return layers.grid_shape(reader(), code)


# Event detail is read fresh on every run: dispatchers act on it.
def event(scope: Scope, event_id: int) -> dict:
    return events.get_event(pool(), scope, event_id)


def timeline(event_id: int) -> list[dict]:
    return events.timeline(pool(), event_id)


def duplicates(ev: dict) -> list[dict]:
    return events.duplicates(pool(), ev)


@st.cache_data(ttl=SHAPES_TTL_S, show_spinner=False)
def category_classes() -> list[dict]:
    return overview.category_classes(reader())


@st.cache_data(ttl=SHAPES_TTL_S, show_spinner=False)
def children(scope: Scope) -> list[dict]:
    return places.children(reader(), scope)


# ------------------------------------------------------------------ dispatch (live, not cached)
def dispatch_queue(actor, statuses: tuple[str, ...], all_levels: bool, overdue_only: bool,
                   event_id: int | None = None) -> list[dict]:
    return dispatch.queue(pool(), actor, statuses, all_levels=all_levels, overdue_only=overdue_only,
                          event_id=event_id)


_ESCALATION_EVERY_S = 60
_last_escalation = [0.0]


def escalate_overdue() -> list[int]:
    """Run the escalation job at most once a minute per server process, however many dispatch
    consoles refresh (it is one set-based statement; `python -m loaders escalate` does it for cron)."""
    import time

    now = time.monotonic()
    if now - _last_escalation[0] < _ESCALATION_EVERY_S:
        return []
    _last_escalation[0] = now
    with pool().connection() as conn:
        return deadlines.escalate_overdue(conn)


def nearest_staff(lon: float, lat: float, k: int = 6) -> list[dict]:
    with pool().connection() as conn:
        return routing.nearest_staff(conn, lon, lat, k)


def act_many(versions: dict, action: str, actor, **kwargs):
    return workflow.act_many(pool(), versions, action, actor, **kwargs)


def submit_reports(reports: list) -> list[int]:
    with pool().connection() as conn:
        return intake.submit(conn, reports)


@st.cache_data(ttl=SHAPES_TTL_S, show_spinner=False)
def departments() -> list[dict]:
    return overview.catalogue(reader(), "departments")


@st.cache_data(ttl=SHAPES_TTL_S, show_spinner=False)
def teams() -> list[dict]:
    return overview.catalogue(reader(), "enforcement_teams")


@st.cache_data(ttl=SHAPES_TTL_S, show_spinner=False)
def categories_catalogue() -> list[dict]:
    return overview.catalogue(reader(), "event_categories")


@st.cache_data(ttl=FIGURES_TTL_S, show_spinner=False)
def evaluate(scope: Scope, group: str, start, end) -> list[dict]:
    return evaluation.evaluate(reader(), scope, group, start, end)


# ------------------------------------------------------------------ hazards
@st.cache_data(ttl=SHAPES_TTL_S, show_spinner=False)
def hazard_sites(scope: Scope, levels: tuple[int, ...] = (), cas: str | None = None) -> list[dict]:
    return register.sites(reader(), scope, levels, cas)


@st.cache_data(ttl=SHAPES_TTL_S, show_spinner=False)
def hazard_site(scope: Scope, site_id: int) -> dict:
    return register.site(reader(), scope, site_id)


@st.cache_data(ttl=SHAPES_TTL_S, show_spinner=False)
def chemicals() -> list[dict]:
    return register.chemicals(reader())


@st.cache_data(ttl=SHAPES_TTL_S, show_spinner=False)
def exposure(site: dict, radii: tuple[int, ...]):
    with reader().connection() as conn:
        return analysis.exposure(conn, site, radii)


def with_conn(fn, *args, **kwargs):
    """Run a geo function that takes a connection (scenario analysis: fresh, not cached)."""
    with pool().connection() as conn:
        return fn(conn, *args, **kwargs)
