"""Coordinate reference systems used by the product.

Storage is CGCS2000 geographic (EPSG:4490). Metric work (areas, buffers, distances) uses CGCS2000 /
3-degree Gauss-Kruger CM 120E (EPSG:4549), whose central meridian runs through Jiangyin, or PostGIS
geography. CGCS2000 and WGS84 differ by centimetres here, far below the accuracy of any source we
read, so WGS84 input is stored as-is and map output (deck.gl / Leaflet expect WGS84) is sent as-is.
"""
from __future__ import annotations

from functools import lru_cache

import shapely
from pyproj import Transformer

STORE_SRID = 4490
METRIC_SRID = 4549


@lru_cache(maxsize=None)
def transformer(src: int, dst: int) -> Transformer:
    return Transformer.from_crs(src, dst, always_xy=True)


def to_metric(geom):
    """CGCS2000 geographic -> EPSG:4549 metres (shapely geometry or array of them)."""
    return shapely.transform(geom, lambda xy: _apply(xy, STORE_SRID, METRIC_SRID))


def from_metric(geom):
    """EPSG:4549 metres -> CGCS2000 geographic."""
    return shapely.transform(geom, lambda xy: _apply(xy, METRIC_SRID, STORE_SRID))


def _apply(xy, src: int, dst: int):
    import numpy as np

    x, y = transformer(src, dst).transform(xy[:, 0], xy[:, 1])
    return np.column_stack([x, y])
