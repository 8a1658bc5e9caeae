"""Cached access to geo/ for the signed-in viewer.

The pool (st.cache_resource) connects as the app role (APP_DATABASE_URL). Every connection a page
gets is one transaction that first sets the viewer's scope, so row-level security filters every
table (geo/access.py). Aggregates are cached (st.cache_data, short TTL) per scope, not per user:
two town leaders of the same town share figures, a town leader never gets the city's.
"""
from __future__ import annotations

import functools

import streamlit as st

from geo import (
    access,
    audit,
    auth,
    db,
    deadlines,
    dispatch,
    evaluation,
    events,
    intake,
    layers,
    masking,
    overview,
    places,
    routing,
    workflow,
)
from geo.errors import DataUnavailable
from geo.hazards import analysis, register
from geo.scope import Scope

FIGURES_TTL_S = 30       # live figures
SHAPES_TTL_S = 600       # polygons change only on import
VIEWER_KEY = "viewer"


@st.cache_resource(show_spinner=False)
def pool():
    """The primary: every write, and the reads when there is no usable replica."""
    return db.make_pool(db.app_database_url())


@st.cache_resource(show_spinner=False)
def _replica_pool():
    url = db.replica_url()
    if not url:
        return None
    from psycopg.rows import dict_row
    from psycopg_pool import ConnectionPool
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


def viewer() -> access.Viewer:
    """The signed-in account (app.py lets no page run without one)."""
    v = st.session_state.get(VIEWER_KEY)
    if v is None:
        raise DataUnavailable("no signed-in viewer", "请先登录。")
    return v


def live() -> access.ScopedPool:
    """Fresh (uncached) reads and every write, in the viewer's scope and under their name."""
    return access.ScopedPool(pool(), viewer())


def shared(ttl: int):
    """Cache a reader function `fn(db, *args)` per viewer scope: the cache key holds the scope, and
    `db` is the reader pool scoped to it."""
    def deco(fn):
        def scoped(viewer_scope: Scope, *args, **kwargs):
            return fn(access.ScopedPool(reader(), scope=viewer_scope), *args, **kwargs)
        # Streamlit keys a cache by the function's name and source: give it fn's.
        functools.update_wrapper(scoped, fn)
        cached = st.cache_data(ttl=ttl, show_spinner=False)(scoped)

        @functools.wraps(fn)
        def public(*args, **kwargs):
            return cached(viewer().scope, *args, **kwargs)
        public.clear = cached.clear
        return public
    return deco


@shared(FIGURES_TTL_S)
def kpis(db, scope: Scope, days: int = 30) -> overview.Kpis:
    return overview.kpis(db, scope, days=days)


@shared(FIGURES_TTL_S)
def area_figures(db, scope: Scope, days: int = 30) -> list[dict]:
    return overview.area_figures(db, scope, days=days)


@shared(SHAPES_TTL_S)
def area_shapes(db, scope: Scope) -> list[dict]:
    return overview.area_shapes(db, scope)


@st.cache_data(ttl=SHAPES_TTL_S, show_spinner=False)
def county_outline() -> dict | None:
    return overview.county_outline(reader())


@shared(FIGURES_TTL_S * 4)
def density(db, scope: Scope, days: int = 30) -> list[dict]:
    return overview.density(db, scope, days=days)


@shared(SHAPES_TTL_S)
def chem_sites(db, scope: Scope) -> list[dict]:
    return overview.chem_sites(db, scope)


@st.cache_data(ttl=SHAPES_TTL_S, show_spinner=False)
def dataset_info() -> dict | None:
    return overview.dataset_info(reader())


@shared(FIGURES_TTL_S)
def trend(db, scope: Scope, days: int = 30) -> list[dict]:
    return overview.trend(db, scope, days=days)


@shared(FIGURES_TTL_S)
def categories(db, scope: Scope, days: int = 30) -> list[dict]:
    return overview.categories(db, scope, days=days)


@shared(FIGURES_TTL_S)
def latest_events(db, scope: Scope, limit: int = 12) -> list[dict]:
    return overview.latest_events(db, scope, limit)


@shared(FIGURES_TTL_S)
def overdue_events(db, scope: Scope, limit: int = 12) -> list[dict]:
    return overview.overdue_events(db, scope, limit)


@shared(FIGURES_TTL_S)
def urgent_events(db, scope: Scope, limit: int = 5) -> list[dict]:
    return overview.urgent_events(db, scope, limit)


@shared(SHAPES_TTL_S)
def resolve_path(db, town: str | None, village: str | None, grid: str | None) -> places.Path:
    return places.resolve_path(db, town, village, grid)


@shared(FIGURES_TTL_S)
def list_events(db, scope: Scope, flt: events.EventFilter, limit: int = 300):
    return events.list_events(db, scope, flt, limit)


