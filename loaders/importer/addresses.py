"""Import the standard address register (标准地址库): `python -m loaders addresses FILE --kind roads|points`.

roads   line features (Shapefile, GeoPackage, GeoJSON, or CSV/XLSX with a WKT column): 道路编码, 道路名称,
        and the door-number ranges 单号起/单号止 (odd side) and 双号起/双号止 (even side)
points  door plates, compounds, buildings and named places (points, or a table with 经度/纬度): 编码,
        类型 (门牌/小区/楼栋/地名), 名称, and for a door plate 道路编码 and 门牌号; 地名类型 optional

The same checks as the grids and the point registers (loaders/importer/checks.py, crs.py): the
coordinate system named or read from the file (never guessed from a table's numbers beyond degrees),
text, duplicate codes, geometry type and validity, inside the county; each road's village is the one
its middle lies in, each point's grid the point -> grid rule's. A file with any defect loads nothing
and the report names each row; loading is an upsert by code in one transaction.
"""
from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

import geopandas as gpd
import numpy as np
import shapely
from shapely.geometry import LineString, MultiLineString

from geo import db
from geo.assign import assign_points
from geo.errors import InvalidInput
from loaders.importer import checks, crs, read
from loaders.importer.checks import Problem
from loaders.importer.report import Report, load_all_or_nothing

ROAD_FIELDS = {"code": ("道路编码", "编码", "code"), "name": ("道路名称", "名称", "路名", "name"),
               "odd_from": ("单号起", "odd_from"), "odd_to": ("单号止", "odd_to"),
               "even_from": ("双号起", "even_from"), "even_to": ("双号止", "even_to")}
POINT_FIELDS = {"code": ("编码", "地址编码", "code"), "kind": ("类型", "地址类型", "kind"),
                "name": ("名称", "标准地址", "name"), "road_code": ("道路编码", "road_code"),
                "number": ("门牌号", "号", "number"), "place_type": ("地名类型", "place_type")}
KINDS = {"门牌": "door", "门牌号": "door", "小区": "compound", "住宅小区": "compound", "楼栋": "building",
         "楼幢": "building", "地名": "place", "兴趣点": "place", **{k: k for k in ("door", "compound", "building", "place")}}


@dataclass
class Options:
    kind: str = "points"
    crs: str | None = None
    encoding: str | None = None
    layer: str | None = None
    dry_run: bool = False


def _int(v) -> int | None:
    try:
        return None if v is None else int(float(v))
    except ValueError:
        return -1


def _read(conn, path: Path, opts: Options, fields: dict):
    src = read.read(path, layer=opts.layer, encoding=opts.encoding)
    f = src.frame
    if f.empty:
        raise InvalidInput(f"{path.name} holds no rows", f"“{path.name}”中没有数据行。")
    cols = {c: read.column(f, None, names, c) for c, names in fields.items()}
    for need in ("code", "name") + (("kind",) if "kind" in fields else ()):
        if cols[need] is None:
            raise InvalidInput(f"missing column {fields[need][-1]} ({fields[need][0]})", f"缺少字段：{fields[need][0]}。")
    n = len(f)
    vals = {c: [read.text_value(v) for v in f[col]] if col else [None] * n for c, col in cols.items()}
    rows = list(range(1, n + 1))
    raw = np.array([None if read.is_missing(g) else g for g in f.geometry.values], dtype=object)
    raw = shapely.force_2d(raw)
    xs = np.array([g.representative_point().x if g is not None and not g.is_empty else np.nan for g in raw])
    source = crs.resolve(opts.crs, src.crs, xs)
    stored = np.array([None] * n, dtype=object)
    idx = np.array([i for i, g in enumerate(raw) if g is not None and not g.is_empty], dtype=int)
    if idx.size:
        stored[idx] = crs.to_store(gpd.GeoSeries(list(raw[idx]), index=idx), source).values
    problems = checks.text_problems(rows, vals["code"], {"name": vals["name"], "code": vals["code"]})
    problems += checks.duplicate_problems(rows, vals["code"])
    for i, (c, nm) in enumerate(zip(vals["code"], vals["name"])):
        if not c or not nm:
            problems.append(Problem(rows[i], c, "missing code or name", "缺少编码或名称", "fill both in", "请填写编码和名称。"))
    hint = crs.mistake_hint(xs, source) or ("check the coordinates and --crs", "请核对坐标与坐标系。")
    return f, vals, rows, stored, source, problems, hint


def _outside(rows, codes, i, hint) -> Problem:
    return Problem(rows[i], codes[i], "outside Jiangyin county", "位于江阴市范围之外", *hint)


