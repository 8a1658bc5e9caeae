"""Import rates: the whole grid hierarchy as files into an empty database (like ./run.sh --no-demo),
then a 100,000-row event CSV. Not a test: nothing here asserts on time.

    .venv/bin/python bench/imports.py [--events 100000]

Files are made from the demo database (DATABASE_URL): 17 towns (GeoPackage), 274 villages
(GeoJSON), 1,123 grids (GBK Shapefile in EPSG:4549, zipped), then events with lon/lat as CSV. Each
is loaded with the CLI (`python -m loaders …`) in a scratch database, which is dropped afterwards.
"""
from __future__ import annotations

import argparse
import csv
import json
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

from geo import db  # noqa: E402
from loaders.reference import load_reference  # noqa: E402
from tests.samplefiles import grids_frame, write_shapefile_zip  # noqa: E402


def cli(url: str, *args: str) -> tuple[float, str]:
    t = time.perf_counter()
    out = subprocess.run([sys.executable, "-m", "loaders", *args], cwd=ROOT, capture_output=True, text=True,
                         env={**os.environ, "DATABASE_URL": url}, timeout=3600)
    took = time.perf_counter() - t
    if out.returncode != 0:
        raise SystemExit(f"{' '.join(args)} failed:\n{out.stdout[-2000:]}\n{out.stderr[-2000:]}")
    return took, out.stdout.strip().splitlines()[-1]


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--events", type=int, default=100_000)
    ap.add_argument("--json", default=str(ROOT / "bench" / "results" / "imports.json"))
    args = ap.parse_args()
    owner = os.environ["DATABASE_URL"]
    work = Path(tempfile.mkdtemp(prefix="jy-import-bench-"))
    with psycopg.connect(owner) as src:
        towns = grids_frame(src, 1)
        villages = grids_frame(src, 2)
        cells = grids_frame(src, 3)
        towns.to_file(work / "towns.gpkg", engine="pyogrio")
        villages.to_file(work / "villages.geojson", driver="GeoJSON", engine="pyogrio")
        write_shapefile_zip(cells, work / "grids.zip", epsg=4549, encoding="GBK")
        # events: points on the demo events' own positions, cycling, with their categories
        rows = src.execute("SELECT category_code, priority, ST_X(location), ST_Y(location) FROM events "
                           "ORDER BY id LIMIT 20000").fetchall()
    with open(work / "events.csv", "w", newline="", encoding="utf-8") as f:
        w = csv.writer(f)
        w.writerow(["类别编码", "描述", "紧急程度", "经度", "纬度"])
        for i in range(args.events):
            c, p, x, y = rows[i % len(rows)]
            w.writerow([c, f"批量导入测试事件 {i}", p, f"{x:.7f}", f"{y:.7f}"])
    name = f"jy_bench_import_{uuid.uuid4().hex[:8]}"
    with psycopg.connect(owner, autocommit=True) as c:
        c.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
    url = make_conninfo(owner, dbname=name)
    res = {}
    try:
        db.migrate(url)
        with db.connect(url) as conn:
            load_reference(conn)
            conn.commit()
        for label, n, argv in (("towns (GeoPackage)", 17, ["grids", str(work / "towns.gpkg")]),
                               ("villages (GeoJSON)", len(villages), ["grids", str(work / "villages.geojson")]),
                               ("grids (GBK Shapefile, EPSG:4549)", len(cells), ["grids", str(work / "grids.zip")]),
                               ("grids again (unchanged)", len(cells), ["grids", str(work / "grids.zip")]),
                               (f"events CSV ({args.events:,} rows)", args.events, ["events", str(work / "events.csv")])):
            took, last = cli(url, *argv)
            res[label] = {"features": n, "seconds": took, "per_s": n / took, "cli": last}
            print(f"{label:36} {n:>8,} in {took:6.1f} s = {n / took:9,.0f} /s   [{last}]")
    finally:
        with psycopg.connect(owner, autocommit=True) as c:
            c.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name)))
    Path(args.json).parent.mkdir(parents=True, exist_ok=True)
    Path(args.json).write_text(json.dumps(res, ensure_ascii=False, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
