"""Browser test: the real Streamlit server in Debian's headless Chromium, city overview."""
from __future__ import annotations

import pytest

from tests.browser import open_page, settle
from tests.fixtures import login_for
from tests.server import ROOT, streamlit_server

ARTIFACTS = ROOT / "artifacts"


@pytest.fixture(scope="module")
def login(demo_url):
    """The account this module signs in with: (username, password)."""
    return login_for(demo_url, "commander")


@pytest.fixture(scope="module")
def server(demo_server):
    return demo_server


def test_city_overview_renders_offline_with_chinese_labels(login, server, demo_conn):
    outside_requests: list[str] = []
    with open_page(server + "/", login=login) as page:
        page.on("request", lambda r: outside_requests.append(r.url)
                if not r.url.startswith(("http://127.0.0.1", "data:", "blob:")) else None)
        page.get_by_text("在办事件").first.wait_for()
        page.get_by_text("演示数据").first.wait_for()
        page.locator("canvas").first.wait_for()
        settle(page)
        open_ = demo_conn.execute(
            "SELECT count(*) FROM events WHERE status NOT IN ('closed', 'rejected') AND NOT is_drill").fetchone()[0]
        metric = page.locator('[data-testid="stMetric"]', has_text="在办事件")
        assert f"{open_:,}" in metric.inner_text()
        page.screenshot(path=str(ARTIFACTS / "city-overview.png"), full_page=True)
        # The map sends no request to any tile or style server.
        page.reload()          # a new Streamlit session, resumed from the session cookie
        page.get_by_text("在办事件").first.wait_for()
        page.locator("canvas").first.wait_for()
        settle(page)
    assert outside_requests == []
    assert (ARTIFACTS / "city-overview.png").stat().st_size > 50_000


def test_a_configured_tile_server_is_used_for_the_base_map(login, demo_url):
    """JY_TILE_URL puts raster tiles under the vector layers (served here by a local server)."""
    import http.server
    import io
    import threading

    from PIL import Image

    buf = io.BytesIO()
    Image.new("RGB", (256, 256), (180, 220, 180)).save(buf, format="PNG")
    png = buf.getvalue()
    hits: list[str] = []

    class Tiles(http.server.BaseHTTPRequestHandler):
        def do_GET(self):  # noqa: N802 - http.server's name
            hits.append(self.path)
            self.send_response(200)
            self.send_header("Content-Type", "image/png")
            self.send_header("Access-Control-Allow-Origin", "*")
            self.end_headers()
            self.wfile.write(png)

        def log_message(self, *args):
            pass

    tiles = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Tiles)
    threading.Thread(target=tiles.serve_forever, daemon=True).start()
    try:
        url = f"http://127.0.0.1:{tiles.server_address[1]}/{{z}}/{{x}}/{{y}}.png"
        with streamlit_server(demo_url, extra_env={"JY_TILE_URL": url}) as server:
            with open_page(server + "/?layers=none", login=login) as page:
                page.locator("canvas").first.wait_for()
                settle(page)
                page.screenshot(path=str(ARTIFACTS / "city-with-tiles.png"))
            deck_hits = len(hits)
            # the Leaflet maps (事件上报's point picker) use the same base layer, and name the places
            with open_page(server + "/intake", login=login) as page:
                frame = page.frame_locator('iframe[title="streamlit_folium.st_folium"]').first
                frame.locator("img.leaflet-tile").first.wait_for()
                frame.locator(".jy-label", has_text="南闸街道").first.wait_for()
                page.screenshot(path=str(ARTIFACTS / "intake-with-tiles.png"))
    finally:
        tiles.shutdown()
    assert any(h.endswith(".png") and h.count("/") == 3 for h in hits), hits
    assert len(hits) > deck_hits, "the Leaflet map asked the tile server for nothing"
