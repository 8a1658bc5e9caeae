"""Accounts: argon2id password hashes, log-in with lockout, session timeout, and the admin's
user management. Every change and every log-in attempt writes an audit row in its transaction.

Settings (environment): JY_LOGIN_MAX_FAILURES (5 in a row locks the account),
JY_LOGIN_LOCK_MINUTES (15), JY_SESSION_TIMEOUT_MIN (30 minutes without a click signs out).
"""
from __future__ import annotations

import hashlib
import re
import secrets
import threading

from argon2 import PasswordHasher, extract_parameters
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError

from geo import audit, codes, db
from geo.access import ROLES, Viewer
from geo.db import dicts
from geo.errors import Forbidden, InvalidInput, LoginFailed, NotFound
from geo.settings import settings

_HASHER = PasswordHasher()          # argon2id, the library's current recommended parameters
# Verified against when the username is unknown, so a wrong name costs as long as a wrong password.
_DUMMY_HASH = _HASHER.hash(secrets.token_hex(16))
USERNAME = re.compile(r"^[a-z][a-z0-9_.-]{2,31}$")
MIN_PASSWORD = 10


def max_failures() -> int:
    return settings().jy_login_max_failures


def lock_minutes() -> int:
    return settings().jy_login_lock_minutes


def session_timeout_s() -> float:
    return settings().jy_session_timeout_min * 60


def session_expired(last_seen: float, now: float, role: str) -> bool:
    """An interactive session ends after the timeout without activity. The wall is a kiosk that
    only shows and refreshes itself; it is exempt."""
    return role != "wall" and now - last_seen > session_timeout_s()


def hash_password(password: str) -> str:
    check_password(password)
    return _HASHER.hash(password)


# For passwords the machine generated (≥ 96 random bits: the demo terminals'): stretching protects
# guessable human passwords and adds nothing here, so argon2id runs at its lightest. verify() reads
# the parameters from the hash, so both kinds check the same way.
_GENERATED = PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1)


def hash_generated(password: str) -> str:
    if len(password) < 16:
        raise InvalidInput("a generated password has at least 16 characters", "自动生成的密码至少16位。")
    return _GENERATED.hash(password)


def check_password(password: str) -> None:
    if len(password) < MIN_PASSWORD:
        raise InvalidInput(f"the password needs at least {MIN_PASSWORD} characters",
                           f"密码至少需要 {MIN_PASSWORD} 个字符。")
    if password.isdigit() or password.isalpha():
        raise InvalidInput("the password needs both letters and digits or symbols",
                           "密码不能只有数字或只有字母。")


def new_password() -> str:
    """A random password for a new or reset account (shown once to the admin); it meets
    check_password (16 characters, letters and at least one digit or symbol)."""
    while True:
        password = secrets.token_urlsafe(12)
        if not password.isalpha():
            return password


def token_hash(token: str) -> str:
    """What is stored of a session or API token: its SHA-256 (the token itself never)."""
    return hashlib.sha256(token.encode()).hexdigest()


_AUTH_POOLS: dict[str, object] = {}
_AUTH_LOCK = threading.Lock()


def auth_pool(pool):
    """The log-in role's small pool beside an app pool (same server and database; migration 028):
    only log-ins read password hashes and start sessions, and they run as jy_auth."""
    key = pool.conninfo
    with _AUTH_LOCK:
        found = _AUTH_POOLS.get(key)
        if found is None:
            found = _AUTH_POOLS[key] = db.make_pool(db.auth_conninfo(key), min_size=0, max_size=2)
        return found


LOCAL_PEERS = (None, "", "127.0.0.1", "::1", "localhost")


def client_address(peer: str | None, forwarded: str | None) -> str:
    """Who is on the other end, for the audit log and the sign-in throttle: the peer's address, or —
    when the peer is this host (HAProxy in front, `option forwardfor`; Streamlit reports a local peer
    as no address at all) — the last address HAProxy appended to X-Forwarded-For. A header from any
    other peer is not believed."""
    local = peer in LOCAL_PEERS
    hop = forwarded.split(",")[-1].strip() if local and isinstance(forwarded, str) else ""
    return (hop or (peer if not local else "") or peer or "unknown")[:64]


