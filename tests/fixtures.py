"""Test helpers and factories: throwaway PostGIS databases in the cluster that ./test.sh set up (never
the demo one), demo accounts, signed-in viewers for AppTest, points inside grids. Tests import these
from here; tests/conftest.py holds only the pytest fixtures built on them.

TEST_ADMIN_DATABASE_URL (exported by ./test.sh) names a role that may create databases. Without it
the suite fails: it never skips because a database is missing.
"""
from __future__ import annotations

import datetime as dt
import json
import os
import tempfile
import uuid
from contextlib import contextmanager
from pathlib import Path

import psycopg
from psycopg import sql
from psycopg.conninfo import make_conninfo

from geo.worktime import TZ

ADMIN_URL = os.environ.get("TEST_ADMIN_DATABASE_URL")
# The dashboard's role (jy_app, row-level security); ./test.sh exports its URL for the main database.
APP_URL = os.environ.get("TEST_APP_DATABASE_URL")
# username -> password of the demo accounts created in each throwaway database, by database URL
ACCOUNTS: dict[str, dict[str, str]] = {}
# username -> password of the demo accounts in the run's template (every clone has the same)
TEMPLATE_ACCOUNTS: dict[str, str] = {}
# Fixed end of the demo period for deterministic checks.
FIXED_UNTIL = dt.datetime(2026, 11, 20, 15, 0, tzinfo=TZ)


def _admin_url() -> str:
    if not ADMIN_URL:
        raise RuntimeError("TEST_ADMIN_DATABASE_URL is not set: run the suite with ./test.sh, which "
                           "sets up PostgreSQL + PostGIS and exports it")
    return ADMIN_URL


def app_url_for(url: str) -> str:
    """The same server and database as `url`, as the jy_app role (the dashboard's)."""
    if not APP_URL:
        raise RuntimeError("TEST_APP_DATABASE_URL is not set: run the suite with ./test.sh")
    from psycopg.conninfo import conninfo_to_dict
    app = conninfo_to_dict(APP_URL)
    return make_conninfo(url, user=app["user"], password=app["password"])


def login_for(url: str, username: str) -> tuple[str, str]:
    """(username, password) of a demo account in the database at `url`."""
    return username, ACCOUNTS[url][username]


def _create(name: str, template: str | None = None) -> str:
    admin = _admin_url()
    with psycopg.connect(admin, autocommit=True) as conn:
        if template:
            conn.execute(sql.SQL("CREATE DATABASE {} TEMPLATE {}").format(sql.Identifier(name), sql.Identifier(template)))
        else:
            conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
    return make_conninfo(admin, dbname=name)


def drop_database(name: str) -> None:
    with psycopg.connect(_admin_url(), autocommit=True) as conn:
        conn.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name)))


@contextmanager
def throwaway_database(prefix: str = "jy_test", template: str | None = None):
    name = f"{prefix}_{os.getpid()}_{uuid.uuid4().hex[:8]}"
    url = _create(name, template)
    try:
        yield url
    finally:
        drop_database(name)


# ------------------------------------------------------------------------------------------------
# The demo template: migrations, reference data, the small demo load (ending at the hour the run
# started) and its accounts, built once per test run — by whichever pytest process asks first, the
# others wait on an advisory lock — and cloned for each consumer with CREATE DATABASE … TEMPLATE
# (about a second, against ~15 s to build). The run's controller drops it at the end (conftest).
# ------------------------------------------------------------------------------------------------
_TEMPLATE_LOCK = 4_490_320_282


def run_id() -> str:
    """One id per test run, the same in every xdist worker (conftest's pytest_configure sets it in
    the controller, before the workers start and inherit it)."""
    return os.environ.setdefault("JY_TEST_RUN", uuid.uuid4().hex[:12])


def template_name() -> str:
    return f"jy_tpl_{run_id()}"


def _accounts_file() -> Path:
    return Path(tempfile.gettempdir()) / f"jy-tests-{run_id()}-accounts.json"