@shared(FIGURES_TTL_S)
def staff_summary(db, scope: Scope, grid: str | None = None) -> list[dict]:
    return layers.staff_summary(db, scope, grid)


@shared(FIGURES_TTL_S)
def _staff_list(db, scope: Scope, grid: str | None = None, on_duty_only: bool = False) -> list[dict]:
    return layers.staff_list(db, scope, grid, on_duty_only)


def staff_list(scope: Scope, grid: str | None = None, on_duty_only: bool = False) -> list[dict]:
    """Staff of the scope as the viewer may see them (names masked on the wall, phones always)."""
    return masking.for_viewer(_staff_list(scope, grid, on_duty_only), viewer().sees_personal_data,
                              names=("name",), phones=("phone",))


@shared(SHAPES_TTL_S)
def dedicated_grids(db, scope: Scope, overlapping_grid: str | None = None) -> list[dict]:
    return layers.dedicated_grids(db, scope, overlapping_grid)


@shared(SHAPES_TTL_S)
def resources(db, scope: Scope) -> list[dict]:
    return layers.resources(db, scope)


@shared(FIGURES_TTL_S)
def event_points(db, scope: Scope, grid: str | None = None) -> list[dict]:
    return layers.event_points(db, scope, grid)


@shared(SHAPES_TTL_S)
def grid_shape(db, code: str) -> dict | None:
    return layers.grid_shape(db, code)


# Event detail is read fresh on every run: dispatchers act on it.
def event(scope: Scope, event_id: int) -> dict:
    ev = events.get_event(live(), scope, event_id)
    return masking.for_viewer([ev], viewer().sees_personal_data, names=("reporter", "assignee"),
                              phones=("assignee_phone",))[0]


def timeline(event_id: int) -> list[dict]:
    return masking.for_viewer(events.timeline(live(), event_id), viewer().sees_personal_data, names=("actor",))


def search_events(q: str) -> list[dict]:
    return events.search(live(), q)


def duplicates(ev: dict) -> list[dict]:
    return events.duplicates(live(), ev)


@shared(FIGURES_TTL_S)
def town_ranking(db, days: int = 30) -> list[dict]:
    return overview.town_ranking(db, days)


@shared(FIGURES_TTL_S)
def village_ranking(db, town: str, days: int = 30) -> list[dict]:
    return overview.village_ranking(db, town, days)


@st.cache_data(ttl=SHAPES_TTL_S, show_spinner=False)
def category_classes() -> list[dict]:
    return overview.category_classes(reader())


@shared(SHAPES_TTL_S)
def children(db, scope: Scope) -> list[dict]:
    return places.children(db, scope)


# ------------------------------------------------------------------ dispatch (live, not cached)
def dispatch_queue(actor, statuses: tuple[str, ...], all_levels: bool, overdue_only: bool,
                   event_id: int | None = None, search: str | None = None) -> list[dict]:
    rows = dispatch.queue(live(), actor, statuses, all_levels=all_levels, overdue_only=overdue_only,
                          event_id=event_id, search=search)
    return masking.for_viewer(rows, viewer().sees_personal_data, names=("assignee",))


_ESCALATION_EVERY_S = 60
_last_escalation: dict[object, float] = {}


def escalate_overdue() -> list[int]:
    """Run the escalation job at most once a minute per server process and scope, however many
    dispatch consoles refresh (one set-based statement; row-level security confines it to the
    dispatcher's area; `python -m loaders escalate` does the whole county for cron)."""
    import time

    v = viewer()
    now = time.monotonic()
    if now - _last_escalation.get(v.scope, 0.0) < _ESCALATION_EVERY_S:
        return []
    _last_escalation[v.scope] = now
    with live().connection() as conn:
        moved = deadlines.escalate_overdue(conn)
        if moved:
            audit.record(conn, v.username, v.role, "auto_escalate", None, events=len(moved))
        return moved


def nearest_staff(lon: float, lat: float, k: int = 6) -> list[dict]:
    with live().connection() as conn:
        return routing.nearest_staff(conn, lon, lat, k)


def act_many(versions: dict, action: str, **kwargs):
    """Act as the signed-in viewer (Forbidden for accounts that only look)."""
    done, refused = workflow.act_many(live(), versions, action, viewer().actor(), **kwargs)
    if done:
        invalidate_figures()
    return done, refused


def submit_reports(reports: list) -> list[int]:
    """Report as the signed-in account: the reporter on the event and its first log row is the
    account (its role and name), whatever the page passed."""
    import dataclasses

    v = viewer()
    actor = v.actor()   # wall, town leader and admin accounts do not report
    reports = [dataclasses.replace(r, reporter=actor.label) for r in reports]
    with live().connection() as conn:
        ids = intake.submit(conn, reports)
        audit.record(conn, v.username, v.role, "report", f"events:{ids[0]}-{ids[-1]}" if ids else None,
                     count=len(ids))
    invalidate_figures()
    return ids


