"""Early warning, measured (issue 32, geo/warning.py): how many days an injected outbreak takes to be
flagged, and how many warnings history without one gives (per 1,000 grid-days). Not a test: nothing
here asserts; the README's table quotes what it prints.

    DATABASE_URL=…/a_demo_copy .venv/bin/python bench/warning.py [--days 14] [--rates 2,3,5] [--seed 3]

False warnings: the detectors run as the job does (role jy_warn) at 10:00, 14:00, 18:00 and 23:59 of
each of the last --days full local days of the demo's history; every distinct warning (its key) is
counted once, by kind and pattern. An outbreak: R extra events a day of one category (垃圾乱堆放,
HW01) at random points of one quiet grid, from day 1 on; after each day the detectors run at 23:59
and the first day any warning names that grid is its delay. Each outbreak is written in a transaction
that is rolled back: the database is left as it was.
"""
from __future__ import annotations

import argparse
import datetime as dt
import os
import sys
import time
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import numpy as np  # noqa: E402
import psycopg  # noqa: E402

from geo import intake, warning  # noqa: E402
from geo.worktime import TZ  # noqa: E402

TIMES = (dt.time(10), dt.time(14), dt.time(18), dt.time(23, 59))


def _detect(conn, at: dt.datetime) -> list:
    """The detectors as the job runs them (role jy_warn), inside whatever transaction is open."""
    with conn.transaction():
        conn.execute("SET LOCAL ROLE jy_warn")
        try:
            return warning.detect(conn, at)
        finally:
            conn.execute("RESET ROLE")


def false_rate(conn, last: dt.date, days: int) -> tuple[Counter, int, float]:
    grids = conn.execute("SELECT count(*) FROM grids WHERE level = 3 AND kind = 'admin'").fetchone()[0]
    seen: dict[str, warning.Finding] = {}
    t0 = time.perf_counter()
    runs = 0
    for back in range(days):
        day = last - dt.timedelta(days=back)
        for t in TIMES:
            for w in _detect(conn, dt.datetime.combine(day, t, TZ)):
                seen.setdefault(w.key, w)
            runs += 1
    by = Counter(f"{w.kind}:{w.pattern or '-'}" for w in seen.values())
    return by, grids * days, (time.perf_counter() - t0) / runs


def _quiet_grid(conn, start: dt.date, seed: int) -> str:
    """A grid with few events in the eight weeks before the outbreak (so that the outbreak is news)."""
    rows = conn.execute("""
        SELECT g.code FROM grids g LEFT JOIN events e ON e.grid_code = g.code
               AND e.reported_at >= %s AND e.reported_at < %s
         WHERE g.level = 3 AND g.kind = 'admin' GROUP BY g.code HAVING count(e.id) <= 8 ORDER BY g.code""",
                        (dt.datetime.combine(start - dt.timedelta(days=56), dt.time(0), TZ),
                         dt.datetime.combine(start, dt.time(0), TZ))).fetchall()
    return rows[np.random.default_rng(seed).integers(len(rows))][0]


def _points(conn, grid: str, n: int, rng) -> list[tuple[float, float]]:
    x0, y0, x1, y1 = conn.execute("SELECT ST_XMin(geom), ST_YMin(geom), ST_XMax(geom), ST_YMax(geom) FROM grids "
                                  "WHERE code = %s", (grid,)).fetchone()
    out: list[tuple[float, float]] = []
    while len(out) < n:
        x, y = float(rng.uniform(x0, x1)), float(rng.uniform(y0, y1))
        if conn.execute("SELECT grid_for_point(ST_SetSRID(ST_MakePoint(%s, %s), 4490)) = %s", (x, y, grid)).fetchone()[0]:
            out.append((x, y))
    return out


def outbreak(conn, start: dt.date, rate: int, max_days: int, seed: int) -> tuple[str, int | None, str]:
    rng = np.random.default_rng(seed)
    grid = _quiet_grid(conn, start, seed)
    by = intake.Reporter("bench", "system", "预警基准（注入）", "cli")
    found: tuple[int | None, str] = (None, "")
    with conn.transaction(force_rollback=True):
        for d in range(max_days):
            day = start + dt.timedelta(days=d)
            pts = _points(conn, grid, rate, rng)
            reports = [intake.Report("HW01", "注入：垃圾乱堆放", 3, x, y, "wgs84",
                                     reported_at=dt.datetime.combine(day, dt.time(9 + i % 8, int(rng.integers(60))), TZ))
                       for i, (x, y) in enumerate(pts)]
            intake.submit(conn, reports, by, now=dt.datetime.combine(day, dt.time(23, 59), TZ))
            hits = [w for w in _detect(conn, dt.datetime.combine(day, dt.time(23, 59), TZ)) if w.grid_code == grid]
            if hits:
                found = (d + 1, ", ".join(sorted({f"{w.kind}:{w.pattern or '-'}" for w in hits})))
                break
    return grid, found[0], found[1]


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--days", type=int, default=14, help="full local days of history checked for false warnings")
    ap.add_argument("--rates", default="2,3,5", help="injected events per day, comma-separated")
    ap.add_argument("--seed", type=int, default=3)
    ap.add_argument("--max-days", type=int, default=7)
    args = ap.parse_args()
    with psycopg.connect(os.environ["DATABASE_URL"], autocommit=True) as conn:
        newest = conn.execute("SELECT max(reported_at) FROM events WHERE NOT is_drill").fetchone()[0]
        last = newest.astimezone(TZ).date() - dt.timedelta(days=1)          # the last full day
        by, grid_days, per_run = false_rate(conn, last, args.days)
        total = sum(by.values())
        print(f"history without injection: {args.days} days x {grid_days // args.days} grids = {grid_days:,} grid-days, "
              f"{len(TIMES)} runs a day ({per_run:.2f} s a run)")
        print(f"  warnings: {total} = {1000 * total / grid_days:.2f} per 1,000 grid-days")
        for k, v in sorted(by.items()):
            print(f"    {k}: {v} ({1000 * v / grid_days:.2f} per 1,000 grid-days)")
        start = last - dt.timedelta(days=args.max_days - 1)
        for i, rate in enumerate(int(r) for r in args.rates.split(",")):
            grid, delay, kinds = outbreak(conn, start, rate, args.max_days, args.seed + i)
            said = f"flagged after {delay} day(s) by {kinds}" if delay else f"not flagged in {args.max_days} days"
            print(f"outbreak of {rate} events/day in grid {grid} from {start}: {said}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
