"""Load a threat zone exported from ALOHA (KML, or a Shapefile / zipped Shapefile) instead of the
screening plume. Polygons are read with pyogrio (GDAL), taken to CGCS2000 and merged."""
from __future__ import annotations

import tempfile
import zipfile
from pathlib import Path

import shapely
from shapely.geometry import MultiPolygon, Polygon

from geo.errors import InvalidInput


def read_zone(filename: str, content: bytes) -> MultiPolygon:
    import pyogrio

    suffix = Path(filename).suffix.lower()
    if suffix not in (".kml", ".zip", ".geojson", ".json"):
        raise InvalidInput(f"{filename}: expected .kml, .zip (Shapefile) or .geojson",
                           "请上传 ALOHA 导出的 KML，或打包为 zip 的 Shapefile（含 .shp/.shx/.dbf/.prj）。")
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / f"zone{suffix}"
        path.write_bytes(content)
        if suffix == ".zip":
            try:
                with zipfile.ZipFile(path) as z:
                    z.extractall(tmp)
            except zipfile.BadZipFile as exc:
                raise InvalidInput(f"{filename} is not a zip file", "文件不是有效的 zip 压缩包。") from exc
            shps = list(Path(tmp).rglob("*.shp"))
            if not shps:
                raise InvalidInput(f"{filename} holds no .shp", "压缩包中没有 .shp 文件。")
            path = shps[0]
        try:
            gdf = pyogrio.read_dataframe(path)
        except Exception as exc:  # GDAL's many error types
            raise InvalidInput(f"cannot read {filename}: {exc}", f"无法读取文件：{exc}") from exc
    if gdf.crs is None:
        raise InvalidInput(f"{filename} has no coordinate system", "文件缺少坐标系（Shapefile 需附 .prj）。")
    gdf = gdf.to_crs(4490)
    polys = [p for g in gdf.geometry if g is not None for p in shapely.get_parts(shapely.make_valid(g))
             if isinstance(p, Polygon)]
    if not polys:
        raise InvalidInput(f"{filename} holds no polygon", "文件中没有面状的威胁区。")
    zone = shapely.union_all(polys)
    return MultiPolygon([p for p in shapely.get_parts(zone) if isinstance(p, Polygon)])
