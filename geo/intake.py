"""Intake of new events: the one write path of a report, whoever sends it — the dashboard's form, a
terminal (API), another system (Open311), a file (loaders.importer.events), a drill, a test.

Every report goes the same way, one row or two hundred thousand:
  check   the one validator (vectorised over text columns): category by code or name, description,
          urgency, datum, coordinates or a grid, time, lengths, control characters
  place   coordinates to CGCS2000 (GCJ-02 and BD-09 converted on the way in), the point → grid rule
          (an STRtree of the grids for large batches, the SQL rule for the rest), the reporter's area
  route   handling level, department and team from the category; the deadline from its limit
  write   events and their first log rows in one statement, then the audit row naming who sent it
          and from where — all in the caller's transaction, nothing half-written.
`submit` takes Report objects; the importer feeds file chunks to the same functions.
"""
from __future__ import annotations

import datetime as dt
import difflib
import hashlib
import io
import json
import math
import re
from dataclasses import dataclass, replace
from typing import Any, Callable, TypeVar

import numpy as np
import pandas as pd
import psycopg
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pa_csv
import shapely
from psycopg import sql

from geo import audit, codes, db, worktime
from geo.assign import assign_points
from geo.coords import DATUMS, to_wgs84
from geo.crs import STORE_SRID
from geo.db import dicts
from geo.errors import IdempotencyConflict, IntakeRefused, OutsideCounty, Problem
from geo.status import PRIORITY_LABELS
from geo.worktime import TZ

PRIORITIES = PRIORITY_LABELS
T = TypeVar("T")
# The limits of a report's fields (the API's request models and the forms show the same numbers).
MAX_DESCRIPTION = 2000
MAX_ADDRESS = 200
LIMITS = {"description": MAX_DESCRIPTION, "address": MAX_ADDRESS, "reporter": 80, "external_id": 64,
          "terminal_id": 40, "category": 60}
LABELS = {"description": "事件描述", "address": "地址", "reporter": "上报人", "external_id": "上报编号",
          "terminal_id": "终端编号", "category": "事件类别"}
TEXT_FIELDS = ("category", "description", "address", "reporter", "external_id", "terminal_id")
# A report's time: from 2000 to tomorrow (a clock a day fast is tolerated; 1900 and 2099 are typos).
OLDEST_REPORT = dt.datetime(2000, 1, 1, tzinfo=worktime.TZ)
REPORT_AHEAD = dt.timedelta(days=1)
# Control characters a text field may not hold (PostgreSQL refuses NUL; the others are invisible).
CONTROL_CHARS = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
PRIORITY_WORDS = {**{label: code for code, label in PRIORITY_LABELS.items()}, "普通": 3,
                  **{str(code): code for code in PRIORITY_LABELS}}
DATUM_WORDS = {"wgs84": "wgs84", "wgs-84": "wgs84", "gps": "wgs84", "cgcs2000": "wgs84", "epsg:4490": "wgs84",
               "epsg:4326": "wgs84", "4490": "wgs84", "4326": "wgs84", "天地图": "wgs84",
               "gcj02": "gcj02", "gcj-02": "gcj02", "高德": "gcj02", "腾讯": "gcj02", "火星坐标": "gcj02",
               "bd09": "bd09", "bd-09": "bd09", "百度": "bd09"}
# More rows than this are placed with an STRtree of the grids in memory, fewer by the SQL rule.
TREE_ROWS = 2_000


@dataclass(frozen=True)
class Report:
    category_code: str                  # a code or a category's Chinese name
    description: str = ""
    priority: int = 3
    lon: float | None = None
    lat: float | None = None
    datum: str = "wgs84"
    grid_code: str | None = None
    address: str | None = None
    reported_at: dt.datetime | None = None
    reporter: str | None = None         # the reporter's name on the event; default: who sends it
    source: str = "platform"            # events.source: platform | grid_app | hotline | police | …
    is_drill: bool = False              # 演练 (事故推演): in the queue, never in a statistic
    external_id: str | None = None      # the sender's own number: a second send creates nothing (replay())
    digest: str | None = None           # the sending's fingerprint(): the same number with another body is a 409
    address_match: str | None = None    # placed by a person from the address review queue: the address chosen
    address_score: float | None = None


@dataclass(frozen=True)
class Reporter:
    """Who sends reports, and from where: the audit row's account and role, the name the events
    carry, the staff member behind a terminal, and the surface (dashboard, api, open311, import,
    cli, drill, test). external_source scopes the sender's own report numbers."""
    username: str
    role: str | None
    name: str
    via: str
    staff_id: int | None = None
    external_source: str | None = None


# ------------------------------------------------------------------------------------------ catalogue
class Catalogue:
    """The event categories, by code and by Chinese name. `Catalogue.of(conn)` is the one read at most
    once a minute per database (reference data, changed only by loading it again), not once a report."""

    TTL_S = 60.0

    @classmethod
    def of(cls, conn) -> Catalogue:
        return db.kept(conn, "event_categories", cls.TTL_S, lambda: cls(conn), keep=lambda c: not c.frame.empty)

    def __init__(self, conn):
        rows = db.tuples(conn, "SELECT code, name, department_code, team_code, limit_value, limit_unit, "
                               "default_level FROM event_categories")
        cols = ["code", "name", "department", "team", "limit_value", "limit_unit", "level"]
        self.frame = pd.DataFrame(rows, columns=cols).set_index("code")
        self.by_name = {n: c for c, n in zip(self.frame.index, self.frame.name)}
        self._codes = pa.array(list(self.frame.index), type=pa.string())
        self._names = pa.array(list(self.by_name), type=pa.string())
        self._name_codes = pa.array(list(self.by_name.values()), type=pa.string())

    def resolve(self, values: pa.Array) -> tuple[pa.Array, dict[str, str]]:
        """Codes for cells given as a code or a Chinese name (trimmed text); unknown -> null, with the
        closest names for each unknown value."""
        upper = pc.utf8_upper(values)
        code = pc.if_else(pc.is_in(upper, value_set=self._codes), upper,
                          pc.take(self._name_codes, pc.index_in(values, value_set=self._names)))
        hints = {}
        unknown = pc.filter(values, pc.is_null(code))
        for u in sorted(set(unknown.to_pylist()))[:200]:
            close = difflib.get_close_matches(u, list(self.by_name), n=3, cutoff=0.3)
            hints[u] = "、".join(f"{n}（{self.by_name[n]}）" for n in close)
        return code, hints


