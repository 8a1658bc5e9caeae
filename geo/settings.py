"""Every setting the product reads from the environment, in one place: name, type, default and
meaning. Code asks `settings()` (never os.environ); the settings table of docs/operations.md is generated from
SETTINGS (`python -m geo.settings`) and a test fails when the two differ.

The values are parsed once per distinct environment (a test that changes a variable gets the new
value on its next call); a malformed value is one clear error naming the variable.
"""
from __future__ import annotations

import functools
import os
from dataclasses import dataclass, fields
from typing import Any

from geo.errors import BadSetting


@dataclass(frozen=True)
class Setting:
    name: str
    type: type
    default: Any
    meaning: str
    read_by: str = "Python"        # or "run.sh" (the shell scripts read it before Python starts)


SETTINGS: tuple[Setting, ...] = (
    Setting("DATABASE_URL", str, None,
            "Owner connection (migrations, loaders, tests). `./run.sh` prints it; unset, it sets up the local cluster."),
    Setting("APP_DATABASE_URL", str, None,
            "The dashboard's connection as `jy_app` (row-level security). `./run.sh` prints it."),
    Setting("DATABASE_REPLICA_URL", str, None,
            "Optional streaming replica (as `jy_app`) for read-only views; writes always go to the primary."),
    Setting("JY_REPLICA_MAX_LAG_S", float, 30.0, "A replica further behind than this is skipped (the page says so)."),
    Setting("JY_DB_OPEN_TIMEOUT", float, 10.0, "Seconds to wait for the connection pool to open before saying the database is down."),
    Setting("JY_DB_RECONNECT_S", float, 5.0,
            "A pool retries a lost connection with growing pauses for at most this long; then the next request "
            "tries at once (after a database restart no request waits longer)."),
    Setting("JY_LOGIN_MAX_FAILURES", int, 5, "Failed sign-ins in a row from one address on one name before that address must wait (6× that over all names)."),
    Setting("JY_LOGIN_LOCK_MINUTES", int, 15, "How long an address that failed too often must wait (the account itself is never locked)."),
    Setting("JY_SESSION_TIMEOUT_MIN", float, 30.0, "Idle minutes before a session must sign in again (the wall account is exempt)."),
    Setting("JY_WALL_REFRESH_S", int, 30, "Seconds between refreshes of the command-centre wall."),
    Setting("JY_TILE_URL", str, "", "Optional base-map tile URL on the county network (`{z}/{x}/{y}`); empty: no base map, nothing fetched."),
    Setting("JY_DB_NAME", str, "jiangyin", "Name of the database in the local cluster (also names `.local/demo_accounts.txt`)."),
    Setting("JY_API_TOKEN_HOURS", int, 720, "Hours a field terminal's access token stays valid (revocable before)."),
    Setting("JY_POSITION_RETENTION_DAYS", int, 365, "Days a terminal's GPS fixes are kept (older ones go as new ones arrive)."),
    Setting("JY_PHOTO_FAR_M", float, 500.0, "A photo whose EXIF GPS lies further than this (metres) from its event is flagged 拍摄地点偏远."),
    Setting("JY_XLSX_SECONDS", int, 120, "CPU seconds the child process that reads an XLSX workbook may use (it also has 1 GB "
            "of memory; `loaders/importer/xlsx.py`); past it the import says so and asks for CSV UTF-8."),
    Setting("JY_API_QUEUE_MS", int, 10, "A terminal's request that waited this long in HAProxy's queue gets 503 + "
            "`Retry-After: 1` (positions, polls, sign-in, Open311; reports: JY_API_REPORT_WAIT_MS).", "run.sh"),
    Setting("JY_API_REPORT_WAIT_MS", int, 40, "An ordinary report that waited this long since HAProxy took it is refused by "
            "the API before any work (503 + `Retry-After: 1`; the terminal sends it again with its Idempotency-Key); "
            "特急 never (`api/limits.py`).", "run.sh, Python"),
    Setting("JY_NOTIFY_WEBHOOK", str, "", "Optional URL (an SMS gateway) the outbox worker POSTs each 派单/催办/督办 to (JSON, retried); empty: none."),
    Setting("JY_FEED", bool, True, "`./run.sh` starts the live demo feed (`loaders simulate`) when the database holds demo data; `JY_FEED=0`: off."),
    Setting("JY_FEED_WORKERS", int, 60, "How many demo terminals the live feed drives at once (each patrols, reports and works its tasks)."),
    Setting("JY_PROXIED", bool, False,
            "Set by `scripts/serve.sh` behind HAProxy: sign-in hands the session to the API (`/auth/adopt`), which sets an HttpOnly cookie."),
    Setting("JY_PROFILE_DIR", str, "", "A directory: the dashboard writes a cProfile of every page run there (`bench/profile_runs.py` sums them); empty: off."),
    Setting("JY_RUN_SLOTS", int, 2,
            "Page runs one dashboard process executes at once; more wait their turn (fifty threads sharing one GIL "
            "and Streamlit's locks finish later than two at a time); 0: no limit."),
    Setting("JY_BACKUP_DIR", str, "",
            "Where PostgreSQL archives WAL and `loaders backup` keeps base backups; empty: `.pgdata-backups` beside the cluster."),
    Setting("JY_BACKUP_KEEP", int, 7, "Base backups `loaders backup` keeps (with the WAL to restore to any moment since the oldest); older ones are deleted."),
    Setting("JY_REPORT_RSS", bool, False, "Loaders print their peak memory (`peak RSS N MB`) at the end; `bench/imports.py` sets it."),
    Setting("PORT", int, 8501, "Port of the dashboard.", "run.sh"),
    Setting("API_PORT", int, 8502, "Port of the HTTP API for terminals and other systems (`/api/v1/…`).", "run.sh"),
    Setting("JY_WEB_WORKERS", int, None, "Streamlit processes behind HAProxy (`scripts/serve.sh`); default: the number of cores.", "run.sh"),
    Setting("JY_API_WORKERS", int, 2, "uvicorn processes of the API (`./run.sh`); each has its own outbox worker and pool.", "run.sh"),
    Setting("JY_API_MAXCONN", int, None, "Requests HAProxy lets into the API at once in each lane (positions, polls and "
            "sign-in; Open311); the rest queue (`scripts/serve.sh`). Default: JY_API_WORKERS (one per process).", "run.sh"),
    Setting("JY_API_REPORT_MAXCONN", int, None, "Reports HAProxy lets into the API at once (their own lane); the rest queue. "
            "Default: JY_API_MAXCONN.", "run.sh"),
    Setting("JY_AUDIT_HEAD_EVERY_S", int, 300, "Seconds between two records of the audit chain's head in "
            "`$JY_BACKUP_DIR/audit-heads.jsonl` (`loaders audit-head`, started by `./run.sh`).", "run.sh"),
    Setting("JY_ESCALATE_EVERY_S", int, 60, "Seconds between two runs of the escalation job (`loaders escalate --every`, "
            "started by `./run.sh`): overdue village and town events move up a level.", "run.sh"),
    Setting("JY_WARN_EVERY_S", int, 300, "Seconds between two runs of the early-warning job (`loaders warn --every`, "
            "started by `./run.sh`): emerging hot spots, surges and repeat places per grid (`early_warnings`).", "run.sh"),
    Setting("JY_PG_PORT", int, 54329, "Port of the project-local PostgreSQL cluster in `.pgdata/`.", "run.sh"),
    Setting("JY_DB_USER", str, "jiangyin", "Owner role of the local cluster.", "run.sh"),
    Setting("JY_TLS_CERT", str, "",
            "PEM certificate (chain): with `JY_TLS_KEY`, HAProxy serves `https://…:${PORT}` and cookies are Secure.", "run.sh"),
    Setting("JY_TLS_KEY", str, "", "PEM private key of `JY_TLS_CERT`.", "run.sh"),
)


