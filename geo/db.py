"""The one database module: connection settings, the pool, and the migrations runner.

DATABASE_URL names the database (./run.sh prints it). Every session runs in Asia/Shanghai time so
that "today" means the command centre's today.
"""
from __future__ import annotations

import hashlib
import hmac
import select
import threading
import time
from collections.abc import Callable
from contextlib import contextmanager
from pathlib import Path
from typing import Any, Iterator, TypeVar

import psycopg
from psycopg.conninfo import conninfo_to_dict, make_conninfo
from psycopg.rows import dict_row, tuple_row
from psycopg_pool import ConnectionPool

from geo.errors import DataUnavailable
from geo.settings import settings

ROOT = Path(__file__).resolve().parent.parent
MIGRATIONS_DIR = ROOT / "data" / "migrations"
TIMEZONE = "Asia/Shanghai"
# Serialises concurrent migration runs (two ./run.sh at once); an arbitrary constant.
_MIGRATION_LOCK = 4_490_320_281


def database_url(url: str | None = None) -> str:
    url = url or settings().database_url
    if not url:
        raise DataUnavailable(
            "DATABASE_URL is not set. Run ./run.sh (it prints DATABASE_URL=...) or export it.",
            "未配置数据库连接（DATABASE_URL）。请先运行 ./run.sh。",
        )
    return url


def app_database_url() -> str:
    """The dashboard's connection: the jy_app role, which row-level security confines to the
    signed-in viewer's scope. Never falls back to the owner's DATABASE_URL."""
    url = settings().app_database_url
    if not url:
        raise DataUnavailable(
            "APP_DATABASE_URL is not set. Run ./run.sh (it prints APP_DATABASE_URL=...) or export it.",
            "未配置应用数据库连接（APP_DATABASE_URL）。请先运行 ./run.sh。")
    return url


AUTH_ROLE = "jy_auth"


def auth_password(app_password: str) -> str:
    """The log-in role's password, derived from the app role's: whoever runs the app holds both
    anyway; what the split keeps out is SQL run through the app's own connections (an injection),
    which knows neither (migration 028)."""
    return hmac.new(app_password.encode(), b"jy_auth: the log-in role", hashlib.sha256).hexdigest()


def auth_conninfo(app_conninfo: str) -> str:
    """The same server and database as the app's connection, as jy_auth."""
    password = conninfo_to_dict(app_conninfo).get("password") or ""
    return make_conninfo(app_conninfo, user=AUTH_ROLE, password=auth_password(str(password)))


OUTBOX_ROLE = "jy_outbox"


def outbox_password(app_password: str) -> str:
    """The outbox worker's login password, derived from the app role's like jy_auth's: the worker
    signs in as its own role, which the app role cannot become (no SET ROLE membership)."""
    return hmac.new(app_password.encode(), b"jy_outbox: the outbox worker", hashlib.sha256).hexdigest()


def outbox_conninfo(app_conninfo: str) -> str:
    """The same server and database as the app's connection, as jy_outbox."""
    password = conninfo_to_dict(app_conninfo).get("password") or ""
    return make_conninfo(app_conninfo, user=OUTBOX_ROLE, password=outbox_password(str(password)))


def _configure(conn: psycopg.Connection) -> None:
    conn.execute("SELECT set_config('TimeZone', %(tz)s, false)", {"tz": TIMEZONE})
    conn.commit()


def connect(url: str | None = None, **kwargs) -> psycopg.Connection:
    try:
        conn = psycopg.connect(database_url(url), **kwargs)
    except psycopg.OperationalError as exc:
        raise DataUnavailable(f"cannot connect to the database: {exc}",
                              "无法连接数据库，请确认数据库已启动（./run.sh）。") from exc
    _configure(conn)
    return conn


def configure_serving(conn: psycopg.Connection) -> None:
    """A pooled connection serves pages and the API: short queries, where JIT compilation costs
    more than it saves. Under row-level security the planner over-estimates (a policy's filter has
    no statistics), so at 2 M events the city figures crossed jit_above_cost and paid 25 ms of
    compiling per query (categories 46 → 24 ms, a town's density 18 → 4 ms without it).

    Always a custom plan: psycopg prepares a statement on its 5th run on a connection, and PostgreSQL
    may then switch to a generic plan, which cannot see through the scope filters
    (`%(scope_town)s IS NULL OR town_code = …`), estimates one row and nests loops: 一张图's patrol
    coverage took 18–20 s instead of 60 ms from its 6th run on a pooled connection (auto_explain,
    2026-12-03). A plan costs a millisecond or two; every query is planned for its values."""
    conn.execute("SELECT set_config('TimeZone', %(tz)s, false), set_config('jit', 'off', false), "
                 "set_config('plan_cache_mode', 'force_custom_plan', false)", {"tz": TIMEZONE})
    conn.commit()


