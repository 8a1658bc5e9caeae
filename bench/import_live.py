"""An event import into a database with history while the county works (issue 30): the CLI loads a
terminal export (GCJ-02, UTF-8 with BOM) into DATABASE_URL, and meanwhile another session, every
0.2 s, reads events (a count over the city) and moves one open event on (受理 / 派遣 as the owner's
workflow code would), each timed. Prints the import's rate and peak RSS and the other session's
worst and p95 latency. Not a test: nothing here asserts.

    .venv/bin/python bench/import_live.py --rows 200000 [--seed 8]

Writes to DATABASE_URL: use a copy (CREATE DATABASE x TEMPLATE jiangyin).
"""
from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import psycopg  # noqa: E402

from geo import db  # noqa: E402
from geo.workflow import Actor, act  # noqa: E402
from tests.samplefiles import terminal_export  # noqa: E402


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--rows", type=int, default=200_000)
    ap.add_argument("--seed", type=int, default=8)
    args = ap.parse_args()
    url = os.environ["DATABASE_URL"]
    path = Path(tempfile.mkdtemp(prefix="jy-live-")) / "export.csv"
    with psycopg.connect(url) as c:
        terminal_export(c, path, args.rows, seed=args.seed, prefix=f"L{args.seed}-{time.time_ns()}",
                        start="2026-05-01 08:00", days=180)
    reads: list[float] = []
    acts: list[float] = []
    stop = threading.Event()

    def other_session():
        with db.connect(url) as conn:
            conn.autocommit = True
            while not stop.is_set():
                t = time.perf_counter()
                conn.execute("SELECT count(*) FROM events")
                reads.append(time.perf_counter() - t)
                t = time.perf_counter()
                with conn.transaction():
                    row = conn.execute("SELECT id, status, version FROM events WHERE status IN ('reported', 'accepted') "
                                       "AND NOT is_drill ORDER BY random() LIMIT 1").fetchone()
                    if row:
                        act(conn, row[0], "accept" if row[1] == "reported" else "dispatch", Actor("并发测试", "system"),
                            expected_version=row[2], **({} if row[1] == "reported" else {"department": "D06"}))
                acts.append(time.perf_counter() - t)
                time.sleep(0.2)
    worker = threading.Thread(target=other_session)
    worker.start()
    t0 = time.perf_counter()
    out = subprocess.run([sys.executable, "-m", "loaders", "events", str(path), "--crs", "gcj02"], cwd=ROOT,
                         capture_output=True, text=True, env={**os.environ, "JY_REPORT_RSS": "1"})
    took = time.perf_counter() - t0
    stop.set()
    worker.join()
    last = (out.stdout.strip().splitlines() or [""])[-1]
    rss = next((line for line in out.stderr.splitlines() if line.startswith("peak RSS")), "")

    def p95(v):
        return sorted(v)[int(0.95 * (len(v) - 1))] * 1000 if v else float("nan")
    print(f"import: {args.rows:,} rows in {took:.1f} s = {args.rows / took:,.0f} rows/s, {rss}; {last}")
    print(f"other session during the import: {len(reads)} reads p95 {p95(reads):.0f} ms max {max(reads) * 1000:.0f} ms; "
          f"{len(acts)} actions p95 {p95(acts):.0f} ms max {max(acts) * 1000:.0f} ms")
    return out.returncode


if __name__ == "__main__":
    sys.exit(main())
