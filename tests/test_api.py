"""The terminals' HTTP API over real HTTP against the real uvicorn server and PostGIS: sign-in, a
GCJ-02 report that lands in its grid, reading it back, and the refusals, each JSON with a Chinese
message."""
from __future__ import annotations

import json
import os
import select
import socket
import urllib.error
import urllib.request

import psycopg
import pytest

from geo import db
from geo.coords import wgs84_to_gcj02
from tests.fixtures import demo_database, point_in, terminal_workers
from tests.server import api_server

PASSWORD = "Terminal-pass-1"


def call(base: str, method: str, path: str, body=None, token: str | None = None, raw: bytes | None = None):
    """(status, JSON body) of one request."""
    data = raw if raw is not None else (json.dumps(body).encode() if body is not None else None)
    req = urllib.request.Request(f"{base}{path}", data=data, method=method,
                                 headers={"Content-Type": "application/json",
                                          **({"Authorization": f"Bearer {token}"} if token else {})})
    try:
        with urllib.request.urlopen(req, timeout=30) as r:
            return r.status, json.loads(r.read())
    except urllib.error.HTTPError as err:
        return err.code, json.loads(err.read())


@pytest.fixture(scope="module")
def api(demo_url):
    """A demo database of its own (reports are written), two terminal accounts in different towns,
    and the API server on it: (base URL, database URL, {terminal: worker row})."""
    with demo_database("jy_api") as url:
        with db.connect(url) as conn:
            workers = terminal_workers(conn, PASSWORD)
            conn.commit()
        with api_server(url) as base:
            yield base, url, workers


def sign_in(base: str, terminal_id: str) -> str:
    status, body = call(base, "POST", "/api/v1/auth/token", {"terminal_id": terminal_id, "password": PASSWORD})
    assert status == 200, body
    return body["access_token"]


def gcj_point_in(url: str, grid: str) -> tuple[float, float]:
    with psycopg.connect(url) as conn:
        x, y = point_in(conn, grid)
    gx, gy = wgs84_to_gcj02(x, y)
    return float(gx), float(gy)


def test_a_terminal_reports_a_gcj02_point_into_its_grid(api):
    base, url, workers = api
    me = workers[0]
    status, health = call(base, "GET", "/api/v1/health")
    assert status == 200 and health["status"] == "ok" and health["database"] is True
    status, cats = call(base, "GET", "/api/v1/categories")
    assert status == 200 and {"code", "name", "limit_value"} <= set(cats[0])
    token = sign_in(base, me["terminal_id"])
    lon, lat = gcj_point_in(url, me["grid_code"])
    status, ev = call(base, "POST", "/api/v1/reports", {"lon": lon, "lat": lat, "datum": "gcj02",
                                                        "category": cats[0]["name"], "description": "井盖缺失"}, token)
    assert status == 201, ev
    assert ev["grid_code"] == me["grid_code"] and ev["status"] == "reported" and ev["due_at"]
    status, again = call(base, "GET", f"/api/v1/reports/{ev['id']}", token=token)
    assert status == 200 and again["id"] == ev["id"] and again["description"] == "井盖缺失"
    with psycopg.connect(url) as conn:
        row = conn.execute("SELECT reporter_staff_id, source, category_code FROM events WHERE id = %s", (ev["id"],)).fetchone()
        trail = conn.execute("SELECT username, role, action, detail->>'via' FROM audit_log WHERE target = %s",
                             (f"event:{ev['id']}",)).fetchall()
    assert row == (me["id"], "grid_app", cats[0]["code"])
    # one report, one audit row, written by geo.intake.submit as for every other way in
    assert trail == [(f"terminal:{me['terminal_id']}", "grid_worker", "report", "api")]
    status, tasks = call(base, "GET", "/api/v1/tasks", token=token)
    assert status == 200 and isinstance(tasks, list)


