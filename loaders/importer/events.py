"""Bulk import of event exports: `python -m loaders events FILE [--source NAME] [--crs …] [--dry-run]`.

Files as the grid workers' terminals and the 12345 hotline export them (CSV in UTF-8 or GBK, or
XLSX), with Chinese or English headers in their usual variants (HEADERS below): the category by
code or by Chinese name, the urgency optional (一般 when absent), a per-row 坐标系 column where the
file has one. Every row is checked; a file with any refused row loads nothing (all or nothing), and
the report names each row with its reason and a fix.

Each row's own number (上报编号 / 事件编号 / 案件编号 / 工单编号) is stored with the file's source
(`--source`, default the terminal export): loading the same or an overlapping export again changes
nothing ("unchanged N"); a row whose number is known but whose content differs is reported as
changed, not loaded twice.

Speed with bounded memory: the file is read in chunks; coordinates, categories and deadlines are
computed vectorised (geo.coords, geo.worktime.due_local); the point -> grid rule runs on an STRtree
of the third-level grids with the SQL rule (grid_for_point) for every point that is not inside
exactly one grid; the rows go to the database by COPY into a temporary staging table, then into
events and event_log with one set-based statement each, in one transaction with a statement timeout.
"""
from __future__ import annotations

import contextlib
import datetime as dt
import difflib
import io
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.csv as pa_csv
import shapely

from geo import codes, db, worktime
from geo.assign import assign_points
from geo.coords import to_wgs84
from geo.errors import InvalidInput
from geo.intake import CONTROL_CHARS, MAX_ADDRESS, MAX_DESCRIPTION, OLDEST_REPORT, REPORT_AHEAD
from geo.status import PRIORITY_LABELS
from geo.worktime import TZ
from loaders.importer.checks import Problem, japanese_bytes
from loaders.importer.read import check_zip

CHUNK_ROWS = 200_000
STATEMENT_TIMEOUT = "15min"
HEADERS = {
    "category": ("类别编码", "事件类别编码", "类别", "事件类型", "事件类别", "问题类型", "案件类型", "小类名称", "小类",
                 "category_code", "category"),
    "external_id": ("上报编号", "事件编号", "案件编号", "工单编号", "external_id", "ext_id"),
    "description": ("描述", "事件描述", "问题描述", "诉求内容", "description"),
    "priority": ("紧急程度", "紧急度", "priority", "urgency"),
    "lon": ("经度", "lon", "lng", "longitude", "X", "x"),
    "lat": ("纬度", "lat", "latitude", "Y", "y"),
    "reported_at": ("上报时间", "发生时间", "受理时间", "reported_at", "time"),
    "address": ("发生地址", "地址", "事发地址", "address"),
    "reporter": ("上报人", "反映人", "reporter"),
    "terminal_id": ("终端编号", "终端", "terminal_id"),
    "grid_code": ("网格编码", "grid_code"),
    "datum": ("坐标系", "datum", "crs"),
}
PRIORITY_WORDS = {**{label: code for code, label in PRIORITY_LABELS.items()}, "普通": 3,
                  **{str(code): code for code in PRIORITY_LABELS}}
DATUM_WORDS = {"wgs84": "wgs84", "wgs-84": "wgs84", "gps": "wgs84", "cgcs2000": "wgs84", "epsg:4490": "wgs84",
               "epsg:4326": "wgs84", "4490": "wgs84", "4326": "wgs84", "天地图": "wgs84",
               "gcj02": "gcj02", "gcj-02": "gcj02", "高德": "gcj02", "腾讯": "gcj02", "火星坐标": "gcj02",
               "bd09": "bd09", "bd-09": "bd09", "百度": "bd09"}
SOURCES = {"grid_app": "grid_app", "terminal": "grid_app", "网格员终端": "grid_app", "12345": "hotline",
           "hotline": "hotline", "police": "police", "inspection": "inspection", "sensor": "sensor",
           "platform": "platform"}
OLDEST = OLDEST_REPORT          # the same rules as one report (geo/intake.py)
_CONTROL = CONTROL_CHARS


@dataclass
class Result:
    rows: int = 0
    inserted: int = 0
    unchanged: int = 0
    changed: list[tuple[int, str, int]] = field(default_factory=list)   # (row, external id, event id)
    problems: list[Problem] = field(default_factory=list)
    written: bool = False
    ids: tuple[int, int] | None = None       # first and last new event id
    bulk: bool = False                       # indexes and foreign keys re-built (geo.db.rebuilt_indexes)

    @property
    def refused(self) -> list[Problem]:
        return [p for p in self.problems if p.fatal]