# ------------------------------------------------------------------------------------------ check
def _text(df: pd.DataFrame, name: str, n: int) -> pa.Array:
    """A column as trimmed text (Arrow), "" where it is missing or empty."""
    if name not in df.columns:
        return pa.array([""] * n, type=pa.string())
    col = df[name]
    try:
        arr = pa.array(col, type=pa.string(), from_pandas=True)
    except (pa.ArrowTypeError, pa.ArrowInvalid):          # numbers or other objects in an object column
        arr = pa.array(col.astype(str), type=pa.string(), from_pandas=True)
    if isinstance(arr, pa.ChunkedArray):
        arr = arr.combine_chunks()
    return pc.utf8_trim_whitespace(pc.fill_null(arr, ""))


def _is(mask) -> np.ndarray:
    """An Arrow boolean result as a numpy mask (null counts as false)."""
    return pc.fill_null(mask, False).to_numpy(zero_copy_only=False)


def _mapped(values: pa.Array, words: tuple[pa.Array, pa.Array]) -> pa.Array:
    """Each value looked up in `words` (keys, values: null where it is not a key)."""
    keys, mapped = words
    return pc.take(mapped, pc.index_in(values, value_set=keys))


def _words(words: dict) -> tuple[pa.Array, pa.Array]:
    return pa.array(list(words), type=pa.string()), pa.array(list(words.values()))


_PRIORITY_WORDS, _DATUM_WORDS = _words(PRIORITY_WORDS), _words(DATUM_WORDS)


def _numbers(values: pa.Array) -> np.ndarray:
    """Text to float64: NaN where it is not a finite number."""
    try:                                               # the usual case: every cell a number or empty
        out = pc.cast(_nulled(values), pa.float64()).to_numpy(zero_copy_only=False).astype(float)
    except (pa.ArrowInvalid, pa.ArrowTypeError):
        out = pd.to_numeric(values.to_numpy(zero_copy_only=False), errors="coerce").astype(float)
    out[~np.isfinite(out)] = np.nan
    return out


def _nulled(values: pa.Array) -> pa.Array:
    """Text with null where it is empty."""
    return pc.if_else(pc.equal(values, ""), pa.scalar(None, pa.string()), values)


def _nullable(values: pa.Array) -> np.ndarray:
    """Text as a numpy object array, None where empty."""
    return _nulled(values).to_numpy(zero_copy_only=False)


def _times(raw: pa.Array, index: pd.Index) -> pd.Series:
    """Report times in Jiangyin's zone (NaT where empty or unreadable); pandas reads the many ways a
    file writes them (format="mixed")."""
    given = _is(pc.not_equal(raw, ""))
    if not given.any():
        return pd.Series(pd.NaT, index=index, dtype=pd.DatetimeTZDtype("us", TZ))
    text = pd.Series(_nullable(raw), index=index, dtype=object)
    at = pd.to_datetime(text, errors="coerce", format="mixed", utc=False)
    if not isinstance(at.dtype, pd.DatetimeTZDtype):
        if at.dtype == object:        # offsets that differ between rows: each to UTC, then local
            at = pd.to_datetime(text, errors="coerce", format="mixed", utc=True)
            at = at.dt.tz_convert(TZ)
        else:                         # times without an offset are Jiangyin's
            at = at.dt.tz_localize(TZ, ambiguous="NaT", nonexistent="NaT")
    else:
        at = at.dt.tz_convert(TZ)
    return at


