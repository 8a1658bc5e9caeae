"""Browser test: a dispatcher reports an event on 事件上报 and takes it through every stage to
处置完成 on the 调度台; having reported and handled it, they may not verify it (separation of duties,
issue 29): another dispatcher verifies and closes it. The event detail shows the timeline and the
time-limit state at each step."""
from __future__ import annotations

import re

import pytest

from geo import auth
from geo.intake import Report
from tests.browser import choose, goto, open_page, outcome
from tests.fixtures import login_for, point_in, report_events
from tests.server import ROOT

ARTIFACTS = ROOT / "artifacts"
STEPS = [("立案", "立案", None), ("派遣", "派遣", "江阴市综合行政执法局"), ("开始处置", "处置中", None),
         ("处置完成", "处置完成", None), ("核查通过", "核查", None), ("结案", "结案", None)]
VERIFIER_FROM = 5        # the steps from 核查通过 on are the commander's
STATUS_OF = {"立案": "accepted", "派遣": "dispatched", "处置中": "in_progress", "处置完成": "handled", "核查": "verified",
             "结案": "closed"}


@pytest.fixture(scope="module")
def login(work_url):
    """The account this module signs in with: (username, password)."""
    return login_for(work_url, "dispatcher")


@pytest.fixture(scope="module")
def server(work_server):
    return work_server



def test_report_then_dispatch_to_closed(login, server, work_conn):
    demo_conn = work_conn
    lon, lat = demo_conn.execute("SELECT ST_X(p), ST_Y(p) FROM (SELECT ST_PointOnSurface(geom) p FROM grids "
                                 "WHERE code = '320281001002002') s").fetchone()
    with open_page(server + "/intake", wait_text="事件上报", login=login) as page:
        choose(page, "事件类别", "环境卫生 / 垃圾乱堆放")
        page.get_by_label("事件描述").fill("浏览器测试：小区门口垃圾堆放")
        page.get_by_label("经度").fill(f"{lon:.6f}")
        page.get_by_label("纬度").fill(f"{lat:.6f}")
        page.get_by_role("button", name="上报").click()
        msg = outcome(page, re.compile(r"已上报，事件编号 \d+"), "dispatch-intake")
        eid = int(re.search(r"\d+", msg.inner_text()).group())
        page.screenshot(path=str(ARTIFACTS / "dispatch-0-intake.png"))
        assert demo_conn.execute("SELECT grid_code, status FROM events WHERE id = %s", (eid,)).fetchone() == \
            ("320281001002002", "reported")

        for i, (action, status_label, department) in enumerate(STEPS[:VERIFIER_FROM - 1], start=1):
            _step(page, server, demo_conn, eid, i, action, status_label, department)
        # the reporter and handler tries to verify: refused, with the reason, and nothing written
        goto(page, f"{server}/dispatch?event={eid}", wait_text="调度台")
        page.get_by_text("已选 1 件").first.wait_for()
        page.locator('[data-testid="stRadio"]').get_by_text("核查通过", exact=True).click()
        page.get_by_role("button", name="执行").click()
        page.get_by_text("核查须由上报人和处置人以外的人员进行").first.wait_for(timeout=30_000)
        page.screenshot(path=str(ARTIFACTS / "dispatch-verify-refused.png"))
        assert demo_conn.execute("SELECT status FROM events WHERE id = %s", (eid,)).fetchone()[0] == "handled"
        demo_conn.commit()
    # another city dispatcher verifies and closes it (the commander acts only on city-level events)
    verifier = ("t.verifier", "Verifier-pass-1")
    if demo_conn.execute("SELECT 1 FROM app_users WHERE username = %s", (verifier[0],)).fetchone() is None:
        auth.create_user(demo_conn, "(test)", verifier[0], "核查调度员", "dispatcher", verifier[1])
    demo_conn.commit()
    with open_page(server + f"/dispatch?event={eid}", wait_text="调度台", login=verifier) as page:
        for i, (action, status_label, department) in enumerate(STEPS[VERIFIER_FROM - 1:], start=VERIFIER_FROM):
            _step(page, server, demo_conn, eid, i, action, status_label, department)
    db_status = demo_conn.execute("SELECT status FROM events WHERE id = %s", (eid,)).fetchone()[0]
    assert db_status == "closed"
    chain = demo_conn.execute("SELECT to_status, username FROM event_log WHERE event_id = %s ORDER BY at, id",
                              (eid,)).fetchall()
    assert [c[0] for c in chain] == ["reported", "accepted", "dispatched", "in_progress", "handled", "verified", "closed"]
    assert [c[1] for c in chain] == [login[0]] * 5 + [verifier[0]] * 2


