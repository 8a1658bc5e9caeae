"""A county's own data as it arrives (issue 14): whole-hierarchy grid files in a projected CRS that
tile exactly there and must tile when stored; defect twins; 500 fuzzed files; event exports as
terminals and the 12345 hotline write them, loaded twice."""
from __future__ import annotations

import random
import re
import subprocess
import sys

import geopandas as gpd
import numpy as np
import pandas as pd
import psycopg
import pytest
import shapely
from shapely.geometry import Polygon

from geo import db
from geo.errors import DomainError
from loaders.importer import grids
from tests.countyfiles import FIELDS, hierarchy, tiling, write_shapefile_zip, write_xlsx_wkt, zone_prefixed
from tests.fixtures import throwaway_database
from tests.server import ROOT

NAMED = ["--level-field", "网格层级", "--code-field", "网格编码", "--parent-field", "上级编码",
         "--name-field", "网格名称"]


def _empty_db(prefix: str):
    from loaders.reference import load_reference

    ctx = throwaway_database(prefix)
    url = ctx.__enter__()
    db.migrate(url)
    with db.connect(url) as conn:
        load_reference(conn)
        conn.commit()
    return ctx, url


@pytest.fixture()
def empty_url():
    ctx, url = _empty_db("jy_county")
    try:
        yield url
    finally:
        ctx.__exit__(None, None, None)


def cli(url: str, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "loaders", *args], cwd=ROOT, capture_output=True, text=True,
                          env={"DATABASE_URL": url, "PATH": "/usr/bin:/bin"}, timeout=600)


@pytest.mark.parametrize("fmt", ["shp", "shp-no-cpg-text-levels", "epsg4528", "gpkg", "xlsx-wkt"])
def test_whole_hierarchy_files_load_and_tile(empty_url, tmp_path, fmt):
    f = hierarchy(level_as_text=fmt == "shp-no-cpg-text-levels")
    path = {"shp": lambda: write_shapefile_zip(f, tmp_path / "all.zip"),
            "shp-no-cpg-text-levels": lambda: write_shapefile_zip(f, tmp_path / "all.zip", with_cpg=False),
            "epsg4528": lambda: write_shapefile_zip(zone_prefixed(f), tmp_path / "all.zip"),
            "gpkg": lambda: (f.to_file(tmp_path / "all.gpkg", layer="网格", engine="pyogrio"), tmp_path / "all.gpkg")[1],
            "xlsx-wkt": lambda: write_xlsx_wkt(f, tmp_path / "all.xlsx")}[fmt]()
    extra = ["--crs", "EPSG:4549"] if fmt == "xlsx-wkt" else []
    out = cli(empty_url, "grids", str(path), *NAMED, *extra)
    assert out.returncode == 0, out.stdout + out.stderr
    assert "inserted 27" in out.stdout
    with psycopg.connect(empty_url) as c:
        rows = c.execute("SELECT level, count(*), min(name) FROM grids GROUP BY level ORDER BY level").fetchall()
        assert rows == [(1, 3, "测试1镇"), (2, 6, "测试1镇第1社区"), (3, 18, "第1网格")]
        assert c.execute("SELECT count(*) FROM grids WHERE level > 1 AND parent_code IS NULL").fetchone()[0] == 0
        # each stored grid within 0.5 m of the file's shape
        src = {r[FIELDS[0]]: r.geometry for _, r in hierarchy().to_crs(4490).iterrows()}
        worst = max(c.execute("""SELECT ST_HausdorffDistance(ST_Transform(geom, 4549), ST_Transform(ST_GeomFromWKB(%s, 4490), 4549))
                                   FROM grids WHERE code = %s""", (shapely.to_wkb(g), code)).fetchone()[0]
                    for code, g in src.items())
        assert worst < 0.5
    overlap, gap = tiling(empty_url)
    assert overlap < 1.0 and gap < 1.0, (overlap, gap)
    again = cli(empty_url, "grids", str(path), *NAMED, *extra)
    assert again.returncode == 0 and "inserted 0, updated 0, unchanged 27" in again.stdout, again.stdout


