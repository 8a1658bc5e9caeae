"""Browser tests for access: the 南闸街道 leader sees only 南闸 whatever the URL says, the wall
account sees the city and cannot act, and hostile text in events renders inert on every page."""
from __future__ import annotations

import pytest

from tests.browser import open_page, settle, wait_for_streamlit
from tests.fixtures import login_for, point_in
from tests.server import ROOT, streamlit_server

ARTIFACTS = ROOT / "artifacts"
NANZHA = "320281004"
PAYLOADS = ("<script>window.__xss = 1</script>脚本注入",
            '<img src=x onerror="window.__xss = 2">图片注入',
            "[点我领奖](javascript:window.__xss=3) **加粗** <b>粗体</b>")


@pytest.fixture(scope="module")
def server(work_url):
    """A server of this module's own (fresh caches): its events are written straight into work_url
    and the pages' figures compared with SQL right after."""
    ARTIFACTS.mkdir(exist_ok=True)
    with streamlit_server(work_url) as url:
        yield url


@pytest.fixture(scope="module")
def hostile_events(work_url):
    """Three events in one 南闸 grid, a few metres apart, whose descriptions and addresses are
    attacks; each lists the others as likely duplicates."""
    from geo import db
    from geo.intake import Report
    from tests.fixtures import report_events

    with db.connect(work_url) as conn:
        grid = conn.execute("SELECT min(code) FROM grids WHERE level = 3 AND kind = 'admin' AND town_code = %s",
                            (NANZHA,)).fetchone()[0]
        lon, lat = point_in(conn, grid)
        ids = report_events(conn, [Report("SR02", p, 2, lon + i * 0.00005, lat, address=p) for i, p in enumerate(PAYLOADS)])
        conn.commit()
    return ids, grid


def guard(page) -> list[str]:
    """Collect dialogs (alert/confirm) a script might open."""
    seen: list[str] = []
    page.on("dialog", lambda d: (seen.append(d.message), d.dismiss()))
    return seen


def assert_inert(page, seen: list[str], where: str) -> None:
    assert seen == [], where
    assert page.evaluate("() => window.__xss === undefined"), where
    assert page.locator('img[src="x"]').count() == 0, where
    assert page.locator('a[href^="javascript"]').count() == 0, where
    assert page.locator("b", has_text="粗体").count() == 0, where


def test_hostile_text_renders_inert_on_every_page(server, work_url, hostile_events):
    ids, grid = hostile_events
    pages = [(f"/event?event={ids[0]}", f"事件 {ids[0]}"), (f"/event?event={ids[1]}", f"事件 {ids[1]}"),
             (f"/dispatch?event={ids[2]}", "调度台"), (f"/town?town={NANZHA}", "镇街"),
             (f"/village?village={grid[:12]}", "村社区"), (f"/grid?grid={grid}", "网格"), ("/", "市级指挥"),
             ("/?screen=1", "城市运行态势")]
    for path, wait in pages:
        with open_page(server + path, wait_text=wait, login=login_for(work_url, "dispatcher")) as page:
            seen = guard(page)
            settle(page)
            assert_inert(page, seen, path)
            if path.startswith("/event"):
                # The text is shown as text: the angle brackets are visible, not executed.
                assert page.get_by_text("<script>window.__xss = 1</script>", exact=False).count() >= 1 or \
                    page.get_by_text('<img src=x onerror="window.__xss = 2">', exact=False).count() >= 1
            name = path.strip("/?").replace("?", "-").replace("=", "-").replace("&", "-") or "city"
            page.screenshot(path=str(ARTIFACTS / f"xss-{name}.png"), full_page=True)