def _bad(row, code, en, zh, hint="", hint_zh="") -> Problem:
    return Problem(row, code, en, zh, hint, hint_zh)


# ---------------------------------------------------------------------------------- reading
def _chunks(path: Path, encoding: str | None):
    """DataFrames of text cells (every column str), CHUNK_ROWS at a time."""
    suffix = path.suffix.lower()
    if suffix == ".xlsx":
        check_zip(path, "XLSX")
        try:
            df = pd.read_excel(path, dtype=str, engine="openpyxl")
        except Exception as exc:  # noqa: BLE001 - any damage to the workbook is one clear message
            raise InvalidInput(f"{path.name} cannot be read as an XLSX workbook ({exc.__class__.__name__})",
                               f"无法读取“{path.name}”：不是完整的 XLSX 工作簿。") from exc
        yield df.fillna("")
        return
    if suffix not in (".csv", ".txt"):
        raise InvalidInput(f"{path.name}: use a CSV or XLSX file", f"“{path.name}”：请使用 CSV 或 XLSX 文件。")
    enc = encoding or _sniff_encoding(path)
    try:
        reader = pd.read_csv(path, dtype=str, keep_default_na=False, encoding=enc, chunksize=CHUNK_ROWS,
                             skipinitialspace=True)
        for df in reader:
            yield df
    except UnicodeDecodeError as exc:
        raise InvalidInput(f"{path.name} is not valid {enc} text; save it as UTF-8 CSV or pass --encoding",
                           f"“{path.name}”不是有效的 {enc} 文本：请另存为 UTF-8 的 CSV，或指定编码。") from exc
    except (pd.errors.ParserError, pd.errors.EmptyDataError) as exc:
        raise InvalidInput(f"{path.name} is not a readable CSV ({str(exc)[:120]})",
                           f"“{path.name}”不是可读的 CSV 文件（列数不一致或为空）。") from exc


def _sniff_encoding(path: Path) -> str:
    """UTF-8 (with or without BOM) or GBK, decided on the first megabyte; else refused."""
    head = path.read_bytes()[:1_000_000]
    for enc in ("utf-8-sig", "gbk"):
        try:
            head.decode(enc)
            if enc == "gbk" and japanese_bytes(head):
                raise InvalidInput(f"{path.name} looks like Japanese (Shift-JIS) text, not UTF-8 or GBK; save it as UTF-8 CSV",
                                   f"“{path.name}”似乎是日文（Shift-JIS）编码，不是 UTF-8 或 GBK：请另存为 UTF-8 的 CSV。")
            return enc
        except UnicodeDecodeError as exc:
            if exc.start > len(head) - 4:       # a character cut by the 1 MB boundary
                return enc
    raise InvalidInput(f"{path.name} is neither UTF-8 nor GBK text; save it as UTF-8 CSV",
                       f"“{path.name}”不是 UTF-8 或 GBK 编码的文本，请另存为 UTF-8 的 CSV。")


def _columns(df: pd.DataFrame) -> dict[str, str | None]:
    cols = {str(c).strip().lstrip("\ufeff"): c for c in df.columns}
    lower = {k.lower(): v for k, v in cols.items()}
    out = {}
    for f, names in HEADERS.items():
        out[f] = next((cols[n] for n in names if n in cols), None) or \
            next((lower[n.lower()] for n in names if n.lower() in lower), None)
    missing = []
    if out["category"] is None:
        missing.append("category_code (事件类型 / 类别编码)")
    if out["description"] is None:
        missing.append("description (描述)")
    if out["grid_code"] is None and (out["lon"] is None or out["lat"] is None):
        missing.append("lon/lat (经度/纬度 or X/Y) or grid_code (网格编码)")
    if missing:
        raise InvalidInput("missing columns: " + ", ".join(missing) + f" (found: {', '.join(map(str, cols))})",
                           "缺少必需的列：" + "、".join(missing) + f"（文件中的列：{'、'.join(map(str, cols))}）")
    return out


