"""Bounded work (issue 29), as ./run.sh serves the API (scripts/serve.sh): HAProxy lets a bounded number of
requests into the API at once and answers the rest 503 with Retry-After once they have waited the
queue's bound — in the API's error shape, and in Open311's on its paths; reports have a lane of their own
and are judged by the API once their body says how urgent they are: an ordinary one that waited past the
bound is 503 + Retry-After before any work (the terminal sends it again with its Idempotency-Key), a 特急
one is always served. The benchmark at 3× the seed's rate is bench/overload.py."""
from __future__ import annotations

import json
import re
import threading
import time
import urllib.error
import urllib.request

import psycopg
import pytest

from geo import db
from geo.coords import wgs84_to_gcj02
from tests.fixtures import demo_database, point_in, terminal_workers
from tests.server import proxied_servers

PASSWORD = "Terminal-pass-1"


@pytest.fixture(scope="module")
def served():
    """A demo database of its own (reports are written) served by serve.sh with ONE request in the API
    at a time, so that a burst must queue: (proxy base URL, the API's own base URL, url, workers)."""
    with demo_database("jy_shed") as url:
        with db.connect(url) as conn:
            workers = terminal_workers(conn, PASSWORD)
            conn.commit()
        with proxied_servers(url, workers=1, extra_env={"JY_API_MAXCONN": "1", "JY_API_QUEUE_MS": "20", "JY_API_REPORT_WAIT_MS": "20"}) as (base, run):
            api_port = re.search(r"server api 127\.0\.0\.1:(\d+)", (run / "haproxy.cfg").read_text()).group(1)
            for path in ("/api/v1/categories", "/open311/v2/services.json"):
                served_once(base, path)
            yield base, f"http://127.0.0.1:{api_port}", url, workers


def call(base: str, method: str, path: str, body: dict | None = None, headers: dict | None = None):
    """(status, headers, parsed JSON body) of one request."""
    req = urllib.request.Request(f"{base}{path}", data=json.dumps(body).encode() if body is not None else None,
                                 method=method, headers={"Content-Type": "application/json", **(headers or {})})
    try:
        with urllib.request.urlopen(req, timeout=60) as r:
            return r.status, r.headers, json.loads(r.read())
    except urllib.error.HTTPError as err:
        return err.code, err.headers, json.loads(err.read())


def served_once(base: str, path: str, within_s: float = 60) -> None:
    """Wait until one request alone is served (a just-started API's first answers are slow: the queue's
    bound would shed a burst's every request)."""
    deadline = time.monotonic() + within_s
    while call(base, "GET", path)[0] != 200:
        assert time.monotonic() < deadline, f"{path} not served within {within_s} s"


def burst(base: str, path: str, n: int = 60) -> list[tuple[int, dict, object]]:
    """n requests sent at the same moment from n threads."""
    start = threading.Barrier(n)
    out: list = [None] * n

    def one(i):
        start.wait()
        out[i] = call(base, "GET", path)
    threads = [threading.Thread(target=one, args=(i,)) for i in range(n)]
    [t.start() for t in threads]
    [t.join() for t in threads]
    return out


def test_a_burst_past_the_bound_is_shed_at_once_with_retry_after(served):
    base, _api, _url, _workers = served
    answers = burst(base, "/api/v1/categories")
    statuses = {s for s, _h, _b in answers}
    assert statuses <= {200, 503} and 200 in statuses and 503 in statuses, statuses
    for status, headers, body in answers:
        if status == 503:
            assert headers.get("Retry-After") == "1"
            assert body == {"code": "busy", "message": "服务器繁忙，请稍后重试（终端会自动重试）。"}
        else:
            assert body and "code" in body[0]
    # Open311 clients get the standard's list of errors
    answers = burst(base, "/open311/v2/services.json")
    shed = [(h, b) for s, h, b in answers if s == 503]
    assert shed and all(h.get("Retry-After") == "1" and b[0]["code"] == 503 and "服务器繁忙" in b[0]["description"]
                        for h, b in shed)


def test_urgent_reports_are_never_shed_and_ordinary_late_ones_are_refused_before_any_work(served):
    base, api, url, workers = served
    me = workers[0]
    status, _h, body = call(base, "POST", "/api/v1/auth/token", {"terminal_id": me["terminal_id"], "password": PASSWORD})
    assert status == 200, body
    auth = {"Authorization": f"Bearer {body['access_token']}"}
    with psycopg.connect(url) as conn:
        gx, gy = (float(v) for v in wgs84_to_gcj02(*point_in(conn, me["grid_code"])))
        before = conn.execute("SELECT count(*) FROM events").fetchone()[0]

    def report(priority: int, key: str, **headers):
        return call(api if headers else base, "POST", "/api/v1/reports",
                    {"lon": gx, "lat": gy, "datum": "gcj02", "category": "HW01", "priority": priority,
                     "description": f"排队测试（{key}）"}, {**auth, "Idempotency-Key": key, **headers})

    # as the proxy marks a request that has waited 5 s in its queue
    late = {"X-Request-Start": f"t={int(time.time() * 1000) - 5000}"}
    status, headers, body = report(3, "late-ordinary", **late)
    assert status == 503 and headers.get("Retry-After") == "1" and body["code"] == "busy", body
    status, _h, urgent = report(1, "late-urgent", **late)
    assert status == 201 and urgent["priority"] == 1, urgent
    with psycopg.connect(url) as conn:      # the shed report wrote nothing; the urgent one is there
        assert conn.execute("SELECT count(*) FROM events").fetchone()[0] == before + 1
    # the terminal's retry of the shed report, when the server has room, is served once
    status, _h, ordinary = report(3, "late-ordinary")
    assert status == 201, ordinary
    # through the proxy, while bursts keep the API's one place busy, every urgent report is served
    done: list = []
    stop = threading.Event()

    def flood():
        while not stop.is_set():
            burst(base, "/api/v1/categories", 20)
    t = threading.Thread(target=flood)
    t.start()
    try:
        for i in range(5):
            done.append(report(1, f"urgent-{i}"))
    finally:
        stop.set()
        t.join()
    assert [s for s, _h, _b in done] == [201] * 5, [b for _s, _h, b in done]