def alive(conn: psycopg.Connection) -> None:
    """The pool's check before it hands a connection out, without a round trip for a healthy one: a
    connection whose server went away (a restart, a killed backend) has its socket readable (EOF);
    only then is it asked (ConnectionPool.check_connection), which raises for a dead one. A round trip
    on every checkout cost an API request 0.3–1 ms of its ~4 (py-spy under load, 2026-12-06)."""
    if conn.closed or conn.broken:
        raise psycopg.OperationalError("the connection is closed")
    readable, _w, _x = select.select([conn.fileno()], [], [], 0)
    if readable:
        ConnectionPool.check_connection(conn)


def make_pool(url: str | None = None, min_size: int = 1, max_size: int = 8) -> ConnectionPool:
    # check: a connection that died (a database restart) is replaced before it is handed out (alive).
    # reconnect_timeout: psycopg_pool retries a failed connection after 1, 2, 4, 8 … s (up to 5 min by
    # default), and no request gets a new attempt while one waits out its pause: after a restart a
    # request waited 10 s and more. Capped, the retries give up soon and the next request that waits
    # starts a fresh attempt at once (psycopg_pool's own growth path).
    pool = ConnectionPool(database_url(url), min_size=min_size, max_size=max_size,
                          configure=configure_serving, check=alive,
                          reconnect_timeout=settings().jy_db_reconnect_s,
                          kwargs={"row_factory": dict_row}, open=False, name="jiangyin")
    try:
        pool.open(wait=True, timeout=settings().jy_db_open_timeout)
    except psycopg.errors.Error as exc:
        raise DataUnavailable(f"cannot open the connection pool: {exc}",
                              "无法连接数据库，请确认数据库已启动（./run.sh）。") from exc
    except Exception as exc:  # PoolTimeout
        raise DataUnavailable(f"cannot open the connection pool: {exc}",
                              "无法连接数据库，请确认数据库已启动（./run.sh）。") from exc
    return pool


def make_replica_pool(url: str) -> ConnectionPool:
    """A streaming replica's pool, opened without waiting: a replica that is down must not stop the
    dashboard (reads go to the primary while it is, see replica_state)."""
    return ConnectionPool(url, min_size=0, max_size=6, kwargs={"row_factory": dict_row},
                          configure=configure_serving, check=alive,
                          reconnect_timeout=settings().jy_db_reconnect_s, open=True, name="jiangyin-replica")


@contextmanager
def transaction(pool: ConnectionPool) -> Iterator[psycopg.Connection]:
    """One transaction per user action: commit on success, roll back on any error."""
    with pool.connection() as conn:
        with conn.transaction():
            yield conn


# --------------------------------------------------------------------------------------------
# The schema (docs/schema.md): data/migrations/NNN_name.sql hold tables and data, applied once each
# in order, each in its own transaction, recorded in schema_migrations with its checksum;
# data/functions/*.sql hold the live text of every function, trigger, view and policy, applied as
# a whole (in file order, one transaction) whenever any of them changed since the last run.
# --------------------------------------------------------------------------------------------
FUNCTIONS_DIR = ROOT / "data" / "functions"
BASELINE = "000_baseline"
# A database that migrations 001..031 built (before 2026-12-05) holds the baseline's tables already.
LEGACY_LAST = "031_one_map"


def migration_files() -> list[Path]:
    return sorted(p for p in MIGRATIONS_DIR.glob("*.sql") if p.name[:3].isdigit())


def function_files() -> list[Path]:
    return sorted(FUNCTIONS_DIR.glob("*.sql"))


def live_text_checksum() -> str:
    h = hashlib.sha256()
    for path in function_files():
        h.update(path.name.encode() + b"\0" + path.read_bytes() + b"\0")
    return h.hexdigest()


@contextmanager
def _cluster_turn(url: str | None) -> Iterator[None]:
    """Migrations of the databases of one cluster take turns. Roles and their settings are the
    cluster's (the baseline's CREATE ROLE, GRANT and ALTER ROLE … SET): two databases migrating at once
    updated the same catalogue row and one failed with "tuple concurrently updated" (seen with two
    test processes). An advisory lock belongs to one database, so the turn is taken in the cluster's
    maintenance database; where that cannot be reached, the database's own lock below still holds."""
    try:
        turn = psycopg.connect(make_conninfo(database_url(url), dbname="postgres"), autocommit=True)
    except psycopg.OperationalError:
        yield
        return
    with turn:
        turn.execute("SELECT pg_advisory_lock(%(k)s)", {"k": _MIGRATION_LOCK})
        yield


