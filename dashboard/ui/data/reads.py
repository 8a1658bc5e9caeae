"""Reads for the pages: cached aggregates per scope (st.cache_data through `shared`), fresh reads for
what dispatchers act on, and personal data masked here for viewers without the right to see it
(geo/roles.py, geo.masking.for_viewer), so pages show what they get."""
from __future__ import annotations

import streamlit as st

from dashboard.ui.data.pools import FIGURES_TTL_S, SHAPES_TTL_S, live, pool, reader, shared, viewer
from geo import access, addresses, assessment, dispatch, evaluation, events, intake, layers, masking, notify, onemap, overview, patrols, places, routing
from geo import photos as geo_photos
from geo import warning as geo_warning
from geo.hazards import analysis, register
from geo.scope import Scope


@shared(FIGURES_TTL_S)
def kpis(db, scope: Scope, days: int = 30) -> overview.Kpis:
    return overview.kpis(db, scope, days=days)


@shared(FIGURES_TTL_S)
def patrol_coverage(db, town_code: str | None, start, days: int = 7) -> list[dict]:
    """铁脚板: this week's patrol coverage per village of a town (per town for the city)."""
    return patrols.coverage(db, town_code, start, days)


@shared(FIGURES_TTL_S)
def town_standing(db, scope: Scope, town_code: str, first, today) -> tuple[dict | None, int]:
    """考核: the town's score and rank among the 17 in a month (aggregates of every town)."""
    return assessment.town_standing(db, town_code, first, today)


@shared(FIGURES_TTL_S)
def town_trend(db, scope: Scope, town_code: str, today) -> list[dict]:
    return assessment.town_trend(db, town_code, today)


@shared(FIGURES_TTL_S)
def early_warnings(db, scope: Scope, days: int = 7) -> list[dict]:
    """铁脚板: the early warnings of the last `days` days in the viewer's area (row-level security)."""
    return geo_warning.listing(db, days)


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


def photos(event_id: int) -> list[dict]:
    """The event's photos (处置前/处置后) with their bytes; none for an account that does not see
    personal data (the wall: a photo may show faces and number plates)."""
    if not viewer().sees_personal_data:
        return []
    rows = geo_photos.list_for(live(), event_id)       # the viewer's scope decides which photos
    content = _photo_bytes(tuple(r["id"] for r in rows), viewer()) if rows else {}
    for r in rows:
        r["content"] = content.get(r["id"])
    return rows


# A stored photo never changes: its bytes are read once per process, not on every 30-second refresh
# of 调度台. Only ids the viewer's own (scoped) list returned reach this cache.
@st.cache_resource(max_entries=256, show_spinner=False)
def _photo_bytes(photo_ids: tuple[int, ...], _viewer: access.Viewer) -> dict[int, bytes]:
    return geo_photos.contents(access.ScopedPool(pool(), _viewer), list(photo_ids))


def urges(event_id: int) -> list[dict]:
    """催办/督办 of one event, newest first, with their delivery state."""
    return masking.for_viewer(notify.urges_of(live(), event_id), viewer().sees_personal_data, names=("by_user",))


def urge_counts(event_ids: list[int]) -> dict[int, int]:
    return notify.urge_counts(live(), event_ids)


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


def address_candidates(text: str):
    """What the address register makes of an address (geo.addresses.Match): candidates, best first."""
    with live().connection() as conn:
        return addresses.match_one(conn, text)


def address_review(limit: int = 200) -> list[dict]:
    """The open rows of the address review queue this viewer sees (its area's imports)."""
    with live().connection() as conn:
        return addresses.review_open(conn, limit)


def address_count() -> int:
    with live().connection() as conn:
        return addresses.review_count(conn)


def point_preview(lon: float, lat: float, datum: str = "wgs84"):
    """Where a report at the point would land for this viewer (place, or the refusal)."""
    with live().connection() as conn:
        return intake.point_preview(conn, lon, lat, datum)