def login(pool, username: str, password: str, source: str | None = None) -> tuple[Viewer, str]:
    """Check a password, in one audited transaction; returns the viewer and a new session token
    (for the browser's cookie). Every attempt costs one password check — a known name or not, a
    waiting source or not — and unknown names and wrong passwords get the same reply. Failures
    make the *source* wait (migration 024: per source and name, and per source), never the account
    for everyone; "disabled" is said only to someone who knows the password."""
    name = (username or "").strip().lower()
    src = (source or "unknown")[:64]
    with auth_pool(pool).connection() as conn:
        with conn.transaction():
            rows = dicts(conn.execute("SELECT * FROM jy_auth_lookup(%(u)s)", {"u": name}))
            user = rows[0] if rows else None
            waiting = db.value(conn, "SELECT jy_auth_throttled(%(s)s, %(u)s)", {"s": src, "u": name or "(empty)"})
            right = verify(user["password_hash"] if user else None, password)
            ok = False
            if waiting is not None:
                reason = "locked"
            elif user is None:
                reason = "unknown_user"
            elif not right:
                reason = "bad_password"
            elif user["disabled"]:
                reason = "disabled"
            else:
                ok, reason = True, "ok"
            wait = db.value(
                conn, "SELECT jy_auth_record(%(u)s, %(s)s, %(ok)s, %(reason)s, %(max)s, %(mins)s)",
                {"u": name or "(empty)", "s": src, "ok": ok, "reason": reason, "max": max_failures(),
                 "mins": lock_minutes()})
            token = secrets.token_urlsafe(32)
            if ok and user is not None:
                conn.execute("SELECT jy_session_start(%(u)s, %(h)s, %(idle)s)",
                             {"u": user["username"], "h": token_hash(token), "idle": session_timeout_s()})
    if ok and user is not None:
        return _viewer(user, token), token
    if wait is not None:
        raise LoginFailed(f"log-ins for {name} from {src} are locked until {wait} after repeated failures",
                          f"连续登录失败次数过多，本设备已暂时锁定至 {wait:%H:%M}（其他设备登录不受影响）。"
                          "请稍后再试，或联系管理员解锁。")
    if reason == "disabled":
        raise LoginFailed(f"account {name} is disabled", "账号已停用，请联系管理员。")
    raise LoginFailed("wrong username or password", "用户名或密码错误。")


def _viewer(row: dict, token: str) -> Viewer:
    return Viewer(username=row["username"], display_name=row["display_name"], role=row["role"],
                  town=row["town_code"], village=row["village_code"], token=token)


def resume(pool, token: str | None) -> Viewer | None:
    """The viewer of a browser session token, if the session is still open (not ended, not idle
    past the timeout, account enabled, password unchanged since); None otherwise."""
    if not isinstance(token, str) or not token or len(token) > 100:
        return None
    with pool.connection() as conn:
        with conn.transaction():
            rows = dicts(conn.execute("SELECT * FROM jy_session_resume(%(h)s, %(idle)s)",
                                      {"h": token_hash(token), "idle": session_timeout_s()}))
    return _viewer(rows[0], token) if rows else None


def touch(pool, token: str) -> bool:
    """Record activity on a browser session; False when it is no longer valid (ended in another
    tab, account disabled, password changed since it began): the tab must sign out."""
    with pool.connection() as conn:
        with conn.transaction():
            return bool(db.value(conn, "SELECT jy_session_touch(%(h)s)", {"h": token_hash(token)}))


def checks(stored: str | None) -> list[str]:
    """The hashes one password check verifies against: always exactly one at the full cost, so that a
    sign-in takes as long for an unknown name as for a known one (issue 29: ~4 ms against ~100 ms
    told which terminals exist). An unknown account checks the dummy; a machine-generated password's
    light hash (hash_generated) is checked and the dummy after it."""
    if stored is None:
        return [_DUMMY_HASH]
    try:
        light = extract_parameters(stored).memory_cost < _HASHER.memory_cost
    except InvalidHashError:
        light = True
    return [stored, _DUMMY_HASH] if light else [stored]


