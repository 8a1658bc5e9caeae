"""Demo hazardous-chemical sites and emergency resources.

Chemical sites cluster on the Yangtze riverside (利港, 申港, 夏港 and the high-tech zone, around the
chemical parks) and, fewer, in the industrial towns. Each gets a major-hazard level 1-4 (R and the
GB 18218 grading are computed from its chemicals by the hazards feature). Emergency resources
include the riverside hazardous-chemical rescue base next to the largest chemical park.
"""
from __future__ import annotations

import numpy as np
import pandas as pd
import shapely
from shapely.geometry import Point

from geo.crs import from_metric, to_metric
from loaders.demo import names
from loaders.demo.grids import INDUSTRIAL_TOWNS, RIVERSIDE_TOWNS, sample_in
from loaders.reference import read_csv, towns

N_RIVERSIDE_SITES = 84
N_INDUSTRIAL_SITES = 36
# Target band of R = alpha * sum(beta q / Q) per intended level, assuming alpha = 2 (people around);
# the database computes the real R and level from the stored quantities and the population.
R_BANDS = {1: (100, 260), 2: (50, 100), 3: (10, 50), 4: (3, 10)}
SITE_PARTS = ["储罐区", "生产装置区", "甲类仓库", "罐区", "装卸站台"]


def _near(rng, centre_m, spread, n, inside_m):
    pts: list = []
    while len(pts) < n:
        cand = rng.normal(centre_m, spread, size=(4 * n, 2))
        ok = shapely.contains_xy(inside_m, cand[:, 0], cand[:, 1])
        pts.extend(cand[ok][: n - len(pts)])
    return np.array(pts)