# ---------------------------------------------------------------------------------- checking
class _Catalogue:
    def __init__(self, conn):
        rows = db.tuples(conn, "SELECT code, name, department_code, team_code, limit_value, limit_unit, "
                               "default_level FROM event_categories")
        cols = ["code", "name", "department", "team", "limit_value", "limit_unit", "level"]
        self.frame = pd.DataFrame(rows, columns=cols).set_index("code")
        self.by_name = {n: c for c, n in zip(self.frame.index, self.frame.name)}

    def resolve(self, values: pd.Series) -> tuple[pd.Series, dict[str, str]]:
        """Codes for category cells given as a code or a Chinese name; unknown -> NaN, with the
        closest names for the report."""
        v = values.str.strip()
        upper = v.str.upper()
        code = upper.where(upper.isin(self.frame.index))
        code = code.fillna(v.map(self.by_name))
        unknown = sorted(set(v[code.isna()]))
        hints = {}
        for u in unknown[:200]:
            close = difflib.get_close_matches(u, list(self.by_name), n=3, cutoff=0.3)
            hints[u] = "、".join(f"{n}（{self.by_name[n]}）" for n in close)
        return code, hints


def _check_chunk(df: pd.DataFrame, cols: dict, first_row: int, cat: _Catalogue, default_datum: str,
                 now: dt.datetime) -> tuple[pd.DataFrame, list[Problem], pd.Series]:
    """Validate and normalise one chunk (vectorised); returns the good rows, the problems and every
    row's external number (row -> number) for the duplicate check."""
    n = len(df)
    rows = np.arange(first_row, first_row + n)
    def get(f: str) -> pd.Series:
        return df[cols[f]].astype(str).str.strip() if cols[f] is not None else pd.Series([""] * n, index=df.index)
    problems: list[Problem] = []
    bad = np.zeros(n, dtype=bool)

    def flag(mask, field_, en, zh, hint="", hint_zh="", values=None):
        nonlocal bad
        mask = np.asarray(mask, dtype=bool)
        for i in np.flatnonzero(mask)[:1000]:
            v = None if values is None else values.iloc[i]
            problems.append(_bad(int(rows[i]), v, en.format(v=v), zh.format(v=v), hint, hint_zh))
        extra = int(mask.sum()) - 1000
        if extra > 0:
            problems.append(_bad(None, field_, f"{field_}: and {extra} more rows like this",
                                 f"另有 {extra} 行存在同样问题"))
        bad |= mask

    text = {f: get(f) for f in ("category", "description", "address", "reporter", "external_id", "terminal_id")}
    for f, s in text.items():
        flag(s.str.contains(_CONTROL), f, f"{f} holds control characters (NUL, …)",
             "“{v}”含有不可见的控制字符", "remove them (re-export the file)", "请删除控制字符后重新导出。",
             values=s.str.slice(0, 30))
    too_long = {"description": MAX_DESCRIPTION, "address": MAX_ADDRESS, "reporter": 80, "external_id": 64,
                "terminal_id": 40, "category": 60}
    for f, limit in too_long.items():
        flag(text[f].str.len() > limit, f, f"{f} longer than {limit} characters",
             f"内容超过{limit}字", "shorten it", "请缩短。")
    flag(text["description"] == "", "description", "description is empty", "事件描述为空",
         "fill in 描述", "请填写事件描述。")

    code, hints = cat.resolve(text["category"])
    unknown = code.isna() & (text["category"] != "")
    for i in np.flatnonzero(unknown.to_numpy())[:1000]:
        v = text["category"].iloc[i]
        problems.append(_bad(int(rows[i]), v, f"unknown category {v!r}" + (f"; closest: {hints.get(v)}" if hints.get(v) else ""),
                             f"事件类别“{v}”不存在" + (f"；最接近的有：{hints[v]}" if hints.get(v) else ""),
                             "use a category code or name of the catalogue", "请使用类别目录中的编码或名称。"))
    bad |= unknown.to_numpy()
    flag((text["category"] == "").to_numpy(), "category", "category is empty", "事件类别为空",
         "fill in 事件类型", "请填写事件类别。")

    prio_raw = get("priority")
    prio = prio_raw.map(PRIORITY_WORDS)
    prio = prio.where(prio_raw != "", 3)
    flag(prio.isna(), "priority", "priority (urgency) {v!r} is not 特急/紧急/一般 or 1/2/3", "紧急程度“{v}”无法识别",
         "write 特急, 紧急 or 一般 (or leave it empty: 一般)", "请填写 特急、紧急、一般（留空按一般）。", values=prio_raw)

    datum_raw = get("datum").str.lower()
    datum = datum_raw.map(DATUM_WORDS).where(datum_raw != "", default_datum)
    flag(datum.isna(), "datum", "coordinate system {v!r} is unknown", "坐标系“{v}”无法识别",
         "write WGS84, GCJ-02 or BD-09", "请填写 WGS84、GCJ-02（高德/腾讯）或 BD-09（百度）。", values=get("datum"))

    grid = get("grid_code")
    lon = pd.to_numeric(get("lon"), errors="coerce")
    lat = pd.to_numeric(get("lat"), errors="coerce")
    no_loc = (grid == "") & (lon.isna() | lat.isna())
    flag(no_loc, "location", "coordinates {v!r} are missing or not numbers", "坐标“{v}”缺失或不是数字",
         "fill in 经度 and 纬度 as numbers", "请填写数字形式的经度、纬度。", values=get("lon") + "," + get("lat"))
    swapped = ~no_loc & (grid == "") & lon.between(20, 60) & lat.between(100, 140)
    flag(swapped, "location", "longitude and latitude look swapped", "经纬度似乎填反了", "Jiangyin is near 120E, 31.8N",
         "江阴的经度约120、纬度约32。")
    wrong = ~no_loc & ~swapped & (grid == "") & ~(lon.between(-180, 180) & lat.between(-90, 90))
    flag(wrong, "location", "({v}) is not a longitude/latitude", "（{v}）不是有效的经纬度",
         "check the columns", "请检查经纬度列。", values=get("lon") + ", " + get("lat"))
    n_grid = codes.length(3)
    flag((grid != "") & ~grid.str.fullmatch(r"\d{%d}" % n_grid), "grid_code", f"grid code {{v!r}} is not {n_grid} digits",
         f"网格编码“{{v}}”不是{n_grid}位数字", "", "", values=grid)

    at_raw = get("reported_at")
    at = pd.to_datetime(at_raw.where(at_raw != ""), errors="coerce", format="mixed")
    if getattr(at.dt, "tz", None) is None:
        at = at.dt.tz_localize(TZ, ambiguous="NaT", nonexistent="NaT")
    else:
        at = at.dt.tz_convert(TZ)
    flag((at_raw != "") & at.isna(), "reported_at", "time {v!r} is not like 2026-11-27 09:30",
         "上报时间“{v}”格式不对", "write 2026-11-27 09:30", "请按 2026-11-27 09:30 填写。", values=at_raw)
    out_of_range = at.notna() & ((at < pd.Timestamp(OLDEST)) | (at > pd.Timestamp(now + REPORT_AHEAD)))
    flag(out_of_range, "reported_at", "time {v!r} is outside 2000 .. tomorrow", "上报时间“{v}”超出合理范围",
         "check the date", "请核对日期（2000年以后，不晚于明天）。", values=at_raw)
    time_given = at.notna()
    at = at.fillna(pd.Timestamp(now))

    ext = text["external_id"]
    good = pd.DataFrame({
        "row": rows, "category_code": code, "description": text["description"], "priority": prio,
        "datum": datum, "lon": lon, "lat": lat, "grid_code": grid.where(grid != ""),
        "reported_at": at, "address": text["address"].where(text["address"] != ""),
        "reporter": text["reporter"].where(text["reporter"] != "", "终端 " + text["terminal_id"])
                                    .where((text["reporter"] != "") | (text["terminal_id"] != ""), "移动终端"),
        "external_id": ext.where(ext != ""), "time_given": time_given,
    })[~bad]
    numbered = ext != ""
    return good, problems, pd.Series(ext[numbered].to_numpy(), index=rows[numbered.to_numpy()])


