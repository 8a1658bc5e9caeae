"""Import point registers: staff (matched by 终端编号), hazardous-chemical sites and emergency
resources (matched by their code). `python -m loaders staff|chem-sites|resources FILE …`.

Each row needs its key, a name and a location inside the county; the grid comes from the point ->
grid rule (or a 网格编码 column for staff without a location). One transaction; upsert by key.
"""
from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import geopandas as gpd
import numpy as np
import shapely

from geo import db
from geo.assign import assign_points
from geo.errors import InvalidInput
from geo.roles import STAFF_WORDS
from geo.status import ENTERPRISE_SECTOR_LABELS, ENTERPRISE_STATUS_LABELS, SERVICE_POINT_LABELS
from loaders.importer import checks, crs, read
from loaders.importer.checks import Problem
from loaders.importer.report import Report, load_all_or_nothing


@dataclass(frozen=True)
class Kind:
    table: str
    key: str                              # column matched on reload
    geom: str                             # geometry column
    fields: dict[str, tuple[str, ...]]    # column -> accepted field names (Chinese first)
    required: tuple[str, ...]
    values: dict[str, dict[str, str]]     # column -> {file value: stored value}


KINDS = {
    "staff": Kind("staff", "terminal_id", "location", {
        "terminal_id": ("终端编号", "终端", "terminal_id"), "name": ("姓名", "name"),
        "role": ("角色", "身份", "role"), "phone": ("电话", "联系电话", "phone"),
        "grid_code": ("网格编码", "grid_code")}, ("terminal_id", "name", "role"),
        {"role": STAFF_WORDS}),
    "chem-sites": Kind("chem_sites", "code", "geom", {
        "code": ("企业编码", "统一社会信用代码", "编码", "code"), "name": ("名称", "场所名称", "name"),
        "enterprise": ("企业", "企业名称", "enterprise"), "address": ("地址", "address"),
        "main_chemicals": ("主要物质", "危化品", "main_chemicals"),
        "safety_distance_m": ("安全距离", "安全距离（米）", "safety_distance_m")},
        ("code", "name", "enterprise"), {}),
    "resources": Kind("emergency_resources", "code", "geom", {
        "code": ("资源编码", "编码", "code"), "name": ("名称", "name"), "kind": ("类型", "资源类型", "kind"),
        "personnel": ("人员", "人数", "personnel"), "vehicles": ("车辆", "vehicles"),
        "phone": ("电话", "联系电话", "phone")}, ("code", "name", "kind"),
        {"kind": {"救援基地": "rescue_base", "消防站": "fire_station", "医院": "hospital",
                  "物资库": "materials_depot", "避难场所": "shelter", "派出所": "police_station",
                  "医疗队": "medical_team", **{v: v for v in ("rescue_base", "fire_station", "hospital",
                  "materials_depot", "shelter", "police_station", "medical_team")}}}),
    # 一张图's point layers (migration 031)
    "service-points": Kind("service_points", "code", "location", {
        "code": ("编码", "终端编号", "code"), "name": ("名称", "name"), "kind": ("类型", "kind"),
        "address": ("地址", "address"), "matters": ("可办事项", "可办事项数", "matters"),
        "services_30d": ("近30天服务人次", "服务人次", "services_30d")}, ("code", "name", "kind"),
        {"kind": {**{label: code for code, label in SERVICE_POINT_LABELS.items()}, "澄事之窗终端": "window",
                  "最江阴": "app_point", **{c: c for c in SERVICE_POINT_LABELS}}}),
    "enterprises": Kind("supervised_enterprises", "code", "location", {
        "code": ("统一社会信用代码", "企业编码", "编码", "code"), "name": ("企业名称", "名称", "name"),
        "sector": ("行业", "sector"), "status": ("整改状态", "状态", "status"), "address": ("地址", "address"),
        "status_on": ("状态日期", "整改日期", "status_on")}, ("code", "name", "sector", "status"),
        {"sector": {**{label: code for code, label in ENTERPRISE_SECTOR_LABELS.items()},
                    **{c: c for c in ENTERPRISE_SECTOR_LABELS}},
         "status": {**{label: code for code, label in ENTERPRISE_STATUS_LABELS.items()},
                    **{c: c for c in ENTERPRISE_STATUS_LABELS}}}),
}
NUMERIC = {"safety_distance_m", "personnel", "vehicles", "matters", "services_30d"}
DATES = {"status_on"}


