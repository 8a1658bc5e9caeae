"""Browser test of the field loop: a grid worker's terminal reports an event with a photo over the
HTTP API; the commander sees the photo (处置前) on the event page in Chromium and sends a 催办 from
there, which reaches the terminal's notifications; the wall, on the same event, sees no photo."""
from __future__ import annotations

import time

import psycopg
import pytest
import requests

from geo import db
from geo.coords import wgs84_to_gcj02
from geo.workflow import Actor, act
from loaders.demo.photos import make_jpeg
from tests.browser import open_page
from tests.fixtures import ACCOUNTS, login_for, point_in
from tests.server import ROOT

ARTIFACTS = ROOT / "artifacts"


@pytest.fixture(scope="module")
def servers(work_api, work_server):
    ARTIFACTS.mkdir(exist_ok=True)
    return work_api, work_server


def test_photo_from_the_terminal_on_the_event_page_and_an_urge_back(servers, work_url):
    api, web = servers
    terminal, password = next((u, p) for u, p in ACCOUNTS[work_url].items() if u.startswith("JYWG"))
    with psycopg.connect(work_url) as conn:
        staff_id, grid = conn.execute("SELECT id, grid_code FROM staff WHERE terminal_id = %s", (terminal,)).fetchone()
        x, y = point_in(conn, grid)
    token = requests.post(f"{api}/api/v1/auth/token", json={"terminal_id": terminal, "password": password},
                          timeout=30).json()["access_token"]
    auth = {"Authorization": f"Bearer {token}"}
    gx, gy = wgs84_to_gcj02(x, y)
    r = requests.post(f"{api}/api/v1/reports", headers=auth,
                      data={"lon": str(float(gx)), "lat": str(float(gy)), "datum": "gcj02", "category": "HW01",
                            "description": "终端上报：路口垃圾桶满溢"},
                      files=[("photos", ("scene.jpg", make_jpeg(11, x, y), "image/jpeg"))], timeout=30)
    assert r.status_code == 201, r.text
    eid = r.json()["id"]
    assert r.json()["grid_code"] == grid
    with db.connect(work_url) as conn:
        act(conn, eid, "accept", Actor("测试调度", "system"))
        act(conn, eid, "dispatch", Actor("测试调度", "system"), staff_id=staff_id)
        conn.commit()

    with open_page(f"{web}/event?event={eid}", wait_text=f"事件 {eid}", login=login_for(work_url, "commander")) as page:
        page.get_by_text("现场照片").first.wait_for(timeout=30_000)
        page.get_by_text("处置前（1 张）").first.wait_for()
        img = page.locator('[data-testid="stImage"] img').first
        img.wait_for()
        assert page.evaluate("(el) => el.naturalWidth", img.element_handle()) == 320, "the photo itself is drawn"
        page.get_by_text("催办 / 督办（0 次）").first.wait_for()
        page.get_by_label("说明（可选，随通知发送）").fill("请今天处理完毕")
        page.get_by_role("button", name="发送").click()
        page.get_by_text("已催办").first.wait_for(timeout=30_000)
        page.get_by_text("催办 / 督办（1 次）").first.wait_for()
        page.screenshot(path=str(ARTIFACTS / "event-photo-urge.png"), full_page=True)

    got, last, t0 = [], 0, time.monotonic()
    while not any(n["kind"] == "urge" and n["event_id"] == eid for n in got) and time.monotonic() - t0 < 30:
        body = requests.get(f"{api}/api/v1/notifications", headers=auth, params={"after": last, "wait": 10},
                            timeout=40).json()
        got += body["notifications"]
        last = body["last_id"]
    urge = next(n for n in got if n["kind"] == "urge" and n["event_id"] == eid)
    assert "请今天处理完毕" in urge["message"] and "市级指挥" in urge["message"]
    assert any(n["kind"] == "task" and n["event_id"] == eid for n in got)

    with open_page(f"{web}/event?event={eid}", wait_text=f"事件 {eid}", login=login_for(work_url, "wall")) as page:
        page.get_by_text("处置时间线").first.wait_for()
        assert page.get_by_text("现场照片").count() == 0 and page.locator('[data-testid="stImage"]').count() == 0
        assert page.get_by_role("button", name="发送").count() == 0
