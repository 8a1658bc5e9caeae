"""Intake of new events: one report (a page) or a batch (the mobile terminals' CSV export).

A report is validated before anything is written: a known category, a description, an urgency, a
location (typed coordinates in WGS84 / GCJ-02 / BD-09, or a grid), which must fall in the county.
The grid comes from the point (grid_for_point), the deadline from the category's working-time
limit, the responsible department/team from the category (locality first: the event starts at its
village, or higher when the category says so). Event and its first log row go in one transaction.
"""
from __future__ import annotations

import datetime as dt
import json
import math
import re
from dataclasses import dataclass

from geo import db, worktime
from geo.assign import assign_points
from geo.coords import DATUMS
from geo.crs import STORE_SRID
from geo.db import dicts
from geo.errors import IntakeRefused, InvalidInput, OutsideCounty
from geo.places import check_code
from geo.status import PRIORITY_LABELS

PRIORITIES = PRIORITY_LABELS
MAX_DESCRIPTION = 2000
MAX_ADDRESS = 200
# A report's time: from 2000 to tomorrow (a clock a day fast is tolerated; 1900 and 2099 are typos).
OLDEST_REPORT = dt.datetime(2000, 1, 1, tzinfo=worktime.TZ)
REPORT_AHEAD = dt.timedelta(days=1)
# Control characters a text field may not hold (PostgreSQL refuses NUL; the others are invisible).
CONTROL_CHARS = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


@dataclass(frozen=True)
class Report:
    category_code: str
    description: str
    priority: int = 3
    lon: float | None = None
    lat: float | None = None
    datum: str = "wgs84"
    grid_code: str | None = None
    address: str | None = None
    reported_at: dt.datetime | None = None
    reporter: str = "平台录入"
    reporter_staff_id: int | None = None
    source: str = "platform"
    is_drill: bool = False          # 演练 (事故推演): in the queue, never in a statistic
    external_source: str | None = None   # the sending system and its own number for the report:
    external_id: str | None = None       # a second send of the same number creates nothing (see known())


@dataclass(frozen=True)
class Problem:
    row: int | None
    field: str
    message: str
    message_zh: str


def _categories(conn) -> dict[str, dict]:
    cur = conn.execute("SELECT code, name, department_code, team_code, limit_value, limit_unit, "
                       "default_level FROM event_categories")
    return {r["code"]: r for r in dicts(cur)}


def validate(reports: list[Report], categories: dict[str, dict]) -> list[Problem]:
    """Field checks that need no geometry: category, description, urgency, coordinates' form."""
    problems = []
    for i, r in enumerate(reports, start=1):
        row = i if len(reports) > 1 else None
        if r.category_code not in categories:
            problems.append(Problem(row, "category", f"unknown category {r.category_code!r}",
                                    f"事件类别“{r.category_code}”不存在，请从类别目录中选择。"))
        if not (r.description or "").strip():
            problems.append(Problem(row, "description", "description is empty", "请填写事件描述。"))
        elif len(r.description) > MAX_DESCRIPTION:
            problems.append(Problem(row, "description", f"description longer than {MAX_DESCRIPTION}",
                                    f"事件描述不能超过{MAX_DESCRIPTION}字。"))
        if r.address is not None and len(r.address) > MAX_ADDRESS:
            problems.append(Problem(row, "address", f"address longer than {MAX_ADDRESS}",
                                    f"地址不能超过{MAX_ADDRESS}字。"))
        for name, label, value in (("description", "事件描述", r.description), ("address", "地址", r.address),
                                   ("reporter", "上报人", r.reporter)):
            if value and CONTROL_CHARS.search(value):
                problems.append(Problem(row, name, f"{name} holds control characters (NUL, …)",
                                        f"{label}含有不可见的控制字符（如 NUL），请删除后重试。"))
        if r.reported_at is not None:
            if r.reported_at.tzinfo is None:
                problems.append(Problem(row, "reported_at", "reported_at has no time zone",
                                        "上报时间缺少时区，请写成 2026-11-28T09:30:00+08:00。"))
            elif not OLDEST_REPORT <= r.reported_at <= dt.datetime.now(dt.timezone.utc) + REPORT_AHEAD:
                problems.append(Problem(row, "reported_at", f"reported_at {r.reported_at:%Y-%m-%d} is outside "
                                        "2000 .. tomorrow",
                                        f"上报时间 {r.reported_at:%Y-%m-%d %H:%M} 超出合理范围（2000年以后，不晚于明天），请核对日期。"))
        if r.priority not in PRIORITIES:
            problems.append(Problem(row, "priority", f"priority {r.priority!r} is not 1, 2 or 3",
                                    "紧急程度应为 特急(1)、紧急(2) 或 一般(3)。"))
        if r.grid_code is None:
            if r.lon is None or r.lat is None:
                problems.append(Problem(row, "location", "no location", "请填写坐标或选择网格。"))
            elif not all(isinstance(v, (int, float)) and math.isfinite(v) for v in (r.lon, r.lat)):
                problems.append(Problem(row, "location", f"({r.lon}, {r.lat}) is not a longitude/latitude",
                                        f"坐标（{r.lon}, {r.lat}）不是有效的经纬度。"))
            elif 20 < r.lon < 60 and 100 < r.lat < 140:
                problems.append(Problem(row, "location", "longitude and latitude look swapped",
                                        "经纬度似乎填反了：江阴的经度约120、纬度约32。"))
            elif not (-180 <= r.lon <= 180 and -90 <= r.lat <= 90):
                problems.append(Problem(row, "location", f"({r.lon}, {r.lat}) is not a longitude/latitude",
                                        f"坐标（{r.lon}, {r.lat}）不是有效的经纬度。"))
            if r.datum not in DATUMS:
                problems.append(Problem(row, "datum", f"unknown datum {r.datum!r}",
                                        "坐标系应为 WGS84、GCJ-02 或 BD-09。"))
        else:
            try:
                check_code(r.grid_code, 3)
            except InvalidInput as exc:
                problems.append(Problem(row, "grid", exc.message, exc.message_zh))
    return problems


