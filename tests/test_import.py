"""Importing a county's own files: formats, coordinate systems, every defect class, all-or-nothing.

The files are made here from the demo data (tests/samplefiles.py). Imports go into a database that
starts like `./run.sh --no-demo` (schema and catalogues, no grids), so what lands is what the files
held; positions are compared with the source to 0.5 m.
"""
from __future__ import annotations

import json
import subprocess
import sys

import geopandas as gpd
import numpy as np
import psycopg
import pytest
import shapely

from geo import db
from geo.errors import DomainError, InvalidInput
from loaders.importer import grids, points
from tests.fixtures import throwaway_database
from tests.samplefiles import grids_frame, to_gcj02, write_shapefile_zip
from tests.server import ROOT as ROOT_DIR

TOWN = "320281103"    # 青阳镇


@pytest.fixture(scope="module")
def empty_url():
    """Schema, reference catalogues and the county boundary; no grids, staff, events or sites."""
    from loaders.reference import load_reference

    with throwaway_database("jy_import") as url:
        db.migrate(url)
        with db.connect(url) as conn:
            load_reference(conn)
            conn.commit()
        yield url


@pytest.fixture()
def conn(empty_url):
    with db.connect(empty_url) as c:
        yield c


@pytest.fixture(scope="module")
def src(demo_url):
    with psycopg.connect(demo_url) as c:
        yield c


def checksum(conn) -> dict[str, str]:
    """md5 of every table's rows, to show an import wrote nothing."""
    tables = [r[0] for r in conn.execute("SELECT tablename FROM pg_tables WHERE schemaname = 'public' ORDER BY 1")]
    out = {}
    for t in tables:
        out[t] = conn.execute(psycopg.sql.SQL("SELECT md5(coalesce(string_agg(x::text, '|' ORDER BY x::text), '')) "
                                              "FROM {} x").format(psycopg.sql.Identifier(t))).fetchone()[0]
    conn.commit()
    return out


def max_offset_m(conn, code_geoms: dict[str, object]) -> float:
    """Largest Hausdorff distance (metres, EPSG:4549) between imported grids and their source."""
    rows = [{"code": c, "wkb": shapely.to_wkb(g, hex=True)} for c, g in code_geoms.items()]
    return conn.execute("""
        SELECT max(ST_HausdorffDistance(ST_Transform(g.geom, 4549),
                                        ST_Transform(ST_GeomFromWKB(decode(r.wkb, 'hex'), 4490), 4549)))
          FROM jsonb_to_recordset(%s::jsonb) AS r(code text, wkb text) JOIN grids g ON g.code = r.code""",
                        (json.dumps(rows),)).fetchone()[0]


