"""The case lifecycle: every legal and illegal transition, roles and scope, versions."""
from __future__ import annotations

import pytest

from geo import db
from geo.errors import InvalidInput, NotFound
from geo.intake import Report, submit
from geo.workflow import ACTIONS, Actor, Forbidden, IllegalTransition, StaleEvent, act

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
          "escalate": {"note": "x"}, "dispatch": {"department": "D06"}, "reassign": {"team": "T6"}}


@pytest.fixture()
def conn(work_url):
    with db.connect(work_url) as c:
        yield c


def new_event(conn, category="HW01", town_point=(120.27, 31.79)) -> int:
    lon, lat = conn.execute("SELECT ST_X(p), ST_Y(p) FROM (SELECT ST_PointOnSurface(geom) p FROM grids "
                            "WHERE code = '320281103001001') s").fetchone()
    return submit(conn, [Report(category, "测试事件", 3, lon, lat)])[0]


def bring_to(conn, status: str) -> int:
    eid = new_event(conn)
    for code, kw in PATHS[status]:
        act(conn, eid, code, CITY, **kw)
    assert conn.execute("SELECT status FROM events WHERE id = %s", (eid,)).fetchone()[0] == status
    return eid


@pytest.mark.parametrize("status", STATUSES)
@pytest.mark.parametrize("action", sorted(ACTIONS))
def test_every_action_from_every_state(conn, status, action):
    eid = bring_to(conn, status)
    a = ACTIONS[action]
    n_log = conn.execute("SELECT count(*) FROM event_log WHERE event_id = %s", (eid,)).fetchone()[0]
    if status in a.from_statuses:
        out = act(conn, eid, action, CITY, **KWARGS.get(action, {}))
        assert out["status"] == (a.to_status or status)
        last = conn.execute("SELECT from_status, to_status, actor FROM event_log WHERE event_id = %s "
                            "ORDER BY at DESC, id DESC LIMIT 1", (eid,)).fetchone()
        assert last == (status, a.to_status or status, CITY.label)
    else:
        with pytest.raises(IllegalTransition) as exc:
            act(conn, eid, action, CITY, **KWARGS.get(action, {}))
        assert "不能执行" in exc.value.message_zh
        after = conn.execute("SELECT count(*) FROM event_log WHERE event_id = %s", (eid,)).fetchone()[0]
        assert after == n_log          # nothing written


def test_escalation_raises_the_level_then_stops_at_city(conn):
    eid = new_event(conn)
    assert act(conn, eid, "escalate", CITY, note="村级无法处置")["handling_level"] == "town"
    assert act(conn, eid, "escalate", CITY, note="镇街无法处置")["handling_level"] == "city"
    with pytest.raises(IllegalTransition):
        act(conn, eid, "escalate", CITY, note="再上报")


def test_roles_and_scope(conn):
    eid = bring_to(conn, "reported")                       # a village-level event in 青阳镇
    other_town = Actor("王调度", "town_dispatcher", town="320281004")
    with pytest.raises(Forbidden):
        act(conn, eid, "accept", other_town)
    own_town = Actor("赵调度", "town_dispatcher", town="320281103")
    with pytest.raises(Forbidden) as exc:                   # village level: the village acts first
        act(conn, eid, "accept", own_town)
    assert "村社区" in exc.value.message_zh
    village = Actor("钱主任", "village_staff", town="320281103", village="320281103001")
    act(conn, eid, "accept", village)
    with pytest.raises(Forbidden):                          # a department cannot dispatch
        act(conn, eid, "dispatch", DEPT, department="D06")
    act(conn, eid, "dispatch", village, department="D04")
    with pytest.raises(Forbidden):                          # not assigned to D06
        act(conn, eid, "start", DEPT)
    act(conn, eid, "start", Actor("孙科员", "department", department="D04"))


def test_reasons_and_targets_are_required(conn):
    eid = bring_to(conn, "reported")
    with pytest.raises(InvalidInput):
        act(conn, eid, "reject", CITY, note="  ")
    act(conn, eid, "accept", CITY)
    with pytest.raises(InvalidInput):
        act(conn, eid, "dispatch", CITY)
    with pytest.raises(InvalidInput):
        act(conn, eid, "fly", CITY)
    with pytest.raises(NotFound):
        act(conn, 10**12, "accept", CITY)


def test_stale_version_is_refused_and_names_who_acted(conn):
    eid = bring_to(conn, "reported")
    v = conn.execute("SELECT version FROM events WHERE id = %s", (eid,)).fetchone()[0]
    act(conn, eid, "accept", CITY, expected_version=v)
    with pytest.raises(StaleEvent) as exc:
        act(conn, eid, "reject", Actor("周调度", "city_dispatcher"), note="重复", expected_version=v)
    assert CITY.label in exc.value.message_zh
    assert exc.value.current["status"] == "accepted"
