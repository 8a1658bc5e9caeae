"""The field over real HTTP (uvicorn) and PostGIS: reports with photos (and every refusal of a bad
one), a task handled with its 处置后 photo, 巡查打卡, a 催办 reaching the terminal's notifications
through the outbox, and the Open311 round trip of another system."""
from __future__ import annotations

import datetime as dt
import io
import time
from pathlib import Path

import psycopg
import pytest
import requests
from PIL import Image

from geo import db, notify, terminals
from geo.coords import wgs84_to_gcj02
from geo.scope import Scope
from geo.workflow import Actor, act
from loaders.demo.photos import make_jpeg
from tests.fixtures import app_url_for, demo_database, point_in, terminal_workers
from tests.server import api_server

PASSWORD = "Terminal-pass-1"


@pytest.fixture(scope="module")
def field(demo_url):
    """Own demo database, two workers in different towns with terminal accounts, an Open311 key,
    the API server: (base, url, workers, api key)."""
    with demo_database("jy_api_field") as url:
        with db.connect(url) as conn:
            workers = terminal_workers(conn, PASSWORD)
            key = terminals.create_client(conn, "hotline12345", "12345政务服务热线")
            conn.commit()
        with api_server(url) as base:
            yield base, url, workers, key


def token_of(base, terminal_id):
    r = requests.post(f"{base}/api/v1/auth/token", json={"terminal_id": terminal_id, "password": PASSWORD}, timeout=30)
    assert r.status_code == 200, r.text
    return {"Authorization": f"Bearer {r.json()['access_token']}"}


def here(url, grid):
    with psycopg.connect(url) as conn:
        x, y = point_in(conn, grid)
    return float(x), float(y)


def fields(x, y, **extra):
    gx, gy = wgs84_to_gcj02(x, y)
    return {"lon": str(float(gx)), "lat": str(float(gy)), "datum": "gcj02", "category": "HW01",
            "description": "路边垃圾堆积", **extra}


def test_a_report_with_photos_and_their_exif(field):
    """Multipart report with two JPEGs: 201 with the grid; the photos are stored with the event (处置前),
    one taken on the spot, one whose EXIF GPS is 30 km away and is flagged; the bytes come back."""
    base, url, workers, _ = field
    me = workers[0]
    auth = token_of(base, me["terminal_id"])
    x, y = here(url, me["grid_code"])
    now = dt.datetime.now(dt.timezone(dt.timedelta(hours=8))).replace(microsecond=0, tzinfo=None)
    near, far = make_jpeg(1, x, y, now), make_jpeg(2, x + 0.3, y, now)
    r = requests.post(f"{base}/api/v1/reports", headers=auth, data=fields(x, y),
                      files=[("photos", ("near.jpg", near, "image/jpeg")), ("photos", ("far.jpg", far, "image/jpeg"))],
                      timeout=30)
    assert r.status_code == 201, r.text
    ev = r.json()
    assert ev["grid_code"] == me["grid_code"] and len(ev["photos"]) == 2
    by_size = {p["bytes"]: p for p in ev["photos"]}
    assert {p["stage"] for p in ev["photos"]} == {"before"} and set(by_size) == {len(near), len(far)}
    assert by_size[len(near)]["far_from_event"] is False and by_size[len(near)]["distance_m"] < 1
    assert by_size[len(far)]["far_from_event"] is True and by_size[len(far)]["distance_m"] > 20_000
    got = requests.get(base + by_size[len(near)]["url"], headers=auth, timeout=30)
    assert got.status_code == 200 and got.headers["content-type"] == "image/jpeg" and got.content == near
    with psycopg.connect(url) as conn:
        taken = conn.execute("SELECT taken_at FROM event_photos WHERE event_id = %s LIMIT 1", (ev["id"],)).fetchone()[0]
    assert taken.astimezone(dt.timezone(dt.timedelta(hours=8))).replace(tzinfo=None) == now
    other = token_of(base, workers[1]["terminal_id"])
    assert requests.get(base + by_size[len(near)]["url"], headers=other, timeout=30).status_code == 404


