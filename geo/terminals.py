"""Field terminals: a grid worker's or police officer's account (终端编号 + password), the bearer
tokens the HTTP API (api/) issues to them, and the scope every request of theirs runs in.

Only a token's SHA-256 is stored; tokens expire (JY_API_TOKEN_HOURS) and can be revoked. The API
connects as the app role (row-level security): a worker's requests see and write their own village,
exactly as a village's staff do on the dashboard.
"""
from __future__ import annotations

import datetime as dt
import secrets
from dataclasses import dataclass, field

import numpy as np
import psycopg

from geo import auth, db
from geo.coords import DATUMS, to_wgs84
from geo.errors import InvalidInput, LoginFailed, NotFound
from geo.roles import STAFF_LABELS
from geo.scope import Scope
from geo.settings import settings

# Staff roles that carry a terminal (the roster's 网格员 and 网格警员).
TERMINAL_ROLES = ("grid_worker", "police")


@dataclass(frozen=True)
class Worker:
    staff_id: int
    name: str
    role: str
    terminal_id: str
    grid_code: str
    town_code: str
    village_code: str

    @property
    def scope(self) -> Scope:
        return Scope(village=self.village_code)

    @property
    def label(self) -> str:
        return f"{STAFF_LABELS.get(self.role, self.role)} {self.name}"

    def actor(self):
        """The workflow actor this worker acts as (verifies in the village, starts and finishes
        the tasks assigned to them)."""
        from geo.workflow import Actor

        return Actor(name=self.name, role="grid_worker", town=self.town_code, village=self.village_code,
                     username=f"terminal:{self.terminal_id}", staff_id=self.staff_id)


def create_terminal(conn, terminal_id: str, password: str) -> int:
    """Give the staff member with this 终端编号 a terminal account, or a new password (which revokes
    the account's tokens). Owner connection (the CLI, the demo) or an admin's transaction (the users
    page: set_terminal). Returns the staff id."""
    terminal_id = (terminal_id or "").strip()
    if len(password or "") < 8:
        raise InvalidInput("the password needs at least 8 characters", "密码至少8位。")
    sid = db.value(conn, "SELECT jy_terminal_set(%(t)s, %(h)s)", {"t": terminal_id, "h": auth.hash_password(password)})
    if sid is None:
        raise NotFound(f"no staff member with terminal {terminal_id}", f"没有终端编号为 {terminal_id} 的人员。")
    if sid == -1:
        raise InvalidInput(f"terminal {terminal_id} does not belong to a grid worker or police officer",
                           "只有网格员和网格警员可以开通移动终端账号。")
    return int(sid)


def set_terminal(conn, by: str, terminal_id: str, password: str) -> int:
    """The users page: open a terminal account or give it a new password, audited."""
    from geo import audit

    sid = create_terminal(conn, terminal_id, password)
    audit.record(conn, by, "admin", "terminal_password", f"terminal:{terminal_id.strip()}")
    return sid


def set_terminal_disabled(conn, by: str, terminal_id: str, disabled: bool) -> None:
    """The users page: stop (or restart) a terminal account; its tokens stop working at once."""
    from geo import audit

    if db.value(conn, "SELECT jy_terminal_disable(%(t)s, %(d)s)", {"t": terminal_id.strip(), "d": disabled}) is None:
        raise NotFound(f"no terminal account {terminal_id}", f"终端编号 {terminal_id} 没有开通账号。")
    audit.record(conn, by, "admin", "terminal_disable" if disabled else "terminal_enable", f"terminal:{terminal_id.strip()}")


def accounts(pool) -> list[dict]:
    """Terminal accounts for the admin page (no hashes)."""
    return db.rows(pool, "SELECT * FROM jy_terminal_accounts()")


def create_terminals(conn, accounts: list[tuple[int, str]]) -> int:
    """Terminal accounts for many staff at once [(staff id, password)], machine-generated passwords
    only (the demo): they carry 96 bits or more, so they are hashed with argon2id at its lightest
    (auth.hash_generated, 0.5 ms instead of 200 ms each; 7,417 accounts in seconds). Owner connection."""
    if not accounts:
        return 0
    cur = conn.execute("""INSERT INTO terminal_accounts (staff_id, password_hash)
                          SELECT s.id, h.hash FROM unnest(%(ids)s::bigint[], %(hashes)s::text[]) AS h(id, hash)
                          JOIN staff s ON s.id = h.id AND s.role = ANY (%(roles)s)
                          ON CONFLICT (staff_id) DO NOTHING""",
                       {"ids": [a[0] for a in accounts], "hashes": [auth.hash_generated(a[1]) for a in accounts],
                        "roles": list(TERMINAL_ROLES)})
    return cur.rowcount