def check(df: pd.DataFrame, first_row: int, cat: Catalogue, default_datum: str, now: dt.datetime
          ) -> tuple[pd.DataFrame, list[Problem], pd.Series]:
    """The one validator. `df` has text columns (TEXT_FIELDS, priority, datum, lon, lat, grid_code,
    reported_at; a missing one counts as empty) and may carry others through. Returns the good rows
    (typed: category_code, priority, datum, lon, lat, grid_code, reported_at, time_given, …), every
    problem (row numbers from first_row) and every row's own number (row -> number).
    Vectorised in Arrow's compute kernels: a file's 200,000 rows and a terminal's one report take the
    same steps, and one row costs about a millisecond (pandas' per-call overhead was ~15 ms)."""
    n = len(df)
    rows = np.arange(first_row, first_row + n)
    problems: list[Problem] = []
    bad = np.zeros(n, dtype=bool)

    def flag(mask, field_, en, zh, hint="", hint_zh="", values=None):
        nonlocal bad
        mask = np.asarray(mask, dtype=bool)
        for i in np.flatnonzero(mask)[:1000]:
            v = None if values is None else values[int(i)].as_py()
            problems.append(Problem(int(rows[i]), v, en.format(v=v), zh.format(v=v), hint, hint_zh, field=field_))
        extra = int(mask.sum()) - 1000
        if extra > 0:
            problems.append(Problem(None, field_, f"{field_}: and {extra} more rows like this",
                                    f"另有 {extra} 行存在同样问题", field=field_))
        bad |= mask

    def empty(a: pa.Array) -> np.ndarray:
        return _is(pc.equal(a, ""))

    text = {f: _text(df, f, n) for f in TEXT_FIELDS}
    for f, s in text.items():
        flag(_is(pc.match_substring_regex(s, CONTROL_CHARS.pattern)), f, f"{f} holds control characters (NUL, …)",
             f"{LABELS[f]}“{{v}}”含有不可见的控制字符（如 NUL）", "remove them", "请删除后重试。",
             values=pc.utf8_slice_codeunits(s, 0, 30))
    for f, limit in LIMITS.items():
        flag(_is(pc.greater(pc.utf8_length(text[f]), limit)), f, f"{f} longer than {limit} characters",
             f"{LABELS[f]}不能超过{limit}字", "shorten it", "请缩短。")
    flag(empty(text["description"]), "description", "description is empty", "事件描述为空",
         "fill in 描述", "请填写事件描述。")

    category = text["category"]
    code, hints = cat.resolve(category)
    no_category = empty(category)
    unknown = _is(pc.is_null(code)) & ~no_category
    for i in np.flatnonzero(unknown)[:1000]:
        v = category[int(i)].as_py()
        problems.append(Problem(int(rows[i]), v, f"unknown category {v!r}" + (f"; closest: {hints[v]}" if hints.get(v) else ""),
                                f"事件类别“{v}”不存在" + (f"；最接近的有：{hints[v]}" if hints.get(v) else ""),
                                "use a category code or name of the catalogue", "请从类别目录中选择编码或名称。",
                                field="category"))
    bad |= unknown
    flag(no_category, "category", "category is empty", "事件类别为空", "fill in 事件类型", "请填写事件类别。")

    prio_raw = _text(df, "priority", n)
    prio = pc.if_else(pc.equal(prio_raw, ""), 3, _mapped(prio_raw, _PRIORITY_WORDS))
    flag(_is(pc.is_null(prio)), "priority", "priority (urgency) {v!r} is not 特急/紧急/一般 or 1/2/3", "紧急程度“{v}”无法识别",
         "write 特急, 紧急 or 一般 (or leave it empty: 一般)", "紧急程度应为 特急(1)、紧急(2) 或 一般(3)。", values=prio_raw)

    datum_text = _text(df, "datum", n)
    datum_raw = pc.utf8_lower(datum_text)
    # default_datum "" (a file whose 坐标系 column decides, 自动): an empty cell is not a guess either
    datum = pc.if_else(pc.equal(datum_raw, ""), pa.scalar(default_datum or None, pa.string()),
                       _mapped(datum_raw, _DATUM_WORDS))
    grid, lon_raw, lat_raw = _text(df, "grid_code", n), _text(df, "lon", n), _text(df, "lat", n)
    has_point = ~empty(lon_raw) | ~empty(lat_raw)
    flag(_is(pc.is_null(datum)) & has_point, "datum", "coordinate system {v!r} is unknown", "坐标系“{v}”无法识别",
         "write WGS84, GCJ-02 or BD-09", "坐标系应为 WGS84、GCJ-02（高德/腾讯）或 BD-09（百度）。", values=datum_text)
    datum = pc.fill_null(datum, "wgs84")          # rows without a point (a grid code) need none

    lon, lat = _numbers(lon_raw), _numbers(lat_raw)
    no_grid = empty(grid)
    no_loc = no_grid & empty(lon_raw) & empty(lat_raw)
    # no point and no grid, but an address: placed by the address register (place(), geo.addresses)
    by_address = no_loc & ~empty(text["address"])
    flag(no_loc & ~by_address, "location", "no location", "没有位置", "give coordinates, a grid or an address",
         "请填写坐标、选择网格或填写地址。")
    not_numbers = no_grid & ~no_loc & (np.isnan(lon) | np.isnan(lat))
    flag(not_numbers, "location", "coordinates {v!r} are missing or not numbers", "坐标“{v}”缺失或不是有效的经纬度",
         "fill in 经度 and 纬度 as numbers", "请填写数字形式的经度、纬度。",
         values=pc.binary_join_element_wise(lon_raw, lat_raw, ","))
    located = no_grid & ~no_loc & ~not_numbers
    with np.errstate(invalid="ignore"):
        swapped = located & (lon >= 20) & (lon <= 60) & (lat >= 100) & (lat <= 140)
        in_range = (lon >= -180) & (lon <= 180) & (lat >= -90) & (lat <= 90)
    flag(swapped, "location", "longitude and latitude look swapped", "经纬度似乎填反了",
         "Jiangyin is near 120E, 31.8N", "江阴的经度约120、纬度约32。")
    flag(located & ~swapped & ~in_range, "location", "({v}) is not a longitude/latitude", "坐标（{v}）不是有效的经纬度",
         "check the columns", "请检查经纬度。", values=pc.binary_join_element_wise(lon_raw, lat_raw, ", "))
    n_grid = codes.length(3)
    flag(~no_grid & ~_is(pc.match_substring_regex(grid, r"^\d{%d}$" % n_grid)), "grid_code",
         f"grid code {{v!r}} is not {n_grid} digits", f"网格编码“{{v}}”不是{n_grid}位数字", "", "", values=grid)

    at_raw = _text(df, "reported_at", n)
    at = _times(at_raw, df.index)
    flag(~empty(at_raw) & at.isna().to_numpy(), "reported_at", "time {v!r} is not like 2026-11-27 09:30",
         "上报时间“{v}”格式不对", "write 2026-11-27 09:30", "请按 2026-11-27 09:30 填写。", values=at_raw)
    out_of_range = at.notna() & ((at < pd.Timestamp(OLDEST_REPORT)) | (at > pd.Timestamp(now + REPORT_AHEAD)))
    flag(out_of_range.to_numpy(), "reported_at", "time {v!r} is outside 2000 .. tomorrow", "上报时间“{v}”超出合理范围",
         "check the date", "请核对日期（2000年以后，不晚于明天）。", values=at_raw)
    time_given = at.notna()
    at = at.fillna(pd.Timestamp(now).tz_convert(TZ).as_unit(at.dt.unit))

    ext, tid = text["external_id"], text["terminal_id"]
    reporter = pc.if_else(pc.not_equal(text["reporter"], ""), text["reporter"],
                          pc.if_else(pc.not_equal(tid, ""), pc.binary_join_element_wise("终端 ", tid, ""),
                                     pa.scalar("移动终端")))
    columns = {
        "row": rows, "category_code": code.to_numpy(zero_copy_only=False),
        "description": text["description"].to_numpy(zero_copy_only=False),
        "priority": pc.fill_null(prio, 3).to_numpy(zero_copy_only=False),
        "datum": datum.to_numpy(zero_copy_only=False), "lon": lon, "lat": lat, "grid_code": _nullable(grid),
        "reported_at": at, "address": _nullable(text["address"]),
        "reporter": reporter.to_numpy(zero_copy_only=False), "external_id": _nullable(ext),
        "time_given": time_given.to_numpy(), "by_address": by_address,
    }
    read = {*TEXT_FIELDS, "priority", "datum", "lon", "lat", "grid_code", "reported_at", "by_address"}
    for extra, values in df.items():                 # carried through as they came (source, is_drill, …)
        if extra not in read and extra not in columns:
            columns[extra] = values
    good = pd.DataFrame(columns, index=df.index)
    numbered = ~empty(ext)
    return good[~bad], problems, pd.Series(ext.filter(pa.array(numbered)).to_numpy(zero_copy_only=False),
                                           index=rows[numbered])


