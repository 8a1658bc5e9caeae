"""The case lifecycle (GB/T 30428 / CJ/T 315 pattern) and who may move a case.

Main path:   reported -> accepted -> dispatched -> in_progress -> handled -> verified -> closed
Side paths:  reported -> rejected (不予立案, reason); dispatched -> returned (退回, reason) ->
             dispatched (重新派遣); dispatched -> dispatched (改派); handled -> in_progress (核查不通过);
             escalate (上报升级) keeps the status and raises the handling level village -> town -> city;
             relocate (更正位置) keeps the status and moves the event to the grid of a corrected point;
             take_over (上收) and hand_down (下放) keep the status: the level above takes a lower
             level's event to its own level, or hands its own one level down.

Every action is one transaction: lock the event row, check the actor's role and scope and the
current state (and the version the actor saw, if given), then append to event_log — the trigger in
migration 002 moves events.status — and update the assignment. A refused action raises a domain
error and writes nothing.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import psycopg

from geo import audit, db, notify
from geo.errors import DomainError, Forbidden, IllegalTransition, InvalidInput, NotFound, StaleEvent
from geo.roles import ACTOR_LABELS, ACTOR_ROLES, DISPATCHERS
from geo.status import LEVEL_LABELS, STATUS_LABELS

LEVEL_ORDER = ("village", "town", "city")
# Actor roles and their Chinese labels (what each may do: geo/roles.py).
ROLES = ACTOR_LABELS


@dataclass(frozen=True)
class Actor:
    name: str
    role: str
    town: str | None = None
    village: str | None = None
    department: str | None = None
    username: str | None = None     # the account behind the actor (audit); None for jobs and tests
    staff_id: int | None = None     # a grid worker acting from a terminal: the tasks assigned to them

    def __post_init__(self):
        if self.role not in ROLES:
            raise InvalidInput(f"unknown role {self.role!r}", f"未知的角色“{self.role}”。")
        needs = ACTOR_ROLES[self.role].needs
        if needs == "town" and not self.town:
            raise InvalidInput(f"a {self.role} needs a town", f"{ROLES[self.role]}必须绑定镇街。")
        if needs == "village" and not self.village:
            raise InvalidInput(f"a {self.role} needs a village", f"{ROLES[self.role]}必须绑定村社区。")

    @property
    def label(self) -> str:
        return f"{ROLES[self.role]} {self.name}"


@dataclass(frozen=True)
class Action:
    code: str
    label: str
    from_statuses: tuple[str, ...]
    to_status: str | None          # None: the status stays (escalate, reassign)
    roles: tuple[str, ...]
    needs_note: bool = False
    console: bool = True           # offered among the bulk actions of 调度台 (relocate has its own map)


ACTIONS = {a.code: a for a in (
    Action("accept", "立案", ("reported",), "accepted", DISPATCHERS),
    Action("reject", "不予立案", ("reported",), "rejected", DISPATCHERS, needs_note=True),
    Action("dispatch", "派遣", ("accepted", "returned"), "dispatched", DISPATCHERS),
    Action("reassign", "改派", ("dispatched",), None, DISPATCHERS),
    Action("return", "退回", ("dispatched",), "returned", ("department", "grid_worker") + DISPATCHERS, needs_note=True),
    Action("start", "开始处置", ("dispatched",), "in_progress", ("department", "grid_worker") + DISPATCHERS),
    Action("handle", "处置完成", ("in_progress",), "handled", ("department", "grid_worker") + DISPATCHERS),
    Action("verify", "核查通过", ("handled",), "verified", ("grid_worker",) + DISPATCHERS),
    Action("verify_fail", "核查不通过", ("handled",), "in_progress", ("grid_worker",) + DISPATCHERS,
           needs_note=True),
    Action("close", "结案", ("verified",), "closed", DISPATCHERS),
    Action("escalate", "上报升级", ("reported", "accepted", "dispatched", "returned", "in_progress",
                                  "handled", "verified"), None, DISPATCHERS, needs_note=True),
    Action("relocate", "更正位置", ("reported", "accepted", "dispatched", "returned", "in_progress",
                                  "handled", "verified"), None, DISPATCHERS, needs_note=True, console=False),
    # The level above takes an event over (上收: a town a village's event, the city a town's or a
    # village's) or hands one of its own back down one level (下放); the status stays.
    Action("take_over", "上收", ("reported", "accepted", "dispatched", "returned", "in_progress",
                               "handled", "verified"), None, ("city_commander", "city_dispatcher", "town_dispatcher")),
    Action("hand_down", "下放", ("reported", "accepted", "dispatched", "returned"), None,
           ("city_commander", "city_dispatcher", "town_dispatcher"), needs_note=True),
)}


# The natural next step from each status (the action a console offers first).
# Steps a dispatcher takes at once (调度台): each step is checked, logged and audited as itself, all in
# one transaction; offered only where this actor may take every step in turn.
COMBINED = {"accept_dispatch": (Action("accept_dispatch", "立案并派遣", ("reported",), "dispatched", DISPATCHERS),
                                ("accept", "dispatch"))}


def label(code: str) -> str:
    """The Chinese label of an action or a combined one."""
    return COMBINED[code][0].label if code in COMBINED else ACTIONS[code].label


NEXT_ACTION = {"reported": "accept", "accepted": "dispatch", "returned": "dispatch", "dispatched": "start",
               "in_progress": "handle", "handled": "verify", "verified": "close"}


def new_level(action_code: str, level: str, actor: Actor) -> str:
    """The handling level an action leaves the event at (IllegalTransition where it cannot move)."""
    if action_code == "escalate":
        if level == "city":
            raise IllegalTransition("already at city level", "事件已在市级处置，无法再上报。")
        return LEVEL_ORDER[LEVEL_ORDER.index(level) + 1]
    if action_code == "take_over":
        mine = ACTOR_ROLES[actor.role].level or "city"
        if LEVEL_ORDER.index(level) >= LEVEL_ORDER.index(mine):
            raise IllegalTransition(f"already at {level} level", f"事件已由{LEVEL_LABELS[level]}处置，无需上收。")
        return mine
    if action_code == "hand_down":
        if level == "village":
            raise IllegalTransition("already at village level", "事件已在村社区处置，无法再下放。")
        return LEVEL_ORDER[LEVEL_ORDER.index(level) - 1]
    return level


def permitted(actor: Actor, ev: dict, action: Action) -> bool:
    """May this actor take this action on this event (its area, level and assignment: the rule act()
    applies)? What a console offers is exactly what act() will then accept on those grounds."""
    try:
        check(actor, ev, action)
    except (Forbidden, IllegalTransition):
        return False
    return True


def check(actor: Actor, ev: dict, action: Action) -> str:
    """The one rule of who may take which action on which event: the actor's role, the event's status,
    the actor's area, level and assignment (_check_scope) and the level move; returns the level the
    event is left at, or raises Forbidden / IllegalTransition. act() and permitted() both ask here."""
    if action.roles and actor.role not in action.roles and actor.role != "system":
        raise Forbidden(f"{actor.role} may not {action.code}", f"{ROLES[actor.role]}不能执行“{action.label}”。")
    if ev["status"] not in action.from_statuses:
        raise IllegalTransition(
            f"cannot {action.code} an event that is {ev['status']}",
            f"事件当前为“{STATUS_LABELS[ev['status']]}”，不能执行“{action.label}”。")
    _check_scope(actor, ev, action)
    return new_level(action.code, ev["handling_level"], actor)


def common_actions(events: list[dict], actor: Actor | None = None) -> list[Action]:
    """Actions legal for every one of these events (status and handling level) and, with `actor`,
    permitted to that actor on each (area, level, assignment), the natural next step of their status
    first when they share one."""
    if not events:
        return []
    sets = [[a for a in allowed_actions(e["status"], e["handling_level"])
             if a.console and (actor is None or permitted(actor, e, a))] for e in events]
    common = [a for a in sets[0] if all(a in s for s in sets[1:])]
    nxt = {NEXT_ACTION.get(e["status"]) for e in events}
    if len(nxt) == 1:
        common.sort(key=lambda a: a.code != next(iter(nxt)))
    for combined, steps in COMBINED.values():
        if steps[0] in {a.code for a in common} and all(_steps_permitted(e, steps, actor) for e in events):
            common.insert([a.code for a in common].index(steps[0]) + 1, combined)
    return common


def _steps_permitted(ev: dict, steps: tuple[str, ...], actor: Actor | None) -> bool:
    """Every step legal (and, with `actor`, permitted) from the status the step before leaves."""
    for code in steps:
        action = ACTIONS[code]
        if ev["status"] not in action.from_statuses or (actor is not None and not permitted(actor, ev, action)):
            return False
        ev = {**ev, "status": action.to_status or ev["status"]}
    return True


def allowed_actions(status: str, level: str | None = None) -> list[Action]:
    """Actions legal from this status at this level, whoever acts (no escalation or 上收 from the city
    level, no 下放 from the village level); permitted() adds the actor's role, area and level."""
    return [a for a in ACTIONS.values()
            if status in a.from_statuses
            and not (a.code in ("escalate", "take_over") and level == "city")
            and not (a.code == "hand_down" and level == "village")]


