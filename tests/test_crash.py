"""Crash safety, proven (issue 19, item 8): SIGKILL to the PostgreSQL postmaster in the middle of a
dispatch load from the console's code path and from terminals over the real HTTP API, then a restart.

Every action the console saw committed and every report the API answered 201 is in the database;
every event's log replays, step by legal step, to its stored status and version; the first request
after the restart succeeds on a pool that held dead connections (the API's and the console's), and a
signed-in dashboard tab shows its figures again without restarting the dashboard.
"""
from __future__ import annotations

import random
import threading
import time
import uuid

import psycopg
import pytest
from psycopg_pool import PoolTimeout

from geo import access, db
from geo.errors import DomainError
from geo.intake import Report
from geo.workflow import ACTIONS, StaleEvent, act, allowed_actions
from tests.browser import open_page, wait_for_streamlit
from tests.clusters import load_small_demo, own_cluster
from tests.fixtures import app_url_for, report_events, terminal_workers
from tests.server import api_server, streamlit_server
from tests.test_api import call, gcj_point_in

PASSWORD = "Terminal-pass-1"
CONSOLE_THREADS = 4
API_THREADS = 2
EVENTS = 120
ARGS = {"reject": {"note": "断电测试"}, "return": {"note": "断电测试"}, "verify_fail": {"note": "断电测试"},
        "escalate": {"note": "断电测试"}, "hand_down": {"note": "断电测试"}, "dispatch": {"department": "D06"}, "reassign": {"team": "T6"},
        "relocate": None}
WEIGHT = {"close": 0.02, "reject": 0.005, "escalate": 0.05, "verify": 0.1, "handle": 0.5}


def console_load(pool, viewer, ids, seed, stop, done, errors):
    """What 调度台 does: read the event, pick an offered action, act with the version seen; an action is
    done when the transaction committed (the page then says so)."""
    rng = random.Random(seed)
    scoped = access.ScopedPool(pool, viewer)
    actor = viewer.actor()
    while not stop.is_set():
        eid = rng.choice(ids)
        try:
            with scoped.connection(timeout=2) as conn:
                ev = conn.execute("SELECT status, version, handling_level FROM events WHERE id = %s", (eid,)).fetchone()
                version = ev["version"]
                offered = [a for a in allowed_actions(ev["status"], ev["handling_level"]) if a.console and ARGS.get(a.code, {}) is not None]
                if not offered:
                    continue
                a = rng.choices(offered, [WEIGHT.get(x.code, 1.0) for x in offered])[0]
                after = act(conn, eid, a.code, actor, expected_version=version, **ARGS.get(a.code, {}))
            done.append((eid, after["version"], after["status"]))
        except StaleEvent:
            pass
        except (psycopg.Error, PoolTimeout, DomainError) as exc:     # the database is down: not done
            errors.append(type(exc).__name__)
            time.sleep(0.05)


def api_load(base, token, lonlat, category, stop, done, errors):
    """A terminal reporting: a report is done when the API answered 201 with its id."""
    while not stop.is_set():
        key = uuid.uuid4().hex
        try:
            status, body = call(base, "POST", "/api/v1/reports",
                                {"lon": lonlat[0], "lat": lonlat[1], "datum": "gcj02", "category": category,
                                 "description": f"断电测试 {key}", "external_id": key}, token)
        except Exception as exc:  # noqa: BLE001 - connection refused, timeout: not done
            errors.append(type(exc).__name__)
            time.sleep(0.05)
            continue
        if status == 201:
            done.append((body["id"], key))
        else:
            errors.append(status)
            time.sleep(0.05)


@pytest.mark.timeout(900)
def until(ok, what: str, within_s: float = 60) -> None:
    """Wait until `ok()` holds (polled every 50 ms), or fail naming `what`."""
    deadline = time.monotonic() + within_s
    while not ok():
        assert time.monotonic() < deadline, f"not within {within_s} s: {what}"
        time.sleep(0.05)


