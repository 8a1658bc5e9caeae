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