def migrate(url: str | None = None) -> list[str]:
    """Apply pending migrations, then the live text if it changed; return what was applied now
    (migration versions, and "functions" when data/functions was applied)."""
    applied_now: list[str] = []
    with _cluster_turn(url), connect(url, autocommit=True) as conn:
        conn.execute("SELECT pg_advisory_lock(%(k)s)", {"k": _MIGRATION_LOCK})
        try:
            conn.execute("""CREATE TABLE IF NOT EXISTS schema_migrations (
                              version text PRIMARY KEY,
                              checksum text NOT NULL,
                              applied_at timestamptz NOT NULL DEFAULT now())""")
            done = {r[0]: r[1] for r in conn.execute("SELECT version, checksum FROM schema_migrations")}
            files = migration_files()
            if done and BASELINE not in done:
                if LEGACY_LAST not in done:
                    raise DataUnavailable(
                        f"this database stops at migration {max(done)}: upgrade it with a release from before "
                        "2026-12-05 first (it applies 001..031), then with this one",
                        f"数据库停留在迁移 {max(done)}：请先用 2026-12-05 之前的版本升级到 031，再用本版本升级。")
                text = files[0].read_text(encoding="utf-8")
                conn.execute("INSERT INTO schema_migrations (version, checksum) VALUES (%(v)s, %(c)s)",
                             {"v": BASELINE, "c": hashlib.sha256(text.encode()).hexdigest()})
                done[BASELINE] = hashlib.sha256(text.encode()).hexdigest()
            for path in files:
                text = path.read_text(encoding="utf-8")
                checksum = hashlib.sha256(text.encode()).hexdigest()
                version = path.stem
                if version in done:
                    if done[version] != checksum:
                        raise DataUnavailable(
                            f"migration {path.name} was changed after it was applied; "
                            "add a new migration instead of editing an applied one",
                            f"迁移脚本 {path.name} 在执行后被修改：请新增迁移，而不要修改已执行的迁移。")
                    continue
                with conn.transaction():
                    conn.execute(text)
                    conn.execute("INSERT INTO schema_migrations (version, checksum) "
                                 "VALUES (%(v)s, %(c)s)", {"v": version, "c": checksum})
                applied_now.append(version)
            if apply_functions(conn):
                applied_now.append("functions")
        finally:
            conn.execute("SELECT pg_advisory_unlock(%(k)s)", {"k": _MIGRATION_LOCK})
    return applied_now


def apply_functions(conn: psycopg.Connection, force: bool = False) -> bool:
    """data/functions/*.sql in file order, in one transaction, when their checksum differs from the
    one recorded (or `force`). True when applied."""
    checksum = live_text_checksum()
    conn.execute("""CREATE TABLE IF NOT EXISTS schema_live_text (
                      one boolean PRIMARY KEY DEFAULT true CHECK (one),
                      checksum text NOT NULL,
                      applied_at timestamptz NOT NULL DEFAULT now())""")
    if not force and value(conn, "SELECT checksum FROM schema_live_text") == checksum:
        return False
    with conn.transaction():
        # bodies may name functions of a later file; each is checked when it first runs
        conn.execute("SET LOCAL check_function_bodies = off")
        for path in function_files():
            conn.execute(path.read_text(encoding="utf-8"))
        conn.execute("""INSERT INTO schema_live_text (checksum) VALUES (%(c)s)
                        ON CONFLICT (one) DO UPDATE SET checksum = EXCLUDED.checksum, applied_at = now()""",
                     {"c": checksum})
    return True


# --------------------------------------------------------------------------------------------
# Bulk loads: PostgreSQL's own advice for populating a table ("Populating a Database": remove
# indexes and foreign keys, load, re-create them) inside the load's one transaction. Building an
# index by sorting is far cheaper than inserting row by row once the new rows are many: a 1 M-row
# event import spends 15 s in ten B-tree inserts, 5 s in the GiST and 18 s in per-row foreign-key
# checks (EXPLAIN ANALYZE, 2026-11-28); re-creating them costs a few seconds, and re-adding a
# foreign key checks every row in one join. Primary keys and unique indexes stay: the load's own
# duplicate checks rely on them. The table is locked against readers until commit, so this is only
# worth it for loads that are large against the table (BULK_MIN_ROWS, BULK_MIN_SHARE).
# --------------------------------------------------------------------------------------------
BULK_MIN_ROWS = 100_000
BULK_MIN_SHARE = 0.25
BULK_LOCK_TIMEOUT = "60s"


