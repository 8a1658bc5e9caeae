"""Browser test: an admin uploads a zipped Shapefile with a self-intersecting polygon and a duplicate
code, sees both in the report and on the map, uploads the fixed file, and the village's grids are
replaced and its events re-assigned."""
from __future__ import annotations

import numpy as np
import pytest
import shapely

from tests.browser import choose, open_page, outcome, wait_for_streamlit
from tests.fixtures import login_for
from tests.samplefiles import grids_frame, terminal_export, write_shapefile_zip
from tests.server import ROOT, streamlit_server

ARTIFACTS = ROOT / "artifacts"


@pytest.fixture(scope="module")
def server(work_url):
    """A server of this module's own (fresh caches): the village's grids are re-cut straight in
    work_url before the page checks them."""
    ARTIFACTS.mkdir(exist_ok=True)
    with streamlit_server(work_url) as url:
        yield url


def restripe(conn, village: str):
    """The village's grids cut again as vertical strips (same codes, new shapes): a re-survey."""
    cells = grids_frame(conn, 3, parent=village)
    whole = shapely.union_all(cells.geometry.values)
    minx, miny, maxx, maxy = whole.bounds
    xs = np.linspace(minx, maxx, len(cells) + 1)
    strips = [shapely.intersection(whole, shapely.box(a, miny - 1e-6, b, maxy + 1e-6)) for a, b in zip(xs, xs[1:])]
    fixed = cells.copy()
    fixed["geometry"] = [shapely.MultiPolygon([g]) if g.geom_type == "Polygon" else g for g in strips]
    return fixed


def test_admin_fixes_a_refused_shapefile_and_replaces_the_grids(server, work_url, work_conn, tmp_path):
    village = work_conn.execute("""SELECT g.parent_code FROM grids g JOIN events e ON e.grid_code = g.code AND e.is_demo
                                    WHERE g.level = 3 AND g.kind = 'admin' GROUP BY g.parent_code
                                   HAVING count(DISTINCT g.code) BETWEEN 3 AND 8
                                    ORDER BY count(*) DESC, g.parent_code LIMIT 1""").fetchone()[0]   # the demo's, whatever other tests add
    fixed = restripe(work_conn, village)
    broken = fixed.copy()
    x0, y0, x1, y1 = broken.geometry.iloc[0].bounds
    broken.loc[broken.index[0], "geometry"] = shapely.Polygon([(x0, y0), (x1, y1), (x1, y0), (x0, y1), (x0, y0)])
    dup_code = broken["网格编码"].iloc[1]
    broken.loc[broken.index[2], "网格编码"] = dup_code
    bad_zip = write_shapefile_zip(broken, tmp_path / "村网格_有误.zip")
    good_zip = write_shapefile_zip(fixed, tmp_path / "村网格_修正.zip")
    before = dict(work_conn.execute("SELECT id, grid_code FROM events WHERE village_code = %s", (village,)).fetchall())
    work_conn.commit()

    with open_page(server + "/import", wait_text="数据导入", login=login_for(work_url, "admin")) as page:
        page.locator('input[type="file"]').set_input_files(str(bad_zip))
        page.get_by_text("校验报告").first.wait_for(timeout=60_000)
        wait_for_streamlit(page)
        report = page.locator('[data-testid="stTable"]').inner_text()
        assert "几何无效" in report and "编码重复" in report and dup_code in report
        refused = page.locator('[data-testid="stMetric"]', has_text="拒绝的问题").inner_text()
        assert "2" in refused
        page.locator("canvas").first.wait_for()
        assert page.get_by_role("button", name="确认导入").is_disabled()
        page.screenshot(path=str(ARTIFACTS / "import-1-refused.png"), full_page=True)

        page.locator('input[type="file"]').set_input_files(str(good_zip))
        page.get_by_text("校验通过").first.wait_for(timeout=60_000)
        wait_for_streamlit(page)
        page.get_by_role("button", name="确认导入").click()
        done = outcome(page, "导入完成", "import-grids")
        message = done.inner_text()
        page.screenshot(path=str(ARTIFACTS / "import-2-done.png"), full_page=True)

    after = dict(work_conn.execute("SELECT id, grid_code FROM events WHERE id = ANY(%s)", (list(before),)).fetchall())
    moved = sum(1 for k in before if before[k] != after[k])
    assert moved > 0
    assert f"更新 {len(fixed)}" in message and f"事件重新归属网格 {moved} 件" in message
    # every event now lies in the grid it is filed under
    wrong = work_conn.execute("""SELECT count(*) FROM events e JOIN grids g ON g.code = e.grid_code
                                  WHERE e.village_code = %s AND NOT ST_Intersects(g.geom, e.location)""",
                              (village,)).fetchone()[0]
    assert wrong == 0
    assert work_conn.execute("SELECT count(*) FROM audit_log WHERE username = 'admin' AND action = 'import' "
                             "AND ok").fetchone()[0] >= 1