def verify(stored: str | None, password: str) -> bool:
    """Does the password match the argon2 hash (with the cost of one full check, whatever the account:
    checks())?"""
    right = False
    for i, candidate in enumerate(checks(stored)):
        try:
            ok: bool = _HASHER.verify(candidate, password or "")
        except (VerifyMismatchError, VerificationError, InvalidHashError):
            ok = False
        right = right or (ok and i == 0 and stored is not None)
    return right


def handoff(pool, token: str) -> str:
    """A one-time code (60 s, once) for the browser to exchange at the API's /auth/adopt for an
    HttpOnly session cookie (migration 029)."""
    code = secrets.token_urlsafe(24)
    with pool.connection() as conn, conn.transaction():
        ok = db.value(conn, "SELECT jy_session_handoff(%(h)s, %(c)s)", {"h": token_hash(token), "c": token_hash(code)})
    if not ok:
        raise LoginFailed("the session has ended", "登录已失效，请重新登录。")
    return code


def adopt(pool, code: str, new_token: str) -> bool:
    """Exchange a handoff code for a new session with `new_token` (the old session ends)."""
    if not code or len(code) > 100:
        return False
    with pool.connection() as conn, conn.transaction():
        return bool(db.value(conn, "SELECT jy_session_adopt(%(c)s, %(h)s)",
                             {"c": token_hash(code), "h": token_hash(new_token)}))


def end_token(pool, token: str, reason: str = "logout") -> bool:
    """End the session of a token and audit it (the database names the account); False when it was
    not an open session."""
    if not token or len(token) > 100:
        return False
    with pool.connection() as conn, conn.transaction():
        return bool(db.value(conn, "SELECT jy_session_end(%(h)s, %(r)s)", {"h": token_hash(token), "r": reason}))


def end_session(pool, viewer: Viewer, token: str | None, reason: str = "logout") -> None:
    """Log-out or time-out: end the browser session and audit it, in one transaction (the database
    names the account from the session, and writes nothing for a token that is not an open one)."""
    token = token or viewer.token
    if token:
        end_token(pool, token, reason)


# ------------------------------------------------------------------ user management (admin)

def _check_fields(username: str, display_name: str, role: str, town: str | None,
                  village: str | None) -> Viewer:
    if not USERNAME.match(username or ""):
        raise InvalidInput(f"username {username!r}: 3-32 lowercase letters, digits, . _ -, "
                           "starting with a letter",
                           "用户名需 3–32 位小写字母、数字或 . _ -，并以字母开头。")
    if not (display_name or "").strip() or len(display_name.strip()) > 40:
        raise InvalidInput("the display name is empty or longer than 40 characters", "姓名不能为空，且不超过40个字。")
    if role not in ROLES:
        raise InvalidInput(f"unknown role {role!r}", f"未知的角色“{role}”。")
    if village and not town:
        town = codes.ancestor(village, 1)
    return Viewer(username=username, display_name=display_name.strip(), role=role, town=town or None,
                  village=village or None)


_CREATE = """
INSERT INTO app_users (username, display_name, role, town_code, village_code, password_hash, must_change_password)
VALUES (%(username)s, %(display_name)s, %(role)s, %(town)s, %(village)s, %(hash)s, %(must_change)s)
ON CONFLICT (username) DO NOTHING
RETURNING id
"""


def create_user(conn, by: str, username: str, display_name: str, role: str, password: str,
                town: str | None = None, village: str | None = None, must_change: bool = False) -> int:
    """Create an account in the caller's transaction (the admin page, the CLI, the demo); with
    `must_change` its user changes the password at the first sign-in (one an admin chose or handed over)."""
    v = _check_fields(username, display_name, role, town, village)
    _check_places(conn, v)
    new_id = db.value(conn, _CREATE, {"username": v.username, "display_name": v.display_name, "role": v.role,
                                      "town": v.town, "village": v.village, "hash": hash_password(password),
                                      "must_change": must_change})
    if new_id is None:
        raise InvalidInput(f"username {username} is taken", f"用户名“{username}”已存在。")
    audit.record(conn, by, "admin", "user_create", v.username, account_role=v.role, town=v.town,
                 village=v.village)
    return new_id


