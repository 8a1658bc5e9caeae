"""Benchmark the command views: server-side run time (median of N AppTest runs) and map payload.

    .venv/bin/python bench/views.py [--runs 10] [--json bench/results/views.json]

Uses DATABASE_URL (./run.sh --no-serve prints it) and the data there (default demo: 20k events).
"cold" clears Streamlit's caches before each run (every query hits PostGIS); "warm" reuses them, as
a user clicking around does within the cache TTL. Payload = bytes of the deck.gl JSON the map
sends to the browser. Not a test: nothing here asserts on time.
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

import psycopg  # noqa: E402
import streamlit as st  # noqa: E402

from bench.common import save_json, signed_in_app  # noqa: E402


def views(conn) -> dict[str, dict]:
    grid, ev = conn.execute("""SELECT e.grid_code, e.id FROM events e JOIN grids g ON g.code = e.grid_code
                                WHERE e.status NOT IN ('closed', 'rejected')
                                ORDER BY e.town_code = '320281004' DESC, e.id LIMIT 1""").fetchone()
    return {
        "city": {"page": "city", "params": {}},
        "town": {"page": "town", "params": {"town": grid[:9]}},
        "village": {"page": "village", "params": {"town": grid[:9], "village": grid[:12]}},
        "grid": {"page": "grid", "params": {"town": grid[:9], "village": grid[:12], "grid": grid}},
        "event": {"page": "event", "params": {"event": str(ev)}},
        # the working pages (issue 16: every page scales with the data)
        "dispatch": {"page": "dispatch", "params": {}},
        "evaluation": {"page": "evaluation", "params": {}},
        "hazards": {"page": "hazards", "params": {}},
        "wall": {"page": "wall", "params": {}},
        # 一张图 (issue 18): the default layers, and every layer (the wall's set)
        "onemap": {"page": "onemap", "params": {}},
        "onemap_all": {"page": "onemap", "params": {"layers": "events,duty,coverage,service,assistance,mutual_aid,enterprises,chem"}},
        "assessment": {"page": "assessment", "params": {"unit": "village"}},
    }


def run_once(view: dict, viewer=None) -> tuple[float, int]:
    at = signed_in_app(viewer)
    at.switch_page(f"views/{view['page']}.py")
    for k, v in view["params"].items():
        at.query_params[k] = v
    t0 = time.perf_counter()
    at.run()
    elapsed = time.perf_counter() - t0
    if at.exception:
        raise RuntimeError(f"{view['page']}: {at.exception[0].message}")
    payload = sum(len(el.proto.json.encode()) for el in at.get("deck_gl_json_chart"))
    return elapsed, payload


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--runs", type=int, default=10)
    ap.add_argument("--only", nargs="*", help="view names (default: all)")
    ap.add_argument("--json", default=str(ROOT / "bench" / "results" / "views.json"))
    args = ap.parse_args()
    with psycopg.connect(os.environ["DATABASE_URL"]) as conn:
        vs = views(conn)
        n_events = conn.execute("SELECT count(*) FROM events").fetchone()[0]
    results = {}
    for name, view in vs.items():
        if args.only and name not in args.only:
            continue
        cold, warm, payload = [], [], 0
        for _ in range(args.runs):
            st.cache_data.clear()
            t, payload = run_once(view)
            cold.append(t)
        run_once(view)
        for _ in range(args.runs):
            t, payload = run_once(view)
            warm.append(t)
        results[name] = {"cold_median_s": statistics.median(cold), "cold_max_s": max(cold),
                         "warm_median_s": statistics.median(warm), "map_payload_bytes": payload,
                         "params": view["params"]}
    print(f"events in database: {n_events:,}; runs per view: {args.runs}; machine: {os.cpu_count()} cores")
    print(f"{'view':8} {'cold median':>12} {'cold max':>9} {'warm median':>12} {'map payload':>12}")
    for name, r in results.items():
        print(f"{name:8} {r['cold_median_s'] * 1000:10.0f}ms {r['cold_max_s'] * 1000:7.0f}ms "
              f"{r['warm_median_s'] * 1000:10.0f}ms {r['map_payload_bytes'] / 1024:9.1f} KB")
    save_json(args.json, {"events": n_events, "runs": args.runs, "views": results})
    return 0


if __name__ == "__main__":
    sys.exit(main())
