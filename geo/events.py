"""Events for the views: filtered lists, one event's detail, its timeline, time-limit state and
possible duplicates. All take the viewer's Scope; a grid is a filter inside the scope."""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from geo import worktime
from geo.errors import InvalidInput, NotFound, OutOfScope
from geo.scope import Scope
from geo.sqlfiles import query
from geo.status import STATUS_LABELS

LEVELS = ("village", "town", "city")
DUPLICATE_RADIUS_M = 500
DUPLICATE_DAYS = 30


@dataclass(frozen=True)
class EventFilter:
    statuses: tuple[str, ...] = ()
    classes: tuple[str, ...] = ()
    levels: tuple[str, ...] = ()
    days: int | None = 30          # reported in the last N local days incl. today (None: any time)
    closed_days: int | None = None  # closed in the last N local days incl. today
    open_only: bool = False
    overdue_only: bool = False
    grid: str | None = None

    def __post_init__(self):
        bad = [s for s in self.statuses if s not in STATUS_LABELS]
        if bad:
            raise InvalidInput(f"unknown status {bad[0]!r}", f"未知的事件状态“{bad[0]}”。")
        bad = [v for v in self.levels if v not in LEVELS]
        if bad:
            raise InvalidInput(f"unknown level {bad[0]!r}", f"未知的处置层级“{bad[0]}”。")
        for n in (self.days, self.closed_days):
            if n is not None and not (1 <= n <= 3650):
                raise InvalidInput("days must be 1..3650", "时间范围应为1至3650天。")

    def params(self) -> dict:
        return {"statuses": list(self.statuses) or None, "classes": list(self.classes) or None,
                "levels": list(self.levels) or None, "days": self.days, "closed_days": self.closed_days,
                "open_only": self.open_only,
                "overdue_only": self.overdue_only, "grid": self.grid}



def list_events(pool, scope: Scope, flt: EventFilter = EventFilter(), limit: int = 300,
                now: dt.datetime | None = None) -> tuple[list[dict], int]:
    """Events matching the filter, newest first (at most `limit`), and how many match in all."""
    with pool.connection() as conn:
        rows = query(conn, "events_list", {**scope.params(), **flt.params(), "limit": limit, "now": now})
    total = rows[0]["total"] if rows else 0
    return rows, total


MAX_SEARCH = 100


def search(pool, text: str, limit: int = MAX_SEARCH) -> list[dict]:
    """Events whose number, address or description contains `text` (the viewer's scope)."""
    q = (text or "").strip()
    if not q:
        return []
    if len(q) > 100:
        raise InvalidInput("search text longer than 100 characters", "搜索内容不能超过100个字。")
    if any(ord(ch) < 32 for ch in q):
        raise InvalidInput("search text contains control characters", "搜索内容含有不可见的控制字符，请重新输入。")
    with pool.connection() as conn:
        return query(conn, "events_search", {"q": q, "limit": limit})


def get_event(pool, scope: Scope, event_id: int) -> dict:
    """One event with its names; NotFound if missing, OutOfScope if outside the viewer's scope."""
    return _visible(query(pool, "event_detail", {"id": event_id}), scope, event_id)


def brief(source, scope: Scope, event_id: int) -> dict:
    """What a terminal is told about one event (status, category, grid, times, version), as get_event
    refuses; `source` may be the connection of the transaction that just wrote it."""
    return _visible(query(source, "event_brief", {"id": event_id}), scope, event_id)


def _visible(rows: list[dict], scope: Scope, event_id: int) -> dict:
    if not rows:
        if scope.level != "city":   # row-level security hides other areas' events: refuse, say why
            raise OutOfScope(f"event {event_id} does not exist or is outside the viewer's scope",
                             f"没有编号为 {event_id} 的事件，或该事件不在您的管辖范围内。")
        raise NotFound(f"no event {event_id}", f"没有编号为 {event_id} 的事件。")
    ev = rows[0]
    if (scope.town and ev["town_code"] != scope.town) or (scope.village and ev["village_code"] != scope.village):
        raise OutOfScope(f"event {event_id} is outside the viewer's scope",
                         f"事件 {event_id} 不在您的管辖范围内。")
    return ev


def timeline(pool, event_id: int) -> list[dict]:
    with pool.connection() as conn:
        return query(conn, "event_timeline", {"id": event_id})


def duplicates(pool, event: dict, radius_m: int = DUPLICATE_RADIUS_M,
               days: int = DUPLICATE_DAYS) -> list[dict]:
    """Same-category events within radius_m metres reported within `days` days of it (either side)."""
    with pool.connection() as conn:
        return query(conn, "event_duplicates", {"id": event["id"], "category_code": event["category_code"],
                                                "reported_at": event["reported_at"], "lon": event["lon"],
                                                "lat": event["lat"], "radius_m": radius_m, "days": days})


@dataclass(frozen=True)
class LimitState:
    due_at: dt.datetime
    closed: bool
    overdue: bool
    work_minutes: float      # left (positive) or past (negative), in office minutes
    wall: dt.timedelta       # left or past in clock time
    clock: bool = False      # the limit runs round the clock (特急): say it in clock hours

    def label(self) -> str:
        if self.clock:
            hours = abs(self.wall.total_seconds()) / 3600.0
            span = f"{hours:.1f} 小时" if hours < 48 else f"{hours / 24:.1f} 天"
        else:
            hours = abs(self.work_minutes) / 60.0
            span = f"{hours:.1f} 工作小时" if hours < 7.5 * 3 else f"{hours / 7.5:.1f} 个工作日"
        if self.closed:
            return f"已{'超期' if self.overdue else '按期'}结案（{'超出' if self.overdue else '提前'} {span}）"
        return f"已超期 {span}" if self.overdue else f"剩余 {span}"


def limit_state(event: dict, now: dt.datetime | None = None) -> LimitState:
    """Time left (or overdue by) against the event's deadline, in working time."""
    now = now or dt.datetime.now(worktime.TZ)
    end = event["closed_at"] or now
    due = event["due_at"]
    minutes = worktime.work_minutes_between(end, due)
    clock = worktime.urgency()[event.get("priority", 3)]["clock"] == "calendar"
    return LimitState(due, event["closed_at"] is not None, end > due, minutes, due - end, clock)