def _check_scope(actor: Actor, ev: dict, action: Action) -> None:
    """Dispatchers act at the event's handling level within their area; departments on their own
    assignments; grid workers verify in their village. The city dispatcher may act on anything; the
    city commander on the events handled at city level; a grid worker starts, finishes or sends back
    the tasks assigned to them, in any village."""
    role = ACTOR_ROLES[actor.role]
    if role.anywhere:
        return
    if actor.role == "grid_worker" and action.code in ("start", "handle", "return"):
        # starts, finishes or sends back (退回, with the reason) its own tasks, wherever 调度台 sent it
        # (the nearest staff may be a neighbour's)
        if ev["assignee_staff_id"] != actor.staff_id:
            raise Forbidden(f"event {ev['id']} is not assigned to staff {actor.staff_id}",
                            f"事件 {ev['id']} 未派给您，不能“{action.label}”。")
        return
    if actor.town and ev["town_code"] != actor.town:
        raise Forbidden(f"event {ev['id']} is in another town",
                        f"事件 {ev['id']} 不属于{'您的镇街' if actor.role == 'town_dispatcher' else '您的辖区'}。")
    if actor.village and ev["village_code"] != actor.village:
        raise Forbidden(f"event {ev['id']} is in another village", f"事件 {ev['id']} 不属于您的村社区。")
    if actor.role == "department":
        if ev["assignee_department"] != actor.department and ev["assignee_team"] != actor.department:
            raise Forbidden(f"event {ev['id']} is not assigned to {actor.department}",
                            f"事件 {ev['id']} 未派遣给本部门。")
        return
    if actor.role == "grid_worker":     # verifies in its own village
        return
    if action.code == "take_over":      # the level above, in its area (new_level checks "above")
        return
    if ev["handling_level"] != role.level:
        raise Forbidden(f"event {ev['id']} is handled at {ev['handling_level']} level",
                        f"事件 {ev['id']} 目前由{LEVEL_LABELS[ev['handling_level']]}处置，"
                        f"{ROLES[actor.role]}不能执行“{action.label}”。")


