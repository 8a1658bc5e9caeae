"""Browser tests of the Leaflet (folium) maps, in Chromium against the real server: a point picked
on 事件上报 lands in the grid it was shown in; a rectangle drawn on 事故推演 gives the counts SQL gives
over the zone saved with the incident; the exported map opens from file:// with every network
request refused and draws its areas; and no page with a Leaflet map asks any host but the server."""
from __future__ import annotations

import re
from urllib.parse import urlsplit

import pytest

from tests.browser import choose, open_page, outcome, wait_for_streamlit
from tests.fixtures import login_for
from tests.server import ROOT

ARTIFACTS = ROOT / "artifacts"
FOLIUM_FRAME = 'iframe[title="streamlit_folium.st_folium"]'
GRID = "320281001002002"


@pytest.fixture(scope="module")
def server(work_server):
    return work_server


def only_local(requests: list[str], server: str) -> None:
    """Every request went to the server itself (or was data:/blob:/about:)."""
    host = urlsplit(server).netloc
    away = sorted({u for u in requests if urlsplit(u).scheme in ("http", "https", "ws", "wss")
                   and urlsplit(u).netloc != host})
    assert not away, f"requests left the machine: {away[:5]}"
    assert any("/app/static/vendor/leaflet/leaflet.js" in u for u in requests), "Leaflet was not loaded locally"


def leaflet_map(page):
    frame = page.frame_locator(FOLIUM_FRAME).first
    m = frame.locator("#map_div")
    m.wait_for()
    frame.locator("path.leaflet-interactive").first.wait_for()     # the areas are drawn
    return frame, m


def test_pick_a_point_on_the_intake_map(work_url, server, work_conn):
    village, town_name, village_name = work_conn.execute(
        "SELECT v.code, t.name, v.name FROM grids g JOIN grids v ON v.code = g.parent_code "
        "JOIN grids t ON t.code = g.town_code WHERE g.code = %s", (GRID,)).fetchone()
    requests: list[str] = []
    with open_page(server + "/intake", wait_text="事件上报", login=login_for(work_url, "dispatcher"),
                   requests=requests) as page:
        choose(page, "定位到村社区", f"{town_name} / {village_name}", typed=village_name, stays=False)
        wait_for_streamlit(page)
        _, m = leaflet_map(page)
        box = m.bounding_box()
        m.click(position={"x": box["width"] / 2, "y": box["height"] / 2})     # the village's centre
        page.get_by_text(re.compile("所选位置：")).first.wait_for(timeout=30_000)
        wait_for_streamlit(page)
        lon = float(page.get_by_label("经度").input_value())
        lat = float(page.get_by_label("纬度").input_value())
        shown = page.get_by_text(re.compile("所选位置：")).first.inner_text()
        page.screenshot(path=str(ARTIFACTS / "folium-intake-pick.png"))
        expected = work_conn.execute("SELECT grid_for_point(ST_SetSRID(ST_MakePoint(%s, %s), 4490))",
                                     (lon, lat)).fetchone()[0]
        assert expected is not None and expected.startswith(village), (lon, lat, expected)
        assert f"（{expected}）" in shown

        choose(page, "事件类别", "环境卫生 / 垃圾乱堆放")
        page.get_by_label("事件描述").fill("浏览器测试：地图选点上报")
        page.get_by_role("button", name="上报").click()
        msg = outcome(page, re.compile(r"已上报，事件编号 \d+"), "folium-intake-report")
        eid = int(re.search(r"\d+", msg.inner_text()).group())
    grid, x, y = work_conn.execute("SELECT grid_code, ST_X(location), ST_Y(location) FROM events WHERE id = %s",
                                   (eid,)).fetchone()
    assert grid == expected
    assert abs(x - lon) < 1e-6 and abs(y - lat) < 1e-6
    only_local(requests, server)