def test_admin_loads_an_event_export_through_the_page_once(server, work_url, work_conn, tmp_path):
    """An admin uploads a terminal export (GCJ-02, Excel's UTF-8 with BOM): the page checks every row
    (将新增 N), loads on 确认导入 (导入完成：新增 N), and the same file again adds nothing."""
    path = terminal_export(work_conn, tmp_path / "终端导出.csv", 400, seed=34, start="2026-11-02 08:00",
                           prefix="WEBIMP")
    before = work_conn.execute("SELECT count(*) FROM events").fetchone()[0]
    work_conn.commit()
    with open_page(server + "/import", wait_text="数据导入", login=login_for(work_url, "admin")) as page:
        _upload_export(page, path, "import-events-check")
        assert "400" in page.locator('[data-testid="stMetric"]', has_text="将新增").inner_text()
        page.get_by_role("button", name="确认导入").click()
        outcome(page, "导入完成：新增 400 件，未变 0 件，有变更 0 件。", "import-events")
        page.screenshot(path=str(ARTIFACTS / "import-events-done.png"), full_page=True)
    assert work_conn.execute("SELECT count(*) FROM events").fetchone()[0] == before + 400
    assert work_conn.execute("SELECT count(*) FROM events WHERE external_id LIKE 'WEBIMP-%%' AND grid_code IS NOT NULL"
                             ).fetchone()[0] == 400
    work_conn.commit()
    with open_page(server + "/import", wait_text="数据导入", login=login_for(work_url, "admin")) as page:
        # 坐标系 left at 自动: the file's plain 经度/纬度 do not say, so the page shows the sample under each
        # system with its share inside the county and asks; the answer is the user's
        _upload_export(page, path, "import-events-again", auto=True)
        assert "400" in page.locator('[data-testid="stMetric"]', has_text="未变").inner_text()
        assert page.get_by_role("button", name="确认导入").is_disabled()      # nothing new to load


def test_admin_loads_an_excel_workbook_of_events_through_the_page(server, work_url, work_conn, tmp_path):
    """The same kind of export as an Excel workbook (numbers and times as Excel stores them): read by the
    bounded child process (loaders/importer/xlsx.py) while the page's bar says 读取工作簿, checked, loaded."""
    import pandas as pd

    csv = terminal_export(work_conn, tmp_path / "终端导出.csv", 400, seed=35, start="2026-11-03 08:00", prefix="WEBXLSX")
    frame = pd.read_csv(csv, encoding="utf-8-sig")
    frame["上报时间"] = pd.to_datetime(frame["上报时间"])
    path = tmp_path / "终端导出.xlsx"
    frame.to_excel(path, index=False)
    before = work_conn.execute("SELECT count(*) FROM events").fetchone()[0]
    work_conn.commit()
    with open_page(server + "/import", wait_text="数据导入", login=login_for(work_url, "admin")) as page:
        _upload_export(page, path, "import-xlsx-check")
        page.get_by_role("button", name="确认导入").click()
        outcome(page, "导入完成：新增 400 件，未变 0 件，有变更 0 件。", "import-xlsx")
        page.screenshot(path=str(ARTIFACTS / "import-xlsx-done.png"), full_page=True)
    assert work_conn.execute("SELECT count(*) FROM events").fetchone()[0] == before + 400
    times = work_conn.execute("SELECT min(reported_at), max(reported_at) FROM events WHERE external_id LIKE 'WEBXLSX-%%'"
                              ).fetchone()
    assert times[0] >= pd.Timestamp("2026-11-03 08:00", tz="Asia/Shanghai") and \
        times[1] < pd.Timestamp("2026-11-10 08:00", tz="Asia/Shanghai")


def _upload_export(page, path, name: str, auto: bool = False) -> None:
    """On 数据导入: an event export in GCJ-02, uploaded and checked (every row passes); with `auto` the
    坐标系 stays 自动 and GCJ-02 is picked when the page asks."""
    choose(page, "数据类型", "事件（终端/12345 导出）")
    if not auto:
        choose(page, "坐标系", "GCJ-02（高德、腾讯等网络地图、手机导出）")
    page.locator('input[type="file"]').set_input_files(str(path))
    if auto:
        outcome(page, "文件未注明坐标系", name + "-ask")
        page.locator('[data-testid="stRadio"]').wait_for()
        wait_for_streamlit(page)
        page.screenshot(path=str(ARTIFACTS / f"{name}-ask.png"), full_page=True)
        page.locator('[data-testid="stRadio"] label', has_text="GCJ-02").click()
    outcome(page, "校验通过：400 行均可导入。", name)
    wait_for_streamlit(page)