_LOCK = """
SELECT e.id, e.status, e.version, e.handling_level, e.town_code, e.village_code, e.grid_code,
       e.assignee_department, e.assignee_team, e.assignee_staff_id
  FROM events e WHERE e.id = %(id)s FOR UPDATE
"""
_LAST = """
SELECT actor, at, to_status FROM event_log WHERE event_id = %(id)s ORDER BY at DESC, id DESC LIMIT 1
"""
_LOG = """
INSERT INTO event_log (event_id, at, actor, actor_role, from_status, to_status, level, note)
VALUES (%(id)s, %(at)s, %(actor)s, %(role)s, %(from)s, %(to)s, %(level)s, %(note)s)
"""
_ASSIGN = """
UPDATE events SET handling_level = %(level)s,
       escalated_at = CASE WHEN %(level)s <> handling_level THEN %(at)s ELSE escalated_at END,
       assignee_department = coalesce(%(department)s, assignee_department),
       assignee_team = CASE WHEN %(set_team)s THEN %(team)s ELSE assignee_team END,
       assignee_staff_id = CASE WHEN %(set_staff)s THEN %(staff)s ELSE assignee_staff_id END
 WHERE id = %(id)s
"""


_MOVE = """
UPDATE events SET location = ST_SetSRID(ST_MakePoint(%(x)s, %(y)s), 4490), grid_code = %(grid)s
 WHERE id = %(id)s
"""     # town_code and village_code follow grid_code (generated columns)


