"""Which coordinate system a file is in, conversion to CGCS2000 (EPSG:4490), and the usual mistakes.

Supported: CGCS2000 geographic (4490), WGS84 (4326), every CGCS2000 Gauss-Kruger zone (6-degree
4491-4512, 3-degree 4513-4554; each with and without the zone number in front of the easting), and
GCJ-02 / BD-09 lon/lat, which only the user can name (`--crs gcj02|bd09`): no file can tell them apart.
"""
from __future__ import annotations

from dataclasses import dataclass

import geopandas as gpd
import numpy as np
import shapely
from pyproj import CRS

from geo import db
from geo.coords import geometry_to_wgs84
from geo.crs import STORE_SRID
from geo.errors import InvalidInput

GEOGRAPHIC = {4490, 4326}
# (first EPSG, last EPSG, zone width, zone numbers prefixed to the easting?)
GK_RANGES = ((4491, 4501, 6, True), (4502, 4512, 6, False), (4513, 4533, 3, True), (4534, 4554, 3, False))
JIANGYIN_3DEG = (4528, 4549)     # CM 120E: zone 40 with prefix, and without
JIANGYIN_6DEG = (4499, 4510)     # CM 117E: zone 21 with prefix, and without


@dataclass(frozen=True)
class Source:
    epsg: int | None          # None for GCJ-02 / BD-09
    datum: str                # 'wgs84' (any EPSG), 'gcj02', 'bd09'
    label: str


def gk_kind(epsg: int) -> tuple[int, bool] | None:
    for lo, hi, width, prefixed in GK_RANGES:
        if lo <= epsg <= hi:
            return width, prefixed
    return None


def resolve(option: str | None, file_crs, sample_x: np.ndarray) -> Source:
    """The option wins over the file; a table without either is lon/lat when it looks like degrees."""
    if option:
        o = option.strip().lower()
        if o in ("gcj02", "gcj-02"):
            return Source(None, "gcj02", "GCJ-02")
        if o in ("bd09", "bd-09"):
            return Source(None, "bd09", "BD-09")
        code = o.removeprefix("epsg:")
        if not code.isdigit():
            raise InvalidInput(f"--crs {option!r}: use EPSG:NNNN, gcj02 or bd09",
                               f"坐标系“{option}”无法识别：请填写 EPSG:NNNN、gcj02 或 bd09。")
        return _checked(int(code))
    if file_crs is not None:
        epsg = CRS.from_user_input(file_crs).to_epsg(min_confidence=70)
        if epsg is None:
            raise InvalidInput(f"the file's coordinate system ({CRS.from_user_input(file_crs).name}) is "
                               "not one we know; name it with --crs EPSG:NNNN",
                               f"文件的坐标系（{CRS.from_user_input(file_crs).name}）无法识别，请指定 EPSG 编号。")
        return _checked(epsg)
    finite = sample_x[np.isfinite(sample_x)]
    if finite.size and np.all(np.abs(finite) <= 180):
        return Source(4490, "wgs84", "EPSG:4490（文件未注明，按经纬度读取）")
    raise InvalidInput("the file names no coordinate system and its coordinates are not degrees; "
                       "name it with --crs (EPSG:4549 for 3-degree Gauss-Kruger CM 120E, EPSG:4528 if "
                       "eastings start with the zone number 40)",
                       "文件没有注明坐标系，且坐标不是经纬度：请指定坐标系（3度带中央经线120°E 用 EPSG:4549，"
                       "东坐标带“40”带号时用 EPSG:4528）。")


def _checked(epsg: int) -> Source:
    if epsg in GEOGRAPHIC or gk_kind(epsg):
        return Source(epsg, "wgs84", f"EPSG:{epsg}")
    raise InvalidInput(f"EPSG:{epsg} is not supported: use CGCS2000 (4490), WGS84 (4326), a CGCS2000 "
                       "Gauss-Kruger zone (4491-4554), or gcj02/bd09",
                       f"不支持 EPSG:{epsg}：请使用 CGCS2000（4490）、WGS84（4326）、CGCS2000 高斯-克吕格投影"
                       "（4491–4554），或 gcj02/bd09。")


def to_store(geoms: gpd.GeoSeries, src: Source) -> gpd.GeoSeries:
    """Every geometry in CGCS2000 lon/lat (EPSG:4490)."""
    if src.epsg is None:
        out = gpd.GeoSeries(geometry_to_wgs84(np.asarray(geoms.values), src.datum), index=geoms.index)
        return out.set_crs(STORE_SRID)
    g = geoms.set_crs(src.epsg, allow_override=True)
    return g.to_crs(STORE_SRID) if src.epsg != STORE_SRID else g


def mistake_hint(raw_x: np.ndarray, src: Source) -> tuple[str, str] | None:
    """(English, Chinese) hint when the raw coordinates do not fit the named coordinate system."""
    x = raw_x[np.isfinite(raw_x)]
    if x.size == 0:
        return None
    mx = float(np.median(x))
    projected = src.epsg is not None and src.epsg not in GEOGRAPHIC
    if not projected and abs(mx) > 180:
        return ("the coordinates are metres, not degrees: name the projection, e.g. --crs EPSG:4549",
                "坐标是米而不是经纬度：请指定投影坐标系，例如 EPSG:4549。")
    if projected and abs(mx) <= 180:
        return ("the coordinates are degrees but the file says a projection: use --crs EPSG:4490",
                "坐标是经纬度，但文件注明的是投影坐标系：请改用 EPSG:4490。")
    kind = gk_kind(src.epsg) if projected and src.epsg is not None else None
    if kind is not None:      # a Gauss-Krüger zone: is the zone number where the EPSG code says?
        width, prefixed = kind
        if not prefixed and mx > 1_000_000:
            zone = int(mx // 1_000_000)
            want = JIANGYIN_3DEG[0] if width == 3 else JIANGYIN_6DEG[0]
            return (f"the eastings carry the zone number {zone} in front: use --crs EPSG:{want}",
                    f"东坐标前带有带号 {zone}：请改用 EPSG:{want}（带带号的投影）。")
        if prefixed and mx < 1_000_000:
            want = JIANGYIN_3DEG[1] if width == 3 else JIANGYIN_6DEG[1]
            return (f"the eastings have no zone number in front: use --crs EPSG:{want}",
                    f"东坐标前没有带号：请改用 EPSG:{want}（不带带号的投影）。")
    return None


def lands_after_gcj_shift(geoms: gpd.GeoSeries, county) -> np.ndarray:
    """Per feature: does it lie in the county only once read as GCJ-02 (a web-map/phone export
    loaded as WGS84)?"""
    pts = shapely.point_on_surface(np.asarray(geoms.values))
    shifted = geometry_to_wgs84(pts, "gcj02")
    return ~shapely.contains(county, pts) & shapely.contains(county, shifted)


def county_geom(conn):
    wkb = db.value(conn, "SELECT ST_AsBinary(ST_Union(geom)) FROM county")
    if wkb is None:
        raise InvalidInput("the county boundary is not loaded; run python -m loaders migrate",
                           "尚未载入县域边界，请先运行 ./run.sh。")
    return shapely.from_wkb(bytes(wkb))