def test_refusals_are_json_with_a_chinese_message(api):
    base, url, workers = api
    me, other = workers
    token = sign_in(base, me["terminal_id"])
    lon, lat = gcj_point_in(url, me["grid_code"])
    ok = {"lon": lon, "lat": lat, "datum": "gcj02", "category": "HW01", "description": "垃圾"}

    def refused(status, body, code, words):
        assert body["code"] == code and words in body["message"], body
        return status

    s, b = call(base, "POST", "/api/v1/auth/token", {"terminal_id": me["terminal_id"], "password": "wrong-pass-1"})
    assert refused(s, b, "unauthorized", "终端编号或密码错误") == 401
    s, b = call(base, "POST", "/api/v1/reports", ok)
    assert refused(s, b, "unauthorized", "缺少访问令牌") == 401
    s, b = call(base, "POST", "/api/v1/reports", ok, "not-a-token")
    assert refused(s, b, "unauthorized", "无效") == 401
    s, b = call(base, "POST", "/api/v1/reports", {**ok, "lon": 0.0, "lat": 0.0, "datum": "wgs84"}, token)
    assert refused(s, b, "invalid_report", "不在江阴市范围内") == 422
    olon, olat = gcj_point_in(url, other["grid_code"])
    s, b = call(base, "POST", "/api/v1/reports", {**ok, "lon": olon, "lat": olat}, token)
    assert refused(s, b, "invalid_report", "不在您的辖区") == 422
    s, b = call(base, "POST", "/api/v1/reports", {**ok, "datum": "mars"}, token)
    assert refused(s, b, "invalid_report", "坐标系") == 422
    s, b = call(base, "POST", "/api/v1/reports", {**ok, "category": "不存在的类别"}, token)
    assert refused(s, b, "invalid_report", "事件类别") == 422
    s, b = call(base, "POST", "/api/v1/reports", {k: v for k, v in ok.items() if k != "lon"}, token)
    assert refused(s, b, "invalid_report", "缺失或不是有效的经纬度") == 422      # a latitude without its longitude
    s, b = call(base, "POST", "/api/v1/reports", token=token, raw=b"{not json")
    assert refused(s, b, "invalid_input", "请求内容有误") == 422
    s, b = call(base, "GET", "/api/v1/nothing-here", token=token)
    assert refused(s, b, "http_error", "没有这个接口") == 404
    # another town's event: not this worker's to read
    other_token = sign_in(base, other["terminal_id"])
    s, ev = call(base, "POST", "/api/v1/reports", {**ok, "lon": olon, "lat": olat}, other_token)
    assert s == 201, ev
    s, b = call(base, "GET", f"/api/v1/reports/{ev['id']}", token=token)
    assert refused(s, b, "out_of_scope", "管辖范围") == 403
    with psycopg.connect(url) as conn:
        before = conn.execute("SELECT count(*) FROM events").fetchone()[0]
    # a revoked and an expired token stop working
    assert call(base, "POST", "/api/v1/auth/logout", token=token)[0] == 200
    s, b = call(base, "POST", "/api/v1/reports", ok, token)
    assert refused(s, b, "unauthorized", "已注销") == 401
    with psycopg.connect(url) as conn:
        conn.execute("UPDATE api_tokens SET issued_at = now() - interval '1 hour', expires_at = now() - interval '1 minute'")
        conn.commit()
        assert conn.execute("SELECT count(*) FROM events").fetchone()[0] == before, "refused requests wrote nothing"
    s, b = call(base, "GET", "/api/v1/tasks", token=other_token)
    assert refused(s, b, "unauthorized", "已过期") == 401


def test_openapi_describes_the_endpoints(api):
    base, _, _ = api
    status, spec = call(base, "GET", "/api/v1/openapi.json")
    assert status == 200
    for path in ("/api/v1/auth/token", "/api/v1/reports", "/api/v1/reports/{event_id}", "/api/v1/tasks",
                 "/api/v1/categories", "/api/v1/health"):
        assert path in spec["paths"], path


def test_docs_page_is_served_without_a_cdn(api):
    """/api/v1/docs in Chromium: Swagger UI from our own server (npm at set-up), the endpoints listed
    with their Chinese summaries, and not one request leaves localhost."""
    from tests.browser import open_context
    from tests.server import ROOT

    base, _, _ = api
    hosts = set()
    with open_context(viewport={"width": 1400, "height": 1000}, locale="zh-CN") as context:
        page = context.new_page()
        page.on("request", lambda r: hosts.add(r.url.split("/")[2]))
        page.goto(f"{base}/api/v1/docs", wait_until="networkidle")
        page.get_by_text("上报事件（本人所在村社区范围内）").first.wait_for(timeout=30_000)
        assert page.get_by_text("终端登录，换取访问令牌").count() == 1
        (ROOT / "artifacts").mkdir(exist_ok=True)
        page.screenshot(path=str(ROOT / "artifacts" / "api-docs.png"), full_page=True)
    assert hosts == {base.split("/")[2]}, hosts


