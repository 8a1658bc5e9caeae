"""Things shown on the maps and in the side tables: staff, dedicated grids, emergency resources,
event points. Each takes the viewer's Scope (and optionally a grid inside it)."""
from __future__ import annotations

import json

from geo.scope import Scope
from geo.sqlfiles import query


def staff_summary(pool, scope: Scope, grid: str | None = None) -> list[dict]:
    """Per role: total and on duty."""
    return query(pool, "staff_summary", {**scope.params(), "grid": grid})


def staff_list(pool, scope: Scope, grid: str | None = None, on_duty_only: bool = False,
               limit: int = 500) -> list[dict]:
    return query(pool, "staff_list", {**scope.params(), "grid": grid, "on_duty_only": on_duty_only,
                                      "limit": limit})


def dedicated_grids(pool, scope: Scope, overlapping_grid: str | None = None,
                    tolerance_m: float = 5.0) -> list[dict]:
    """Dedicated grids in the scope (or overlapping one grid), with simplified GeoJSON."""
    rows = query(pool, "dedicated_grids", {**scope.params(), "grid": overlapping_grid,
                                           "tolerance_m": tolerance_m})
    for r in rows:
        r["geometry"] = json.loads(r.pop("geojson"))
    return rows


def resources(pool, scope: Scope) -> list[dict]:
    return query(pool, "emergency_resources", scope.params())


def event_points(pool, scope: Scope, grid: str | None = None, days: int = 30,
                 limit: int = 3000) -> list[dict]:
    """Recent event points for a village or grid map (never the whole county: that is density)."""
    return query(pool, "event_points", {**scope.params(), "grid": grid, "days": days, "limit": limit})


def grid_shape(pool, code: str, tolerance_m: float = 2.0) -> dict | None:
    rows = query(pool, "grid_shape", {"code": code, "tolerance_m": tolerance_m})
    return json.loads(rows[0]["geojson"]) if rows else None
