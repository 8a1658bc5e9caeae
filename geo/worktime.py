"""Working time: time limits counted in working hours or working days.

Working days follow the Chinese statutory calendar, holidays and 调休 (weekend days swapped into
working days), from the `chinese-calendar` package. For a year that package does not cover yet, the
plain Monday-Friday rule is used and `calendar_gaps()` names the year, so the UI can say so.

Office hours are WORK_PERIODS (local time, Asia/Shanghai). A limit of N working days is N full
working days of office hours: an event reported at 10:00 on a working day with a 1-day limit is due
at 10:00 on the next working day; one reported in the evening starts counting at the next opening.

The arithmetic works on a "work clock": minutes of office time since an origin day. Timestamps map
to the clock and back with numpy searchsorted, so a million deadlines take milliseconds.
"""
from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from zoneinfo import ZoneInfo

import chinese_calendar
import numpy as np

TZ = ZoneInfo("Asia/Shanghai")
# Office hours in minutes after midnight: 08:30-12:00 and 13:30-17:30.
WORK_PERIODS: tuple[tuple[int, int], ...] = ((8 * 60 + 30, 12 * 60), (13 * 60 + 30, 17 * 60 + 30))
DAY_MINUTES = sum(e - s for s, e in WORK_PERIODS)        # 450 minutes of office time per day
SETTINGS = Path(__file__).resolve().parent.parent / "data" / "reference" / "workflow.json"


@lru_cache(maxsize=1)
def settings() -> dict:
    """data/reference/workflow.json: urgency rules, stage limits, escalation (read once)."""
    return json.loads(SETTINGS.read_text(encoding="utf-8"))


@lru_cache(maxsize=1)
def urgency() -> dict[int, dict]:
    """Per priority (1 特急, 2 紧急, 3 一般): factor on the category limit, clock ('work' office
    hours | 'calendar' round the clock), max_hours after the report (None: no cap)."""
    return {int(k): v for k, v in settings()["urgency"].items()}


# Urgency shortens the category limit: 1 特急, 2 紧急, 3 一般.
URGENCY_FACTOR = {p: float(u["factor"]) for p, u in urgency().items()}

_unsupported_years: set[int] = set()


def _workday(day: dt.date) -> tuple[bool, bool]:
    """(is a working day, the statutory calendar knows this year)."""
    try:
        return chinese_calendar.is_workday(day), True
    except NotImplementedError:
        return day.weekday() < 5, False


def is_workday(day: dt.date) -> bool:
    workday, known = _workday(day)
    if not known:
        _unsupported_years.add(day.year)
    return workday


def calendar_gaps() -> list[int]:
    """Years for which the statutory calendar was unknown and Monday-Friday was assumed."""
    return sorted(_unsupported_years)


def limit_minutes(limit_value, limit_unit, priority=3):
    """Office minutes allowed for a category limit (vectorised over arrays)."""
    value = np.asarray(limit_value, dtype=float)
    unit = np.asarray(limit_unit)
    per_unit = np.where(unit == "work_days", DAY_MINUTES, 60.0)
    factor = np.vectorize(URGENCY_FACTOR.__getitem__, otypes=[float])(np.asarray(priority))
    return value * per_unit * factor


@dataclass(frozen=True)
class _Calendar:
    origin: dt.date
    workday: np.ndarray       # bool per day since origin
    cum: np.ndarray           # office minutes before the start of each day (len = days + 1)
    unknown_years: frozenset  # years the statutory calendar does not cover (Mon-Fri assumed)


@lru_cache(maxsize=8)
def _calendar(first: dt.date, last: dt.date) -> _Calendar:
    days = (last - first).days + 1
    flags = [_workday(first + dt.timedelta(days=i)) for i in range(days)]
    workday = np.array([f[0] for f in flags])
    unknown = frozenset((first + dt.timedelta(days=i)).year for i, f in enumerate(flags) if not f[1])
    cum = np.concatenate([[0], np.cumsum(np.where(workday, DAY_MINUTES, 0))]).astype(float)
    return _Calendar(first, workday, cum, unknown)


def _span(start: dt.date, end: dt.date) -> _Calendar:
    # Cache by whole years so repeated calls share one calendar.
    return _calendar(dt.date(start.year - 1, 1, 1), dt.date(end.year + 2, 12, 31))


def _local_minutes(ts: np.ndarray, origin: dt.date):
    """(day index since origin, minute of day) for UTC-aware datetime64 / datetimes, in local time."""
    local = np.array([t.astimezone(TZ).replace(tzinfo=None) for t in ts], dtype="datetime64[s]") \
        if ts.dtype == object else ts
    origin64 = np.datetime64(origin, "s")
    secs = (local - origin64).astype("timedelta64[s]").astype(np.int64)
    day = secs // 86400
    minute = (secs % 86400) / 60.0
    return day, minute


def _elapsed_in_day(minute):
    total = np.zeros_like(minute, dtype=float)
    for s, e in WORK_PERIODS:
        total += np.clip(minute - s, 0, e - s)
    return total


def _minute_of_office(rem):
    """Inverse of _elapsed_in_day for 0 < rem <= DAY_MINUTES: clock minute of the day."""
    out = np.zeros_like(rem, dtype=float)
    before = 0.0
    for s, e in WORK_PERIODS:
        length = e - s
        inside = (rem > before) & (rem <= before + length)
        out = np.where(inside, s + (rem - before), out)
        before += length
    return out


