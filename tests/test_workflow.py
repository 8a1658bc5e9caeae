"""The case lifecycle: every legal and illegal transition, roles and scope, versions."""
from __future__ import annotations

import pytest

from geo.errors import InvalidInput, NotFound
from geo.intake import Report
from geo.workflow import ACTIONS, Actor, Forbidden, IllegalTransition, StaleEvent, act
from tests.fixtures import point_in, report_events

CITY = Actor("张调度", "city_dispatcher")
DEPT = Actor("李科员", "department", department="D06")
STATUSES = ("reported", "accepted", "dispatched", "in_progress", "handled", "verified", "closed",
            "rejected", "returned")
# How to bring a fresh event into each status, as a list of (action, kwargs).
PATHS = {
    "reported": [],
    "accepted": [("accept", {})],
    "dispatched": [("accept", {}), ("dispatch", {"department": "D06"})],
    "in_progress": [("accept", {}), ("dispatch", {"department": "D06"}), ("start", {})],
    "handled": [("accept", {}), ("dispatch", {"department": "D06"}), ("start", {}), ("handle", {})],
    "verified": [("accept", {}), ("dispatch", {"department": "D06"}), ("start", {}), ("handle", {}),
                 ("verify", {})],
    "closed": [("accept", {}), ("dispatch", {"department": "D06"}), ("start", {}), ("handle", {}),
               ("verify", {}), ("close", {})],
    "rejected": [("reject", {"note": "非网格事项"})],
    "returned": [("accept", {}), ("dispatch", {"department": "D06"}), ("return", {"note": "非本单位职责"})],
}
KWARGS = {"reject": {"note": "x"}, "return": {"note": "x"}, "verify_fail": {"note": "x"},
          "escalate": {"note": "x"}, "hand_down": {"note": "x"}, "dispatch": {"department": "D06"}, "reassign": {"team": "T6"}}




def kwargs_for(work_conn, action: str) -> dict:
    """What each action needs besides the event (a relocation: a point in a neighbouring grid)."""
    if action == "relocate":
        return {"note": "坐标录错", "location": point_in(work_conn, "320281103001002")}
    return KWARGS.get(action, {})


def new_event(work_conn, category="HW01", town_point=(120.27, 31.79)) -> int:
    lon, lat = work_conn.execute("SELECT ST_X(p), ST_Y(p) FROM (SELECT ST_PointOnSurface(geom) p FROM grids "
                            "WHERE code = '320281103001001') s").fetchone()
    return report_events(work_conn, [Report(category, "测试事件", 3, lon, lat)])[0]


def bring_to(work_conn, status: str) -> int:
    eid = new_event(work_conn)
    for code, kw in PATHS[status]:
        act(work_conn, eid, code, CITY, **kw)
    assert work_conn.execute("SELECT status FROM events WHERE id = %s", (eid,)).fetchone()[0] == status
    return eid


@pytest.mark.parametrize("status", STATUSES)
@pytest.mark.parametrize("action", sorted(ACTIONS))
def test_every_action_from_every_state(work_conn, status, action):
    eid = bring_to(work_conn, status)
    a = ACTIONS[action]
    n_log = work_conn.execute("SELECT count(*) FROM event_log WHERE event_id = %s", (eid,)).fetchone()[0]
    if status in a.from_statuses:
        if action == "hand_down":           # the new event is at village level: take it up first
            act(work_conn, eid, "take_over", CITY)
        out = act(work_conn, eid, action, CITY, **kwargs_for(work_conn, action))
        assert out["status"] == (a.to_status or status)
        last = work_conn.execute("SELECT from_status, to_status, actor FROM event_log WHERE event_id = %s "
                            "ORDER BY at DESC, id DESC LIMIT 1", (eid,)).fetchone()
        assert last == (status, a.to_status or status, CITY.label)
    else:
        with pytest.raises(IllegalTransition) as exc:
            act(work_conn, eid, action, CITY, **kwargs_for(work_conn, action))
        assert "不能执行" in exc.value.message_zh
        after = work_conn.execute("SELECT count(*) FROM event_log WHERE event_id = %s", (eid,)).fetchone()[0]
        assert after == n_log          # nothing written


def test_escalation_raises_the_level_then_stops_at_city(work_conn):
    eid = new_event(work_conn)
    assert act(work_conn, eid, "escalate", CITY, note="村级无法处置")["handling_level"] == "town"
    assert act(work_conn, eid, "escalate", CITY, note="镇街无法处置")["handling_level"] == "city"
    with pytest.raises(IllegalTransition):
        act(work_conn, eid, "escalate", CITY, note="再上报")


