"""催办 / 督办, new-task notices, and the outbox that delivers them.

An urge or a new task is written in the same transaction as what causes it (an `event_urges` row,
a dispatch) together with an `outbox` row: the notice exists if and only if the action committed.
Delivery happens afterwards, never inside that transaction: `deliver()` (the API process runs it
every second; several processes may, rows are leased with SKIP LOCKED) turns each outbox row into
the terminal's notification and, when JY_NOTIFY_WEBHOOK is set, POSTs it there (an SMS gateway),
retrying with back-off until both are done or MAX_ATTEMPTS failed.
"""
from __future__ import annotations

import datetime as dt
import json
import logging
import urllib.error
import urllib.request

from geo import audit, db
from geo.errors import Forbidden, IllegalTransition, InvalidInput, NotFound
from geo.roles import ACTOR_LABELS, ACTOR_ROLES, URGERS
from geo.settings import settings
from geo.status import NOTICE_LABELS, OPEN_STATUSES, STATUS_LABELS

MAX_ATTEMPTS = 8
LEASE = dt.timedelta(seconds=60)          # a delivering process that died frees its rows after this
log = logging.getLogger("jiangyin.notify")


def backoff(attempts: int) -> dt.timedelta:
    """Wait before the next try: 5 s, 10 s, 20 s … at most 30 minutes."""
    return dt.timedelta(seconds=min(5 * 2 ** max(attempts - 1, 0), 1800))


_EVENT = """
SELECT e.id, e.status, e.town_code, e.village_code, e.handling_level, e.assignee_staff_id,
       e.assignee_department, e.assignee_team, e.description, c.name AS category, t.name AS town_name,
       s.name AS staff_name, d.name AS department_name, tm.name AS team_name, v.name AS village_name
  FROM events e JOIN event_categories c ON c.code = e.category_code
  JOIN grids t ON t.code = e.town_code
  LEFT JOIN grids v ON v.code = e.village_code
  LEFT JOIN staff s ON s.id = e.assignee_staff_id
  LEFT JOIN departments d ON d.code = e.assignee_department
  LEFT JOIN enforcement_teams tm ON tm.code = e.assignee_team
 WHERE e.id = %(id)s
"""
_URGE = """
INSERT INTO event_urges (event_id, kind, by_user, by_role, note, target, town_code, village_code)
VALUES (%(event)s, %(kind)s, %(user)s, %(role)s, %(note)s, %(target)s, %(town)s, %(village)s)
RETURNING id, at
"""
_OUTBOX = """
INSERT INTO outbox (kind, event_id, staff_id, town_code, village_code, message, payload)
VALUES (%(kind)s, %(event)s, %(staff)s, %(town)s, %(village)s, %(message)s, %(payload)s::jsonb)
"""


def _target(ev: dict, kind: str, by_town: bool = False) -> tuple[str, str]:
    """(target code, Chinese name) of whom an urge addresses: 督办 the town (from the town: the village
    that handles it); 催办 the assignee."""
    if kind == "supervise":
        if by_town and ev.get("village_code"):
            return f"village:{ev['village_code']}", ev.get("village_name") or ev["village_code"]
        return f"town:{ev['town_code']}", ev["town_name"]
    if ev["assignee_staff_id"]:
        return f"staff:{ev['assignee_staff_id']}", f"网格员 {ev['staff_name']}"
    if ev["assignee_team"]:
        return f"team:{ev['assignee_team']}", ev["team_name"]
    if ev["assignee_department"]:
        return f"department:{ev['assignee_department']}", ev["department_name"]
    return f"town:{ev['town_code']}", ev["town_name"]


