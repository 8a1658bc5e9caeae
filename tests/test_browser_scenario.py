"""Browser test: a dispatcher runs an incident scenario at a riverside chemical site, sees the zone
and what it touches, exports the notification list, and pushes the incident to the dispatch queue."""
from __future__ import annotations

import re
import time

import pytest

from tests.browser import open_page, settle
from tests.fixtures import login_for
from tests.server import ROOT

ARTIFACTS = ROOT / "artifacts"


@pytest.fixture(scope="module")
def login(work_url):
    """The account this module signs in with: (username, password)."""
    return login_for(work_url, "dispatcher")


@pytest.fixture(scope="module")
def server(work_server):
    return work_server


def test_scenario_at_a_riverside_site(login, server, work_url):
    import psycopg

    with psycopg.connect(work_url) as conn:
        site = conn.execute("SELECT id FROM chem_sites WHERE town_code = '320281008' ORDER BY hazard_level, id "
                            "LIMIT 1").fetchone()[0]        # 利港街道, on the Yangtze
    t0 = time.perf_counter()
    with open_page(f"{server}/scenario?site={site}", wait_text="事故推演", login=login) as page:
        page.get_by_label("泄漏速率（克/秒）").fill("800")
        page.get_by_label("风向（来向，度，0=北风）").fill("0")
        page.get_by_label("风速（米/秒）").fill("2.5")
        page.get_by_role("button", name="开始推演").click()
        page.get_by_text("估算影响人口").first.wait_for(timeout=60_000)
        page.get_by_text("指示性").first.wait_for()
        page.locator('[data-testid="stDeckGlJsonChart"] canvas').first.wait_for()
        settle(page)
        people = page.locator('[data-testid="stMetric"]', has_text="估算影响人口")
        assert re.search(r"\d", people.inner_text())
        page.set_viewport_size({"width": 1920, "height": 2600})
        settle(page)
        page.screenshot(path=str(ARTIFACTS / "scenario-result.png"))
        with page.expect_download() as dl:
            page.get_by_role("button", name="导出疏散/通知名单（CSV）").click()
        text = open(dl.value.path(), encoding="utf-8-sig").read()
        assert text.startswith("镇街,村社区,网格编码,网格") and text.count("\n") >= 2
        page.get_by_role("button", name="生成特急演练事件并推送至调度台").click()
        msg = page.get_by_text(re.compile(r"已生成市级特急演练事件 \d+")).first
        msg.wait_for(timeout=30_000)
        eid = int(re.search(r"\d+", msg.inner_text()).group())
    print(f"scenario: start to drawn result and back in {time.perf_counter() - t0:.1f} s (incl. browser)")
    with psycopg.connect(work_url) as conn:
        assert conn.execute("SELECT priority, handling_level, is_drill FROM events WHERE id = %s",
                            (eid,)).fetchone() == (1, "city", True)
    with open_page(f"{server}/dispatch", wait_text="调度台", login=login) as page:
        page.get_by_text(re.compile(r"本级待办 \d+ 件")).first.wait_for()
        settle(page)
        page.screenshot(path=str(ARTIFACTS / "scenario-dispatch-queue.png"))
    with psycopg.connect(work_url) as conn:     # the city queue (default view) holds it
        from geo import db
        from geo.dispatch import queue
        from geo.workflow import Actor
        pool = db.make_pool(work_url, max_size=1)
        try:
            assert eid in {r["id"] for r in queue(pool, Actor("值班", "city_dispatcher"))}
        finally:
            pool.close()
