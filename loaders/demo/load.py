"""Write DemoData into PostGIS: one transaction, COPY for every table, nothing half-written."""
from __future__ import annotations

import contextlib
import io
import json
import queue
import threading
from typing import Iterator

import numpy as np
import pandas as pd
import psycopg
import pyarrow as pa
import pyarrow.csv as pa_csv
import shapely
from psycopg import sql

from geo import db
from geo.crs import STORE_SRID
from geo.errors import InvalidInput
from loaders.demo import DemoData
from loaders.demo import addresses as demo_addresses
from loaders.reference import load_reference

# 一张图's tables, emptied with the rest on --replace (child tables first)
ONEMAP_TABLES = ("enterprise_inspections", "supervised_enterprises", "grid_base_counts", "service_points",
                 "assistance_households", "mutual_aid_villages", "staff_positions", "checkins")
# what hangs on events and staff goes with them (--replace failed on event_photos since migration 015)
FIELD_TABLES = ("patrol_checks", "collection_records", "notifications", "outbox", "event_urges", "event_photos",
                "incident_zones", "api_tokens", "terminal_accounts")
DEMO_TABLES = ONEMAP_TABLES + FIELD_TABLES + ("address_review", "address_points", "address_roads",
                                              "event_log", "events", "staff", "chem_inventory", "chem_sites", "emergency_resources",
               "grids", "stats_grid_day", "stats_village_day", "stats_cell_day", "stats_category_day")
_CHUNK = 200_000


def _ewkb(geoms) -> np.ndarray:
    arr = shapely.set_srid(np.asarray(geoms, dtype=object), STORE_SRID)
    return shapely.to_wkb(arr, hex=True, include_srid=True)


def _points(lon, lat) -> np.ndarray:
    return _ewkb(shapely.points(np.asarray(lon, float), np.asarray(lat, float)))


def _local_ts(values) -> np.ndarray:
    """Naive Asia/Shanghai datetime64 -> text that PostgreSQL reads as timestamptz."""
    return np.char.add(np.datetime_as_string(np.asarray(values, dtype="datetime64[s]"), unit="s"), "+08")


def copy_frame(cur: psycopg.Cursor, table: str, frame: pd.DataFrame) -> int:
    """COPY a DataFrame (columns named as the table's) as CSV written by Arrow, in chunks; missing
    values are NULL."""
    stmt = sql.SQL("COPY {} ({}) FROM STDIN WITH (FORMAT csv)").format(
        sql.Identifier(table), sql.SQL(", ").join(map(sql.Identifier, frame.columns)))
    with cur.copy(stmt) as copy:
        for start in range(0, len(frame), _CHUNK):
            buf = io.BytesIO()
            pa_csv.write_csv(pa.Table.from_pandas(frame.iloc[start:start + _CHUNK], preserve_index=False), buf,
                             pa_csv.WriteOptions(include_header=False, quoting_style="needed"))
            copy.write(buf.getbuffer())
    return len(frame)


def database_has_data(conn) -> bool:
    return conn.execute("SELECT EXISTS (SELECT 1 FROM grids)").fetchone()[0]


# The triggers that keep the daily figures (stats_*_day) in step with events, row set by row set.
STATS_TRIGGERS = ("events_stats_insert", "events_stats_update")


@contextlib.contextmanager
def _triggers_off(conn, table: str, names: tuple[str, ...]):
    """Within the load's transaction (the table is locked): the named triggers held off, back on
    before commit; a rollback undoes both."""
    for on in (False, True):
        for name in names:
            conn.execute(sql.SQL("ALTER TABLE {} {} TRIGGER {}").format(
                sql.Identifier(table), sql.SQL("ENABLE" if on else "DISABLE"), sql.Identifier(name)))
        if not on:
            yield


