"""The database decides the scope (issue 19, item 1; migration 027): the app role cannot name a scope.

Everything here runs as jy_app itself (APP_DATABASE_URL), as an SQL injection or a compromised
dashboard process would.
"""
from __future__ import annotations

import re

import psycopg
import pytest
from psycopg import sql

from geo import auth, db
from geo.access import Viewer
from geo.scope import Scope
from tests.fixtures import app_url_for, login_for, scope_viewer, with_session

NANZHA = "320281004"
SCOPED = ("events", "event_log", "staff", "grids", "stats_grid_day", "audit_log", "app_users", "event_photos",
          "notifications", "outbox", "checkins")


def counts(conn) -> dict[str, int]:
    return {t: conn.execute(sql.SQL("SELECT count(*) FROM {}").format(sql.Identifier(t))).fetchone()[0] for t in SCOPED}


def test_jy_app_naming_the_city_itself_sees_nothing(demo_url, demo_conn):
    """The issue's Done-when, verbatim."""
    assert demo_conn.execute("SELECT count(*) FROM events").fetchone()[0] > 0
    with psycopg.connect(app_url_for(demo_url)) as conn:
        conn.execute("SELECT set_config('jy.scope','city',true), set_config('jy.role','city_commander',true)")
        assert conn.execute("SELECT count(*) FROM events").fetchone()[0] == 0
        conn.rollback()
        # ... with every setting, a made-up signature, and as admin: still nothing
        conn.execute("SELECT set_config('jy.scope','city',true), set_config('jy.role','admin',true), "
                     "set_config('jy.user','admin',true), set_config('jy.sig', repeat('0', 64), true)")
        assert set(counts(conn).values()) == {0}


def test_a_made_up_ended_idle_or_disabled_session_sees_nothing(demo_url):
    v = scope_viewer(demo_url, Scope(town=NANZHA))
    with psycopg.connect(app_url_for(demo_url)) as conn:
        assert conn.execute("SELECT jy_begin(%s)", (v.token,)).fetchone()[0] is True
        own = counts(conn)
        assert own["events"] > 0 and own["audit_log"] == 0 and own["app_users"] == 1
        assert conn.execute("SELECT count(DISTINCT town_code) FROM events").fetchone()[0] == 1
        conn.rollback()
        for token in ("forged", "", v.token + "x"):
            assert conn.execute("SELECT jy_begin(%s)", (token,)).fetchone()[0] is False
            assert set(counts(conn).values()) == {0}
            conn.rollback()
    h = auth.token_hash(v.token)
    with psycopg.connect(demo_url) as owner:      # idle past its limit
        owner.execute("UPDATE app_sessions SET idle_limit_s = 60, last_seen_at = now() - interval '2 minutes' "
                      "WHERE token_hash = %s", (h,))
    with psycopg.connect(app_url_for(demo_url)) as conn:
        assert conn.execute("SELECT jy_begin(%s)", (v.token,)).fetchone()[0] is False
        assert conn.execute("SELECT count(*) FROM events").fetchone()[0] == 0
        conn.rollback()
        assert conn.execute("SELECT jy_session_touch(%s)", (h,)).fetchone()[0] is False
    for change in ("UPDATE app_sessions SET idle_limit_s = NULL, ended_at = now() WHERE token_hash = %s",
                   "UPDATE app_users SET disabled = true WHERE username = (SELECT username FROM app_sessions "
                   "WHERE token_hash = %s)"):
        v2 = with_session(demo_url, Viewer(v.username, v.display_name, v.role, v.town))
        with psycopg.connect(demo_url) as owner:
            owner.execute(change, (auth.token_hash(v2.token),))
        with psycopg.connect(app_url_for(demo_url)) as conn:
            assert conn.execute("SELECT jy_begin(%s)", (v2.token,)).fetchone()[0] is False
            assert conn.execute("SELECT count(*) FROM events").fetchone()[0] == 0