@st.cache_data(ttl=SHAPES_TTL_S, show_spinner=False)
def departments() -> list[dict]:
    return overview.catalogue(reader(), "departments")


@st.cache_data(ttl=SHAPES_TTL_S, show_spinner=False)
def teams() -> list[dict]:
    return overview.catalogue(reader(), "enforcement_teams")


@st.cache_data(ttl=SHAPES_TTL_S, show_spinner=False)
def categories_catalogue() -> list[dict]:
    return overview.catalogue(reader(), "event_categories")


@shared(FIGURES_TTL_S)
def evaluate(db, scope: Scope, group: str, start, end) -> list[dict]:
    return evaluation.evaluate(db, scope, group, start, end)


# ------------------------------------------------------------------ hazards
@shared(SHAPES_TTL_S)
def hazard_sites(db, scope: Scope, levels: tuple[int, ...] = (), cas: str | None = None) -> list[dict]:
    return register.sites(db, scope, levels, cas)


@shared(SHAPES_TTL_S)
def hazard_site(db, scope: Scope, site_id: int) -> dict:
    return register.site(db, scope, site_id)


@st.cache_data(ttl=SHAPES_TTL_S, show_spinner=False)
def chemicals() -> list[dict]:
    return register.chemicals(reader())


@shared(SHAPES_TTL_S)
def exposure(db, site: dict, radii: tuple[int, ...]):
    with db.connection() as conn:
        return analysis.exposure(conn, site, radii)


def report_drill(lon: float, lat: float, description: str) -> int:
    """The scenario's incident as a drill in the dispatch queue (a write: caches refreshed)."""
    eid = with_conn(analysis.report_incident, lon, lat, description)
    invalidate_figures()
    return eid


def with_conn(fn, *args, **kwargs):
    """Run a geo function that takes a connection (scenario analysis: fresh, not cached)."""
    with live().connection() as conn:
        return fn(conn, *args, **kwargs)


# ------------------------------------------------------------------ accounts and audit (admin)
def login(username: str, password: str) -> tuple[access.Viewer, str]:
    return auth.login(pool(), username, password)


def resume(token: str | None) -> access.Viewer | None:
    return auth.resume(pool(), token)


def touch(token: str) -> None:
    auth.touch(pool(), token)


def logout(token: str | None, reason: str = "logout") -> None:
    auth.end_session(pool(), viewer(), token, reason)


def users() -> list[dict]:
    viewer().require_admin()
    return auth.list_users(live())


def admin_change(fn, *args, **kwargs):
    """One user-management change (geo.auth.*) in one transaction, audited under the admin's name."""
    v = viewer()
    v.require_admin()
    with live().connection() as conn:
        return fn(conn, v.username, *args, **kwargs)


def audit_rows(**filters) -> list[dict]:
    viewer().require_admin()
    return audit.read(live(), **filters)


# ------------------------------------------------------------------ data import (admin)
def import_check(kind: str, path, opts):
    """Validate a file (nothing written): (report, prepared rows)."""
    from loaders.importer import grids, points

    viewer().require_admin()
    with live().connection() as conn:
        if kind == "grids":
            return grids.prepare(conn, path, opts)
        return points.prepare(conn, kind, path, opts)


def import_events(path, source: str, datum: str, encoding: str | None, dry_run: bool):
    """An event export: checked (dry run) or loaded, in one transaction with its audit row."""
    from loaders.importer import events as event_import

    v = viewer()
    v.require_admin()
    with live().connection() as conn:
        result = event_import.load(conn, path, source=source, datum=datum, encoding=encoding, dry_run=dry_run)
        if not dry_run:
            audit.record(conn, v.username, v.role, "import", f"events:{path.name}", ok=result.written,
                         inserted=result.inserted, unchanged=result.unchanged, changed=len(result.changed),
                         refused=len(result.refused))
    if result.written:
        invalidate_figures()
    return result


def invalidate_figures() -> None:
    """After a write that changes events or places: every cached figure and list is stale."""
    st.cache_data.clear()


def import_run(kind: str, path, opts):
    """Validate again and load, in one transaction with its audit row; the report says what happened."""
    from loaders.importer import grids, points

    v = viewer()
    v.require_admin()
    with live().connection() as conn:
        if kind == "grids":
            report = grids.import_file(conn, path, opts)
        else:
            report = points.import_file(conn, kind, path, opts)
        audit.record(conn, v.username, v.role, "import", f"{kind}:{path.name}", ok=bool(report.written),
                     inserted=report.inserted, updated=report.updated, unchanged=report.unchanged,
                     events_reassigned=report.events_reassigned, refused=len(report.refused))
    invalidate_figures()
    return report
