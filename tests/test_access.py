"""Row-level security, roles and the audit log, through the app role (jy_app) itself."""
from __future__ import annotations

import psycopg
import pytest
from psycopg import sql

from geo import auth, events, layers, overview
from geo.access import ScopedPool, Viewer
from geo.db import make_pool
from geo.errors import Forbidden, OutOfScope
from geo.scope import Scope
from tests.fixtures import app_url_for, with_session

SCOPED_TABLES = ("grids", "staff", "events", "event_log", "chem_sites", "chem_inventory",
                 "emergency_resources", "stats_grid_day", "stats_village_day", "stats_cell_day",
                 "stats_category_day", "audit_log", "app_users")
NANZHA = "320281004"


@pytest.fixture(scope="module")
def other_town(demo_conn_module):
    return demo_conn_module.execute("SELECT min(code) FROM grids WHERE level = 1 AND code <> %s",
                                    (NANZHA,)).fetchone()[0]


@pytest.fixture(scope="module")
def demo_conn_module(demo_url):
    with psycopg.connect(demo_url) as conn:
        yield conn


@pytest.fixture(scope="module")
def signed(demo_url):
    """A viewer with a real session in the demo database (the database derives the scope from it)."""
    return lambda v: with_session(demo_url, v)


def leader(town=NANZHA):
    return Viewer("nanzha_leader", "南闸领导", "town_leader", town)


def test_app_role_owns_nothing_and_cannot_bypass(demo_conn):
    role = demo_conn.execute("SELECT rolsuper, rolbypassrls, rolcreaterole, rolcreatedb FROM pg_roles "
                             "WHERE rolname = 'jy_app'").fetchone()
    assert role == (False, False, False, False)
    owned = demo_conn.execute("SELECT count(*) FROM pg_class c JOIN pg_roles r ON r.oid = c.relowner "
                              "WHERE r.rolname = 'jy_app'").fetchone()[0]
    assert owned == 0
    forced = dict(demo_conn.execute("SELECT relname, relforcerowsecurity AND relrowsecurity FROM pg_class "
                                    "WHERE relname = ANY(%s)", (list(SCOPED_TABLES),)).fetchall())
    assert forced == {t: True for t in SCOPED_TABLES}


def test_no_scope_set_means_no_rows(demo_url, demo_conn):
    assert demo_conn.execute("SELECT count(*) FROM events").fetchone()[0] > 0
    with psycopg.connect(app_url_for(demo_url)) as conn:
        for table in SCOPED_TABLES:
            n = conn.execute(sql.SQL("SELECT count(*) FROM {}").format(sql.Identifier(table))).fetchone()[0]
            assert n == 0, table
        # an unknown scope value is no scope either
        conn.execute("SELECT set_config('jy.scope', 'everything', false)")
        assert conn.execute("SELECT count(*) FROM events").fetchone()[0] == 0


def test_app_role_cannot_change_the_audit_log_or_read_hashes(demo_url):
    with psycopg.connect(app_url_for(demo_url)) as conn:
        for stmt in ("UPDATE audit_log SET ok = true", "DELETE FROM audit_log", "TRUNCATE audit_log",
                     "SELECT password_hash FROM app_users", "DELETE FROM events",
                     "UPDATE event_log SET note = 'x'"):
            with pytest.raises(psycopg.errors.InsufficientPrivilege):
                conn.execute(stmt)
            conn.rollback()


def test_town_leader_sees_only_their_town(app_pool, demo_pool, demo_conn, other_town, signed):
    db = ScopedPool(app_pool, signed(leader()))
    k = overview.kpis(db, Scope(NANZHA))
    own_open = demo_conn.execute("SELECT count(*) FROM events WHERE town_code = %s "
                                 "AND status NOT IN ('closed', 'rejected') AND NOT is_drill", (NANZHA,)).fetchone()[0]
    assert k.open == own_open > 0
    # Asking for the city or another town gives their own rows or none: never another town's.
    assert overview.kpis(db, Scope.city()).open == own_open
    assert overview.kpis(db, Scope(other_town)).open == 0
    rows, total = events.list_events(db, Scope.city(), events.EventFilter(), 5000)
    # the same list the owner gets for the town itself (the filter's default period applies to both)
    assert total == events.list_events(demo_pool, Scope(NANZHA), events.EventFilter(), 5000)[1] > 0
    assert {r["grid_code"][:9] for r in rows} == {NANZHA}
    assert {s["grid_code"][:9] for s in layers.staff_list(db, Scope.city())} == {NANZHA}
    other_event = demo_conn.execute("SELECT min(id) FROM events WHERE town_code = %s", (other_town,)).fetchone()[0]
    with pytest.raises(OutOfScope):
        events.get_event(db, leader().scope, other_event)
    with db.connection() as conn:
        assert conn.execute("SELECT count(*) FROM event_log WHERE event_id = %s", (other_event,)).fetchone()["count"] == 0
        towns = conn.execute("SELECT count(*) FROM grids WHERE level = 1").fetchone()["count"]
    assert towns == 1


