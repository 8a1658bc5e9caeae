"""20 concurrent sessions on the city view: N processes each render the view repeatedly (a new
session per run) against DATABASE_URL. Pessimistic: each process has its own caches, where one
server would share them between sessions, and 20 processes share the 2 cores.

    .venv/bin/python bench/sessions.py [--sessions 20] [--runs 10]
"""
from __future__ import annotations

import argparse
import multiprocessing as mp
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.common import save_json  # noqa: E402

APP = str(ROOT / "dashboard" / "app.py")


def session(args) -> list[float]:
    runs, page = args
    from bench.common import signed_in_app

    times = []
    for i in range(runs + 1):
        at = signed_in_app()
        if page != "city":
            at.switch_page(f"views/{page}.py")
        t = time.perf_counter()
        at.run()
        if i:                      # the first run of a process pays its imports: not counted
            times.append(time.perf_counter() - t)
        if at.exception:
            raise RuntimeError(at.exception[0].message)
    return times


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--sessions", type=int, default=20)
    ap.add_argument("--runs", type=int, default=10)
    ap.add_argument("--json", default=str(ROOT / "bench" / "results" / "sessions.json"))
    args = ap.parse_args()
    t0 = time.perf_counter()
    with mp.get_context("spawn").Pool(args.sessions) as pool:
        results = pool.map(session, [(args.runs, "city")] * args.sessions)
    wall = time.perf_counter() - t0
    times = sorted(t for r in results for t in r)
    p50 = statistics.median(times)
    p95 = times[int(0.95 * (len(times) - 1))]
    print(f"{args.sessions} concurrent sessions x {args.runs} city-view runs on {mp.cpu_count()} cores: "
          f"p50 {p50 * 1000:.0f} ms, p95 {p95 * 1000:.0f} ms ({len(times)} runs in {wall:.1f} s)")
    save_json(args.json, {"sessions": args.sessions, "runs": args.runs, "p50_s": p50,
                                           "p95_s": p95, "wall_s": wall})
    return 0


if __name__ == "__main__":
    sys.exit(main())
