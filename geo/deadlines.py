"""Time limits per stage and automatic escalation of overdue events.

Stages: accept within (from report), dispatch within (from acceptance), and the category's total
limit (events.due_at) for handling. Limits are office minutes on the statutory calendar, shortened
by urgency. Settings live in data/reference/workflow.json.

Auto-escalation: an open event handled at village level and overdue by more than the configured
hours moves to the town (and a town one to the city), one set-based statement, a log row each
("超期自动上报"), so a dispatcher acting on the old version gets StaleEvent. Each level has its own
time (level_hours) from the moment the event arrived there (events.escalated_at) before the next
automatic move: an event escalated to the town at 14:00 is not moved on to the city at 14:05.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from geo import db, worktime

settings = worktime.settings     # data/reference/workflow.json, read once


def limit_text(event: dict) -> str:
    """An event's limit in words (category limit and urgency rule)."""
    return worktime.limit_text(float(event["limit_value"]), event["limit_unit"], event["priority"])


@dataclass(frozen=True)
class Stage:
    name: str          # accept / dispatch / handle
    label: str
    started_at: dt.datetime
    due_at: dt.datetime
    done_at: dt.datetime | None

    def overdue(self, now: dt.datetime) -> bool:
        return (self.done_at or now) > self.due_at


def stages(event: dict, timeline: list[dict]) -> list[Stage]:
    """The stage deadlines of one event, from its log (first acceptance, first dispatch)."""
    limits = settings()["stage_limits_work_minutes"]
    factor = worktime.URGENCY_FACTOR[event["priority"]]
    first: dict = {}
    for row in timeline:
        first.setdefault(row["to_status"], row["at"])
    reported = event["reported_at"]
    accepted = first.get("accepted")
    dispatched = first.get("dispatched")
    out = [Stage("accept", "立案", reported,
                 worktime.add_work_minutes(reported, limits["accept"] * factor),
                 accepted or first.get("rejected"))]
    if accepted:
        out.append(Stage("dispatch", "派遣", accepted,
                         worktime.add_work_minutes(accepted, limits["dispatch"] * factor), dispatched))
    if dispatched:
        out.append(Stage("handle", "处置（总时限）", dispatched, event["due_at"],
                         first.get("handled") if "handled" in first else event.get("closed_at")))
    return out


_ESCALATE = """
WITH due AS (
    SELECT e.id, e.status, e.handling_level AS old_level,
           CASE e.handling_level WHEN 'village' THEN 'town' ELSE 'city' END AS new_level
      FROM events e
     WHERE jy_is_open(e.status)
       AND ((e.handling_level = 'village' AND e.due_at + make_interval(hours => %(village_h)s) < %(now)s)
         OR (e.handling_level = 'town' AND e.due_at + make_interval(hours => %(town_h)s) < %(now)s
             AND (e.escalated_at IS NULL OR e.escalated_at + make_interval(hours => %(town_level_h)s) < %(now)s)))
     ORDER BY e.id
       FOR UPDATE SKIP LOCKED
), moved AS (
    UPDATE events e SET handling_level = d.new_level, escalated_at = %(now)s FROM due d WHERE e.id = d.id
    RETURNING e.id
)
INSERT INTO event_log (event_id, at, actor, actor_role, from_status, to_status, level, note)
SELECT d.id, %(now)s, '系统', 'system', d.status, d.status, d.new_level,
       CASE d.old_level WHEN 'village' THEN '超期自动上报镇街' ELSE '超期自动上报市级' END
  FROM due d JOIN moved m ON m.id = d.id
RETURNING event_id
"""


def escalate_overdue(conn, now: dt.datetime | None = None) -> list[int]:
    """Move overdue village/town events up one level; returns the ids moved (one transaction)."""
    hours = settings()["auto_escalate_overdue_hours"]
    now = now or dt.datetime.now(worktime.TZ)
    with conn.transaction():
        rows = db.tuples(conn, _ESCALATE, {"now": now, "village_h": hours["village"], "town_h": hours["town"],
                                           "town_level_h": settings()["level_hours"]["town"]})
    return [r[0] for r in rows]