def test_a_replayed_report_creates_nothing(api):
    """A terminal on a bad network sends the same report again: with Idempotency-Key (or external_id)
    the second send returns the first event and writes nothing; another key makes a new event."""
    base, url, workers = api
    me = workers[0]
    token = sign_in(base, me["terminal_id"])
    lon, lat = gcj_point_in(url, me["grid_code"])
    body = {"lon": lon, "lat": lat, "datum": "gcj02", "category": "HW01", "description": "重复发送测试"}

    def post(payload, key=None):
        req = urllib.request.Request(f"{base}/api/v1/reports", data=json.dumps(payload).encode(), method="POST",
                                     headers={"Content-Type": "application/json", "Authorization": f"Bearer {token}",
                                              **({"Idempotency-Key": key} if key else {})})
        with urllib.request.urlopen(req, timeout=30) as r:
            return r.status, r.headers.get("Idempotent-Replayed"), json.loads(r.read())

    def count():
        with psycopg.connect(url) as conn:
            return conn.execute("SELECT count(*) FROM events").fetchone()[0]

    s1, replay1, first = post(body, "K-0001")
    n = count()
    s2, replay2, second = post(body, "K-0001")
    assert (s1, replay1, s2, replay2) == (201, None, 201, "true") and second["id"] == first["id"]
    assert count() == n, "the replay wrote nothing"
    _, _, third = post({**body, "external_id": "K-0002"})
    _, replayed, fourth = post({**body, "external_id": "K-0002"})
    assert third["id"] not in (first["id"],) and fourth["id"] == third["id"] and replayed == "true"
    assert count() == n + 1


def test_positions_move_the_worker_on_the_dispatch_map(api):
    """A batch of GCJ-02 fixes is stored for the signed-in worker only, the latest becomes their
    location (what 调度台's nearest-staff list reads); a fix from the future is refused whole."""
    import datetime as dt

    from geo.coords import gcj02_to_wgs84

    base, url, workers = api
    me = workers[0]
    token = sign_in(base, me["terminal_id"])
    lon, lat = gcj_point_in(url, me["grid_code"])
    now = dt.datetime.now(dt.timezone(dt.timedelta(hours=8)))

    def stored() -> tuple[int, int]:
        with psycopg.connect(url) as conn:     # the demo holds today's tracks already (一张图)
            return conn.execute("SELECT count(*) FILTER (WHERE staff_id = %(me)s), count(*) FILTER (WHERE staff_id <> %(me)s) "
                                "FROM staff_positions", {"me": me["id"]}).fetchone()
    mine_before, others_before = stored()
    fixes = [{"lon": lon + k * 1e-4, "lat": lat, "at": (now - dt.timedelta(seconds=90 - 30 * k)).isoformat(),
              "accuracy_m": 8} for k in range(3)]
    status, body = call(base, "POST", "/api/v1/positions", {"datum": "gcj02", "fixes": fixes}, token)
    assert (status, body) == (200, {"stored": 3})
    wx, wy = gcj02_to_wgs84(fixes[-1]["lon"], fixes[-1]["lat"])
    with psycopg.connect(url) as conn:
        x, y = conn.execute("SELECT ST_X(location), ST_Y(location) FROM staff WHERE id = %s", (me["id"],)).fetchone()
    mine, others = stored()
    assert mine - mine_before == 3 and others == others_before
    assert abs(x - float(wx)) < 1e-7 and abs(y - float(wy)) < 1e-7
    future = [{**fixes[0], "at": (now + dt.timedelta(hours=2)).isoformat()}, fixes[1]]
    status, body = call(base, "POST", "/api/v1/positions", {"datum": "gcj02", "fixes": future}, token)
    assert status == 422 and "第 1 个定位点" in body["message"]
    status, body = call(base, "POST", "/api/v1/positions", {"fixes": fixes}, "not-a-token")
    assert status == 401
    assert stored() == (mine_before + 3, others_before), "refused batches stored nothing"


