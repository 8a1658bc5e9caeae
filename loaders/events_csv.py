"""Bulk intake of the mobile terminals' CSV export: `python -m loaders events FILE`.

Columns (Chinese or English headers): 类别编码/category_code, 描述/description, 紧急程度/priority
(1 特急, 2 紧急, 3 一般, or the words), 经度/lon, 纬度/lat, optional 上报时间/reported_at,
终端编号/terminal_id, 地址/address, 网格编码/grid_code (instead of coordinates).
Every row is checked; if any row is refused, nothing is loaded, and the report names each refused
row with its reason. UTF-8 (with or without BOM) and GBK files are read.
"""
from __future__ import annotations

import csv
import datetime as dt
import io
from dataclasses import dataclass
from pathlib import Path

from geo.intake import IntakeRefused, Problem, Report, submit
from geo.worktime import TZ

ALIASES = {
    "category_code": ("category_code", "类别编码", "事件类别编码", "类别"),
    "description": ("description", "描述", "事件描述"),
    "priority": ("priority", "紧急程度", "urgency"),
    "lon": ("lon", "lng", "longitude", "经度"),
    "lat": ("lat", "latitude", "纬度"),
    "reported_at": ("reported_at", "上报时间", "time"),
    "terminal_id": ("terminal_id", "终端编号", "终端"),
    "address": ("address", "地址"),
    "grid_code": ("grid_code", "网格编码"),
}
PRIORITY_WORDS = {"特急": 1, "紧急": 2, "一般": 3, "1": 1, "2": 2, "3": 3}


@dataclass
class Result:
    rows: int
    loaded: list[int]
    problems: list[Problem]


def read_text(path: Path, encoding: str | None = None) -> str:
    """The rows as CSV text: a CSV in UTF-8 (with or without BOM) or GBK, or the first sheet of an
    XLSX workbook."""
    if path.suffix.lower() == ".xlsx":
        import pandas as pd

        try:
            return pd.read_excel(path, dtype=str, engine="openpyxl").fillna("").to_csv(index=False)
        except Exception as exc:  # noqa: BLE001 - any damage to the workbook is one clear message
            raise ValueError(f"{path} cannot be read as an XLSX workbook ({exc.__class__.__name__})") from exc
    raw = path.read_bytes()
    for enc in ([encoding] if encoding else ["utf-8-sig", "gbk"]):
        try:
            return raw.decode(enc)
        except UnicodeDecodeError:
            continue
    raise ValueError(f"{path} is neither UTF-8 nor GBK text; save it as UTF-8 CSV")


def parse(text: str, datum: str) -> tuple[list[Report], list[Problem], dict[int, str]]:
    reader = csv.DictReader(io.StringIO(text))
    if not reader.fieldnames:
        raise ValueError("the file has no header row")
    headers = {h.strip(): h for h in reader.fieldnames if h}
    column = {}
    for field, names in ALIASES.items():
        column[field] = next((headers[n] for n in names if n in headers), None)
    missing = [f for f in ("category_code", "description", "priority") if column[f] is None]
    if column["grid_code"] is None and (column["lon"] is None or column["lat"] is None):
        missing.append("lon/lat (经度/纬度) or grid_code (网格编码)")
    if missing:
        raise ValueError("missing columns: " + ", ".join(missing) + f" (found: {', '.join(headers)})")
    reports, problems, terminals = [], [], {}
    for i, row in enumerate(reader, start=1):
        get = lambda f: (row.get(column[f]) or "").strip() if column[f] else ""  # noqa: E731
        bad = []
        prio = PRIORITY_WORDS.get(get("priority"))
        if prio is None:
            bad.append(Problem(i, "priority", f"priority {get('priority')!r} is not 1/2/3 or 特急/紧急/一般",
                               "紧急程度应为 特急/紧急/一般 或 1/2/3。"))
        lon = lat = None
        if not get("grid_code"):
            try:
                lon, lat = float(get("lon")), float(get("lat"))
            except ValueError:
                bad.append(Problem(i, "location", f"coordinates {get('lon')!r}, {get('lat')!r} are not numbers",
                                   "经纬度不是数字。"))
        at = None
        if get("reported_at"):
            try:
                at = dt.datetime.fromisoformat(get("reported_at"))
                at = at if at.tzinfo else at.replace(tzinfo=TZ)
            except ValueError:
                bad.append(Problem(i, "reported_at", f"time {get('reported_at')!r} is not like 2026-11-27 09:30",
                                   "上报时间格式应为 2026-11-27 09:30。"))
        if bad:
            problems.extend(bad)
            reports.append(None)
            continue
        terminals[i] = get("terminal_id")
        reports.append(Report(get("category_code"), get("description"), prio, lon, lat, datum,
                              get("grid_code") or None, get("address") or None, at,
                              reporter=f"终端 {get('terminal_id')}" if get("terminal_id") else "移动终端",
                              source="grid_app"))
    return reports, problems, terminals


def load_file(conn, path: Path, datum: str = "wgs84", dry_run: bool = False,
              encoding: str | None = None) -> Result:
    reports, problems, _ = parse(read_text(path, encoding), datum)
    good = [(i, r) for i, r in enumerate(reports, start=1) if r is not None]
    try:
        with conn.transaction():
            ids = submit(conn, [r for _, r in good]) if good else []
            if problems:
                raise IntakeRefused(problems)
            if dry_run:
                raise _DryRun(ids)        # leaving the block by an exception rolls it back
    except IntakeRefused as exc:
        # Row numbers from submit() count the good rows only: map them back to the file.
        fixed = [p if p in problems else Problem(good[p.row - 1][0] if p.row else good[0][0], p.field,
                                                 p.message, p.message_zh)
                 for p in exc.problems]
        merged = {(p.row, p.field, p.message): p for p in problems + fixed}
        return Result(len(reports), [], sorted(merged.values(), key=lambda p: (p.row or 0, p.field)))
    except _DryRun as dry:
        return Result(len(reports), dry.ids, [])
    return Result(len(reports), ids, [])


class _DryRun(Exception):
    """Raised inside the transaction to roll back a dry run."""

    def __init__(self, ids):
        super().__init__("dry run")
        self.ids = ids