def urge(conn, event_id: int, kind: str, actor, note: str | None = None) -> dict:
    """催办 (kind "urge") or 督办 ("supervise") one open event as this workflow actor, in one
    transaction: the urge, its outbox row, its audit row. Returns {"id", "at", "target"}."""
    if kind not in URGERS:
        raise InvalidInput(f"unknown urge kind {kind!r}", f"未知的操作“{kind}”：应为催办或督办。")
    label = NOTICE_LABELS[kind]
    if actor.role not in URGERS[kind]:
        raise Forbidden(f"{actor.role} may not {kind}", f"{ACTOR_LABELS.get(actor.role, actor.role)}不能{label}。")
    note = (note or "").strip() or None
    if note and len(note) > 500:
        raise InvalidInput("the note is longer than 500 characters", f"{label}说明最多 500 字。")
    with conn.transaction():
        ev = db.one(conn, _EVENT, {"id": event_id})
        if ev is None:
            raise NotFound(f"no event {event_id}", f"没有编号为 {event_id} 的事件。")
        if actor.town and ev["town_code"] != actor.town:
            raise Forbidden(f"event {event_id} is in another town", f"事件 {event_id} 不属于您的镇街。")
        if ev["status"] not in OPEN_STATUSES:
            raise IllegalTransition(f"event {event_id} is {ev['status']}",
                                    f"事件 {event_id} 已“{STATUS_LABELS[ev['status']]}”，无需{label}。")
        target, target_name = _target(ev, kind, by_town=ACTOR_ROLES[actor.role].level == "town")
        row = db.one(conn, _URGE, {"event": event_id, "kind": kind, "user": actor.username or actor.label,
                                   "role": actor.role, "note": note, "target": target,
                                   "town": ev["town_code"], "village": ev["village_code"]})
        assert row is not None
        message = (f"【{label}】事件 {event_id}（{ev['category']}，{ev['town_name']}）请加快处置"
                   + (f"：{note}" if note else "。") + f" —— {actor.label}")
        _enqueue(conn, kind, ev, message, {"by": actor.label, "note": note, "target": target,
                                           "target_name": target_name, "urge_id": row["id"]})
        audit.record(conn, actor.username or f"({actor.role})", actor.role, kind, f"event:{event_id}",
                     to=target, note=note)
    return {"id": row["id"], "at": row["at"], "target": target_name}


def task_assigned(conn, event_id: int, staff_id: int) -> None:
    """A dispatch to a grid worker: the new task goes to the worker's terminal (caller's transaction)."""
    ev = db.one(conn, _EVENT, {"id": event_id})
    if ev is None or ev["assignee_staff_id"] != staff_id:
        return
    _enqueue(conn, "task", ev, f"【新任务】事件 {event_id}（{ev['category']}）已派给您，请及时处置。",
             {"target": f"staff:{staff_id}"})


def _enqueue(conn, kind: str, ev: dict, message: str, extra: dict) -> None:
    staff = ev["assignee_staff_id"] if kind in ("task", "urge") else None
    payload = {"kind": kind, "kind_label": NOTICE_LABELS[kind], "event_id": ev["id"], "category": ev["category"],
               "town": ev["town_name"], "status": ev["status"], "message": message, **extra}
    conn.execute(_OUTBOX, {"kind": kind, "event": ev["id"], "staff": staff, "town": ev["town_code"],
                           "village": ev["village_code"], "message": message,
                           "payload": json.dumps(payload, ensure_ascii=False, default=str)})


# ------------------------------------------------------------------ delivery
_LEASE = """
UPDATE outbox o SET attempts = o.attempts + 1, next_attempt_at = now() + %(lease)s
 WHERE o.id IN (SELECT id FROM outbox
                 WHERE failed_at IS NULL AND (notified_at IS NULL OR webhook_at IS NULL)
                   AND next_attempt_at <= now()
                 ORDER BY id LIMIT %(n)s FOR UPDATE SKIP LOCKED)
RETURNING o.id, o.kind, o.event_id, o.staff_id, o.town_code, o.village_code, o.message, o.payload,
          o.attempts, o.notified_at, o.webhook_at, o.created_at
"""
_NOTIFY = """
WITH n AS (
    INSERT INTO notifications (staff_id, kind, event_id, message, outbox_id, town_code, village_code)
    SELECT o.staff_id, o.kind, o.event_id, o.message, o.id, s.town_code, s.village_code   -- the recipient's area
      FROM outbox o JOIN staff s ON s.id = o.staff_id WHERE o.id = ANY (%(ids)s)
    ON CONFLICT (outbox_id) DO NOTHING)
UPDATE outbox SET notified_at = now() WHERE id = ANY (%(ids)s) AND notified_at IS NULL
"""
_DONE = """
UPDATE outbox SET webhook_at = CASE WHEN %(ok)s THEN now() ELSE webhook_at END,
       next_attempt_at = CASE WHEN %(ok)s THEN next_attempt_at ELSE now() + %(wait)s END,
       failed_at = CASE WHEN NOT %(ok)s AND attempts >= %(max)s THEN now() END,
       last_error = CASE WHEN %(ok)s THEN NULL ELSE %(error)s END
 WHERE id = %(id)s
"""