def test_sigkill_of_the_postmaster_loses_nothing_reported_as_done():
    with own_cluster("jy-crash-") as cluster:
        load_small_demo(cluster.url)
        cluster.loaders("app-role")
        from loaders.accounts import create_demo_accounts
        with db.connect(cluster.url) as conn:
            accounts = {u: p for u, _, p in create_demo_accounts(conn)}
            workers = terminal_workers(conn, PASSWORD)
            lon, lat = conn.execute("SELECT ST_X(p), ST_Y(p) FROM (SELECT ST_PointOnSurface(geom) p FROM grids "
                                    "WHERE level = 3 ORDER BY code LIMIT 1) s").fetchone()
            ids = report_events(conn, [Report("SR01", f"断电测试事件{i}", 3, lon, lat) for i in range(EVENTS)])
            conn.commit()
        from geo import auth
        pool = db.make_pool(app_url_for(cluster.url), max_size=CONSOLE_THREADS + 2)
        viewer, _ = auth.login(pool, "dispatcher", accounts["dispatcher"])
        with api_server(cluster.url) as base, streamlit_server(cluster.url) as web:
            me = workers[0]
            status, tok = call(base, "POST", "/api/v1/auth/token", {"terminal_id": me["terminal_id"], "password": PASSWORD})
            assert status == 200, tok
            token = tok["access_token"]
            where = gcj_point_in(cluster.url, me["grid_code"])
            category = call(base, "GET", "/api/v1/categories")[1][0]["name"]
            with open_page(web, login=("commander", accounts["commander"]), wait_text="在办事件") as page:
                stop = threading.Event()
                console_done, api_done, errors = [], [], []
                threads = [threading.Thread(target=console_load, args=(pool, viewer, ids, s, stop, console_done, errors))
                           for s in range(CONSOLE_THREADS)]
                threads += [threading.Thread(target=api_load, args=(base, token, where, category, stop, api_done, errors))
                            for _ in range(API_THREADS)]
                for t in threads:
                    t.start()
                # the load runs until it has done some of both kinds of work (not a fixed time)
                until(lambda: len(console_done) >= 50 and len(api_done) >= 10, "the load got going")
                before_kill = len(console_done) + len(api_done)
                cluster.kill_postmaster()
                # the load keeps trying against a dead server until it has met the crash
                until(lambda: len(errors) >= CONSOLE_THREADS + API_THREADS, "the load met the dead server")
                stop.set()
                for t in threads:
                    t.join(timeout=60)
                assert before_kill > 50, "the load was running when the server died"
                assert errors, "the crash interrupted the load"
                cluster.start()

                # The first request after the restart, on pools that still hold dead connections:
                status, tasks = call(base, "GET", "/api/v1/tasks", token=token)
                assert status == 200 and isinstance(tasks, list), tasks
                with access.ScopedPool(pool, viewer).connection(timeout=10) as conn:
                    assert conn.execute("SELECT count(*) AS n FROM events").fetchone()["n"] > 0
                # The signed-in tab: a rerun shows figures again, no dashboard restart.
                page.reload(wait_until="domcontentloaded")
                page.get_by_text("在办事件").first.wait_for(timeout=60_000)
                wait_for_streamlit(page)
                assert page.get_by_text("数据暂不可用").count() == 0
        pool.close()

        with psycopg.connect(cluster.url) as c:
            rows = c.execute("SELECT event_id, from_status, to_status FROM event_log WHERE event_id = ANY (%s) "
                             "ORDER BY event_id, at, id", (ids,)).fetchall()
            final = {r[0]: (r[1], r[2]) for r in c.execute(
                "SELECT id, status, version FROM events WHERE id = ANY (%s)", (ids,)).fetchall()}
            reported = {r[0]: r[1] for r in c.execute(
                "SELECT id, external_id FROM events WHERE id = ANY (%s)", ([i for i, _ in api_done],)).fetchall()}
            audit_ok = c.execute("SELECT count(*) FROM audit_log WHERE action <> 'login'").fetchone()[0]
        print(f"done before the kill {before_kill}; console {len(console_done)}, api {len(api_done)}, "
              f"errors {len(errors)}, audit rows {audit_ok}")
        # Every report the API answered 201 for is there, under its key.
        assert reported == dict(api_done)
        # Every event's history replays, and every committed console action is at its place in it.
        legal = {(s, a.to_status or s) for a in ACTIONS.values() for s in a.from_statuses}
        log: dict[int, list] = {}
        for eid, f, t in rows:
            log.setdefault(eid, []).append((f, t))
        for eid in ids:
            steps = log[eid]
            assert steps[0] == (None, "reported")
            state = "reported"
            for f, t in steps[1:]:
                assert f == state and (f, t) in legal, (eid, steps)
                state = t
            assert final[eid] == (state, len(steps))
        for eid, version, status in console_done:
            assert len(log[eid]) >= version and log[eid][version - 1][1] == status, (eid, version, status)
        verify = cluster.loaders("audit-verify")
        assert "audit chain intact" in verify.stdout
