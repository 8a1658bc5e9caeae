"""What 调度台 offers is what the rules then allow (issue 31: the commander was offered 核查通过 on a
village's event and then told 无权操作). For each acting account — the city dispatcher, the city
commander, 南闸's town dispatcher, a village's staff — every action geo.workflow.common_actions
offers on the events of its queue (every level it can see) is taken through act() in a transaction
that is rolled back: none is refused for scope, level or role; and an action that is not offered
is refused by act() for those reasons."""
from __future__ import annotations

import psycopg
import pytest

from geo import access, db, dispatch
from geo.errors import Forbidden, IllegalTransition, StaleEvent
from geo.scope import Scope
from geo.workflow import ACTIONS, COMBINED, act, common_actions
from tests.fixtures import app_url_for, scope_viewer

NANZHA = "320281004"
ARGS = {"reject": {"note": "测试"}, "return": {"note": "测试"}, "verify_fail": {"note": "测试"},
        "escalate": {"note": "测试"}, "hand_down": {"note": "测试"}, "dispatch": {"department": "D06"}, "reassign": {"team": "T6"}}
STATUSES = ("reported", "accepted", "dispatched", "returned", "in_progress", "handled", "verified")


class Undo(Exception):
    """Raised inside a transaction so that nothing a check did stays."""


@pytest.fixture(scope="module")
def url():
    """A demo copy of its own (the shared work database gets log rows from the live feed's simulated
    clock, ahead of now), with fresh reports at every level in 南闸 (at 06:00 on a Sunday the demo's
    newest events may all be taken up already): two town-level, two village-level, one at city level."""
    from geo.intake import Report
    from geo.workflow import Actor
    from tests.fixtures import demo_database, point_in, report_events
    with demo_database("jy_offered") as own:
        yield from _with_reports(own, Report, Actor, point_in, report_events)


def _with_reports(work_url, Report, Actor, point_in, report_events):
    with db.connect(work_url) as conn:
        grid = conn.execute("SELECT min(code) FROM grids WHERE level = 3 AND kind = 'admin' AND town_code = %s",
                            (NANZHA,)).fetchone()[0]
        x, y = point_in(conn, grid)
        ids = report_events(conn, [Report(cat, f"测试：{what}", 3, x, y) for cat, what in
                                   (("AQ01", "镇级新报"), ("AQ01", "镇级新报二"), ("AQ01", "升至市级"),
                                    ("HW01", "村级新报"), ("HW01", "村级新报二"))])
        act(conn, ids[2], "escalate", Actor("测试", "system"), note="测试：升至市级")
        conn.commit()
    yield work_url


@pytest.fixture(scope="module")
def pool(url):
    p = db.make_pool(app_url_for(url), max_size=2)
    yield p
    p.close()


def _village_of(url: str) -> str:
    """The village of the fresh village-level reports (_with_reports): whatever the demo's own events
    of a village are doing at this hour, its staff meet those."""
    import psycopg
    with psycopg.connect(url) as c:
        return c.execute("SELECT left(min(code), 12) FROM grids WHERE level = 3 AND kind = 'admin' AND town_code = %s",
                         (NANZHA,)).fetchone()[0]


@pytest.mark.parametrize("who", ["dispatcher", "city_commander", "town_dispatcher", "village_staff"])
def test_every_offered_action_is_accepted_and_every_other_refused(url, pool, who):
    scope = {"town_dispatcher": Scope(town=NANZHA),
             "village_staff": Scope(town=NANZHA, village=_village_of(url))}.get(who, Scope())
    viewer = scope_viewer(url, scope, role="dispatcher" if who == "town_dispatcher" else who)
    actor = viewer.actor()
    scoped = access.ScopedPool(pool, viewer)
    rows = dispatch.queue(scoped, actor, STATUSES, all_levels=True, limit=5000)
    by_state: dict[tuple[str, str], dict] = {}
    for r in rows:                        # one event per (status, level): every kind the actor meets
        by_state.setdefault((r["status"], r["handling_level"]), r)
    assert by_state, f"{who} sees no open events"
    offered_any = refused_any = 0
    for ev in by_state.values():
        offered = {a.code for a in common_actions([ev], actor)}
        # every single action, and the combined ones (立案并派遣) taken as the console takes them
        for code, action in {**ACTIONS, **{c: a for c, (a, _) in COMBINED.items()}}.items():
            if not action.console:
                continue
            try:
                with scoped.connection() as conn:
                    act(conn, ev["id"], code, actor, expected_version=ev["version"],
                        **ARGS.get(code, ARGS.get(COMBINED[code][1][-1], {}) if code in COMBINED else {}))
                    raise Undo
            except Undo:
                outcome = "done"
            except (Forbidden, IllegalTransition) as exc:
                outcome = f"refused: {exc.message}"
            if code in offered:
                offered_any += 1
                assert outcome == "done", (who, ev["id"], ev["status"], ev["handling_level"], code, outcome)
            else:
                refused_any += 1
                assert outcome != "done", (who, ev["id"], ev["status"], ev["handling_level"], code, "not offered but done")
    assert offered_any > 0 and refused_any > 0


def test_accept_and_dispatch_in_one_step_is_two_logged_steps_in_one_transaction(url, pool):
    """立案并派遣: offered on a new report to a dispatcher who may take both steps; the event ends
    dispatched to the department routing found, its log and audit name both steps; a second step
    that fails (a stale version seen) leaves the first undone too."""
    viewer = scope_viewer(url, Scope(), role="dispatcher")
    actor = viewer.actor()
    scoped = access.ScopedPool(pool, viewer)
    first, second = dispatch.queue(scoped, actor, ("reported",), all_levels=True, limit=500)[:2]
    assert "accept_dispatch" in [a.code for a in common_actions([first], actor)]
    with scoped.connection() as conn:
        after = act(conn, first["id"], "accept_dispatch", actor, expected_version=first["version"])
    assert after["status"] == "dispatched"
    with db.connect(url) as conn:
        log = conn.execute("SELECT from_status, to_status FROM event_log WHERE event_id = %s ORDER BY id DESC LIMIT 2",
                           (first["id"],)).fetchall()
        audit = conn.execute("SELECT action FROM audit_log WHERE target = %s ORDER BY id DESC LIMIT 2",
                             (f"event:{first['id']}",)).fetchall()
        dept = conn.execute("SELECT assignee_department FROM events WHERE id = %s", (first["id"],)).fetchone()[0]
    assert log == [("accepted", "dispatched"), ("reported", "accepted")]
    assert [r[0] for r in audit] == ["dispatch", "accept"]
    assert dept is not None                        # the department routing found, kept
    with pytest.raises(StaleEvent), scoped.connection() as conn:         # refused at the first step
        act(conn, second["id"], "accept_dispatch", actor, expected_version=second["version"] - 1)
    with pytest.raises(psycopg.Error), scoped.connection() as conn:      # the second step fails: the first goes too
        act(conn, second["id"], "accept_dispatch", actor, expected_version=second["version"], department="D99")
    with db.connect(url) as conn:
        assert conn.execute("SELECT status FROM events WHERE id = %s", (second["id"],)).fetchone()[0] == "reported"
