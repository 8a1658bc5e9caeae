"""Accounts from the command line: the app's database role, the first admin, the demo accounts.

No password is ever shipped: the app role's password and every demo account's password are
generated on this machine, kept in .local/ (mode 600) and printed.
"""
from __future__ import annotations

import base64
import hashlib
import hmac
import os
import secrets
from pathlib import Path
from urllib.parse import quote, urlsplit, urlunsplit

from psycopg import sql

from geo import auth, db, terminals
from geo.db import ROOT
from geo.errors import DataUnavailable
from geo.roles import STAFF_LABELS
from geo.settings import settings

APP_ROLE = "jy_app"
LOCAL = ROOT / ".local"
APP_PASSWORD_FILE = LOCAL / "app_db_password"
DEMO_ACCOUNTS_FILE = LOCAL / "demo_accounts.txt"


def _secret_file(path: Path, make) -> str:
    LOCAL.mkdir(mode=0o700, exist_ok=True)
    if not path.exists() or not path.read_text().strip():
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "w") as f:
            f.write(make())
    return path.read_text().strip()


def app_url(owner_url: str, password: str) -> str:
    """The owner's URL with the app role's name and password instead."""
    parts = urlsplit(owner_url)
    if parts.scheme not in ("postgresql", "postgres"):
        raise DataUnavailable("DATABASE_URL must be a postgresql:// URL to derive APP_DATABASE_URL from it; "
                              "or set APP_DATABASE_URL yourself", "DATABASE_URL 应为 postgresql:// 地址。")
    host = parts.hostname or "localhost"
    if ":" in host:
        host = f"[{host}]"
    netloc = f"{APP_ROLE}:{quote(password, safe='')}@{host}" + (f":{parts.port}" if parts.port else "")
    return urlunsplit((parts.scheme, netloc, parts.path, parts.query, parts.fragment))


def ensure_app_role(conn, owner_url: str) -> str:
    """Give jy_app (created NOLOGIN by migration 006) a login and this machine's password; return
    APP_DATABASE_URL. The role is cluster-wide; the owner needs CREATEROLE (or to be superuser)."""
    password = _secret_file(APP_PASSWORD_FILE, lambda: secrets.token_urlsafe(24))
    # (created NOSUPERUSER NOBYPASSRLS by the migrations; only a superuser could change that)
    conn.execute(sql.SQL("ALTER ROLE {} LOGIN PASSWORD {}").format(sql.Identifier(APP_ROLE), sql.Literal(password)))
    # the log-in role (migration 028), its password derived from this one (geo/db.py auth_password)
    conn.execute(sql.SQL("ALTER ROLE {} LOGIN PASSWORD {}").format(
        sql.Identifier(db.AUTH_ROLE), sql.Literal(db.auth_password(password))))
    # the outbox worker's own login (migration 001: no longer a role jy_app can SET ROLE to)
    conn.execute(sql.SQL("ALTER ROLE {} LOGIN PASSWORD {}").format(
        sql.Identifier(db.OUTBOX_ROLE), sql.Literal(db.outbox_password(password))))
    return app_url(owner_url, password)


def service_session(conn, viewer) -> str:
    """Open a session for `viewer` (creating or updating its account to that role and area) without a
    password, as the owner: for benchmarks and tests, which drive pages as many viewers at once. The
    account gets no usable password. Returns the session token. Never used by the product itself."""
    token = secrets.token_urlsafe(32)
    conn.execute("""
        INSERT INTO app_users (username, display_name, role, town_code, village_code, password_hash,
                               password_changed_at)
        VALUES (%(u)s, %(d)s, %(r)s, %(t)s, %(v)s, 'no log-in: a service session', now() - interval '1 minute')
        ON CONFLICT (username) DO UPDATE SET display_name = EXCLUDED.display_name, role = EXCLUDED.role,
               town_code = EXCLUDED.town_code, village_code = EXCLUDED.village_code, disabled = false""",
                 {"u": viewer.username, "d": viewer.display_name, "r": viewer.role, "t": viewer.town,
                  "v": viewer.village})
    conn.execute("INSERT INTO app_sessions (token_hash, username, idle_limit_s) VALUES (%(h)s, %(u)s, NULL)",
                 {"h": auth.token_hash(token), "u": viewer.username})
    return token


