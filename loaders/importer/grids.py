"""Import grid polygons: `python -m loaders grids FILE [--level N | --level-field F] …`.

Checks every feature before writing anything (checks.py for geometry and text; here the hierarchy:
codes, parents, containment, sibling overlaps and gaps in a level's tiling beyond a tolerance in m²).
Loading is an upsert by code in one transaction; events in grids whose shape changed are re-assigned
by the point -> grid rule (grid_for_point) in the same transaction. Codes absent from the file stay.
"""
from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from geo import codes as area_codes
from geo import db
from geo.crs import to_metric
from geo.errors import InvalidInput
from geo.status import DEDICATED_LABELS
from loaders.importer import checks, crs, read
from loaders.importer.checks import Problem
from loaders.importer.report import Report, load_all_or_nothing

FIELDS = {
    "code": ("网格编码", "编码", "code", "grid_code", "wgbm", "bm"),
    "name": ("网格名称", "名称", "name", "wgmc", "mc"),
    "parent": ("上级编码", "上级网格编码", "父级编码", "parent_code", "parent", "sjbm"),
    "level": ("层级", "级别", "网格层级", "level"),
    "population": ("人口", "常住人口", "population", "pop"),
    "dedicated_type": ("专属类型", "专属网格类型", "dedicated_type"),
}
# Dedicated-grid types as a file may write them: the Chinese label, a variant, or the code.
DEDICATED = {**{label: code for code, label in DEDICATED_LABELS.items()}, "集贸市场": "market",
             **{code: code for code in DEDICATED_LABELS}}


@dataclass
class Options:
    level: int | None = None
    level_field: str | None = None
    code_field: str | None = None
    parent_field: str | None = None
    name_field: str | None = None
    crs: str | None = None
    encoding: str | None = None
    layer: str | None = None
    fix: bool = False
    dry_run: bool = False
    tolerance_m2: float = 1.0


