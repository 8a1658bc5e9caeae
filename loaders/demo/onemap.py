"""Demo data for 一张图 (演示数据): base data per grid, 澄事之窗 and 最江阴 points, social assistance,
福村宝, supervised enterprises with their inspections, and the terminals' patrol (check-ins of the
last 7 days, today's tracks).

Figures the seed report gives are kept exact: residents add up to the grids' 1.78 M (户籍 + 流动 =
each grid's population), 福村宝 covers the 184 administrative villages with 32.8万人次 of
beneficiaries and 1.95亿元 paid, 4,217 enterprises rectified (已整改) and 1,300 closed (已关停).
Everything else is made up and plausible; the whole is deterministic for a seed.
"""
from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd
import shapely

from loaders.demo import names
from loaders.demo.grids import allocate, sample_in
from loaders.reference import read_csv

N_RECTIFIED = 4217
N_CLOSED = 1300
N_RECTIFYING = 483
MUTUAL_AID_BENEFICIARIES = 328_000
MUTUAL_AID_PAID_YUAN = 195_000_000
ASSISTANCE_RATE = 0.012          # households in assistance per resident (about 21 k households)
ASSISTANCE_SHARES = {"minimum_living": 0.40, "destitute": 0.08, "disaster": 0.02, "medical": 0.18,
                     "education": 0.10, "housing": 0.04, "employment": 0.06, "temporary": 0.12}
SECTOR_SHARES = {"chemical": 0.10, "metallurgy": 0.12, "machinery": 0.30, "textile": 0.18,
                 "building_materials": 0.08, "electronics": 0.10, "logistics": 0.07, "other": 0.05}
PATROL_DAYS = 7                  # check-ins of today and the 6 days before
CHECKIN_P = 0.45                 # chance that an on-duty worker checks in on a given day
TRACK_STEP_MIN = 15              # today's track: a fix every 15 minutes from 08:00
TRACK_STEP_M = 80


def _grid_frames(grids: pd.DataFrame):
    admin3 = grids[(grids.level == 3) & (grids.kind == "admin")].reset_index(drop=True)
    villages = grids[grids.level == 2].reset_index(drop=True)
    return admin3, villages


def build_base_counts(rng: np.random.Generator, admin3: pd.DataFrame, urban_towns: set[str],
                      as_of: dt.date) -> pd.DataFrame:
    pop = admin3.population.to_numpy(dtype=int)
    urban = admin3.code.str[:9].isin(urban_towns).to_numpy()
    floating_share = np.clip(np.where(urban, 0.34, 0.18) + rng.normal(0, 0.04, len(pop)), 0.05, 0.6)
    floating = np.round(pop * floating_share).astype(int)
    registered = pop - floating
    households = np.maximum(1, np.round(pop / rng.uniform(2.4, 2.9, len(pop)))).astype(int)
    per_building = np.where(urban, rng.uniform(9, 16, len(pop)), rng.uniform(1.8, 3.2, len(pop)))
    items = {
        "registered": registered, "floating": floating,
        "key_persons": rng.poisson(pop * 0.004),
        "elderly": rng.poisson(registered * 0.24),
        "households": households,
        "buildings": np.maximum(1, np.round(households / per_building)).astype(int),
        "houses": rng.poisson(households * 1.06),
        "rentals": rng.poisson(floating / 2.3),
        "places": rng.poisson(pop / 380),
        "businesses": rng.poisson(pop / 140),
        "shops": rng.poisson(pop / 55),
        "social_orgs": rng.poisson(pop / 3500),
        "party_orgs": 1 + rng.poisson(pop / 1200),
    }
    codes = set(r["code"] for r in read_csv("base_categories.csv"))
    if codes != set(items):
        raise ValueError(f"demo base data: categories {sorted(codes ^ set(items))} do not match base_categories.csv")
    return pd.DataFrame({
        "grid_code": np.repeat(admin3.code.to_numpy(), len(items)),
        "category_code": np.tile(np.array(list(items)), len(admin3)),
        "n": np.column_stack([np.asarray(v, dtype=int) for v in items.values()]).ravel(),
        "as_of": as_of.isoformat(), "is_demo": True})


def _points_in(rng, geoms, counts) -> np.ndarray:
    out = [sample_in(rng, g, int(k)) for g, k in zip(geoms, counts) if k > 0]
    return np.vstack(out) if out else np.empty((0, 2))


