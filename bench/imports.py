"""Import rates and peak memory: the whole grid hierarchy as files into an empty database (like
./run.sh --no-demo), a county-style whole-hierarchy Shapefile in EPSG:4549, then event exports of
growing size (a terminal export in GCJ-02 with 上报编号, 事件类型 by name, 经度, 纬度, 上报时间, 描述), the
largest loaded twice (the second time: unchanged), and optionally the demo generator.
Not a test: nothing here asserts on time.

    .venv/bin/python bench/imports.py [--events 100000,200000,1000000] [--demo-events 2000000]

Files are made from the demo database (DATABASE_URL): 17 towns (GeoPackage), 274 villages
(GeoJSON), 1,123 grids (GBK Shapefile in EPSG:4549, zipped). Each is loaded with the CLI
(`python -m loaders …`) in a scratch database, which is dropped afterwards; the peak RSS is the
CLI process's own (wait4).
"""
from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import psycopg  # noqa: E402
from psycopg import sql  # noqa: E402
from psycopg.conninfo import make_conninfo  # noqa: E402

from bench.common import save_json  # noqa: E402
from geo import db  # noqa: E402
from loaders.reference import load_reference  # noqa: E402
from tests.samplefiles import grids_frame, terminal_export, write_shapefile_zip  # noqa: E402


def cli(url: str, *args: str) -> tuple[float, str, float]:
    """(seconds, last line printed, peak RSS in MB) of one CLI run."""
    t = time.perf_counter()
    out = subprocess.run([sys.executable, "-m", "loaders", *args], cwd=ROOT, capture_output=True, text=True,
                         env={**os.environ, "DATABASE_URL": url, "JY_REPORT_RSS": "1"}, timeout=3600)
    took = time.perf_counter() - t
    if out.returncode != 0:
        raise SystemExit(f"{' '.join(args)} failed:\n{out.stdout[-2000:]}\n{out.stderr[-2000:]}")
    rss = next((float(line.split()[2]) for line in out.stderr.splitlines() if line.startswith("peak RSS ")), 0.0)
    return took, (out.stdout.strip().splitlines() or [""])[-1], rss


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--events", default="100000,200000,1000000", help="comma-separated export sizes")
    ap.add_argument("--demo-events", type=int, default=0, help="also time the demo generator with N events")
    ap.add_argument("--json", default=str(ROOT / "bench" / "results" / "imports.json"))
    args = ap.parse_args()
    sizes = [int(v) for v in args.events.split(",") if v]
    owner = os.environ["DATABASE_URL"]
    work = Path(tempfile.mkdtemp(prefix="jy-import-bench-"))
    from tests.countyfiles import hierarchy, tiling
    from tests.countyfiles import write_shapefile_zip as county_zip

    with psycopg.connect(owner) as src:
        towns = grids_frame(src, 1)
        villages = grids_frame(src, 2)
        cells = grids_frame(src, 3)
        towns.to_file(work / "towns.gpkg", engine="pyogrio")
        villages.to_file(work / "villages.geojson", driver="GeoJSON", engine="pyogrio")
        write_shapefile_zip(cells, work / "grids.zip", epsg=4549, encoding="GBK")
        for n in sizes:
            terminal_export(src, work / f"events-{n}.csv", n, seed=n)
    county_zip(hierarchy(), work / "county.zip")
    res = {}

    def scratch():
        name = f"jy_bench_import_{uuid.uuid4().hex[:8]}"
        with psycopg.connect(owner, autocommit=True) as c:
            c.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
        url = make_conninfo(owner, dbname=name)
        db.migrate(url)
        with db.connect(url) as conn:
            load_reference(conn)
            conn.commit()
        return name, url

    def drop(name):
        with psycopg.connect(owner, autocommit=True) as c:
            c.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name)))

    def run(label, n, url, *argv):
        took, last, rss = cli(url, *argv)
        res[label] = {"rows": n, "seconds": took, "per_s": n / took, "peak_rss_mb": rss, "cli": last}
        print(f"{label:44} {n:>9,} in {took:6.1f} s = {n / took:9,.0f} /s  peak RSS {rss:6.0f} MB  [{last[:90]}]",
              flush=True)

    name, url = scratch()
    try:
        run("county hierarchy (GBK Shapefile, EPSG:4549)", 27, url, "grids", str(work / "county.zip"),
            "--level-field", "网格层级", "--code-field", "网格编码", "--parent-field", "上级编码", "--name-field", "网格名称")
        overlap, gap = tiling(url)
        res["county hierarchy tiling"] = {"max_overlap_m2": overlap, "max_gap_m2": gap}
        print(f"{'  stored tiling: largest overlap / gap':44} {overlap:.2e} m² / {gap:.2e} m²")
    finally:
        drop(name)
    name, url = scratch()
    try:
        for label, n, argv in (("towns (GeoPackage)", 17, ["grids", str(work / "towns.gpkg")]),
                               ("villages (GeoJSON)", len(villages), ["grids", str(work / "villages.geojson")]),
                               ("grids (GBK Shapefile, EPSG:4549)", len(cells), ["grids", str(work / "grids.zip")]),
                               ("grids again (unchanged)", len(cells), ["grids", str(work / "grids.zip")])):
            run(label, n, url, *argv)
        for n in sizes:
            run(f"event export ({n:,} rows, GCJ-02)", n, url, "events", str(work / f"events-{n}.csv"), "--crs", "gcj02")
        big = max(sizes)
        run(f"same export again ({big:,} rows: unchanged)", big, url, "events", str(work / f"events-{big}.csv"),
            "--crs", "gcj02")
    finally:
        drop(name)
    if args.demo_events:
        name, url = scratch()
        try:
            run(f"demo generator ({args.demo_events:,} events, 730 days)", args.demo_events, url, "demo",
                "--events", str(args.demo_events), "--days", "730")
        finally:
            drop(name)
    save_json(args.json, res)
    return 0


if __name__ == "__main__":
    sys.exit(main())
