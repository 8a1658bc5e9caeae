"""Benchmark dispatch: intake and KNN latency (p50/p95) and concurrent transitions per second.

    .venv/bin/python bench/dispatch.py [--events 20000] [--samples 300] [--workers 8] [--ops 1000]

Works in a scratch database created next to DATABASE_URL's (the demo database is not touched),
loaded with the default demo data, dropped at the end. Prints a table and writes JSON.
"""
from __future__ import annotations

import argparse
import os
import random
import statistics
import sys
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.common import save_json  # noqa: E402

sys.path.insert(0, str(ROOT / "bench"))


from scratch import scratch_database  # noqa: E402

from geo import db  # noqa: E402
from geo.intake import Report, Reporter, submit  # noqa: E402
from geo.routing import nearest_staff  # noqa: E402
from geo.workflow import Actor, StaleEvent, act, allowed_actions  # noqa: E402

ARGS = {"reject": {"note": "bench"}, "return": {"note": "bench"}, "verify_fail": {"note": "bench"},
        "escalate": {"note": "bench"}, "hand_down": {"note": "bench"}, "dispatch": {"department": "D06"}, "reassign": {"team": "T6"}}
WEIGHT = {"close": 0.02, "reject": 0.005, "escalate": 0.05, "verify": 0.1, "handle": 0.5}


def pct(values, q):
    values = sorted(values)
    return values[min(len(values) - 1, int(round(q * (len(values) - 1))))]


def points(conn, n, rng):
    rows = conn.execute("SELECT ST_X(p), ST_Y(p) FROM (SELECT ST_PointOnSurface(geom) p FROM grids "
                        "WHERE level = 3 AND kind = 'admin') s").fetchall()
    return [rng.choice(rows) for _ in range(n)]


def run(url: str, args) -> dict:
    rng = random.Random(1)
    out = {}
    with db.connect(url) as conn:
        pts = points(conn, args.samples, rng)
        lat_intake, lat_knn = [], []
        for lon, lat in pts:
            t = time.perf_counter()
            submit(conn, [Report("HW01", "基准测试", 3, lon, lat)], by=Reporter("(bench)", None, "基准测试", "cli"))
            lat_intake.append(time.perf_counter() - t)
            t = time.perf_counter()
            nearest_staff(conn, lon, lat, k=5)
            lat_knn.append(time.perf_counter() - t)
        out["intake_ms"] = {"p50": statistics.median(lat_intake) * 1000, "p95": pct(lat_intake, 0.95) * 1000}
        out["knn_ms"] = {"p50": statistics.median(lat_knn) * 1000, "p95": pct(lat_knn, 0.95) * 1000}
        lon, lat = pts[0]
        ids = submit(conn, [Report("SR01", f"并发基准{i}", 3, lon, lat) for i in range(300)])
    counts = {}

    def worker(seed):
        r = random.Random(seed)
        me = Actor(f"bench{seed}", "city_dispatcher")
        ok = stale = 0
        with db.connect(url) as c:
            c.autocommit = True
            for _ in range(args.ops):
                eid = r.choice(ids)
                status, version, level = c.execute("SELECT status, version, handling_level FROM events "
                                                   "WHERE id = %s", (eid,)).fetchone()
                acts = [a for a in allowed_actions(status, level) if a.console]
                if not acts:
                    continue
                a = r.choices(acts, [WEIGHT.get(x.code, 1.0) for x in acts])[0]
                try:
                    act(c, eid, a.code, me, expected_version=version, **ARGS.get(a.code, {}))
                    ok += 1
                except StaleEvent:
                    stale += 1
        counts[seed] = (ok, stale)

    threads = [threading.Thread(target=worker, args=(s,)) for s in range(args.workers)]
    t = time.perf_counter()
    for th in threads:
        th.start()
    for th in threads:
        th.join()
    elapsed = time.perf_counter() - t
    ok = sum(v[0] for v in counts.values())
    stale = sum(v[1] for v in counts.values())
    out["concurrency"] = {"workers": args.workers, "attempts": args.workers * args.ops, "transitions": ok,
                          "stale_refusals": stale, "seconds": elapsed, "transitions_per_s": ok / elapsed,
                          "attempts_per_s": args.workers * args.ops / elapsed}
    return out


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--events", type=int, default=20000)
    ap.add_argument("--samples", type=int, default=300)
    ap.add_argument("--workers", type=int, default=8)
    ap.add_argument("--ops", type=int, default=1000)
    ap.add_argument("--json", default=str(ROOT / "bench" / "results" / "dispatch.json"))
    args = ap.parse_args()
    with scratch_database(args.events) as url:
        res = run(url, args)
    c = res["concurrency"]
    print(f"machine: {os.cpu_count()} cores; demo events: {args.events:,}; samples: {args.samples}")
    print(f"intake (one report, one transaction):  p50 {res['intake_ms']['p50']:.1f} ms   p95 {res['intake_ms']['p95']:.1f} ms")
    print(f"KNN 5 nearest on-duty staff:           p50 {res['knn_ms']['p50']:.1f} ms   p95 {res['knn_ms']['p95']:.1f} ms")
    print(f"concurrency {c['workers']} workers x {args.ops}: {c['transitions']} transitions, "
          f"{c['stale_refusals']} stale refusals in {c['seconds']:.1f} s = {c['transitions_per_s']:.0f} transitions/s "
          f"({c['attempts_per_s']:.0f} attempts/s)")
    save_json(args.json, res)
    return 0


if __name__ == "__main__":
    sys.exit(main())
