"""GCJ-02 / BD-09 conversions against the independent public-domain prcoords implementation."""
from __future__ import annotations

import numpy as np
import prcoords
import pytest
from pyproj import Geod

from geo import coords

GEOD = Geod(ellps="WGS84")
# Jiangyin's bounding box with a margin.
rng = np.random.default_rng(1)
LON = rng.uniform(119.95, 120.65, 3000)
LAT = rng.uniform(31.60, 32.05, 3000)


def metres(lon1, lat1, lon2, lat2) -> np.ndarray:
    arrays = [np.atleast_1d(np.asarray(v, dtype=float)) for v in (lon1, lat1, lon2, lat2)]
    return np.asarray(GEOD.inv(*arrays)[2])


def test_forward_matches_prcoords():
    gx, gy = coords.wgs84_to_gcj02(LON, LAT)
    ref = [prcoords.wgs_gcj(prcoords.Coords(la, lo)) for lo, la in zip(LON, LAT)]
    d = metres(gx, gy, [r.lon for r in ref], [r.lat for r in ref])
    assert d.max() < 0.01
    bx, by = coords.gcj02_to_bd09(gx, gy)
    ref_bd = [prcoords.gcj_bd(prcoords.Coords(la, lo)) for lo, la in zip(gx, gy)]
    assert metres(bx, by, [r.lon for r in ref_bd], [r.lat for r in ref_bd]).max() < 0.01


def test_inverse_error_below_half_a_metre_everywhere_in_the_county():
    gx, gy = coords.wgs84_to_gcj02(LON, LAT)
    wx, wy = coords.gcj02_to_wgs84(gx, gy)
    assert metres(LON, LAT, wx, wy).max() < 0.5
    bx, by = coords.wgs84_to_bd09(LON, LAT)
    wx, wy = coords.bd09_to_wgs84(bx, by)
    assert metres(LON, LAT, wx, wy).max() < 0.5
    # And against prcoords' precise ("bored") inverse.
    ref = [prcoords.gcj_wgs_bored(prcoords.Coords(la, lo)) for lo, la in zip(gx[:300], gy[:300])]
    wx, wy = coords.gcj02_to_wgs84(gx[:300], gy[:300])
    assert metres(wx, wy, [r.lon for r in ref], [r.lat for r in ref]).max() < 0.5


def test_known_point_offset_is_the_usual_few_hundred_metres():
    # Jiangyin city centre: the GCJ-02 shift here is a few hundred metres (east-north-east).
    gx, gy = coords.wgs84_to_gcj02(120.285, 31.905)
    d = metres(120.285, 31.905, gx, gy)
    assert 300 < d < 700
    assert gx > 120.285 and gy < 31.905 + 0.01


def test_scalars_and_datum_names():
    x, y = coords.to_wgs84(120.3, 31.9, "wgs84")
    assert (float(x), float(y)) == (120.3, 31.9)
    gx, gy = coords.wgs84_to_gcj02(120.3, 31.9)
    x, y = coords.to_wgs84(gx, gy, "gcj02")
    assert metres(120.3, 31.9, float(x), float(y)) < 0.5
    with pytest.raises(ValueError):
        coords.to_wgs84(120.3, 31.9, "wgs72")
