"""Aggregates for the command views (city overview first), computed in PostGIS for a Scope.

Functions take a psycopg pool (or anything with .connection()), the viewer's Scope and, for
time-dependent figures, `now` (None = the database's now()); they return plain Python values.
"""
from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass

from geo import codes, metrics
from geo.db import dicts
from geo.scope import Scope
from geo.sqlfiles import query

# Simplification tolerance (metres) per level of the areas shown: towns on the county map, ...
TOLERANCE_M = {1: 60.0, 2: 25.0, 3: 8.0}


@dataclass(frozen=True)
class Kpis:
    reports_today: int
    open: int
    overdue: int
    closed_period: int
    closed_on_time: int
    mean_close_hours: float | None
    latest_report: dt.datetime | None
    period_days: int

    @property
    def on_time_rate(self) -> float | None:
        """Share of events closed in the period that closed within their limit (None if none)."""
        return metrics.rate(self.closed_on_time, self.closed_period)

    def value(self, key: str):
        """A figure by its catalogue key (geo/metrics.py)."""
        return {"reports_today": self.reports_today, "open": self.open, "overdue": self.overdue,
                "closed": self.closed_period, "closed_on_time": self.closed_on_time,
                "on_time_rate": self.on_time_rate, "mean_close_hours": self.mean_close_hours}[key]



def child_level(scope: Scope) -> int:
    return {"city": 1, "town": 2, "village": 3}[scope.level]


def kpis(pool, scope: Scope, now: dt.datetime | None = None, days: int = 30) -> Kpis:
    rows = query(pool, "overview_kpis", {**scope.params(), "now": now, "days": days})
    if not rows:
        return Kpis(0, 0, 0, 0, 0, None, None, days)
    r = rows[0]
    mean = None if r["mean_close_hours"] is None else float(r["mean_close_hours"])
    return Kpis(r["reports_today"], r["open"], r["overdue"], r["closed_period"],
                r["closed_on_time"], mean, r["latest_report"], days)


def area_figures(pool, scope: Scope, now: dt.datetime | None = None, days: int = 30) -> list[dict]:
    """One row per area one level below the scope, with open/overdue/today/on-time figures."""
    level = child_level(scope)
    rows = query(pool, "overview_area_figures", {
        **scope.params(), "now": now, "days": days, "child_level": level,
        "code_len": codes.length(level)})
    for r in rows:
        r["on_time_rate"] = metrics.rate(r["closed_on_time"], r["closed_period"])
    return rows


def area_shapes(pool, scope: Scope) -> list[dict]:
    """Simplified polygons (GeoJSON dicts) of the areas one level below the scope."""
    level = child_level(scope)
    rows = query(pool, "overview_area_shapes",
                 {**scope.params(), "child_level": level, "tolerance_m": TOLERANCE_M[level]})
    return [{"code": r["code"], "name": r["name"], "geometry": json.loads(r["geojson"])} for r in rows]


def county_outline(pool, tolerance_m: float = 60.0) -> dict | None:
    rows = query(pool, "county_outline", {"tolerance_m": tolerance_m})
    return json.loads(rows[0]["geojson"]) if rows else None


STATS_CELL_M = 1000   # the cell size of stats_cell_day (migration 005)


def density(pool, scope: Scope, now: dt.datetime | None = None, days: int = 30) -> list[dict]:
    """Event counts per 1 km square cell over the last `days` local days: n, and lon, lat of the
    cell's lower-left corner."""
    return query(pool, "overview_density", {**scope.params(), "now": now, "days": days,
                                            "cell_m": STATS_CELL_M})


def trend(pool, scope: Scope, now: dt.datetime | None = None, days: int = 30) -> list[dict]:
    """Per day of the last `days` days: events reported, closed, and closed within limit."""
    return query(pool, "overview_trend", {**scope.params(), "now": now, "days": days})


