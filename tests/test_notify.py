"""The outbox delivers 催办 and new tasks after the action's commit, to the terminal's inbox and to a
webhook (a real local HTTP server standing in for an SMS gateway): a failing webhook is retried with
back-off until it answers, then not again; after the last attempt the row is marked failed; an urge
on a closed event or by an account that may not urge writes nothing."""
from __future__ import annotations

import json
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from geo import access, db, notify
from geo.errors import Forbidden, IllegalTransition
from geo.scope import Scope
from geo.workflow import Actor, act
from tests.fixtures import app_url_for, demo_database


class Gateway(BaseHTTPRequestHandler):
    answers: list[int] = []
    received: list[dict] = []

    def do_POST(self):
        body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
        Gateway.received.append(body)
        self.send_response(Gateway.answers.pop(0) if Gateway.answers else 200)
        self.end_headers()

    def log_message(self, *args):
        pass


@pytest.fixture(scope="module")
def setup():
    server = ThreadingHTTPServer(("127.0.0.1", 0), Gateway)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    with demo_database("jy_notify") as url:
        pool = db.make_pool(db.outbox_conninfo(app_url_for(url)), max_size=2)
        try:
            yield url, access.ScopedPool(pool, credential=access.job("outbox"), scope=Scope.city()), \
                f"http://127.0.0.1:{server.server_port}/sms"
        finally:
            pool.close()
            server.shutdown()


def dispatched_event(url) -> tuple[int, int]:
    with db.connect(url) as conn:
        eid, staff = conn.execute("""SELECT e.id, s.id FROM events e JOIN staff s ON s.village_code = e.village_code
                                      AND s.role = 'grid_worker' WHERE e.status = 'accepted' ORDER BY e.id, s.id
                                      LIMIT 1""").fetchone()
        act(conn, eid, "dispatch", Actor("测试", "system"), staff_id=staff)
        conn.commit()
    return eid, staff


def test_a_failing_webhook_is_retried_until_it_answers(setup):
    url, city, hook = setup
    eid, staff = dispatched_event(url)
    with db.connect(url) as conn:
        notify.urge(conn, eid, "urge", Actor("市调度", "city_dispatcher", username="dispatcher"), "尽快")
        conn.commit()
    Gateway.answers[:] = [500, 503]           # the gateway is down twice (both rows' first try)
    Gateway.received.clear()
    assert notify.deliver(city, webhook=hook) == 2
    with db.connect(url) as conn:
        rows = conn.execute("SELECT kind, attempts, notified_at IS NOT NULL, webhook_at IS NULL, last_error "
                            "FROM outbox WHERE event_id = %s ORDER BY id", (eid,)).fetchall()
        inbox = conn.execute("SELECT kind FROM notifications WHERE event_id = %s ORDER BY id", (eid,)).fetchall()
    assert [(r[0], r[1], r[2], r[3]) for r in rows] == [("task", 1, True, True), ("urge", 1, True, True)]
    assert rows[0][4] == "HTTP 500" and [r[0] for r in inbox] == ["task", "urge"], "the inbox does not wait for the gateway"
    assert notify.deliver(city, webhook=hook) == 0, "nothing is due before the back-off"
    time.sleep(notify.backoff(1).total_seconds() + 0.5)
    assert notify.deliver(city, webhook=hook) == 2
    assert notify.deliver(city, webhook=hook) == 0
    with db.connect(url) as conn:
        done = conn.execute("SELECT count(*) FROM outbox WHERE event_id = %s AND webhook_at IS NOT NULL AND attempts = 2",
                            (eid,)).fetchone()[0]
        n_inbox = conn.execute("SELECT count(*) FROM notifications WHERE event_id = %s", (eid,)).fetchone()[0]
    assert done == 2 and n_inbox == 2, "delivered once to the inbox, retried only the webhook"
    assert [b["kind"] for b in Gateway.received] == ["task", "urge", "task", "urge"]
    assert Gateway.received[-1]["note"] == "尽快" and Gateway.received[-1]["event_id"] == eid


