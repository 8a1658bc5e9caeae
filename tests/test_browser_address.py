"""Browser tests of address-only work orders (issue 33), in Chromium against the real server: a
dispatcher types a hotline caller's address on 事件上报, sees the register's match on the map, reports,
and the event page says it was placed from the address (匹配地址); an admin imports a work-order list
with only 地址 and reads the per-row match report; a dispatcher places the row that matched several
places from 调度台's review queue (待核地址)."""
from __future__ import annotations

import csv
import re
import uuid

from geo import db
from tests.browser import choose, open_page, outcome, wait_for_streamlit
from tests.fixtures import login_for
from tests.server import ROOT

ARTIFACTS = ROOT / "artifacts"


def _demo_address(conn) -> dict:
    return db.one(conn, """SELECT e.address, e.grid_code, t.name AS town FROM events e
                            JOIN grids t ON t.code = left(e.grid_code, 9)
                           WHERE e.is_demo AND e.address LIKE '%%号附近' ORDER BY e.id LIMIT 1 OFFSET 17""")


def test_a_dispatcher_reports_by_address(work_url, work_server, work_conn):
    ARTIFACTS.mkdir(exist_ok=True)
    a = _demo_address(work_conn)
    typed = f"江阴市{a['town']}{a['address']}"
    with open_page(work_server + "/intake", wait_text="事件上报", login=login_for(work_url, "dispatcher")) as page:
        page.get_by_text("按地址查找").click()
        wait_for_streamlit(page)
        box = page.get_by_label("地址", exact=True)
        box.fill(typed)
        box.press("Enter")
        page.get_by_text(re.compile("匹配到：")).first.wait_for(timeout=30_000)
        wait_for_streamlit(page)
        page.locator("canvas").first.wait_for()
        shown = page.get_by_text(re.compile("匹配到：")).first.inner_text()
        assert a["grid_code"][:12] in shown or "网格 " + a["grid_code"][:12] in shown, shown
        page.screenshot(path=str(ARTIFACTS / "address-intake.png"), full_page=True)
        choose(page, "事件类别", "环境卫生 / 垃圾乱堆放", typed="垃圾乱堆放")
        page.get_by_label("事件描述").fill("12345 来电：路边垃圾堆放")
        page.get_by_role("button", name="上报").click()
        msg = outcome(page, re.compile(r"已上报，事件编号 \d+"), "address-intake-report")
        eid = int(re.search(r"\d+", msg.inner_text()).group())
    ev = db.one(work_conn, "SELECT grid_code, address, address_match FROM events WHERE id = %(i)s", {"i": eid})
    assert ev["grid_code"][:12] == a["grid_code"][:12] and ev["address"] == typed and ev["address_match"]

    with open_page(f"{work_server}/event?event={eid}", wait_text=f"事件 {eid}", login=login_for(work_url, "commander")) as page:
        line = page.locator("li", has_text="匹配地址").first
        line.wait_for(timeout=30_000)
        text = line.inner_text()
        assert ev["address_match"] in text and "匹配度" in text
        page.screenshot(path=str(ARTIFACTS / "address-event.png"), full_page=True)


def test_an_admin_imports_addresses_and_clears_the_review_queue(work_url, work_server, work_conn, tmp_path):
    a = _demo_address(work_conn)
    tag = uuid.uuid4().hex[:6]
    path = tmp_path / "12345工单.csv"
    with open(path, "w", newline="", encoding="utf-8-sig") as f:
        w = csv.writer(f)
        w.writerow(["上报编号", "事件类型", "地址", "上报时间"])
        w.writerow([f"{tag}-1", "垃圾乱堆放", a["address"], "2026-12-04 09:00"])
        w.writerow([f"{tag}-2", "垃圾乱堆放", "春申路88号", "2026-12-04 09:10"])       # in every village: not guessed
    with open_page(work_server + "/import", wait_text="数据导入", login=login_for(work_url, "admin")) as page:
        choose(page, "数据类型", "事件（终端/12345 导出）")
        page.locator('input[type="file"]').set_input_files(str(path))
        choose(page, "来源系统", "12345 热线")
        page.get_by_text("地址匹配").first.wait_for(timeout=60_000)
        wait_for_streamlit(page)
        report = page.get_by_text(re.compile("行只有地址")).first.inner_text()
        assert "2 行只有地址：1 行" in report, report
        page.get_by_role("button", name="确认导入").click()
        page.get_by_text(re.compile("已转入调度台的“待核地址”")).first.wait_for(timeout=60_000)
        page.get_by_text(re.compile(r"待核地址 \d+ 条：")).first.wait_for(timeout=30_000)
        page.screenshot(path=str(ARTIFACTS / "address-import.png"), full_page=True)
    queue_id = db.value(work_conn, "SELECT id FROM address_review WHERE external_id = %(e)s", {"e": f"{tag}-2"})
    with open_page(work_server + "/dispatch", wait_text="调度台", login=login_for(work_url, "dispatcher")) as page:
        page.get_by_text(re.compile(r"待核地址（\d+ 条）")).first.wait_for(timeout=30_000)
        page.get_by_text(re.compile(f"编号 {tag}-2")).first.wait_for(timeout=30_000)
        wait_for_streamlit(page)
        page.screenshot(path=str(ARTIFACTS / "address-review-queue.png"), full_page=True)
        page.locator(f".st-key-rv_pick_{queue_id} input").click()
        page.keyboard.press("ArrowDown")
        page.get_by_role("option").first.click()
        wait_for_streamlit(page)
        page.locator(f".st-key-rv_go_{queue_id} button").click()
        page.get_by_text(re.compile("已按“.*”创建事件")).first.wait_for(timeout=30_000)
    work_conn.commit()
    placed = db.one(work_conn, "SELECT status, event_id FROM address_review WHERE id = %(i)s", {"i": queue_id})
    assert placed["status"] == "placed"
    ev = db.one(work_conn, "SELECT external_id, address, address_match FROM events WHERE id = %(i)s", {"i": placed["event_id"]})
    assert ev["external_id"] == f"{tag}-2" and ev["address"] == "春申路88号" and "春申路88号" in ev["address_match"]