def worth_rebuilding(conn: psycopg.Connection, table: str, new_rows: int) -> bool:
    """True when new_rows is at least BULK_MIN_ROWS and BULK_MIN_SHARE of the table's rows (the
    planner's estimate, which ANALYZE and autovacuum keep close)."""
    if new_rows < BULK_MIN_ROWS:
        return False
    existing = value(conn, "SELECT greatest(reltuples, 0) FROM pg_class WHERE oid = %(t)s::regclass", {"t": table})
    if existing is None:
        return True
    return new_rows >= BULK_MIN_SHARE * existing


@contextmanager
def rebuilt_indexes(conn: psycopg.Connection, *tables: str) -> Iterator[None]:
    """Within the caller's transaction: drop the tables' secondary indexes and outgoing foreign
    keys, run the body, then re-create them (each foreign key validated in one pass). Any error
    rolls the whole transaction back, definitions included."""
    from psycopg import sql
    conn.execute("SELECT set_config('lock_timeout', %(t)s, true), "
                 "set_config('maintenance_work_mem', '1GB', true)", {"t": BULK_LOCK_TIMEOUT})
    saved: list[tuple[str, str, str, str]] = []       # (table, kind, name, definition)
    for table in tables:
        conn.execute(sql.SQL("LOCK TABLE {} IN ACCESS EXCLUSIVE MODE").format(sql.Identifier(table)))
        found = tuples(conn, """
            SELECT 'index', c.relname, pg_get_indexdef(x.indexrelid)
              FROM pg_index x JOIN pg_class c ON c.oid = x.indexrelid
             WHERE x.indrelid = %(t)s::regclass AND NOT x.indisprimary AND NOT x.indisunique
            UNION ALL
            SELECT 'fkey', conname, pg_get_constraintdef(oid)
              FROM pg_constraint WHERE conrelid = %(t)s::regclass AND contype = 'f'
             ORDER BY 1, 2""", {"t": table})
        for kind, name, definition in found:
            saved.append((table, kind, name, definition))
            if kind == "index":
                conn.execute(sql.SQL("DROP INDEX {}").format(sql.Identifier(name)))
            else:
                conn.execute(sql.SQL("ALTER TABLE {} DROP CONSTRAINT {}").format(
                    sql.Identifier(table), sql.Identifier(name)))
    yield
    for table, kind, name, definition in saved:
        if kind == "index":          # pg_get_indexdef: a complete CREATE INDEX statement
            conn.execute(sql.SQL(definition))
        else:
            conn.execute(sql.SQL("ALTER TABLE {} ADD CONSTRAINT {} {}").format(
                sql.Identifier(table), sql.Identifier(name), sql.SQL(definition)))


# --------------------------------------------------------------------------------------------
# Reading: one way for every module. `source` is a pool (ConnectionPool or geo.access.ScopedPool:
# one transaction per use) or an open connection (the caller's transaction); rows are always dicts,
# whatever row factory the connection has.
# --------------------------------------------------------------------------------------------
Source = Any        # ConnectionPool | ScopedPool | psycopg.Connection


@contextmanager
def connection_of(source: Source) -> Iterator[psycopg.Connection]:
    if isinstance(source, psycopg.Connection):
        yield source
    else:
        with source.connection() as conn:
            yield conn


def rows(source: Source, query, params: dict | None = None) -> list[dict]:
    """Every row of a query as dicts."""
    with connection_of(source) as conn, conn.cursor(row_factory=dict_row) as cur:
        cur.execute(query, params)
        return cur.fetchall()


def one(source: Source, query, params: dict | None = None) -> dict | None:
    """The first row as a dict (None when there is none)."""
    with connection_of(source) as conn, conn.cursor(row_factory=dict_row) as cur:
        cur.execute(query, params)
        return cur.fetchone()


def value(source: Source, query, params: dict | None = None) -> Any:
    """The first column of the first row (None when there is no row)."""
    with connection_of(source) as conn, conn.cursor(row_factory=tuple_row) as cur:
        cur.execute(query, params)
        r = cur.fetchone()
        return None if r is None else r[0]


def tuples(source: Source, query, params: dict | None = None) -> list[tuple]:
    """Every row as a tuple (for unpacking fixed columns)."""
    with connection_of(source) as conn, conn.cursor(row_factory=tuple_row) as cur:
        cur.execute(query, params)
        return cur.fetchall()


def dicts(cur) -> list[dict]:
    """All rows of an executed cursor as dicts (pool connections already give dicts)."""
    cols = [c.name for c in cur.description]
    return [r if isinstance(r, dict) else dict(zip(cols, r)) for r in cur.fetchall()]