_GRID_POINT = """
SELECT code, ST_X(ST_PointOnSurface(geom)) AS lon, ST_Y(ST_PointOnSurface(geom)) AS lat
  FROM grids WHERE code = ANY (%(codes)s::text[]) AND level = 3 AND kind = 'admin'
"""
_INSERT = """
INSERT INTO events (id, category_code, priority, handling_level, reported_at, due_at, location, grid_code,
                    description, address, source, reporter_staff_id, reporter_name, assignee_department,
                    assignee_team, is_drill, external_source, external_id, is_demo)
SELECT r.id, r.category_code, r.priority, r.level, r.reported_at, r.due_at,
       ST_SetSRID(ST_MakePoint(r.lon, r.lat), %(srid)s), r.grid_code, r.description, r.address,
       r.source, r.reporter_staff_id, CASE WHEN r.reporter_staff_id IS NULL THEN r.reporter END,
       r.department, r.team, r.is_drill, r.external_source, r.external_id,
       -- a demo worker's report (the live demo feed) is demo data like the rest
       coalesce((SELECT s.is_demo FROM staff s WHERE s.id = r.reporter_staff_id), false)
  FROM jsonb_to_recordset(%(rows)s::jsonb) AS r(
       category_code text, priority smallint, level text, reported_at timestamptz, due_at timestamptz,
       lon float8, lat float8, grid_code text, description text, address text, source text,
       reporter_staff_id bigint, reporter text, department text, team text, id bigint, is_drill boolean,
       external_source text, external_id text)
"""
_IDS = "SELECT nextval(pg_get_serial_sequence('events', 'id')) FROM generate_series(1, %(n)s)"
_FIRST_LOG = """
INSERT INTO event_log (event_id, at, actor, actor_role, from_status, to_status, level, note)
SELECT (x.r->>'id')::bigint, (x.r->>'reported_at')::timestamptz, x.r->>'reporter', 'reporter', NULL,
       'reported', x.r->>'level', NULL
  FROM jsonb_array_elements(%(rows)s::jsonb) AS x(r)
"""


_PLACE = "SELECT * FROM jy_place_of_point(%(x)s, %(y)s)"


def place_of_point(conn, lon: float, lat: float) -> dict | None:
    """Grid, village and town (names) of a CGCS2000 point, whatever the viewer's scope
    (jy_place_of_point, migration 009); None outside the county."""
    rows = dicts(conn.execute(_PLACE, {"x": lon, "y": lat}))
    return rows[0] if rows else None


def point_preview(conn, lon: float, lat: float, datum: str = "wgs84") -> tuple[dict | None, Problem | None]:
    """Where a report at this point would land, before it is sent (the map pick on 事件上报): the
    place (grid, village, town) or the very problem submit() would give for the point."""
    located, problems = locate(conn, [Report("", "", lon=lon, lat=lat, datum=datum)])
    if problems:
        return None, problems[0]
    x, y, _code = located[0]
    return place_of_point(conn, x, y), None


def outside_problem(conn, row: int | None, lon, lat, datum: str, x: float, y: float) -> Problem:
    """A point the viewer cannot report at: outside their area (named) or outside the county."""
    place = place_of_point(conn, x, y)
    if place is not None:
        return Problem(row, "location", f"({lon}, {lat}, {datum}) is outside the reporter's area "
                                         f"(in {place['town_code']} / {place['village_code']})",
                       f"坐标（{lon}, {lat}）不在您的辖区（属于{place['town_name']}{place['village_name']}）。"
                       "请上报本辖区的事件，或联系该村社区、镇街。")
    return Problem(row, "location", f"({lon}, {lat}, {datum}) is outside Jiangyin county",
                   f"坐标（{lon}, {lat}）不在江阴市范围内（例如在长江中或外市）。请检查经纬度和坐标系。")


