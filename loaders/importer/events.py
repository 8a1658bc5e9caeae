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

import codecs
import datetime as dt
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from geo import audit, db, intake
from geo.errors import InvalidInput
from geo.intake import DATUM_WORDS, PRIORITY_WORDS  # noqa: F401 - the words a file may use (tests read them)
from geo.worktime import TZ
from loaders.importer import xlsx
from loaders.importer.checks import Problem, japanese_bytes

CHUNK_ROWS = 200_000
STATEMENT_TIMEOUT = "15min"
ANALYZE_ROWS = 50_000
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
SOURCES = {"grid_app": "grid_app", "terminal": "grid_app", "网格员终端": "grid_app", "12345": "hotline",
           "hotline": "hotline", "police": "police", "inspection": "inspection", "sensor": "sensor",
           "platform": "platform"}


@dataclass
class Result:
    rows: int = 0
    inserted: int = 0
    unchanged: int = 0
    changed: list[tuple[int, str, int]] = field(default_factory=list)   # (row, external id, event id)
    problems: list[Problem] = field(default_factory=list)
    written: bool = False
    ids: tuple[int, int] | None = None       # first and last new event id
    datum: str | None = None                 # the coordinate system used ("per row" for a 坐标系 column)
    datum_from: str = ""                     # how it was known: chosen, a column, the column names
    datum_shares: dict[str, float] = field(default_factory=dict)   # 自动 undecided: share inside the county per datum
    datum_sample: list[tuple[float, float]] = field(default_factory=list)   # the sample's points as written
    # rows placed by their address: (row, address as written, clear | ambiguous | none, register label or
    # "", score, grid code or "") — the per-row match report; the unclear ones go to the review queue
    matches: list[tuple[int, str, str, str, float, str]] = field(default_factory=list)
    queued: int = 0                          # rows sent to the review queue (address_review)
    ignored: list[str] = field(default_factory=list)   # columns of the file no field reads

    @property
    def refused(self) -> list[Problem]:
        return [p for p in self.problems if p.fatal]


def _bad(row, code, en, zh, hint="", hint_zh="") -> Problem:
    return Problem(row, code, en, zh, hint, hint_zh)


# ---------------------------------------------------------------------------------- reading
def _chunks(path: Path, encoding: str | None, tick: Callable[[], None] | None = None):
    """DataFrames of text cells (every column str), CHUNK_ROWS at a time. An XLSX is first turned
    into a CSV by a bounded child process (loaders.importer.xlsx; `tick` runs while it works)."""
    suffix = path.suffix.lower()
    if suffix == ".xlsx":
        with xlsx.as_csv(path, tick) as csv_path:
            yield from _csv_chunks(csv_path, "utf-8", path.name)
        return
    if suffix not in (".csv", ".txt"):
        raise InvalidInput(f"{path.name}: use a CSV or XLSX file", f"“{path.name}”：请使用 CSV 或 XLSX 文件。")
    yield from _csv_chunks(path, encoding or _sniff_encoding(path), path.name)


def _csv_chunks(path: Path, enc: str, name: str):
    try:
        reader = pd.read_csv(path, dtype=str, keep_default_na=False, encoding=enc, chunksize=CHUNK_ROWS,
                             skipinitialspace=True)
        for df in reader:
            yield df
    except UnicodeDecodeError as exc:
        raise InvalidInput(f"{name} is not valid {enc} text; save it as UTF-8 CSV or pass --encoding",
                           f"“{name}”不是有效的 {enc} 文本：请另存为 UTF-8 的 CSV，或指定编码。") from exc
    except (pd.errors.ParserError, pd.errors.EmptyDataError) as exc:
        raise InvalidInput(f"{name} is not a readable CSV ({str(exc)[:120]})",
                           f"“{name}”不是可读的 CSV 文件（列数不一致或为空）。") from exc


SNIFF_BYTES = 1 << 20