def test_gives_up_after_the_last_attempt(setup):
    url, city, hook = setup
    eid, _ = dispatched_event(url)
    with db.connect(url) as conn:
        conn.execute("UPDATE outbox SET attempts = %s WHERE event_id = %s", (notify.MAX_ATTEMPTS - 1, eid))
        conn.commit()
    Gateway.answers[:] = [500]
    notify.deliver(city, webhook=hook)
    with db.connect(url) as conn:
        failed, attempts = conn.execute("SELECT failed_at IS NOT NULL, attempts FROM outbox WHERE event_id = %s",
                                        (eid,)).fetchone()
    assert failed and attempts == notify.MAX_ATTEMPTS


def test_refused_urges_write_nothing(setup):
    url, _, _ = setup
    with db.connect(url) as conn:
        closed = conn.execute("SELECT id FROM events WHERE status = 'closed' LIMIT 1").fetchone()[0]
        before = conn.execute("SELECT (SELECT count(*) FROM event_urges), (SELECT count(*) FROM outbox)").fetchone()
        with pytest.raises(IllegalTransition):
            notify.urge(conn, closed, "urge", Actor("市调度", "city_dispatcher"))
        conn.rollback()
        open_event, town = conn.execute("SELECT id, town_code FROM events WHERE status = 'accepted' LIMIT 1").fetchone()
        with pytest.raises(Forbidden):      # a town dispatcher may 催办 but not 督办
            notify.urge(conn, open_event, "supervise", Actor("镇调度", "town_dispatcher", town=town))
        conn.rollback()
        after = conn.execute("SELECT (SELECT count(*) FROM event_urges), (SELECT count(*) FROM outbox)").fetchone()
    assert after == before


def test_a_town_leader_urges_and_supervises_the_towns_events_from_the_event_page(setup, monkeypatch):
    """镇街领导 take no workflow action, but answer for the town: on an open event of the town the event
    page offers 催办 and 督办; a 督办 from the town addresses the village handling it; an event of
    another town is refused."""
    import streamlit as st
    from streamlit.testing.v1 import AppTest

    from tests.fixtures import signed_in, viewer
    from tests.server import ROOT

    url = setup[0]
    with db.connect(url) as conn:
        eid, town, village = conn.execute("SELECT id, town_code, village_code FROM events WHERE status = 'accepted' "
                                          "ORDER BY id LIMIT 1").fetchone()
        other = conn.execute("SELECT id FROM events WHERE status = 'accepted' AND town_code <> %s ORDER BY id LIMIT 1",
                             (town,)).fetchone()[0]
    monkeypatch.setenv("DATABASE_URL", url)
    monkeypatch.setenv("APP_DATABASE_URL", app_url_for(url))
    st.cache_data.clear()
    st.cache_resource.clear()
    leader = viewer("town_leader", town)
    at = signed_in(AppTest.from_file(str(ROOT / "dashboard" / "app.py"), default_timeout=90), leader)
    at.switch_page("views/event.py")
    at.query_params["event"] = str(eid)
    at.run()
    assert not at.exception and not at.error, at.exception
    kinds = next(r for r in at.radio if r.label == "类型")
    assert list(kinds.options) == ["催办", "督办"]
    kinds.set_value("supervise")
    next(t for t in at.text_input if t.label.startswith("说明")).input("请本周内办结")
    next(b for b in at.button if b.label == "发送").click()
    at.run()
    assert not at.exception, at.exception
    with db.connect(url) as conn:
        row = conn.execute("SELECT kind, by_role, target, note FROM event_urges WHERE event_id = %s ORDER BY id DESC LIMIT 1",
                           (eid,)).fetchone()
    assert row == ("supervise", "town_leader", f"village:{village}", "请本周内办结")
    with db.connect(url) as conn:
        village_name = conn.execute("SELECT name FROM grids WHERE code = %s", (village,)).fetchone()[0]
    shown = [t.value for t in [*at.dataframe, *at.table] if "对象" in t.value.columns]
    assert shown and shown[0].iloc[0]["对象"] == village_name            # a name, never "village:…"
    with db.connect(url) as conn:
        with pytest.raises(Forbidden):
            notify.urge(conn, other, "urge", leader.urger())
        conn.rollback()
    st.cache_data.clear()
    st.cache_resource.clear()          # the pool to this module's database goes with it