def test_the_town_takes_over_a_villages_event_and_hands_it_back(work_conn):
    """上收 and 下放 (issue 31): a town dispatcher takes a village-level event of its own town up,
    runs it at town level, and hands another back down; another town's dispatcher cannot; nothing
    goes below the village or above the level that takes it."""
    eid = bring_to(work_conn, "reported")                       # a village-level event in 青阳镇
    own_town = Actor("赵调度", "town_dispatcher", town="320281103")
    other_town = Actor("王调度", "town_dispatcher", town="320281004")
    with pytest.raises(Forbidden):
        act(work_conn, eid, "take_over", other_town)
    with pytest.raises(Forbidden):                              # not yet its level
        act(work_conn, eid, "accept", own_town)
    assert act(work_conn, eid, "take_over", own_town)["handling_level"] == "town"
    with pytest.raises(IllegalTransition):                      # already the town's
        act(work_conn, eid, "take_over", own_town)
    assert act(work_conn, eid, "accept", own_town)["status"] == "accepted"
    log = work_conn.execute("SELECT from_status, to_status, level, actor FROM event_log WHERE event_id = %s "
                            "ORDER BY at, id", (eid,)).fetchall()
    assert log[-2] == ("reported", "reported", "town", own_town.label)
    other = bring_to(work_conn, "reported")
    act(work_conn, other, "take_over", own_town)
    assert act(work_conn, other, "hand_down", own_town, note="请村里处理")["handling_level"] == "village"
    with pytest.raises(Forbidden):                              # the village's now, not the town's
        act(work_conn, other, "hand_down", own_town, note="再下放")
    village = Actor("钱主任", "village_staff", town="320281103", village="320281103001")
    with pytest.raises(Forbidden):                              # only the level above takes over
        act(work_conn, other, "take_over", village)
    assert act(work_conn, other, "accept", village)["status"] == "accepted"


def test_dispatch_keeps_what_routing_chose_unless_the_dispatcher_changes_it(work_conn):
    """Issue 31: 派遣 without a choice goes to the department and team routing chose at intake (a bulk
    派遣 of events each with its own department works); naming only a person keeps the team; naming a
    team changes it; 改派 still needs someone new."""
    first = bring_to(work_conn, "accepted")
    routed = work_conn.execute("SELECT assignee_department, assignee_team FROM events WHERE id = %s",
                               (first,)).fetchone()
    assert routed[0] and routed[1], "the category routes to a department and a team"
    act(work_conn, first, "dispatch", CITY)
    assert work_conn.execute("SELECT status, assignee_department, assignee_team FROM events WHERE id = %s",
                             (first,)).fetchone() == ("dispatched", *routed)
    second = bring_to(work_conn, "accepted")
    staff = work_conn.execute("SELECT id FROM staff WHERE role = 'grid_worker' ORDER BY id LIMIT 1").fetchone()[0]
    act(work_conn, second, "dispatch", CITY, staff_id=staff)
    assert work_conn.execute("SELECT assignee_team, assignee_staff_id FROM events WHERE id = %s",
                             (second,)).fetchone() == (routed[1], staff)
    with pytest.raises(InvalidInput):
        act(work_conn, second, "reassign", CITY)
    act(work_conn, second, "reassign", CITY, team="T6")
    assert work_conn.execute("SELECT assignee_team FROM events WHERE id = %s", (second,)).fetchone()[0] == "T6"


def test_roles_and_scope(work_conn):
    eid = bring_to(work_conn, "reported")                       # a village-level event in 青阳镇
    other_town = Actor("王调度", "town_dispatcher", town="320281004")
    with pytest.raises(Forbidden):
        act(work_conn, eid, "accept", other_town)
    own_town = Actor("赵调度", "town_dispatcher", town="320281103")
    with pytest.raises(Forbidden) as exc:                   # village level: the village acts first
        act(work_conn, eid, "accept", own_town)
    assert "村社区" in exc.value.message_zh
    village = Actor("钱主任", "village_staff", town="320281103", village="320281103001")
    act(work_conn, eid, "accept", village)
    with pytest.raises(Forbidden):                          # a department cannot dispatch
        act(work_conn, eid, "dispatch", DEPT, department="D06")
    act(work_conn, eid, "dispatch", village, department="D04")
    with pytest.raises(Forbidden):                          # not assigned to D06
        act(work_conn, eid, "start", DEPT)
    act(work_conn, eid, "start", Actor("孙科员", "department", department="D04"))


def test_reasons_and_targets_are_required(work_conn):
    eid = bring_to(work_conn, "reported")
    with pytest.raises(InvalidInput):
        act(work_conn, eid, "reject", CITY, note="  ")
    act(work_conn, eid, "accept", CITY)
    act(work_conn, eid, "dispatch", CITY)          # to whom routing chose (issue 31)
    with pytest.raises(InvalidInput):              # 改派 needs someone new
        act(work_conn, eid, "reassign", CITY)
    with pytest.raises(InvalidInput):
        act(work_conn, eid, "fly", CITY)
    with pytest.raises(NotFound):
        act(work_conn, 10**12, "accept", CITY)


def test_stale_version_is_refused_and_names_who_acted(work_conn):
    eid = bring_to(work_conn, "reported")
    v = work_conn.execute("SELECT version FROM events WHERE id = %s", (eid,)).fetchone()[0]
    act(work_conn, eid, "accept", CITY, expected_version=v)
    with pytest.raises(StaleEvent) as exc:
        act(work_conn, eid, "reject", Actor("周调度", "city_dispatcher"), note="重复", expected_version=v)
    assert CITY.label in exc.value.message_zh
    assert exc.value.current["status"] == "accepted"