def test_a_worker_starts_and_finishes_a_task_assigned_to_them(api):
    """调度台 dispatches an event to the worker; the terminal lists it, starts it and reports it done
    with the version it saw; a stale version is a 409 in Chinese; another worker may not touch it."""
    from geo.workflow import Actor, act

    base, url, workers = api
    me, other = workers
    token, other_token = sign_in(base, me["terminal_id"]), sign_in(base, other["terminal_id"])
    lon, lat = gcj_point_in(url, me["grid_code"])
    _, ev = call(base, "POST", "/api/v1/reports", {"lon": lon, "lat": lat, "datum": "gcj02", "category": "HW01",
                                                   "description": "待处置任务"}, token)
    system = Actor("调度测试", "system")
    with db.connect(url) as conn:
        act(conn, ev["id"], "accept", system)
        act(conn, ev["id"], "dispatch", system, staff_id=me["id"])
        conn.commit()
    status, tasks = call(base, "GET", "/api/v1/tasks", token=token)
    task = next(t for t in tasks if t["id"] == ev["id"])
    assert status == 200 and task["status"] == "dispatched"
    s, b = call(base, "POST", f"/api/v1/tasks/{ev['id']}/actions", {"action": "start", "version": task["version"]},
                other_token)
    assert s in (403, 404) and b["code"] in ("forbidden", "not_found"), b
    s, started = call(base, "POST", f"/api/v1/tasks/{ev['id']}/actions", {"action": "start", "version": task["version"]}, token)
    assert s == 200 and started["status"] == "in_progress" and started["version"] == task["version"] + 1
    s, b = call(base, "POST", f"/api/v1/tasks/{ev['id']}/actions", {"action": "handle", "version": task["version"]}, token)
    assert s == 409 and b["code"] == "stale" and "已由" in b["message"], b
    s, done = call(base, "POST", f"/api/v1/tasks/{ev['id']}/actions",
                   {"action": "handle", "version": started["version"], "note": "已清理"}, token)
    assert s == 200 and done["status"] == "handled"
    s, b = call(base, "POST", f"/api/v1/tasks/{ev['id']}/actions", {"action": "close", "version": done["version"]}, token)
    assert s == 422 and b["code"] == "invalid_input"
    with psycopg.connect(url) as conn:
        log = conn.execute("SELECT to_status, actor_role FROM event_log WHERE event_id = %s ORDER BY id", (ev["id"],)).fetchall()
    assert [r[0] for r in log] == ["reported", "accepted", "dispatched", "in_progress", "handled"]
    assert log[-1][1] == "grid_worker"


def test_failed_terminal_sign_ins_slow_that_address_only(api):
    """Five wrong passwords from one address (as HAProxy forwards it) make that address wait; the
    same terminal signs in from another address; every attempt is in the audit log."""
    import json as _json
    import urllib.request

    base, url, workers = api
    terminal = workers[0]["terminal_id"]

    def attempt(password: str, address: str) -> tuple[int, dict]:
        req = urllib.request.Request(base + "/api/v1/auth/token", method="POST",
                                     data=_json.dumps({"terminal_id": terminal, "password": password}).encode(),
                                     headers={"Content-Type": "application/json", "X-Forwarded-For": address})
        try:
            with urllib.request.urlopen(req, timeout=30) as r:
                return r.status, _json.loads(r.read())
        except urllib.error.HTTPError as err:
            return err.code, _json.loads(err.read())

    for _ in range(5):
        assert attempt("wrong-pass-9", "203.0.113.5")[0] == 401
    status, body = attempt(PASSWORD, "203.0.113.5")
    assert status == 401 and "锁定" in body["message"], body
    status, body = attempt(PASSWORD, "203.0.113.6")
    assert status == 200 and body["access_token"], body
    with psycopg.connect(url) as conn:
        rows = conn.execute("SELECT ok, detail->>'reason', detail->>'source' FROM audit_log "
                            "WHERE username = %s AND action = 'login' ORDER BY chain_seq", (f"terminal:{terminal}".lower(),)).fetchall()
    assert [r[1] for r in rows][-7:] == ["bad_password"] * 5 + ["locked", "ok"]
    assert rows[-1][2] == "203.0.113.6"


# ------------------------------------------------------------------ bounded requests (issue 29)
def _server_pid(base: str) -> int:
    """The uvicorn process serving `base` (found by its --port argument)."""
    port = base.rsplit(":", 1)[1]
    for proc in os.listdir("/proc"):
        if proc.isdigit():
            try:
                args = open(f"/proc/{proc}/cmdline", "rb").read().split(b"\0")
            except OSError:
                continue
            if b"uvicorn" in b" ".join(args) and port.encode() in args:
                return int(proc)
    raise AssertionError(f"no uvicorn on port {port}")


def _rss_mb(pid: int) -> float:
    for line in open(f"/proc/{pid}/status"):
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    raise AssertionError("no VmRSS")