def sign_in(pool, terminal_id: str, password: str, source: str | None = None) -> tuple[str, str, Worker]:
    """(token, expires_at ISO, worker) for a correct terminal number and password; LoginFailed
    otherwise (the same message whether the number or the password is wrong). Failures make the
    source wait like the dashboard's (jy_auth_throttled / jy_auth_record, migration 024), audited as
    log-ins of "terminal:<number>"."""
    number = (terminal_id or "").strip()
    name, src = f"terminal:{number}"[:64], (source or "unknown")[:64]
    with auth.auth_pool(pool).connection() as conn, conn.transaction():     # as jy_auth (migration 028)
        row = db.one(conn, "SELECT * FROM jy_terminal_lookup(%(t)s)", {"t": number})
        waiting = db.value(conn, "SELECT jy_auth_throttled(%(s)s, %(u)s)", {"s": src, "u": name})
        right = auth.verify(row["password_hash"] if row else None, password)
        ok = waiting is None and right and row is not None and not row["disabled"]
        reason = "ok" if ok else ("locked" if waiting is not None else "bad_password")
        wait = db.value(conn, "SELECT jy_auth_record(%(u)s, %(s)s, %(ok)s, %(r)s, %(max)s, %(mins)s)",
                        {"u": name, "s": src, "ok": ok, "r": reason, "max": auth.max_failures(),
                         "mins": auth.lock_minutes()})
        token = secrets.token_urlsafe(32)
        expires = None
        if ok and row is not None:
            expires = db.value(conn, "SELECT jy_token_issue(%(s)s, %(h)s, %(hours)s)",
                               {"s": row["staff_id"], "h": auth.token_hash(token),
                                "hours": settings().jy_api_token_hours})
    if not ok or expires is None:
        if wait is not None:
            raise LoginFailed(f"sign-ins for terminal {number!r} from {src} are locked until {wait}",
                              f"连续登录失败次数过多，本设备已暂时锁定至 {wait:%H:%M}，请稍后再试或联系管理员。")
        raise LoginFailed(f"wrong terminal number or password for {terminal_id!r}", "终端编号或密码错误，或账号已停用。")
    worker = authenticate(pool, token)
    return token, expires.isoformat(), worker


def token_refused() -> LoginFailed:
    """What a terminal is told when its token is not (or no longer) valid."""
    return LoginFailed("the token is wrong, expired or revoked", "访问令牌无效、已过期或已注销，请重新登录。")


def authenticate(pool, token: str | None) -> Worker:
    """The worker behind a bearer token; LoginFailed for a missing, wrong, expired or revoked one."""
    if not token:
        raise LoginFailed("no bearer token", "请先登录（缺少访问令牌）。")
    with pool.connection() as conn:
        row = db.one(conn, "SELECT * FROM jy_token_check(%(h)s)", {"h": auth.token_hash(token)})
    if row is None:
        raise token_refused()
    return Worker(row["staff_id"], row["name"], row["role"], row["terminal_id"], row["grid_code"],
                  row["town_code"], row["village_code"])


def revoke(pool, token: str) -> bool:
    with pool.connection() as conn, conn.transaction():
        return bool(db.value(conn, "SELECT jy_token_revoke(%(h)s)", {"h": auth.token_hash(token)}))


MAX_FIXES = 500                      # fixes per request (a terminal sends every 30 s, in batches)
FIX_MAX_AGE = dt.timedelta(days=7)   # a fix older than this is refused (a wrong clock), as is one in the future