# ------------------------------------------------------------------------------------------ place
class Grids:
    """The third-level admin grids in an STRtree: the point -> grid rule's first step (smallest code
    among the grids whose closed polygon holds the point) for large batches; every point not inside
    exactly one grid goes to the SQL rule (grid_for_point), which decides."""

    def __init__(self, conn):
        rows = db.tuples(conn, "SELECT code, ST_AsBinary(geom) FROM grids WHERE level = 3 AND kind = 'admin' ORDER BY code")
        self.codes = np.array([r[0] for r in rows], dtype=object)
        self.geoms = np.array([shapely.from_wkb(bytes(r[1])) for r in rows], dtype=object)
        shapely.prepare(self.geoms)
        self.tree = shapely.STRtree(self.geoms)

    def assign(self, conn, x: np.ndarray, y: np.ndarray) -> np.ndarray:
        out = np.full(len(x), None, dtype=object)
        if not len(x):
            return out
        pi, gi = self.tree.query(shapely.points(x, y), predicate="intersects")
        hits = np.bincount(pi, minlength=len(x))
        one = hits == 1
        first = np.full(len(x), -1)
        first[pi[::-1]] = gi[::-1]
        out[one] = self.codes[first[one]]
        rest = np.flatnonzero(~one)
        if rest.size:
            out[rest] = assign_points(conn, x[rest], y[rest])
        return out


_GRID_POINT = """
SELECT code, ST_X(ST_PointOnSurface(geom)) AS lon, ST_Y(ST_PointOnSurface(geom)) AS lat
  FROM grids WHERE code = ANY (%(codes)s::text[]) AND level = 3 AND kind = 'admin'
"""
_PLACE = "SELECT * FROM jy_place_of_point(%(x)s, %(y)s)"


def place_of_point(conn, lon: float, lat: float) -> dict | None:
    """Grid, village and town (names) of a CGCS2000 point, whatever the viewer's scope
    (jy_place_of_point); None outside the county."""
    rows = dicts(conn.execute(_PLACE, {"x": lon, "y": lat}))
    return rows[0] if rows else None


def outside_problem(conn, row: int | None, lon, lat, datum: str, x: float, y: float) -> Problem:
    """A point the sender cannot report at: outside their area (named) or outside the county."""
    place = place_of_point(conn, x, y)
    if place is not None:
        return Problem(row, None, f"({lon}, {lat}, {datum}) is outside the reporter's area "
                                  f"(in {place['town_code']} / {place['village_code']})",
                       f"坐标（{lon}, {lat}）不在您的辖区（属于{place['town_name']}{place['village_name']}）",
                       "report events of your own area", "请上报本辖区的事件，或联系该村社区、镇街。", field="location")
    return Problem(row, None, f"({lon}, {lat}, {datum}) is outside Jiangyin county",
                   f"坐标（{lon}, {lat}）不在江阴市范围内（例如在长江中或外市）", "check the coordinates and their datum",
                   "请检查经纬度和坐标系。", field="location")