def _sniff_encoding(path: Path) -> str:
    """UTF-8 (with or without BOM) or GBK, decided on the first megabyte (read alone, never the whole
    file). The sample is decoded incrementally: a character cut by the sample's end waits for bytes
    that never come instead of counting as an error (Excel's "CSV UTF-8" of over 1 MB was refused
    when the cut split a Chinese character: the BOM shifted the error's offset past a simple test)."""
    with path.open("rb") as f:
        head = f.read(SNIFF_BYTES)
    whole = len(head) < SNIFF_BYTES
    for enc in ("utf-8-sig", "gbk"):
        try:
            codecs.getincrementaldecoder(enc)().decode(head, final=whole)
        except UnicodeDecodeError:
            continue
        if enc == "gbk" and japanese_bytes(head):
            raise InvalidInput(f"{path.name} looks like Japanese (Shift-JIS) text, not UTF-8 or GBK; save it as UTF-8 CSV",
                               f"“{path.name}”似乎是日文（Shift-JIS）编码，不是 UTF-8 或 GBK：请另存为 UTF-8 的 CSV。")
        return enc
    raise InvalidInput(f"{path.name} is neither UTF-8 nor GBK text; save it as UTF-8 CSV",
                       f"“{path.name}”不是 UTF-8 或 GBK 编码的文本，请另存为 UTF-8 的 CSV。")


def rows_estimate(path: Path) -> int | None:
    """About how many rows a CSV holds (its line breaks, less the header; a quoted field with a line
    break counts twice): the progress bar's total. Read in 4 MB blocks, never whole. None for XLSX."""
    if path.suffix.lower() not in (".csv", ".txt"):
        return None
    n = 0
    with path.open("rb") as f:
        while block := f.read(1 << 22):
            n += block.count(b"\n")
    return max(n - 1, 0)


# Column names that say the coordinate system: 经度(GCJ-02), 纬度（百度）, gcj_lng, lat_wgs84, GPS经度 …
DATUM_TAGS = (("gcj02", ("gcj", "高德", "腾讯", "火星")), ("bd09", ("bd09", "bd", "百度", "baidu")),
              ("wgs84", ("wgs", "gps", "cgcs", "2000", "4490", "4326")))
_TAGGED = re.compile(r"^(?P<base>[^(（\[【]+?)\s*[(（\[【](?P<tag>[^)）\]】]*)[)）\]】]\s*$")
_LONLAT = {n.lower() for n in (*HEADERS["lon"], *HEADERS["lat"])}


def _split_header(name: str) -> tuple[str, str]:
    """(the name a field is looked up by, the words around it that may say the coordinate system):
    "经度(GCJ-02)" -> ("经度", "GCJ-02"), "gcj_lng" -> ("lng", "gcj"), "GPS经度" -> ("经度", "GPS")."""
    name = name.strip().lstrip("\ufeff")
    m = _TAGGED.match(name)
    if m:
        return m["base"].strip(), m["tag"].strip()
    parts = [t for t in re.split(r"[_\-\s.]+", name) if t]
    if len(parts) > 1:
        base = [t for t in parts if t.lower() in _LONLAT]
        if len(base) == 1:
            return base[0], " ".join(t for t in parts if t is not base[0])
    for n in ("经度", "纬度"):
        if name.endswith(n) and name != n:
            return n, name[: -len(n)]
    return name, ""


def _tag_datum(tag: str) -> str | None:
    t = tag.lower().replace("-", "").replace("_", "")
    return next((d for d, words in DATUM_TAGS if any(w in t for w in words)), None) if t else None


def header_datum(columns) -> str | None:
    """The coordinate system the longitude/latitude column names say, when they agree."""
    found = set()
    for c in columns:
        base, tag = _split_header(str(c))
        if base.lower() in _LONLAT and (d := _tag_datum(tag)):
            found.add(d)
    return found.pop() if len(found) == 1 else None


def _columns(df: pd.DataFrame) -> dict[str, str | None]:
    cols = {_split_header(str(c))[0]: c for c in df.columns}
    lower = {k.lower(): v for k, v in cols.items()}
    out = {}
    for f, names in HEADERS.items():
        out[f] = next((cols[n] for n in names if n in cols), None) or \
            next((lower[n.lower()] for n in names if n.lower() in lower), None)
    missing = []
    if out["category"] is None:
        missing.append("category_code (事件类型 / 类别编码)")
    if out["grid_code"] is None and (out["lon"] is None or out["lat"] is None) and out["address"] is None:
        missing.append("lon/lat (经度/纬度 or X/Y), grid_code (网格编码) or address (地址)")
    if missing:
        raise InvalidInput("missing columns: " + ", ".join(missing) + f" (found: {', '.join(map(str, cols))})",
                           "缺少必需的列：" + "、".join(missing) + f"（文件中的列：{'、'.join(map(str, cols))}）")
    return out


# ---------------------------------------------------------------------------------- checking
# The file's columns under the validator's names (geo.intake.check is the one set of rules).
CANONICAL = {"category": "category", "external_id": "external_id", "description": "description",
             "priority": "priority", "lon": "lon", "lat": "lat", "reported_at": "reported_at", "address": "address",
             "reporter": "reporter", "terminal_id": "terminal_id", "grid_code": "grid_code", "datum": "datum"}