def test_drawn_rectangle_counts_equal_sql_and_the_export_opens_offline(work_url, server, work_conn, tmp_path):
    requests: list[str] = []
    with open_page(server + "/scenario", wait_text="事故推演", login=login_for(work_url, "commander"),
                   requests=requests) as page:
        page.get_by_text("在地图上画出区域").first.click()
        wait_for_streamlit(page)
        frame, m = leaflet_map(page)
        frame.locator(".leaflet-draw-draw-rectangle").click()
        box = m.bounding_box()
        x0, y0 = box["x"] + box["width"] * 0.45, box["y"] + box["height"] * 0.45
        page.mouse.move(x0, y0)
        page.mouse.down()
        page.mouse.move(x0 + 60, y0 + 40, steps=5)
        page.mouse.move(x0 + 120, y0 + 80, steps=5)
        page.mouse.up()
        page.get_by_text(re.compile("已画 1 个图形")).first.wait_for(timeout=30_000)
        page.get_by_role("button", name="分析所画区域").click()
        page.get_by_text("所画区域面积").first.wait_for(timeout=60_000)
        wait_for_streamlit(page)
        shown = {lab: page.locator('[data-testid="stMetric"]', has_text=lab).first
                 .locator('[data-testid="stMetricValue"]').inner_text()
                 for lab in ("涉及村社区", "涉及网格", "估算影响人口", "敏感目标 / 危化企业")}
        page.screenshot(path=str(ARTIFACTS / "folium-scenario-drawn.png"), full_page=True)

        with page.expect_download() as dl:
            page.get_by_role("button", name="导出地图（离线网页）").click()
        exported = tmp_path / "scenario.html"
        dl.value.save_as(exported)

        page.get_by_role("button", name="生成特急演练事件并推送至调度台").click()
        msg = page.get_by_text(re.compile(r"已生成市级特急演练事件 \d+")).first
        msg.wait_for(timeout=30_000)
        eid = int(re.search(r"\d+", msg.inner_text()).group())
    only_local(requests, server)

    # SQL over the zone saved with the incident, written here without the analysis function
    row = work_conn.execute("""
        WITH z AS (SELECT zone, source FROM incident_zones WHERE event_id = %s),
        g AS (SELECT g.code, g.parent_code,
                     g.population * ST_Area(ST_Intersection(ST_Transform(g.geom, 4549), ST_Transform(z.zone, 4549)))
                                  / ST_Area(ST_Transform(g.geom, 4549)) AS people
                FROM grids g, z WHERE g.kind = 'admin' AND g.level = 3 AND ST_Intersects(g.geom, z.zone))
        SELECT (SELECT source FROM z),
               (SELECT count(DISTINCT parent_code) FROM g WHERE people > 0),
               (SELECT count(*) FROM g WHERE people > 0), (SELECT coalesce(sum(people), 0) FROM g),
               (SELECT count(*) FROM grids d, z WHERE d.kind = 'dedicated' AND ST_Intersects(d.geom, z.zone)
                   AND d.dedicated_type IN ('school', 'hospital', 'elderly_home', 'market')),
               (SELECT count(*) FROM chem_sites s, z WHERE ST_Intersects(s.geom, z.zone))""", (eid,)).fetchone()
    source, villages, grids, people, sensitive, sites = row
    assert source == "drawn"
    assert grids > 0
    assert shown["涉及村社区"] == str(villages)
    assert shown["涉及网格"] == str(grids)
    assert shown["估算影响人口"] == f"{people:,.0f}"
    assert shown["敏感目标 / 危化企业"] == f"{sensitive} / {sites}"

    # the exported file, from disk, with the network refused: it still draws the zone and the towns
    html = exported.read_text(encoding="utf-8")
    assert "演示数据" in html and not re.search(r'<(script|link|img)\b[^>]*\b(src|href)="https?://', html)
    refused: list[str] = []
    with open_page(exported.as_uri(), wait_text=None, timeout_ms=30_000) as page:
        page.context.route(re.compile(r"^(?!file:|data:|about:).*"),
                           lambda route: (refused.append(route.request.url), route.abort()))
        page.reload()
        page.locator("path.leaflet-interactive").first.wait_for(timeout=30_000)
        n_paths = page.locator("path.leaflet-interactive").count()
        panel = page.locator(".jy-panel").inner_text()
        assert re.search(rf"涉及网格\s+{grids}\b", panel), panel
        page.screenshot(path=str(ARTIFACTS / "folium-export-offline.png"))
    assert n_paths >= 18, n_paths         # 17 towns and the zone
    assert not refused, refused