@dataclass
class Options:
    crs: str | None = None
    encoding: str | None = None
    layer: str | None = None
    dry_run: bool = False


def prepare(conn, kind_name: str, path: Path, opts: Options):
    kind = KINDS[kind_name]
    src = read.read(path, layer=opts.layer, encoding=opts.encoding)
    f = src.frame
    if f.empty:
        raise InvalidInput(f"{path.name} holds no rows", f"“{path.name}”中没有数据行。")
    cols = {c: read.column(f, None, names, c) for c, names in kind.fields.items()}
    missing = [kind.fields[c][0] for c in kind.required if cols[c] is None]
    if missing:
        raise InvalidInput(f"missing columns: {', '.join(missing)}", f"缺少字段：{'、'.join(missing)}。")
    n = len(f)
    rows = list(range(1, n + 1))
    vals: dict[str, list] = {c: [read.text_value(v) for v in f[col]] if col else [None] * n for c, col in cols.items()}
    keys = vals[kind.key]
    problems: list[Problem] = checks.text_problems(rows, keys, {c: vals[c] for c in ("name",) if c in vals})
    problems += checks.duplicate_problems(rows, keys)
    for c, mapping in kind.values.items():
        for i, v in enumerate(vals[c]):
            if v is not None and v not in mapping:
                problems.append(Problem(rows[i], keys[i], f"{c} {v!r} is not one of {', '.join(sorted(set(mapping)))}",
                                        f"“{v}”不是有效的{kind.fields[c][0]}", "use one of the listed values",
                                        f"可选值：{'、'.join(k for k in mapping if not k.isascii())}。"))
            vals[c][i] = mapping.get(v) if v is not None else None
    for c in NUMERIC & set(vals):
        for i, v in enumerate(vals[c]):
            try:
                vals[c][i] = None if v is None else float(v)
            except ValueError:
                problems.append(Problem(rows[i], keys[i], f"{c} {v!r} is not a number", f"“{v}”不是数字"))
                vals[c][i] = None
    for c in DATES & set(vals):
        for i, v in enumerate(vals[c]):
            if v is None:
                continue
            try:
                vals[c][i] = dt.date.fromisoformat(str(v)[:10]).isoformat()
            except ValueError:
                problems.append(Problem(rows[i], keys[i], f"{c} {v!r} is not a date such as 2026-11-30",
                                        f"“{v}”不是 2026-11-30 这样的日期"))
                vals[c][i] = None
    for c in kind.required:
        for i, v in enumerate(vals[c]):
            if v is None:
                problems.append(Problem(rows[i], keys[i], f"missing {c}", f"缺少{kind.fields[c][0]}",
                                        f"fill in {kind.fields[c][0]}", f"请填写{kind.fields[c][0]}。"))

    raw = np.asarray(f.geometry.values, dtype=object)
    has = np.array([g is not None and not g.is_empty for g in raw])
    xs = np.array([g.x if h and g.geom_type == "Point" else np.nan for g, h in zip(raw, has)])
    source = crs.resolve(opts.crs, src.crs, xs)
    hint = crs.mistake_hint(xs, source)
    stored = np.array([None] * n, dtype=object)
    idx = np.flatnonzero(has)
    if idx.size:
        stored[idx] = crs.to_store(gpd.GeoSeries(list(raw[idx]), index=idx), source).values
    county = crs.county_geom(conn)
    pts = [g for g in stored if g is not None]
    gcj: Any = crs.lands_after_gcj_shift(gpd.GeoSeries(pts), county) if pts else []
    k = 0
    for i, g in enumerate(stored):
        if g is None:
            if kind_name != "staff" or not vals.get("grid_code", [None] * n)[i]:
                problems.append(Problem(rows[i], keys[i], "no location", "缺少坐标",
                                        "fill in 经度 and 纬度", "请填写经度、纬度。"))
            continue
        if g.geom_type != "Point":
            problems.append(Problem(rows[i], keys[i], f"geometry is a {g.geom_type}, not a point",
                                    f"几何类型为 {g.geom_type}，应为点"))
            stored[i] = None
        elif not county.contains(g):
            h = hint or (("the file looks like a GCJ-02 export: import with --crs gcj02",
                          "数据疑似 GCJ-02 坐标：请指定坐标系 gcj02。") if gcj[k] else
                         ("check the coordinates and --crs", "请核对坐标与坐标系。"))
            problems.append(Problem(rows[i], keys[i], "outside Jiangyin county", "位于江阴市范围之外", *h))
            stored[i] = None
        k += 1
    grid_for = _grids_for(conn, stored)
    for i in range(n):
        if stored[i] is not None:
            vals.setdefault("grid_code", [None] * n)[i] = grid_for.get(i) or vals.get("grid_code", [None] * n)[i]
    shapes = [{"row": r, "code": keys[i], "name": vals["name"][i], "geom": stored[i]} for i, r in enumerate(rows)]
    report = Report(kind_name, n, source.label, sorted(problems, key=lambda p: (p.row or 0, p.code or "")),
                    shapes=shapes)
    return report, (kind, vals, stored)


