"""What row-level security costs: the city and town views rendered with and without it, on the
same data. Not a test: nothing here asserts on time.

    .venv/bin/python bench/rls.py [--runs 10]

"with RLS": the dashboard's role jy_app (APP_DATABASE_URL), scope set per transaction, as in
production; "without": APP_DATABASE_URL pointed at the owner (DATABASE_URL, a superuser, whom no
policy applies to). Both cold: Streamlit's caches are cleared before every run, so every query
reaches PostgreSQL. The town view is also rendered as that town's leader (town scope).
"""
from __future__ import annotations

import argparse
import os
import statistics
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import psycopg  # noqa: E402
import streamlit as st  # noqa: E402

from bench.common import save_json  # noqa: E402
from bench.views import run_once, views  # noqa: E402
from geo.access import Viewer  # noqa: E402


def median_ms(view: dict, viewer, runs: int) -> float:
    times = []
    run_once(view, viewer)   # warm the connection pool and PostgreSQL's buffers
    for _ in range(runs):
        st.cache_data.clear()
        times.append(run_once(view, viewer)[0])
    return statistics.median(times) * 1000


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--runs", type=int, default=10)
    ap.add_argument("--json", default=str(ROOT / "bench" / "results" / "rls.json"))
    args = ap.parse_args()
    owner, app = os.environ["DATABASE_URL"], os.environ["APP_DATABASE_URL"]
    with psycopg.connect(owner) as conn:
        vs = views(conn)
        n_events = conn.execute("SELECT count(*) FROM events").fetchone()[0]
    town = vs["town"]["params"]["town"]
    cases = [("city", "city", None), ("town", "town", None),
             ("town (town leader)", "town", Viewer("bench.leader", "镇街领导", "town_leader", town))]
    results = {}
    for label, view, viewer in cases:
        row = {}
        for mode, url in (("without_rls", owner), ("with_rls", app)):
            os.environ["APP_DATABASE_URL"] = url
            st.cache_resource.clear()
            row[mode] = median_ms(vs[view], viewer, args.runs)
        results[label] = row
    os.environ["APP_DATABASE_URL"] = app
    print(f"events: {n_events:,}; cold renders, median of {args.runs}; {os.cpu_count()} cores")
    print(f"{'view':20} {'without RLS':>12} {'with RLS':>10} {'overhead':>9}")
    for label, r in results.items():
        print(f"{label:20} {r['without_rls']:10.0f}ms {r['with_rls']:8.0f}ms "
              f"{(r['with_rls'] / r['without_rls'] - 1) * 100:+8.1f}%")
    save_json(args.json, {"events": n_events, "runs": args.runs, "views": results})
    return 0


if __name__ == "__main__":
    sys.exit(main())