def place(conn, good: pd.DataFrame, grids: Grids | None = None, review: bool = False
          ) -> tuple[np.ndarray, np.ndarray, np.ndarray, list[Problem]]:
    """CGCS2000 x, y and the grid of every good row (None where it cannot be placed), and a problem
    for each of those. A row with a grid code stands at the grid's point on surface; a row with only
    an address at the register's clear match (geo.addresses; its label and score go into `good`'s
    address_match / address_score, every row's Match into good.attrs["matches"]). An address that
    matches nothing clearly is a problem listing what was found — not fatal with `review` (an import
    queues the row for a person). The SQL rule runs as the caller: a point outside the caller's area
    is named as such."""
    x = good["lon"].to_numpy(dtype=float).copy()
    y = good["lat"].to_numpy(dtype=float).copy()
    code = good["grid_code"].to_numpy(dtype=object).copy()
    by_address = good["by_address"].to_numpy(dtype=bool) if "by_address" in good.columns else np.zeros(len(good), bool)
    by_point = good["grid_code"].isna().to_numpy() & ~by_address
    for d in DATUMS:
        m = by_point & (good["datum"] == d).to_numpy()
        if m.any():
            x[m], y[m] = to_wgs84(x[m], y[m], d)
    if by_point.any():
        code[by_point] = (grids.assign(conn, x[by_point], y[by_point]) if grids is not None
                          else np.array(assign_points(conn, x[by_point], y[by_point]), dtype=object))
    problems: list[Problem] = []
    rows = good["row"].to_numpy()
    by_grid = ~by_point & ~by_address
    if by_grid.any():
        found = {r["code"]: r for r in dicts(conn.execute(_GRID_POINT, {"codes": sorted(set(code[by_grid]))}))}
        for i in np.flatnonzero(by_grid):
            g = found.get(code[i])
            if g is None:
                problems.append(Problem(int(rows[i]), code[i], f"no third-level grid {code[i]}",
                                        f"没有编码为 {code[i]} 的三级网格", field="grid_code"))
                code[i] = None
            else:
                x[i], y[i] = g["lon"], g["lat"]
    lon, lat, datum = good["lon"].to_numpy(), good["lat"].to_numpy(), good["datum"].to_numpy()
    for i in np.flatnonzero(by_point & np.array([c is None for c in code], dtype=bool))[:1000]:
        problems.append(outside_problem(conn, int(rows[i]), lon[i], lat[i], datum[i], float(x[i]), float(y[i])))
    if by_address.any():
        problems += _place_by_address(conn, good, by_address, x, y, code, review)
    return x, y, code, problems


_VISIBLE_GRIDS = "SELECT code FROM grids WHERE code = ANY (%(codes)s::text[])"


def _place_by_address(conn, good: pd.DataFrame, by_address: np.ndarray, x, y, code, review: bool) -> list[Problem]:
    """Rows with only an address, placed by the register's clear match (set-based: one matching
    statement for all); the others a problem with the candidates."""
    from geo import addresses

    idx = np.flatnonzero(by_address)
    found = addresses.match(conn, [str(a) for a in good["address"].to_numpy()[idx]])
    matched = np.full(len(good), None, dtype=object)
    score = np.full(len(good), np.nan)
    rows = good["row"].to_numpy()
    problems: list[Problem] = []
    best = {i: m.best for i, m in zip(idx, found)}
    # the caller's area: the register is the county's, the grids the caller sees are not
    visible = {r[0] for r in db.tuples(conn, _VISIBLE_GRIDS, {"codes": sorted({b.grid_code for b in best.values() if b})})}
    for i, m in zip(idx, found):
        b = best[i]
        code[i] = None
        if b is not None and b.grid_code in visible:
            x[i], y[i], code[i] = b.lon, b.lat, b.grid_code
            matched[i], score[i] = b.label, round(b.score, 3)
        elif b is not None:
            problems.append(Problem(int(rows[i]), m.parsed.text, f"address {m.parsed.text!r} is {b.label}, outside the "
                                    "reporter's area", f"地址“{m.parsed.text}”匹配到{b.label}，不在您的辖区",
                                    "report events of your own area", "请上报本辖区的事件，或联系该村社区、镇街。",
                                    field="address"))
        else:
            en, zh = m.describe()
            problems.append(Problem(int(rows[i]), m.parsed.text, en, zh,
                                    "add the village (社区/村) and door number, or give coordinates",
                                    "已转入待核地址队列，由人工确定位置。" if review else
                                    "请补充镇街、村（社区）名称和门牌号，或在地图上选点、填写坐标。",
                                    fatal=not review, field="address"))
    if "address_match" not in good.columns:
        good["address_match"] = np.full(len(good), None, dtype=object)
        good["address_score"] = np.full(len(good), np.nan)
    good["address_match"] = np.where(by_address, matched, good["address_match"].to_numpy(dtype=object))
    good["address_score"] = np.where(by_address, score, pd.to_numeric(good["address_score"], errors="coerce"))
    good.attrs["matches"] = dict(zip(rows[idx].tolist(), found))
    return problems


# ------------------------------------------------------------------------------------------ route + stage
STAGE_COLUMNS = ("id", "row", "category_code", "priority", "level", "reported_at", "due_at", "lon", "lat", "grid_code",
                 "description", "address", "reporter", "external_id", "department", "team", "time_given",
                 "source", "reporter_staff_id", "is_drill", "external_digest", "address_match", "address_score",
                 "attributes")
STAGE_TYPES = ("bigint", "integer", "text", "smallint", "text", "timestamptz", "timestamptz", "float8", "float8", "text",
               "text", "text", "text", "text", "text", "text", "boolean", "text", "bigint", "boolean", "text",
               "text", "real", "jsonb")


def _local_text(values: np.ndarray) -> np.ndarray:
    """Naive Asia/Shanghai datetime64 -> text PostgreSQL reads as timestamptz."""
    return np.char.add(np.datetime_as_string(values.astype("datetime64[s]"), unit="s"), "+08")