def _check_places(conn, v: Viewer) -> None:
    """The bound town/village must exist (the admin sees the whole city)."""
    for code, label in ((v.town, "镇街"), (v.village, "村社区")):
        if code and conn.execute("SELECT 1 FROM grids WHERE code = %(c)s AND level = %(l)s",
                                 {"c": code, "l": codes.level_of(code)}).fetchone() is None:
            raise NotFound(f"no {label} with code {code}", f"没有编码为 {code} 的{label}。")


def _update(conn, by: str, username: str, action: str, sql: str, params: dict, **detail) -> None:
    cur = conn.execute(sql, {**params, "username": username})
    if cur.rowcount == 0:
        raise NotFound(f"no user {username}", f"没有用户“{username}”。")
    audit.record(conn, by, "admin", action, username, **detail)


def set_disabled(conn, by: str, username: str, disabled: bool) -> None:
    if by == username and disabled:
        raise Forbidden("an admin cannot disable their own account", "不能停用自己的账号。")
    _update(conn, by, username, "user_disable" if disabled else "user_enable",
            "UPDATE app_users SET disabled = %(d)s WHERE username = %(username)s", {"d": disabled})


def reset_password(conn, by: str, username: str, password: str) -> None:
    """Set a new password and lift a lock; the user changes it at the next sign-in."""
    _update(conn, by, username, "user_reset_password",
            "UPDATE app_users SET password_hash = %(h)s, password_changed_at = now(), failed_attempts = 0, "
            "locked_until = NULL, must_change_password = true WHERE username = %(username)s",
            {"h": hash_password(password)})


def change_own_password(pool, viewer: Viewer, old: str, new: str, source: str | None = None) -> None:
    """The signed-in user's own password: the old one checked as a sign-in is (throttled and audited
    the same way), the new one by the password rules; every session of the account ends with the
    change, this one too (sign in again)."""
    from geo.access import ScopedPool

    check_password(new)
    if new == old:
        raise InvalidInput("the new password is the old one", "新密码不能与原密码相同。")
    login(pool, viewer.username, old, source)          # LoginFailed: the old password is wrong
    with ScopedPool(pool, viewer).connection() as conn:
        if not db.value(conn, "SELECT jy_password_change_own(%(h)s)", {"h": hash_password(new)}):
            raise NotFound(f"no active account {viewer.username}", "账号不存在或已停用。")
        audit.record(conn, viewer.username, viewer.role, "password_change", viewer.username)


def must_change_password(pool, viewer: Viewer) -> bool:
    """Whether the account must change its password before using the dashboard (set by an admin)."""
    from geo.access import ScopedPool

    with ScopedPool(pool, viewer).connection() as conn:
        return bool(db.value(conn, "SELECT jy_must_change_password()"))


def unlock(conn, by: str, username: str) -> None:
    """Lift every source's wait on the account (jy_auth_unlock), audited."""
    if not db.value(conn, "SELECT jy_auth_unlock(%(u)s)", {"u": username}):
        raise NotFound(f"no user {username}", f"没有用户“{username}”。")
    audit.record(conn, by, "admin", "user_unlock", username)


def change_scope(conn, by: str, username: str, role: str, town: str | None, village: str | None) -> None:
    name = db.value(conn, "SELECT display_name FROM app_users WHERE username = %(u)s", {"u": username})
    if name is None:
        raise NotFound(f"no user {username}", f"没有用户“{username}”。")
    if by == username and role != "admin":
        raise Forbidden("an admin cannot take away their own admin role", "不能取消自己的管理员角色。")
    v = _check_fields(username, name, role, town, village)
    _check_places(conn, v)
    _update(conn, by, username, "user_change_scope",
            "UPDATE app_users SET role = %(r)s, town_code = %(t)s, village_code = %(v)s "
            "WHERE username = %(username)s", {"r": v.role, "t": v.town, "v": v.village},
            account_role=v.role, town=v.town, village=v.village)


def list_users(pool) -> list[dict]:
    with pool.connection() as conn:
        return dicts(conn.execute(
            "SELECT username, display_name, role, town_code, village_code, disabled, failed_attempts, "
            "locked_until, created_at, last_login_at FROM app_users ORDER BY role, username"))
