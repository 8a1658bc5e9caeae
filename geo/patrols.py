"""铁脚板: the terminals' catalogues (170 collection items of the 29 departments, 159 patrol items),
the patrol checks and collection records they send, and the coverage the towns read.

A patrol check is one item inspected at a point: 正常 (ok) or 发现问题 (fail). A failed check raises an
event of the item's category through the one intake path (geo.intake.submit) in the same
transaction as the check, so there is never a failed check without its event nor an event without its
check. A collection record answers an item's form; the answers are checked against the form (types,
required fields, choices, ranges). Both carry the terminal's own number (external_id): a replay
returns the first record and writes nothing (offline terminals send again when they are back).
"""
from __future__ import annotations

import datetime as dt
import hashlib
import json
from dataclasses import dataclass

import numpy as np
import psycopg
from psycopg.types.json import Jsonb

from geo import db, intake, terminals
from geo.errors import IdempotencyConflict, InvalidInput, NotFound, OutOfScope, OutsideCounty
from geo.sqlfiles import query
from geo.worktime import TZ

KINDS = ("collection", "patrol")
RESULTS = {"ok": "正常", "fail": "发现问题"}
FREQUENCY_LABELS = {"daily": "每日", "weekly": "每周", "monthly": "每月", "once": "一次", "quarterly": "每季度",
                    "yearly": "每年"}
FIELD_TYPES = {"text": "文字", "int": "整数", "number": "数字", "bool": "是/否", "choice": "选项", "date": "日期"}
MAX_TEXT = 500

_CATALOGUE = {
    "patrol": """SELECT p.code, p.name, p.class_name, p.frequency, p.event_category_code, c.name AS event_category,
                        p.question
                   FROM patrol_items p JOIN event_categories c ON c.code = p.event_category_code ORDER BY p.code""",
    "collection": """SELECT i.code, i.name, i.department_code, d.name AS department, i.frequency, i.applies_to, i.form
                       FROM collection_items i JOIN departments d ON d.code = i.department_code ORDER BY i.code""",
}


def catalogue(pool, kind: str) -> tuple[str, list[dict]]:
    """(version, items) of one catalogue; the version changes whenever an item does (an ETag)."""
    if kind not in KINDS:
        raise NotFound(f"no catalogue {kind!r}", f"没有“{kind}”目录：可用 {'、'.join(KINDS)}。")
    items = db.rows(pool, _CATALOGUE[kind])
    for it in items:
        it["frequency_label"] = FREQUENCY_LABELS[it["frequency"]]
    version = hashlib.sha256(json.dumps(items, ensure_ascii=False, sort_keys=True).encode()).hexdigest()[:16]
    return version, items


@dataclass(frozen=True)
class Fix:
    """Where and when a record was made: the point (CGCS2000), its grid, village and town."""
    x: float
    y: float
    at: dt.datetime
    grid_code: str
    village_code: str
    town_code: str


def _where(conn, worker, lon: float, lat: float, datum: str, at: dt.datetime | None, now: dt.datetime) -> Fix:
    """The record's point and time checked: a datum we know, a point in the worker's own village, a
    time within the last 7 days with a time zone."""
    x, y, at = terminals.field_point(lon, lat, datum, at, now, "record", "记录")
    place = intake.place_of_point(conn, x, y)
    if place is None:
        raise OutsideCounty(f"({lon}, {lat}, {datum}) is outside Jiangyin county",
                            f"地点（{lon}, {lat}）不在江阴市范围内：请检查定位和坐标系。")
    if place["village_code"] != worker.village_code:
        raise OutOfScope(f"the point is in village {place['village_code']}, not the worker's {worker.village_code}",
                         f"该地点在{place['town_name']}{place['village_name']}，不在您负责的村社区。")
    return Fix(x, y, at, place["grid_code"], place["village_code"], place["town_code"])


def _text(value: str | None, label: str) -> str | None:
    value = (value or "").strip()
    if len(value) > MAX_TEXT:
        raise InvalidInput(f"{label} longer than {MAX_TEXT}", f"{label}不能超过 {MAX_TEXT} 字。")
    return value or None


def _number(value: str) -> str:
    value = (value or "").strip()
    if not 1 <= len(value) <= 64:
        raise InvalidInput("external_id must be 1–64 characters", "记录编号（external_id）应为 1–64 个字符。")
    return value