# ------------------------------------------------------------------ dispatch (live, not cached)
def dispatch_queue(actor, statuses: tuple[str, ...], all_levels: bool, overdue_only: bool,
                   event_id: int | None = None, search: str | None = None) -> list[dict]:
    rows = dispatch.queue(live(), actor, statuses, all_levels=all_levels, overdue_only=overdue_only,
                          event_id=event_id, search=search)
    return masking.for_viewer(rows, viewer().sees_personal_data, names=("assignee",))


def nearest_staff(lon: float, lat: float, k: int = 6) -> list[dict]:
    with live().connection() as conn:
        return routing.nearest_staff(conn, lon, lat, k)


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


def incident_zone(event_id: int) -> dict | None:
    """The zone saved with an incident (事故推演), fresh."""
    with live().connection() as conn:
        return analysis.incident_zone(conn, event_id)


def with_conn(fn, *args, **kwargs):
    """Run a geo function that takes a connection (scenario analysis: fresh, not cached)."""
    with live().connection() as conn:
        return fn(conn, *args, **kwargs)


# ----------------------------------------------------------------------------- 一张图 (geo/onemap.py)

@shared(SHAPES_TTL_S)
def base_summary(db, scope: Scope, area: str | None = None) -> list[dict]:
    return onemap.base_summary(db, scope, area)


@shared(FIGURES_TTL_S)
def _duty(db, scope: Scope) -> list[dict]:
    return onemap.duty(db, scope)


def duty(scope: Scope) -> list[dict]:
    """Grid workers and police on the map, names masked for viewers without personal data, phones always."""
    return masking.for_viewer(_duty(scope), viewer().sees_personal_data, names=("name",), phones=("phone",))


@shared(FIGURES_TTL_S)
def duty_counts(db, scope: Scope) -> dict[str, dict]:
    return onemap.duty_counts(db, scope)


@shared(FIGURES_TTL_S)
def coverage(db, scope: Scope) -> list[dict]:
    return onemap.coverage(db, scope)


def worker(staff_id: int) -> dict:
    """One worker (fresh, in the viewer's scope), masked as the viewer may see them."""
    w = onemap.worker(live(), staff_id)
    return masking.for_viewer([w], viewer().sees_personal_data, names=("name",), phones=("phone",))[0]


def track(staff_id: int) -> list[dict]:
    return onemap.track(live(), staff_id)


@shared(SHAPES_TTL_S)
def service_points(db, scope: Scope) -> list[dict]:
    return onemap.service_points(db, scope)


@shared(SHAPES_TTL_S)
def enterprises(db, scope: Scope) -> list[dict]:
    return onemap.enterprises(db, scope)


@shared(SHAPES_TTL_S)
def enterprise_counts(db, scope: Scope, area: str | None = None) -> list[dict]:
    return onemap.enterprise_counts(db, scope, area)


def inspections(enterprise_id: int) -> list[dict]:
    return onemap.inspections(live(), enterprise_id)


@shared(SHAPES_TTL_S)
def onemap_villages(db, scope: Scope) -> list[dict]:
    return onemap.villages(db, scope)


@shared(SHAPES_TTL_S)
def assistance_counts(db, scope: Scope, area: str | None = None) -> list[dict]:
    return onemap.assistance_counts(db, scope, area)


def assistance_households(village: str | None = None, class_code: str | None = None) -> list[dict]:
    """Never cached per scope: who may read these depends on the role, not only the scope (row-level
    security answers each viewer in their own session). Phones masked."""
    rows = onemap.assistance_households(live(), viewer().scope, village, class_code)
    return masking.for_viewer(rows, True, phones=("phone",))


@shared(FIGURES_TTL_S * 4)
def assess(db, scope: Scope, unit: str, first, today) -> list[dict]:
    return assessment.assess(db, scope, unit, first, today)