def _prefetched(batches: Iterator, depth: int = 1) -> Iterator:
    """The batches drawn in a second thread while the current one is written (the database works
    on the previous COPY meanwhile): at most depth + 2 batches in memory."""
    q: queue.Queue = queue.Queue(maxsize=depth)
    done = object()
    stop = threading.Event()

    def produce():
        try:
            for item in batches:
                while not stop.is_set():
                    try:
                        q.put(item, timeout=0.5)
                        break
                    except queue.Full:
                        continue
                if stop.is_set():
                    return
            q.put(done)
        except BaseException as exc:  # noqa: BLE001 - handed to the consumer, which raises it
            q.put(exc)

    t = threading.Thread(target=produce, name="demo-batches", daemon=True)
    t.start()
    try:
        while True:
            item = q.get()
            if item is done:
                return
            if isinstance(item, BaseException):
                raise item
            yield item
    finally:
        stop.set()
        t.join(timeout=5)


def _copy_events(cur, data: DemoData, counts: dict[str, int]) -> None:
    counts["events"] = counts["event_log"] = 0
    for e, lg in _prefetched(data.event_batches()):
        counts["events"] += copy_frame(cur, "events", pd.DataFrame({
            "id": e.id, "category_code": e.category_code, "priority": e.priority,
            "handling_level": e.handling_level, "reported_at": _local_ts(e.reported_at),
            "due_at": _local_ts(e.due_at), "location": _points(e.lon, e.lat),
            "grid_code": e.grid_code, "description": e.description, "address": e.address,
            "source": e.source, "reporter_staff_id": e.reporter_staff_id,
            "assignee_department": e.assignee_department, "assignee_team": e.assignee_team,
            "is_demo": True}))
        counts["event_log"] += copy_frame(cur, "event_log", pd.DataFrame({
            "event_id": lg.event_id, "at": _local_ts(lg["at"]), "actor": lg.actor,
            "actor_role": lg.actor_role, "from_status": lg.from_status, "to_status": lg.to_status,
            "level": lg.level, "note": lg.note}))


def load_onemap(cur: psycopg.Cursor, data: DemoData) -> dict[str, int]:
    """一张图's demo layers (loaders/demo/onemap.py), in the caller's transaction."""
    f = data.onemap
    counts = {"grid_base_counts": copy_frame(cur, "grid_base_counts", f["grid_base_counts"])}
    for table in ("service_points", "supervised_enterprises"):
        t = f[table]
        counts[table] = copy_frame(cur, table, t.drop(columns=["lon", "lat"]).assign(location=_points(t.lon, t.lat)))
        cur.execute(sql.SQL("UPDATE {} SET grid_code = grid_for_point(location)").format(sql.Identifier(table)))
    counts["enterprise_inspections"] = copy_frame(cur, "enterprise_inspections", f["enterprise_inspections"])
    counts["assistance_households"] = copy_frame(cur, "assistance_households", f["assistance_households"])
    counts["mutual_aid_villages"] = copy_frame(cur, "mutual_aid_villages", f["mutual_aid_villages"])
    c = f["checkins"]
    counts["checkins"] = copy_frame(cur, "checkins", c.drop(columns=["lon", "lat"]).assign(location=_points(c.lon, c.lat)))
    p = f["staff_positions"]
    counts["staff_positions"] = copy_frame(cur, "staff_positions",
                                           p.drop(columns=["lon", "lat"]).assign(location=_points(p.lon, p.lat)))
    counts["patrol_checks"] = load_patrol_checks(cur)
    return counts


