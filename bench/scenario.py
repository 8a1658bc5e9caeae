"""Benchmark the incident scenario: time from clicking 开始推演 to the drawn result, in headless
Chromium against the real server (median of N), plus the server-side analysis alone.

    .venv/bin/python bench/scenario.py [--runs 10]

Uses DATABASE_URL (read only, apart from nothing: the scenario writes no rows until an incident is
pushed, which this does not do).
"""
from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.common import demo_login  # noqa: E402
from geo import db  # noqa: E402
from geo.hazards import analysis, plume  # noqa: E402
from tests.browser import open_page  # noqa: E402
from tests.server import streamlit_server  # noqa: E402


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--runs", type=int, default=10)
    args = ap.parse_args()
    url = os.environ["DATABASE_URL"]
    with db.connect(url) as conn:
        site, lon, lat = conn.execute("SELECT id, ST_X(geom), ST_Y(geom) FROM chem_sites "
                                      "WHERE town_code = '320281008' ORDER BY id LIMIT 1").fetchone()
        server_side = []
        for _ in range(args.runs):
            t = time.perf_counter()
            rel = plume.Release(800, 0, 2.5, "C", False, plume.ppm_to_g_m3(2.0, 70.9))
            zone, _ = analysis.threat_zone(lon, lat, rel)
            analysis.analyse_zone(conn, zone, (lon, lat), site)
            analysis.nearest_resources(conn, lon, lat, 8)
            analysis.evacuation_list(conn, zone)
            server_side.append(time.perf_counter() - t)
    (ROOT / "artifacts").mkdir(exist_ok=True)
    browser = []
    with streamlit_server(url) as server:
        for i in range(args.runs):
            with open_page(f"{server}/scenario?site={site}", wait_text="事故推演", login=demo_login("dispatcher")) as page:
                page.get_by_label("泄漏速率（克/秒）").fill("800")
                page.get_by_label("风速（米/秒）").fill(f"{2.5 + 0.1 * i:.1f}")   # a new result each run
                t = time.perf_counter()
                page.get_by_role("button", name="开始推演").click()
                page.get_by_text("估算影响人口").first.wait_for(timeout=60_000)
                page.locator('[data-testid="stDeckGlJsonChart"] canvas').first.wait_for()
                page.wait_for_function("() => !document.querySelector('[data-testid=\"stStatusWidget\"]')")
                browser.append(time.perf_counter() - t)
    print(f"scenario analysis in PostGIS (zone, grids, people, targets, resources, list): "
          f"median {statistics.median(server_side) * 1000:.0f} ms over {args.runs}")
    print(f"browser: click 开始推演 -> result drawn: median {statistics.median(browser):.2f} s, "
          f"max {max(browser):.2f} s over {args.runs}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