def test_bad_photos_are_refused_and_nothing_is_written(field):
    base, url, workers, _ = field
    me = workers[0]
    auth = token_of(base, me["terminal_id"])
    x, y = here(url, me["grid_code"])
    with psycopg.connect(url) as conn:
        before = conn.execute("SELECT (SELECT count(*) FROM events), (SELECT count(*) FROM event_photos)").fetchone()
    ok = make_jpeg(3)
    bomb = io.BytesIO()
    Image.new("1", (20000, 20000)).save(bomb, "PNG")
    gif = io.BytesIO()
    Image.new("RGB", (10, 10)).save(gif, "GIF")
    cases = [
        ([("photos", ("a.txt", b"not an image at all", "image/jpeg"))], 422, "不是可识别的图片"),
        ([("photos", ("bomb.png", bomb.getvalue(), "image/png"))], 422, "像素尺寸过大"),
        ([("photos", ("x.gif", gif.getvalue(), "image/gif"))], 422, "只接受 JPEG 或 PNG"),
        ([("photos", ("half.jpg", ok[: len(ok) // 2], "image/jpeg"))], 422, "不是可识别的图片"),
        ([("photos", (f"{i}.jpg", ok, "image/jpeg")) for i in range(10)], 422, "最多 9 张"),
        ([("photos", ("big.jpg", ok + b"\0" * (10 * 1024 * 1024), "image/jpeg"))], 413, "超过 10 MB"),
        ([("other", ("a.jpg", ok, "image/jpeg"))], 422, "photos 字段"),
    ]
    for files, status, words in cases:
        r = requests.post(f"{base}/api/v1/reports", headers=auth, data=fields(x, y), files=files, timeout=60)
        assert r.status_code == status and words in r.json()["message"], (words, r.status_code, r.text)
    # a 50 MB body is refused from its declared length, before it is read
    r = requests.post(f"{base}/api/v1/reports", headers={**auth, "Content-Type": "multipart/form-data; boundary=x"},
                      data=b"x" * (50 * 1024 * 1024), timeout=60)
    assert r.status_code == 413 and r.json()["code"] == "too_large", r.text
    r = requests.post(f"{base}/api/v1/reports", headers={**auth, "Content-Type": "text/plain"}, data=b"hi", timeout=30)
    assert r.status_code == 422 and "multipart" in r.json()["message"], r.text
    with psycopg.connect(url) as conn:
        after = conn.execute("SELECT (SELECT count(*) FROM events), (SELECT count(*) FROM event_photos)").fetchone()
    assert after == before, "a refused report wrote nothing"


def test_handled_with_a_photo_then_a_checkin(field):
    base, url, workers, _ = field
    me = workers[0]
    auth = token_of(base, me["terminal_id"])
    x, y = here(url, me["grid_code"])
    ev = requests.post(f"{base}/api/v1/reports", headers=auth, json={**fields(x, y), "lon": float(fields(x, y)["lon"]),
                                                                     "lat": float(fields(x, y)["lat"])}, timeout=30).json()
    system = Actor("调度测试", "system")
    with db.connect(url) as conn:
        act(conn, ev["id"], "accept", system)
        after = act(conn, ev["id"], "dispatch", system, staff_id=me["id"])
        conn.commit()
    started = requests.post(f"{base}/api/v1/tasks/{ev['id']}/actions", headers=auth,
                            json={"action": "start", "version": after["version"]}, timeout=30).json()
    r = requests.post(f"{base}/api/v1/tasks/{ev['id']}/actions", headers=auth,
                      data={"action": "start", "version": str(started["version"])},
                      files=[("photos", ("p.jpg", make_jpeg(5), "image/jpeg"))], timeout=30)
    assert r.status_code == 422 and "处置完成" in r.json()["message"]
    r = requests.post(f"{base}/api/v1/tasks/{ev['id']}/actions", headers=auth,
                      data={"action": "handle", "version": str(started["version"]), "note": "已清运"},
                      files=[("photos", ("after.jpg", make_jpeg(6, x, y), "image/jpeg"))], timeout=30)
    assert r.status_code == 200 and r.json()["status"] == "handled" and r.json()["photos"] == 1, r.text
    got = requests.get(f"{base}/api/v1/reports/{ev['id']}", headers=auth, timeout=30).json()
    assert [p["stage_label"] for p in got["photos"]] == ["处置后"]
    gx, gy = wgs84_to_gcj02(x, y)
    with psycopg.connect(url) as conn:      # the demo holds a week of check-ins already (一张图)
        last = conn.execute("SELECT coalesce(max(id), 0) FROM checkins").fetchone()[0]
    r = requests.post(f"{base}/api/v1/checkins", headers=auth, json={"lon": float(gx), "lat": float(gy), "datum": "gcj02",
                                                                      "place": "小区东门", "note": "巡查无异常"}, timeout=30)
    assert r.status_code == 201 and r.json()["grid_code"] == me["grid_code"], r.text
    r = requests.post(f"{base}/api/v1/checkins", headers=auth, json={"lon": 121.9, "lat": 31.2}, timeout=30)
    assert r.status_code == 422 and "不在江阴市范围内" in r.json()["message"]
    with psycopg.connect(url) as conn:
        assert conn.execute("SELECT count(*), min(place) FROM checkins WHERE staff_id = %s AND id > %s", (me["id"], last)).fetchone() == (1, "小区东门")


def test_an_urge_reaches_the_terminal(field):
    """调度台 dispatches to the worker (a 新任务 notice), then the city dispatcher 催办: the terminal,
    waiting on a long-poll, receives both through the outbox; the urge is counted for its town."""
    base, url, workers, _ = field
    me = workers[0]
    auth = token_of(base, me["terminal_id"])
    x, y = here(url, me["grid_code"])
    f = fields(x, y)
    ev = requests.post(f"{base}/api/v1/reports", headers=auth, json={**f, "lon": float(f["lon"]), "lat": float(f["lat"])},
                       timeout=30).json()
    first = requests.get(f"{base}/api/v1/notifications", headers=auth, timeout=30).json()
    last = first["last_id"]
    system = Actor("调度测试", "system")
    with db.connect(url) as conn:
        act(conn, ev["id"], "accept", system)
        act(conn, ev["id"], "dispatch", system, staff_id=me["id"])
        notify.urge(conn, ev["id"], "urge", Actor("市调度", "city_dispatcher", username="dispatcher"), "今天下班前办结")
        conn.commit()
    got, t0 = [], time.monotonic()      # (an earlier test's task may still arrive first)
    while len(got) < 2 and time.monotonic() - t0 < 30:
        r = requests.get(f"{base}/api/v1/notifications", headers=auth, params={"after": last, "wait": 10}, timeout=40)
        assert r.status_code == 200, r.text
        got += [n for n in r.json()["notifications"] if n["event_id"] == ev["id"]]
        last = r.json()["last_id"]
    assert [(n["kind"], n["event_id"]) for n in got] == [("task", ev["id"]), ("urge", ev["id"])]
    assert "今天下班前办结" in got[1]["message"] and got[1]["kind_label"] == "催办"
    other = token_of(base, workers[1]["terminal_id"])
    assert requests.get(f"{base}/api/v1/notifications", headers=other, timeout=30).json()["notifications"] == []
    with psycopg.connect(url) as conn:
        state = conn.execute("SELECT count(*) FILTER (WHERE notified_at IS NOT NULL AND webhook_at IS NOT NULL), count(*) "
                             "FROM outbox WHERE event_id = %s", (ev["id"],)).fetchone()
    assert state == (2, 2)
    r = requests.get(f"{base}/api/v1/notifications", headers=auth, params={"wait": 31}, timeout=30)
    assert r.status_code == 422 and "等待秒数" in r.json()["message"]


def test_open311_round_trip(field):
    base, url, workers, key = field
    services = requests.get(f"{base}/open311/v2/services.json", timeout=30).json()
    code = services[0]["service_code"]
    assert {"service_code", "service_name", "metadata", "type"} <= set(services[0])
    x, y = here(url, workers[1]["grid_code"])
    form = {"api_key": key, "service_code": code, "lat": str(y), "long": str(x), "description": "12345来电：路灯不亮",
            "address_string": "人民路口", "last_name": "王", "first_name": "先生"}
    r = requests.post(f"{base}/open311/v2/requests.json", data=form, headers={"Idempotency-Key": "H-1"}, timeout=30)
    assert r.status_code == 201, r.text
    rid = r.json()[0]["service_request_id"]
    again = requests.post(f"{base}/open311/v2/requests.json", data=form, headers={"Idempotency-Key": "H-1"}, timeout=30)
    assert again.status_code == 200 and again.json()[0]["service_request_id"] == rid
    one = requests.get(f"{base}/open311/v2/requests/{rid}.json", params={"api_key": key}, timeout=30).json()
    assert one[0]["status"] == "open" and one[0]["service_code"] == code and one[0]["status_notes"] == "上报"
    assert abs(one[0]["lat"] - y) < 1e-5 and abs(one[0]["long"] - x) < 1e-5
    listed = requests.get(f"{base}/open311/v2/requests.json", params={"api_key": key, "status": "open"}, timeout=30).json()
    assert [q["service_request_id"] for q in listed] == [rid]
    with psycopg.connect(url) as conn:
        row = conn.execute("SELECT source, external_source, grid_code FROM events WHERE id = %s", (int(rid),)).fetchone()
        trail = conn.execute("SELECT username, action, detail->>'via' FROM audit_log WHERE target = %s",
                             (f"event:{rid}",)).fetchall()
    assert row == ("hotline", "open311:hotline12345", workers[1]["grid_code"])
    assert trail == [("open311:hotline12345", "report", "open311")]          # once, though sent twice
    bad = requests.post(f"{base}/open311/v2/requests.json", data={**form, "api_key": "wrong"}, timeout=30)
    assert bad.status_code == 403 and bad.json()[0]["code"] == 403 and "api_key" in bad.json()[0]["description"]
    bad = requests.post(f"{base}/open311/v2/requests.json", data={**form, "service_code": "ZZ99"}, timeout=30)
    assert bad.status_code == 400 and "service_code" in bad.json()[0]["description"]
    bad = requests.get(f"{base}/open311/v2/requests.json", params={"api_key": key, "start_date": "yesterday"}, timeout=30)
    assert bad.status_code == 400 and "ISO 8601" in bad.json()[0]["description"]
    assert requests.get(f"{base}/open311/v2/requests/999999999.json", params={"api_key": key}, timeout=30).status_code == 404
    # the same key with another request: refused, not answered with the first one
    other = requests.post(f"{base}/open311/v2/requests.json", data={**form, "description": "另一件诉求"},
                          headers={"Idempotency-Key": "H-1"}, timeout=30)
    assert other.status_code == 409 and "H-1" in other.json()[0]["description"], other.text
    # the system's scope is the database's: as jy_app with its key it sees its own requests, nothing else
    with psycopg.connect(app_url_for(url)) as conn:
        assert conn.execute("SELECT jy_begin_client(%s)", (key,)).fetchone()[0]
        seen = conn.execute("SELECT count(*), count(*) FILTER (WHERE external_source = 'open311:hotline12345') "
                            "FROM events").fetchone()
    assert seen == (1, 1), seen


def test_a_third_party_georeport_client_reads_xml_and_json_and_a_post_carries_a_photo(field):
    """GeoReport v2 as the standard says, met by a client we did not write (georeport from PyPI; it
    reads, it does not post): services, a service definition and requests in XML and in JSON, the
    same in both; a spec-shaped multipart post with a `media` photo; the discovery document; errors
    as the standard's 400/403 list in the format asked; page/page_size. Without a key the client
    reads the public view (no description or address, the place to ~100 m); with it, everything."""
    import xmltodict
    from georeport import GeoReport

    base, url, workers, _ = field
    with db.connect(url) as conn:
        key = terminals.create_client(conn, "zuijiangyin", "最江阴APP")
        conn.commit()
    root = f"{base}/open311/v2"
    as_json, as_xml = GeoReport(root), GeoReport(root, output_format="xml")
    listed_json, listed_xml = as_json.get_service_list(), as_xml.get_service_list()
    assert len(listed_json) > 40
    assert [s["service_code"] for s in listed_json] == [s["service_code"] for s in listed_xml]
    assert [s["service_name"] for s in listed_json] == [s["service_name"] for s in listed_xml]
    assert {s["metadata"] for s in listed_xml} == {"false"}
    code = listed_json[0]["service_code"]
    assert as_xml.get_service_definition(code)["service_code"] == code
    assert as_json.get_service_definition(code) == {"service_code": code, "attributes": []}

    x, y = here(url, workers[0]["grid_code"])
    photo = make_jpeg(31)
    form = {"api_key": key, "service_code": code, "lat": str(y), "long": str(x), "description": "市民反映：井盖缺失",
            "address_string": "滨江路口"}
    r = requests.post(f"{root}/requests.xml", data=form, files={"media": ("well.jpg", photo, "image/jpeg")}, timeout=30)
    assert r.status_code == 201 and r.headers["content-type"].startswith("text/xml"), r.text
    rid = xmltodict.parse(r.content)["service_requests"]["request"]["service_request_id"]
    second = requests.post(f"{root}/requests.json", data={**form, "description": "市民反映：路灯不亮"}, timeout=30)
    assert second.status_code == 201, second.text

    one_json, one_xml = as_json.get_service_request(rid), as_xml.get_service_request(rid)
    for one in (one_json, one_xml):
        assert one["service_code"] == code and one["status"] == "open"
        assert one["description"] is None and one["address"] is None and one["media_url"] is None
        assert abs(float(one["lat"]) - y) < 0.001 and abs(float(one["long"]) - x) < 0.001
    both = [q["service_request_id"] for q in as_json.get_service_requests(service_code=code, status="open")]
    assert rid in both and second.json()[0]["service_request_id"] in both
    xml_list = as_xml.get_service_requests(service_code=code, status="open")
    assert [q["service_request_id"] for q in xml_list] == both
    pages = [requests.get(f"{root}/requests.json", params={"service_code": code, "page_size": 1, "page": n},
                          timeout=30).json() for n in (1, 2)]
    assert [p[0]["service_request_id"] for p in pages] == both[:2]

    full = requests.get(f"{root}/requests/{rid}.json", params={"api_key": key}, timeout=30).json()[0]
    assert full["description"] == "市民反映：井盖缺失" and full["address"] == "滨江路口"
    assert abs(full["lat"] - y) < 1e-5 and full["media_url"].startswith(f"{root}/media/")
    got = requests.get(full["media_url"], params={"api_key": key}, timeout=30)
    assert got.status_code == 200 and got.content == photo
    with psycopg.connect(url) as conn:
        assert conn.execute("SELECT stage FROM event_photos WHERE event_id = %s", (int(rid),)).fetchall() == [("before",)]

    found = xmltodict.parse(requests.get(f"{base}/open311/discovery.xml", timeout=30).content)["discovery"]
    assert found["endpoints"]["endpoint"]["url"] == root
    assert found["endpoints"]["endpoint"]["formats"]["format"] == ["text/xml", "application/json"]
    assert requests.get(f"{base}/open311/discovery.json", timeout=30).json()["endpoints"][0]["url"] == root

    # no lat/long: the address places it (issue 33) — "滨江路口" names no village, so it is a 400 saying so
    no_place = {k: v for k, v in form.items() if k not in ("lat", "long")}
    bad = requests.post(f"{root}/requests.xml", data=no_place, timeout=30)
    error = xmltodict.parse(bad.content)["errors"]["error"]
    assert bad.status_code == 400 and error["code"] == "400" and "滨江路口" in error["description"], bad.text
    bad = requests.post(f"{root}/requests.xml", data={k: v for k, v in no_place.items() if k != "address_string"}, timeout=30)
    error = xmltodict.parse(bad.content)["errors"]["error"]
    assert bad.status_code == 400 and "没有位置" in error["description"], bad.text
    bad = requests.post(f"{root}/requests.json", data={**form, "api_key": "wrong"}, timeout=30)
    assert bad.status_code == 403 and bad.json()[0]["code"] == 403
    bad = requests.post(f"{root}/requests.json", data=form, files={"photos": ("a.jpg", photo, "image/jpeg")}, timeout=30)
    assert bad.status_code == 400 and "media" in bad.json()[0]["description"]
    assert requests.get(f"{root}/services.csv", timeout=30).status_code == 404


def test_a_task_in_another_village_is_the_workers_own(field):
    """调度台 sends the nearest worker, who may live in another village (here another town): the task
    is on their list and they can read, start and finish it; it stays invisible to everybody else's
    terminal, and the worker still cannot touch other events of that village."""
    base, url, workers, _ = field
    me, other = workers
    other_auth = token_of(base, other["terminal_id"])
    x, y = here(url, other["grid_code"])
    f = fields(x, y)
    ev = requests.post(f"{base}/api/v1/reports", headers=other_auth,
                       json={**f, "lon": float(f["lon"]), "lat": float(f["lat"])}, timeout=30).json()
    untouched = requests.post(f"{base}/api/v1/reports", headers=other_auth,
                              json={**f, "lon": float(f["lon"]), "lat": float(f["lat"]), "description": "另一件"},
                              timeout=30).json()
    system = Actor("调度测试", "system")
    with db.connect(url) as conn:
        act(conn, ev["id"], "accept", system)
        after = act(conn, ev["id"], "dispatch", system, staff_id=me["id"])
        act(conn, untouched["id"], "accept", system)
        act(conn, untouched["id"], "dispatch", system, staff_id=other["id"])
        conn.commit()
    auth = token_of(base, me["terminal_id"])
    mine = requests.get(f"{base}/api/v1/tasks", headers=auth, timeout=30).json()
    assert ev["id"] in [t["id"] for t in mine] and untouched["id"] not in [t["id"] for t in mine]
    assert requests.get(f"{base}/api/v1/reports/{ev['id']}", headers=auth, timeout=30).status_code == 200
    assert requests.get(f"{base}/api/v1/reports/{untouched['id']}", headers=auth, timeout=30).status_code == 403
    r = requests.post(f"{base}/api/v1/tasks/{ev['id']}/actions", headers=auth,
                      json={"action": "start", "version": after["version"]}, timeout=30)
    assert r.status_code == 200 and r.json()["status"] == "in_progress", r.text
    r = requests.post(f"{base}/api/v1/tasks/{untouched['id']}/actions", headers=auth,
                      json={"action": "start", "version": after["version"]}, timeout=30)
    assert r.status_code in (403, 404), r.text
    assert ev["id"] not in [t["id"] for t in requests.get(f"{base}/api/v1/tasks", headers=other_auth, timeout=30).json()]


def test_the_admin_opens_resets_and_stops_a_terminal_account(field):
    """What the users page does (as the admin, through the app role): a new password revokes the old
    tokens, a stopped account's token stops at once; a non-admin transaction may not do either."""
    from geo.access import ScopedPool, Viewer
    from tests.fixtures import app_url_for, scope_viewer, with_session

    base, url, workers, _ = field
    me = workers[0]
    old = token_of(base, me["terminal_id"])
    pool = db.make_pool(app_url_for(url), max_size=1)
    try:
        admin = ScopedPool(pool, with_session(url, Viewer("admin", "管理员", "admin")))
        with admin.connection() as conn:
            terminals.set_terminal(conn, "admin", me["terminal_id"], "New-terminal-pass-2")
        assert requests.get(f"{base}/api/v1/tasks", headers=old, timeout=30).status_code == 401
        r = requests.post(f"{base}/api/v1/auth/token", json={"terminal_id": me["terminal_id"],
                                                             "password": "New-terminal-pass-2"}, timeout=30)
        assert r.status_code == 200
        new = {"Authorization": f"Bearer {r.json()['access_token']}"}
        with admin.connection() as conn:
            terminals.set_terminal_disabled(conn, "admin", me["terminal_id"], True)
        assert requests.get(f"{base}/api/v1/tasks", headers=new, timeout=30).status_code == 401
        with admin.connection() as conn:
            terminals.set_terminal_disabled(conn, "admin", me["terminal_id"], False)
            listed = {a["terminal_id"]: a for a in terminals.accounts(conn)}
            assert listed[me["terminal_id"]]["disabled"] is False and "password_hash" not in listed[me["terminal_id"]]
            terminals.set_terminal(conn, "admin", me["terminal_id"], PASSWORD)
        staff = ScopedPool(pool, scope_viewer(url, Scope(town=me["town_code"], village=me["village_code"])))
        with pytest.raises(psycopg.errors.InsufficientPrivilege):
            with staff.connection() as conn:
                terminals.set_terminal(conn, "someone", me["terminal_id"], "Stolen-pass-123")
        with staff.connection() as conn:
            assert terminals.accounts(conn) == []
    finally:
        pool.close()
    assert token_of(base, me["terminal_id"])


def test_the_documented_curl_example_is_accepted(field):
    """docs/api.md's example (JYWG00360 reports a GCJ-02 point with a photo) as written: on the demo
    ./run.sh loads (its seed; grids and staff only, no database) the point lies in that worker's own
    grid — it once lay in another town, and the API refused it — and the same form, sent by a worker
    of this module's database for a point of their village, is accepted with its photo."""
    import re

    import shapely

    from geo.coords import gcj02_to_wgs84
    from loaders.demo import generate

    base, url, workers, _ = field
    text = (Path(__file__).resolve().parent.parent / "docs" / "api.md").read_text(encoding="utf-8")
    terminal = re.search(r'"terminal_id": "(JYWG\d+)"', text)[1]
    form = dict(re.findall(r"-F (\w+)=([^ \n]+)", text[text.index("/api/v1/reports -H"):]))
    assert form.pop("photos") == "@scene.jpg" and form["datum"] == "gcj02"
    demo = generate(events=0)                     # ./run.sh's demo: the loader's default seed
    grid = demo.staff.set_index("terminal_id").loc[terminal, "grid_code"]
    shape = demo.grids.set_index("code").loc[grid, "geom"]
    x, y = gcj02_to_wgs84(float(form["lon"]), float(form["lat"]))
    assert shapely.contains_xy(shape, float(x), float(y)), f"the example's point is not in {terminal}'s grid {grid}"
    me = workers[0]
    gx, gy = wgs84_to_gcj02(*here(url, me["grid_code"]))
    r = requests.post(f"{base}/api/v1/reports", headers=token_of(base, me["terminal_id"]),
                      data={**form, "lon": str(float(gx)), "lat": str(float(gy))},
                      files=[("photos", ("scene.jpg", make_jpeg(77), "image/jpeg"))], timeout=30)
    assert r.status_code == 201, r.text
    assert r.json()["grid_code"] == me["grid_code"] and len(r.json()["photos"]) == 1


def test_a_terminal_sends_back_a_task_with_its_reason(field):
    """退回 from the terminal: a task dispatched to the worker that is not theirs to do goes back to the
    dispatcher with the reason on its timeline and leaves the worker's list; without a reason it is
    refused, and another worker cannot send it back."""
    base, url, workers, _ = field
    me, other = workers
    auth = token_of(base, me["terminal_id"])
    x, y = here(url, me["grid_code"])
    f = fields(x, y)
    ev = requests.post(f"{base}/api/v1/reports", headers=auth, json={**f, "lon": float(f["lon"]), "lat": float(f["lat"])},
                       timeout=30).json()
    with db.connect(url) as conn:
        act(conn, ev["id"], "accept", Actor("调度测试", "system"))
        after = act(conn, ev["id"], "dispatch", Actor("调度测试", "system"), staff_id=me["id"])
        conn.commit()
    url_act = f"{base}/api/v1/tasks/{ev['id']}/actions"
    bare = requests.post(url_act, headers=auth, json={"action": "return", "version": after["version"]}, timeout=30)
    assert bare.status_code == 422, bare.text
    theirs = requests.post(url_act, headers=token_of(base, other["terminal_id"]), timeout=30,
                           json={"action": "return", "version": after["version"], "note": "不是我的"})
    assert theirs.status_code in (403, 404), theirs.text
    r = requests.post(url_act, headers=auth, timeout=30,
                      json={"action": "return", "version": after["version"], "note": "属于供电公司线路，网格员无法处置"})
    assert r.status_code == 200 and r.json()["status"] == "returned", r.text
    assert ev["id"] not in [t["id"] for t in requests.get(f"{base}/api/v1/tasks", headers=auth, timeout=30).json()]
    with psycopg.connect(url) as conn:
        row = conn.execute("SELECT l.actor_role, l.note, e.assignee_staff_id FROM event_log l JOIN events e ON e.id = l.event_id "
                           "WHERE l.event_id = %s AND l.to_status = 'returned'", (ev["id"],)).fetchone()
    assert row == ("grid_worker", "属于供电公司线路，网格员无法处置", None)
