"""Point -> third-level grid assignment (the rule lives in SQL: grid_for_point, migration 002).

Tie-break: among admin third-level grids whose closed polygon contains the point, the smallest
code; failing that (a floating-point hairline), the nearest grid within 1 m; else the point is
outside the county and refused.
"""
from __future__ import annotations

import numpy as np

from geo import db
from geo.coords import to_wgs84
from geo.crs import STORE_SRID
from geo.errors import InvalidInput, OutsideCounty

_SQL_MANY = """
SELECT p.i, grid_for_point(ST_SetSRID(ST_MakePoint(p.x, p.y), %(srid)s)) AS code
  FROM unnest(%(xs)s::float8[], %(ys)s::float8[]) WITH ORDINALITY AS p(x, y, i)
 ORDER BY p.i
"""


def _check_numbers(lon, lat):
    lon = np.atleast_1d(np.asarray(lon, dtype=float))
    lat = np.atleast_1d(np.asarray(lat, dtype=float))
    if lon.shape != lat.shape:
        raise InvalidInput("longitude and latitude lists differ in length", "经度和纬度数量不一致。")
    bad = ~np.isfinite(lon) | ~np.isfinite(lat) | (np.abs(lon) > 180) | (np.abs(lat) > 90)
    if bad.any():
        i = int(np.flatnonzero(bad)[0])
        raise InvalidInput(f"coordinate #{i + 1} ({lon[i]}, {lat[i]}) is not a longitude/latitude pair",
                           f"第{i + 1}个坐标（{lon[i]}, {lat[i]}）不是有效的经纬度。")
    return lon, lat


def assign_points(conn, lon, lat, datum: str = "wgs84") -> list[str | None]:
    """Grid codes for many points in one set-based statement; None where outside the county."""
    lon, lat = _check_numbers(lon, lat)
    x, y = to_wgs84(lon, lat, datum)
    rows = db.tuples(conn, _SQL_MANY, {"xs": list(map(float, x)), "ys": list(map(float, y)), "srid": STORE_SRID})
    return [r[1] for r in rows]


def grid_for_point(conn, lon: float, lat: float, datum: str = "wgs84") -> str:
    """The third-level grid of one point, or OutsideCounty."""
    code = assign_points(conn, [lon], [lat], datum)[0]
    if code is None:
        raise OutsideCounty(
            f"point ({lon}, {lat}, {datum}) is outside Jiangyin county; check the coordinates and "
            "their datum (WGS84 / GCJ-02 / BD-09)",
            f"坐标（{lon}, {lat}）不在江阴市范围内。请检查经纬度是否填反、坐标系（WGS84/GCJ-02/BD-09）是否选对。")
    return code
