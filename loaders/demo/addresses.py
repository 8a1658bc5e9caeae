"""The demo's standard address register (标准地址库, 演示数据), consistent with the demo's event addresses.

Every demo event's address is "{village}{road}{n}号附近" with one of the demo's 20 road names and a
number 1–399 (loaders/demo/names.py). So every village gets a segment of each of those roads, drawn
across it (alternately east–west and north–south) and kept inside it, with odd numbers 1–399 on one
side and even 2–398 on the other; door plates every 25 numbers along them; two residential compounds
with their buildings in each community (社区); and the named places the demo already has (service
points, supervised enterprises, hazardous-chemical sites, emergency resources) as places. Deterministic:
the same grids give the same register. Written in the caller's transaction.
"""
from __future__ import annotations

import numpy as np
import pandas as pd
import shapely
from shapely.geometry import LineString
from shapely.ops import substring

from geo import db
from loaders.demo.names import ROADS

SEED = 20261205
ODD = (1, 399)
EVEN = (2, 398)
DOOR_EVERY = 25
COMPOUND_SUFFIXES = ["花园", "新村", "家园", "苑", "公寓", "小区"]

_PLACES = """
INSERT INTO address_points (code, kind, name, place_type, grid_code, village_code, town_code, geom, is_demo)
SELECT 'P-' || src.key, 'place', src.name, src.place_type, g.code, g.village_code, g.town_code, src.geom, true
  FROM (SELECT 'SP' || id AS key, name, kind AS place_type, location AS geom, grid_code FROM service_points WHERE is_demo
        UNION ALL
        SELECT 'SE' || id, name, 'enterprise', location, grid_code FROM supervised_enterprises WHERE is_demo
        UNION ALL
        SELECT 'CS' || id, name, 'chem_site', geom, grid_code FROM chem_sites WHERE is_demo
        UNION ALL
        SELECT 'ER' || id, name, kind, geom, grid_code FROM emergency_resources WHERE is_demo) src
  JOIN grids g ON g.code = src.grid_code
"""


def _road(poly, k: int) -> LineString | None:
    """Road k of a village: a line across it (even k east–west, odd k north–south) at the k//2-th of
    ten positions, the longest piece inside, trimmed 3 % at each end so every number lies inside."""
    minx, miny, maxx, maxy = poly.bounds
    f = (k // 2 + 0.5) / 10
    if k % 2 == 0:
        y = miny + f * (maxy - miny)
        line = LineString([(minx - 1e-3, y), (maxx + 1e-3, y)])
    else:
        x = minx + f * (maxx - minx)
        line = LineString([(x, miny - 1e-3), (x, maxy + 1e-3)])
    pieces = [p for p in shapely.get_parts(poly.intersection(line)) if isinstance(p, LineString) and p.length > 0]
    if not pieces:
        return None
    piece = max(pieces, key=lambda p: p.length)
    return substring(piece, 0.03, 0.97, normalized=True)


def _inside(rng, poly, n: int) -> list[tuple[float, float]]:
    minx, miny, maxx, maxy = poly.bounds
    out: list[tuple[float, float]] = []
    while len(out) < n:
        xs = rng.uniform(minx, maxx, 64)
        ys = rng.uniform(miny, maxy, 64)
        ok = shapely.contains_xy(poly, xs, ys)
        out += list(zip(xs[ok], ys[ok]))
    return out[:n]


def frames(villages: pd.DataFrame) -> tuple[pd.DataFrame, pd.DataFrame]:
    """(roads, points without grid) for villages (code, name, town_code, geom shapely)."""
    rng = np.random.default_rng(SEED)
    roads, points = [], []
    for v in villages.itertuples(index=False):
        poly = v.geom
        shapely.prepare(poly)
        for k, name in enumerate(ROADS):
            line = _road(poly, k)
            if line is None or line.is_empty:                  # a sliver of a village: through its inner point
                c = poly.representative_point()
                line = LineString([(c.x - 1e-5, c.y), (c.x + 1e-5, c.y)]) if k % 2 == 0 else \
                    LineString([(c.x, c.y - 1e-5), (c.x, c.y + 1e-5)])
            code = f"{v.code}-R{k + 1:02d}"
            roads.append({"code": code, "name": name, "village_code": v.code, "town_code": v.town_code,
                          "odd_from": ODD[0], "odd_to": ODD[1], "even_from": EVEN[0], "even_to": EVEN[1],
                          "geom": line})
            for n in range(DOOR_EVERY, ODD[1], DOOR_EVERY):
                lo, hi = ODD if n % 2 else EVEN
                p = line.interpolate((n - lo) / (hi - lo), normalized=True)
                points.append({"code": f"{code}-{n}", "kind": "door", "name": f"{name}{n}号", "road_code": code,
                               "number": n, "village_code": v.code, "town_code": v.town_code, "x": p.x, "y": p.y})
        if v.name.endswith("社区"):
            stem = v.name.removesuffix("社区")
            for j, suffix in enumerate(rng.choice(COMPOUND_SUFFIXES, 2, replace=False)):
                (cx, cy), = _inside(rng, poly, 1)
                compound = f"{stem}{suffix}"
                ccode = f"{v.code}-C{j + 1}"
                points.append({"code": ccode, "kind": "compound", "name": compound, "village_code": v.code,
                               "town_code": v.town_code, "x": cx, "y": cy})
                near = poly.intersection(shapely.Point(cx, cy).buffer(0.0008))
                for b, (bx, by) in enumerate(_inside(rng, near, int(rng.integers(6, 13))), start=1):
                    points.append({"code": f"{ccode}-B{b}", "kind": "building", "name": f"{compound}{b}幢",
                                   "village_code": v.code, "town_code": v.town_code, "x": bx, "y": by})
    return pd.DataFrame(roads), pd.DataFrame(points)


def load(conn) -> dict[str, int]:
    """Write the register for the grids in the database (the caller's transaction); the counts."""
    from geo.intake import Grids
    from loaders.demo.load import _ewkb, copy_frame

    rows = db.tuples(conn, "SELECT code, name, town_code, ST_AsBinary(geom) FROM grids WHERE level = 2 ORDER BY code")
    villages = pd.DataFrame({"code": [r[0] for r in rows], "name": [r[1] for r in rows],
                             "town_code": [r[2] for r in rows],
                             "geom": [shapely.from_wkb(bytes(r[3])) for r in rows]})
    roads, points = frames(villages)
    grid = Grids(conn).assign(conn, points["x"].to_numpy(float), points["y"].to_numpy(float))
    # a point the grid rule puts in a neighbour's grid (a hairline) stays out of the register
    same = np.array([g is not None and g[:12] == vc for g, vc in zip(grid, points["village_code"])], dtype=bool)
    points = points.assign(grid_code=grid)[same]
    with conn.cursor() as cur:
        n_roads = copy_frame(cur, "address_roads", roads.assign(geom=_ewkb(roads.geom), is_demo=True))
        pts = points.drop(columns=["x", "y"]).assign(
            geom=_ewkb(shapely.points(points["x"].to_numpy(float), points["y"].to_numpy(float))), is_demo=True)
        pts["number"] = pts["number"].astype("Int64")
        n_points = copy_frame(cur, "address_points", pts)
        n_places = cur.execute(_PLACES).rowcount
    return {"address_roads": n_roads, "address_points": n_points + n_places}


def missing(conn) -> bool:
    """A demo database loaded before the register existed."""
    return not db.value(conn, "SELECT EXISTS (SELECT 1 FROM address_roads)")
