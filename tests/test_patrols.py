"""铁脚板 (issue 32) through the real API on the session's work database: the catalogues (170
collection items of the 29 departments, 159 patrol items; versioned, 304 when unchanged), a patrol
check that fails raises its event in the right grid once however often the terminal sends it, a
collection record is checked against its item's form, and the town's weekly coverage equals a count
over the records."""
from __future__ import annotations

import datetime as dt
import uuid

import psycopg
import pytest
import requests

from geo import access, db, patrols, terminals
from geo.db import make_pool
from geo.scope import Scope
from geo.worktime import TZ
from tests.fixtures import app_url_for, point_in, scope_viewer

PASSWORD = "Patrol-pass-1"


@pytest.fixture(scope="module")
def field(work_url, work_api):
    """A grid worker of the work database with a terminal account: (base, url, worker, auth header)."""
    with db.connect(work_url) as conn:
        me = db.one(conn, """SELECT s.id, s.terminal_id, s.grid_code, s.village_code, s.town_code FROM staff s
                               JOIN grids g ON g.code = s.grid_code AND g.kind = 'admin'
                              WHERE s.role = 'grid_worker' AND s.terminal_id IS NOT NULL ORDER BY s.id DESC LIMIT 1""")
        terminals.create_terminal(conn, me["terminal_id"], PASSWORD)
        conn.commit()
    r = requests.post(f"{work_api}/api/v1/auth/token", json={"terminal_id": me["terminal_id"], "password": PASSWORD},
                      timeout=30)
    assert r.status_code == 200, r.text
    return work_api, work_url, me, {"Authorization": f"Bearer {r.json()['access_token']}"}


def _here(url, grid):
    with psycopg.connect(url) as conn:
        x, y = point_in(conn, grid)
    return float(x), float(y)


def test_the_catalogues_are_served_versioned(field):
    base = field[0]
    collection = requests.get(f"{base}/api/v1/catalogue/collection", timeout=30)
    patrol = requests.get(f"{base}/api/v1/catalogue/patrol", timeout=30)
    assert collection.status_code == patrol.status_code == 200
    c, p = collection.json(), patrol.json()
    assert c["count"] == len(c["items"]) == 170 and p["count"] == len(p["items"]) == 159
    assert len({i["department_code"] for i in c["items"]}) == 29
    assert all(i["form"] and {"key", "label", "type"} <= set(i["form"][0]) for i in c["items"])
    assert {i["frequency"] for i in p["items"]} == {"daily", "weekly", "monthly"}
    assert all(i["event_category_code"] and i["question"] for i in p["items"])
    again = requests.get(f"{base}/api/v1/catalogue/patrol", headers={"If-None-Match": patrol.headers["ETag"]},
                         timeout=30)
    assert again.status_code == 304 and again.headers["ETag"] == patrol.headers["ETag"] == f'"{p["version"]}"'
    missing = requests.get(f"{base}/api/v1/catalogue/nothing", timeout=30)
    assert missing.status_code == 404 and "目录" in missing.json()["message"]


def test_a_failed_check_raises_its_event_once(field):
    base, url, me, auth = field
    x, y = _here(url, me["grid_code"])
    number = f"P-{uuid.uuid4().hex[:12]}"
    item = requests.get(f"{base}/api/v1/catalogue/patrol", timeout=30).json()["items"][1]
    body = {"item_code": item["code"], "result": "fail", "lon": x, "lat": y, "note": "楼道堆放大量纸箱",
            "external_id": number}
    first = requests.post(f"{base}/api/v1/patrol-checks", headers=auth, json=body, timeout=30)
    assert first.status_code == 201, first.text
    out = first.json()
    assert out["result_label"] == "发现问题" and out["grid_code"] == me["grid_code"] and out["event_id"]
    again = requests.post(f"{base}/api/v1/patrol-checks", headers=auth, json=body, timeout=30)
    assert again.status_code == 200 and again.headers["Idempotent-Replayed"] == "true"
    assert again.json()["event_id"] == out["event_id"] and again.json()["id"] == out["id"]
    with psycopg.connect(url) as conn:
        events = conn.execute("SELECT id, grid_code, category_code, description, source FROM events "
                              "WHERE external_id = %s", (f"patrol:{number}",)).fetchall()
        checks = conn.execute("SELECT count(*) FROM patrol_checks WHERE external_id = %s", (number,)).fetchone()[0]
    assert events == [(out["event_id"], me["grid_code"], item["event_category_code"],
                       f"巡查发现（{item['name']}）：楼道堆放大量纸箱", "grid_app")]
    assert checks == 1
    # the same number for another finding is refused, not answered with the first
    other = requests.post(f"{base}/api/v1/patrol-checks", headers=auth, json={**body, "result": "ok"}, timeout=30)
    assert other.status_code == 409 and number in other.json()["message"]
    # an ok check raises nothing; a failure needs a note; another village is not the worker's
    ok = requests.post(f"{base}/api/v1/patrol-checks", headers={**auth, "Idempotency-Key": f"{number}-ok"},
                       json={**body, "result": "ok", "note": None, "external_id": None}, timeout=30)
    assert ok.status_code == 201 and ok.json()["event_id"] is None, ok.text
    bare = requests.post(f"{base}/api/v1/patrol-checks", headers=auth,
                         json={**body, "note": "", "external_id": f"{number}-b"}, timeout=30)
    assert bare.status_code == 422 and "情况说明" in bare.json()["message"]
    with psycopg.connect(url) as conn:
        far = conn.execute("SELECT code FROM grids WHERE level = 3 AND town_code <> %s ORDER BY code LIMIT 1",
                           (me["town_code"],)).fetchone()[0]
    fx, fy = _here(url, far)
    away = requests.post(f"{base}/api/v1/patrol-checks", headers=auth,
                         json={**body, "lon": fx, "lat": fy, "external_id": f"{number}-far"}, timeout=30)
    assert away.status_code == 403 and "不在您负责的村社区" in away.json()["message"]
    unknown = requests.post(f"{base}/api/v1/patrol-checks", headers=auth,
                            json={**body, "item_code": "P999", "external_id": f"{number}-u"}, timeout=30)
    assert unknown.status_code == 404 and "巡查目录" in unknown.json()["message"]
    with psycopg.connect(url) as conn:    # the refused ones wrote nothing
        n = conn.execute("SELECT count(*) FROM patrol_checks WHERE external_id LIKE %s", (f"{number}%",)).fetchone()[0]
    assert n == 2