# ---------------------------------------------------------------------------------- locating
class _Grids:
    """The third-level admin grids in an STRtree: the point -> grid rule's first step (smallest code
    among the grids whose closed polygon holds the point) for the common case; every point that is
    not inside exactly one grid goes to the SQL rule (grid_for_point), which decides."""

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
        pts = shapely.points(x, y)
        pi, gi = self.tree.query(pts, predicate="intersects")
        hits = np.bincount(pi, minlength=len(x))
        one = hits == 1
        first = np.full(len(x), -1)
        first[pi[::-1]] = gi[::-1]
        out[one] = self.codes[first[one]]
        rest = np.flatnonzero(~one)
        if rest.size:
            out[rest] = assign_points(conn, x[rest], y[rest])
        return out


# ---------------------------------------------------------------------------------- writing
_STAGE = """
CREATE TEMP TABLE _event_stage (
    row integer, category_code text, priority smallint, level text, reported_at timestamptz,
    due_at timestamptz, lon float8, lat float8, grid_code text, description text, address text,
    reporter text, external_id text, department text, team text, time_given boolean
) ON COMMIT DROP
"""
_COPY = ("COPY _event_stage (row, category_code, priority, level, reported_at, due_at, lon, lat, grid_code, "
         "description, address, reporter, external_id, department, team, time_given) FROM STDIN WITH (FORMAT csv)")