def _grids_for(conn, stored) -> dict[int, str]:
    items = [(i, g.x, g.y) for i, g in enumerate(stored) if g is not None]
    if not items:
        return {}
    found = assign_points(conn, [t[1] for t in items], [t[2] for t in items])     # stored: CGCS2000
    return {t[0]: code for t, code in zip(items, found) if code is not None}


def write(conn, payload, report: Report) -> Report:
    from psycopg import sql

    kind, vals, stored = payload
    cols = list(kind.fields) if "grid_code" in kind.fields else list(kind.fields) + ["grid_code"]
    records = [{**{c: vals.get(c, [None] * len(stored))[i] for c in cols},
                "wkb": shapely.to_wkb(g, hex=True) if g is not None else None} for i, g in enumerate(stored)]
    types = {c: ("double precision" if c in NUMERIC else "date" if c in DATES else "text") for c in cols}
    ident = sql.Identifier
    q = sql.SQL("""
        INSERT INTO {table} AS t ({cols}, {geom})
        SELECT {srccols}, ST_SetSRID(ST_GeomFromWKB(decode(r.wkb, 'hex')), 4490)
          FROM jsonb_to_recordset(%(rows)s::jsonb) AS r({defs}, wkb text)
        ON CONFLICT ({key}) DO UPDATE SET {sets}, {geom} = EXCLUDED.{geom}
         WHERE ({tcols}, t.{geom}) IS DISTINCT FROM ({ecols}, EXCLUDED.{geom})
        RETURNING (xmax = 0) AS inserted""").format(
        table=ident(kind.table), cols=sql.SQL(", ").join(map(ident, cols)), geom=ident(kind.geom),
        srccols=sql.SQL(", ").join(sql.SQL("r.{}").format(ident(c)) for c in cols),
        defs=sql.SQL(", ").join(sql.SQL("{} {}").format(ident(c), sql.SQL(types[c])) for c in cols),
        key=ident(kind.key),
        sets=sql.SQL(", ").join(sql.SQL("{c} = EXCLUDED.{c}").format(c=ident(c)) for c in cols if c != kind.key),
        tcols=sql.SQL(", ").join(sql.SQL("t.{}").format(ident(c)) for c in cols),
        ecols=sql.SQL(", ").join(sql.SQL("EXCLUDED.{}").format(ident(c)) for c in cols))
    done = db.tuples(conn, q, {"rows": json.dumps(records, ensure_ascii=False)})
    report.inserted = sum(1 for r in done if r[0])
    report.updated = len(done) - report.inserted
    report.unchanged = len(records) - len(done)
    report.written = True
    return report


def import_file(conn, kind_name: str, path: Path, opts: Options) -> Report:
    report, payload = prepare(conn, kind_name, path, opts)
    return load_all_or_nothing(conn, report, opts.dry_run, lambda: write(conn, payload, report))
