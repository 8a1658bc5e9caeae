"""Demo events and their full history (event_log), vectorised so a million events take seconds.

- Where: third-level grids in proportion to their residents (so urban grids are denser), a point
  sampled inside the grid's own stored polygon.
- When: the last `days` days up to `until`, with a weekly rhythm (weekends and holidays quieter)
  and a daily one (morning and afternoon peaks of the patrols).
- What: categories by their catalogue weight; hazardous-chemical events more often urgent.
- Lifecycle: reported -> accepted -> dispatched -> in_progress -> handled -> verified -> closed, with
  some rejected (不予立案) and some returned and re-dispatched; the time to close is drawn relative to
  the category's working-time limit, so most close on time, some late, and recent ones are still
  open, part of them already overdue.
"""
from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd

from geo import worktime
from loaders.demo import names
from loaders.demo.grids import sample_in

HOUR_WEIGHTS = np.array([0.2, 0.1, 0.1, 0.1, 0.1, 0.3, 0.8, 1.8, 3.2, 4.0, 3.8, 3.0,
                         1.8, 2.4, 3.4, 3.6, 3.2, 2.6, 1.6, 1.2, 1.0, 0.8, 0.5, 0.3])
# Share of the time-to-close at which each main-path stage happens (before jitter).
MAIN_PATH = [("accepted", 0.05), ("dispatched", 0.12), ("in_progress", 0.22), ("handled", 0.72),
             ("verified", 0.88), ("closed", 1.0)]
TEMPLATES = {
    "AQ": ["{addr}发现{cat}，存在安全风险，需尽快整改。", "巡查中发现{addr}{cat}，已拍照取证。"],
    "XF": ["{addr}{cat}，楼道内存在火灾隐患。", "居民反映{addr}{cat}，请消防部门核查。"],
    "MD": ["{addr}群众反映{cat}，双方情绪激动，需调解。", "{addr}发生{cat}，当事人请求协调处理。"],
    "WJ": ["{addr}疑似{cat}，正在施工。", "巡查发现{addr}{cat}，未见规划许可公示。"],
    "HW": ["{addr}{cat}，影响周边环境。", "群众反映{addr}{cat}，气味较大。"],
    "SR": ["{addr}{cat}，影响通行。", "{addr}存在{cat}现象，多次劝导无效。"],
    "HJ": ["{addr}{cat}，周边居民投诉。", "巡查发现{addr}{cat}，需环境执法核查。"],
    "WH": ["{addr}{cat}，请立即核查处置！", "企业周边{addr}{cat}，已通知企业负责人。"],
    "SS": ["{addr}{cat}，存在安全隐患。", "{addr}{cat}，请相关单位维修。"],
    "MS": ["{addr}居民求助：{cat}。", "走访中了解到{addr}{cat}需求，请协助。"],
    "SC": ["{addr}{cat}问题，群众举报。", "巡查发现{addr}{cat}。"],
    "JT": ["{addr}{cat}，存在交通安全隐患。", "{addr}{cat}，请交警部门处理。"],
    "ZA": ["{addr}{cat}，请派出所关注。", "网格走访发现{addr}{cat}。"],
    "NY": ["{addr}{cat}，需水利农业部门处理。", "巡查发现{addr}{cat}。"],
    "WL": ["{addr}{cat}，群众举报。", "巡查发现{addr}{cat}。"],
}
CENTRE = {"village": "{village}网格工作站", "town": "{town}综治中心", "city": "市网格化联动指挥中心"}


def _report_times(rng, n: int, days: int, until: dt.datetime) -> np.ndarray:
    """Local naive datetime64[s] report times with weekly and daily rhythm, all <= until."""
    until_local = np.datetime64(until.astimezone(worktime.TZ).replace(tzinfo=None), "s")
    last_day = until.astimezone(worktime.TZ).date()
    day_dates = [last_day - dt.timedelta(days=days - 1 - i) for i in range(days)]
    day_w = np.array([1.0 if worktime.is_workday(d) else (0.7 if d.weekday() == 5 else 0.6)
                      for d in day_dates])
    day_idx = rng.choice(days, size=n, p=day_w / day_w.sum())
    hour = rng.choice(24, size=n, p=HOUR_WEIGHTS / HOUR_WEIGHTS.sum())
    secs = hour * 3600 + rng.integers(0, 3600, n)
    start = np.datetime64(day_dates[0], "s")
    ts = start + (day_idx.astype(np.int64) * 86400 + secs).astype("timedelta64[s]")
    late = ts > until_local                      # later today than "now": a week earlier instead
    ts[late] -= np.timedelta64(7 * 86400, "s")
    return np.maximum(ts, start)