# 铁脚板's demo records, set-based from what is already loaded (deterministic: chosen by row ids).
# Every demo 巡查打卡 inspected one to three items of the daily and weekly catalogue, all 正常; a quarter
# of the grid workers' reports of the same days are the failed checks that raised them.
_DEMO_OK_CHECKS = """
WITH items AS (SELECT code, (row_number() OVER (ORDER BY code) - 1)::int AS i, count(*) OVER ()::int AS n
                 FROM patrol_items WHERE frequency <> 'monthly')
INSERT INTO patrol_checks (staff_id, item_code, at, location, grid_code, village_code, town_code, result,
                           external_id, is_demo)
SELECT c.staff_id, it.code, c.at + make_interval(mins => k.k * 4), c.location, c.grid_code, c.village_code,
       c.town_code, 'ok', 'demo:' || c.id || ':' || k.k, true
  FROM checkins c
 CROSS JOIN LATERAL generate_series(0, (c.id % 3)::int) AS k(k)
  JOIN items it ON it.i = (c.id * 7 + k.k * 31) % it.n
 WHERE c.is_demo AND c.grid_code IS NOT NULL
"""
_DEMO_FAILED_CHECKS = """
INSERT INTO patrol_checks (staff_id, item_code, at, location, grid_code, village_code, town_code, result, note,
                           event_id, external_id, is_demo)
SELECT e.reporter_staff_id, p.code, e.reported_at, e.location, e.grid_code, e.village_code, e.town_code, 'fail',
       left(e.description, 500), e.id, 'demo:e' || e.id, true
  FROM events e
  JOIN LATERAL (SELECT pi.code FROM patrol_items pi WHERE pi.event_category_code = e.category_code
                 ORDER BY pi.code LIMIT 1) p ON true
 WHERE e.is_demo AND e.source = 'grid_app' AND e.reporter_staff_id IS NOT NULL AND e.id % 4 = 0
   AND e.grid_code IS NOT NULL AND e.reported_at >= (SELECT min(at) FROM checkins WHERE is_demo)
"""


def load_patrol_checks(cur: psycopg.Cursor) -> int:
    n = cur.execute(_DEMO_OK_CHECKS).rowcount
    n += cur.execute(_DEMO_FAILED_CHECKS).rowcount
    cur.execute("SELECT setval(pg_get_serial_sequence('patrol_checks', 'id'), "
                "(SELECT coalesce(max(id), 0) + 1 FROM patrol_checks), false)")
    return n


def onemap_missing(conn) -> bool:
    """A demo database loaded before 一张图 existed (migration 031): its layers are still empty."""
    return not conn.execute("SELECT EXISTS (SELECT 1 FROM grid_base_counts)").fetchone()[0]


def load_onemap_only(conn: psycopg.Connection, data: DemoData) -> dict[str, int]:
    """Add 一张图's layers to a demo database of the same seed and time (one transaction)."""
    have = {r[0] for r in conn.execute("SELECT code FROM grids")}
    if have != set(data.grids.code):
        raise InvalidInput("this demo database's grids are not the current demo's (loaded by an older version); "
                           "reload it with: ./run.sh loaders demo --replace",
                           "演示数据库的网格与当前版本的演示数据不同，请用 ./run.sh loaders demo --replace 重新加载。")
    with conn.transaction(), conn.cursor() as cur:
        counts = load_onemap(cur, data)
        for table in ("service_points", "assistance_households", "supervised_enterprises", "enterprise_inspections",
                      "checkins"):
            cur.execute(sql.SQL(
                "SELECT setval(pg_get_serial_sequence({t}, 'id'), "
                "(SELECT coalesce(max(id), 0) + 1 FROM {i}), false)").format(
                    t=sql.Literal(table), i=sql.Identifier(table)))
    conn.execute("ANALYZE")
    conn.commit()
    return counts