def add_work_minutes_local(start_local: np.ndarray, minutes) -> np.ndarray:
    """Deadlines for naive local datetime64[s] starts plus office minutes; returns local datetime64[s]."""
    start_local = np.asarray(start_local, dtype="datetime64[s]")
    minutes = np.broadcast_to(np.asarray(minutes, dtype=float), start_local.shape)
    if start_local.size == 0:
        return start_local.copy()
    first = start_local.min().astype("datetime64[D]").astype(dt.date)
    max_days = int(np.ceil(minutes.max() / DAY_MINUTES)) + 1
    # Enough calendar for long holidays (Spring Festival, National Day) after the limit.
    last = start_local.max().astype("datetime64[D]").astype(dt.date) + dt.timedelta(days=max_days * 2 + 20)
    cal = _span(first, last)
    day, minute = _local_minutes(start_local, cal.origin)
    clock = cal.cum[day] + np.where(cal.workday[day], _elapsed_in_day(minute), 0.0)
    target = clock + minutes
    # The day whose office time contains the target: cum[d] < target <= cum[d+1].
    d = np.searchsorted(cal.cum, target, side="left") - 1
    d = np.maximum(d, 0)
    rem = target - cal.cum[d]
    minute_of_day = _minute_of_office(rem)
    # A zero limit at a closed time stays at the start time.
    result = (np.datetime64(cal.origin, "s") + d.astype("timedelta64[D]").astype("timedelta64[s]")
              + np.round(minute_of_day * 60).astype("timedelta64[s]"))
    result = np.where(minutes <= 0, start_local, result)
    if cal.unknown_years:
        last_year = int(result.max().astype("datetime64[Y]").astype(int)) + 1970
        _unsupported_years.update(y for y in cal.unknown_years if y <= last_year)
    return result


def due_local(start_local, limit_value, limit_unit, priority) -> np.ndarray:
    """Deadlines (naive local datetime64[s]) of events reported at start_local, vectorised: the
    category limit times the urgency factor, on the urgency's clock (office hours or round the
    clock, a work day then counting 24 hours), never later than the urgency's cap."""
    start_local = np.asarray(start_local, dtype="datetime64[s]")
    n = start_local.shape
    value = np.broadcast_to(np.asarray(limit_value, dtype=float), n)
    unit = np.broadcast_to(np.asarray(limit_unit), n)
    prio = np.broadcast_to(np.asarray(priority, dtype=int), n)
    rules = urgency()
    # per-urgency lookup tables indexed by the urgency code (1..3)
    size = max(rules) + 1
    lut_factor, lut_cap = np.full(size, np.nan), np.full(size, np.nan)
    for p, u in rules.items():
        lut_factor[p], lut_cap[p] = float(u["factor"]), float(u["max_hours"] or np.inf)
    factor, cap_h = lut_factor[prio], lut_cap[prio]
    calendar = np.isin(prio, [p for p, u in rules.items() if u["clock"] == "calendar"])
    office = add_work_minutes_local(start_local, np.where(calendar, 0.0, limit_minutes(value, unit, prio)))
    clock_h = value * np.where(unit == "work_days", 24.0, 1.0) * factor
    by_clock = start_local + np.round(np.minimum(clock_h, cap_h) * 3600).astype("timedelta64[s]")
    capped = start_local + np.round(np.where(np.isfinite(cap_h), cap_h, 0) * 3600).astype("timedelta64[s]")
    office = np.where(np.isfinite(cap_h) & (office > capped), capped, office)
    return np.where(calendar, by_clock, office)


def due_at(reported_at: dt.datetime, limit_value, limit_unit: str, priority: int = 3) -> dt.datetime:
    """Deadline of one event (aware datetime in, aware Asia/Shanghai datetime out)."""
    local = np.array([reported_at.astimezone(TZ).replace(tzinfo=None)], dtype="datetime64[s]")
    out = due_local(local, [limit_value], [limit_unit], [priority])[0].astype(dt.datetime)
    return out.replace(tzinfo=TZ)


def limit_text(limit_value: float, limit_unit: str, priority: int) -> str:
    """The limit as a person reads it: 5 个工作日, or for an emergency 24 小时（全天候计时）."""
    rule = urgency()[priority]
    base = f"{limit_value:g} 个{'工作日' if limit_unit == 'work_days' else '工作小时'}"
    if rule["clock"] == "calendar":
        hours = limit_value * (24 if limit_unit == "work_days" else 1) * rule["factor"]
        if rule["max_hours"]:
            hours = min(hours, rule["max_hours"])
        return f"{hours:g} 小时（{rule['label']}，全天候计时；类别时限 {base}）"
    if rule["factor"] != 1:
        return f"{base} × {rule['factor']:g}（{rule['label']}）"
    return base


def add_work_minutes(start: dt.datetime, minutes: float) -> dt.datetime:
    """An aware datetime plus office minutes (aware Asia/Shanghai result)."""
    local = np.array([start.astimezone(TZ).replace(tzinfo=None)], dtype="datetime64[s]")
    return add_work_minutes_local(local, [minutes])[0].astype(dt.datetime).replace(tzinfo=TZ)


def work_minutes_between(start: dt.datetime, end: dt.datetime) -> float:
    """Office minutes between two aware datetimes (negative when end < start)."""
    if end < start:
        return -work_minutes_between(end, start)
    s = np.array([start.astimezone(TZ).replace(tzinfo=None)], dtype="datetime64[s]")
    e = np.array([end.astimezone(TZ).replace(tzinfo=None)], dtype="datetime64[s]")
    cal = _span(start.date(), end.date())
    out = []
    for arr in (s, e):
        day, minute = _local_minutes(arr, cal.origin)
        out.append(cal.cum[day] + np.where(cal.workday[day], _elapsed_in_day(minute), 0.0))
    return float(out[1][0] - out[0][0])
