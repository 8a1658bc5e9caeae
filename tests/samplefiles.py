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