def prepare(conn, path: Path, opts: Options) -> tuple[Report, pd.DataFrame]:
    src = read.read(path, layer=opts.layer, encoding=opts.encoding)
    f = src.frame
    if f.empty:
        raise InvalidInput(f"{path.name} holds no features", f"“{path.name}”中没有要素。")
    code_col = read.column(f, opts.code_field, FIELDS["code"], "grid code")
    if code_col is None:
        raise InvalidInput("no grid-code field: name it 网格编码 (or code), or pass --code-field",
                           "找不到网格编码字段：请命名为“网格编码”，或指定编码字段。")
    name_col = read.column(f, opts.name_field, FIELDS["name"], "grid name")
    parent_col = read.column(f, opts.parent_field, FIELDS["parent"], "parent code")
    level_col = read.column(f, opts.level_field, FIELDS["level"], "level") if opts.level is None else None
    pop_col = read.column(f, None, FIELDS["population"], "population")
    ded_col = read.column(f, None, FIELDS["dedicated_type"], "dedicated type")

    rows = list(range(1, len(f) + 1))
    problems: list[Problem] = []
    codes = _codes(f[code_col], rows, problems, "code")
    parents_given = _codes(f[parent_col], rows, problems, "parent code") if parent_col else [None] * len(f)
    names = [read.text_value(v) for v in f[name_col]] if name_col else [None] * len(f)
    problems += checks.text_problems(rows, codes, {"name": names, "code": codes})

    raw = np.asarray(f.geometry.values)
    raw = np.array([None if read.is_missing(g) else g for g in raw], dtype=object)
    raw = shapely.force_2d(raw)                         # Z/M coordinates: only x, y are stored
    bounds = shapely.bounds(raw)
    source = crs.resolve(opts.crs, src.crs, bounds[:, 0])
    hint = crs.mistake_hint(bounds[:, 0], source)
    geoms, geo_problems = checks.polygon_problems(rows, codes, raw, opts.fix)
    problems += geo_problems
    ok = np.array([g is not None for g in geoms])
    stored = np.array([None] * len(f), dtype=object)      # converted vertex by vertex
    dense = np.array([None] * len(f), dtype=object)       # densified first (projected files)
    idx = np.flatnonzero(ok)
    if idx.size:
        converted = crs.to_store(gpd.GeoSeries(list(geoms[idx]), index=idx), source).values
        # Densify before converting: a straight edge in metres is not straight in degrees, so an
        # edge converted by its two end vertices only would bend away from its neighbour's.
        converted_dense = crs.to_store(gpd.GeoSeries(list(_densify(geoms[idx], source)), index=idx),
                                       source).values if _projected(source) else converted
        for j, g, gd in zip(idx, converted, converted_dense):
            finite = g is not None and not g.is_empty and np.isfinite(shapely.get_coordinates(g)).all() \
                and gd is not None and np.isfinite(shapely.get_coordinates(gd)).all()
            if finite:
                g, gd = (checks.as_multi(x if x.is_valid else checks._polygonal(shapely.make_valid(x)))
                         for x in (g, gd))
                finite = g is not None and gd is not None and not g.is_empty
            if not finite:
                h = hint or ("check the coordinate system (--crs)", "请核对坐标系。")
                problems.append(Problem(rows[j], codes[j], f"coordinates do not convert from {source.label}",
                                        f"坐标无法从 {source.label} 转换", *h))
                continue
            stored[j], dense[j] = g, gd
    levels = _levels(f, opts, level_col, codes, parents_given)
    parents = []
    for i, (row, code) in enumerate(zip(rows, codes)):
        lvl = levels[i]
        parents.append(parents_given[i] if parent_col and lvl != 1 else
                       (area_codes.ancestor(code, lvl - 1) if code and lvl in (2, 3) else None))
        if not code:
            if not any(p.row == row and p.fatal and "code" in p.problem for p in problems):
                problems.append(Problem(row, None, "missing grid code", "缺少网格编码", "fill in 网格编码",
                                        "请填写网格编码。"))
            continue
        if lvl not in area_codes.LENGTH or len(code) != area_codes.length(lvl):
            problems.append(Problem(row, code, f"code {code} does not fit level {lvl}: codes are 9 digits "
                                    "(town), 12 (village) or 15 (grid)",
                                    f"编码 {code} 与层级 {lvl} 不符：镇街9位、村社区12位、网格15位数字",
                                    "check the code and the level", "请核对编码与层级。"))
            continue
        if lvl > 1 and not parents[-1]:
            problems.append(Problem(row, code, f"level {lvl} feature without a parent code",
                                    f"第{lvl}级要素缺少上级编码", "fill in 上级编码", "请填写上级编码。"))
        if lvl > 1 and parents[-1] and not code.startswith(parents[-1]):
            problems.append(Problem(row, code, f"code {code} does not extend its parent's code {parents[-1]}",
                                    f"编码 {code} 未以上级编码 {parents[-1]} 开头", "a child's code starts "
                                    "with its parent's code", "下级编码应以上级编码开头。"))
        if not names[i]:
            problems.append(Problem(row, code, "missing name", "缺少网格名称", "fill in 网格名称",
                                    "请填写网格名称。"))
    problems += checks.duplicate_problems(rows, codes)
    dedicated = [DEDICATED.get(read.text_value(v) or "", read.text_value(v)) if ded_col else None for v in
                 (f[ded_col] if ded_col else [None] * len(f))]
    pops: list = [read.text_value(v) for v in f[pop_col]] if pop_col else [None] * len(f)
    for i, v in enumerate(pops):
        try:
            pop = None if v is None else int(float(v))
            if pop is not None and pop < 0:
                raise ValueError(v)
            pops[i] = pop
        except ValueError:
            problems.append(Problem(rows[i], codes[i], f"population {v!r} is not a whole number ≥ 0",
                                    f"人口“{v}”不是非负整数", "fill in a number or leave it empty", "请填写数字或留空。"))
            pops[i] = None
    for i, v in enumerate(dedicated):
        if v is not None and v not in DEDICATED.values():
            problems.append(Problem(rows[i], codes[i], f"dedicated type {v!r} is unknown",
                                    f"专属网格类型“{v}”无法识别", "use 学校, 医院, 化工园区, 工业园区, 市场, 景区, "
                                    "养老机构, 交通枢纽 or 其他", "可选：学校、医院、化工园区、工业园区、市场、景区、养老机构、交通枢纽、其他。"))
    # object columns with None for missing values (pandas' own string dtype would turn them into NaN)
    table = pd.DataFrame({"row": rows, "code": pd.Series(codes, dtype=object),
                          "name": pd.Series(names, dtype=object), "level": pd.Series(levels, dtype=object),
                          "parent": pd.Series(parents, dtype=object), "geom": pd.Series(list(stored), dtype=object),
                          "dedicated": pd.Series(dedicated, dtype=object), "population": pd.Series(pops, dtype=object),
                          "raw": pd.Series(list(geoms), dtype=object)})
    problems += _topology(conn, table, dense, opts.tolerance_m2, hint, source)
    shapes = [{"row": r.row, "code": r.code, "name": r.name, "geom": g}
              for r, g in zip(table.itertuples(), _display(raw, stored, source))]
    report = Report("grids", len(f), source.label, sorted(problems, key=lambda p: (p.row or 0, p.code or "")),
                    shapes=shapes)
    return report, table