def _pick_reporters(rng, grid_codes: np.ndarray, staff: pd.DataFrame, police_share=0.15):
    """A reporter per event: a grid worker of its grid, or (15 %) a police officer of its grid."""
    out = np.empty(len(grid_codes), dtype=np.int64)
    is_police = rng.random(len(grid_codes)) < police_share
    for role, mask in (("grid_worker", ~is_police), ("police", is_police)):
        s = staff[staff.role == role].sort_values(["grid_code", "id"], kind="stable")
        codes = s.grid_code.to_numpy()
        ids = s.id.to_numpy()
        uniq, first, count = np.unique(codes, return_index=True, return_counts=True)
        pos = np.searchsorted(uniq, grid_codes[mask])
        pick = first[pos] + (rng.random(mask.sum()) * count[pos]).astype(int)
        out[mask] = ids[pick]
    return out, is_police


BATCH = 100_000     # events generated (and loaded) at a time: memory stays flat however many there are


def build_event_batches(rng, grids: pd.DataFrame, staff: pd.DataFrame, categories: pd.DataFrame,
                        n: int, days: int, until: dt.datetime, batch: int | None = None):
    """(events, event_log) frames, `batch` events at a time in id order (ids grow with report
    time). Where and when every event happens is drawn first for all of them (a few numbers each);
    what it is and its history are drawn batch by batch from the same generator, so the rows are
    deterministic for a seed, and a run of at most `batch` events draws exactly as one piece."""
    batch = batch or BATCH
    admin3 = grids[(grids.level == 3) & (grids.kind == "admin")].reset_index(drop=True)
    p = admin3.population.to_numpy(dtype=float) + 50.0
    per_grid = rng.multinomial(n, p / p.sum())
    grid_codes = np.repeat(admin3.code.to_numpy(), per_grid)
    xy = np.vstack([sample_in(rng, g, k) for g, k in zip(admin3.geom, per_grid) if k] or [np.empty((0, 2))])

    reported = _report_times(rng, n, days, until)
    order = np.argsort(reported, kind="stable")          # ids grow with report time
    reported, grid_codes, xy = reported[order], grid_codes[order], xy[order]
    del order

    cats = categories.reset_index(drop=True)
    w = cats.weight.to_numpy(dtype=float)
    village_name = dict(zip(grids.code, grids.name))
    for start in range(0, max(n, 1), batch):
        stop = min(start + batch, n)
        if stop <= start:
            return
        yield _batch(rng, start, reported[start:stop], grid_codes[start:stop], xy[start:stop], cats, w,
                     grids, staff, until, village_name)


def _batch(rng, start, reported, grid_codes, xy, cats, w, grids, staff, until, village_name):
    n = len(reported)
    ci = rng.choice(len(cats), size=n, p=w / w.sum())
    cat = cats.iloc[ci].reset_index(drop=True)
    hazardous = (cat.class_code == "WH").to_numpy()
    u = rng.random(n)
    priority = np.where(hazardous, np.where(u < 0.3, 1, np.where(u < 0.7, 2, 3)),
                        np.where(u < 0.02, 1, np.where(u < 0.10, 2, 3))).astype(int)
    level = cat.default_level.to_numpy().copy()
    escalate = (level == "village") & (rng.random(n) < 0.06)
    level[escalate] = "town"

    due = worktime.due_local(reported, cat.limit_value.to_numpy(dtype=float), cat.limit_unit.to_numpy(), priority)

    reporters, by_police = _pick_reporters(rng, grid_codes, staff)
    log = _lifecycle(rng, reported, due, until, level, cat, grid_codes, grids, staff, reporters, escalate)
    log["event_id"] += start

    vnames = [village_name[c[:12]] for c in grid_codes]
    addr = names.addresses(rng, vnames)
    tmpl_pick = rng.integers(0, 2, n)
    description = [TEMPLATES[k][t].format(addr=a.removesuffix("附近"), cat=c)
                   for k, t, a, c in zip(cat.class_code, tmpl_pick, addr, cat.name)]
    events = pd.DataFrame({
        "id": np.arange(start + 1, start + n + 1),
        "category_code": cat.code.to_numpy(),
        "priority": priority,
        "handling_level": level,
        "reported_at": reported,
        "due_at": due,
        "lon": xy[:, 0],
        "lat": xy[:, 1],
        "grid_code": grid_codes,
        "description": description,
        "address": addr,
        "source": np.where(by_police, "police", "grid_app"),
        "reporter_staff_id": reporters,
        "assignee_department": cat.department_code.to_numpy(),
        "assignee_team": cat.team_code.to_numpy(),
    })
    return events, log