_CHECK_OF = """SELECT id, item_code, result, event_id, grid_code, at FROM patrol_checks
                WHERE staff_id = %(staff)s AND external_id = %(ext)s"""
_INSERT_CHECK = """
INSERT INTO patrol_checks (staff_id, item_code, at, location, grid_code, village_code, town_code, result, note,
                           event_id, external_id)
VALUES (%(staff)s, %(item)s, %(at)s, ST_SetSRID(ST_MakePoint(%(x)s, %(y)s), 4490), %(grid)s, %(village)s, %(town)s,
        %(result)s, %(note)s, %(event)s, %(ext)s)
RETURNING id, item_code, result, event_id, grid_code, at"""


def _replayed(first: dict, item_code: str, result: str, number: str) -> dict:
    if (first["item_code"], first["result"]) != (item_code, result):
        raise IdempotencyConflict(f"external_id {number!r} was used for another check",
                                  f"记录编号 {number} 已用于另一条巡查记录（{first['item_code']}），请换一个编号。")
    return {**first, "replayed": True}


def record_check(where, worker, item_code: str, result: str, lon: float, lat: float, datum: str = "wgs84",
                 at: dt.datetime | None = None, note: str | None = None, external_id: str = "",
                 photos=(), now: dt.datetime | None = None) -> dict:
    """A patrol check from a terminal (`where` is its scoped pool). A failed one raises its event in
    the same transaction. Returns {id, item_code, result, event_id, grid_code, at, replayed}."""
    now = now or dt.datetime.now(dt.timezone.utc)
    number = _number(external_id)
    if result not in RESULTS:
        raise InvalidInput(f"result {result!r}", "巡查结果（result）应为 ok（正常）或 fail（发现问题）。")
    note = _text(note, "情况说明")
    if result == "fail" and not note:
        raise InvalidInput("a failed check needs a note", "发现问题时请填写情况说明（note），它将成为事件描述。")
    if photos and result != "fail":
        raise InvalidInput("photos go with a failed check", "照片只随“发现问题”的巡查记录提交。")
    key = {"staff": worker.staff_id, "ext": number}
    try:
        with where.connection() as conn:
            first = db.one(conn, _CHECK_OF, key)
            if first is not None:
                return _replayed(first, item_code, result, number)
            item = db.one(conn, "SELECT p.code, p.name, p.event_category_code FROM patrol_items p "
                                "WHERE p.code = %(c)s", {"c": item_code})
            if item is None:
                raise NotFound(f"no patrol item {item_code!r}",
                               f"巡查项目“{item_code}”不存在：请先更新巡查目录（/api/v1/catalogue/patrol）。")
            fix = _where(conn, worker, lon, lat, datum, at, now)
            event_id = None
            if result == "fail":
                source = f"terminal:{worker.terminal_id}"
                rep = intake.Report(item["event_category_code"], f"巡查发现（{item['name']}）：{note}", 3, fix.x, fix.y,
                                    "wgs84", reported_at=fix.at, source="grid_app", external_id=f"patrol:{number}")
                by = intake.Reporter(source, "grid_worker", worker.label, "api", staff_id=worker.staff_id,
                                     external_source=source)
                event_id = intake.submit(conn, [rep], by=by, photos=photos)[0]
            row = db.one(conn, _INSERT_CHECK, {**key, "item": item_code, "at": fix.at, "x": fix.x, "y": fix.y,
                                               "grid": fix.grid_code, "village": fix.village_code,
                                               "town": fix.town_code, "result": result, "note": note,
                                               "event": event_id})
            assert row is not None
            return {**row, "replayed": False}
    except psycopg.errors.UniqueViolation:             # the same check sent twice at once: the first stands
        with where.connection() as conn:
            first = db.one(conn, _CHECK_OF, key)
        if first is None:
            raise
        return _replayed(first, item_code, result, number)