def build_service_points(rng, grids: pd.DataFrame, villages: pd.DataFrame) -> pd.DataFrame:
    towns = grids[grids.level == 1].reset_index(drop=True)
    # 澄事之窗: one at every town's service centre and one in every village/community; 最江阴 points
    # (partner shops and service stations) in one village of three.
    rows = []
    t_xy = _points_in(rng, towns.geom, np.ones(len(towns)))
    for t, (x, y) in zip(towns.itertuples(), t_xy):
        rows.append(("window", f"CSW{t.code}", f"{t.name}政务服务中心澄事之窗", x, y, int(rng.integers(260, 420)),
                     int(rng.poisson(2600))))
    v_xy = _points_in(rng, villages.geom, np.ones(len(villages)))
    for v, (x, y) in zip(villages.itertuples(), v_xy):
        rows.append(("window", f"CSW{v.code}", f"{v.name}澄事之窗", x, y, int(rng.integers(40, 120)),
                     int(rng.poisson(260))))
    picks = villages.iloc[np.arange(0, len(villages), 3)]
    a_xy = _points_in(rng, picks.geom, np.ones(len(picks)))
    for v, (x, y) in zip(picks.itertuples(), a_xy):
        rows.append(("app_point", f"ZJY{v.code}", f"最江阴便民服务点（{v.name}）", x, y, int(rng.integers(20, 80)),
                     int(rng.poisson(900))))
    f = pd.DataFrame(rows, columns=["kind", "code", "name", "lon", "lat", "matters", "services_30d"])
    f["is_demo"] = True
    return f


def build_assistance(rng, villages: pd.DataFrame, since_until: dt.date) -> pd.DataFrame:
    classes = [r["code"] for r in read_csv("assistance_classes.csv")]
    if set(classes) != set(ASSISTANCE_SHARES):
        raise ValueError("demo assistance: classes do not match assistance_classes.csv")
    per_village = rng.poisson(villages.population.to_numpy(dtype=float) * ASSISTANCE_RATE)
    vcodes = np.repeat(villages.code.to_numpy(), per_village)
    n = len(vcodes)
    shares = np.array([ASSISTANCE_SHARES[c] for c in classes])
    cls = np.array(classes)[rng.choice(len(classes), n, p=shares / shares.sum())]
    members = np.clip(rng.poisson(1.6, n) + 1, 1, 8)
    monthly = np.where(np.isin(cls, ["minimum_living", "destitute"]), np.round(rng.uniform(800, 1300, n) * members, -1),
                       np.round(rng.uniform(300, 3000, n), -1))
    since = np.array([since_until - dt.timedelta(days=int(d)) for d in rng.integers(20, 3650, n)])
    return pd.DataFrame({
        "code": [f"JZ{v}{i:05d}" for i, v in enumerate(vcodes, start=1)], "village_code": vcodes, "class_code": cls,
        "head_name": names.person_names(rng, n), "members": members, "monthly_yuan": monthly,
        "since": [d.isoformat() for d in since], "phone": names.phones(rng, n), "is_demo": True})


def build_mutual_aid(rng, villages: pd.DataFrame, registered_by_village: dict[str, int]) -> pd.DataFrame:
    admin = villages[villages.name.str.endswith("村")].reset_index(drop=True)
    members = np.array([round(registered_by_village.get(c, 0) * rng.uniform(0.82, 0.95)) for c in admin.code])
    return pd.DataFrame({
        "village_code": admin.code,
        "joined_on": [dt.date(2013 + int(y), int(m), 1).isoformat()
                      for y, m in zip(rng.integers(0, 6, len(admin)), rng.integers(1, 13, len(admin)))],
        "members": members,
        "beneficiaries": allocate(MUTUAL_AID_BENEFICIARIES, members),
        "paid_yuan": allocate(MUTUAL_AID_PAID_YUAN, members * rng.uniform(0.8, 1.2, len(admin))),
        "is_demo": True})


def build_enterprises(rng, admin3: pd.DataFrame, urban_towns: set[str], today: dt.date
                      ) -> tuple[pd.DataFrame, pd.DataFrame]:
    n = N_RECTIFIED + N_CLOSED + N_RECTIFYING
    # Industrial land is mostly outside the town seats: rural grids weigh three times their area.
    weight = np.array([g.area for g in admin3.geom]) * np.where(admin3.code.str[:9].isin(urban_towns), 1.0, 3.0)
    per_grid = allocate(n, weight)
    xy = _points_in(rng, admin3.geom, per_grid)
    status = np.array(["rectified"] * N_RECTIFIED + ["closed"] * N_CLOSED + ["rectifying"] * N_RECTIFYING)
    rng.shuffle(status)
    sectors = np.array(list(SECTOR_SHARES))
    p = np.array(list(SECTOR_SHARES.values()))
    sector = sectors[rng.choice(len(sectors), n, p=p / p.sum())]
    kind_word = {"chemical": "化工", "metallurgy": "金属制品", "machinery": "机械", "textile": "纺织",
                 "building_materials": "建材", "electronics": "电子", "logistics": "物流", "other": "实业"}
    stems = names.person_names(rng, n)
    status_on = np.array([today - dt.timedelta(days=int(d)) for d in rng.integers(5, 900, n)])
    ents = pd.DataFrame({
        "id": np.arange(1, n + 1), "code": [f"AQ{i:06d}" for i in range(1, n + 1)],
        "name": [f"江阴市{s[1:]}{kind_word[k]}有限公司" for s, k in zip(stems, sector)],
        "sector": sector, "status": status, "status_on": [d.isoformat() for d in status_on],
        "lon": xy[:, 0], "lat": xy[:, 1], "is_demo": True})
    rows = []
    for i, (st, d) in enumerate(zip(status, status_on), start=1):
        first = d - dt.timedelta(days=int(rng.integers(20, 200)))
        rows.append((i, first, "issues", int(rng.integers(1, 9))))
        if st == "rectified":
            rows.append((i, d, "pass", 0))
            if rng.random() < 0.4:
                rows.append((i, min(today, d + dt.timedelta(days=int(rng.integers(30, 300)))), "pass", 0))
        elif st == "closed":
            rows.append((i, d, "closed", int(rng.integers(1, 6))))
        elif rng.random() < 0.5:
            rows.append((i, d, "issues", int(rng.integers(1, 5))))
    insp = pd.DataFrame(rows, columns=["enterprise_id", "day", "result", "issues"])
    hours = rng.integers(9, 17, len(insp))
    insp["at"] = [f"{d.isoformat()} {h:02d}:00:00+08" for d, h in zip(insp.pop("day"), hours)]
    insp["inspector"] = [f"安监{c}" for c in rng.integers(1, 54, len(insp))]
    insp["is_demo"] = True
    return ents, insp