def route(conn, good: pd.DataFrame, cat: Catalogue, x, y, code, by: Reporter) -> pa.Table:
    """The rows ready to write: a new event id each, the handling level, department and team of the
    category (locality first: the event starts at its village, or higher when the category says
    so), the deadline from its limit and urgency, and who reported it."""
    c = cat.frame.loc[good["category_code"]]
    local = good["reported_at"].dt.tz_convert(TZ).dt.tz_localize(None).to_numpy(dtype="datetime64[s]")
    due = worktime.due_local(local, c["limit_value"].to_numpy(dtype=float), c["limit_unit"].to_numpy(),
                             good["priority"].to_numpy(dtype=int))
    ids = np.array([r[0] for r in db.tuples(conn, "SELECT nextval(pg_get_serial_sequence('events', 'id')) "
                                                  "FROM generate_series(1, %(n)s)", {"n": len(good)})], dtype=np.int64)
    n = len(good)

    def col(name, default):
        return good[name].to_numpy() if name in good.columns else np.full(n, default, dtype=object)

    reporter = good["reporter"].to_numpy(dtype=object) if "reporter_given" not in good.columns else \
        np.where(good["reporter_given"].to_numpy(dtype=bool), good["reporter"].to_numpy(dtype=object), by.name)
    return pa.table({
        "id": pa.array(ids), "row": pa.array(good["row"].to_numpy(dtype=np.int32)),
        "category_code": pa.array(good["category_code"].to_numpy(dtype=object), type=pa.string()),
        "priority": pa.array(good["priority"].to_numpy(dtype=np.int16)),
        "level": pa.array(c["level"].to_numpy(dtype=object), type=pa.string()),
        "reported_at": pa.array(_local_text(local)), "due_at": pa.array(_local_text(due)),
        "lon": pa.array(x, type=pa.float64()), "lat": pa.array(y, type=pa.float64()),
        "grid_code": pa.array(code, type=pa.string()),
        "description": pa.array(good["description"].to_numpy(dtype=object), type=pa.string(), from_pandas=True),
        "address": pa.array(good["address"].to_numpy(dtype=object), type=pa.string(), from_pandas=True),
        "reporter": pa.array(reporter, type=pa.string(), from_pandas=True),
        "external_id": pa.array(good["external_id"].to_numpy(dtype=object), type=pa.string(), from_pandas=True),
        "department": pa.array(c["department"].to_numpy(dtype=object), type=pa.string(), from_pandas=True),
        "team": pa.array(c["team"].to_numpy(dtype=object), type=pa.string(), from_pandas=True),
        "time_given": pa.array(good["time_given"].to_numpy(dtype=bool)),
        "source": pa.array(col("source", "platform"), type=pa.string()),
        "reporter_staff_id": pa.array(np.full(n, by.staff_id, dtype=object), type=pa.int64(), from_pandas=True),
        "is_drill": pa.array(col("is_drill", False).astype(bool)),
        "external_digest": pa.array([d or None for d in col("digest", None)], type=pa.string()),
        "address_match": pa.array(col("address_match", None), type=pa.string(), from_pandas=True),
        "address_score": pa.array(np.asarray(col("address_score", np.nan), dtype=float), type=pa.float32(),
                                  from_pandas=True),
        "attributes": pa.array(col("attributes", None), type=pa.string(), from_pandas=True),   # JSON text or null
    })


# ------------------------------------------------------------------------------------------ write
# The staged rows come either as JSON (a few reports: one round trip) or from the temporary table an
# import COPYs a file into; the statement is the same. Rows whose number this sender has sent before
# are left out when the import asks (a report checks replay() first and hits the unique index on a race).
_INSERT_EVENTS = """
WITH s AS ({source}), fresh AS (
    SELECT s.* FROM s
     WHERE NOT (%(skip_known)s AND s.external_id IS NOT NULL
                AND EXISTS (SELECT 1 FROM events e WHERE e.external_source = %(src)s AND e.external_id = s.external_id))
), ev AS (
    INSERT INTO events (id, category_code, priority, handling_level, reported_at, status_at, due_at, location, grid_code,
                        description, address, source, reporter_staff_id, reporter_name, assignee_department,
                        assignee_team, is_drill, external_source, external_id, external_digest, address_match,
                        address_score, attributes, is_demo, version)
    SELECT id, category_code, priority, level, reported_at, reported_at, due_at, ST_SetSRID(ST_MakePoint(lon, lat), {srid}),
           grid_code, description, address, source, reporter_staff_id,
           CASE WHEN reporter_staff_id IS NULL THEN reporter END, department, team, is_drill,
           %(src)s, external_id, external_digest, address_match, address_score, attributes,
           -- a demo worker's report (the live demo feed) is demo data like the rest
           CASE WHEN reporter_staff_id IS NULL THEN false
                ELSE coalesce((SELECT st.is_demo FROM staff st WHERE st.id = reporter_staff_id), false) END,
           1    -- reported at its report time, version 1: its first log row has nothing to write back
      FROM fresh ORDER BY row
    RETURNING id
)
SELECT array_agg(id ORDER BY id) FROM ev
"""
# The first log row of each new event: a statement of its own, so that the log's row-level security
# sees the events it belongs to.
_INSERT_LOG = """
INSERT INTO event_log (event_id, at, actor, actor_role, from_status, to_status, level, note)
SELECT s.id, s.reported_at, s.reporter, 'reporter', NULL, 'reported', s.level, NULL
  FROM ({source}) s WHERE s.id = ANY (%(ids)s::bigint[])
"""
STAGE_TABLE = "_event_stage"


