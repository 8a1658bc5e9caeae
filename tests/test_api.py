"""The terminals' HTTP API over real HTTP against the real uvicorn server and PostGIS: sign-in, a
GCJ-02 report that lands in its grid, reading it back, and the refusals, each JSON with a Chinese
message."""
from __future__ import annotations

import json
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
    assert refused(s, b, "invalid_input", "经度：缺少此项") == 422
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