def test_one_file_with_every_defect_names_each_and_writes_nothing(empty_url, tmp_path):
    f = hierarchy()
    g = f.geometry.values.copy()
    x0, y0, x1, y1 = g[2].bounds
    g[2] = Polygon([(x0, y0), (x1, y1), (x1, y0), (x0, y1)])                           # bow-tie (a grid)
    codes = list(f["网格编码"])
    codes[3] = codes[4]                                                                 # duplicated code
    parents = list(f["上级编码"])
    parents[12] = "320281999201"                                                        # orphan parent
    codes[12] = "320281999201001"
    g[5] = shapely.affinity.translate(g[5], 60_000, 0)                                  # far outside the county
    sx0, sy0, sx1, sy1 = g[20].bounds
    g[20] = shapely.box(sx0, sy0, sx1 - 3.0, sy1)                                       # a 3 m sliver gap
    bad = gpd.GeoDataFrame({**{k: f[k] for k in FIELDS}, "网格编码": codes, "上级编码": parents}, geometry=g, crs=4549)
    path = write_shapefile_zip(bad, tmp_path / "bad.zip")
    with psycopg.connect(empty_url) as c:
        before = c.execute("SELECT count(*) FROM grids").fetchone()[0]
    out = cli(empty_url, "grids", str(path), *NAMED)
    assert out.returncode == 1, out.stdout + out.stderr
    err = out.stderr
    assert "invalid geometry" in err and "duplicate code" in err and "neither in the file nor in the database" in err
    assert "outside Jiangyin county" in err and "gap of" in err, err
    with psycopg.connect(empty_url) as c:
        assert c.execute("SELECT count(*) FROM grids").fetchone()[0] == before == 0


def _mutate(frame: gpd.GeoDataFrame, rng: random.Random) -> gpd.GeoDataFrame:
    f = frame.copy()
    col = rng.choice(FIELDS + ["geometry"])
    rows = rng.sample(range(len(f)), rng.randint(1, 4))
    how = rng.choice(["blank", "nan", "numeric", "truncate", "fullwidth", "spaces", "sci"])
    for r in rows:
        if col == "geometry":
            g = f.geometry.iloc[r]
            if how in ("blank", "nan"):
                f.loc[f.index[r], "geometry"] = None
            elif how == "truncate":
                coords = list(g.exterior.coords)[: rng.randint(1, 3)]
                f.loc[f.index[r], "geometry"] = shapely.LineString(coords) if len(coords) > 1 else shapely.Point(coords[0])
            else:
                f.loc[f.index[r], "geometry"] = shapely.MultiPolygon([g, shapely.affinity.translate(g, 10, 10)])
            continue
        v = f[col].iloc[r]
        f[col] = f[col].astype(object)
        f.loc[f.index[r], col] = {
            "blank": "", "nan": None, "numeric": float(v) if str(v).isdigit() else 1.5,
            "truncate": str(v)[: rng.randint(0, max(len(str(v)) - 1, 0))],
            "fullwidth": "".join(chr(ord(ch) + 0xFEE0) if ch.isdigit() else ch for ch in str(v)),
            "spaces": f" {str(v)[:3]} {str(v)[3:]} ", "sci": "3.20281E+14"}[how]
    return f