def _insert(conn, source: sql.Composable, params: dict, src: str | None, skip_known: bool) -> list[int]:
    query = sql.SQL(_INSERT_EVENTS).format(source=source, srid=sql.Literal(STORE_SRID))
    ids = list(db.value(conn, query, {**params, "src": src, "skip_known": skip_known}) or [])
    if ids:
        conn.execute(sql.SQL(_INSERT_LOG).format(source=source), {**params, "ids": ids})
    return ids


def write_json(conn, staged: pa.Table, src: str | None) -> list[int]:
    """Write a few staged rows, sent as one JSON document."""
    cols = sql.SQL(", ").join(sql.SQL("{} {}").format(sql.Identifier(c), sql.SQL(t)) for c, t in zip(STAGE_COLUMNS, STAGE_TYPES))
    source = sql.SQL("SELECT * FROM jsonb_to_recordset(%(rows)s::jsonb) AS r({})").format(cols)
    payload = json.dumps(staged.to_pylist(), ensure_ascii=False, default=str)
    return _insert(conn, source, {"rows": payload}, src, skip_known=False)


def create_stage(conn) -> None:
    """The temporary table an import COPYs its rows into (dropped at commit)."""
    cols = sql.SQL(", ").join(sql.SQL("{} {}").format(sql.Identifier(c), sql.SQL(t)) for c, t in zip(STAGE_COLUMNS, STAGE_TYPES))
    conn.execute(sql.SQL("CREATE TEMP TABLE {} ({}) ON COMMIT DROP").format(sql.Identifier(STAGE_TABLE), cols))


def copy_stage(conn, staged: pa.Table) -> None:
    """COPY staged rows as CSV written by Arrow (empty unquoted = NULL, "" = empty text)."""
    buf = io.BytesIO()
    pa_csv.write_csv(staged.select(list(STAGE_COLUMNS)), buf,
                     pa_csv.WriteOptions(include_header=False, quoting_style="needed"))
    query = sql.SQL("COPY {} ({}) FROM STDIN WITH (FORMAT csv)").format(
        sql.Identifier(STAGE_TABLE), sql.SQL(", ").join(map(sql.Identifier, STAGE_COLUMNS)))
    with conn.cursor().copy(query) as copy:
        view = buf.getbuffer()
        for at in range(0, len(view), 1 << 22):
            copy.write(view[at:at + (1 << 22)])
        del view


def write_stage(conn, src: str | None) -> list[int]:
    """Write what was COPYed into the stage, leaving out numbers this sender has sent before."""
    return _insert(conn, sql.SQL("SELECT * FROM {}").format(sql.Identifier(STAGE_TABLE)), {}, src, skip_known=True)


# ------------------------------------------------------------------------------------------ reports
def _frame(reports: list[Report], by: Reporter) -> tuple[pd.DataFrame, list[Problem]]:
    """Report objects as the validator's text columns (what only a typed value can get wrong —
    a time without its zone — is a problem here)."""
    problems = []

    def num(v):
        return "" if v is None else (repr(float(v)) if isinstance(v, (int, float)) and not isinstance(v, bool) else str(v))

    rows = []
    for i, r in enumerate(reports, start=1):
        at = ""
        if r.reported_at is not None:
            if r.reported_at.tzinfo is None:
                problems.append(Problem(i, None, "reported_at has no time zone", "上报时间缺少时区",
                                        "write it as 2026-11-28T09:30:00+08:00", "请写成 2026-11-28T09:30:00+08:00。",
                                        field="reported_at"))
            else:
                at = r.reported_at.astimezone(dt.timezone.utc).isoformat()
        lon_ok = r.lon is None or (isinstance(r.lon, (int, float)) and math.isfinite(r.lon))
        lat_ok = r.lat is None or (isinstance(r.lat, (int, float)) and math.isfinite(r.lat))
        rows.append({"category": r.category_code or "", "description": r.description or "",
                     "address": r.address or "", "reporter": r.reporter or "", "external_id": r.external_id or "",
                     "terminal_id": "", "priority": str(r.priority),
                     "datum": r.datum or "", "lon": num(r.lon) if lon_ok else "nan", "lat": num(r.lat) if lat_ok else "nan",
                     "grid_code": r.grid_code or "", "reported_at": at, "source": r.source, "is_drill": bool(r.is_drill),
                     "reporter_given": bool(r.reporter), "digest": r.digest or "",
                     "address_match": r.address_match, "address_score": r.address_score})
    return pd.DataFrame(rows, dtype=object), problems


def _rows_of(problems: list[Problem], single: bool) -> list[Problem]:
    if single:
        from dataclasses import replace
        problems = [replace(p, row=None) for p in problems]
    return sorted(problems, key=lambda p: (p.row or 0, p.field or ""))


def validate(conn, reports: list[Report], now: dt.datetime | None = None, by: Reporter | None = None) -> list[Problem]:
    """Every problem of the reports' fields (no writing, no placing)."""
    now = now or dt.datetime.now(TZ)
    frame, problems = _frame(reports, by or Reporter("-", None, "-", "check"))
    _good, found, _ = check(frame, 1, Catalogue.of(conn), "wgs84", now)
    return _rows_of(problems + found, len(reports) == 1)


