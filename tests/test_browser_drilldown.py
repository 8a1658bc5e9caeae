"""Browser test: click city -> town -> village -> grid -> event on the maps of the real server,
check breadcrumb, URL and figures at each step, then walk back up with the back button.
Screenshots per step go to artifacts/drilldown-*.png."""
from __future__ import annotations

import re

import pytest

from dashboard.ui.maps import CITY_VIEW, MAP_H, MAP_W, fit_view
from geo.status import STATUS_LABELS
from tests.browser import click_map, open_page, wait_for_streamlit
from tests.fixtures import login_for
from tests.server import ROOT

ARTIFACTS = ROOT / "artifacts"

# A clickable point of an area: inside it, at least `clear_m` metres from anything else that is
# pickable on that map (dedicated grids, chemical sites, resources, event and staff points).
CLEAR_POINT = """
WITH area AS (SELECT code, geom FROM grids WHERE code = %(code)s),
obstacles AS (
    SELECT geom FROM grids WHERE kind = 'dedicated' AND geom && (SELECT ST_Expand(geom, 0.02) FROM area)
    UNION ALL SELECT geom FROM chem_sites UNION ALL SELECT geom FROM emergency_resources
    UNION ALL SELECT location FROM events WHERE grid_code LIKE %(prefix)s
    UNION ALL SELECT location FROM staff WHERE grid_code LIKE %(prefix)s
), free AS (
    SELECT ST_Difference(ST_Buffer(ST_Transform(a.geom, 4549), -%(inset_m)s),
                         coalesce((SELECT ST_Union(ST_Buffer(ST_Transform(o.geom, 4549), %(clear_m)s))
                                     FROM obstacles o), 'SRID=4549;POLYGON EMPTY'::geometry)) AS g
      FROM area a
)
SELECT ST_X(p), ST_Y(p) FROM (SELECT ST_Transform(ST_PointOnSurface(g), 4490) AS p FROM free) s
"""


def clear_point(conn, code: str, clear_m: float, inset_m: float) -> tuple[float, float]:
    return conn.execute(CLEAR_POINT, {"code": code, "prefix": code[:12] + "%", "clear_m": clear_m,
                                      "inset_m": inset_m}).fetchone()


def bounds(conn, code: str):
    return conn.execute("SELECT ST_XMin(geom), ST_YMin(geom), ST_XMax(geom), ST_YMax(geom) "
                        "FROM grids WHERE code = %(c)s", {"c": code}).fetchone()


@pytest.fixture(scope="module")
def login(demo_url):
    """The account this module signs in with: (username, password)."""
    return login_for(demo_url, "commander")


@pytest.fixture(scope="module")
def server(demo_server):
    return demo_server


def breadcrumb(page) -> str:
    return page.locator(".st-key-breadcrumb").inner_text()


def metric_value(page, label: str) -> str:
    box = page.locator('[data-testid="stMetric"]', has_text=label).first
    return box.locator('[data-testid="stMetricValue"]').inner_text().strip()


def step(page, name: str, url_part: str) -> None:
    try:
        page.wait_for_url(re.compile(url_part), timeout=30_000)
    except Exception as exc:
        raise AssertionError(f"{name}: expected a URL matching {url_part}, at {page.url}") from exc
    wait_for_streamlit(page)
    page.screenshot(path=str(ARTIFACTS / f"drilldown-{name}.png"))
    print(name, page.evaluate("history.length"), page.url)