def test_fuzzed_grid_files_never_crash_or_half_write(empty_url, tmp_path):
    """500 files with blanked, NaN'd, numeric-coded, truncated, full-width and spaced values,
    broken geometries and cut bytes: each is loaded whole or refused with report lines; nothing
    else (no traceback, no partial write)."""
    rng = random.Random(20261128)
    base = hierarchy()
    outcomes = {"loaded": 0, "refused": 0, "unreadable": 0}
    with db.connect(empty_url) as conn:
        def snapshot():
            return conn.execute("SELECT count(*), coalesce(md5(string_agg(code || name || ST_AsText(geom), '|' "
                                "ORDER BY code)), '') FROM grids").fetchone()
        for i in range(500):
            f = _mutate(base, rng)
            fmt = rng.choice(["geojson", "gpkg", "cut"])
            path = tmp_path / f"f{i}.{'gpkg' if fmt == 'gpkg' else 'geojson'}"
            try:
                if fmt == "gpkg":
                    f.to_file(path, engine="pyogrio")
                else:
                    f.to_file(path, driver="GeoJSON", engine="pyogrio")
            except Exception:   # noqa: BLE001 - a mutation the writer itself refuses is skipped
                continue
            if fmt == "cut":
                raw = path.read_bytes()
                path.write_bytes(raw[: rng.randint(1, len(raw) - 1)])
            before = snapshot()
            opts = grids.Options(level_field="网格层级", code_field="网格编码", parent_field="上级编码",
                                 name_field="网格名称", crs="EPSG:4549")
            try:
                report = grids.import_file(conn, path, opts)
            except DomainError:
                outcomes["unreadable"] += 1
                assert snapshot() == before
                continue
            if report.refused:
                outcomes["refused"] += 1
                assert snapshot() == before
                assert all(p.problem and p.problem_zh for p in report.refused)
            else:
                outcomes["loaded"] += 1
                assert snapshot()[0] >= 27
            conn.commit()
    assert sum(outcomes.values()) >= 450 and outcomes["refused"] > 100 and outcomes["unreadable"] > 20, outcomes


# ------------------------------------------------------------------------------------ event exports
@pytest.fixture(scope="module")
def ev_url(demo_url):
    """A copy of the demo data for event imports (written to)."""
    from tests.fixtures import demo_database

    with demo_database("jy_evimp") as url:
        yield url


def _points(url: str, n: int, seed: int = 1) -> tuple[np.ndarray, np.ndarray, list[str]]:
    with psycopg.connect(url) as c:
        rows = c.execute("SELECT code, ST_X(ST_PointOnSurface(geom)), ST_Y(ST_PointOnSurface(geom)) FROM grids "
                         "WHERE level = 3 AND kind = 'admin' ORDER BY code").fetchall()
    rng = np.random.default_rng(seed)
    pick = rng.integers(0, len(rows), n)
    return (np.array([rows[i][1] for i in pick]), np.array([rows[i][2] for i in pick]), [rows[i][0] for i in pick])


VARIANTS = [
    {"上报编号": "ext", "事件类型": "cat_name", "经度": "lon", "纬度": "lat", "上报时间": "at", "描述": "desc"},
    {"事件编号": "ext", "事件类别": "cat_code", "X": "lon", "Y": "lat", "上报时间": "at", "问题描述": "desc",
     "发生地址": "addr", "上报人": "who"},
    {"案件编号": "ext", "问题类型": "cat_name", "经度": "lon", "纬度": "lat", "受理时间": "at", "诉求内容": "desc",
     "地址": "addr", "紧急程度": "prio"},
    {"工单编号": "ext", "案件类型": "cat_name", "经度": "lon", "纬度": "lat", "描述": "desc", "坐标系": "datum"},
    {"上报编号": "ext", "小类名称": "cat_name", "lon": "lon", "lat": "lat", "description": "desc"},
]