def test_a_signature_does_not_travel_to_another_transaction(demo_url):
    v = scope_viewer(demo_url, Scope.city())
    with psycopg.connect(app_url_for(demo_url)) as conn:
        conn.execute("SELECT jy_begin(%s)", (v.token,))
        stolen = conn.execute("SELECT current_setting('jy.scope'), current_setting('jy.town'), "
                              "current_setting('jy.village'), current_setting('jy.role'), current_setting('jy.user'), "
                              "current_setting('jy.sig')").fetchone()
        assert conn.execute("SELECT count(*) FROM events").fetchone()[0] > 0
        conn.rollback()
        conn.execute("SELECT set_config('jy.scope', %s, true), set_config('jy.town', %s, true), "
                     "set_config('jy.village', %s, true), set_config('jy.role', %s, true), "
                     "set_config('jy.user', %s, true), set_config('jy.sig', %s, true)", stolen)
        assert conn.execute("SELECT count(*) FROM events").fetchone()[0] == 0
        # ... nor does it survive a change of one value inside the signed transaction
        conn.rollback()
        conn.execute("SELECT jy_begin(%s)", (v.token,))
        conn.execute("SELECT set_config('jy.role', 'admin', true)")
        assert conn.execute("SELECT count(*) FROM events").fetchone()[0] == 0


def test_jy_app_cannot_read_the_key_sign_a_context_or_start_a_session_unseen(demo_url):
    with psycopg.connect(app_url_for(demo_url)) as conn:
        for stmt in ("SELECT k FROM jy_context_key",
                     "SELECT jy_sign_context('city', '', '', 'admin', 'admin')",
                     "SELECT token_hash FROM app_sessions"):
            with pytest.raises(psycopg.errors.InsufficientPrivilege):
                conn.execute(stmt)
            conn.rollback()
        # The app role cannot become the outbox worker (issue 29) ...
        with pytest.raises(psycopg.errors.InsufficientPrivilege):
            conn.execute("SET LOCAL ROLE jy_outbox")
        conn.rollback()
    # ... which signs in as itself, with narrow rights: the outbox and notifications, not the events.
    with psycopg.connect(db.outbox_conninfo(app_url_for(demo_url))) as outbox:
        outbox.execute("SELECT count(*) FROM outbox").fetchone()
        with pytest.raises(psycopg.errors.InsufficientPrivilege):
            outbox.execute("SELECT count(*) FROM events")


def test_a_real_log_in_gets_its_scope_from_the_database(demo_url, demo_conn):
    from geo import db
    from geo.access import ScopedPool
    pool = db.make_pool(app_url_for(demo_url), max_size=1)
    try:
        viewer, token = auth.login(pool, *login_for(demo_url, "nanzha_leader"))
        assert viewer.token == token
        with ScopedPool(pool, viewer).connection() as conn:
            n = conn.execute("SELECT count(*) AS n FROM events").fetchone()["n"]
            assert conn.execute("SELECT jy_ctx('scope') AS s").fetchone()["s"] == "town"
        assert n == demo_conn.execute("SELECT count(*) FROM events WHERE town_code = %s", (viewer.town,)).fetchone()[0]
        auth.end_session(pool, viewer, token)
        from geo.errors import LoginFailed
        with pytest.raises(LoginFailed):
            with ScopedPool(pool, viewer).connection():
                pass
        ended = demo_conn.execute("SELECT count(*) FROM audit_log WHERE username = 'nanzha_leader' AND action = 'logout'"
                                  ).fetchone()[0]
        assert ended >= 1
    finally:
        pool.close()


def test_no_policy_or_function_reads_a_scope_setting_directly(demo_conn):
    """Every reader goes through jy_ctx() (the signature check); a later migration that forgets it
    fails here."""
    raw = re.compile(r"current_setting\('jy\.(scope|town|village|role|user)'")
    policies = [(t, p) for t, p, q, c in demo_conn.execute(
        "SELECT tablename, policyname, coalesce(qual, ''), coalesce(with_check, '') FROM pg_policies "
        "WHERE schemaname = 'public'").fetchall() if raw.search(q) or raw.search(c)]
    assert policies == []
    functions = [n for n, src in demo_conn.execute(
        "SELECT p.proname, p.prosrc FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace "
        "WHERE n.nspname = 'public'").fetchall() if raw.search(src)]
    assert functions == ["jy_context_text"]       # what the signature covers


