"""Demo grid hierarchy: 17 towns, 274 villages/communities, 1,123 third-level grids, 138 dedicated.

Polygons are cut in CGCS2000 itself, the frame they are stored in: cutting in metres and converting
afterwards leaves decimetre slivers between neighbours (a straight edge in metres is not straight in
degrees). Sizes, spreads and areas are measured in EPSG:4549 metres.
- towns: Voronoi cells of the 17 seat points, clipped to the county boundary;
- villages and grids: Voronoi cells of seeds sampled inside their parent (denser around the town
  seat, one Lloyd relaxation), clipped to the parent, so each level's children tile their parent;
- counts per parent: largest remainder over area x density, urban streets getting more, smaller
  villages and grids than rural towns.
"""
from __future__ import annotations

import numpy as np
import pandas as pd
import shapely
from shapely.geometry import MultiPolygon, Point, Polygon

from geo.crs import from_metric, to_metric
from loaders.demo import names
from loaders.reference import Town, county_boundary, towns

N_VILLAGES = 274
N_GRIDS = 1123
# Of the 274 villages/communities, 184 are administrative villages (行政村): the seed's 福村宝 covers
# "江阴184个行政村" — so the demo has exactly 184 村 and 90 社区.
N_ADMIN_VILLAGES = 184
N_POPULATION = 1_780_000
DEDICATED_TYPES = {  # kind -> (count, radius range in metres, name suffixes)
    "school": (45, (120, 260), ["实验小学", "中心小学", "初级中学", "实验幼儿园", "高级中学", "职业技术学校"]),
    "hospital": (16, (120, 240), ["人民医院", "中医院", "社区卫生服务中心", "妇幼保健院"]),
    "chemical_park": (6, (900, 1400), ["化工园区", "精细化工集中区"]),
    "industrial_park": (22, (450, 900), ["工业集中区", "产业园", "科技园"]),
    "market": (20, (70, 140), ["农贸市场", "综合市场", "菜市场"]),
    "scenic_area": (8, (300, 700), ["风景区", "湿地公园", "古镇景区"]),
    "elderly_home": (15, (50, 110), ["敬老院", "颐养院", "养老服务中心"]),
    "transport_hub": (6, (150, 300), ["汽车客运站", "公交枢纽", "物流园"]),
}
RIVERSIDE_TOWNS = ("320281008", "320281007", "320281009", "320281400")   # 利港 申港 夏港 高新区
INDUSTRIAL_TOWNS = ("320281107", "320281108", "320281109", "320281100")  # 华士 周庄 新桥 璜土


def allocate(total: int, weights: np.ndarray, minimum: int = 0) -> np.ndarray:
    """Largest-remainder split of `total` proportional to `weights`, each at least `minimum`."""
    weights = np.asarray(weights, dtype=float)
    base = np.full(len(weights), minimum, dtype=int)
    rest = total - base.sum()
    if rest < 0:
        raise ValueError("minimum too large for total")
    share = weights / weights.sum() * rest
    out = base + np.floor(share).astype(int)
    remainder = total - out.sum()
    order = np.argsort(-(share - np.floor(share)), kind="stable")
    out[order[:remainder]] += 1
    return out


def _polygons(geom) -> MultiPolygon:
    """Keep the polygonal part of a clipping result as a MultiPolygon."""
    parts = [g for g in shapely.get_parts(geom) if isinstance(g, Polygon) and not g.is_empty]
    if not parts:
        parts = [g for g in shapely.get_parts(shapely.make_valid(geom)) if isinstance(g, Polygon)]
    return MultiPolygon(parts)


def partition(parent, seeds: np.ndarray) -> list[MultiPolygon]:
    """Voronoi cells of `seeds` clipped to `parent`, in seed order."""
    if len(seeds) == 1:
        return [_polygons(parent)]
    cells = shapely.voronoi_polygons(shapely.multipoints(seeds), extend_to=parent, ordered=True)
    cells = shapely.get_parts(cells)
    return [_polygons(shapely.intersection(c, parent)) for c in cells]