def _lifecycle(rng, reported, due, until, level, cat, grid_codes, grids, staff, reporters, escalate):
    n = len(reported)
    until_local = np.datetime64(until.astimezone(worktime.TZ).replace(tzinfo=None), "s")
    limit_s = (due - reported).astype(np.int64).astype(float)
    # Seconds from report to close: mostly within the limit, a tail beyond it.
    total = np.maximum(limit_s * rng.lognormal(np.log(0.55), 0.55, n), 1800.0)
    # A few cases stall (waiting on a department or a party): they run far past the limit.
    total *= np.where(rng.random(n) < 0.03, rng.uniform(2.0, 8.0, n), 1.0)
    rejected = rng.random(n) < 0.04
    returned = (~rejected) & (rng.random(n) < 0.06)

    stages = [("reported", np.zeros(n))]
    jitter = lambda: rng.uniform(0.85, 1.15, n)  # noqa: E731
    for status, share in MAIN_PATH:
        stages.append((status, np.minimum(share * jitter(), 1.0) * total))
    # Monotone: each stage at least a minute after the previous one.
    offsets = np.maximum.accumulate(np.column_stack([s for _, s in stages]), axis=1)
    offsets = offsets + np.arange(offsets.shape[1]) * 60.0
    statuses = [s for s, _ in stages]

    rows_event, rows_at, rows_from, rows_to, rows_note = [], [], [], [], []

    def emit(mask, at_offset, from_status, to_status, note=None):
        at = reported + at_offset.astype(np.int64).astype("timedelta64[s]")
        ok = mask & (at <= until_local)
        idx = np.flatnonzero(ok)
        rows_event.append(idx)
        rows_at.append(at[idx])
        rows_from.append(np.full(len(idx), from_status, dtype=object))
        rows_to.append(np.full(len(idx), to_status, dtype=object))
        rows_note.append(np.full(len(idx), note, dtype=object))
        return ok

    everyone = np.ones(n, bool)
    emit(everyone, offsets[:, 0], None, "reported")
    emit(rejected, offsets[:, 1], "reported", "rejected", "不属于网格事项，不予立案")
    main = ~rejected
    emit(main, offsets[:, 1], "reported", "accepted")
    emit(main, offsets[:, 2], "accepted", "dispatched")
    # Returned ("not ours") between dispatch and start, then dispatched again.
    ret_at = offsets[:, 2] + (offsets[:, 3] - offsets[:, 2]) * 0.4
    redisp_at = offsets[:, 2] + (offsets[:, 3] - offsets[:, 2]) * 0.7
    emit(returned, ret_at, "dispatched", "returned", "非本单位职责，退回指挥中心")
    emit(returned, redisp_at, "returned", "dispatched", "重新派遣")
    for k in range(3, len(statuses)):
        emit(main, offsets[:, k], statuses[k - 1], statuses[k])

    ev = np.concatenate(rows_event)
    at = np.concatenate(rows_at)
    log = pd.DataFrame({
        "event_id": ev + 1,
        "at": at,
        "from_status": np.concatenate(rows_from),
        "to_status": np.concatenate(rows_to),
        "note": np.concatenate(rows_note),
    }).sort_values(["event_id", "at"], kind="stable").reset_index(drop=True)
    log["level"] = level[log.event_id.to_numpy() - 1]
    _actors(log, level, cat, grid_codes, grids, staff, reporters)
    esc = escalate[log.event_id.to_numpy() - 1] & (log.to_status == "accepted").to_numpy()
    log.loc[esc, "note"] = "村级无法办结，上报镇街"
    return log


def _actors(log, level, cat, grid_codes, grids, staff, reporters):
    name_of = dict(zip(grids.code, grids.name))
    staff_name = dict(zip(staff.id, staff.name))
    staff_role = dict(zip(staff.id, staff.role))
    e = log.event_id.to_numpy() - 1
    to = log.to_status.to_numpy()
    lvl = log.level.to_numpy()
    reporter = reporters[e]
    dept = cat.department_name.to_numpy()[e]
    actor = np.empty(len(log), dtype=object)
    role = np.empty(len(log), dtype=object)
    by_reporter = np.isin(to, ["reported", "verified"])
    actor[by_reporter] = [staff_name[r] for r in reporter[by_reporter]]
    role[by_reporter] = [staff_role[r] for r in reporter[by_reporter]]
    by_dept = np.isin(to, ["in_progress", "handled"])
    actor[by_dept] = dept[by_dept]
    role[by_dept] = "department"
    centre = ~(by_reporter | by_dept)
    gc = grid_codes[e[centre]]
    actor[centre] = [CENTRE[lv].format(village=name_of[g[:12]], town=name_of[g[:9]])
                     for lv, g in zip(lvl[centre], gc)]
    role[centre] = [f"{lv}_centre" for lv in lvl[centre]]
    log["actor"] = actor
    log["actor_role"] = role