def submit(conn, reports: list[Report], by: Reporter, now: dt.datetime | None = None, photos=()) -> list[int]:
    """Check, place, route and write the reports, then the audit row, in one transaction; the ids in
    the reports' order. IntakeRefused lists every problem of every row and nothing is written.
    `photos` (checked, geo.photos) go with a single report as its 处置前 photos."""
    from geo import photos as photo_store

    now = now or dt.datetime.now(TZ)
    single = len(reports) == 1
    frame, problems = _frame(reports, by)
    cat = Catalogue.of(conn)
    with conn.transaction():
        good, found, _ = check(frame, 1, cat, "wgs84", now)
        problems += found
        bad = {p.row for p in problems}
        good = good[~good["row"].isin(bad)]
        x, y, code, where = place(conn, good, Grids(conn) if len(good) > TREE_ROWS else None)
        problems += where
        if problems:
            raise IntakeRefused(_rows_of(problems, single))
        staged = route(conn, good, cat, x, y, code, by)
        ids = write_json(conn, staged, by.external_source)
        if photos:
            photo_store.attach(conn, ids[0], "before", list(photos), by.name)
        target = f"event:{ids[0]}" if single else f"events:{ids[0]}-{ids[-1]}"
        detail: dict[str, Any] = {"via": by.via, "count": len(ids)}
        if photos:
            detail["photos"] = len(photos)
        audit.record(conn, by.username, by.role, "report", target, **detail)
    return ids


def locate(conn, reports: list[Report]) -> tuple[list[tuple[float, float, str] | None], list[Problem]]:
    """Point (CGCS2000) and grid for each report, by the same checks and rule as submit; a problem for
    each that cannot be placed (the workflow's 更正位置 and the map preview use it)."""
    frame, problems = _frame(reports, Reporter("-", None, "-", "check"))
    cat = Catalogue.of(conn)
    # only the location is asked about: any category and text stand in for a missing one
    frame["category"] = frame["category"].where(frame["category"] != "", cat.frame.index[0])
    frame["description"] = frame["description"].where(frame["description"] != "", "_")
    good, found, _ = check(frame, 1, cat, "wgs84", dt.datetime.now(TZ))
    problems += [p for p in found if p.field not in ("category", "description")]
    out: list = [None] * len(reports)
    if not good.empty:
        x, y, code, where = place(conn, good, None)
        problems += where
        for r, xi, yi, c in zip(good["row"], x, y, code):
            if c is not None:
                out[int(r) - 1] = (float(xi), float(yi), c)
    return out, _rows_of(problems, len(reports) == 1)


def point_preview(conn, lon: float, lat: float, datum: str = "wgs84") -> tuple[dict | None, Problem | None]:
    """Where a report at this point would land, before it is sent (the map pick on 事件上报): the
    place (grid, village, town) or the very problem submit() would give for the point."""
    located, problems = locate(conn, [Report("", "", lon=lon, lat=lat, datum=datum)])
    if problems:
        return None, problems[0]
    assert located[0] is not None
    x, y, _code = located[0]
    return place_of_point(conn, x, y), None


def fingerprint(report: Report, photos: list[tuple[str, bytes]] | tuple = ()) -> str:
    """What a sending asked for (the fields and each photo's bytes), as a SHA-256: a retry of the same
    request has the same one; another request under the same number does not."""
    fields = [report.category_code, report.description, report.priority, report.lon, report.lat,
              (report.datum or "").lower(), report.address, report.reporter, report.grid_code,
              report.reported_at.isoformat() if report.reported_at else None,
              [hashlib.sha256(content).hexdigest() for _name, content in photos]]
    return hashlib.sha256(json.dumps(fields, ensure_ascii=False, default=str).encode()).hexdigest()


def replay(conn, external_source: str, external_id: str, digest: str | None = None) -> int | None:
    """The event already created for this sender's number (None if there is none): an idempotent
    retry returns it instead of reporting again. The same number with another request (another
    fingerprint) is refused: IdempotencyConflict. Row-level security confines it to the caller's
    area, like every read."""
    row = db.one(conn, "SELECT id, external_digest FROM events WHERE external_source = %(s)s AND external_id = %(e)s",
                 {"s": external_source, "e": external_id})
    if row is None:
        return None
    if digest is not None and row["external_digest"] is not None and digest != row["external_digest"]:
        raise IdempotencyConflict(
            f"report number {external_id!r} was used for another request (event {row['id']})",
            f"上报编号（Idempotency-Key / external_id）“{external_id}”已用于另一件不同内容的上报（事件 {row['id']}）："
            "重试时请原样重发同一请求；新的上报请换一个新编号。")
    return int(row["id"])


def submit_once(where, report: Report, by: Reporter, photos=(), raw_photos=(),
                answer: Callable[[psycopg.Connection, int], T] | None = None) -> tuple[int, bool, T | None]:
    """A sender's report, safe to send again: (event id, replayed, answer). With a number (external_id)
    already used for the same request the first event is returned and nothing is written — also when
    two copies race (the unique index); the same number with another request is IdempotencyConflict.
    `where` is a scoped pool: the look-up, the event, its photos, the audit row and `answer(conn, id)`
    (what the sender is told, read back) are one transaction. `raw_photos` [(name, bytes)] enter the
    fingerprint, `photos` (checked) are written."""
    report = replace(report, digest=fingerprint(report, raw_photos))
    source, key = by.external_source or "", report.external_id
    with where.connection() as conn:
        first = replay(conn, source, key, report.digest) if key else None
        replayed = first is not None
        if first is None:
            try:
                first = submit(conn, [report], by=by, photos=photos)[0]      # a savepoint of this transaction
            except psycopg.errors.UniqueViolation:
                # the same number sent twice at once: the other copy committed first
                first = replay(conn, source, key or "", report.digest) if key else None
                if first is None:
                    raise
                replayed = True
        return first, replayed, (answer(conn, first) if answer is not None else None)


__all__ = ["Report", "Reporter", "Problem", "IntakeRefused", "submit", "validate", "locate", "OutsideCounty"]
