"""Routing: who should handle an event. The category names the responsible department or
comprehensive enforcement team; the location names the town and village (locality first, then the
owner: 先属地后属主); the nearest on-duty grid workers and police come from a KNN search."""
from __future__ import annotations

from geo.crs import STORE_SRID
from geo.db import dicts
from geo.errors import InvalidInput

_NEAREST = """
SELECT s.id, s.name, s.role, s.grid_code, g.name AS grid_name, s.phone,
       ST_Distance(s.location::geography, p.g) AS distance_m
  FROM staff s JOIN grids g ON g.code = s.grid_code,
       (SELECT ST_SetSRID(ST_MakePoint(%(lon)s, %(lat)s), %(srid)s)::geography AS g) p
 WHERE s.on_duty AND s.role = ANY (%(roles)s::text[])
 ORDER BY s.location::geography <-> p.g
 LIMIT %(k)s
"""
_ROUTE = """
SELECT c.code, c.name, c.class_name, c.default_level, d.code AS department_code, d.name AS department,
       t.code AS team_code, t.name AS team
  FROM event_categories c JOIN departments d ON d.code = c.department_code
  LEFT JOIN enforcement_teams t ON t.code = c.team_code
 WHERE c.code = %(code)s
"""



def nearest_staff(conn, lon: float, lat: float, k: int = 5,
                  roles: tuple[str, ...] = ("grid_worker", "police")) -> list[dict]:
    """The k nearest on-duty staff (KNN on a geography GiST index), with distance in metres."""
    if not 1 <= k <= 100:
        raise InvalidInput("k must be 1..100", "推荐人数应为1至100。")
    return dicts(conn.execute(_NEAREST, {"lon": lon, "lat": lat, "srid": STORE_SRID,
                                         "roles": list(roles), "k": k}))


def route(conn, category_code: str) -> dict:
    rows = dicts(conn.execute(_ROUTE, {"code": category_code}))
    if not rows:
        raise InvalidInput(f"unknown category {category_code!r}", f"事件类别“{category_code}”不存在。")
    return rows[0]
