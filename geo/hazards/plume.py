"""Screening Gaussian plume for a continuous ground-level release (the model and its limits).

- Stability: Pasquill class from wind speed, day/night and cloud cover (Turner's table); where
  the table gives two classes (A-B, B-C, C-D) the more stable one is taken, which gives the higher
  ground-level concentration downwind.
- Dispersion: Briggs (1973) sigma_y, sigma_z for open-country (rural) or urban terrain, valid from
  about 100 m to 10 km.
- Concentration at ground level for a ground-level source with full reflection:
      C(x, y) = Q / (pi * u * sigma_y * sigma_z) * exp(-y^2 / (2 sigma_y^2))
- Threat zone: where C exceeds the level of concern, widened by a cone of wind-direction
  uncertainty. Indicative (指示性) only: no dense-gas behaviour, no buildings or terrain, steady wind,
  no deposition or reactions, no time dependence. For planning or operations use ALOHA or an
  equivalent and load its threat zone instead.
"""
from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import shapely
from shapely.geometry import Polygon

from geo.errors import InvalidInput

CLASSES = "ABCDEF"
MOLAR_VOLUME_25C = 24.45   # litres per mole at 25 degC, 1 atm: mg/m3 = ppm * mw / 24.45

# Turner's table: rows by wind speed (upper bounds m/s); columns day strong/moderate/slight
# insolation, night thin overcast (>= 4/8 low cloud) / clear (<= 3/8). Two-class cells -> stabler.
_TABLE = [(2.0, "B", "B", "C", "F", "F"),     # A-B, B  (night < 2 m/s: F)
          (3.0, "B", "C", "C", "E", "F"),     # A-B, B, C / E, F
          (5.0, "C", "C", "D", "D", "E"),     # B, B-C, C / D, E
          (6.0, "C", "D", "D", "D", "D"),     # C, C-D, D / D, D
          (math.inf, "C", "D", "D", "D", "D")]


def stability_class(wind_speed: float, daytime: bool, cloud_cover: float) -> str:
    """Pasquill class A-F. cloud_cover is the sky fraction 0..1 (oktas / 8); overcast gives D."""
    if not (0 <= cloud_cover <= 1):
        raise InvalidInput("cloud cover must be between 0 and 1", "云量应在0到1之间（0=晴，1=阴）。")
    if wind_speed <= 0:
        raise InvalidInput("wind speed must be positive", "风速必须大于0。")
    if cloud_cover >= 1.0:
        return "D"
    row = next(r for r in _TABLE if wind_speed < r[0])
    if daytime:
        col = 1 if cloud_cover <= 3 / 8 else (2 if cloud_cover <= 6 / 8 else 3)
    else:
        col = 4 if cloud_cover >= 4 / 8 else 5
    return str(row[col])


def sigmas(x, cls: str, urban: bool = False):
    """Briggs sigma_y, sigma_z (metres) at downwind distance x (metres)."""
    x = np.asarray(x, dtype=float)
    if cls not in CLASSES:
        raise InvalidInput(f"unknown stability class {cls!r}", f"未知的大气稳定度“{cls}”。")
    if not urban:
        ay = {"A": 0.22, "B": 0.16, "C": 0.11, "D": 0.08, "E": 0.06, "F": 0.04}[cls]
        sy = ay * x / np.sqrt(1 + 0.0001 * x)
        sz = {"A": lambda: 0.20 * x, "B": lambda: 0.12 * x,
              "C": lambda: 0.08 * x / np.sqrt(1 + 0.0002 * x),
              "D": lambda: 0.06 * x / np.sqrt(1 + 0.0015 * x),
              "E": lambda: 0.03 * x / (1 + 0.0003 * x),
              "F": lambda: 0.016 * x / (1 + 0.0003 * x)}[cls]()
    else:
        key = {"A": "AB", "B": "AB", "C": "C", "D": "D", "E": "EF", "F": "EF"}[cls]
        ay = {"AB": 0.32, "C": 0.22, "D": 0.16, "EF": 0.11}[key]
        sy = ay * x / np.sqrt(1 + 0.0004 * x)
        sz = {"AB": lambda: 0.24 * x * np.sqrt(1 + 0.001 * x), "C": lambda: 0.20 * x,
              "D": lambda: 0.14 * x / np.sqrt(1 + 0.0003 * x),
              "EF": lambda: 0.08 * x / np.sqrt(1 + 0.0015 * x)}[key]()
    return sy, sz