def locate(conn, reports: list[Report]) -> tuple[list[tuple[float, float, str]], list[Problem]]:
    """Point (CGCS2000) and grid for each report; a problem for points outside the county."""
    import numpy as np

    from geo.coords import to_wgs84

    out: list = [None] * len(reports)
    problems = []
    by_grid = {r.grid_code for r in reports if r.grid_code}
    if by_grid:
        found = {row["code"]: row for row in dicts(conn.execute(_GRID_POINT, {"codes": sorted(by_grid)}))}
        for i, r in enumerate(reports):
            if r.grid_code:
                g = found.get(r.grid_code)
                if g is None:
                    problems.append(Problem(i + 1 if len(reports) > 1 else None, "grid",
                                            f"no third-level grid {r.grid_code}",
                                            f"没有编码为 {r.grid_code} 的三级网格。"))
                else:
                    out[i] = (g["lon"], g["lat"], r.grid_code)
    idx = [i for i, r in enumerate(reports) if not r.grid_code]
    for datum in DATUMS:
        sel = [i for i in idx if reports[i].datum == datum]
        if not sel:
            continue
        x, y = to_wgs84(np.array([reports[i].lon for i in sel]), np.array([reports[i].lat for i in sel]), datum)
        codes = assign_points(conn, x, y)
        for i, xi, yi, code in zip(sel, x, y, codes):
            if code is None:
                r = reports[i]
                problems.append(outside_problem(conn, i + 1 if len(reports) > 1 else None, r.lon, r.lat,
                                                r.datum, float(xi), float(yi)))
            else:
                out[i] = (float(xi), float(yi), code)
    return out, problems


def submit(conn, reports: list[Report], now: dt.datetime | None = None) -> list[int]:
    """Validate and insert the reports in one transaction; InvalidInput lists every problem."""
    now = now or dt.datetime.now(worktime.TZ)
    cats = _categories(conn)
    problems = validate(reports, cats)
    with conn.transaction():
        # Locate the rows whose fields passed, so one report lists every problem of every row.
        bad_rows = {p.row for p in problems}
        if len(reports) == 1 and problems:
            bad_rows = {None}
        check = [i for i in range(len(reports)) if (i + 1 if len(reports) > 1 else None) not in bad_rows]
        located_some, where = locate(conn, [reports[i] for i in check])
        for p in where:
            row = check[(p.row or 1) - 1] + 1 if len(reports) > 1 else None
            problems.append(Problem(row, p.field, p.message, p.message_zh))
        if problems:
            raise IntakeRefused(sorted(problems, key=lambda p: (p.row or 0, p.field)))
        located: list = [None] * len(reports)
        for i, loc in zip(check, located_some):
            located[i] = loc
        rows = []
        ids = [r[0] for r in db.tuples(conn, _IDS, {"n": len(reports)})]
        for eid, r, (lon, lat, grid) in zip(ids, reports, located):
            cat = cats[r.category_code]
            at = r.reported_at or now
            due = worktime.due_at(at, float(cat["limit_value"]), cat["limit_unit"], r.priority)
            rows.append({"category_code": r.category_code, "priority": r.priority,
                         "level": cat["default_level"], "reported_at": at.isoformat(),
                         "due_at": due.isoformat(), "lon": lon, "lat": lat, "grid_code": grid,
                         "description": r.description.strip(), "address": r.address, "source": r.source,
                         "reporter_staff_id": r.reporter_staff_id, "department": cat["department_code"],
                         "team": cat["team_code"], "reporter": r.reporter[:80], "id": eid,
                         "is_drill": r.is_drill, "external_source": r.external_source,
                         "external_id": r.external_id})
        payload = json.dumps(rows, ensure_ascii=False)
        conn.execute(_INSERT, {"rows": payload, "srid": STORE_SRID})
        conn.execute(_FIRST_LOG, {"rows": payload})
    return ids


def known(conn, external_source: str, external_id: str) -> int | None:
    """The event already created for this sender's number (None if there is none): an idempotent
    replay returns it instead of reporting again. Row-level security confines it to the caller's
    area, like every read."""
    return db.value(conn, "SELECT id FROM events WHERE external_source = %(s)s AND external_id = %(e)s",
                    {"s": external_source, "e": external_id})


__all__ = ["Report", "Problem", "IntakeRefused", "submit", "validate", "OutsideCounty"]
