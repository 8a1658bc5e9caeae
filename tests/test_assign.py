"""Point -> grid: every point in the county gets exactly one third-level grid, by a written rule."""
from __future__ import annotations

import numpy as np
import pytest
import shapely

from geo import assign, coords
from geo.errors import InvalidInput, OutsideCounty


def _neighbours(conn):
    """Two adjacent third-level grids and one vertex of their shared edge."""
    return conn.execute("""
        SELECT a.code, b.code, ST_AsBinary(ST_Intersection(a.geom, b.geom))
          FROM grids a JOIN grids b ON a.code < b.code AND ST_Touches(a.geom, b.geom)
         WHERE a.level = 3 AND b.level = 3 AND a.kind = 'admin' AND b.kind = 'admin'
           AND ST_Length(ST_Intersection(a.geom, b.geom)) > 0
         ORDER BY a.code, b.code LIMIT 5""").fetchall()


def _candidates(conn, x, y):
    """Brute force: the admin third-level grids whose closed polygon contains the point."""
    return sorted(r[0] for r in conn.execute(
        "SELECT code FROM grids WHERE level = 3 AND kind = 'admin' "
        "AND ST_Intersects(geom, ST_SetSRID(ST_MakePoint(%(x)s, %(y)s), 4490))", {"x": x, "y": y}))


def test_point_inside_a_grid_gets_that_grid(demo_conn):
    code, x, y = demo_conn.execute(
        "SELECT code, ST_X(p), ST_Y(p) FROM (SELECT code, ST_PointOnSurface(geom) p FROM grids "
        "WHERE level = 3 AND kind = 'admin' ORDER BY code LIMIT 1 OFFSET 100) s").fetchone()
    assert assign.grid_for_point(demo_conn, x, y) == code


def test_points_on_shared_edges_and_vertices_get_exactly_one_grid(demo_conn):
    pairs = _neighbours(demo_conn)
    assert pairs
    checked = 0
    for a, b, wkb in pairs:
        shared = shapely.from_wkb(bytes(wkb))
        line = max(shapely.get_parts(shapely.line_merge(shared)), key=lambda g: g.length)
        coords_ = shapely.get_coordinates(line)
        points = [tuple(coords_[0]), tuple(coords_[-1]),                 # vertices (often 3 grids)
                  tuple(shapely.get_coordinates(line.interpolate(0.5, normalized=True))[0])]  # an edge
        for x, y in points:
            got = assign.assign_points(demo_conn, [x], [y])
            assert len(got) == 1 and got[0] is not None
            cands = _candidates(demo_conn, x, y)
            if cands:
                assert got[0] == cands[0]          # the smallest code among the containing grids
            else:                                  # a floating-point hairline: nearest within 1 m
                assert got[0] in (a, b)
            checked += 1
    assert checked >= 10


def test_many_random_points_each_get_one_grid(demo_conn):
    county = shapely.from_wkb(bytes(demo_conn.execute("SELECT ST_AsBinary(geom) FROM county").fetchone()[0]))
    rng = np.random.default_rng(3)
    minx, miny, maxx, maxy = county.bounds
    x = rng.uniform(minx, maxx, 3000)
    y = rng.uniform(miny, maxy, 3000)
    inside = shapely.contains_xy(county, x, y)
    got = assign.assign_points(demo_conn, x, y)
    assert len(got) == 3000
    assert all(g is not None for g, i in zip(got, inside) if i)
    # Points outside the county get none, except within the 1 m tolerance of its edge.
    outside = [(g, xi, yi) for g, xi, yi, i in zip(got, x, y, inside) if not i]
    assert outside
    for g, xi, yi in outside:
        if g is not None:
            metres = demo_conn.execute(
                "SELECT ST_Distance(geom::geography, ST_SetSRID(ST_MakePoint(%(x)s, %(y)s), 4490)::geography) "
                "FROM county", {"x": float(xi), "y": float(yi)}).fetchone()[0]
            assert metres <= 1.0


def test_point_outside_the_county_is_refused(demo_conn):
    with pytest.raises(OutsideCounty) as exc:
        assign.grid_for_point(demo_conn, 120.30, 31.99)     # in the Yangtze, north of the county
    assert "不在江阴市范围内" in exc.value.message_zh
    with pytest.raises(OutsideCounty):
        assign.grid_for_point(demo_conn, 116.39, 39.90)     # Beijing


def test_gcj02_input_is_converted_before_assignment(demo_conn):
    code, x, y = demo_conn.execute(
        "SELECT code, ST_X(p), ST_Y(p) FROM (SELECT code, ST_PointOnSurface(geom) p FROM grids "
        "WHERE level = 3 AND kind = 'admin' ORDER BY code LIMIT 1 OFFSET 400) s").fetchone()
    gx, gy = coords.wgs84_to_gcj02(x, y)
    assert assign.grid_for_point(demo_conn, float(gx), float(gy), datum="gcj02") == code


@pytest.mark.parametrize("lon, lat", [(float("nan"), 31.9), (200.0, 31.9), (120.3, 95.0)])
def test_malformed_coordinates_are_refused(demo_conn, lon, lat):
    with pytest.raises(InvalidInput):
        assign.grid_for_point(demo_conn, lon, lat)