def _display(raw, stored, source) -> list:
    """What the map shows per feature: the stored shape, or for a refused one (invalid, say) its
    shape as drawn in the file, converted, so the user sees where it is."""
    out = list(stored)
    missing = [i for i, g in enumerate(out) if g is None and raw[i] is not None and not raw[i].is_empty]
    if missing:
        try:
            conv = crs.to_store(gpd.GeoSeries([raw[i] for i in missing], index=missing), source).values
        except Exception:  # noqa: BLE001 - display only: a shape that cannot be converted is not drawn
            return out
        for i, g in zip(missing, conv):
            if g is not None and np.isfinite(shapely.get_coordinates(g)).all():
                out[i] = g
    return out


DENSIFY_M = 20.0          # max segment length before conversion (metres; degrees: about 20 m)


def _codes(values, rows, problems: list[Problem], what: str) -> list[str | None]:
    """Codes as digit strings; a value that is not one (Excel's 3.2E+14, letters) is a problem."""
    out = []
    for row, v in zip(rows, values):
        try:
            out.append(read.code_value(v))
        except read.CodeProblem as exc:
            problems.append(Problem(row, exc.raw, f"{what}: {exc.msg}", exc.zh, "write codes as text digits",
                                    "编码应为文本格式的数字。"))
            out.append(None)
    return out


def _levels(f, opts: Options, level_col, codes, parents) -> list[int | None]:
    """Each feature's level: the option, the level field (1/2/3, 一级…, 镇街/村社区/网格), the code's
    length, or its parent's level plus one (the parent chain, for files whose codes say nothing)."""
    levels: list[int | None] = []
    for i, code in enumerate(codes):
        lvl = opts.level
        if lvl is None and level_col is not None:
            lvl = read.level_value(f[level_col].iloc[i])
        if lvl is None and code:
            lvl = area_codes.LEVEL_OF_LENGTH.get(len(code))
        levels.append(lvl)
    by_code = {c: i for i, c in enumerate(codes) if c}
    for _ in range(3):                       # a parent's level known gives the child's
        for i, lvl in enumerate(levels):
            if lvl is None:
                if not parents[i]:
                    levels[i] = 1 if codes[i] else None
                elif parents[i] in by_code:
                    parent_level = levels[by_code[parents[i]]]
                    if parent_level:
                        levels[i] = parent_level + 1
    return levels


def _projected(source) -> bool:
    return source.epsg is not None and source.epsg not in crs.GEOGRAPHIC


def _densify(geoms, source):
    """Projected files only: their edges are straight in metres, which is what the county drew.
    Lon/lat files need nothing (CGCS2000 and WGS84 agree to centimetres), and GCJ-02/BD-09 files
    are converted vertex by vertex as drawn (their offset wiggles: densifying in that space would
    bend edges drawn straight in CGCS2000 and exported vertex by vertex)."""
    if not _projected(source):
        return np.asarray(geoms, dtype=object)
    return shapely.segmentize(np.asarray(geoms, dtype=object), DENSIFY_M)


class _Space:
    """Where topology is checked. A projected file (Gauss-Krüger metres) is exact as drawn: check
    in its own coordinates, areas in m² directly. A lon/lat file: check the stored shapes, a sliver
    measured as its share of the shape in degrees times the shape's area in metres."""

    def __init__(self, source, projected: bool | None = None):
        self.projected = _projected(source) if projected is None else projected
        self.source = source

    def geom(self, r):
        return r.raw if self.projected else r.geom

    def from_db(self, g):
        if not self.projected:
            return g
        return gpd.GeoSeries([g], crs=4490).to_crs(self.source.epsg).values[0]

    def area(self, g) -> float:
        if g is None or g.is_empty:
            return 0.0
        return float(g.area) if self.projected else float(to_metric(g).area)

    def part_area(self, part, whole) -> float:
        """m² of `part` (a sliver, gap or overlap) of `whole`: transforming a degenerate sliver to
        metres would invent area (its two sides bend differently), while the local scale is the same."""
        if part is None or part.is_empty or whole.area == 0:
            return 0.0
        return float(part.area) if self.projected else part.area / whole.area * self.area(whole)


