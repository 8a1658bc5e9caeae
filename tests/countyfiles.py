"""County-style grid files, made here (not from the demo's Voronoi cells): what a county GIS office
hands over. One hierarchy of 3 towns, 6 villages and 18 grids drawn in CGCS2000 / 3-degree
Gauss-Krüger zone 40 (EPSG:4549, metres) as rectangles with long straight shared edges; children's
corners lie on their parents' edges (T-junctions), grid widths are thirds of a village (666.667 m),
so nothing lines up with a round number. Level-1 features have an empty parent field.

Writers: one GBK Shapefile with all levels (zipped; with or without a .cpg), the same in EPSG:4528
(zone number on the easting), a GeoPackage, and an XLSX with a WKT column.
"""
from __future__ import annotations

import zipfile
from pathlib import Path

import geopandas as gpd
import pandas as pd
import shapely
from pyproj import Transformer

CENTRE_LONLAT = (120.300, 31.820)     # between 青阳 and 南闸, well inside the county
TOWN_W, TOWN_H = 2000.0, 4000.0        # three towns side by side: a 6 km x 4 km block
FIELDS = ["网格编码", "上级编码", "网格层级", "网格名称"]
LEVEL_TEXT = {1: "一级", 2: "二级", 3: "三级"}


def _rect(x0, y0, x1, y1, extra: list[tuple[float, float]] = ()) -> shapely.Polygon:
    """A rectangle, counter-clockwise, with extra vertices on its edges (T-junctions), in order."""
    corners = [(x0, y0), (x1, y0), (x1, y1), (x0, y1)]
    pts = []
    for i, a in enumerate(corners):
        b = corners[(i + 1) % 4]
        edge = shapely.LineString([a, b])
        on = [p for p in extra if p not in (a, b) and edge.distance(shapely.Point(p)) < 1e-9]
        on.sort(key=lambda p: (p[0] - a[0]) ** 2 + (p[1] - a[1]) ** 2)
        pts += [a, *on]
    return shapely.Polygon(pts)


def hierarchy(level_as_text: bool = False) -> gpd.GeoDataFrame:
    """All three levels in EPSG:4549, parents first."""
    cx, cy = Transformer.from_crs(4490, 4549, always_xy=True).transform(*CENTRE_LONLAT)
    x0, y0 = round(cx - 1.5 * TOWN_W, 3), round(cy - TOWN_H / 2, 3)
    rows = []
    for t in range(3):
        tx0, tx1 = x0 + t * TOWN_W, x0 + (t + 1) * TOWN_W
        ymid = y0 + TOWN_H / 2
        town = f"32028190{t + 1}"
        thirds = [tx0 + TOWN_W * k / 3 for k in (1, 2)]
        # the town has only its corners and the villages' meeting points on its edges
        rows.append((town, "", 1, f"测试{t + 1}镇", _rect(tx0, y0, tx1, y0 + TOWN_H, [(tx0, ymid), (tx1, ymid)])))
        for v, (vy0, vy1) in enumerate(((y0, ymid), (ymid, y0 + TOWN_H))):
            village = town + ("001" if v == 0 else "201")
            kind = "社区" if v == 0 else "村"
            corners = [(x, vy0) for x in thirds] + [(x, vy1) for x in thirds]
            rows.append((village, town, 2, f"测试{t + 1}镇第{v + 1}{kind}", _rect(tx0, vy0, tx1, vy1, corners)))
            edges = [tx0, *thirds, tx1]
            for g in range(3):
                rows.append((f"{village}{g + 1:03d}", village, 3, f"第{g + 1}网格",
                             _rect(edges[g], vy0, edges[g + 1], vy1)))
    frame = gpd.GeoDataFrame(pd.DataFrame(
        [(c, p, LEVEL_TEXT[lv] if level_as_text else lv, n) for c, p, lv, n, _ in rows], columns=FIELDS),
        geometry=[r[4] for r in rows], crs=4549)
    return frame


def zone_prefixed(frame: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    """The same shapes in EPSG:4528: the zone number 40 in front of the easting."""
    out = frame.copy()
    out.geometry = shapely.transform(out.geometry.values, lambda xy: xy + [40_000_000.0, 0.0])
    return out.set_crs(4528, allow_override=True)


def write_shapefile_zip(frame: gpd.GeoDataFrame, path: Path, with_cpg: bool = True) -> Path:
    """A zipped GBK Shapefile (.shp/.shx/.dbf/.prj, and .cpg saying GBK unless with_cpg=False)."""
    folder = path.parent / (path.stem + "_shp")
    folder.mkdir(parents=True, exist_ok=True)
    shp = folder / "网格.shp"
    frame.to_file(shp, engine="pyogrio", encoding="GBK")
    cpg = shp.with_suffix(".cpg")
    if with_cpg:
        cpg.write_text("GBK", encoding="ascii")
    elif cpg.exists():
        cpg.unlink()
    with zipfile.ZipFile(path, "w") as zf:
        for f in folder.iterdir():
            zf.write(f, f.name)
    return path


def write_xlsx_wkt(frame: gpd.GeoDataFrame, path: Path) -> Path:
    df = pd.DataFrame(frame.drop(columns="geometry"))
    df["WKT"] = shapely.to_wkt(frame.geometry.values, rounding_precision=-1)
    df.to_excel(path, index=False, engine="openpyxl")
    return path


TILING_SQL = """
SELECT coalesce((SELECT max(ST_Area(ST_Intersection(ST_Transform(a.geom, 4549), ST_Transform(b.geom, 4549))))
                   FROM grids a JOIN grids b ON a.parent_code IS NOT DISTINCT FROM b.parent_code
                    AND a.level = b.level AND a.code < b.code AND ST_Intersects(a.geom, b.geom)), 0),
       coalesce((SELECT max(ST_Area(ST_Difference(ST_Transform(p.geom, 4549),
                        (SELECT ST_Union(ST_Transform(k.geom, 4549)) FROM grids k WHERE k.parent_code = p.code))))
                   FROM grids p WHERE p.level < 3), 0)
"""


def tiling(url: str) -> tuple[float, float]:
    """(largest overlap between two stored siblings, largest gap between a parent and its children),
    in m², measured in EPSG:4549."""
    import psycopg

    with psycopg.connect(url) as c:
        return c.execute(TILING_SQL).fetchone()