def _canonical(df: pd.DataFrame, cols: dict) -> pd.DataFrame:
    return pd.DataFrame({CANONICAL[f]: df[c] for f, c in cols.items() if c is not None}, index=df.index)


# ---------------------------------------------------------------------------------- writing
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


def file_reporter() -> intake.Reporter:
    """Who imports from the command line: the operating-system account, as the audit row names it."""
    import getpass
    return intake.Reporter(f"cli:{getpass.getuser()}"[:60], None, "数据导入", "cli")


SAMPLE_POINTS = 2_000
DATUM_NAMES = {"wgs84": "WGS-84 / CGCS2000", "gcj02": "GCJ-02（高德、腾讯）", "bd09": "BD-09（百度）"}


def datum_shares(conn, lon: np.ndarray, lat: np.ndarray) -> dict[str, float]:
    """Of these points (as written), the share inside the county's grids under each coordinate system."""
    from geo.assign import assign_points

    ok = np.isfinite(lon) & np.isfinite(lat) & (lon > 73) & (lon < 136) & (lat > 3) & (lat < 54)
    lon, lat = lon[ok], lat[ok]
    if not len(lon):
        return {d: 0.0 for d in DATUM_NAMES}
    return {d: float(np.mean([c is not None for c in assign_points(conn, lon, lat, d)])) for d in DATUM_NAMES}


def _resolve_datum(conn, df: pd.DataFrame, cols: dict, result: Result) -> str | None:
    """自动: the coordinate system as the file says it — a 坐标系 column (per row), else the longitude
    and latitude column names — or None, with the shares of a sample inside the county under each
    system in `result` and a refusal saying to choose: never a silent guess (a GCJ-02 export read as
    WGS-84 lands ~500 m off, and every point is still inside the county)."""
    if cols["datum"] is not None:
        result.datum, result.datum_from = "per row", "坐标系列"
        return ""
    if cols["lon"] is None or cols["lat"] is None:
        result.datum, result.datum_from = "wgs84", "无坐标（按网格编码或地址）"
        return "wgs84"
    said = header_datum([c for c in df.columns if c in (cols["lon"], cols["lat"])])
    if said:
        result.datum, result.datum_from = said, "列名"
        return said
    head = df.head(SAMPLE_POINTS)
    lon = pd.to_numeric(head[cols["lon"]], errors="coerce").to_numpy(float)
    lat = pd.to_numeric(head[cols["lat"]], errors="coerce").to_numpy(float)
    shares = datum_shares(conn, lon, lat)
    result.datum_shares = shares
    result.datum_sample = [(float(x), float(y)) for x, y in zip(lon, lat) if np.isfinite(x) and np.isfinite(y)][:500]
    en = ", ".join(f"{d} {v:.1%}" for d, v in shares.items())
    zh = "，".join(f"{DATUM_NAMES[d]} {v:.1%}" for d, v in shares.items())
    result.problems.append(_bad(
        None, "坐标系", f"the file does not say its coordinate system; of {len(lon)} sample points, inside the "
        f"county's grids: {en}", f"文件未注明坐标系（自动不作猜测）：抽样 {len(lon)} 个点，落在江阴市网格内的比例为 {zh}",
        "choose one with --crs EPSG:4490 (WGS-84/CGCS2000), gcj02 or bd09, or add a 坐标系 column",
        "请在“坐标系”中选择 WGS-84、GCJ-02 或 BD-09，或在文件中加“坐标系”列；"
        "高德、腾讯地图和多数手机导出为 GCJ-02，百度地图为 BD-09"))
    return None