def test_click_through_city_town_village_grid_event_and_back(login, server, demo_conn):
    town = "320281103"     # 青阳镇: rural, no chemical sites on its seat
    town_name = demo_conn.execute("SELECT name FROM grids WHERE code = %s", (town,)).fetchone()[0]
    with open_page(server + "/?layers=none", login=login) as page:
        page.screenshot(path=str(ARTIFACTS / "drilldown-0-city.png"))
        # City -> town: click inside the town on the city map.
        lon, lat = demo_conn.execute("SELECT ST_X(p), ST_Y(p) FROM (SELECT ST_PointOnSurface(geom) p "
                                     "FROM grids WHERE code = %s) s", (town,)).fetchone()
        click_map(page, CITY_VIEW, lon, lat)
        step(page, "1-town", rf"/town\?town={town}")
        assert town_name in breadcrumb(page) and "江阴市" in breadcrumb(page)
        open_town = demo_conn.execute("SELECT count(*) FROM events WHERE town_code = %s AND status NOT IN "
                                      "('closed', 'rejected')", (town,)).fetchone()[0]
        assert metric_value(page, "在办事件") == f"{open_town:,}"

        # Town -> village.
        village = demo_conn.execute(
            "SELECT code FROM grids WHERE parent_code = %s ORDER BY ST_Area(geom) DESC LIMIT 1", (town,)).fetchone()[0]
        vname = demo_conn.execute("SELECT name FROM grids WHERE code = %s", (village,)).fetchone()[0]
        lon, lat = clear_point(demo_conn, village, clear_m=400, inset_m=100)
        click_map(page, fit_view(bounds(demo_conn, town), MAP_W, MAP_H), lon, lat)
        step(page, "2-village", rf"/village\?town={town}&village={village}")
        assert vname in breadcrumb(page) and town_name in breadcrumb(page)
        open_village = demo_conn.execute("SELECT count(*) FROM events WHERE village_code = %s AND status NOT IN "
                                         "('closed', 'rejected')", (village,)).fetchone()[0]
        assert metric_value(page, "在办事件") == f"{open_village:,}"

        # Village -> grid: the village's grid with the most events, so the next step has one.
        grid = demo_conn.execute(
            "SELECT g.code FROM grids g LEFT JOIN events e ON e.grid_code = g.code WHERE g.parent_code = %s "
            "AND g.kind = 'admin' GROUP BY g.code ORDER BY count(e.id) DESC, g.code LIMIT 1", (village,)).fetchone()[0]
        gname = demo_conn.execute("SELECT name FROM grids WHERE code = %s", (grid,)).fetchone()[0]
        lon, lat = clear_point(demo_conn, grid, clear_m=60, inset_m=20)
        click_map(page, fit_view(bounds(demo_conn, village), MAP_W, MAP_H), lon, lat)
        step(page, "3-grid", rf"/grid\?town={town}&village={village}&grid={grid}")
        assert gname in breadcrumb(page)
        workers = demo_conn.execute("SELECT count(*) FROM staff WHERE grid_code = %s AND role = 'grid_worker'",
                                    (grid,)).fetchone()[0]
        assert metric_value(page, "网格员") == str(workers)

        # Grid -> event: click the event point farthest from every other point on the grid map.
        ev, lon, lat = demo_conn.execute("""
            WITH pts AS (
                SELECT e.id, e.location AS p, true AS is_event FROM events e
                 WHERE e.grid_code = %(g)s AND (e.reported_at > now() - interval '30 days'
                                               OR e.status NOT IN ('closed', 'rejected'))
                UNION ALL SELECT NULL, s.location, false FROM staff s WHERE s.grid_code = %(g)s)
            SELECT a.id, ST_X(a.p), ST_Y(a.p) FROM pts a WHERE a.is_event
             ORDER BY (SELECT min(ST_Distance(a.p::geography, b.p::geography)) FROM pts b
                        WHERE b.p IS DISTINCT FROM a.p OR b.id IS DISTINCT FROM a.id) DESC NULLS FIRST, a.id
             LIMIT 1""", {"g": grid}).fetchone()
        click_map(page, fit_view(bounds(demo_conn, grid), MAP_W, MAP_H), lon, lat)
        step(page, "4-event", rf"/event\?.*event={ev}")
        status = demo_conn.execute("SELECT status FROM events WHERE id = %s", (ev,)).fetchone()[0]
        assert metric_value(page, "当前状态") == STATUS_LABELS[status]
        crumbs = breadcrumb(page)
        assert all(n in crumbs for n in ("江阴市", town_name, vname, gname, f"事件 {ev}"))

        # Each URL reopens the same view.
        url = page.url
        page.goto(url)
        page.get_by_text(f"事件 {ev}").first.wait_for()
        wait_for_streamlit(page)
        assert metric_value(page, "当前状态") == STATUS_LABELS[status]

        # The back button walks back up: event -> grid -> village -> town -> city. Streamlit records a
        # switch of page with new query params as two history entries (the new params on the old
        # page, then the new page), so a level can take two presses; the first already shows it.
        seen = []
        for press in range(12):
            page.go_back()
            wait_for_streamlit(page)
            level = re.search(r"/(town|village|grid|event)?\?|/(town|village|grid|event)?$", page.url)
            name = (level.group(1) or level.group(2) or "city") if level else "?"
            if not seen or seen[-1] != name:
                seen.append(name)
                page.screenshot(path=str(ARTIFACTS / f"drilldown-back-{len(seen)}-{name}.png"))
                print("back", press, name, page.url)
            if name == "city":
                break
        assert seen == ["event", "grid", "village", "town", "city"] or seen == ["grid", "village", "town", "city"], seen
        assert "市级指挥" in page.locator("h2").first.inner_text()