# Rows whose number this source has sent before: the same content is unchanged; other content is
# reported as changed (the event keeps its history; nothing is loaded twice). A row without a time
# was stamped with the time of its first load: its time is not compared.
_KNOWN = """
SELECT s.row, s.external_id, e.id,
       (e.category_code, e.description, e.priority, coalesce(e.address, ''))
         IS NOT DISTINCT FROM (s.category_code, s.description, s.priority, coalesce(s.address, ''))
       AND (NOT s.time_given OR e.reported_at = s.reported_at)
       AND ST_DWithin(e.location::geography, ST_SetSRID(ST_MakePoint(s.lon, s.lat), 4490)::geography, 0.5)
         AS same
  FROM _event_stage s JOIN events e ON e.external_source = %(src)s AND e.external_id = s.external_id
"""
# New events and, in the same statement, the first log row of each (its state is already "reported at
# its report time", version 1: the log trigger of migration 010 has nothing to write back).
_INSERT = """
WITH fresh AS (
    SELECT s.* FROM _event_stage s
     WHERE s.external_id IS NULL
        OR NOT EXISTS (SELECT 1 FROM events e WHERE e.external_source = %(src)s AND e.external_id = s.external_id)
), ev AS (
    INSERT INTO events (category_code, priority, handling_level, reported_at, due_at, location, grid_code,
                        description, address, source, reporter_name, assignee_department, assignee_team,
                        external_source, external_id, version)
    SELECT category_code, priority, level, reported_at, due_at, ST_SetSRID(ST_MakePoint(lon, lat), 4490),
           grid_code, description, address, %(kind)s, reporter, department, team, %(src)s, external_id, 1
      FROM fresh ORDER BY row
    RETURNING id, reported_at, handling_level, reporter_name
), lg AS (
    INSERT INTO event_log (event_id, at, actor, actor_role, from_status, to_status, level, note)
    SELECT id, reported_at, coalesce(reporter_name, '移动终端'), 'reporter', NULL, 'reported', handling_level, NULL
      FROM ev
)
SELECT min(id), max(id), count(*) FROM ev
"""


def _stage_table(columns: dict[str, object]) -> pa.Table:
    """The staged rows as an Arrow table in _COPY's column order (missing values as null)."""
    return pa.table({name: (values if isinstance(values, pa.Array) else
                            pa.array(np.asarray(values, dtype=object), type=pa.string(), from_pandas=True))
                     for name, values in columns.items()})


def _copy_rows(conn, table: pa.Table) -> None:
    """COPY the staged rows as CSV written by Arrow (empty unquoted = NULL, "" = empty text)."""
    buf = io.BytesIO()
    pa_csv.write_csv(table, buf, pa_csv.WriteOptions(include_header=False, quoting_style="needed"))
    with conn.cursor().copy(_COPY) as copy:
        view = buf.getbuffer()
        for at in range(0, len(view), 1 << 22):
            copy.write(view[at:at + (1 << 22)])
        del view


def _local_text(values: np.ndarray) -> np.ndarray:
    """Naive Asia/Shanghai datetime64 -> text PostgreSQL reads as timestamptz."""
    return np.char.add(np.datetime_as_string(values.astype("datetime64[s]"), unit="s"), "+08")