def test_town_leader_sees_only_nanzha(server, work_url, work_conn):
    other = work_conn.execute("SELECT code FROM grids WHERE level = 1 AND code <> %s ORDER BY code LIMIT 1",
                              (NANZHA,)).fetchone()[0]
    open_ = work_conn.execute("SELECT count(*) FROM events WHERE town_code = %s AND status NOT IN "
                              "('closed', 'rejected') AND NOT is_drill", (NANZHA,)).fetchone()[0]   # 在办 leaves drills out
    with open_page(server + "/", wait_text="南闸街道", login=login_for(work_url, "nanzha_leader")) as page:
        metric = page.locator('[data-testid="stMetric"]', has_text="在办事件").first
        assert f"{open_:,}" in metric.inner_text()
        nav = page.locator(".st-key-sidenav").inner_text()
        assert "市级指挥" not in nav and "调度台" not in nav
        page.screenshot(path=str(ARTIFACTS / "access-leader-own-town.png"))
        # Edit the URL to another town: a refusal, no figures. The session survives the reload.
        page.goto(f"{server}/town?town={other}")
        page.get_by_text("无权查看").first.wait_for(timeout=30_000)
        wait_for_streamlit(page)
        assert page.locator('[data-testid="stMetric"]').count() == 0
        page.screenshot(path=str(ARTIFACTS / "access-leader-other-town.png"))


def test_wall_account_sees_the_city_and_cannot_act(server, work_url, work_conn):
    open_ = work_conn.execute("SELECT count(*) FROM events WHERE status NOT IN ('closed', 'rejected') AND NOT is_drill").fetchone()[0]
    with open_page(server + "/", wait_text="在办事件", login=login_for(work_url, "wall")) as page:
        metric = page.locator('[data-testid="stMetric"]', has_text="在办事件").first
        assert f"{open_:,}" in metric.inner_text()
        nav = page.locator(".st-key-sidenav").inner_text()
        assert "调度台" not in nav and "事件上报" not in nav
        page.goto(f"{server}/dispatch")
        wait_for_streamlit(page)
        page.get_by_text("无权访问").first.wait_for(timeout=30_000)
        assert page.get_by_role("button", name="执行").count() == 0
        assert page.locator("h2", has_text="调度台").count() == 0
        page.screenshot(path=str(ARTIFACTS / "access-wall-dispatch.png"))


def test_map_tooltips_show_hostile_text_once_as_text(server, work_url, work_conn):
    """A likely duplicate 30 m away on the event page's map: its tooltip shows the description
    exactly as typed ("&" not "&amp;"; tags as text, not elements)."""
    from dashboard.ui import maps
    from geo.intake import Report
    from tests.browser import lonlat_to_pixel
    from tests.fixtures import report_events

    grid = work_conn.execute("SELECT max(code) FROM grids WHERE level = 3 AND kind = 'admin' AND town_code = %s",
                             (NANZHA,)).fetchone()[0]
    lon, lat = point_in(work_conn, grid)
    hostile = "A&B <b>粗体</b> 相邻"
    ids = report_events(work_conn, [Report("SR02", "参照事件", 2, lon, lat), Report("SR02", hostile, 2, lon + 0.0003, lat)])
    work_conn.commit()
    bounds = work_conn.execute("SELECT ST_XMin(geom), ST_YMin(geom), ST_XMax(geom), ST_YMax(geom) FROM grids "
                               "WHERE code = %s", (grid,)).fetchone()
    view = maps.fit_view(bounds, height=460)
    with open_page(f"{server}/event?event={ids[0]}", wait_text=f"事件 {ids[0]}",
                   login=login_for(work_url, "dispatcher")) as page:
        seen = guard(page)
        canvas = page.locator('[data-testid="stDeckGlJsonChart"] canvas').first
        canvas.wait_for()
        settle(page)
        x, y = lonlat_to_pixel(canvas.bounding_box(), view, lon + 0.0003, lat)
        page.mouse.move(x - 3, y)
        page.mouse.move(x, y)
        tooltip = page.locator(".deck-tooltip")
        tooltip.wait_for(state="visible", timeout=10_000)
        text = tooltip.inner_text()
        page.screenshot(path=str(ARTIFACTS / "xss-tooltip.png"))
        assert hostile in text and "&amp;" not in text, text
        assert tooltip.locator("b b").count() == 0      # the tooltip's own <b> holds text, no injected <b>
        assert seen == [] and page.evaluate("() => window.__xss === undefined")