def load(conn, path: Path, source: str = "grid_app", datum: str | None = None, encoding: str | None = None,
         dry_run: bool = False, now: dt.datetime | None = None, by: intake.Reporter | None = None,
         progress: Callable[[int, str], None] | None = None, keep_columns: bool = False) -> Result:
    """Check the whole file, then (unless anything is refused, or a dry run) load it with its audit
    row, in one transaction: the same checks, placing, routing and write as one report
    (geo.intake). `datum` None is 自动: the file must say its coordinate system (_resolve_datum).
    `keep_columns`: the columns no event field reads go into each event's `attributes` ({column:
    cell}, the non-empty cells; a row's at most ATTRIBUTES_MAX characters).
    Memory stays bounded by the chunk size. `progress(rows, stage)` is called after
    each chunk is checked and staged ("checked") and once the rows are written ("written").

    The live system keeps working meanwhile: the rows go into events and event_log with their
    indexes in place (dropping them inside the import's transaction locked every reader of the
    table until the commit), and an interrupt (Ctrl-C, SIGTERM made KeyboardInterrupt by the CLI)
    cancels the running statement and rolls everything back."""
    now = now or dt.datetime.now(TZ)
    src = (source or "grid_app").strip()
    kind = SOURCES.get(src.lower(), "grid_app")
    by = by or file_reporter()
    by = intake.Reporter(by.username, by.role, by.name, by.via, None, src)
    result = Result()
    cat = intake.Catalogue(conn)
    grids = None
    seen: dict[str, int] = {}
    queue: list[dict] = []
    with conn.transaction():
        # JIT off: the write's plans cost millions (a 200,000-row batch), and compiling the statement and
        # the statistics trigger's took 1.4 s of a 200 k import (auto_explain, 2026-12-06), as on the pages
        conn.execute("SELECT set_config('statement_timeout', %(t)s, true), "
                     "set_config('client_connection_check_interval', '2s', true), set_config('jit', 'off', true)",
                     {"t": STATEMENT_TIMEOUT})
        intake.create_stage(conn)
        first = 1
        staged = 0
        tick = (lambda: progress(0, "reading")) if progress else None
        for df in _chunks(path, encoding, tick):
            cols = _columns(df)
            if first == 1:
                result.ignored = [str(c) for c in df.columns if c not in cols.values()]
                if result.ignored and keep_columns:
                    result.problems.append(Problem(
                        None, "、".join(result.ignored), f"kept as attributes: {', '.join(result.ignored)}",
                        f"以下列作为事件的附加属性保存：{'、'.join(result.ignored)}", fatal=False))
                elif result.ignored:
                    result.problems.append(Problem(
                        None, "、".join(result.ignored), f"ignored columns: {', '.join(result.ignored)}",
                        f"以下列未导入（没有对应的事件字段）：{'、'.join(result.ignored)}", fatal=False))
                if datum is None:
                    datum = _resolve_datum(conn, df, cols, result)
                    if datum is None:
                        conn.execute("DROP TABLE _event_stage")
                        return result
                else:
                    result.datum, result.datum_from = ("per row", "坐标系列") if cols["datum"] is not None \
                        else (datum, "选定")
            result.rows += len(df)
            frame = _canonical(df, cols)
            frame["source"] = kind
            if keep_columns and result.ignored:
                frame["attributes"], too_long = _attributes(df, result.ignored)
                for i in np.flatnonzero(too_long)[:1000]:
                    result.problems.append(_bad(first + int(i), None, f"the other columns hold more than "
                                                f"{ATTRIBUTES_MAX} characters", f"其他列的内容超过 {ATTRIBUTES_MAX} 字",
                                                "shorten them, or import without keeping the other columns",
                                                "请缩短，或不保留其他列后导入。"))
            if cols["description"] is None:         # a work-order list without 描述: its type and address say it
                frame["description"] = ("事件类型：" + frame["category"].astype(str).str.strip() + "；地址："
                                        + (frame["address"].astype(str).str.strip() if "address" in frame else ""))
                if first == 1:
                    result.problems.append(Problem(None, "描述", "no description column: each event's description "
                                                   "is its category and address", "文件没有“描述”列：事件描述"
                                                   "由事件类型和地址生成", fatal=False))
            assert datum is not None                   # resolved on the first chunk, or returned refused
            good, problems, numbers = intake.check(frame, first, cat, datum, now)
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
            grids = grids or intake.Grids(conn)
            good = good.copy()
            x, y, code, where = intake.place(conn, good, grids, review=True)
            result.problems += where
            keep = np.array([c is not None for c in code], dtype=bool)
            if "matches" in good.attrs:
                queue += _matched(good, keep, code, result)
            good = good[keep]
            if good.empty or result.refused:
                continue
            _copy(conn, intake.route(conn, good, cat, x[keep], y[keep], code[keep], by))
            staged += len(good)
            if progress:
                progress(result.rows, "checked")
        if result.refused:
            return result
        conn.execute("ANALYZE _event_stage")     # temporary tables get no statistics otherwise
        for row, ext, eid, same in db.tuples(conn, _KNOWN, {"src": src}):
            if same:
                result.unchanged += 1
            else:
                result.changed.append((row, ext, eid))
        if dry_run:
            result.queued = len(queue)
            result.inserted = staged - result.unchanged - len(result.changed)
            conn.execute("DROP TABLE _event_stage")
            return result
        fresh = staged - result.unchanged - len(result.changed)
        ids = intake.write_stage(conn, src)
        result.inserted = len(ids)
        if ids:
            result.ids = (ids[0], ids[-1])
        result.queued = _enqueue(conn, queue, src, path.name, by)
        if fresh >= ANALYZE_ROWS:         # the planner's view of the tables after a large load (no lock on readers)
            conn.execute("ANALYZE events, event_log")
        if progress:
            progress(result.rows, "written")
        audit.record(conn, by.username, by.role, "import", f"events:{path.name}"[:200], via=by.via, source=src,
                     rows=result.rows, inserted=result.inserted, unchanged=result.unchanged,
                     changed=len(result.changed), queued=result.queued)
        result.written = True
    return result