def _build_template(name: str) -> None:
    from geo import db
    from loaders.accounts import create_demo_accounts
    from loaders.demo import generate
    from loaders.demo.load import load

    url = _create(name)
    db.migrate(url)
    until = dt.datetime.now(TZ).replace(minute=0, second=0, microsecond=0)
    data = generate(seed=7, events=4000, days=45, until=until)
    with db.connect(url) as conn:
        load(conn, data)
        made = {u: p for u, _, p in create_demo_accounts(conn)}
        conn.commit()
        conn.autocommit = True
        conn.execute("VACUUM ANALYZE")
    fd = os.open(_accounts_file(), os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w") as f:
        json.dump(made, f)
    with psycopg.connect(_admin_url(), autocommit=True) as conn:
        conn.execute(sql.SQL("ALTER DATABASE {} WITH IS_TEMPLATE true ALLOW_CONNECTIONS false").format(
            sql.Identifier(name)))


def template_database() -> str:
    """The run's demo template (built on first use); its accounts are loaded into TEMPLATE_ACCOUNTS."""
    name = template_name()
    if not TEMPLATE_ACCOUNTS:
        with psycopg.connect(_admin_url(), autocommit=True) as conn:
            conn.execute("SELECT pg_advisory_lock(%(k)s)", {"k": _TEMPLATE_LOCK})
            try:
                row = conn.execute("SELECT datistemplate FROM pg_database WHERE datname = %(n)s", {"n": name}).fetchone()
                if row is None or not row[0]:
                    if row is not None:                 # a build that died half-way
                        drop_database(name)
                    _build_template(name)
            finally:
                conn.execute("SELECT pg_advisory_unlock(%(k)s)", {"k": _TEMPLATE_LOCK})
        TEMPLATE_ACCOUNTS.update(json.loads(_accounts_file().read_text()))
    return name


def drop_template() -> None:
    """The end of the run (the controller process): the template and its accounts file go."""
    name = template_name()
    with psycopg.connect(_admin_url(), autocommit=True) as conn:
        if conn.execute("SELECT 1 FROM pg_database WHERE datname = %(n)s", {"n": name}).fetchone():
            conn.execute(sql.SQL("ALTER DATABASE {} WITH IS_TEMPLATE false").format(sql.Identifier(name)))
            conn.execute(sql.SQL("DROP DATABASE {} WITH (FORCE)").format(sql.Identifier(name)))
    _accounts_file().unlink(missing_ok=True)


@contextmanager
def demo_database(prefix: str):
    """A database of its own with the demo load and its accounts: a clone of the run's template."""
    template = template_database()
    with throwaway_database(prefix, template=template) as url:
        ACCOUNTS[url] = dict(TEMPLATE_ACCOUNTS)
        yield url


def point_in(conn, grid_code: str) -> tuple[float, float]:
    """A point inside a grid (its point on surface)."""
    return conn.execute("SELECT ST_X(p), ST_Y(p) FROM (SELECT ST_PointOnSurface(geom) p FROM grids "
                        "WHERE code = %s) s", (grid_code,)).fetchone()


def row_counts(conn) -> tuple[int, int]:
    """(events, event_log) row counts: to show that a refused action wrote nothing."""
    return conn.execute("SELECT (SELECT count(*) FROM events), (SELECT count(*) FROM event_log)").fetchone()


def viewer(role: str = "city_commander", town: str | None = None, village: str | None = None,
           username: str | None = None):
    """A signed-in account for AppTest sessions (the log-in form itself is tested on its own)."""
    from geo.access import ROLES, Viewer
    return Viewer(username or role.replace("_", "."), f"测试{ROLES[role]}", role, town, village)


def with_session(url: str, who):
    """`who` with a real session in the database at `url` (owner connection): the account is created
    or updated to `who`'s role and area, and a session opened for it, as a log-in would. The
    database derives every scope from a session (migration 027), so a viewer needs one."""
    import dataclasses

    from loaders.accounts import service_session
    with psycopg.connect(url) as conn:
        token = service_session(conn, who)
    return dataclasses.replace(who, token=token)


def scope_viewer(url: str, scope, role: str | None = None):
    """A signed-in viewer (real session) whose scope is `scope`: the city commander, a town leader or
    a village's staff, unless `role` says otherwise."""
    from geo.access import ROLES, Viewer
    role = role or {"city": "city_commander", "town": "town_leader", "village": "village_staff"}[scope.level]
    name = f"t.{role[:8]}.{scope.village or scope.town or 'city'}".replace("_", "")
    return with_session(url, Viewer(name, f"测试{ROLES[role]}", role, scope.town, scope.village))


def signed_in(at, who=None, url: str | None = None):
    """Put a signed-in viewer (with a real session in the database the AppTest uses: DATABASE_URL,
    or `url`) into an AppTest session before it runs."""
    import time
    who = who or viewer()
    if who.token is None:
        who = with_session(url or os.environ["DATABASE_URL"], who)
    at.session_state["viewer"] = who
    at.session_state["last_seen"] = time.time()
    return at


# Factories under the names the rest of the suite uses.
make_db = throwaway_database            # an empty database (migrate it yourself)
make_demo_db = demo_database            # migrated, with the small demo load and its accounts


def make_server(database_url: str, account: str | None = None, **env):
    """A real Streamlit server on the database and, with `account` (a demo username of
    loaders.accounts.DEMO_ACCOUNTS: "wall", "nanzha_leader" …), that account's (username, password):
    `with make_server(url, "wall") as (base_url, login): …`."""
    from tests.server import streamlit_server

    @contextmanager
    def run():
        with streamlit_server(database_url, extra_env=env or None) as base:
            yield base, (login_for(database_url, account) if account else None)
    return run()


def terminal_workers(conn, password: str) -> list[dict]:
    """Two demo grid workers in different towns, each given a terminal account with `password`
    (the API tests' terminals)."""
    from geo import db, terminals

    workers = db.rows(conn, """
        SELECT DISTINCT ON (s.town_code) s.id, s.terminal_id, s.grid_code, s.village_code, s.town_code
          FROM staff s WHERE s.role = 'grid_worker' AND s.terminal_id IS NOT NULL
         ORDER BY s.town_code, s.id LIMIT 2""")
    for w in workers:
        terminals.create_terminal(conn, w["terminal_id"], password)
    return workers


# The reporter of the events tests make (an owner connection writes its audit row as anyone).
TEST_REPORTER_NAME = "测试上报"


def report_events(conn, reports: list, now=None, by=None) -> list[int]:
    """Events made the one way the product makes them (geo.intake.submit: checks, placing, routing,
    the first log row and the audit row), as a test's reporter unless `by` says otherwise."""
    from geo.intake import Reporter, submit
    return submit(conn, reports, by=by or Reporter("(test)", None, TEST_REPORTER_NAME, "test"), now=now)
