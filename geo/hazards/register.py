"""The major-hazard register: sites, their chemicals, R and level (computed in PostGIS by
chem_recompute, migration 004), filtered by town, level and chemical."""
from __future__ import annotations

from geo.db import dicts
from geo.errors import NotFound
from geo.scope import Scope
from geo.sqlfiles import query

ALPHA_BANDS = ((100, 2.0), (50, 1.5), (30, 1.2), (1, 1.0), (0, 0.5))
LEVEL_BANDS = ((100, 1), (50, 2), (10, 3), (0, 4))
LEVEL_NAMES = {1: "一级", 2: "二级", 3: "三级", 4: "四级"}      # 重大危险源等级 (GB 18218-2018)


def level_name(level) -> str:
    """一级…四级, or 未构成 (not a major hazard source) for anything else."""
    try:
        return LEVEL_NAMES.get(int(level), "未构成") if level not in (None, "") else "未构成"
    except (TypeError, ValueError):
        return "未构成"


def alpha(people: float) -> float:
    """alpha by the number of people within 500 m (GB 18218-2018, Table 5)."""
    return next(a for limit, a in ALPHA_BANDS if people >= limit)


def grade(r: float, q_ratio_sum: float) -> int | None:
    """Level 1-4 from R; None when sum(q/Q) < 1 (not a major hazard source)."""
    if q_ratio_sum < 1:
        return None
    return next(level for limit, level in LEVEL_BANDS if r >= limit)



def sites(pool, scope: Scope, levels: tuple[int, ...] = (), cas: str | None = None) -> list[dict]:
    with pool.connection() as conn:
        return query(conn, "hazard_sites", {**scope.params(), "levels": list(levels) or None, "cas": cas})


def site(pool, scope: Scope, site_id: int) -> dict:
    rows = [s for s in sites(pool, scope) if s["id"] == site_id]
    if not rows:
        raise NotFound(f"no chemical site {site_id} in scope", f"没有编号为 {site_id} 的危化品企业（或不在您的辖区）。")
    with pool.connection() as conn:
        rows[0]["inventory"] = query(conn, "hazard_inventory", {"id": site_id})
    return rows[0]


def chemicals(pool) -> list[dict]:
    with pool.connection() as conn:
        cur = conn.execute("SELECT cas, name, hazard_class, mw, aegl2_60min_ppm, erpg2_ppm, threshold_t "
                           "FROM chemicals ORDER BY name")
        return dicts(cur)