# --------------------------------------------------------------------------------------------
# Read replica: read-only views may read from DATABASE_REPLICA_URL; writes always go to the
# primary. A replica that is down or lags more than the threshold is skipped (and the page says so).
# --------------------------------------------------------------------------------------------

REPLICA_LAG_SQL = """
SELECT pg_is_in_recovery() AS standby,
       CASE WHEN pg_last_wal_receive_lsn() = pg_last_wal_replay_lsn() THEN 0.0
            -- behind: time since the last replayed transaction (or since start, if none yet)
            ELSE extract(epoch FROM now() - coalesce(pg_last_xact_replay_timestamp(),
                                                     pg_postmaster_start_time())) END AS lag_s
"""


def replica_url() -> str | None:
    return settings().database_replica_url or None


def max_replica_lag_s() -> float:
    return settings().jy_replica_max_lag_s


def replica_state(pool) -> tuple[bool, str]:
    """(usable, reason) for a replica pool: reachable, in recovery, lag within the threshold."""
    try:
        with pool.connection(timeout=3) as conn:
            row = dicts(conn.execute(REPLICA_LAG_SQL))[0]
    except Exception as exc:  # noqa: BLE001 - any failure means: do not read from it
        return False, f"down: {exc.__class__.__name__}"
    if not row["standby"]:
        return False, "not a standby"
    lag = float(row["lag_s"] or 0.0)
    if lag > max_replica_lag_s():
        return False, f"lag {lag:.1f} s > {max_replica_lag_s():.0f} s"
    return True, f"lag {lag:.1f} s"


# --------------------------------------------------------------------------------------------
# data/schema.sql: the whole schema a fresh migrate makes, as pg_dump writes it, for a reviewer to
# read in one file (`python -m loaders schema --write`; tests/test_schema.py checks it is current).
# --------------------------------------------------------------------------------------------
SCHEMA_FILE = ROOT / "data" / "schema.sql"


def schema_dump(url: str | None = None) -> str:
    """pg_dump --schema-only of the database, without what differs between machines (the dump's
    header, pg_dump's session guard, the owner's name)."""
    import re
    import subprocess

    from geo.backup import pg_bin
    url = database_url(url)
    owner = conninfo_to_dict(url).get("user") or ""
    out = subprocess.run([pg_bin("pg_dump"), "--schema-only", "--no-owner", "--no-comments",
                          "--exclude-table=public.schema_migrations", "--exclude-table=public.schema_live_text",
                          "--dbname", url], check=True, capture_output=True, text=True, timeout=120).stdout
    keep = [line for line in out.splitlines()
            if not line.startswith(("\\restrict", "\\unrestrict", "-- Dumped from", "-- Dumped by"))]
    text = "\n".join(keep).strip() + "\n"
    if owner:
        # the owner as a grantee (policies, privileges), not as a word: jiangyin.allow_log_purge stays
        text = re.sub(rf"\b(TO|FROM) {re.escape(str(owner))}\b", r"\1 CURRENT_USER", text)
        # the owner named in a trigger's WHEN (event_log_from_session: not fired for the owner's rows)
        text = text.replace(f"'{owner}'::name", "'<owner>'::name")
    header = ("-- The schema a fresh `python -m loaders migrate` makes (data/migrations, then data/functions),\n"
              "-- as pg_dump writes it. Generated: `python -m loaders schema --write`; do not edit.\n"
              "-- tests/test_schema.py fails when it is not current.\n\n")
    return header + text


T = TypeVar("T")
_KEPT: dict[tuple, tuple[float, Any]] = {}
_KEPT_LOCK = threading.Lock()


def kept(source: Source, name: str, ttl_s: float, build: Callable[[], T], keep: Callable[[T], bool] = bool) -> T:
    """What `build()` reads, kept `ttl_s` seconds per database (`source`: a connection or a pool) and name:
    reference data that changes only when it is loaded again (the category catalogue, the county's names)
    read by every report or match, not once each. A value `keep` refuses (by default an empty one: nothing
    was readable) is not kept."""
    where = ((source.info.host, source.info.port, source.info.dbname) if isinstance(source, psycopg.Connection)
             else (getattr(source, "conninfo", None) or id(source),))
    key = (name, *where)
    with _KEPT_LOCK:
        hit = _KEPT.get(key)
    if hit is not None and time.monotonic() - hit[0] < ttl_s:
        return hit[1]
    value = build()
    if keep(value):
        with _KEPT_LOCK:
            _KEPT[key] = (time.monotonic(), value)
    return value