def load(conn: psycopg.Connection, data: DemoData, replace: bool = False) -> dict[str, int]:
    """Load everything in one transaction; with replace, the previous data goes in the same one."""
    counts: dict[str, int] = {}
    with conn.transaction(), conn.cursor() as cur:
        if database_has_data(conn):
            if not replace:
                raise InvalidInput("the database already holds grids; use --replace to overwrite "
                                   "them with demo data, or --if-empty to keep them",
                                   "数据库中已有网格数据：用 --replace 以演示数据覆盖，或用 --if-empty 保留。")
            cur.execute("SELECT set_config('jiangyin.allow_log_purge', 'on', true)")
            cur.execute(sql.SQL("TRUNCATE {} RESTART IDENTITY").format(
                sql.SQL(", ").join(map(sql.Identifier, DEMO_TABLES))))
        load_reference(conn)

        g = data.grids.sort_values(["level", "code"], kind="stable")
        counts["grids"] = copy_frame(cur, "grids", pd.DataFrame({
            "code": g.code, "parent_code": g.parent_code, "level": g.level, "kind": g.kind,
            "dedicated_type": g.dedicated_type, "name": g.name, "population": g.population,
            "geom": _ewkb(g.geom), "is_demo": True}))

        s = data.staff
        counts["staff"] = copy_frame(cur, "staff", pd.DataFrame({
            "id": s.id, "name": s.name, "role": s.role, "grid_code": s.grid_code, "phone": s.phone,
            "terminal_id": s.terminal_id, "on_duty": s.on_duty,
            "location": _points(s.lon, s.lat), "location_at": data.params["until"], "is_demo": True}))

        # Events and their history, a batch at a time (memory stays flat). A large load goes the bulk
        # way: indexes and foreign keys re-built after; each event moved to its latest log row in one
        # pass (events_replay_log, the log trigger's rule), the daily figures counted once at the end.
        if db.worth_rebuilding(conn, "events", data.n_events):
            with db.rebuilt_indexes(conn, "events", "event_log"), \
                    _triggers_off(conn, "events", (*STATS_TRIGGERS, "events_guard_status")), \
                    _triggers_off(conn, "event_log", ("event_log_apply", "event_log_a_check")):
                _copy_events(cur, data, counts)
                cur.execute("SELECT events_replay_log()")
            cur.execute("SELECT stats_rebuild()")
        else:
            _copy_events(cur, data, counts)

        c = data.chem_sites
        counts["chem_sites"] = copy_frame(cur, "chem_sites", pd.DataFrame({
            "id": c.id, "name": c.name, "enterprise": c.enterprise, "main_chemicals": c.main_chemicals, "safety_distance_m": c.safety_distance_m,
            "geom": _points(c.lon, c.lat), "is_demo": True}))

        counts["chem_inventory"] = copy_frame(cur, "chem_inventory", data.chem_inventory)

        r = data.resources
        counts["emergency_resources"] = copy_frame(cur, "emergency_resources", pd.DataFrame({
            "id": r.id, "name": r.name, "kind": r.kind, "personnel": r.personnel.astype("Int64"),
            "vehicles": r.vehicles.astype("Int64"), "phone": r.phone,
            "geom": _points(r.lon, r.lat), "is_demo": True}))

        # Sites and resources get their grid by the one point -> grid rule (set-based).
        for table in ("chem_sites", "emergency_resources"):
            cur.execute(sql.SQL("UPDATE {} SET grid_code = grid_for_point(geom)").format(
                sql.Identifier(table)))
        cur.execute("SELECT chem_recompute(NULL)")
        counts.update(load_onemap(cur, data))
        counts.update(demo_addresses.load(conn))
        for table in ("staff", "events", "event_log", "chem_sites", "emergency_resources", "service_points",
                      "assistance_households", "supervised_enterprises", "enterprise_inspections", "checkins"):
            cur.execute(sql.SQL(
                "SELECT setval(pg_get_serial_sequence({t}, 'id'), "
                "(SELECT coalesce(max(id), 0) + 1 FROM {i}), false)").format(
                    t=sql.Literal(table), i=sql.Identifier(table)))
        cur.execute(
            "INSERT INTO dataset_info (id, is_demo, source, params, loaded_at) "
            "VALUES (1, true, 'demo', %(p)s, now()) ON CONFLICT (id) DO UPDATE SET "
            "is_demo = true, source = 'demo', params = EXCLUDED.params, loaded_at = now()",
            {"p": json.dumps(data.params)})
    conn.execute("ANALYZE")
    conn.commit()
    return counts