def test_town_export_and_hazards_draw_stay_local(work_url, server, tmp_path):
    requests: list[str] = []
    with open_page(server + "/town?town=320281001", wait_text="导出地图", login=login_for(work_url, "commander"),
                   requests=requests) as page:
        with page.expect_download() as dl:
            page.get_by_role("button", name="导出地图（离线网页，可打印）").click()
        out = tmp_path / "town.html"
        dl.value.save_as(out)
        page.goto(server + "/hazards")
        page.get_by_text("画区域查询").first.wait_for()
        page.get_by_text("在地图上画出区域，查看区域内的危化企业").first.click()
        wait_for_streamlit(page)
        frame, _ = leaflet_map(page)
        assert frame.locator(".leaflet-draw-draw-polygon").count() == 1
        assert frame.locator(".leaflet-control-measure").count() == 1
    only_local(requests, server)
    html = out.read_text(encoding="utf-8")
    assert "在办事件" in html and "演示数据" in html
    with open_page(out.as_uri(), wait_text=None, timeout_ms=30_000) as page:
        page.locator("path.leaflet-interactive").first.wait_for(timeout=30_000)
        assert page.locator("path.leaflet-interactive").count() > 1      # the town's villages


def test_dispatcher_corrects_a_location_on_the_map(work_url, server, work_conn):
    from geo.intake import Report
    from tests.fixtures import point_in, report_events

    lon, lat = point_in(work_conn, GRID)
    eid = report_events(work_conn, [Report("HW01", "浏览器测试：位置待更正", 3, lon, lat)])[0]
    work_conn.commit()
    requests: list[str] = []
    with open_page(f"{server}/dispatch?event={eid}", wait_text="调度台", login=login_for(work_url, "dispatcher"),
                   requests=requests) as page:
        page.get_by_text("已选 1 件").first.wait_for()
        page.get_by_text("更正事件位置").first.click()
        wait_for_streamlit(page)
        _, m = leaflet_map(page)
        box = m.bounding_box()
        m.click(position={"x": box["width"] / 2 + 90, "y": box["height"] / 2 - 40})
        page.wait_for_function("() => document.querySelectorAll('input[aria-label=\"经度\"]').length > 0")
        wait_for_streamlit(page)
        new_lon = float(page.get_by_label("经度").last.input_value())
        new_lat = float(page.get_by_label("纬度").last.input_value())
        assert (round(new_lon, 6), round(new_lat, 6)) != (round(lon, 6), round(lat, 6))
        page.get_by_label("更正理由（必填）").fill("浏览器测试：按现场核实位置更正")
        page.get_by_role("button", name="更正位置", exact=True).click()
        page.get_by_text(f"已更正事件 {eid} 的位置").first.wait_for(timeout=30_000)
        page.screenshot(path=str(ARTIFACTS / "folium-dispatch-relocate.png"))
    grid, x, y = work_conn.execute("SELECT grid_code, ST_X(location), ST_Y(location) FROM events WHERE id = %s",
                                   (eid,)).fetchone()
    expected = work_conn.execute("SELECT grid_for_point(ST_SetSRID(ST_MakePoint(%s, %s), 4490))",
                                 (new_lon, new_lat)).fetchone()[0]
    assert grid == expected and abs(x - new_lon) < 1e-6 and abs(y - new_lat) < 1e-6
    note = work_conn.execute("SELECT note FROM event_log WHERE event_id = %s ORDER BY at DESC, id DESC LIMIT 1",
                             (eid,)).fetchone()[0]
    assert note.startswith("位置更正：") and "按现场核实" in note
    only_local(requests, server)


def download(page, button: str):
    """Click a download button once the page is idle and return the download. One click must do:
    the page's download buttons do not rerun it (on_click="ignore"), since a rerun replaced the
    button's file id while the click was asking for it and the click started nothing (CI)."""
    wait_for_streamlit(page)
    with page.expect_download(timeout=60_000) as dl:
        page.get_by_role("button", name=button).click()
    return dl.value


def test_evaluation_files_are_written_when_clicked(work_url, server, tmp_path):
    """综合评价 writes its CSV and XLSX only when a button is clicked (deferred downloads): both arrive
    in the browser and are what they say they are."""
    with open_page(server + "/evaluation", wait_text="综合评价", login=login_for(work_url, "commander")) as page:
        page.get_by_role("button", name="导出 Excel").wait_for(timeout=30_000)
        xlsx = tmp_path / "eval.xlsx"
        download(page, "导出 Excel").save_as(xlsx)
        csv = tmp_path / "eval.csv"
        download(page, "导出 CSV").save_as(csv)
    assert xlsx.read_bytes()[:2] == b"PK", "an XLSX is a zip file"
    from openpyxl import load_workbook
    sheet = load_workbook(xlsx).active
    assert sheet.max_row > 1 and any("按期办结率" in str(c.value) for c in sheet[1])
    assert "按期办结率" in csv.read_text(encoding="utf-8-sig").splitlines()[0]