def categories(pool, scope: Scope, now: dt.datetime | None = None, days: int = 30) -> list[dict]:
    """Per category class: reported in the period, open now, overdue now."""
    return query(pool, "overview_categories", {**scope.params(), "now": now, "days": days})


def latest_events(pool, scope: Scope, limit: int = 12) -> list[dict]:
    return query(pool, "overview_latest", {**scope.params(), "limit": limit})


def overdue_events(pool, scope: Scope, limit: int = 12) -> list[dict]:
    """Open events past their deadline, the longest overdue first."""
    return query(pool, "overview_overdue", {**scope.params(), "limit": limit, "urgent_only": False})


def urgent_events(pool, scope: Scope, limit: int = 5) -> list[dict]:
    """Open 特急 events, newest first (pinned on the wall's ticker)."""
    return query(pool, "overview_overdue", {**scope.params(), "limit": limit, "urgent_only": True})


def chem_sites(pool, scope: Scope) -> list[dict]:
    return query(pool, "overview_chem_sites", scope.params())


def dataset_info(pool) -> dict | None:
    with pool.connection() as conn:
        rows = dicts(conn.execute("SELECT is_demo, source, params, loaded_at FROM dataset_info WHERE id = 1"))
        return rows[0] if rows else None


def category_classes(pool) -> list[dict]:
    """The top classes of the category catalogue (for filters)."""
    return query(pool, "category_classes", {})


_CATALOGUES = {
    "departments": "SELECT code, name, short_name FROM departments ORDER BY code",
    "enforcement_teams": "SELECT code, name, penalty_powers FROM enforcement_teams ORDER BY code",
    "event_categories": "SELECT code, name, class_code, class_name, department_code, team_code, "
                        "limit_value, limit_unit, default_level FROM event_categories ORDER BY code",
}


def catalogue(pool, name: str) -> list[dict]:
    """A reference catalogue (departments, enforcement_teams, event_categories)."""
    with pool.connection() as conn:
        cur = conn.execute(_CATALOGUES[name])
        return dicts(cur)


def town_ranking(pool, days: int = 30) -> list[dict]:
    """Per-town aggregates for the whole city (jy_town_ranking, migration 009). Any signed-in
    scope may read them, a town leader included: they expose counts, never rows."""
    with pool.connection() as conn:
        # the catalogue's names (geo/metrics.py) for the function's columns
        rows = dicts(conn.execute("SELECT town_code, town_name, open_events AS open, overdue_events AS overdue, "
                                  "reports_today, closed, closed_on_time, close_seconds "
                                  "FROM jy_town_ranking(%(d)s)", {"d": days}))
    for r in rows:
        r["on_time_rate"] = metrics.rate(r["closed_on_time"], r["closed"])
    return rows


def village_ranking(pool, town: str, days: int = 30) -> list[dict]:
    """Per-village aggregates of one town (jy_village_ranking, migration 009): what village staff
    compare their village with, although they see only its rows."""
    with pool.connection() as conn:
        rows = dicts(conn.execute("SELECT village_code, village_name, open_events AS open, overdue_events AS overdue, "
                                  "reports_today, closed, closed_on_time, close_seconds "
                                  "FROM jy_village_ranking(%(t)s, %(d)s)", {"t": town, "d": days}))
    for r in rows:
        r["on_time_rate"] = metrics.rate(r["closed_on_time"], r["closed"])
    return rows


def ranking_kpis(ranking: list[dict], days: int = 30) -> Kpis:
    """The parent's headline figures summed from a ranking (to compare one of its areas against)."""
    closed = sum(r["closed"] for r in ranking)
    return Kpis(sum(r["reports_today"] for r in ranking), sum(r["open"] for r in ranking),
                sum(r["overdue"] for r in ranking), closed, sum(r["closed_on_time"] for r in ranking),
                metrics.mean_hours(sum(r["close_seconds"] for r in ranking), closed), None, days)