def test_relocation_moves_the_event_to_the_new_grid_and_logs_why(work_conn):
    eid = new_event(work_conn)
    lon, lat = point_in(work_conn, "320281103001002")
    out = act(work_conn, eid, "relocate", CITY, note="网格员定位偏差", location=(lon, lat))
    assert out["status"] == "reported"
    grid, x, y = work_conn.execute("SELECT grid_code, ST_X(location), ST_Y(location) FROM events WHERE id = %s",
                                   (eid,)).fetchone()
    assert grid == "320281103001002" and abs(x - lon) < 1e-9 and abs(y - lat) < 1e-9
    note = work_conn.execute("SELECT note FROM event_log WHERE event_id = %s ORDER BY at DESC, id DESC LIMIT 1",
                             (eid,)).fetchone()[0]
    assert "320281103001001 → 320281103001002" in note and "网格员定位偏差" in note


def test_relocation_is_refused_without_a_point_reason_or_outside_the_area(work_conn):
    eid = new_event(work_conn)
    before = work_conn.execute("SELECT version, grid_code FROM events WHERE id = %s", (eid,)).fetchone()
    lon, lat = point_in(work_conn, "320281103001002")
    with pytest.raises(InvalidInput, match="needs a reason"):
        act(work_conn, eid, "relocate", CITY, location=(lon, lat))
    with pytest.raises(InvalidInput) as err:
        act(work_conn, eid, "relocate", CITY, note="x")
    assert "新的经纬度" in err.value.message_zh
    with pytest.raises(InvalidInput) as err:
        act(work_conn, eid, "relocate", CITY, note="x", location=(121.5, 31.2))      # 上海
    assert "不在江阴市范围内" in err.value.message_zh
    assert work_conn.execute("SELECT version, grid_code FROM events WHERE id = %s", (eid,)).fetchone() == before
    act(work_conn, eid, "escalate", CITY, note="交镇街处置")                 # now the town's to handle
    town = Actor("镇调度", "town_dispatcher", town="320281103")
    with pytest.raises(Forbidden) as err:
        act(work_conn, eid, "relocate", town, note="x", location=point_in(work_conn, "320281001002002"))
    assert "不在您的辖区" in err.value.message_zh
    act(work_conn, eid, "relocate", town, note="同镇内更正", location=(lon, lat))
    assert work_conn.execute("SELECT grid_code FROM events WHERE id = %s", (eid,)).fetchone()[0] == "320281103001002"


def test_the_database_knows_the_same_transitions_as_the_workflow(work_conn):
    stored = set(work_conn.execute("SELECT from_status, to_status FROM workflow_transitions").fetchall())
    work_conn.commit()
    allowed = {(None, "reported")} | {(f, a.to_status or f) for a in ACTIONS.values() for f in a.from_statuses}
    assert stored == allowed


def test_the_database_refuses_illegal_history_whoever_writes(work_url, work_conn):
    """As the app role with a city scope (what a compromised page could do) and as the owner: a log
    row that is no step of the workflow, or does not start from the event's state, is refused; the
    app role may not touch history columns at all, the owner only through the log."""
    import psycopg

    from geo.scope import Scope
    from tests.fixtures import app_url_for, scope_viewer

    eid = bring_to(work_conn, "in_progress")
    work_conn.commit()
    log = ("INSERT INTO event_log (event_id, at, actor, actor_role, from_status, to_status, level) "
           "VALUES (%s, now(), 'x', 'city_dispatcher', %s, %s, 'city')")
    city = scope_viewer(work_url, Scope.city())      # a real city session: the database grants the scope
    with psycopg.connect(app_url_for(work_url), autocommit=True) as app:
        for frm, to in (("reported", "closed"), ("verified", "closed"), ("handled", "verified")):
            with pytest.raises(psycopg.errors.CheckViolation):
                with app.transaction():
                    assert app.execute("SELECT jy_begin(%s)", (city.token,)).fetchone()[0] is True
                    app.execute(log, (eid, frm, to))
        for stmt in ("UPDATE events SET version = version + 1 WHERE id = %s",
                     "UPDATE events SET description = '改写' WHERE id = %s",
                     "UPDATE events SET reported_at = now() WHERE id = %s"):
            with pytest.raises(psycopg.errors.InsufficientPrivilege):
                with app.transaction():
                    app.execute("SELECT jy_begin(%s)", (city.token,))
                    app.execute(stmt, (eid,))
    for stmt in ("UPDATE events SET version = version + 1 WHERE id = %s",
                 "UPDATE events SET status_at = now() WHERE id = %s"):
        with pytest.raises(psycopg.errors.CheckViolation):
            with work_conn.transaction():
                work_conn.execute(stmt, (eid,))
    work_conn.rollback()
    assert work_conn.execute("SELECT status, version FROM events WHERE id = %s", (eid,)).fetchone()[0] == "in_progress"
    act(work_conn, eid, "handle", CITY)                    # the workflow itself still moves it