def record_positions(pool, token: str, fixes: list[dict], datum: str = "wgs84",
                     now: dt.datetime | None = None) -> int:
    """Store a batch of GPS fixes ({lon, lat, at, accuracy_m}) for the worker behind the token (the
    database function checks the token again); the latest becomes the worker's location. InvalidInput
    names the first bad fix; nothing is stored then."""
    now = now or dt.datetime.now(dt.timezone.utc)
    if not fixes or len(fixes) > MAX_FIXES:
        raise InvalidInput(f"send 1 to {MAX_FIXES} fixes per request", f"每次上传 1 至 {MAX_FIXES} 个定位点。")
    if datum not in DATUMS:
        raise InvalidInput(f"unknown datum {datum!r}", f"坐标系“{datum}”无法识别：请使用 wgs84、gcj02 或 bd09。")
    lon = np.array([f["lon"] for f in fixes], dtype=float)
    lat = np.array([f["lat"] for f in fixes], dtype=float)
    bad = ~(np.isfinite(lon) & np.isfinite(lat) & (lon >= 73) & (lon <= 136) & (lat >= 3) & (lat <= 54))
    if bad.any():
        i = int(np.flatnonzero(bad)[0])
        raise InvalidInput(f"fix {i + 1}: ({lon[i]}, {lat[i]}) is not a longitude/latitude in China",
                           f"第 {i + 1} 个定位点（{lon[i]}, {lat[i]}）不是有效的经纬度。")
    for i, f in enumerate(fixes, start=1):
        at = f["at"]
        if at.tzinfo is None or not (now - FIX_MAX_AGE <= at <= now + dt.timedelta(minutes=5)):
            raise InvalidInput(f"fix {i}: time {at} is not within the last 7 days (with a time zone)",
                               f"第 {i} 个定位点的时间 {at} 不在最近7天内（或缺少时区）。")
    x, y = to_wgs84(lon, lat, datum)
    if not token:
        raise LoginFailed("no bearer token", "请先登录（缺少访问令牌）。")
    params = {"h": auth.token_hash(token), "x": [float(v) for v in x], "y": [float(v) for v in y],
              "at": [f["at"] for f in fixes], "acc": [f.get("accuracy_m") for f in fixes],
              "days": settings().jy_position_retention_days}
    try:
        with pool.connection() as conn, conn.transaction():
            return int(db.value(conn, "SELECT jy_positions_record(%(h)s, %(x)s::float8[], %(y)s::float8[], "
                                      "%(at)s::timestamptz[], %(acc)s::real[], %(days)s::integer)", params))
    except psycopg.errors.InsufficientPrivilege:      # the function found no live token: as authenticate()
        raise token_refused() from None


_CHECKIN = """
INSERT INTO checkins (staff_id, at, location, grid_code, place, note, town_code, village_code, is_demo)
SELECT s.id, %(at)s, ST_SetSRID(ST_MakePoint(%(x)s, %(y)s), 4490), %(grid)s, %(place)s, %(note)s,
       s.town_code, s.village_code, s.is_demo
  FROM staff s WHERE s.id = %(staff)s
RETURNING id, at, grid_code
"""


def field_point(lon: float, lat: float, datum: str, at: dt.datetime | None, now: dt.datetime,
                what: str = "check-in", what_zh: str = "打卡") -> tuple[float, float, dt.datetime]:
    """A point and time a terminal sends (a check-in, a patrol check, a collection record), checked
    the one way: a datum we know, a time within the last 7 days with a time zone, numbers; returns the
    point in WGS84/CGCS2000 and the time."""
    at = at or now
    if datum not in DATUMS:
        raise InvalidInput(f"unknown datum {datum!r}", f"坐标系“{datum}”无法识别：请使用 wgs84、gcj02 或 bd09。")
    if at.tzinfo is None or not (now - FIX_MAX_AGE <= at <= now + dt.timedelta(minutes=5)):
        raise InvalidInput(f"{what} time {at} is not within the last 7 days (with a time zone)",
                           f"{what_zh}时间 {at} 不在最近7天内（或缺少时区）。")
    if not (np.isfinite(lon) and np.isfinite(lat)):
        raise InvalidInput("the coordinates are not numbers", "经纬度应为数字。")
    x, y = to_wgs84(np.array([lon], dtype=float), np.array([lat], dtype=float), datum)
    return float(x[0]), float(y[0]), at