def load(conn, path: Path, source: str = "grid_app", datum: str = "wgs84", encoding: str | None = None,
         dry_run: bool = False, now: dt.datetime | None = None) -> Result:
    """Check the whole file, then (unless anything is refused, or a dry run) load it, in one
    transaction. Memory stays bounded by the chunk size."""
    now = now or dt.datetime.now(TZ)
    src = (source or "grid_app").strip()
    kind = SOURCES.get(src.lower(), "grid_app")
    result = Result()
    cat = _Catalogue(conn)
    grids = None
    seen: dict[str, int] = {}
    with conn.transaction():
        conn.execute("SELECT set_config('statement_timeout', %(t)s, true), "
                     "set_config('client_connection_check_interval', '2s', true)", {"t": STATEMENT_TIMEOUT})
        conn.execute(_STAGE)
        first = 1
        staged = 0
        for df in _chunks(path, encoding):
            cols = _columns(df)
            result.rows += len(df)
            good, problems, numbers = _check_chunk(df, cols, first, cat, datum, now)
            first += len(df)
            result.problems += problems
            # the same number twice in the file
            for r, e in numbers.items():
                if e in seen:
                    result.problems.append(_bad(int(r), e, f"number {e} appears twice (also row {seen[e]})",
                                                f"编号 {e} 重复（与第 {seen[e]} 行相同）", "one row per number",
                                                "每个编号只能出现一次。"))
                else:
                    seen[e] = int(r)
            if good.empty:
                continue
            # coordinates -> CGCS2000, then the grid
            x = good["lon"].to_numpy(dtype=float).copy()
            y = good["lat"].to_numpy(dtype=float).copy()
            by_point = good["grid_code"].isna().to_numpy()
            for d in ("wgs84", "gcj02", "bd09"):
                m = by_point & (good["datum"] == d).to_numpy()
                if m.any():
                    x[m], y[m] = to_wgs84(x[m], y[m], d)
            grids = grids or _Grids(conn)
            code = good["grid_code"].to_numpy(dtype=object).copy()
            code[by_point] = grids.assign(conn, x[by_point], y[by_point])
            if (~by_point).any():
                known = set(grids.codes)
                for i in np.flatnonzero(~by_point):
                    if code[i] not in known:
                        result.problems.append(_bad(int(good["row"].iloc[i]), code[i], f"no third-level grid {code[i]}",
                                                    f"没有编码为 {code[i]} 的三级网格"))
                    else:        # the grid's point on surface
                        g = grids.geoms[np.searchsorted(grids.codes, code[i])]
                        p = shapely.point_on_surface(g)
                        x[i], y[i] = p.x, p.y
            outside = np.array([c is None for c in code])
            for i in np.flatnonzero(outside)[:1000]:
                r = good.iloc[i]
                result.problems.append(_bad(int(r["row"]), None, f"({r['lon']}, {r['lat']}, {r['datum']}) is outside Jiangyin county",
                                            f"坐标（{r['lon']}, {r['lat']}）不在江阴市范围内",
                                            "check the coordinates and their 坐标系", "请检查经纬度和坐标系。"))
            keep = ~outside
            good = good[keep]
            if good.empty:
                continue
            c = cat.frame.loc[good["category_code"]]
            local = good["reported_at"].dt.tz_convert(TZ).dt.tz_localize(None).to_numpy(dtype="datetime64[s]")
            due = worktime.due_local(local, c["limit_value"].to_numpy(dtype=float), c["limit_unit"].to_numpy(),
                                     good["priority"].to_numpy(dtype=int))
            stage = _stage_table({
                "row": pa.array(good["row"].to_numpy(dtype=np.int32)),
                "category_code": good["category_code"].to_numpy(dtype=object),
                "priority": pa.array(good["priority"].to_numpy(dtype=np.int16)),
                "level": c["level"].to_numpy(dtype=object),
                "reported_at": _local_text(local), "due_at": _local_text(due),
                "lon": pa.array(x[keep]), "lat": pa.array(y[keep]),
                "grid_code": code[keep], "description": good["description"].to_numpy(dtype=object),
                "address": good["address"].to_numpy(dtype=object), "reporter": good["reporter"].to_numpy(dtype=object),
                "external_id": good["external_id"].to_numpy(dtype=object),
                "department": c["department"].to_numpy(dtype=object), "team": c["team"].to_numpy(dtype=object),
                "time_given": pa.array(good["time_given"].to_numpy(dtype=bool)),
            })
            if not result.refused:
                _copy_rows(conn, stage)
                staged += len(good)
        if result.refused:
            return result
        conn.execute("ANALYZE _event_stage")     # temporary tables get no statistics otherwise
        for row, ext, eid, same in db.tuples(conn, _KNOWN, {"src": src}):
            if same:
                result.unchanged += 1
            else:
                result.changed.append((row, ext, eid))
        if dry_run:
            result.inserted = staged - result.unchanged - len(result.changed)
            conn.execute("DROP TABLE _event_stage")
            return result
        fresh = staged - result.unchanged - len(result.changed)
        result.bulk = db.worth_rebuilding(conn, "events", fresh)
        with db.rebuilt_indexes(conn, "events", "event_log") if result.bulk else contextlib.nullcontext():
            lo, hi, count = db.tuples(conn, _INSERT, {"src": src, "kind": kind})[0]
            result.inserted = count
            if count:
                result.ids = (lo, hi)
        if result.bulk:
            conn.execute("ANALYZE events, event_log")
        result.written = True
    return result