def prepare_roads(conn, path: Path, opts: Options):
    f, vals, rows, stored, source, problems, hint = _read(conn, path, opts, ROAD_FIELDS)
    codes = vals["code"]
    county = crs.county_geom(conn)
    lines = np.array([None] * len(rows), dtype=object)
    for i, g in enumerate(stored):
        if g is None:
            problems.append(Problem(rows[i], codes[i], "no geometry", "缺少道路几何", "draw the road as a line", "请给出道路的线几何。"))
            continue
        if isinstance(g, MultiLineString):
            merged = shapely.line_merge(g)
            g = merged if isinstance(merged, LineString) else g
        if not isinstance(g, LineString):
            problems.append(Problem(rows[i], codes[i], f"geometry is a {g.geom_type}, not one line",
                                    f"几何类型为 {g.geom_type}，应为一条线（LineString）", "split it into one road per row",
                                    "请每行一条连续的道路中心线。"))
        elif not g.is_valid or g.length == 0:
            problems.append(Problem(rows[i], codes[i], "invalid or zero-length line", "道路线无效或长度为零"))
        elif not g.is_simple:
            problems.append(Problem(rows[i], codes[i], "the line crosses itself", "道路线自相交",
                                    "draw the centre line once, without loops", "请按道路中心线绘制，不要自相交或回绕。"))
        elif not county.contains(g.interpolate(0.5, normalized=True)):
            problems.append(_outside(rows, codes, i, hint))
        else:
            lines[i] = g
    nums = {c: [_int(v) for v in vals[c]] for c in ("odd_from", "odd_to", "even_from", "even_to")}
    for i in range(len(rows)):
        for side, parity, lo, hi in (("单号", 1, "odd_from", "odd_to"), ("双号", 0, "even_from", "even_to")):
            a, b = nums[lo][i], nums[hi][i]
            if a is None or b is None:
                bad_range = (a is None) != (b is None)
            else:
                bad_range = a < 1 or b < a or a % 2 != parity or b % 2 != parity
            if bad_range:
                problems.append(Problem(rows[i], codes[i], f"{side} range {a}..{b} is not two {'odd' if parity else 'even'} "
                                        "numbers, the first not above the second",
                                        f"{side}范围 {vals[lo][i]}–{vals[hi][i]} 不正确", "e.g. 单号 1–399, 双号 2–398",
                                        "例如 单号起 1、单号止 399，双号起 2、双号止 398。"))
    mids = [(i, g.interpolate(0.5, normalized=True)) for i, g in enumerate(lines) if g is not None]
    grid = assign_points(conn, [p.x for _, p in mids], [p.y for _, p in mids]) if mids else []
    village: dict[int, str] = {i: g for (i, _), g in zip(mids, grid) if g}
    records = [{"code": codes[i], "name": vals["name"][i], "village_code": village[i][:12], "town_code": village[i][:9],
                **{c: nums[c][i] for c in nums}, "wkb": shapely.to_wkb(lines[i], hex=True)}
               for i in range(len(rows)) if lines[i] is not None and village.get(i)]
    shapes = [{"row": r, "code": codes[i], "name": vals["name"][i], "geom": lines[i]} for i, r in enumerate(rows)]
    return Report("address-roads", len(rows), source.label, sorted(problems, key=lambda p: (p.row or 0, p.code or "")),
                  shapes=shapes), records


def prepare_points(conn, path: Path, opts: Options):
    f, vals, rows, stored, source, problems, hint = _read(conn, path, opts, POINT_FIELDS)
    codes = vals["code"]
    county = crs.county_geom(conn)
    kinds = [KINDS.get(v or "") for v in vals["kind"]]
    numbers = [_int(v) for v in vals["number"]]
    file_roads = {c for c in vals["road_code"] if c}
    known = {r[0] for r in db.tuples(conn, "SELECT code FROM address_roads WHERE code = ANY (%(c)s::text[])",
                                     {"c": sorted(file_roads)})}
    ok = np.zeros(len(rows), dtype=bool)
    for i, g in enumerate(stored):
        if kinds[i] is None:
            problems.append(Problem(rows[i], codes[i], f"type {vals['kind'][i]!r} is not 门牌/小区/楼栋/地名",
                                    f"类型“{vals['kind'][i] or ''}”无法识别", "", "类型应为 门牌、小区、楼栋 或 地名。"))
        elif kinds[i] == "door" and (not vals["road_code"][i] or (numbers[i] or 0) < 1):
            problems.append(Problem(rows[i], codes[i], "a door plate needs 道路编码 and 门牌号", "门牌需要道路编码和门牌号",
                                    "", "请填写道路编码和门牌号（正整数）。"))
        elif kinds[i] == "door" and vals["road_code"][i] not in known:
            problems.append(Problem(rows[i], codes[i], f"no road {vals['road_code'][i]} in the register",
                                    f"标准地址库中没有道路编码 {vals['road_code'][i]}", "import the roads first",
                                    "请先导入道路（--kind roads）。"))
        if g is None:
            problems.append(Problem(rows[i], codes[i], "no location", "缺少坐标", "fill in 经度 and 纬度", "请填写经度、纬度。"))
        elif g.geom_type != "Point":
            problems.append(Problem(rows[i], codes[i], f"geometry is a {g.geom_type}, not a point", f"几何类型为 {g.geom_type}，应为点"))
        elif not county.contains(g):
            problems.append(_outside(rows, codes, i, hint))
        else:
            ok[i] = True
    pts = [(int(i), stored[i]) for i in np.flatnonzero(ok)]
    grid: dict[int, str] = {i: g for (i, _), g in zip(pts, assign_points(conn, [p.x for _, p in pts],
                                                                          [p.y for _, p in pts]) if pts else []) if g}
    records = [{"code": codes[i], "kind": kinds[i], "name": vals["name"][i],
                "road_code": vals["road_code"][i] if kinds[i] == "door" else None,
                "number": numbers[i] if kinds[i] == "door" else None, "place_type": vals["place_type"][i],
                "grid_code": grid[i], "village_code": grid[i][:12], "town_code": grid[i][:9],
                "wkb": shapely.to_wkb(stored[i], hex=True)} for i in grid if kinds[i]]
    shapes = [{"row": r, "code": codes[i], "name": vals["name"][i], "geom": stored[i]} for i, r in enumerate(rows)]
    return Report("address-points", len(rows), source.label, sorted(problems, key=lambda p: (p.row or 0, p.code or "")),
                  shapes=shapes), records