def test_jy_app_cannot_read_a_hash_or_mint_a_session(demo_url):
    """The issue's attack: as jy_app, start an admin session with a token of one's choosing. Log-in
    runs as jy_auth (migration 028); jy_app may do neither."""
    with psycopg.connect(app_url_for(demo_url)) as conn:
        for stmt in ("SELECT jy_session_start('admin', encode(sha256('forged'), 'hex'), 600)",
                     "SELECT * FROM jy_auth_lookup('admin')",
                     "SELECT * FROM jy_terminal_lookup('T0001')",
                     "SELECT jy_token_issue(1, encode(sha256('forged'), 'hex'), 24)",
                     "SELECT password_hash FROM app_users"):
            with pytest.raises(psycopg.errors.InsufficientPrivilege):
                conn.execute(stmt)
            conn.rollback()
        assert conn.execute("SELECT jy_begin('forged')").fetchone()[0] is False
    # ... and the log-in role can do nothing but log in.
    from geo import db
    with psycopg.connect(db.auth_conninfo(app_url_for(demo_url))) as conn:
        for stmt in ("SELECT count(*) FROM events", "SELECT count(*) FROM app_users", "SELECT * FROM audit_log"):
            with pytest.raises(psycopg.errors.InsufficientPrivilege):
                conn.execute(stmt)
            conn.rollback()


def test_the_owner_is_no_superuser(demo_conn):
    """The schema and every SECURITY DEFINER function belong to a role that is not a superuser (the
    cluster's superuser only made the roles and the extensions: scripts/setup.sh)."""
    assert demo_conn.execute("SELECT rolsuper FROM pg_roles WHERE rolname = current_user").fetchone()[0] is False
    owners = demo_conn.execute("""
        SELECT DISTINCT r.rolname, r.rolsuper FROM pg_proc p JOIN pg_roles r ON r.oid = p.proowner
          JOIN pg_namespace n ON n.oid = p.pronamespace
         WHERE n.nspname = 'public' AND p.prosecdef
           AND NOT EXISTS (SELECT FROM pg_depend d WHERE d.objid = p.oid AND d.deptype = 'e')   -- PostGIS's own
    """).fetchall()
    assert owners and all(not sup for _, sup in owners), owners
    tables = demo_conn.execute("""
        SELECT DISTINCT r.rolsuper FROM pg_class c JOIN pg_roles r ON r.oid = c.relowner
          JOIN pg_namespace n ON n.oid = c.relnamespace
         WHERE n.nspname = 'public' AND c.relkind = 'r' AND c.relname <> 'spatial_ref_sys'""").fetchall()
    assert tables == [(False,)]


def test_the_escalation_job_runs_as_a_narrow_role(work_url, work_conn):
    """`python -m loaders escalate` (cron) switches to jy_escalate (migration 030): it moves overdue
    events up a level, and can read or change nothing else."""
    import subprocess
    import sys

    from geo.intake import Report
    from tests.fixtures import point_in, report_events
    grid = work_conn.execute("SELECT min(code) FROM grids WHERE level = 3 AND kind = 'admin'").fetchone()[0]
    import datetime as dt
    long_ago = dt.datetime(2026, 9, 1, 9, 0, tzinfo=dt.timezone.utc)
    eid = report_events(work_conn, [Report("HW01", "升级测试", 3, *point_in(work_conn, grid), reported_at=long_ago)])[0]
    work_conn.commit()
    import os
    out = subprocess.run([sys.executable, "-m", "loaders", "escalate"], env={**os.environ, "DATABASE_URL": work_url},
                         capture_output=True, text=True, timeout=120)
    assert out.returncode == 0 and "escalated" in out.stdout, out.stderr
    level, actor = work_conn.execute("SELECT e.handling_level, l.actor FROM events e JOIN event_log l ON l.event_id = e.id "
                                     "WHERE e.id = %s ORDER BY l.id DESC LIMIT 1", (eid,)).fetchone()
    assert level == "town" and actor == "系统"
    with psycopg.connect(work_url) as conn:
        for stmt in ("SELECT count(*) FROM staff", "SELECT description FROM events", "SELECT count(*) FROM app_users",
                     "UPDATE events SET priority = 1", "SELECT * FROM audit_log", "SELECT note FROM event_log"):
            conn.execute("SET LOCAL ROLE jy_escalate")
            with pytest.raises(psycopg.errors.InsufficientPrivilege):
                conn.execute(stmt)
            conn.rollback()