def _step(page, server, demo_conn, eid, i, action, status_label, department):
    goto(page, f"{server}/dispatch?event={eid}", wait_text="调度台")
    page.get_by_text("已选 1 件").first.wait_for()
    page.locator('[data-testid="stRadio"]').get_by_text(action, exact=True).click()
    if department:
        choose(page, "责任部门", department)
    page.get_by_role("button", name="执行").click()
    try:
        page.get_by_text(f"已{action} 1 件").first.wait_for(timeout=30_000)
    except Exception:
        page.screenshot(path=str(ARTIFACTS / f"dispatch-{i}-failed.png"), full_page=True)
        raise
    page.screenshot(path=str(ARTIFACTS / f"dispatch-{i}-{action}.png"))
    goto(page, f"{server}/event?event={eid}", wait_text=f"事件 {eid}")
    status = page.locator('[data-testid="stMetric"]', has_text="当前状态").first
    assert status_label in status.inner_text()
    page.get_by_text("各环节时限").first.wait_for()
    page.get_by_text("时限状态").first.wait_for()
    page.screenshot(path=str(ARTIFACTS / f"dispatch-{i}-event.png"), full_page=True)
    n_log, db_status = demo_conn.execute(
        "SELECT (SELECT count(*) FROM event_log WHERE event_id = %(e)s), status FROM events WHERE id = %(e)s",
        {"e": eid}).fetchone()
    demo_conn.commit()
    assert n_log == i + 1 and STATUS_OF[status_label] == db_status


def test_the_town_dispatcher_takes_over_a_village_event_and_the_village_sees_it(server, work_url, work_conn):
    """Issue 31: 南闸's dispatcher on /dispatch?event=N for a 待受理 village-level event of 南闸 is offered
    actions, the first (上收) succeeds, and the village's staff see the town's step on the timeline."""
    village = work_conn.execute("SELECT village_code FROM app_users WHERE username = 'nanzha_village'").fetchone()[0]
    grid = work_conn.execute("SELECT min(code) FROM grids WHERE parent_code = %s AND level = 3 AND kind = 'admin'",
                             (village,)).fetchone()[0]
    lon, lat = point_in(work_conn, grid)
    eid = report_events(work_conn, [Report("HW01", "浏览器测试：村里待受理的事件", 3, lon, lat)])[0]
    assert work_conn.execute("SELECT handling_level, status FROM events WHERE id = %s", (eid,)).fetchone() == \
        ("village", "reported")
    work_conn.commit()
    n_log = work_conn.execute("SELECT count(*) FROM event_log").fetchone()[0]
    work_conn.commit()
    with open_page(server + f"/dispatch?event={eid}", wait_text="调度台",
                   login=login_for(work_url, "nanzha_dispatcher")) as page:
        page.get_by_text("已选 1 件").first.wait_for()
        # a page view writes nothing (escalation is the job's: loaders escalate --every)
        assert work_conn.execute("SELECT count(*) FROM event_log").fetchone()[0] == n_log
        work_conn.commit()
        radio = page.locator('[data-testid="stRadio"]', has_text="上收").first
        radio.wait_for()
        offered = radio.locator("label").all_inner_texts()[1:]      # after the widget's own label, 操作
        page.screenshot(path=str(ARTIFACTS / "dispatch-town-offered.png"), full_page=True)
        assert offered and offered[0].strip() == "上收", offered
        page.get_by_role("button", name="执行").click()
        outcome(page, "已上收 1 件", "town-take-over")
        page.screenshot(path=str(ARTIFACTS / "dispatch-town-take-over.png"))
        # now the town's: the town's own actions are offered on it
        goto(page, f"{server}/dispatch?event={eid}", wait_text="调度台")
        page.locator('[data-testid="stRadio"]').get_by_text("立案", exact=True).first.wait_for()
    assert work_conn.execute("SELECT handling_level, status FROM events WHERE id = %s", (eid,)).fetchone() == \
        ("town", "reported")
    work_conn.commit()
    with open_page(server + f"/event?event={eid}", wait_text=f"事件 {eid}",
                   login=login_for(work_url, "nanzha_village")) as page:
        # the timeline is a data grid drawn on a canvas: its cells are in the page, not visible as text
        row = page.locator('[role="row"]', has=page.locator('[role="gridcell"]', has_text="镇街上收")).first
        row.wait_for(state="attached")
        assert "镇街调度员" in row.inner_text()          # the town's step, by the town's dispatcher
        page.screenshot(path=str(ARTIFACTS / "event-town-take-over-seen-by-village.png"), full_page=True)
