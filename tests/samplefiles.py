"""Sample import files made from the demo data in a database (the tests make their own files)."""
from __future__ import annotations

import zipfile
from pathlib import Path

import geopandas as gpd
import shapely

from geo.coords import wgs84_to_gcj02


def grids_frame(conn, level: int, parent: str | None = None, town: str | None = None) -> gpd.GeoDataFrame:
    """Admin grids of a level (optionally under one parent, or in one town) as a frame with Chinese
    field names, in EPSG:4490."""
    rows = conn.execute("""
        SELECT code, name, parent_code, level, ST_AsBinary(geom) FROM grids
         WHERE level = %(level)s AND kind = 'admin'
           AND (%(parent)s::text IS NULL OR parent_code = %(parent)s)
           AND (%(town)s::text IS NULL OR town_code = %(town)s)
         ORDER BY code""", {"level": level, "parent": parent, "town": town}).fetchall()
    return gpd.GeoDataFrame({"网格编码": [r[0] for r in rows], "网格名称": [r[1] for r in rows],
                             "上级编码": [r[2] for r in rows], "层级": [int(r[3]) for r in rows]},
                            geometry=[shapely.from_wkb(bytes(r[4])) for r in rows], crs=4490)


def write_shapefile_zip(frame: gpd.GeoDataFrame, path: Path, epsg: int = 4549, encoding: str = "GBK",
                        cpg: bool = True) -> Path:
    """A zipped Shapefile in `epsg` whose .dbf is in `encoding` (with a .cpg saying so, if cpg)."""
    folder = path.with_suffix("")
    folder.mkdir(parents=True, exist_ok=True)
    shp = folder / "grids.shp"
    frame.to_crs(epsg).to_file(shp, engine="pyogrio", encoding=encoding)
    if not cpg:
        shp.with_suffix(".cpg").unlink(missing_ok=True)
    with zipfile.ZipFile(path, "w") as zf:
        for f in folder.iterdir():
            zf.write(f, f.name)
    return path


def to_gcj02(frame: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    """The same features as a Chinese web map would export them (GCJ-02 lon/lat)."""
    def conv(xy):
        import numpy as np
        x, y = wgs84_to_gcj02(xy[:, 0], xy[:, 1])
        return np.column_stack([x, y])
    out = frame.copy()
    out["geometry"] = shapely.transform(frame.geometry.values, conv)
    return out.set_crs(4326, allow_override=True)


def terminal_export(conn, path: Path, n: int, seed: int, start: str = "2026-11-20 08:00", days: int = 7,
                    prefix: str | None = None, encoding: str = "utf-8-sig") -> Path:
    """n rows as a grid worker's terminal exports them: 上报编号, 事件类型 by name, GCJ-02 经度/纬度 near
    a grid's point on surface, 上报时间 within `days` from `start`, 描述; UTF-8 with a BOM (Excel's
    "CSV UTF-8") unless told otherwise. Written in blocks: bounded memory for millions of rows."""
    import numpy as np
    import pandas as pd

    pts = np.array(conn.execute("SELECT ST_X(p), ST_Y(p) FROM (SELECT ST_PointOnSurface(geom) p FROM grids "
                                "WHERE level = 3 AND kind = 'admin' ORDER BY code) s").fetchall())
    cats = np.array([r[0] for r in conn.execute("SELECT name FROM event_categories ORDER BY code")])
    rng = np.random.default_rng(seed)
    prefix = prefix or f"B{seed}"
    t0 = pd.Timestamp(start)
    block = 250_000
    with open(path, "w", encoding=encoding, newline="") as f:
        for at in range(0, max(n, 1), block):
            k = np.arange(at, min(at + block, n))
            i = rng.integers(0, len(pts), len(k))
            gx, gy = wgs84_to_gcj02(pts[i, 0] + rng.normal(0, 3e-5, len(k)), pts[i, 1] + rng.normal(0, 3e-5, len(k)))
            pd.DataFrame({"上报编号": [f"{prefix}-{j:08d}" for j in k],
                          "事件类型": cats[rng.integers(0, len(cats), len(k))],
                          "经度": np.round(gx, 7), "纬度": np.round(gy, 7),
                          "上报时间": (t0 + pd.to_timedelta(rng.integers(0, days * 86400, len(k)), unit="s"))
                          .strftime("%Y-%m-%d %H:%M:%S"),
                          "描述": [f"终端上报事件{j}" for j in k]}).to_csv(f, index=False, header=at == 0)
    return path