def test_a_county_loads_its_own_grids_from_four_formats(conn, src, tmp_path):
    # 1. the towns from a GeoPackage with two layers (the right one chosen)
    towns = grids_frame(src, 1)
    gpkg = tmp_path / "towns.gpkg"
    towns.to_file(gpkg, layer="乡镇", engine="pyogrio")
    towns.head(2).to_file(gpkg, layer="other", engine="pyogrio")
    with pytest.raises(InvalidInput, match="several layers"):
        grids.import_file(conn, gpkg, grids.Options())
    r = grids.import_file(conn, gpkg, grids.Options(layer="乡镇"))
    assert (r.inserted, r.updated, r.unchanged, len(r.refused)) == (17, 0, 0, 0)
    # 2. the villages of one town as a web map would export them: GeoJSON in GCJ-02
    villages = grids_frame(src, 2, parent=TOWN)
    gj = tmp_path / "villages.geojson"
    to_gcj02(villages).to_file(gj, driver="GeoJSON", engine="pyogrio")
    r = grids.import_file(conn, gj, grids.Options(crs="gcj02"))
    assert (r.inserted, len(r.refused)) == (len(villages), 0), [p.line() for p in r.refused]
    # 3. its grids as a GBK Shapefile in EPSG:4549, zipped
    cells = grids_frame(src, 3, town=TOWN)
    shp = write_shapefile_zip(cells, tmp_path / "grids.zip", epsg=4549, encoding="GBK")
    r = grids.import_file(conn, shp, grids.Options())
    assert (r.inserted, len(r.refused), r.crs) == (len(cells), 0, "EPSG:4549")
    conn.commit()
    # Where they landed: within 0.5 m of the source, names intact (GBK decoded).
    for frame in (towns, villages, cells):
        assert max_offset_m(conn, dict(zip(frame["网格编码"], frame.geometry))) < 0.5
    names = dict(conn.execute("SELECT code, name FROM grids WHERE level = 3").fetchall())
    assert names == dict(zip(cells["网格编码"], cells["网格名称"]))
    # Reloading the same file changes nothing.
    r = grids.import_file(conn, shp, grids.Options())
    assert (r.inserted, r.updated, r.unchanged) == (0, 0, len(cells))
    # 4. staff from an XLSX (lon/lat columns), matched by terminal id
    staff = src.execute("SELECT s.terminal_id, s.name, s.role, s.phone, ST_X(s.location), ST_Y(s.location) "
                        "FROM staff s WHERE s.town_code = %s AND s.location IS NOT NULL AND s.terminal_id IS NOT NULL "
                        "ORDER BY s.id LIMIT 40", (TOWN,)).fetchall()
    xlsx = tmp_path / "staff.xlsx"
    import pandas as pd
    pd.DataFrame([{"终端编号": t, "姓名": n, "角色": {"grid_worker": "网格员", "police": "警员"}.get(role, role),
                   "电话": p, "经度": x, "纬度": y} for t, n, role, p, x, y in staff]).to_excel(xlsx, index=False)
    r = points.import_file(conn, "staff", xlsx, points.Options())
    assert (r.inserted, len(r.refused)) == (len(staff), 0), [p.line() for p in r.refused]
    conn.commit()
    far = conn.execute("""SELECT max(ST_Distance(s.location::geography,
                                                 ST_SetSRID(ST_MakePoint(v.x, v.y), 4490)::geography))
                            FROM staff s JOIN unnest(%s::text[], %s::float8[], %s::float8[]) AS v(t, x, y)
                              ON v.t = s.terminal_id""",
                       ([s[0] for s in staff], [s[4] for s in staff], [s[5] for s in staff])).fetchone()[0]
    assert far < 0.5
    assert conn.execute("SELECT count(*) FROM staff WHERE town_code <> %s", (TOWN,)).fetchone()[0] == 0


def polygon_file(tmp_path, name: str, frame: gpd.GeoDataFrame) -> object:
    path = tmp_path / f"{name}.geojson"
    frame.to_file(path, driver="GeoJSON", engine="pyogrio")
    return path


@pytest.fixture()
def village_cells(src):
    """The grids of one village of 青阳镇 (the database already holds the town and its villages)."""
    village = src.execute("SELECT min(code) FROM grids WHERE level = 2 AND parent_code = %s", (TOWN,)).fetchone()[0]
    return grids_frame(src, 3, parent=village)


def problems_of(conn, path, **opts) -> list[str]:
    return [p.problem for p in grids.prepare(conn, path, grids.Options(**opts))[0].refused]


def test_each_defect_is_caught_with_its_message(conn, village_cells, tmp_path, src):
    base = village_cells
    assert problems_of(conn, polygon_file(tmp_path, "ok", base)) == []
    cases = {}
    bow = base.copy()
    x0, y0, x1, y1 = bow.geometry.iloc[0].bounds
    bow.loc[bow.index[0], "geometry"] = shapely.Polygon([(x0, y0), (x1, y1), (x1, y0), (x0, y1), (x0, y0)])
    cases["self-intersection"] = (bow, "invalid geometry")
    dup = base.copy()
    dup.loc[dup.index[1], "网格编码"] = dup["网格编码"].iloc[0]
    cases["duplicate"] = (dup, "duplicate code")
    pts = base.copy()
    pts.loc[pts.index[0], "geometry"] = pts.geometry.iloc[0].centroid
    cases["type"] = (pts, "not a polygon")
    empty = base.copy()
    empty.loc[empty.index[0], "geometry"] = None
    cases["empty"] = (empty, "empty or missing geometry")
    parent = base.copy()
    parent.loc[parent.index[0], "上级编码"] = "320281103999"
    cases["parent code"] = (parent, "does not extend its parent's code")
    orphan = base.copy()
    orphan.loc[orphan.index[0], "网格编码"] = "320281103777001"
    orphan.loc[orphan.index[0], "上级编码"] = "320281103777"
    cases["missing parent"] = (orphan, "neither in the file nor in the database")
    out = base.copy()
    out.loc[out.index[0], "geometry"] = shapely.affinity.translate(out.geometry.iloc[0], 0.02, 0)
    cases["outside parent"] = (out, "outside its parent")
    big = base.copy()
    big.loc[big.index[0], "geometry"] = big.geometry.iloc[0].buffer(0.0005)
    cases["overlap"] = (big, "overlaps")
    small = base.copy()
    small.loc[small.index[0], "geometry"] = small.geometry.iloc[0].buffer(-0.0003)
    cases["gap"] = (small, "gap of")
    away = base.copy()
    away.loc[away.index[0], "geometry"] = shapely.affinity.translate(away.geometry.iloc[0], 1.2, 0)
    cases["outside county"] = (away, "outside Jiangyin county")
    garbled = base.copy()
    garbled.loc[garbled.index[0], "网格名称"] = "网格".encode("gbk").decode("latin-1")
    cases["mojibake"] = (garbled, "garbled")
    for name, (frame, message) in cases.items():
        found = problems_of(conn, polygon_file(tmp_path, name.replace(" ", "_"), frame))
        assert any(message in p for p in found), (name, found)
    # --fix repairs the bow-tie and says so; the file then passes
    report, _ = grids.prepare(conn, polygon_file(tmp_path, "bow", bow), grids.Options(fix=True))
    assert any("repaired" in p.problem and not p.fatal for p in report.problems)