@pytest.mark.parametrize("variant", range(len(VARIANTS)))
def test_event_export_variants_load_once(ev_url, tmp_path, variant):
    from geo.coords import wgs84_to_bd09, wgs84_to_gcj02

    spec = VARIANTS[variant]
    n = 300
    x, y, grid = _points(ev_url, n, seed=variant)
    with psycopg.connect(ev_url) as c:
        cats = c.execute("SELECT code, name FROM event_categories ORDER BY code").fetchall()
    datum = np.array(["GCJ-02", "百度", "WGS84"])[np.arange(n) % 3] if "坐标系" in spec else np.array(["GCJ-02"] * n)
    lon, lat = x.copy(), y.copy()
    g = datum == "GCJ-02"
    lon[g], lat[g] = wgs84_to_gcj02(x[g], y[g])
    b = datum == "百度"
    lon[b], lat[b] = wgs84_to_bd09(x[b], y[b])
    values = {"ext": [f"V{variant}-{i:05d}" for i in range(n)], "cat_name": [cats[i % len(cats)][1] for i in range(n)],
              "cat_code": [cats[i % len(cats)][0] for i in range(n)], "lon": np.round(lon, 8), "lat": np.round(lat, 8),
              "at": ["2026-11-27 09:%02d:00" % (i % 60) for i in range(n)], "desc": [f"导出事件{variant}-{i}" for i in range(n)],
              "addr": [f"某路{i}号" for i in range(n)], "who": ["张网格"] * n, "prio": ["紧急" if i % 5 == 0 else "" for i in range(n)],
              "datum": datum}
    df = pd.DataFrame({col: values[key] for col, key in spec.items()})
    path = tmp_path / f"export{variant}.csv"
    df.to_csv(path, index=False, encoding="gbk" if variant == 1 else "utf-8")
    crs = [] if "坐标系" in spec else ["--crs", "gcj02"]
    out = cli(ev_url, "events", str(path), *crs, "--source", "12345" if variant == 2 else "grid_app")
    assert out.returncode == 0, out.stdout + out.stderr
    assert f"new {n}, unchanged 0" in out.stdout
    with psycopg.connect(ev_url) as c:
        got = c.execute("""SELECT e.external_id, e.grid_code, e.priority, l.to_status, e.version
                             FROM events e JOIN event_log l ON l.event_id = e.id
                            WHERE e.external_id LIKE %s ORDER BY e.external_id""", (f"V{variant}-%",)).fetchall()
        assert len(got) == n
        assert [r[1] for r in got] == grid, "every event in its true grid (GCJ-02/BD-09 converted)"
        assert {r[2] for r in got} == ({2, 3} if "紧急程度" in spec else {3})
        assert all(r[3] == "reported" and r[4] == 1 for r in got)
        if "上报人" in spec:
            assert c.execute("SELECT count(*) FROM events WHERE external_id LIKE %s AND reporter_name = '张网格'",
                             (f"V{variant}-%",)).fetchone()[0] == n
    again = cli(ev_url, "events", str(path), *crs, "--source", "12345" if variant == 2 else "grid_app")
    assert again.returncode == 0 and f"new 0, unchanged {n}, changed 0" in again.stdout, again.stdout


def test_changed_rows_are_reported_not_duplicated_and_bad_rows_named(ev_url, tmp_path):
    x, y, _ = _points(ev_url, 3, seed=9)
    base = pd.DataFrame({"上报编号": ["C-1", "C-2", "C-3"], "事件类型": ["HW01", "垃圾乱堆放", "HW01"], "经度": x, "纬度": y,
                         "描述": ["甲", "乙", "丙"]})
    path = tmp_path / "c.csv"
    base.to_csv(path, index=False)
    assert cli(ev_url, "events", str(path), "--crs", "EPSG:4490").returncode == 0
    base.loc[1, "描述"] = "乙（更正）"
    base.to_csv(path, index=False)
    out = cli(ev_url, "events", str(path), "--crs", "EPSG:4490")
    assert out.returncode == 0 and "new 0, unchanged 2, changed 1" in out.stdout and "number C-2" in out.stdout
    with psycopg.connect(ev_url) as c:
        assert c.execute("SELECT count(*) FROM events WHERE external_id LIKE 'C-%'").fetchone()[0] == 3
    bad = pd.DataFrame({"上报编号": ["B-1", "B-2", "B-3", "B-4", "B-4"], "事件类型": ["垃圾暴露", "HW01", "HW01", "HW01", "HW01"],
                        "经度": [x[0], "abc", x[0], x[0], x[0]], "纬度": [y[0], y[0], y[0], y[0], y[0]],
                        "描述": ["a", "b", "c\x00", "d", "e"], "上报时间": ["", "", "", "1900-01-01 08:00", ""]})
    bad.to_csv(path, index=False)
    with psycopg.connect(ev_url) as c:
        before = c.execute("SELECT count(*) FROM events").fetchone()[0]
    out = cli(ev_url, "events", str(path), "--crs", "EPSG:4490")
    assert out.returncode == 1
    err = out.stderr
    assert "unknown category '垃圾暴露'; closest:" in err and "垃圾乱堆放（HW01）" in err
    assert "row 2" in err and "not numbers" in err and "row 3" in err and "control characters" in err
    assert "row 4" in err and "outside 2000" in err and "row 5" in err and "appears twice" in err
    with psycopg.connect(ev_url) as c:
        assert c.execute("SELECT count(*) FROM events").fetchone()[0] == before


