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
    return db.make_pool()


@st.cache_data(ttl=FIGURES_TTL_S, show_spinner=False)
def kpis(scope: Scope, days: int = 30) -> overview.Kpis:
    return overview.kpis(pool(), scope, days=days)


@st.cache_data(ttl=FIGURES_TTL_S, show_spinner=False)
def area_figures(scope: Scope, days: int = 30) -> list[dict]:
    return overview.area_figures(pool(), scope, days=days)


@st.cache_data(ttl=SHAPES_TTL_S, show_spinner=False)
def area_shapes(scope: Scope) -> list[dict]:
    return overview.area_shapes(pool(), scope)


@st.cache_data(ttl=SHAPES_TTL_S, show_spinner=False)
def county_outline() -> dict | None:
    return overview.county_outline(pool())


@st.cache_data(ttl=FIGURES_TTL_S * 4, show_spinner=False)
def density(scope: Scope, days: int = 30) -> list[dict]:
    return overview.density(pool(), scope, days=days)


@st.cache_data(ttl=SHAPES_TTL_S, show_spinner=False)
def chem_sites(scope: Scope) -> list[dict]:
    return overview.chem_sites(pool(), scope)


@st.cache_data(ttl=SHAPES_TTL_S, show_spinner=False)
def dataset_info() -> dict | None:
    return overview.dataset_info(pool())


@st.cache_data(ttl=FIGURES_TTL_S, show_spinner=False)
def trend(scope: Scope, days: int = 30) -> list[dict]:
    return overview.trend(pool(), scope, days=days)


@st.cache_data(ttl=FIGURES_TTL_S, show_spinner=False)
def categories(scope: Scope, days: int = 30) -> list[dict]:
    return overview.categories(pool(), scope, days=days)


@st.cache_data(ttl=FIGURES_TTL_S, show_spinner=False)
def latest_events(scope: Scope, limit: int = 12) -> list[dict]:
    return overview.latest_events(pool(), scope, limit)


@st.cache_data(ttl=SHAPES_TTL_S, show_spinner=False)
def resolve_path(town: str | None, village: str | None, grid: str | None) -> places.Path:
    return places.resolve_path(pool(), town, village, grid)


@st.cache_data(ttl=FIGURES_TTL_S, show_spinner=False)
def list_events(scope: Scope, flt: events.EventFilter, limit: int = 300):
    return events.list_events(pool(), scope, flt, limit)


@st.cache_data(ttl=FIGURES_TTL_S, show_spinner=False)
def staff_summary(scope: Scope, grid: str | None = None) -> list[dict]:
    return layers.staff_summary(pool(), scope, grid)


@st.cache_data(ttl=FIGURES_TTL_S, show_spinner=False)
def staff_list(scope: Scope, grid: str | None = None, on_duty_only: bool = False) -> list[dict]:
    return layers.staff_list(pool(), scope, grid, on_duty_only)


@st.cache_data(ttl=SHAPES_TTL_S, show_spinner=False)
def dedicated_grids(scope: Scope, overlapping_grid: str | None = None) -> list[dict]:
    return layers.dedicated_grids(pool(), scope, overlapping_grid)


@st.cache_data(ttl=SHAPES_TTL_S, show_spinner=False)
def resources(scope: Scope) -> list[dict]:
    return layers.resources(pool(), scope)


@st.cache_data(ttl=FIGURES_TTL_S, show_spinner=False)
def event_points(scope: Scope, grid: str | None = None) -> list[dict]:
    return layers.event_points(pool(), scope, grid)


@st.cache_data(ttl=SHAPES_TTL_S, show_spinner=False)
def grid_shape(code: str) -> dict | None:
    return layers.grid_shape(pool(), code)


# Event detail is read fresh on every run: dispatchers act on it.
def event(scope: Scope, event_id: int) -> dict:
    return events.get_event(pool(), scope, event_id)


def timeline(event_id: int) -> list[dict]:
    return events.timeline(pool(), event_id)


def duplicates(ev: dict) -> list[dict]:
    return events.duplicates(pool(), ev)


@st.cache_data(ttl=SHAPES_TTL_S, show_spinner=False)
def category_classes() -> list[dict]:
    return overview.category_classes(pool())


@st.cache_data(ttl=SHAPES_TTL_S, show_spinner=False)
def children(scope: Scope) -> list[dict]:
    return places.children(pool(), scope)


# ------------------------------------------------------------------ dispatch (live, not cached)
def dispatch_queue(actor, statuses: tuple[str, ...], all_levels: bool, overdue_only: bool,
                   event_id: int | None = None) -> list[dict]:
    return dispatch.queue(pool(), actor, statuses, all_levels=all_levels, overdue_only=overdue_only,
                          event_id=event_id)


def escalate_overdue() -> list[int]:
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
    return overview.catalogue(pool(), "departments")


@st.cache_data(ttl=SHAPES_TTL_S, show_spinner=False)
def teams() -> list[dict]:
    return overview.catalogue(pool(), "enforcement_teams")


@st.cache_data(ttl=SHAPES_TTL_S, show_spinner=False)
def categories_catalogue() -> list[dict]:
    return overview.catalogue(pool(), "event_categories")


@st.cache_data(ttl=FIGURES_TTL_S, show_spinner=False)
def evaluate(scope: Scope, group: str, start, end) -> list[dict]:
    return evaluation.evaluate(pool(), scope, group, start, end)


# ------------------------------------------------------------------ hazards
@st.cache_data(ttl=SHAPES_TTL_S, show_spinner=False)
def hazard_sites(scope: Scope, levels: tuple[int, ...] = (), cas: str | None = None) -> list[dict]:
    return register.sites(pool(), scope, levels, cas)


@st.cache_data(ttl=SHAPES_TTL_S, show_spinner=False)
def hazard_site(scope: Scope, site_id: int) -> dict:
    return register.site(pool(), scope, site_id)


@st.cache_data(ttl=SHAPES_TTL_S, show_spinner=False)
def chemicals() -> list[dict]:
    return register.chemicals(pool())


@st.cache_data(ttl=SHAPES_TTL_S, show_spinner=False)
def exposure(site: dict, radii: tuple[int, ...]):
    with pool().connection() as conn:
        return analysis.exposure(conn, site, radii)


def with_conn(fn, *args, **kwargs):
    """Run a geo function that takes a connection (scenario analysis: fresh, not cached)."""
    with pool().connection() as conn:
        return fn(conn, *args, **kwargs)