def test_a_collection_record_is_checked_against_its_form(field):
    base, url, me, auth = field
    x, y = _here(url, me["grid_code"])
    items = requests.get(f"{base}/api/v1/catalogue/collection", timeout=30).json()["items"]
    item = next(i for i in items if any(f["type"] == "choice" for f in i["form"]))
    number = f"C-{uuid.uuid4().hex[:12]}"
    bad = requests.post(f"{base}/api/v1/collections", headers=auth, timeout=30,
                        json={"item_code": item["code"], "answers": {"status": "极好", "color": 1},
                              "lon": x, "lat": y, "external_id": number})
    assert bad.status_code == 422, bad.text
    msg = bad.json()["message"]
    assert "未知字段“color”" in msg and "状况（status）应为 正常、一般、较差 之一" in msg and "名称（name）必填" in msg
    answers = {"name": "幸福里3号楼", "status": "一般"}
    good = requests.post(f"{base}/api/v1/collections", headers=auth, timeout=30,
                         json={"item_code": item["code"], "answers": answers, "lon": x, "lat": y, "external_id": number})
    assert good.status_code == 201 and good.json()["answers"] == answers, good.text
    again = requests.post(f"{base}/api/v1/collections", headers=auth, timeout=30,
                          json={"item_code": item["code"], "answers": answers, "lon": x, "lat": y, "external_id": number})
    assert again.status_code == 200 and again.json()["id"] == good.json()["id"]
    with psycopg.connect(url) as conn:
        assert conn.execute("SELECT count(*), min(grid_code) FROM collection_records WHERE external_id = %s",
                            (number,)).fetchone() == (1, me["grid_code"])


def test_weekly_coverage_is_a_count_over_the_records(field):
    """The town's 本周巡查 table, per village, equals counts over patrol_checks; a village sees none of it
    for another town (row-level security), and the city's per-town sums equal the town's rows."""
    _base, url, me, _auth = field
    start = patrols.week_start(dt.datetime.now(TZ).date())
    t0 = dt.datetime.combine(start, dt.time(0), TZ)
    app_pool = make_pool(app_url_for(url), max_size=2)
    try:
        town = access.ScopedPool(app_pool, scope_viewer(url, Scope(town=me["town_code"])))
        rows = patrols.coverage(town, me["town_code"], start)
        city = patrols.coverage(access.ScopedPool(app_pool, scope_viewer(url, Scope.city())), None, start)
        other = next(r["code"] for r in city if r["code"] != me["town_code"])
        hidden = patrols.coverage(town, other, start)
    finally:
        app_pool.close()
    with psycopg.connect(url) as conn:
        truth = {r[0]: r[1:] for r in conn.execute("""
            SELECT g.village_code, count(DISTINCT g.code), count(DISTINCT p.grid_code), count(p.id),
                   count(p.id) FILTER (WHERE p.result = 'fail')
              FROM grids g LEFT JOIN patrol_checks p ON p.grid_code = g.code AND p.at >= %s
             WHERE g.level = 3 AND g.town_code = %s GROUP BY g.village_code""", (t0, me["town_code"]))}
    assert rows and {r["code"]: (r["grids"], r["covered"], r["checks"], r["fails"]) for r in rows} == truth
    assert sum(r["checks"] for r in rows) > 0          # the demo's and this module's checks are there
    mine = next(r for r in city if r["code"] == me["town_code"])
    assert (mine["grids"], mine["covered"], mine["checks"]) == (sum(r["grids"] for r in rows),
                                                              sum(r["covered"] for r in rows),
                                                              sum(r["checks"] for r in rows))
    assert hidden == []            # another town: row-level security shows none of its villages
