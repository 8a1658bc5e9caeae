"""一张图: everything the grid carries on one map — people on duty and their patrol, base data per grid
(人、地、物、组织), 澄事之窗 / 最江阴 service points, social assistance, 福村宝, supervised enterprises —
beside the events and chemical sites of the other pages. Each function takes the viewer's Scope; the
SQL is in geo/sql/onemap_*.sql and row-level security applies to every table.

The layers and their labels are listed once here (LAYERS); the figures they show are in
geo/metrics.py (在线网格员, 巡查覆盖率 …).
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from geo import codes, metrics
from geo.errors import InvalidInput, NotFound
from geo.scope import Scope
from geo.sqlfiles import query
from geo.status import BASE_KIND_LABELS
from geo.worktime import TZ


@dataclass(frozen=True)
class Layer:
    key: str
    label: str
    system: str          # which of the "1+5" systems it belongs to


LAYERS = {layer.key: layer for layer in (
    Layer("events", "事件密度", "基层治理"),
    Layer("duty", "在岗人员（在线/离线）", "基层治理"),
    Layer("coverage", "巡查覆盖", "基层治理"),
    Layer("service", "澄事之窗与最江阴服务点", "政务服务 · 生活服务"),
    Layer("assistance", "社会救助户（按村社区）", "社会救助"),
    Layer("mutual_aid", "福村宝覆盖村", "社会救助"),
    Layer("enterprises", "安全监管企业（整改状态）", "公共安全"),
    Layer("chem", "危化品企业", "公共安全"),
)}
MAX_DAYS = 30       # the time slider: events of the last 1..30 local days


def _area(area: str | None) -> str | None:
    if area is None:
        return None
    if codes.level_of(area) is None:
        raise InvalidInput(f"area code {area!r} is not a town, village or grid code",
                           f"区域编码“{area}”不是镇街、村社区或网格编码。")
    return area


def base_summary(pool, scope: Scope, area: str | None = None) -> list[dict]:
    """人、地、物、组织 of the scope (or one area in it): every item, 0 where nothing is recorded."""
    rows = query(pool, "onemap_base_summary", {**scope.params(), "area": _area(area)})
    for r in rows:
        r["kind_label"] = BASE_KIND_LABELS.get(r["kind"], r["kind"])
    return rows


def duty(pool, scope: Scope) -> list[dict]:
    """Grid workers and police with a position, 在线 or not."""
    return query(pool, "onemap_duty", {**scope.params(), "online_minutes": metrics.ONLINE_MINUTES})


def duty_counts(pool, scope: Scope) -> dict[str, dict]:
    rows = query(pool, "onemap_duty_counts", {**scope.params(), "online_minutes": metrics.ONLINE_MINUTES})
    out = {role: {"total": 0, "on_duty": 0, "online": 0} for role in ("grid_worker", "police")}
    for r in rows:
        out[r["role"]] = {"total": r["total"], "on_duty": r["on_duty"], "online": r["online"]}
    return out


def coverage(pool, scope: Scope) -> list[dict]:
    """Per third-level grid: visited today, days visited in the last PATROL_WEEK_DAYS days."""
    return query(pool, "onemap_coverage", {**scope.params(), "week_days": metrics.PATROL_WEEK_DAYS})


def coverage_figures(grids: list[dict]) -> dict:
    """巡查覆盖率（今日 / 近7天） from coverage() rows: the one place the shares are computed."""
    n = len(grids)
    today = sum(1 for g in grids if g["visited_today"])
    week = sum(1 for g in grids if g["days_visited"] > 0)
    return {"grids": n, "visited_today": today, "visited_week": week,
            "coverage_today": metrics.rate(today, n), "coverage_week": metrics.rate(week, n)}


def worker(pool, staff_id: int) -> dict:
    rows = query(pool, "onemap_worker", {"staff_id": staff_id, "online_minutes": metrics.ONLINE_MINUTES})
    if not rows:
        raise NotFound(f"no grid worker or police officer {staff_id} in this scope",
                       f"没有找到编号为 {staff_id} 的网格员或网格警员（或不在您的管辖范围内）。")
    out = rows[0]
    out["tasks"] = query(pool, "onemap_worker_tasks", {"staff_id": staff_id})
    return out


def track(pool, staff_id: int, day: dt.date | None = None) -> list[dict]:
    """A worker's fixes of one local day (today by default), oldest first."""
    day = day or dt.datetime.now(TZ).date()
    return query(pool, "onemap_track", {"staff_id": staff_id, "day": day})


def service_points(pool, scope: Scope) -> list[dict]:
    return query(pool, "onemap_service_points", scope.params())


def enterprises(pool, scope: Scope, status: str | None = None) -> list[dict]:
    return query(pool, "onemap_enterprises", {**scope.params(), "status": status})


# The county's map shows the supervised enterprises still 整改中 — the commander's concern; all 6,000 as
# dots were 1.2 MB of a 1.6 MB first load of 一张图 — and a town's or village's map all of its own.
COUNTY_MAP_ENTERPRISES = ("rectifying",)


def enterprises_on_map(items: list[dict], scope: Scope) -> list[dict]:
    """The enterprises of `items` the scope's map draws (COUNTY_MAP_ENTERPRISES at the county)."""
    if scope.town is not None:
        return items
    return [e for e in items if e["status"] in COUNTY_MAP_ENTERPRISES]


def enterprise_counts(pool, scope: Scope, area: str | None = None) -> list[dict]:
    return query(pool, "onemap_enterprise_counts", {**scope.params(), "area": _area(area)})


def inspections(pool, enterprise_id: int) -> list[dict]:
    return query(pool, "onemap_inspections", {"enterprise_id": enterprise_id})


def villages(pool, scope: Scope) -> list[dict]:
    """Villages/communities in scope with their assistance households and 福村宝 membership."""
    return query(pool, "onemap_villages", scope.params())


def assistance_counts(pool, scope: Scope, area: str | None = None) -> list[dict]:
    """社会救助 households and persons by the 8 classes (counts: every viewer in scope)."""
    return query(pool, "onemap_assistance_counts", {**scope.params(), "area": _area(area)})


def assistance_households(pool, scope: Scope, village: str | None = None, class_code: str | None = None,
                          limit: int = 500) -> list[dict]:
    """The households themselves: rows only for roles that may see them (row-level security)."""
    if village is not None and not codes.is_code(village, 2):
        raise InvalidInput(f"village code {village!r} must be 12 digits", f"村社区编码“{village}”格式不对，应为12位数字。")
    return query(pool, "onemap_assistance_households", {**scope.params(), "village": village,
                                                         "class_code": class_code, "limit": limit})


def mutual_aid_figures(village_rows: list[dict]) -> dict:
    """福村宝 over the villages of villages(): covered villages, members, beneficiaries, paid."""
    covered = [v for v in village_rows if v["mutual_aid"]]
    return {"villages": len(covered), "members": sum(v["mutual_aid_members"] or 0 for v in covered),
            "beneficiaries": sum(v["mutual_aid_beneficiaries"] or 0 for v in covered),
            "paid_yuan": sum(float(v["mutual_aid_paid_yuan"] or 0) for v in covered)}