_UPSERT = {
    "roads": """
INSERT INTO address_roads AS t (code, name, village_code, town_code, odd_from, odd_to, even_from, even_to, geom)
SELECT r.code, r.name, r.village_code, r.town_code, r.odd_from, r.odd_to, r.even_from, r.even_to,
       ST_SetSRID(ST_GeomFromWKB(decode(r.wkb, 'hex')), 4490)
  FROM jsonb_to_recordset(%(rows)s::jsonb) AS r(code text, name text, village_code text, town_code text,
       odd_from int, odd_to int, even_from int, even_to int, wkb text)
ON CONFLICT (code) DO UPDATE SET name = EXCLUDED.name, village_code = EXCLUDED.village_code,
       town_code = EXCLUDED.town_code, odd_from = EXCLUDED.odd_from, odd_to = EXCLUDED.odd_to,
       even_from = EXCLUDED.even_from, even_to = EXCLUDED.even_to, geom = EXCLUDED.geom, updated_at = now()
 WHERE (t.name, t.odd_from, t.odd_to, t.even_from, t.even_to, t.geom)
       IS DISTINCT FROM (EXCLUDED.name, EXCLUDED.odd_from, EXCLUDED.odd_to, EXCLUDED.even_from, EXCLUDED.even_to, EXCLUDED.geom)
RETURNING (xmax = 0) AS inserted""",
    "points": """
INSERT INTO address_points AS t (code, kind, name, road_code, number, place_type, grid_code, village_code, town_code, geom)
SELECT r.code, r.kind, r.name, r.road_code, r.number, r.place_type, r.grid_code, r.village_code, r.town_code,
       ST_SetSRID(ST_GeomFromWKB(decode(r.wkb, 'hex')), 4490)
  FROM jsonb_to_recordset(%(rows)s::jsonb) AS r(code text, kind text, name text, road_code text, number int,
       place_type text, grid_code text, village_code text, town_code text, wkb text)
ON CONFLICT (code) DO UPDATE SET kind = EXCLUDED.kind, name = EXCLUDED.name, road_code = EXCLUDED.road_code,
       number = EXCLUDED.number, place_type = EXCLUDED.place_type, grid_code = EXCLUDED.grid_code,
       village_code = EXCLUDED.village_code, town_code = EXCLUDED.town_code, geom = EXCLUDED.geom, updated_at = now()
 WHERE (t.kind, t.name, t.road_code, t.number, t.place_type, t.geom)
       IS DISTINCT FROM (EXCLUDED.kind, EXCLUDED.name, EXCLUDED.road_code, EXCLUDED.number, EXCLUDED.place_type, EXCLUDED.geom)
RETURNING (xmax = 0) AS inserted""",
}


def prepare(conn, path: Path, opts: Options):
    """Every check, nothing written: (report, the rows to write)."""
    if opts.kind not in _UPSERT:
        raise InvalidInput("--kind must be roads or points", "类型应为 roads（道路）或 points（门牌、小区、楼栋、地名）。")
    return (prepare_roads if opts.kind == "roads" else prepare_points)(conn, path, opts)


def import_file(conn, path: Path, opts: Options) -> Report:
    report, records = prepare(conn, path, opts)

    def write():
        done = db.tuples(conn, _UPSERT[opts.kind], {"rows": json.dumps(records, ensure_ascii=False)})
        report.inserted = sum(1 for r in done if r[0])
        report.updated = len(done) - report.inserted
        report.unchanged = len(records) - len(done)
        report.written = True
    return load_all_or_nothing(conn, report, opts.dry_run, write)