def _relocate(conn, ev: dict, location: tuple | None, actor: Actor) -> str:
    """Move the locked event to the corrected point (lon, lat[, datum]); the point must fall in the
    actor's area (the same rule and messages as a report: geo.intake.locate). Returns the log note."""
    from geo.intake import Report, locate
    if not location or location[0] is None or location[1] is None:
        raise InvalidInput("relocate needs the corrected point", "更正位置需要新的经纬度（在地图上点选或输入）。")
    datum = location[2] if len(location) > 2 else "wgs84"
    located, problems = locate(conn, [Report("", "", lon=location[0], lat=location[1], datum=datum)])
    if problems:
        raise InvalidInput(problems[0].message, problems[0].message_zh)
    assert located[0] is not None          # placed, or a problem above
    x, y, grid = located[0]
    if not ACTOR_ROLES[actor.role].anywhere and not grid.startswith(actor.village or actor.town or ""):
        raise Forbidden(f"the corrected point (grid {grid}) is outside the actor's area",
                        f"新位置（网格 {grid}）不在您的辖区：请联系该镇街或市级调度更正。")
    conn.execute(_MOVE, {"id": ev["id"], "x": x, "y": y, "grid": grid})
    return f"位置更正：网格 {ev['grid_code']} → {grid}（{x:.6f}, {y:.6f}）"


def act(conn, event_id: int, action_code: str, actor: Actor, note: str | None = None,
        expected_version: int | None = None, department: str | None = None,
        team: str | None = None, staff_id: int | None = None,
        at: dt.datetime | None = None, location: tuple | None = None) -> dict:
    """Perform one action on one event in the caller's open transaction (or its own).
    `location` (lon, lat[, datum]) is the corrected point of a relocation.

    Returns {"id", "status", "version", "handling_level"} after the action.
    """
    if action_code in COMBINED:              # e.g. 立案并派遣: each step as itself, one transaction
        steps = COMBINED[action_code][1]
        with conn.transaction():
            after = None
            for i, code in enumerate(steps):
                last = i == len(steps) - 1
                after = act(conn, event_id, code, actor, note=note if last else None,
                            expected_version=expected_version if after is None else after["version"],
                            department=department if last else None, team=team if last else None,
                            staff_id=staff_id if last else None, at=at, location=location)
            assert after is not None
            return after
    action = ACTIONS.get(action_code)
    if action is None:
        raise InvalidInput(f"unknown action {action_code!r}", f"未知的操作“{action_code}”。")
    note = (note or "").strip() or None
    if action.needs_note and not note:
        raise InvalidInput(f"{action_code} needs a reason", f"“{action.label}”需要填写理由。")
    try:
        return _act(conn, event_id, action, action_code, actor, note, expected_version, department, team,
                    staff_id, at, location)
    except psycopg.errors.InsufficientPrivilege as exc:
        # the database's separation of duties (data/functions/40_events.sql, event_log_check)
        if "may not verify" not in (exc.diag.message_primary or ""):
            raise
        raise Forbidden(f"{actor.username or actor.role} reported or handled event {event_id}",
                        f"核查须由上报人和处置人以外的人员进行：您上报或处置过事件 {event_id}，"
                        "请由其他调度员或指挥人员核查。") from None