def concentration(q_gs: float, u: float, x, y=0.0, cls: str = "D", urban: bool = False):
    """Ground-level concentration (g/m3) of a ground-level continuous release."""
    x = np.asarray(x, dtype=float)
    sy, sz = sigmas(x, cls, urban)
    return q_gs / (math.pi * u * sy * sz) * np.exp(-np.asarray(y, dtype=float) ** 2 / (2 * sy ** 2))


def ppm_to_g_m3(ppm: float, mw: float) -> float:
    return ppm * mw / MOLAR_VOLUME_25C / 1000.0


@dataclass(frozen=True)
class Release:
    rate_g_s: float
    wind_from_deg: float       # where the wind comes from, degrees clockwise from north
    wind_speed: float          # m/s at 10 m
    stability: str
    urban: bool
    loc_g_m3: float            # level of concern
    uncertainty_deg: float = 15.0


def release_rate(rate_g_s: float | None = None, quantity_kg: float | None = None,
                 duration_min: float | None = None) -> float:
    """A rate in g/s, given directly or as a quantity released over a duration."""
    if rate_g_s is not None:
        if rate_g_s <= 0:
            raise InvalidInput("release rate must be positive", "泄漏速率必须大于0。")
        return float(rate_g_s)
    if not quantity_kg or not duration_min or quantity_kg <= 0 or duration_min <= 0:
        raise InvalidInput("give a release rate, or a quantity and a duration",
                           "请填写泄漏速率，或泄漏量与持续时间（均大于0）。")
    return quantity_kg * 1000.0 / (duration_min * 60.0)


def footprint(r: Release, max_km: float = 30.0, samples: int = 800) -> tuple[Polygon, float]:
    """Threat zone in local metres (x downwind, y crosswind), and its downwind reach (m)."""
    if r.loc_g_m3 <= 0:
        raise InvalidInput("level of concern must be positive", "关注浓度必须大于0。")
    x = np.geomspace(1.0, max_km * 1000.0, samples)
    c0 = concentration(r.rate_g_s, r.wind_speed, x, 0.0, r.stability, r.urban)
    inside = c0 > r.loc_g_m3
    if not inside.any():
        return Polygon(), 0.0
    last = int(np.flatnonzero(inside)[-1])
    x, c0 = x[: last + 1], c0[: last + 1]
    sy, _ = sigmas(x, r.stability, r.urban)
    half = sy * np.sqrt(2.0 * np.log(np.maximum(c0 / r.loc_g_m3, 1.0)))
    reach = float(x[-1])
    upper = np.column_stack([x, half])
    lower = np.column_stack([x[::-1], -half[::-1]])
    plume = Polygon(np.vstack([[[0.0, 0.0]], upper, [[reach, 0.0]], lower, [[0.0, 0.0]]])).buffer(0)
    if r.uncertainty_deg <= 0:
        return shapely.make_valid(plume), reach
    return shapely.make_valid(shapely.union(plume, swept(x, half, reach, math.radians(r.uncertainty_deg)))), reach


def swept(x: np.ndarray, half: np.ndarray, reach: float, u: float) -> Polygon:
    """The plume turned continuously through ±u radians about the source (wind-direction uncertainty):
    in polar terms each edge point (x, half) at radius ρ and angle β moves out to angle β + u, and the
    tip sweeps an arc of radius `reach`. A smooth outline — the union of a few turned copies drew the
    same area as jagged fingers with gaps between their tips."""
    rho = np.maximum.accumulate(np.hypot(x, half))          # the edge, outward
    beta = np.arctan2(half, x) + u
    arc = np.linspace(u, -u, max(8, int(math.degrees(2 * u) * 2)))

    def polar(radius, angle):
        return np.column_stack([radius * np.cos(angle), radius * np.sin(angle)])

    ring = np.vstack([[[0.0, 0.0]], polar(rho, beta), polar(np.full(len(arc), max(reach, rho[-1])), arc),
                      polar(rho[::-1], -beta[::-1]), [[0.0, 0.0]]])
    return Polygon(ring).buffer(0)


def place(local: Polygon, source_e: float, source_n: float, wind_from_deg: float) -> Polygon:
    """Local plume coordinates -> EPSG:4549 (easting, northing) around the source."""
    bearing = math.radians((wind_from_deg + 180.0) % 360.0)     # downwind, clockwise from north
    ux, uy = math.sin(bearing), math.cos(bearing)              # downwind unit vector (E, N)
    vx, vy = -uy, ux                                           # crosswind (to the left)

    def to_world(xy):
        return np.column_stack([source_e + xy[:, 0] * ux + xy[:, 1] * vx,
                                source_n + xy[:, 0] * uy + xy[:, 1] * vy])

    return shapely.transform(local, to_world)