def _chunked(base: str, path: str, content_type: str, total: int, headers: dict | None = None,
             prefix: bytes = b"") -> tuple[int, dict, int]:
    """Stream `total` bytes as a chunked body (no Content-Length) until the server answers; returns
    (status, JSON body, bytes sent before the answer came)."""
    host, port = base.split("//")[1].split(":")
    sock = socket.create_connection((host, int(port)), timeout=30)
    head = [f"POST {path} HTTP/1.1", f"Host: {host}", f"Content-Type: {content_type}", "Transfer-Encoding: chunked",
            *(f"{k}: {v}" for k, v in (headers or {}).items()), "", ""]
    sock.sendall("\r\n".join(head).encode())
    if prefix:
        sock.sendall(f"{len(prefix):x}\r\n".encode() + prefix + b"\r\n")
    chunk = b"7" * (1 << 20)
    frame = f"{len(chunk):x}\r\n".encode() + chunk + b"\r\n"
    sent = 0
    answer = b""
    while sent < total:
        readable, _, _ = select.select([sock], [], [], 0)
        if readable:
            break
        try:
            sock.sendall(frame)
        except (BrokenPipeError, ConnectionResetError):
            break
        sent += len(chunk)
    sock.settimeout(30)
    try:
        while b"\r\n\r\n" not in answer or len(answer.split(b"\r\n\r\n", 1)[1]) < _length(answer):
            data = sock.recv(65536)
            if not data:
                break
            answer += data
    except (ConnectionResetError, TimeoutError):
        pass
    sock.close()
    status_line, rest = answer.split(b"\r\n", 1)
    body = answer.split(b"\r\n\r\n", 1)[1]
    return int(status_line.split()[1]), json.loads(body), sent


def _length(answer: bytes) -> int:
    for line in answer.split(b"\r\n\r\n", 1)[0].split(b"\r\n"):
        if line.lower().startswith(b"content-length:"):
            return int(line.split(b":")[1])
    return 1 << 30


def test_a_300_mb_chunked_body_is_refused_while_it_streams_and_the_api_stays_small(api):
    """Chunked bodies have no Content-Length to refuse them by: the API counts while they stream and
    answers 413 at the first megabyte past the limit — signed in or not, without reading the rest —
    and its memory stays where it was (issue 29: 1 GB of JSON grew it to 3.3 GB)."""
    base, _url, workers = api
    token = sign_in(base, workers[0]["terminal_id"])
    pid = _server_pid(base)
    before = _rss_mb(pid)
    photo = (b'--x\r\nContent-Disposition: form-data; name="photos"; filename="a.jpg"\r\n'
             b"Content-Type: image/jpeg\r\n\r\n")
    cases = [("/api/v1/auth/token", "application/json", "1 MB", b""),
             ("/open311/v2/requests.json", "application/json", "1 MB", b""),
             ("/api/v1/reports", "application/json", "1 MB", b""),
             ("/api/v1/reports", "multipart/form-data; boundary=x", "40 MB", photo)]
    for path, ctype, limit, prefix in cases:
        status, body, sent = _chunked(base, path, ctype, 300 << 20, {"Authorization": f"Bearer {token}"}, prefix)
        assert status == 413, (path, status, body)
        assert limit in (body["message"] if isinstance(body, dict) else body[0]["description"]), body
        assert sent < 120 << 20, f"{path}: {sent >> 20} MB were sent before the answer"
    # without a valid token a report's body is not read at all
    status, body, sent = _chunked(base, "/api/v1/reports", "application/json", 300 << 20,
                                  {"Authorization": "Bearer not-a-token"})
    assert status == 401 and sent < 120 << 20, (status, body)
    # a form with one endless field: refused at its 64 KB, saying why
    status, body, sent = _chunked(base, "/open311/v2/requests.json", "application/x-www-form-urlencoded", 300 << 20)
    assert status == 400 and "64 KB" in body[0]["description"] and sent < 120 << 20, (status, body)
    assert _rss_mb(pid) - before < 100, f"the API grew from {before:.0f} MB to {_rss_mb(pid):.0f} MB"
    # a declared length over the limit: refused before a byte of the body is read
    host, port = base.split("//")[1].split(":")
    sock = socket.create_connection((host, int(port)), timeout=30)
    sock.sendall(b"POST /api/v1/auth/token HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
                 b"Content-Length: 5242880\r\n\r\n{")
    answer = sock.recv(65536)
    sock.close()
    assert answer.startswith(b"HTTP/1.1 413"), answer[:200]
    assert call(base, "GET", "/api/v1/health")[0] == 200


