"""Concurrent dispatchers: 8 workers x 1,000 operations on a shared set of events, real PostGIS.

Each worker reads an event's status and version, picks a legal action and performs it with the
version it saw. Exactly one of two racing dispatchers wins; the loser gets StaleEvent. At the end
the log of every event must replay, step by legal step, to the event's stored status and version.
"""
from __future__ import annotations

import random
import threading

import pytest

from geo import db
from geo.intake import Report
from geo.workflow import ACTIONS, Actor, StaleEvent, act, allowed_actions
from tests.fixtures import report_events

WORKERS = 8
OPS = 1000
EVENTS = 300
ARGS = {"reject": {"note": "并发测试"}, "return": {"note": "并发测试"}, "verify_fail": {"note": "并发测试"},
        "escalate": {"note": "并发测试"}, "hand_down": {"note": "并发测试"}, "dispatch": {"department": "D06"}, "reassign": {"team": "T6"}}
# Keep events alive: terminal actions are rare, loops (return, reassign, verify_fail) common.
WEIGHT = {"close": 0.02, "reject": 0.005, "escalate": 0.05, "verify": 0.1, "handle": 0.5}


def worker(url: str, ids: list[int], seed: int, out: dict) -> None:
    rng = random.Random(seed)
    me = Actor(f"调度员{seed}", "city_dispatcher")
    ok = stale = idle = 0
    with db.connect(url) as conn:
        conn.autocommit = True
        for _ in range(OPS):
            eid = rng.choice(ids)
            status, version, level = conn.execute(
                "SELECT status, version, handling_level FROM events WHERE id = %s", (eid,)).fetchone()
            actions = [a for a in allowed_actions(status, level) if a.console]   # what the console offers
            if not actions:
                idle += 1
                continue
            weights = [WEIGHT.get(a.code, 1.0) for a in actions]
            a = rng.choices(actions, weights)[0]
            try:
                act(conn, eid, a.code, me, expected_version=version, **ARGS.get(a.code, {}))
                ok += 1
            except StaleEvent:
                stale += 1
    out[seed] = (ok, stale, idle)


@pytest.mark.timeout(900)
def test_concurrent_dispatchers_never_lose_an_update(work_url):
    demo_url = work_url
    with db.connect(demo_url) as conn:
        lon, lat = conn.execute("SELECT ST_X(p), ST_Y(p) FROM (SELECT ST_PointOnSurface(geom) p FROM grids "
                                "WHERE code = '320281005001001') s").fetchone()
        ids = report_events(conn, [Report("SR01", f"并发测试事件{i}", 3, lon, lat) for i in range(EVENTS)])
    results: dict = {}
    errors: list[BaseException] = []

    def run(seed):
        try:
            worker(demo_url, ids, seed, results)
        except BaseException as exc:  # noqa: BLE001 - reported by the assertion below
            errors.append(exc)

    threads = [threading.Thread(target=run, args=(s,)) for s in range(WORKERS)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    print("ok, stale, idle per worker:", results)
    assert not errors, errors
    assert len(results) == WORKERS
    ok = sum(r[0] for r in results.values())
    stale = sum(r[1] for r in results.values())
    assert ok + stale + sum(r[2] for r in results.values()) == WORKERS * OPS
    assert ok > 2000 and stale > 0            # real contention, and work got done

    legal = {(s, a.to_status or s) for a in ACTIONS.values() for s in a.from_statuses}
    with db.connect(demo_url) as conn:
        rows = conn.execute("SELECT event_id, from_status, to_status FROM event_log "
                            "WHERE event_id = ANY (%s) ORDER BY event_id, at, id", (ids,)).fetchall()
        final = {r[0]: (r[1], r[2]) for r in conn.execute(
            "SELECT id, status, version FROM events WHERE id = ANY (%s)", (ids,)).fetchall()}
    by_event: dict[int, list] = {}
    for eid, f, t in rows:
        by_event.setdefault(eid, []).append((f, t))
    assert sum(len(v) for v in by_event.values()) == ok + EVENTS     # every success wrote one row
    for eid in ids:
        log = by_event[eid]
        assert log[0] == (None, "reported")
        state = "reported"
        for f, t in log[1:]:
            assert f == state, (eid, log)           # no lost or doubled step
            assert (f, t) in legal, (eid, f, t)     # no transition out of order
            state = t
        status, version = final[eid]
        assert status == state
        assert version == len(log)