def test_village_staff_see_only_their_village(app_pool, demo_pool, demo_conn, signed):
    village = demo_conn.execute("SELECT min(code) FROM grids WHERE level = 2 AND parent_code = %s",
                                (NANZHA,)).fetchone()[0]
    db = ScopedPool(app_pool, signed(Viewer("v1.staff", "村工作人员", "village_staff", NANZHA, village)))
    rows, total = events.list_events(db, Scope.city(), events.EventFilter(), 5000)
    assert total == events.list_events(demo_pool, Scope(village=village), events.EventFilter(), 5000)[1] > 0
    assert {r["grid_code"][:12] for r in rows} == {village}


def test_city_ranking_gives_a_town_leader_aggregates_for_every_town(app_pool, demo_conn, signed):
    ranking = overview.town_ranking(ScopedPool(app_pool, signed(leader())))
    expected = dict(demo_conn.execute("SELECT town_code, count(*) FROM events WHERE status NOT IN "
                                      "('closed', 'rejected') GROUP BY town_code").fetchall())
    assert len(ranking) == 17
    assert {r["town_code"]: r["open"] for r in ranking} == {t: expected.get(t, 0) for t in
                                                                    (r["town_code"] for r in ranking)}
    # ... and only counts: no event ids, descriptions or places
    assert set(ranking[0]) == {"town_code", "town_name", "open", "overdue", "reports_today",
                               "closed", "closed_on_time", "close_seconds", "on_time_rate"}


def test_city_scope_sees_everything(app_pool, demo_conn, signed):
    db = ScopedPool(app_pool, signed(Viewer("commander", "指挥长", "city_commander")))
    assert overview.kpis(db, Scope.city()).open == demo_conn.execute(
        "SELECT count(*) FROM events WHERE status NOT IN ('closed', 'rejected') AND NOT is_drill").fetchone()[0]


def test_scope_is_per_transaction_not_per_connection(demo_url, signed):
    pool = make_pool(app_url_for(demo_url), min_size=1, max_size=1)   # one connection, reused
    try:
        with ScopedPool(pool, signed(Viewer("c.cmd", "指挥长", "city_commander"))).connection() as conn:
            assert conn.execute("SELECT count(*) FROM events").fetchone()["count"] > 0
        with pool.connection() as conn:
            assert conn.execute("SELECT count(*) FROM events").fetchone()["count"] == 0
            assert conn.execute("SELECT current_setting('jy.scope', true)").fetchone()["current_setting"] in ("", None)
    finally:
        pool.close()


def test_roles_that_only_look_cannot_act():
    for role in ("wall", "town_leader", "admin"):
        v = Viewer("x", "某人", role, NANZHA if role == "town_leader" else None)
        with pytest.raises(Forbidden):
            v.actor()
    assert Viewer("d", "调度", "dispatcher", NANZHA).actor().role == "town_dispatcher"
    assert Viewer("d", "调度", "dispatcher").actor().role == "city_dispatcher"


def test_viewer_require_refuses_other_areas():
    v = leader()
    v.require(NANZHA, None)
    v.require(NANZHA, NANZHA + "001")
    for town in ("320281103", None, "garbage"):
        with pytest.raises(OutOfScope):
            v.require(town, None)
    Viewer("c", "指挥长", "city_commander").require("320281103", None)


def test_admin_manages_users_through_row_level_security(app_pool, demo_url, signed):
    admin = signed(Viewer("admin", "管理员", "admin"))
    with ScopedPool(app_pool, admin).connection() as conn:
        auth.create_user(conn, "admin", "rls.newbie", "新用户", "town_leader", "Secret-pass-123", town=NANZHA)
    assert [u["username"] for u in auth.list_users(ScopedPool(app_pool, admin))].count("rls.newbie") == 1
    # A town leader sees only their own account, and cannot create one.
    assert [u["username"] for u in auth.list_users(ScopedPool(app_pool, signed(leader())))] == ["nanzha_leader"]
    with pytest.raises(psycopg.errors.InsufficientPrivilege):
        with ScopedPool(app_pool, signed(leader())).connection() as conn:
            auth.create_user(conn, "nanzha_leader", "rls.sneaky", "偷偷", "admin", "Secret-pass-123")


def test_role_table_matches_the_schema_and_the_pages(demo_conn):
    """geo/roles.py is the one table of roles: the database accepts exactly its account and staff
    roles, every page it grants exists, and every account that acts maps to an actor role."""
    import re

    from dashboard.ui.nav import PAGES
    from geo.roles import ACCOUNT_ROLES, ACTOR_ROLES, STAFF_LABELS, actor_role_of

    def allowed(table: str) -> set[str]:
        check = demo_conn.execute("SELECT pg_get_constraintdef(c.oid) FROM pg_constraint c "
                                  "WHERE c.conrelid = %s::regclass AND c.contype = 'c' "
                                  "AND pg_get_constraintdef(c.oid) LIKE '%%(role = ANY%%'", (table,)).fetchone()[0]
        return set(re.findall(r"'(\w+)'::text", check))

    assert allowed("app_users") == set(ACCOUNT_ROLES)
    assert allowed("staff") == set(STAFF_LABELS)
    for code, role in ACCOUNT_ROLES.items():
        assert set(role.pages) <= set(PAGES), code
        for town in (None, "320281001"):
            acts = actor_role_of(code, town)
            assert acts is None or acts in ACTOR_ROLES