def build_chem_sites(rng, grids: pd.DataFrame) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Sites and their stored chemicals (site_id, cas, max_quantity_t)."""
    town_m = {c: g for c, g in zip(grids.code, grids.geom_m) if len(c) == 9}
    parks = grids[grids.dedicated_type == "chemical_park"]
    ind_parks = grids[(grids.dedicated_type == "industrial_park") & grids.code.str[:9].isin(INDUSTRIAL_TOWNS)]
    county_m = shapely.union_all(list(town_m.values()))
    pts = []
    # Riverside: around the chemical parks (all in riverside towns), within the county.
    per_park = np.full(len(parks), N_RIVERSIDE_SITES // max(len(parks), 1))
    per_park[: N_RIVERSIDE_SITES - per_park.sum()] += 1
    for g, k in zip(parks.geom_m, per_park):
        c = g.centroid
        pts.append(_near(rng, (c.x, c.y), 900.0, k, county_m))
    # Industrial towns: around their industrial parks, or their seats.
    centres = [(g.centroid.x, g.centroid.y) for g in ind_parks.geom_m]
    if not centres:
        centres = [to_metric(Point(t.seat_lon, t.seat_lat)).coords[0] for t in towns() if t.code in INDUSTRIAL_TOWNS]
    pick = rng.integers(0, len(centres), N_INDUSTRIAL_SITES)
    for i in range(len(centres)):
        k = int((pick == i).sum())
        if k:
            pts.append(_near(rng, centres[i], 1200.0, k, county_m))
    xy_m = np.vstack(pts)
    n = len(xy_m)
    geom = from_metric(shapely.points(xy_m))
    stems = names.place_names(rng, n, set())
    kinds = rng.choice(["化工", "石化", "新材料", "精细化工", "化学"], n)
    enterprise = [f"江阴{s}{k}有限公司" for s, k in zip(stems, kinds)]
    chems = pd.DataFrame(read_csv("chemicals.csv"))
    chems["threshold_t"] = chems.threshold_t.astype(float)
    chems["beta"] = chems.beta.astype(float)
    target_level = rng.choice([1, 2, 3, 4], size=n, p=[0.06, 0.14, 0.35, 0.45])
    inventory = []
    for site_id, level in zip(range(1, n + 1), target_level):
        k = int(rng.integers(1, 4))
        picked = chems.iloc[rng.choice(len(chems), size=k, replace=False)]
        lo, hi = R_BANDS[int(level)]
        s_target = rng.uniform(lo, hi) / 2.0
        share = rng.dirichlet(np.ones(k))
        q = share * s_target * picked.threshold_t.to_numpy() / picked.beta.to_numpy()
        ratio = float((q / picked.threshold_t.to_numpy()).sum())
        if ratio < 1.0:                      # keep every demo site a major hazard (sum q/Q >= 1)
            q = q / ratio * 1.05
        for cas, qty in zip(picked.cas, q):
            inventory.append((site_id, cas, max(round(float(qty), 4), 0.0001)))
    inv = pd.DataFrame(inventory, columns=["site_id", "cas", "max_quantity_t"])
    name_of = dict(zip(chems.cas, chems.name))
    main = inv.groupby("site_id").cas.apply(lambda c: "、".join(name_of[x] for x in c))
    safety = np.where(rng.random(n) < 0.6, rng.choice([300, 500, 800, 1000, 1500], n), np.nan)
    sites = pd.DataFrame({
        "id": np.arange(1, n + 1),
        "name": [f"{e}{rng.choice(SITE_PARTS)}" for e in enterprise],
        "enterprise": enterprise,
        "main_chemicals": [main[i] for i in range(1, n + 1)],
        "safety_distance_m": safety,
        "lon": shapely.get_x(geom),
        "lat": shapely.get_y(geom),
    })
    return sites, inv


def build_resources(rng, grids: pd.DataFrame, chem_sites: pd.DataFrame) -> pd.DataFrame:
    rows: list[tuple] = []
    town_rows = grids[grids.level == 1]
    town_by_code = {t.code: t for t in towns()}
    # The riverside hazardous-chemical rescue base, by the largest chemical park.
    parks = grids[grids.dedicated_type == "chemical_park"]
    largest = parks.iloc[int(np.argmax([g.area for g in parks.geom_m]))]
    base_pt = sample_in(rng, largest.geom, 1)[0]
    rows.append(("江苏（江阴）沿江危化品应急救援基地", "rescue_base", 180, 36, base_pt))
    for code, geom_m in zip(town_rows.code, town_rows.geom_m):
        t = town_by_code[code]
        seat = to_metric(Point(t.seat_lon, t.seat_lat))
        near_seat = seat if geom_m.contains(seat) else geom_m.representative_point()
        jitter_m = sample_in(rng, geom_m.intersection(near_seat.buffer(1500.0)), 2)
        jitter = shapely.get_coordinates(from_metric(shapely.points(jitter_m)))
        rows.append((f"{t.short_name}消防救援站", "fire_station", int(rng.integers(18, 40)),
                     int(rng.integers(4, 9)), jitter[0]))
        rows.append((f"{t.short_name}派出所", "police_station", int(rng.integers(30, 90)),
                     int(rng.integers(5, 15)), jitter[1]))
    extra = [("江阴市特勤消防站", "fire_station", 60, 14), ("临港消防救援站", "fire_station", 35, 8),
             ("江阴市人民医院", "hospital", 2400, 12), ("江阴市中医院", "hospital", 1300, 6),
             ("江阴市第三人民医院", "hospital", 600, 4), ("江阴市急救中心", "medical_team", 160, 30),
             ("江阴市应急物资储备库", "materials_depot", 20, 6),
             ("沿江危化品应急物资库", "materials_depot", 15, 5),
             ("市民广场应急避难场所", "shelter", None, None), ("体育中心应急避难场所", "shelter", None, None),
             ("城东公园应急避难场所", "shelter", None, None), ("青阳镇应急避难场所", "shelter", None, None)]
    urban = grids[(grids.level == 1) & grids.code.isin(["320281001", "320281400", "320281005"] + list(RIVERSIDE_TOWNS))]
    for name, kind, people, vehicles in extra:
        g = urban.geom.iloc[int(rng.integers(0, len(urban)))]
        rows.append((name, kind, people, vehicles, sample_in(rng, g, 1)[0]))
    frame = pd.DataFrame(rows, columns=["name", "kind", "personnel", "vehicles", "xy"])
    frame["id"] = np.arange(1, len(frame) + 1)
    frame["lon"] = [p[0] for p in frame.xy]
    frame["lat"] = [p[1] for p in frame.xy]
    frame["phone"] = names.phones(rng, len(frame))
    return frame.drop(columns="xy")