def _topology(conn, table: pd.DataFrame, dense, tol: float, hint, source) -> list[Problem]:
    """Check where the data is exact, and store it so that it stays exact. A projected file is
    checked in its own CRS; if it tiles there, it is stored densified (so shared straight edges
    stay shared). A projected file that does not tile there but tiles in CGCS2000 degrees (shapes
    drawn in degrees and exported vertex by vertex) is stored vertex by vertex. A lon/lat file is
    checked as stored. `table.geom` ends up holding what will be stored."""
    if not _projected(source):
        return _spatial(conn, table, tol, hint, _Space(source))
    in_metres = _spatial(conn, table, tol, hint, _Space(source))
    if not any(p.fatal for p in in_metres):
        table["geom"] = pd.Series(list(dense), dtype=object, index=table.index)
        return in_metres
    in_degrees = _spatial(conn, table, tol, hint, _Space(source, projected=False))
    if not any(p.fatal for p in in_degrees):
        return in_degrees + [Problem(None, None, f"the shapes tile in CGCS2000 degrees, not in {source.label}: "
                                                 "stored vertex by vertex", f"图形在经纬度下严密拼接（而非 {source.label}），"
                                                 "已按顶点逐点转换入库", fatal=False)]
    table["geom"] = pd.Series(list(dense), dtype=object, index=table.index)
    return in_metres


def _spatial(conn, t: pd.DataFrame, tol: float, hint, space: "_Space") -> list[Problem]:
    out: list[Problem] = []
    county = crs.county_geom(conn)
    valid = t[t.geom.notna() & t.code.notna() & t.level.isin([1, 2, 3])]
    # Outside the county (and, if so, was it a GCJ-02 export read as WGS84, or a zone mistake?)
    if len(valid):
        pts = shapely.point_on_surface(np.asarray(valid.geom.values, dtype=object))
        inside = shapely.contains(county, pts)
        gcj = crs.lands_after_gcj_shift(gpd.GeoSeries(list(valid.geom.values)), county)
        for (r, ins, g) in zip(valid.itertuples(), inside, gcj):
            if not ins:
                h = hint or (("the file looks like a GCJ-02 export (web map or phone app): import with --crs gcj02",
                              "数据疑似 GCJ-02（网络地图或手机导出）坐标：请指定坐标系 gcj02。") if g else
                             ("check the coordinate system (--crs) and the feature", "请核对坐标系与该要素位置。"))
                out.append(Problem(r.row, r.code, "outside Jiangyin county", "位于江阴市范围之外", *h))
    # Parents: in the file (same import) or already in the database.
    in_file = {r.code: space.geom(r) for r in valid.itertuples()}
    wanted = sorted({p for p in valid.parent if p} - set(in_file))
    db_parents = {}
    if wanted:
        for code, wkb in db.tuples(conn, "SELECT code, ST_AsBinary(geom) FROM grids WHERE code = ANY(%(c)s)", {"c": wanted}):
            db_parents[code] = space.from_db(shapely.from_wkb(bytes(wkb)))
    parents = {**db_parents, **in_file}
    for r in valid.itertuples():
        if r.level == 1 or not r.parent:
            continue
        pg = parents.get(r.parent)
        if pg is None:
            out.append(Problem(r.row, r.code, f"parent {r.parent} is neither in the file nor in the database",
                               f"上级 {r.parent} 不在文件中，也不在数据库中",
                               "import the parent level first, or include it in the file",
                               "请先导入上级，或把上级一并放入文件。"))
            continue
        g = space.geom(r)
        outside = space.part_area(shapely.difference(g, pg), g)
        if outside > tol and outside > 0.001 * space.area(g):
            out.append(Problem(r.row, r.code, f"{outside:,.0f} m² lies outside its parent {r.parent}",
                               f"有 {outside:,.0f} 平方米超出上级 {r.parent} 的范围",
                               "clip the polygon to its parent", "请将该面裁剪到上级范围内。"))
    out += _tiling(conn, valid, parents, tol, space)
    return out