def test_coordinate_mistakes_are_named(conn, village_cells, tmp_path):
    # Eastings with the zone number, declared as 4549 (without): the report says to use 4528.
    shp = write_shapefile_zip(village_cells, tmp_path / "zone.zip", epsg=4528)
    report, _ = grids.prepare(conn, shp, grids.Options(crs="EPSG:4549"))
    assert report.refused and "EPSG:4528" in report.refused[0].hint
    # A phone export in GCJ-02 loaded as if it were WGS84: points just inside the county whose
    # GCJ-02 position falls outside it are refused, and the hint names GCJ-02.
    from geo.coords import wgs84_to_gcj02
    from loaders.importer.crs import county_geom
    county = county_geom(conn)
    ring = np.asarray(county.geoms[0].exterior.coords if county.geom_type == "MultiPolygon" else county.exterior.coords)
    centre = county.centroid
    near_edge = []
    for x, y in ring[:: max(1, len(ring) // 400)]:
        px, py = x + (centre.x - x) * 0.004, y + (centre.y - y) * 0.004      # a little way in
        gx, gy = (float(v) for v in wgs84_to_gcj02(px, py))
        if county.contains(shapely.Point(px, py)) and not county.contains(shapely.Point(gx, gy)):
            near_edge.append((gx, gy))
    assert near_edge, "no point near the edge moves out of the county under GCJ-02"
    csv = tmp_path / "phone.csv"
    csv.write_text("资源编码,名称,类型,经度,纬度\n" + "".join(
        f"P{i},避难点{i},避难场所,{x:.7f},{y:.7f}\n" for i, (x, y) in enumerate(near_edge[:5])), encoding="utf-8")
    report, _ = points.prepare(conn, "resources", csv, points.Options())
    assert report.refused and all("GCJ-02" in p.hint for p in report.refused)
    assert points.prepare(conn, "resources", csv, points.Options(crs="gcj02"))[0].refused == []
    # An unknown EPSG and a bad --crs are refused before anything is read further.
    with pytest.raises(InvalidInput, match="not supported"):
        grids.prepare(conn, polygon_file(tmp_path, "x", village_cells), grids.Options(crs="EPSG:3857"))


def test_a_refused_or_failed_import_leaves_every_table_unchanged(conn, village_cells, tmp_path):
    before = checksum(conn)
    dup = village_cells.copy()
    dup.loc[dup.index[1], "网格编码"] = dup["网格编码"].iloc[0]
    report = grids.import_file(conn, polygon_file(tmp_path, "dup", dup), grids.Options())
    assert report.refused and not report.written
    assert checksum(conn) == before
    # Passes every check, then the database refuses one row mid-statement (a constraint added for
    # this test): the rows before it are rolled back too.
    conn.execute("ALTER TABLE grids ADD CONSTRAINT test_refuse CHECK (name <> '数据库拒绝的名称') NOT VALID")
    conn.commit()
    before = checksum(conn)
    odd = village_cells.copy()
    odd["网格名称"] = odd["网格名称"] + "（新）"
    odd.loc[odd.index[-1], "网格名称"] = "数据库拒绝的名称"
    try:
        with pytest.raises(InvalidInput, match="database refused"):
            grids.import_file(conn, polygon_file(tmp_path, "odd", odd), grids.Options())
        conn.rollback()
        assert checksum(conn) == before
    finally:
        conn.rollback()
        conn.execute("ALTER TABLE grids DROP CONSTRAINT test_refuse")
        conn.commit()


def test_cli_exits_non_zero_and_names_each_refused_feature(empty_url, village_cells, tmp_path):
    dup = village_cells.copy()
    dup.loc[dup.index[1], "网格编码"] = dup["网格编码"].iloc[0]
    path = write_shapefile_zip(dup, tmp_path / "dup.zip")
    out = subprocess.run([sys.executable, "-m", "loaders", "grids", str(path)], cwd=ROOT_DIR,
                         env={**__import__("os").environ, "DATABASE_URL": empty_url},
                         capture_output=True, text=True, timeout=120)
    assert out.returncode == 1
    assert f"({dup['网格编码'].iloc[0]}): duplicate code" in out.stderr
    assert "nothing loaded" in out.stderr


def _mutations(blobs: dict[str, bytes], n: int):
    """Truncated, bit-flipped and mislabelled variants of valid files (deterministic)."""
    rng = np.random.default_rng(6)
    names = sorted(blobs)
    exts = [".zip", ".geojson", ".gpkg", ".csv", ".xlsx", ".json"]
    for i in range(n):
        name = names[i % len(names)]
        data = bytearray(blobs[name])
        how = i % 3
        if how == 0:
            data = data[: int(rng.integers(0, len(data)))]
        elif how == 1:
            for _ in range(int(rng.integers(1, 20))):
                pos = int(rng.integers(0, len(data)))
                data[pos] ^= 1 << int(rng.integers(0, 8))
        ext = exts[int(rng.integers(0, len(exts)))] if how == 2 else "." + name.rsplit(".", 1)[1]
        yield i, f"fuzz_{i}{ext}", bytes(data)


def test_fuzzed_files_get_a_clean_error_and_no_partial_write(conn, village_cells, tmp_path):
    import signal

    blobs = {}
    write_shapefile_zip(village_cells, tmp_path / "v.zip")
    blobs["v.zip"] = (tmp_path / "v.zip").read_bytes()
    village_cells.to_file(tmp_path / "v.geojson", driver="GeoJSON", engine="pyogrio")
    blobs["v.geojson"] = (tmp_path / "v.geojson").read_bytes()
    village_cells.to_file(tmp_path / "v.gpkg", engine="pyogrio")
    blobs["v.gpkg"] = (tmp_path / "v.gpkg").read_bytes()
    c = village_cells.geometry.centroid
    import pandas as pd
    pd.DataFrame({"资源编码": [f"R{i}" for i in range(len(c))], "名称": "物资库", "类型": "物资库",
                  "经度": c.x, "纬度": c.y}).to_csv(tmp_path / "r.csv", index=False)
    blobs["r.csv"] = (tmp_path / "r.csv").read_bytes()
    fuzz = tmp_path / "fuzz"
    fuzz.mkdir()

    def on_alarm(*_):
        raise TimeoutError("import hung")
    signal.signal(signal.SIGALRM, on_alarm)
    outcomes = {"error": 0, "refused": 0, "loaded": 0}
    for i, name, blob in _mutations(blobs, 210):
        path = fuzz / name
        path.write_bytes(blob)
        before = checksum(conn)
        signal.alarm(60)
        try:
            if name.endswith(".csv") or i % 7 == 0:
                report = points.import_file(conn, "resources", path, points.Options())
            else:
                report = grids.import_file(conn, path, grids.Options())
            conn.commit()
            outcomes["loaded" if report.written else "refused"] += 1
            if not report.written:
                assert checksum(conn) == before, name
        except DomainError:
            conn.rollback()
            outcomes["error"] += 1
            assert checksum(conn) == before, name
        finally:
            signal.alarm(0)
    print("fuzz outcomes:", outcomes)
    assert sum(outcomes.values()) == 210
    assert outcomes["error"] + outcomes["refused"] > 100, outcomes