def build_patrol(rng, staff: pd.DataFrame, grids: pd.DataFrame, until: dt.datetime
                 ) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Check-ins of the last PATROL_DAYS days (at the worker's spots in their own grid) and today's
    track of every on-duty grid worker, ending where the terminal is now (staff.location)."""
    from geo.worktime import TZ

    local = until.astimezone(TZ)
    duty = staff[staff.on_duty & staff.role.isin(["grid_worker", "police"])].reset_index(drop=True)
    rows = []
    for back in range(PATROL_DAYS):
        day = local.date() - dt.timedelta(days=back)
        goes = rng.random(len(duty)) < CHECKIN_P
        k = rng.integers(1, 4, len(duty))
        for i in np.flatnonzero(goes):
            for _ in range(int(k[i])):
                at = dt.datetime.combine(day, dt.time(8, 0), TZ) + dt.timedelta(minutes=int(rng.integers(0, 570)))
                if at <= local:
                    rows.append((i, at))
    idx = np.array([r[0] for r in rows], dtype=int)
    d = duty.iloc[idx] if len(idx) else duty.iloc[[]]
    checkins = pd.DataFrame({
        "staff_id": d.id.to_numpy(), "at": [r[1].isoformat() for r in rows],
        "lon": d.lon.to_numpy(), "lat": d.lat.to_numpy(), "grid_code": d.grid_code.to_numpy(),
        "town_code": d.grid_code.str[:9].to_numpy(), "village_code": d.grid_code.str[:12].to_numpy(),
        "place": "巡查打卡", "is_demo": True})

    # Today's tracks, walked backwards from the current position and kept inside the own grid.
    workers = duty[duty.role == "grid_worker"].reset_index(drop=True)
    start = dt.datetime.combine(local.date(), dt.time(8, 0), TZ)
    steps = max(0, int((local - start).total_seconds() // (TRACK_STEP_MIN * 60)) + 1) if local >= start else 0
    geom_by_code = dict(zip(grids.code, grids.geom))
    geoms = np.array([geom_by_code[c] for c in workers.grid_code], dtype=object)
    shapely.prepare(geoms)
    x, y = workers.lon.to_numpy(float).copy(), workers.lat.to_numpy(float).copy()
    deg_x = TRACK_STEP_M / (111_320 * np.cos(np.radians(31.8)))
    deg_y = TRACK_STEP_M / 110_540
    parts = []
    for s in range(steps):
        at = local - dt.timedelta(minutes=TRACK_STEP_MIN * s)
        parts.append(pd.DataFrame({"staff_id": workers.id.to_numpy(), "at": at.isoformat(), "lon": x.copy(),
                                   "lat": y.copy(), "accuracy_m": 10.0}))
        ang = rng.uniform(0, 2 * np.pi, len(x))
        cx, cy = x + np.cos(ang) * deg_x, y + np.sin(ang) * deg_y
        ok = shapely.contains_xy(geoms, cx, cy)
        x, y = np.where(ok, cx, x), np.where(ok, cy, y)
    track = pd.concat(parts, ignore_index=True) if parts else pd.DataFrame(
        columns=["staff_id", "at", "lon", "lat", "accuracy_m"])
    return checkins, track


def build(rng: np.random.Generator, grids: pd.DataFrame, staff: pd.DataFrame, until: dt.datetime) -> dict:
    from loaders.reference import towns

    urban = {t.code for t in towns() if t.urban}
    admin3, villages = _grid_frames(grids)
    today = until.date()
    base = build_base_counts(rng, admin3, urban, today)
    reg = base[base.category_code == "registered"]
    registered_by_village = reg.groupby(reg.grid_code.str[:12]).n.sum().to_dict()
    points = build_service_points(rng, grids, villages)
    assistance = build_assistance(rng, villages, today)
    mutual = build_mutual_aid(rng, villages, registered_by_village)
    ents, insp = build_enterprises(rng, admin3, urban, today)
    checkins, track = build_patrol(rng, staff, grids, until)
    return {"grid_base_counts": base, "service_points": points, "assistance_households": assistance,
            "mutual_aid_villages": mutual, "supervised_enterprises": ents, "enterprise_inspections": insp,
            "checkins": checkins, "staff_positions": track}