def _tiling(conn, valid: pd.DataFrame, parents: dict, tol: float, space: _Space) -> list[Problem]:
    """Overlaps between admin siblings; gaps between a parent and the union of its children."""
    out: list[Problem] = []
    admin = valid[valid.dedicated.isna()]
    rows = list(admin.itertuples())
    geoms = np.asarray([space.geom(r) for r in rows], dtype=object)
    tree = shapely.STRtree(geoms)
    left, right = tree.query(geoms, predicate="intersects")
    for i, j in zip(left, right):
        if i >= j or rows[i].parent != rows[j].parent or rows[i].level != rows[j].level:
            continue
        a = space.part_area(shapely.intersection(geoms[i], geoms[j]), geoms[i])
        if a > tol:
            out.append(Problem(rows[j].row, rows[j].code, f"overlaps {rows[i].code} by {a:,.0f} m²",
                               f"与 {rows[i].code} 重叠 {a:,.0f} 平方米",
                               f"siblings must not overlap by more than {tol:g} m²",
                               f"同级网格重叠不得超过 {tol:g} 平方米。"))
    kids: dict[str, list] = {}
    for r, g in zip(rows, geoms):
        if r.parent:
            kids.setdefault(r.parent, []).append(g)
    # The parents' other admin children already in the database (not replaced by this file): one query.
    for parent, wkb in db.tuples(conn, "SELECT parent_code, ST_AsBinary(geom) FROM grids WHERE parent_code = ANY(%(p)s) "
                                       "AND kind = 'admin' AND code <> ALL(%(c)s)",
                                 {"p": sorted(kids), "c": [r.code for r in rows]}):
        kids[parent].append(space.from_db(shapely.from_wkb(bytes(wkb))))
    for parent in sorted(kids):
        pg = parents.get(parent)
        if pg is None:
            continue
        gap = space.part_area(shapely.difference(pg, shapely.union_all(kids[parent])), pg)
        if gap > tol and gap > 1e-6 * space.area(pg):
            out.append(Problem(None, parent, f"gap of {gap:,.0f} m² between {parent} and its grids",
                               f"上级 {parent} 与其下级网格之间有 {gap:,.0f} 平方米空隙",
                               f"a level must tile its parent within {tol:g} m²",
                               f"下级网格应铺满上级（容差 {tol:g} 平方米）。"))
    return out


_UPSERT = """
WITH src AS (
    SELECT r.code, r.parent, r.level, r.name, r.dedicated, r.population,
           ST_Multi(ST_GeomFromWKB(decode(r.wkb, 'hex'), 4490)) AS geom
      FROM jsonb_to_recordset(%(rows)s::jsonb)
           AS r(code text, parent text, level smallint, name text, dedicated text, population integer, wkb text)
)
INSERT INTO grids AS g (code, parent_code, level, kind, dedicated_type, name, population, geom)
SELECT code, CASE WHEN level > 1 THEN parent END, level,
       CASE WHEN dedicated IS NULL THEN 'admin' ELSE 'dedicated' END, dedicated, name, population, geom
  FROM src ORDER BY level, code
ON CONFLICT (code) DO UPDATE SET
    parent_code = EXCLUDED.parent_code, level = EXCLUDED.level, kind = EXCLUDED.kind,
    dedicated_type = EXCLUDED.dedicated_type, name = EXCLUDED.name,
    population = coalesce(EXCLUDED.population, g.population), geom = EXCLUDED.geom, updated_at = now()
 WHERE (g.parent_code, g.level, g.kind, g.dedicated_type, g.name, g.geom)
       IS DISTINCT FROM (EXCLUDED.parent_code, EXCLUDED.level, EXCLUDED.kind, EXCLUDED.dedicated_type,
                         EXCLUDED.name, EXCLUDED.geom)
    OR (EXCLUDED.population IS NOT NULL AND g.population IS DISTINCT FROM EXCLUDED.population)
RETURNING g.code, g.level, g.kind, (xmax = 0) AS inserted
"""


def write(conn, table: pd.DataFrame, report: Report) -> Report:
    """Upsert every feature and re-assign events, in the caller's transaction."""
    rows = [{"code": r.code, "parent": r.parent, "level": int(r.level), "name": r.name,
             "dedicated": r.dedicated or None,
             "population": None if pd.isna(r.population) else int(r.population),
             "wkb": shapely.to_wkb(r.geom, hex=True)} for r in table.itertuples()]
    changed = db.tuples(conn, _UPSERT, {"rows": json.dumps(rows)})
    report.inserted = sum(1 for c in changed if c[3])
    report.updated = len(changed) - report.inserted
    report.unchanged = len(rows) - len(changed)
    grid_codes = [c[0] for c in changed if c[1] == 3 and c[2] == "admin"]
    if grid_codes:
        # events in a changed grid, or now inside one, move to the grid the point -> grid rule gives
        report.events_reassigned = len(conn.execute("SELECT public.jy_reassign_events(%(codes)s)",
                                                    {"codes": grid_codes}).fetchall())
    report.written = True
    return report


def import_file(conn, path: Path, opts: Options) -> Report:
    """Check, then (unless refused or a dry run) load, in one transaction."""
    report, table = prepare(conn, path, opts)
    return load_all_or_nothing(conn, report, opts.dry_run, lambda: write(conn, table, report))