# username, display name, role, town, village — "town" means 南闸街道 (looked up by name), the town
# of the acceptance walk-through; "first" is its first village/community in the demo.
DEMO_ACCOUNTS = (
    ("admin", "系统管理员", "admin", None, None),
    ("commander", "市级指挥长", "city_commander", None, None),
    ("dispatcher", "市级调度员", "dispatcher", None, None),
    ("nanzha_leader", "南闸街道领导", "town_leader", "town", None),
    ("nanzha_dispatcher", "南闸街道调度员", "dispatcher", "town", None),
    ("nanzha_village", "{village}工作人员", "village_staff", None, "first"),      # named after its village
    ("wall", "指挥中心大屏", "wall", None, None),
)


def create_demo_accounts(conn) -> list[tuple[str, str, str]]:
    """Create the demo accounts that do not exist yet, each with a fresh random password, in the
    caller's transaction. Returns (username, role label, password) for those created."""
    made = []
    town_code = conn.execute("SELECT min(code) FROM grids WHERE level = 1 AND name = '南闸街道'").fetchone()[0]
    village = conn.execute("SELECT min(code) FROM grids WHERE level = 2 AND parent_code = %(t)s",
                           {"t": town_code}).fetchone()[0]
    for username, name, role, town, vil in DEMO_ACCOUNTS:
        if conn.execute("SELECT 1 FROM app_users WHERE username = %(u)s", {"u": username}).fetchone():
            continue
        if (town == "town" or vil == "first") and town_code is None:
            continue
        town = town_code if town == "town" else town
        vil = village if vil == "first" else vil
        if "{village}" in name:
            name = name.format(village=conn.execute("SELECT name FROM grids WHERE code = %(v)s", {"v": vil}).fetchone()[0])
        password = auth.new_password()
        auth.create_user(conn, "(demo)", username, name, role, password, town=town, village=vil)
        made.append((username, auth.ROLES[role], password))
    made += _demo_terminals(conn, village)
    return made


DEMO_TERMINALS = 3     # terminal accounts listed in demo_accounts.txt (the first grid workers of the demo village)
DEMO_TERMINAL_SECRET_FILE = LOCAL / "demo_terminal_secret"


def demo_terminal_password(terminal_id: str) -> str:
    """The password of a demo terminal account: derived from this machine's secret (.local/, mode
    600), so the live feed (`loaders simulate`) can sign in as any demo worker without a list of
    7,417 passwords. 16 characters of HMAC-SHA256: 96 bits, not guessable."""
    secret = _secret_file(DEMO_TERMINAL_SECRET_FILE, lambda: secrets.token_urlsafe(32))
    mac = hmac.new(secret.encode(), terminal_id.encode(), hashlib.sha256).digest()
    return base64.urlsafe_b64encode(mac).decode()[:14] + "-1"


_NO_ACCOUNT = """
SELECT s.id, s.terminal_id FROM staff s
 WHERE s.is_demo AND s.terminal_id IS NOT NULL AND s.role = ANY (%(roles)s)
   AND NOT EXISTS (SELECT 1 FROM terminal_accounts a WHERE a.staff_id = s.id)
 ORDER BY s.id
"""


def _demo_terminals(conn, village: str | None) -> list[tuple[str, str, str]]:
    """A terminal account for every demo grid worker and police officer that has none (one
    set-based insert); (terminal number, 网格员, password) of the first DEMO_TERMINALS grid workers
    of the demo village, for demo_accounts.txt."""
    todo = db.tuples(conn, _NO_ACCOUNT, {"roles": list(terminals.TERMINAL_ROLES)})
    if todo:
        terminals.create_terminals(conn, [(sid, demo_terminal_password(tid)) for sid, tid in todo])
    if village is None:
        return []
    made = set(sid for sid, _ in todo)
    listed = db.tuples(conn, """
        SELECT s.id, s.terminal_id FROM staff s
         WHERE s.role = 'grid_worker' AND s.village_code = %(v)s AND s.terminal_id IS NOT NULL
         ORDER BY s.id LIMIT %(n)s""", {"v": village, "n": DEMO_TERMINALS})
    return [(tid, STAFF_LABELS["grid_worker"], demo_terminal_password(tid)) for sid, tid in listed if sid in made]


def accounts_file(dbname: str) -> Path:
    """.local/demo_accounts.txt for ./run.sh's database; another database gets a file of its own."""
    return DEMO_ACCOUNTS_FILE if dbname == settings().jy_db_name else \
        LOCAL / f"demo_accounts.{dbname}.txt"


def save_demo_accounts(made: list[tuple[str, str, str]], dbname: str) -> Path:
    LOCAL.mkdir(mode=0o700, exist_ok=True)
    fd = os.open(accounts_file(dbname), os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o600)
    with os.fdopen(fd, "a") as f:
        for u, label, p in made:
            f.write(f"{u}\t{label}\t{p}\n")
    return accounts_file(dbname)