def deliver(pool, webhook: str | None = None, batch: int = 200, timeout: float = 5.0) -> int:
    """Deliver what is due in the outbox (pool: city scope). Returns how many rows were handled."""
    webhook = settings().jy_notify_webhook if webhook is None else webhook
    with pool.connection() as conn:
        rows = sorted(db.rows(conn, _LEASE, {"lease": LEASE, "n": batch}), key=lambda r: r["id"])
        if not rows:
            return 0
        conn.execute(_NOTIFY, {"ids": [r["id"] for r in rows]})
        if not webhook:
            conn.execute("UPDATE outbox SET webhook_at = now() WHERE id = ANY (%(ids)s) AND webhook_at IS NULL",
                         {"ids": [r["id"] for r in rows]})
    if webhook:
        for r in rows:
            if r["webhook_at"] is not None:
                continue
            ok, error = _post(webhook, r["payload"] | {"outbox_id": r["id"]}, timeout)
            with pool.connection() as conn:
                conn.execute(_DONE, {"ok": ok, "wait": backoff(r["attempts"]), "max": MAX_ATTEMPTS,
                                     "error": error, "id": r["id"]})
    return len(rows)


def _post(url: str, payload: dict, timeout: float) -> tuple[bool, str | None]:
    req = urllib.request.Request(url, data=json.dumps(payload, ensure_ascii=False, default=str).encode(),
                                 headers={"Content-Type": "application/json; charset=utf-8"}, method="POST")
    try:
        with urllib.request.urlopen(req, timeout=timeout) as resp:    # noqa: S310 (the operator's URL)
            return 200 <= resp.status < 300, None if 200 <= resp.status < 300 else f"HTTP {resp.status}"
    except urllib.error.HTTPError as exc:
        return False, f"HTTP {exc.code}"
    except (urllib.error.URLError, TimeoutError, OSError) as exc:
        log.warning("webhook %s failed: %s", url, exc)
        return False, str(exc)[:300]


# ------------------------------------------------------------------ reading
_INBOX = """
SELECT n.id, n.kind, n.event_id, n.message, n.created_at
  FROM notifications n WHERE n.staff_id = %(staff)s AND n.id > %(after)s ORDER BY n.id LIMIT %(n)s
"""


def inbox(pool, staff_id: int, after: int = 0, limit: int = 100) -> list[dict]:
    rows = db.rows(pool, _INBOX, {"staff": staff_id, "after": after, "n": limit})
    for r in rows:
        r["kind_label"] = NOTICE_LABELS[r["kind"]]
    return rows


def newest(pool) -> dict[int, int]:
    """{staff id: newest notification id} of the last minute (the long-poll's wake-up list)."""
    return dict(db.tuples(pool, "SELECT staff_id, max(id) FROM notifications "
                                "WHERE created_at > now() - interval '1 minute' GROUP BY staff_id"))


_URGES = """
SELECT u.id, u.kind, u.at, u.by_user, u.by_role, u.note, u.target,
       coalesce(o.payload->>'target_name', u.target) AS target_name, o.payload->>'by' AS by_name,
       o.notified_at, o.webhook_at, o.failed_at
  FROM event_urges u
  LEFT JOIN outbox o ON o.event_id = u.event_id AND (o.payload->>'urge_id')::bigint = u.id
 WHERE u.event_id = %(e)s ORDER BY u.at DESC, u.id DESC
"""


def urges_of(pool, event_id: int) -> list[dict]:
    """The 催办/督办 history of one event, each with its delivery state."""
    rows = db.rows(pool, _URGES, {"e": event_id})
    for r in rows:
        r["kind_label"] = NOTICE_LABELS[r["kind"]]
        r["role_label"] = ACTOR_LABELS.get(r["by_role"], r["by_role"])
    return rows


def urge_counts(pool, event_ids: list[int]) -> dict[int, int]:
    """催办+督办 per event (the badge in 调度台)."""
    if not event_ids:
        return {}
    return dict(db.tuples(pool, "SELECT event_id, count(*) FROM event_urges WHERE event_id = ANY (%(ids)s) "
                                "GROUP BY event_id", {"ids": list(event_ids)}))
