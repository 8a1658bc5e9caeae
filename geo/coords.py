"""Chinese web-map datums: GCJ-02 (国测局, used by Amap/Tencent and most phones) and BD-09 (Baidu).

All functions take and return numpy arrays (or scalars) of longitude/latitude in degrees, vectorised.
WGS84 here stands for CGCS2000 too (see geo/crs.py).

The forward WGS84 -> GCJ-02 transform is the published obfuscation formula. Its inverse has no closed
form, so gcj02_to_wgs84 iterates the forward transform (fixed point) until the residual is below
1e-9 degrees (~0.1 mm); tests check the round trip stays below 0.5 m across the county against the
independent prcoords implementation. BD-09 <-> GCJ-02 is treated the same way.
"""
from __future__ import annotations

import numpy as np
import shapely

_A = 6378245.0                      # Krasovsky 1940 semi-major axis used by GCJ-02
_EE = 0.00669342162296594323        # its eccentricity squared
_X_PI = np.pi * 3000.0 / 180.0

DATUMS = ("wgs84", "gcj02", "bd09")


def _delta(lon, lat):
    x = lon - 105.0
    y = lat - 35.0
    sx = np.sqrt(np.abs(x))
    dlat = (-100.0 + 2.0 * x + 3.0 * y + 0.2 * y * y + 0.1 * x * y + 0.2 * sx
            + (20.0 * np.sin(6.0 * x * np.pi) + 20.0 * np.sin(2.0 * x * np.pi)) * 2.0 / 3.0
            + (20.0 * np.sin(y * np.pi) + 40.0 * np.sin(y / 3.0 * np.pi)) * 2.0 / 3.0
            + (160.0 * np.sin(y / 12.0 * np.pi) + 320.0 * np.sin(y * np.pi / 30.0)) * 2.0 / 3.0)
    dlon = (300.0 + x + 2.0 * y + 0.1 * x * x + 0.1 * x * y + 0.1 * sx
            + (20.0 * np.sin(6.0 * x * np.pi) + 20.0 * np.sin(2.0 * x * np.pi)) * 2.0 / 3.0
            + (20.0 * np.sin(x * np.pi) + 40.0 * np.sin(x / 3.0 * np.pi)) * 2.0 / 3.0
            + (150.0 * np.sin(x / 12.0 * np.pi) + 300.0 * np.sin(x / 30.0 * np.pi)) * 2.0 / 3.0)
    radlat = lat / 180.0 * np.pi
    magic = 1.0 - _EE * np.sin(radlat) ** 2
    sqrtmagic = np.sqrt(magic)
    dlat = (dlat * 180.0) / ((_A * (1.0 - _EE)) / (magic * sqrtmagic) * np.pi)
    dlon = (dlon * 180.0) / (_A / sqrtmagic * np.cos(radlat) * np.pi)
    return dlon, dlat


def wgs84_to_gcj02(lon, lat):
    lon = np.asarray(lon, dtype=float)
    lat = np.asarray(lat, dtype=float)
    dlon, dlat = _delta(lon, lat)
    return lon + dlon, lat + dlat


def _invert(forward, lon, lat, first_guess):
    lon = np.asarray(lon, dtype=float)
    lat = np.asarray(lat, dtype=float)
    x, y = first_guess(lon, lat)
    for _ in range(30):
        fx, fy = forward(x, y)
        ex, ey = fx - lon, fy - lat
        x, y = x - ex, y - ey
        if np.all(np.abs(ex) < 1e-10) and np.all(np.abs(ey) < 1e-10):
            break
    return x, y


def gcj02_to_wgs84(lon, lat):
    def guess(lo, la):
        dlon, dlat = _delta(lo, la)
        return lo - dlon, la - dlat
    return _invert(wgs84_to_gcj02, lon, lat, guess)


def gcj02_to_bd09(lon, lat):
    lon = np.asarray(lon, dtype=float)
    lat = np.asarray(lat, dtype=float)
    z = np.sqrt(lon * lon + lat * lat) + 0.00002 * np.sin(lat * _X_PI)
    theta = np.arctan2(lat, lon) + 0.000003 * np.cos(lon * _X_PI)
    return z * np.cos(theta) + 0.0065, z * np.sin(theta) + 0.006


def _bd09_to_gcj02_approx(lon, lat):
    x = np.asarray(lon, dtype=float) - 0.0065
    y = np.asarray(lat, dtype=float) - 0.006
    z = np.sqrt(x * x + y * y) - 0.00002 * np.sin(y * _X_PI)
    theta = np.arctan2(y, x) - 0.000003 * np.cos(x * _X_PI)
    return z * np.cos(theta), z * np.sin(theta)


def bd09_to_gcj02(lon, lat):
    return _invert(gcj02_to_bd09, lon, lat, _bd09_to_gcj02_approx)


def wgs84_to_bd09(lon, lat):
    return gcj02_to_bd09(*wgs84_to_gcj02(lon, lat))


def bd09_to_wgs84(lon, lat):
    return gcj02_to_wgs84(*bd09_to_gcj02(lon, lat))


def to_wgs84(lon, lat, datum: str):
    """Convert from a named datum ('wgs84', 'gcj02', 'bd09') to WGS84/CGCS2000."""
    if datum == "wgs84":
        return np.asarray(lon, dtype=float), np.asarray(lat, dtype=float)
    if datum == "gcj02":
        return gcj02_to_wgs84(lon, lat)
    if datum == "bd09":
        return bd09_to_wgs84(lon, lat)
    raise ValueError(f"unknown datum {datum!r}; expected one of {', '.join(DATUMS)}")


def geometry_to_wgs84(geom, datum: str):
    """Convert every vertex of a shapely geometry (or array of them) to WGS84/CGCS2000."""
    if datum == "wgs84":
        return geom

    def conv(xy):
        x, y = to_wgs84(xy[:, 0], xy[:, 1], datum)
        return np.column_stack([x, y])

    return shapely.transform(geom, conv)