def sample_in(rng, poly, n: int, centre=None, spread=None, share_central=0.0) -> np.ndarray:
    """n points inside poly: a share around `centre` (Gaussian, `spread` m), the rest uniform."""
    minx, miny, maxx, maxy = poly.bounds
    shapely.prepare(poly)
    out = np.empty((0, 2))
    n_central = int(round(n * share_central)) if centre is not None else 0
    while len(out) < n:
        k = max(64, 4 * (n - len(out)))
        c = min(n_central, k // 2)
        pts_c = rng.normal(centre, spread, size=(c, 2)) if c else np.empty((0, 2))
        pts_u = np.column_stack([rng.uniform(minx, maxx, k - c), rng.uniform(miny, maxy, k - c)])
        cand = np.vstack([pts_c, pts_u])
        inside = shapely.contains_xy(poly, cand[:, 0], cand[:, 1])
        got = cand[inside]
        taken_c = min(n_central, int(inside[:c].sum()))
        n_central -= taken_c
        out = np.vstack([out, got])
    return out[:n]


def _relax(parent, seeds: np.ndarray) -> np.ndarray:
    """One Lloyd step: move each seed to its cell's interior centre, to avoid sliver cells."""
    if len(seeds) < 2:
        return seeds
    cells = partition(parent, seeds)
    pts = [c.centroid if c.contains(c.centroid) else c.representative_point() for c in cells]
    return np.array([[p.x, p.y] for p in pts])


def _xy(points_xy: np.ndarray, to_metres: bool) -> np.ndarray:
    pts = shapely.points(points_xy)
    return shapely.get_coordinates(to_metric(pts) if to_metres else from_metric(pts))


def build_admin(rng: np.random.Generator) -> pd.DataFrame:
    """Partition in CGCS2000 itself (the stored frame), so that neighbours share exact vertices;
    seeds are sampled and sized in metres."""
    county = county_boundary()
    town_list: tuple[Town, ...] = towns()
    seats = np.array([[t.seat_lon, t.seat_lat] for t in town_list])
    seats_m = _xy(seats, to_metres=True)
    town_geoms = partition(county, seats)
    town_m = [to_metric(g) for g in town_geoms]
    rows = []
    taken: set[str] = set()

    town_w = np.array([2.4 if t.urban else 1.0 for t in town_list])
    n_vill = allocate(N_VILLAGES, np.array([g.area for g in town_m]) * town_w, minimum=8)

    # Communities sit mostly in the streets (街道) and the park, a few at each town's seat.
    n_comms = allocate(N_VILLAGES - N_ADMIN_VILLAGES, n_vill * np.array([3.0 if t.urban else 0.3 for t in town_list]),
                       minimum=1)
    n_comms = np.minimum(n_comms, n_vill)
    if n_comms.sum() != N_VILLAGES - N_ADMIN_VILLAGES:
        raise ValueError("demo: the community split does not add up")

    village_geoms, village_meta = [], []
    for t, tg, tg_m, seat_m, nv, n_comm in zip(town_list, town_geoms, town_m, seats_m, n_vill, n_comms):
        rows.append(dict(code=t.code, parent_code=None, level=1, name=t.name, geom=tg))
        spread = 0.35 * np.sqrt(tg_m.area)
        seeds_m = sample_in(rng, tg_m, nv, centre=seat_m, spread=spread, share_central=0.6)
        seeds = _relax(tg, _xy(seeds_m, to_metres=False))
        vgs = partition(tg, seeds)
        # Communities (社区, codes 001-199) near the seat, villages (村, 200-399) further out.
        dist = np.hypot(*(_xy(seeds, to_metres=True) - seat_m).T)
        order = np.argsort(dist, kind="stable")
        stems = names.place_names(rng, nv, taken)
        for rank, i in enumerate(order):
            community = rank < n_comm
            number = rank + 1 if community else 200 + rank - n_comm + 1
            vname = stems[rank] + ("社区" if community else "村")
            vcode = f"{t.code}{number:03d}"
            rows.append(dict(code=vcode, parent_code=t.code, level=2, name=vname, geom=vgs[i]))
            village_geoms.append(vgs[i])
            village_meta.append((vcode, vname, t))

    village_m = [to_metric(g) for g in village_geoms]
    v_w = np.array([2.4 if m[2].urban else 1.0 for m in village_meta])
    n_grid = allocate(N_GRIDS, np.array([g.area for g in village_m]) * v_w, minimum=2)
    for (vcode, vname, _meta), vg, vg_m, ng in zip(village_meta, village_geoms, village_m, n_grid):
        seeds = _relax(vg, _xy(sample_in(rng, vg_m, ng), to_metres=False))
        for k, gg in enumerate(partition(vg, seeds), start=1):
            rows.append(dict(code=f"{vcode}{k:03d}", parent_code=vcode, level=3,
                             name=f"{vname}第{k}网格", geom=gg))
    frame = pd.DataFrame(rows)
    frame["kind"] = "admin"
    frame["dedicated_type"] = None
    frame["geom_m"] = list(to_metric(np.asarray(frame.geom.to_list(), dtype=object)))
    _population(rng, frame, dict(zip([t.code for t in town_list], seats_m)))
    return frame


def _population(rng, frame: pd.DataFrame, seats: dict) -> None:
    """Demo residents per third-level grid (denser in streets and near seats), summed upwards."""
    g3 = frame[frame.level == 3]
    urban = {t.code: t.urban for t in towns()}
    cent = np.array([[g.centroid.x, g.centroid.y] for g in g3.geom_m])
    seat = np.array([seats[c[:9]] for c in g3.code])
    dist_km = np.hypot(*(cent - seat).T) / 1000
    base = np.array([4200.0 if urban[c[:9]] else 1100.0 for c in g3.code])
    density = base * (0.45 + 1.6 * np.exp(-dist_km / 3.0)) * rng.lognormal(0, 0.25, len(g3))
    area_km2 = np.array([g.area for g in g3.geom_m]) / 1e6
    pop = allocate(N_POPULATION, density * area_km2)
    frame["population"] = 0
    frame.loc[g3.index, "population"] = pop
    by_village = frame.loc[g3.index].groupby("parent_code")["population"].sum()
    lvl2 = frame.level == 2
    frame.loc[lvl2, "population"] = frame.loc[lvl2, "code"].map(by_village).fillna(0).astype(int)
    by_town = frame.loc[lvl2].groupby("parent_code")["population"].sum()
    lvl1 = frame.level == 1
    frame.loc[lvl1, "population"] = frame.loc[lvl1, "code"].map(by_town).fillna(0).astype(int)


def build_dedicated(rng: np.random.Generator, admin: pd.DataFrame) -> pd.DataFrame:
    villages = admin[admin.level == 2].reset_index(drop=True)
    grids3 = admin[admin.level == 3]
    town_of = {t.code: t for t in towns()}
    v_pop = villages.population.to_numpy(dtype=float)
    v_town = villages.code.str[:9].to_numpy()
    v_area = shapely.area(np.asarray(villages.geom_m.to_list(), dtype=object))
    rows: list = []
    per_village: dict = {}
    taken_names: set[str] = set()
    for dtype, (count, (rmin, rmax), suffixes) in DEDICATED_TYPES.items():
        if dtype == "chemical_park":
            weight = np.where(np.isin(v_town, RIVERSIDE_TOWNS), v_area, 0.0)
        elif dtype == "industrial_park":
            weight = np.where(np.isin(v_town, INDUSTRIAL_TOWNS + RIVERSIDE_TOWNS), 2.0, 1.0) * \
                np.sqrt(v_area)
        else:
            weight = v_pop
        chosen = rng.choice(len(villages), size=count, replace=False, p=weight / weight.sum())
        for vi in chosen:
            vg = villages.geom_m[vi]
            centre = sample_in(rng, vg, 1)[0]
            radius = rng.uniform(rmin, rmax)
            shape_ = Point(centre).buffer(radius, quad_segs=4 if dtype != "market" else 2)
            if rng.random() < 0.5:   # parks and campuses are often rectangular
                shape_ = shapely.envelope(shapely.affinity.scale(shape_, 1.0, rng.uniform(0.6, 1.0)))
            geom = _polygons(shapely.intersection(from_metric(shape_), villages.geom[vi]))
            vcode = villages.code[vi]
            n = per_village.get(vcode, 0) + 1
            per_village[vcode] = n
            name = _dedicated_name(town_of[vcode[:9]], villages.name[vi], rng.choice(suffixes),
                                   taken_names)
            rows.append(dict(code=f"{vcode}{900 + n:03d}", parent_code=vcode, level=3,
                             kind="dedicated", dedicated_type=dtype, name=name, geom=geom,
                             geom_m=to_metric(geom)))
    frame = pd.DataFrame(rows)
    # Residents are counted in the admin grids; a dedicated grid reports those it overlaps.
    pop3 = grids3.population.to_numpy(dtype=float)
    area3 = shapely.area(np.asarray(grids3.geom_m.to_list(), dtype=object))
    tree3 = shapely.STRtree(list(grids3.geom_m))
    pops = []
    for g in frame.geom_m:
        idx = tree3.query(g, predicate="intersects")
        inter = shapely.area(shapely.intersection(np.asarray(list(grids3.geom_m.iloc[idx])), g))
        pops.append(int(round(float((pop3[idx] * inter / area3[idx]).sum()))))
    frame["population"] = pops
    return frame


def _dedicated_name(town: Town, village_name: str, suffix: str, taken: set[str]) -> str:
    stem = village_name.removesuffix("社区").removesuffix("村")
    for candidate in (f"{town.short_name}{suffix}", f"{town.short_name}{stem}{suffix}"):
        if candidate not in taken:
            taken.add(candidate)
            return candidate
    k = 2
    while f"{town.short_name}{stem}{suffix}{k}" in taken:
        k += 1
    taken.add(f"{town.short_name}{stem}{suffix}{k}")
    return f"{town.short_name}{stem}{suffix}{k}"


def build_grids(rng: np.random.Generator) -> pd.DataFrame:
    admin = build_admin(rng)
    dedicated = build_dedicated(rng, admin)
    return pd.concat([admin, dedicated], ignore_index=True)