def _matched(good: pd.DataFrame, keep: np.ndarray, code: np.ndarray, result: Result) -> list[dict]:
    """The match report of a chunk's address rows, and the rows to queue for review: those whose
    address matched nothing clearly (a point outside the importer's area is refused instead)."""
    queue = []
    rows = good["row"].to_numpy()
    pos = {int(r): i for i, r in enumerate(rows)}
    for row, m in good.attrs["matches"].items():
        i = pos[row]
        b = m.best
        if b is not None:
            result.matches.append((row, m.parsed.text, "clear", b.label, round(b.score, 3), code[i] or ""))
            continue
        top = m.candidates[0] if m.candidates else None
        result.matches.append((row, m.parsed.text, m.status, top.label if top else "", round(top.score, 3) if top else 0.0, ""))
        g = good.iloc[i]
        queue.append({
            "row_number": row, "external_id": g["external_id"] if isinstance(g["external_id"], str) else None,
            "address": m.parsed.text[:200],
            "report": {"category_code": g["category_code"], "description": g["description"],
                       "priority": int(g["priority"]), "reported_at": g["reported_at"].isoformat(),
                       "time_given": bool(g["time_given"]), "reporter": g["reporter"], "source": g["source"]},
            "candidates": [c.as_dict() for c in m.candidates], "best_score": top.score if top else None})
    return queue


# The review queue (address_review): the importer's own area's queue (a town's import, its town).
_ENQUEUE = """
INSERT INTO address_review (source, file_name, row_number, external_id, address, report, candidates, best_score,
                            town_code, village_code, created_by)
SELECT %(src)s, %(file)s, r.row_number, r.external_id, r.address, r.report, r.candidates, r.best_score,
       CASE WHEN jy_ctx('scope') = 'town' THEN jy_ctx('town') END,
       CASE WHEN jy_ctx('scope') = 'village' THEN jy_ctx('village') END, %(by)s
  FROM jsonb_to_recordset(%(rows)s::jsonb)
       AS r(row_number integer, external_id text, address text, report jsonb, candidates jsonb, best_score real)
 WHERE NOT EXISTS (SELECT 1 FROM address_review q WHERE q.status = 'open' AND q.source = %(src)s
                     AND q.external_id = r.external_id)
"""


def _enqueue(conn, queue: list[dict], src: str, file_name: str, by: intake.Reporter) -> int:
    if not queue:
        return 0
    import json
    cur = conn.execute(_ENQUEUE, {"src": src, "file": file_name[:200], "by": by.name,
                                  "rows": json.dumps(queue, ensure_ascii=False, default=str)})
    return cur.rowcount


ATTRIBUTES_MAX = 2000       # characters: within the column's 8 KB even in Chinese (3 bytes each)


def _attributes(df: pd.DataFrame, columns: list[str]) -> tuple[pd.Series, np.ndarray]:
    """Each row's other columns as JSON text ({column: cell}, non-empty cells only; None when all are
    empty), and which rows' text is longer than ATTRIBUTES_MAX."""
    import json

    other = df[columns].astype(str).apply(lambda s: s.str.strip())
    records = other.to_dict("records")
    text = [json.dumps({k: v for k, v in r.items() if v and v.lower() != "nan"}, ensure_ascii=False) for r in records]
    out = pd.Series([None if t == "{}" else t for t in text], index=df.index, dtype=object)
    return out, np.array([len(t) > ATTRIBUTES_MAX for t in text], dtype=bool)


def _copy(conn, staged) -> None:
    intake.copy_stage(conn, staged)