def _act(conn, event_id: int, action, action_code: str, actor: Actor, note: str | None,
         expected_version: int | None, department: str | None, team: str | None, staff_id: int | None,
         at: dt.datetime | None, location: tuple | None) -> dict:
    with conn.transaction():
        ev = db.one(conn, _LOCK, {"id": event_id})
        if ev is None:
            raise NotFound(f"no event {event_id}", f"没有编号为 {event_id} 的事件。")
        if expected_version is not None and ev["version"] != expected_version:
            last = db.one(conn, _LAST, {"id": event_id}) or {}
            raise StaleEvent(
                f"event {event_id} changed (version {ev['version']}, you saw {expected_version}); "
                f"last by {last['actor']}",
                f"事件 {event_id} 已由 {last['actor']} 于 {last['at']:%m-%d %H:%M} 处理为"
                f"“{STATUS_LABELS[last['to_status']]}”，已显示最新状态。", ev)
        level = check(actor, ev, action)
        # 派遣 sends the event to whom routing chose at intake unless the dispatcher chose otherwise
        # (a bulk 派遣 of events each with its own department); 改派 needs someone new.
        routed = action_code == "dispatch" and (ev["assignee_department"] or ev["assignee_team"])
        if action_code in ("dispatch", "reassign") and not (department or team or staff_id or routed):
            raise InvalidInput("dispatch needs a department, team or person",
                               "派遣需要选择责任部门、执法队伍或人员。")
        to_status = action.to_status or ev["status"]
        at = at or dt.datetime.now(dt.timezone.utc)
        if action_code == "relocate":
            note = f"{_relocate(conn, ev, location, actor)}。{note}"
        elif action_code == "take_over":     # the timeline says what happened, whoever reads it
            note = f"{LEVEL_LABELS[level]}上收" + (f"：{note}" if note else "")
        elif action_code == "hand_down":
            note = f"下放至{LEVEL_LABELS[level]}：{note}"
        conn.execute(_LOG, {"id": event_id, "at": at,
                            "actor": actor.label, "role": actor.role, "from": ev["status"],
                            "to": to_status, "level": level, "note": note})
        conn.execute(_ASSIGN, {"id": event_id, "level": level, "department": department, "at": at,
                               "set_team": action_code == "reassign" or (action_code == "dispatch" and team is not None),
                               "team": team,
                               # a task sent back (退回) leaves its worker's list: the dispatcher sends it again
                               "set_staff": action_code in ("dispatch", "reassign", "return"),
                               "staff": None if action_code == "return" else staff_id})
        if action_code in ("dispatch", "reassign") and staff_id:
            notify.task_assigned(conn, event_id, staff_id)      # the worker's terminal hears of it
        audit.record(conn, actor.username or f"({actor.role})", actor.role, action_code, f"event:{event_id}",
                     status=to_status, level=level, note=note)
        after = db.one(conn, "SELECT id, status, version, handling_level FROM events WHERE id = %(id)s", {"id": event_id})
        assert after is not None        # locked above, in this transaction
        return after


def act_many(pool, versions: dict[int, int | None], action_code: str, actor: Actor,
             **kwargs) -> tuple[list[dict], list[tuple[int, DomainError]]]:
    """Bulk action on {event id: version the dispatcher saw}. Each event is its own transaction
    (one may be refused while the others go through); returns (done, refused with reasons).
    A refusal is audited too, in a transaction of its own."""
    done, refused = [], []
    for eid, version in versions.items():
        try:
            with pool.connection() as conn:
                done.append(act(conn, eid, action_code, actor, expected_version=version, **kwargs))
        except DomainError as exc:
            refused.append((eid, exc))
            audit.record_refusal(pool, actor.username or f"({actor.role})", actor.role, action_code,
                                 f"event:{eid}", exc.__class__.__name__, message=exc.message)
    return done, refused
