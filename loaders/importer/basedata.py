"""Import base data per grid (人、地、物、组织): `python -m loaders base-data FILE [--as-of DATE]`.

A table (CSV in UTF-8 or GBK, or XLSX) with one row per third-level grid: a 网格编码 column and one
column per item of data/reference/base_categories.csv, named by its label (户籍人口, 流动人口, …) or
code. Items missing from the file are left as they are; a blank cell is refused (write 0 for none).
Every value must be a whole number ≥ 0 and every grid must exist at level 3. All or nothing, one
transaction; a second import of the same file changes nothing (upsert by grid and item).
"""
from __future__ import annotations

import datetime as dt
import json
import unicodedata
from dataclasses import dataclass
from pathlib import Path

from geo import db
from geo.errors import InvalidInput
from loaders.importer import read
from loaders.importer.checks import Problem, duplicate_problems
from loaders.importer.report import Report, load_all_or_nothing

GRID_FIELDS = ("网格编码", "网格代码", "grid_code", "code")


@dataclass
class Options:
    as_of: dt.date | None = None
    encoding: str | None = None
    dry_run: bool = False


def _categories(conn) -> dict[str, str]:
    """Column name (label or code) -> category code."""
    out = {}
    for code, label in db.tuples(conn, "SELECT code, label FROM base_categories ORDER BY sort"):
        out[label] = code
        out[code] = code
    return out


def _count(raw) -> int | None:
    s = unicodedata.normalize("NFKC", read.text_value(raw) or "").replace(",", "").strip()
    if s.endswith(".0"):
        s = s[:-2]
    return int(s) if s.isascii() and s.isdigit() else None


def prepare(conn, path: Path, opts: Options):
    frame = read.plain_table(path, opts.encoding)
    if frame.empty:
        raise InvalidInput(f"{path.name} holds no rows", f"“{path.name}”中没有数据行。")
    gcol = read.column(frame, None, GRID_FIELDS, "grid code")
    if gcol is None:
        raise InvalidInput(f"{path.name}: no grid code column; name it 网格编码",
                           f"“{path.name}”缺少网格编码列：请命名为“网格编码”。")
    cats = _categories(conn)
    items = {c: cats[c] for c in frame.columns if c in cats}
    if not items:
        labels = "、".join(k for k in cats if not k.isascii())
        raise InvalidInput(f"{path.name}: no column names a base-data item (e.g. 户籍人口, 流动人口)",
                           f"“{path.name}”中没有可识别的基础数据列；可用列名：{labels}。")
    problems: list[Problem] = []
    extra = [c for c in frame.columns if c != gcol and c not in items]
    if extra:
        problems.append(Problem(None, None, f"columns ignored (not base-data items): {', '.join(extra)}",
                                f"以下列不是基础数据项，已忽略：{'、'.join(extra)}", fatal=False))
    rows = list(range(1, len(frame) + 1))
    codes: list[str | None] = []
    for i, v in enumerate(frame[gcol]):
        try:
            codes.append(read.code_value(v))
        except read.CodeProblem as exc:
            problems.append(Problem(rows[i], exc.raw, exc.msg, exc.zh, "write the 15-digit grid code as text",
                                    "请以文本格式填写15位网格编码。"))
            codes.append(None)
    problems += duplicate_problems(rows, codes)
    known = {r[0] for r in db.tuples(conn, "SELECT code FROM grids WHERE level = 3 AND code = ANY(%(c)s)",
                                     {"c": [c for c in codes if c]})}
    records = []
    for i, code in enumerate(codes):
        if code is None:
            if not any(p.row == rows[i] for p in problems):
                problems.append(Problem(rows[i], None, "missing grid code", "缺少网格编码", "fill in 网格编码", "请填写网格编码。"))
            continue
        if code not in known:
            problems.append(Problem(rows[i], code, "no third-level grid has this code", "没有这个三级网格编码",
                                    "import the grids first, or check the code", "请先导入网格，或核对网格编码。"))
            continue
        for col, cat in items.items():
            n = _count(frame[col].iloc[i])
            if n is None:
                raw = read.text_value(frame[col].iloc[i])
                problems.append(Problem(rows[i], code, f"{col} {raw!r} is not a whole number >= 0",
                                        f"{col}“{raw or '空'}”不是非负整数", "write a count (0 for none)",
                                        "请填写数量（没有则填 0）。"))
                continue
            records.append({"grid_code": code, "category_code": cat, "n": n})
    as_of = opts.as_of or dt.date.today()
    report = Report("base-data", len(frame), "—", sorted(problems, key=lambda p: (p.row or 0, p.code or "")))
    return report, (records, as_of)


def write(conn, payload, report: Report) -> Report:
    records, as_of = payload
    done = db.tuples(conn, """
        INSERT INTO grid_base_counts AS t (grid_code, category_code, n, as_of)
        SELECT r.grid_code, r.category_code, r.n, %(as_of)s
          FROM jsonb_to_recordset(%(rows)s::jsonb) AS r(grid_code text, category_code text, n integer)
        ON CONFLICT (grid_code, category_code) DO UPDATE SET n = EXCLUDED.n, as_of = EXCLUDED.as_of
         WHERE t.n IS DISTINCT FROM EXCLUDED.n
        RETURNING (xmax = 0) AS inserted""", {"rows": json.dumps(records), "as_of": as_of})
    report.inserted = sum(1 for r in done if r[0])
    report.updated = len(done) - report.inserted
    report.unchanged = len(records) - len(done)
    report.written = True
    return report


def import_file(conn, path: Path, opts: Options) -> Report:
    report, payload = prepare(conn, path, opts)
    return load_all_or_nothing(conn, report, opts.dry_run, lambda: write(conn, payload, report))