def test_numbers_out_of_range_are_a_422_never_a_500(api):
    base, url, workers = api
    token = sign_in(base, workers[0]["terminal_id"])
    huge = 10 ** 300
    for method, path, body in (("GET", f"/api/v1/reports/{huge}", None), ("GET", f"/api/v1/photos/{huge}", None),
                               ("GET", f"/api/v1/notifications?after={huge}", None),
                               ("POST", f"/api/v1/tasks/{huge}/actions", {"action": "start", "version": 1}),
                               ("POST", "/api/v1/tasks/1/actions", {"action": "start", "version": huge}),
                               ("POST", "/api/v1/positions", {"fixes": [{"lon": 120.3, "lat": 31.9, "accuracy_m": 1e300,
                                                                         "at": "2026-12-01T10:00:00+08:00"}]}),
                               ("POST", "/api/v1/reports", {"lon": 120.3, "lat": 31.9, "category": "HW01",
                                                            "description": "x", "priority": huge})):
        raw = json.dumps(body).encode() if body is not None else None
        status, answer = call(base, method, path, token=token, raw=raw)
        assert status == 422 and "请求内容有误" in answer["message"], (path, status, answer)
    status, answer = call(base, "POST", "/api/v1/reports", token=token,
                          raw=b'{"lon": 1e400, "lat": 31.9, "category": "HW01", "description": "x"}')
    assert status == 422, answer


def test_the_same_idempotency_key_with_another_body_is_a_409(api):
    """A terminal's key names one request: sent again with another body (a new 特急 report under a
    reused key) it is refused with 409 and a Chinese reason, not answered with the first event."""
    base, url, workers = api
    me = workers[0]
    token = sign_in(base, me["terminal_id"])
    lon, lat = gcj_point_in(url, me["grid_code"])
    body = {"lon": lon, "lat": lat, "datum": "gcj02", "category": "HW01", "description": "编号复用测试"}

    def post(payload):
        req = urllib.request.Request(f"{base}/api/v1/reports", data=json.dumps(payload).encode(), method="POST",
                                     headers={"Content-Type": "application/json", "Authorization": f"Bearer {token}",
                                              "Idempotency-Key": "K-REUSE-1"})
        try:
            with urllib.request.urlopen(req, timeout=30) as r:
                return r.status, json.loads(r.read())
        except urllib.error.HTTPError as err:
            return err.code, json.loads(err.read())

    s1, first = post(body)
    s2, again = post(body)
    s3, other = post({**body, "priority": 1, "description": "危化品泄漏"})
    assert (s1, s2) == (201, 201) and again["id"] == first["id"]
    assert s3 == 409 and other["code"] == "idempotency_conflict" and "K-REUSE-1" in other["message"], other


def test_a_stopped_terminal_account_loses_its_tokens_for_good(api):
    """Stopping a terminal ends its tokens; starting it again does not bring them back."""
    from geo import terminals

    base, url, workers = api
    me = workers[1]
    token = sign_in(base, me["terminal_id"])
    assert call(base, "GET", "/api/v1/tasks", token=token)[0] == 200
    with db.connect(url) as conn:
        terminals.set_terminal_disabled(conn, "admin", me["terminal_id"], True)
        conn.commit()
    assert call(base, "GET", "/api/v1/tasks", token=token)[0] == 401
    with db.connect(url) as conn:
        terminals.set_terminal_disabled(conn, "admin", me["terminal_id"], False)
        conn.commit()
    status, answer = call(base, "GET", "/api/v1/tasks", token=token)
    assert status == 401 and "令牌" in answer["message"], answer
    assert call(base, "GET", "/api/v1/tasks", token=sign_in(base, me["terminal_id"]))[0] == 200


def test_a_password_check_costs_the_same_whether_the_account_exists():
    """One full-cost argon2 check for every sign-in: an unknown terminal, a known one with a typed
    password, a demo one with a machine-made (light) hash — so the answer's time tells nothing."""
    from argon2 import extract_parameters

    from geo import auth

    full = auth._HASHER.memory_cost
    for stored in (None, auth.hash_password("Typed-pass-12"), auth.hash_generated("g" * 24)):
        costs = [extract_parameters(h).memory_cost for h in auth.checks(stored)]
        assert costs.count(full) == 1, (stored, costs)
    assert auth.verify(auth.hash_generated("g" * 24), "g" * 24) and not auth.verify(None, "g" * 24)