def test_auto_never_guesses_the_coordinate_system(ev_url, tmp_path):
    """坐标系 自动 (no --crs): a GCJ-02 export with plain 经度/纬度 is refused with the share of its points
    inside the county under each system (it would have landed ~500 m off as WGS-84, every point still
    inside); the same export whose column names say GCJ-02 loads, each event in its true grid; a
    column no field reads is listed, not dropped in silence."""
    from geo.coords import wgs84_to_gcj02

    x, y, grid = _points(ev_url, 40, seed=31)
    gx, gy = wgs84_to_gcj02(x, y)
    frame = pd.DataFrame({"上报编号": [f"A-{i}" for i in range(40)], "事件类型": ["HW01"] * 40, "经度": np.round(gx, 7),
                          "纬度": np.round(gy, 7), "描述": ["自动坐标系"] * 40, "备注": ["内部备注"] * 40})
    path = tmp_path / "auto.csv"
    frame.to_csv(path, index=False, encoding="utf-8-sig")
    with psycopg.connect(ev_url) as c:
        before = c.execute("SELECT count(*) FROM events").fetchone()[0]
    out = cli(ev_url, "events", str(path))
    assert out.returncode == 1, out.stdout + out.stderr
    assert "does not say its coordinate system" in out.stderr and "gcj02 " in out.stderr and "--crs" in out.stderr
    shares = dict(re.findall(r"(wgs84|gcj02|bd09) ([\d.]+)%", out.stderr))
    assert set(shares) == {"wgs84", "gcj02", "bd09"} and float(shares["gcj02"]) == 100.0
    with psycopg.connect(ev_url) as c:
        assert c.execute("SELECT count(*) FROM events").fetchone()[0] == before
    frame.rename(columns={"经度": "经度(GCJ-02)", "纬度": "纬度(GCJ-02)"}).to_csv(path, index=False, encoding="utf-8-sig")
    out = cli(ev_url, "events", str(path))
    assert out.returncode == 0, out.stdout + out.stderr
    assert "coordinate system: gcj02 (from the column names)" in out.stdout
    assert "ignored columns (no event field reads them; --keep-columns keeps them): 备注" in out.stdout
    with psycopg.connect(ev_url) as c:
        got = c.execute("SELECT grid_code FROM events WHERE external_id LIKE 'A-%%' ORDER BY external_id::text",
                        ).fetchall()
    order = sorted(range(40), key=lambda i: f"A-{i}")
    assert [r[0] for r in got] == [grid[i] for i in order]


def test_dry_run_reports_what_would_change(ev_url, tmp_path):
    x, y, _ = _points(ev_url, 2, seed=11)
    path = tmp_path / "d.csv"
    pd.DataFrame({"上报编号": ["D-1", "D-2"], "事件类型": ["HW01", "HW01"], "经度": x, "纬度": y,
                  "描述": ["一", "二"]}).to_csv(path, index=False)
    with psycopg.connect(ev_url) as c:
        before = c.execute("SELECT count(*) FROM events").fetchone()[0]
    out = cli(ev_url, "events", str(path), "--dry-run", "--crs", "EPSG:4490")
    assert out.returncode == 0 and "would load 2 new events" in out.stdout
    with psycopg.connect(ev_url) as c:
        assert c.execute("SELECT count(*) FROM events").fetchone()[0] == before