def _answers(form: list[dict], answers: dict) -> dict:
    """The answers checked against the item's form; every problem named at once."""
    if not isinstance(answers, dict):
        raise InvalidInput("answers must be an object", "answers 应为 {字段: 值} 形式的对象。")
    known = {f["key"]: f for f in form}
    problems = [f"未知字段“{k}”" for k in answers if k not in known]
    out: dict = {}
    for key, f in known.items():
        v = answers.get(key)
        if v is None or v == "":
            if f.get("required"):
                problems.append(f"{f['label']}（{key}）必填")
            continue
        kind = f["type"]
        ok = True
        if kind == "text":
            ok = isinstance(v, str) and len(v) <= MAX_TEXT
        elif kind in ("int", "number"):
            ok = (isinstance(v, int) if kind == "int" else isinstance(v, (int, float))) and not isinstance(v, bool)
            ok = ok and bool(np.isfinite(v)) and f.get("min", -1e15) <= v <= f.get("max", 1e15)
        elif kind == "bool":
            ok = isinstance(v, bool)
        elif kind == "choice":
            ok = v in f.get("choices", [])
        elif kind == "date":
            try:
                dt.date.fromisoformat(v)
            except (TypeError, ValueError):
                ok = False
        if not ok:
            rule = {"choice": "应为 " + "、".join(f.get("choices", [])) + " 之一",
                    "int": f"应为 {f.get('min', '')}–{f.get('max', '')} 之间的整数",
                    "number": f"应为 {f.get('min', '')}–{f.get('max', '')} 之间的数字",
                    "date": "应为日期（YYYY-MM-DD）", "bool": "应为 true 或 false",
                    "text": f"应为不超过 {MAX_TEXT} 字的文字"}[kind]
            problems.append(f"{f['label']}（{key}）{rule}")
        else:
            out[key] = v
    if problems:
        raise InvalidInput("answers do not fit the form: " + "; ".join(problems), "采集内容有误：" + "；".join(problems) + "。")
    return out


_RECORD_OF = """SELECT id, item_code, grid_code, at, answers FROM collection_records
                 WHERE staff_id = %(staff)s AND external_id = %(ext)s"""
_INSERT_RECORD = """
INSERT INTO collection_records (staff_id, item_code, at, location, grid_code, village_code, town_code, answers,
                                external_id)
VALUES (%(staff)s, %(item)s, %(at)s, ST_SetSRID(ST_MakePoint(%(x)s, %(y)s), 4490), %(grid)s, %(village)s, %(town)s,
        %(answers)s, %(ext)s)
RETURNING id, item_code, grid_code, at, answers"""


def record_collection(where, worker, item_code: str, answers: dict, lon: float, lat: float, datum: str = "wgs84",
                      at: dt.datetime | None = None, external_id: str = "", now: dt.datetime | None = None) -> dict:
    """A collection record from a terminal; its answers checked against the item's form."""
    now = now or dt.datetime.now(dt.timezone.utc)
    number = _number(external_id)
    key = {"staff": worker.staff_id, "ext": number}
    try:
        with where.connection() as conn:
            first = db.one(conn, _RECORD_OF, key)
            if first is not None:
                if first["item_code"] != item_code:
                    raise IdempotencyConflict(f"external_id {number!r} was used for another record",
                                              f"记录编号 {number} 已用于另一条采集记录，请换一个编号。")
                return {**first, "replayed": True}
            item = db.one(conn, "SELECT code, form FROM collection_items WHERE code = %(c)s", {"c": item_code})
            if item is None:
                raise NotFound(f"no collection item {item_code!r}",
                               f"采集项目“{item_code}”不存在：请先更新采集目录（/api/v1/catalogue/collection）。")
            clean = _answers(item["form"], answers)
            fix = _where(conn, worker, lon, lat, datum, at, now)
            row = db.one(conn, _INSERT_RECORD, {**key, "item": item_code, "at": fix.at, "x": fix.x, "y": fix.y,
                                                "grid": fix.grid_code, "village": fix.village_code,
                                                "town": fix.town_code, "answers": Jsonb(clean)})
            assert row is not None
            return {**row, "replayed": False}
    except psycopg.errors.UniqueViolation:
        with where.connection() as conn:
            first = db.one(conn, _RECORD_OF, key)
        if first is None:
            raise
        return {**first, "replayed": True}


def week_start(today: dt.date) -> dt.date:
    """Monday of the local week of `today` (本周 = Monday 00:00 Beijing time until now)."""
    return today - dt.timedelta(days=today.weekday())


def coverage(pool, town_code: str | None, start: dt.date, days: int = 7) -> list[dict]:
    """Patrol coverage per village of a town (per town for the city, town_code None) for the local
    days [start, start + days): third-level grids, grids with at least one patrol check, checks,
    failed checks, and the share covered (geo.metrics 本周巡查覆盖率)."""
    t0 = dt.datetime.combine(start, dt.time(0), TZ)
    return query(pool, "patrol_coverage", {"town": town_code, "t0": t0, "t1": t0 + dt.timedelta(days=days)})