def check_in(scoped_pool, worker: Worker, lon: float, lat: float, datum: str = "wgs84",
             at: dt.datetime | None = None, place: str | None = None, note: str | None = None,
             now: dt.datetime | None = None) -> dict:
    """巡查打卡: the worker at a point in the county (its grid found from the point). Returns
    {"id", "at", "grid_code", "grid_name"}; InvalidInput / OutsideCounty say what is wrong."""
    from geo.assign import assign_points
    from geo.errors import OutsideCounty

    now = now or dt.datetime.now(dt.timezone.utc)
    px, py, at = field_point(lon, lat, datum, at, now)
    x, y = np.array([px]), np.array([py])
    with scoped_pool.connection() as conn:
        grid = assign_points(conn, x, y)[0]
        if grid is None:
            raise OutsideCounty(f"({lon}, {lat}, {datum}) is outside Jiangyin county",
                                f"打卡地点（{lon}, {lat}）不在江阴市范围内：请检查定位和坐标系。")
        row = db.one(conn, _CHECKIN, {"at": at, "x": float(x[0]), "y": float(y[0]), "grid": grid,
                                      "place": (place or "").strip() or None, "note": (note or "").strip() or None,
                                      "staff": worker.staff_id})
        assert row is not None
        row["grid_name"] = db.value(conn, "SELECT name FROM grids WHERE code = %(g)s", {"g": grid})
    return row


@dataclass(frozen=True)
class Client:
    """Another system (12345 hotline, 最江阴 app) with an Open311 key."""
    code: str
    name: str
    event_source: str
    key: str = field(default="", repr=False, compare=False)   # shown to the database at each transaction


def create_client(conn, code: str, name: str, event_source: str = "hotline") -> str:
    """A new API key for another system (owner connection: the CLI); a second call for the same code
    replaces its key. Returns the key (shown once; only its hash is stored)."""
    import re

    code = (code or "").strip().lower()
    if not re.fullmatch(r"[a-z0-9_]{2,30}", code):
        raise InvalidInput(f"system code {code!r} must be 2-30 of a-z, 0-9, _", "系统编码应为 2 至 30 位小写字母、数字或下划线。")
    if not (name or "").strip():
        raise InvalidInput("the system needs a name", "请填写系统名称。")
    key = secrets.token_urlsafe(32)
    conn.execute("""INSERT INTO api_clients (code, name, key_hash, event_source) VALUES (%(c)s, %(n)s, %(h)s, %(s)s)
                    ON CONFLICT (code) DO UPDATE SET name = EXCLUDED.name, key_hash = EXCLUDED.key_hash,
                    event_source = EXCLUDED.event_source, disabled = false""",
                 {"c": code, "n": name.strip(), "h": auth.token_hash(key), "s": event_source})
    return key


def client(pool, key: str | None) -> Client:
    """The system behind an Open311 api_key; LoginFailed when missing, wrong or disabled."""
    if not key:
        raise LoginFailed("no api_key", "缺少 api_key：请使用分配给本系统的接口密钥。")
    row = db.one(pool, "SELECT * FROM jy_api_client_check(%(h)s)", {"h": auth.token_hash(key)})
    if row is None:
        raise LoginFailed("the api_key is wrong or disabled", "api_key 无效或已停用。")
    return Client(row["code"], row["name"], row["event_source"], key)


def find_accounts(accounts: list[dict], text: str = "", status: str | None = None) -> list[dict]:
    """Terminal accounts whose 终端编号, name or grid code contains `text` (case-insensitive), and
    with status "active" or "disabled" when given — the users page's search."""
    needle = text.strip().lower()
    return [a for a in accounts
            if (not needle or needle in a["terminal_id"].lower() or needle in (a["staff_name"] or "")
                or needle in (a["grid_code"] or ""))
            and (status is None or a["disabled"] == (status == "disabled"))]


def task_scope(pool, token: str, event_id: int) -> Scope | None:
    """The village scope of one of the worker's own tasks (None when the event is not assigned to the
    worker behind the token): a task dispatched outside the worker's village runs in the task's."""
    village = db.value(pool, "SELECT jy_task_village(%(h)s, %(e)s)", {"h": auth.token_hash(token), "e": event_id})
    return Scope(village=village) if village else None


def my_tasks(pool, token: str) -> list[dict]:
    """The worker's open tasks, in whichever village they are (the database function checks the token)."""
    return db.rows(pool, "SELECT * FROM jy_my_tasks(%(h)s)", {"h": auth.token_hash(token)})