_SCHEMA = """SELECT 'index', c.relname, pg_get_indexdef(x.indexrelid) FROM pg_index x JOIN pg_class c ON c.oid = x.indexrelid
              WHERE x.indrelid IN ('events'::regclass, 'event_log'::regclass)
             UNION ALL
             SELECT 'constraint', conname, pg_get_constraintdef(oid) || convalidated::text FROM pg_constraint
              WHERE conrelid IN ('events'::regclass, 'event_log'::regclass) ORDER BY 1, 2"""


def test_rebuilt_indexes_restore_the_schema_and_an_import_never_drops_them(ev_url, tmp_path):
    """The demo generator's path (indexes and foreign keys dropped, rows loaded, both re-created in
    the same transaction) leaves the schema as it was, and so does a failure inside it. The event
    import never takes that path, whatever its size: its rows go in with every index in place."""
    from loaders.importer import events

    x, y, grid = _points(ev_url, 400, seed=21)
    path = tmp_path / "bulk.csv"
    pd.DataFrame({"上报编号": [f"K-{i}" for i in range(400)], "事件类型": ["HW01"] * 400, "经度": x, "纬度": y,
                  "上报时间": ["2026-11-27 10:00"] * 400, "描述": ["批量"] * 400}).to_csv(path, index=False)
    with psycopg.connect(ev_url) as c:
        schema = c.execute(_SCHEMA).fetchall()
        figures = c.execute("SELECT coalesce(sum(reported), 0) FROM stats_grid_day WHERE day = '2026-11-27'").fetchone()[0]
    seen = []
    with db.connect(ev_url) as conn:
        def progress(rows, stage):      # inside the import's transaction: the indexes are all there
            seen.append((stage, conn.execute(_SCHEMA).fetchall() == schema))
        res = events.load(conn, path, datum="wgs84", progress=progress)
        conn.commit()
    assert res.inserted == 400 and not res.refused
    assert seen and all(same for _, same in seen) and seen[-1][0] == "written"
    with psycopg.connect(ev_url) as c:
        got = c.execute("""SELECT e.grid_code, count(l.id) FROM events e JOIN event_log l ON l.event_id = e.id
                            WHERE e.external_id LIKE 'K-%' GROUP BY e.id ORDER BY e.external_id""").fetchall()
        assert sorted(r[0] for r in got) == sorted(grid) and all(r[1] == 1 for r in got)
        assert c.execute("SELECT sum(reported) FROM stats_grid_day WHERE day = '2026-11-27'").fetchone()[0] == figures + 400
    with db.connect(ev_url) as conn:
        with conn.transaction(), db.rebuilt_indexes(conn, "events", "event_log"):
            assert conn.execute("SELECT count(*) FROM pg_indexes WHERE indexname = 'events_grid_time_idx'").fetchone()[0] == 0
    with psycopg.connect(ev_url) as c:
        assert c.execute(_SCHEMA).fetchall() == schema, "every index and foreign key is back, validated"
        assert c.execute("SELECT bool_and(indisvalid AND indisready) FROM pg_index "
                         "WHERE indrelid IN ('events'::regclass, 'event_log'::regclass)").fetchone()[0]
    with db.connect(ev_url) as conn:
        with pytest.raises(RuntimeError, match="stop here"):
            with conn.transaction(), db.rebuilt_indexes(conn, "events", "event_log"):
                assert conn.execute("SELECT count(*) FROM pg_indexes WHERE indexname = 'events_grid_time_idx'").fetchone()[0] == 0
                raise RuntimeError("stop here")
    with psycopg.connect(ev_url) as c:
        assert c.execute(_SCHEMA).fetchall() == schema, "a failed bulk load leaves the schema as it was"
