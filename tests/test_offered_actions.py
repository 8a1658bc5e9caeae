"""What 调度台 offers is what the rules then allow (issue 31: the commander was offered 核查通过 on a
village's event and then told 无权操作). For each acting account — the city dispatcher, the city
commander, 南闸's town dispatcher, a village's staff — every action geo.workflow.common_actions
offers on the events of its queue (every level it can see) is taken through act() in a transaction
that is rolled back: none is refused for scope, level or role; and an action that is not offered
is refused by act() for those reasons."""
from __future__ import annotations

import pytest

from geo import access, db, dispatch
from geo.errors import Forbidden, IllegalTransition
from geo.scope import Scope
from geo.workflow import ACTIONS, act, common_actions
from tests.fixtures import app_url_for, scope_viewer

NANZHA = "320281004"
ARGS = {"reject": {"note": "测试"}, "return": {"note": "测试"}, "verify_fail": {"note": "测试"},
        "escalate": {"note": "测试"}, "hand_down": {"note": "测试"}, "dispatch": {"department": "D06"}, "reassign": {"team": "T6"}}
STATUSES = ("reported", "accepted", "dispatched", "returned", "in_progress", "handled", "verified")


class Undo(Exception):
    """Raised inside a transaction so that nothing a check did stays."""


@pytest.fixture(scope="module")
def url(work_url):
    """The writable demo copy, with at least one event at each level: the commander acts on
    city-level events only, and the small demo may have none."""
    from geo.workflow import Actor
    with db.connect(work_url) as conn:
        if not conn.execute("SELECT 1 FROM events WHERE handling_level = 'city' AND status = 'reported'").fetchone():
            eid = conn.execute("SELECT id FROM events WHERE handling_level = 'town' AND status = 'reported' "
                               "ORDER BY id LIMIT 1").fetchone()[0]
            act(conn, eid, "escalate", Actor("测试", "system"), note="测试：升至市级")
        conn.commit()
    return work_url


@pytest.fixture(scope="module")
def pool(url):
    p = db.make_pool(app_url_for(url), max_size=2)
    yield p
    p.close()


def _village_of(url: str) -> str:
    import psycopg
    with psycopg.connect(url) as c:
        return c.execute("SELECT village_code FROM events WHERE town_code = %s GROUP BY 1 ORDER BY count(*) DESC "
                         "LIMIT 1", (NANZHA,)).fetchone()[0]


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
        for code, action in ACTIONS.items():
            if not action.console:
                continue
            try:
                with scoped.connection() as conn:
                    act(conn, ev["id"], code, actor, expected_version=ev["version"], **ARGS.get(code, {}))
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
