"""Browser tests of 一张图 in Chromium: every layer on for the commander and for a town leader (the
town's figures, equal to SQL), the wall at 1920×1080 with nothing below the fold, no request leaving
the machine, and 考核 with its explanation."""
from __future__ import annotations

from urllib.parse import urlparse

import pytest

from geo import onemap
from tests.browser import open_page, settle
from tests.server import ROOT

ARTIFACTS = ROOT / "artifacts"
NANZHA = "320281004"
ALL = ",".join(onemap.LAYERS)


@pytest.fixture(scope="module")
def server(demo_server):
    """The shared server on demo_url (whose fixes end two hours back: 在线 does not flip, conftest)."""
    return demo_server


def login(demo_url, name):
    from tests.fixtures import login_for
    return login_for(demo_url, name)


def metric(page, label: str) -> str:
    box = page.locator('[data-testid="stMetric"]', has_text=label).first
    return box.locator('[data-testid="stMetricValue"]').inner_text().strip()


def figures_sql(conn, town: str | None) -> dict[str, str]:
    """The figures as SQL counts them over the town (or the city)."""
    where, p = "(%(t)s::text IS NULL OR town_code = %(t)s)", {"t": town}     # bound: the town, or every row

    def n(q: str) -> int:
        return conn.execute(q.replace("{w}", where), p).fetchone()[0]
    online = n("SELECT count(*) FROM staff WHERE role = 'grid_worker' AND location_at > now() - interval '5 minutes' AND {w}")
    workers = n("SELECT count(*) FROM staff WHERE role = 'grid_worker' AND {w}")
    return {
        "社会救助户": f"{n('SELECT count(*) FROM assistance_households WHERE {w}'):,}",
        "福村宝覆盖村": f"{n('SELECT count(*) FROM mutual_aid_villages WHERE {w}'):,}",
        "监管企业 已整改": f"{n('SELECT count(*) FROM supervised_enterprises WHERE status = ' + repr('rectified') + ' AND {w}'):,}",
        "监管企业 已关停": f"{n('SELECT count(*) FROM supervised_enterprises WHERE status = ' + repr('closed') + ' AND {w}'):,}",
        "在线网格员": f"{online:,} / {workers:,}",
    }


@pytest.mark.parametrize("account, town", [("commander", None), ("nanzha_leader", NANZHA)])
def test_onemap_every_layer_for_commander_and_town_leader(server, demo_url, demo_conn, account, town):
    requests: list[str] = []
    with open_page(f"{server}/onemap?layers={ALL}&days=7", login=login(demo_url, account), wait_text="人、地、物、组织",
                   requests=requests) as page:
        page.locator('[data-testid="stDeckGlJsonChart"] canvas').first.wait_for()
        settle(page)
        page.screenshot(path=str(ARTIFACTS / f"onemap-{account}.png"))
        for label, value in figures_sql(demo_conn, town).items():
            assert metric(page, label) == value, label
        body = page.inner_text("body")
        # every layer is on: its legend entries are drawn
        for words in ("事件密度", "网格员 在线", "网格 今日已巡查", "澄事之窗", "最江阴服务点", "社会救助户", "福村宝覆盖村",
                      "监管企业 整改中", "危化品 一级"):
            assert words in body, words
        assert "事件密度：近7天上报" in body
        if town:
            assert "南闸街道" in body
    hosts = {urlparse(u).hostname for u in requests if u.startswith("http")}
    assert hosts <= {urlparse(server).hostname}, hosts


def test_onemap_on_the_wall_fits_1920x1080(server, demo_url, demo_conn):
    with open_page(f"{server}/onemap?screen=1", width=1920, height=1080, login=login(demo_url, "wall"),
                   wait_text="福村宝（村级医疗互助）") as page:
        page.locator('[data-testid="stDeckGlJsonChart"] canvas').first.wait_for()
        settle(page)
        page.screenshot(path=str(ARTIFACTS / "onemap-wall-1920x1080.png"))
        overflow = page.evaluate("""() => {
            const m = document.querySelector('[data-testid="stMain"]') || document.scrollingElement;
            return m.scrollHeight - m.clientHeight; }""")
        assert overflow <= 4, overflow
        for label, value in figures_sql(demo_conn, None).items():
            assert metric(page, label) == value, label
        assert "演示数据" in page.locator(".wall-title").inner_text()
        # the wall never shows the assistance households (no detail, no names)
        name = demo_conn.execute("SELECT head_name FROM assistance_households ORDER BY id LIMIT 1").fetchone()[0]
        assert name not in page.inner_text("body")


def test_assessment_page_explains_a_score(server, demo_url):
    with open_page(f"{server}/assessment?unit=village", login=login(demo_url, "nanzha_leader"),
                   wait_text="考核排名") as page:
        body = page.inner_text("body")
        page.screenshot(path=str(ARTIFACTS / "assessment-nanzha.png"))
        assert "计分说明" in body and "按期办结率" in body and "导出 Excel" in body
        # a town leader ranks the town's villages only (no 镇街 choice)
        assert page.get_by_role("radio", name="镇街").count() == 0
