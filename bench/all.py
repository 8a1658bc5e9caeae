"""The benchmark suite in one command: prints a table and writes bench/results/all.json.

    export $(./run.sh --no-serve | tail -1)        # the cluster to benchmark in
    .venv/bin/python bench/all.py [--scale-url URL_OF_A_2M_EVENT_DATABASE] [--runs 10]

Works in a scratch database next to DATABASE_URL's (default demo: 20,000 events), dropped at the
end. Measures: demo generation and load rate, point-to-grid assignment rate, intake and KNN
latency, concurrent dispatch, each view's render time and map payload (also at 2 M events with
--scale-url, e.g. a database loaded with `python -m loaders demo --events 2000000 --days 730`),
(many users at once against the real server: bench/load.py). Not a test: nothing asserts on time.
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

from bench.common import save_json  # noqa: E402

sys.path.insert(0, str(ROOT / "bench"))

import dispatch as bench_dispatch  # noqa: E402
import numpy as np  # noqa: E402
import psycopg  # noqa: E402
import views as bench_views  # noqa: E402
from common import app_url  # noqa: E402
from scratch import scratch_database  # noqa: E402

from geo import assign, db  # noqa: E402
from loaders.reference import county_boundary  # noqa: E402


def view_times(url: str, runs: int) -> dict:
    os.environ["DATABASE_URL"] = url
    os.environ["APP_DATABASE_URL"] = app_url(url)
    import streamlit as st
    out = {}
    with psycopg.connect(url) as conn:
        vs = bench_views.views(conn)
    for name, view in vs.items():
        times, payload = [], 0
        for _ in range(runs):
            st.cache_data.clear()
            t, payload = bench_views.run_once(view)
            times.append(t)
        times.sort()
        out[name] = {"p50_ms": statistics.median(times) * 1000, "p95_ms": times[int(0.95 * (len(times) - 1))] * 1000,
                     "payload_kb": payload / 1024}
    st.cache_resource.clear()
    return out


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--runs", type=int, default=10)
    ap.add_argument("--scale-url")
    ap.add_argument("--json", default=str(ROOT / "bench" / "results" / "all.json"))
    args = ap.parse_args()
    admin, admin_app = os.environ["DATABASE_URL"], os.environ["APP_DATABASE_URL"]
    res: dict = {"machine": {"cores": os.cpu_count()}, "demo": {}}
    try:
        with scratch_database(20000, res["demo"]) as url:
            rng = np.random.default_rng(1)
            minx, miny, maxx, maxy = county_boundary().bounds
            x, y = rng.uniform(minx, maxx, 100_000), rng.uniform(miny, maxy, 100_000)
            with db.connect(url) as conn:
                t = time.perf_counter()
                assign.assign_points(conn, x, y)
                res["assign_points_per_s"] = 100_000 / (time.perf_counter() - t)
            res["views_20k"] = view_times(url, args.runs)
            if args.scale_url:
                res["views_2m"] = view_times(args.scale_url, args.runs)
            res["dispatch"] = bench_dispatch.run(url, argparse.Namespace(samples=300, workers=8, ops=1000))
    finally:
        os.environ["DATABASE_URL"], os.environ["APP_DATABASE_URL"] = admin, admin_app

    d = res["demo"]
    print(f"machine: {res['machine']['cores']} cores")
    print(f"demo: {d['events']:,} events generated in {d['generate_s']:.1f} s, loaded in {d['load_s']:.1f} s "
          f"({d['events_per_s']:,.0f} events/s)")
    print(f"point -> grid assignment: {res['assign_points_per_s']:,.0f} points/s")
    c = res["dispatch"]
    print(f"intake p50 {c['intake_ms']['p50']:.1f} ms p95 {c['intake_ms']['p95']:.1f} ms; "
          f"KNN p50 {c['knn_ms']['p50']:.1f} ms p95 {c['knn_ms']['p95']:.1f} ms; "
          f"concurrent dispatch {c['concurrency']['transitions_per_s']:.0f} transitions/s")
    print(f"{'view':8} {'20k p50':>9} {'20k p95':>9} {'2M p50':>9} {'2M p95':>9} {'payload':>9}")
    for v, r in res["views_20k"].items():
        big = res.get("views_2m", {}).get(v)
        print(f"{v:8} {r['p50_ms']:7.0f}ms {r['p95_ms']:7.0f}ms "
              + (f"{big['p50_ms']:7.0f}ms {big['p95_ms']:7.0f}ms " if big else f"{'-':>9} {'-':>9} ")
              + f"{(big or r)['payload_kb']:7.1f}KB")
    print("many users at once: bench/load.py against the running server (README, Scale)")
    save_json(args.json, res, indent=2, default=str)
    return 0


if __name__ == "__main__":
    sys.exit(main())