@dataclass(frozen=True)
class Settings:
    database_url: str | None
    app_database_url: str | None
    database_replica_url: str | None
    jy_replica_max_lag_s: float
    jy_db_open_timeout: float
    jy_db_reconnect_s: float
    jy_login_max_failures: int
    jy_login_lock_minutes: int
    jy_session_timeout_min: float
    jy_wall_refresh_s: int
    jy_tile_url: str
    jy_db_name: str
    jy_api_token_hours: int
    jy_position_retention_days: int
    jy_photo_far_m: float
    jy_xlsx_seconds: int
    jy_api_queue_ms: int
    jy_api_report_wait_ms: int
    jy_notify_webhook: str
    jy_feed: bool
    jy_feed_workers: int
    jy_proxied: bool
    jy_profile_dir: str
    jy_run_slots: int
    jy_backup_dir: str
    jy_backup_keep: int
    jy_report_rss: bool
    port: int
    api_port: int
    jy_web_workers: int | None
    jy_api_workers: int
    jy_api_maxconn: int | None
    jy_api_report_maxconn: int | None
    jy_audit_head_every_s: int
    jy_escalate_every_s: int
    jy_warn_every_s: int
    jy_pg_port: int
    jy_db_user: str
    jy_tls_cert: str
    jy_tls_key: str


_NAMES = tuple(s.name for s in SETTINGS)
assert _NAMES == tuple(f.name.upper() for f in fields(Settings)), "SETTINGS and Settings must list the same names"


def _parse(s: Setting, raw: str | None) -> Any:
    if raw is None or raw.strip() == "":
        return s.default
    raw = raw.strip()
    try:
        if s.type is bool:
            if raw.lower() in ("1", "true", "yes", "on"):
                return True
            if raw.lower() in ("0", "false", "no", "off"):
                return False
            raise ValueError(raw)
        value = s.type(raw)
    except ValueError:
        kind = {int: "a whole number", float: "a number", bool: "1 or 0"}.get(s.type, "text")
        raise BadSetting(f"environment variable {s.name}={raw!r} is not {kind}; unset it to use {s.default!r}",
                         f"环境变量 {s.name} 的值“{raw}”无效，请改正或删除（默认 {s.default}）。") from None
    if isinstance(value, (int, float)) and not isinstance(value, bool) and value < 0:
        raise BadSetting(f"environment variable {s.name}={raw!r} must not be negative",
                         f"环境变量 {s.name} 不能为负数。")
    return value


@functools.lru_cache(maxsize=8)
def _settings(values: tuple[str | None, ...]) -> Settings:
    return Settings(*(_parse(s, v) for s, v in zip(SETTINGS, values)))


def settings() -> Settings:
    """The settings of the current environment (parsed once per distinct environment)."""
    return _settings(tuple(os.environ.get(n) for n in _NAMES))


def markdown_table() -> str:
    """The settings table of docs/operations.md."""
    lines = ["| variable | default | read by | meaning |", "|---|---|---|---|"]
    for s in SETTINGS:
        default = "—" if s.default is None else ("(empty)" if s.default == "" else f"`{s.default}`")
        lines.append(f"| `{s.name}` | {default} | {s.read_by} | {s.meaning} |")
    return "\n".join(lines)


if __name__ == "__main__":
    print(markdown_table())
