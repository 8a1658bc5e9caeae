"""The database trusts no caller (issue 29). Connected as the app role with its password
(APP_DATABASE_URL) and no signed context — what SQL injection or a stolen password gives — the
attacker can turn no owner function, write no statistics, change no account, become no other role,
and every function it may execute refuses or returns nothing. With a signed session, the log rows it
writes say who and when as the database knows it, and nobody verifies their own work."""
from __future__ import annotations

import re

import psycopg
import pytest
import shapely
from psycopg import sql

from geo import db
from geo.intake import Report
from loaders.accounts import service_session
from tests.fixtures import app_url_for, demo_database, point_in, report_events, viewer

# Pure computations on their arguments (IMMUTABLE, invoker's rights, no table): nothing to refuse.
PURE = {"hazard_alpha", "hazard_level", "jy_audit_hash", "jy_audit_text", "jy_is_open"}
# Public by design (docs/api.md, Open311 reads without a key): what it may answer anyone, column by
# column — no description, address, reporter or exact point among them.
PUBLIC = {"jy_open311_public": {"id", "category_code", "category", "status", "is_open", "reported_at", "due_at",
                                "updated_at", "lon", "lat", "department", "team"}}


@pytest.fixture(scope="module")
def url():
    with demo_database("jy_trust") as u:
        yield u


def app(url):
    """The attacker's connection: the app role, no signed context."""
    return psycopg.connect(app_url_for(url), autocommit=True)


def _sample(conn, url) -> dict:
    with psycopg.connect(url) as owner:
        lon, lat = point_in(owner, owner.execute("SELECT min(code) FROM grids WHERE level = 3").fetchone()[0])
        terminal = owner.execute("SELECT min(terminal_id) FROM staff WHERE terminal_id IS NOT NULL").fetchone()[0]
        town = owner.execute("SELECT min(code) FROM grids WHERE level = 1").fetchone()[0]
    zone = shapely.to_wkb(shapely.Point(lon, lat).buffer(0.05))
    return {"lon": lon, "lat": lat, "terminal": terminal, "town": town, "zone": zone}


def _args(types: list[str], name: str, s: dict) -> list:
    """Arguments a real call would give (a point in the county, a real terminal, a zone over a
    town), so that a function answering without a context would show rows."""
    by_name = {
        "jy_terminal_set": [s["terminal"], "0" * 64], "jy_terminal_disable": [s["terminal"], True],
        "jy_auth_unlock": ["admin"], "jy_session_end": ["x" * 64, "logout"], "jy_village_ranking": [s["town"], 30], "jy_town_ranking": [30],
        "jy_place_of_point": [s["lon"], s["lat"]], "jy_nearest_resources": [s["lon"], s["lat"], 5, None],
        "jy_zone_analysis": [s["zone"], s["lon"], s["lat"], None], "jy_visible": [s["town"], None],
    }
    if name in by_name:
        return by_name[name]
    sample = {"text": "x" * 64, "bigint": 1, "integer": 1, "double precision": 120.3, "boolean": True,
              "bytea": s["zone"], "geometry": f"SRID=4490;POINT({s['lon']} {s['lat']})",
              "double precision[]": [s["lon"]], "real[]": [5.0], "timestamp with time zone[]": ["2026-12-01T10:00:00+08"],
              "text[]": None, "bigint[]": None, "date": "2026-11-01", "timestamp with time zone": "2026-12-01T10:00:00+08", "jsonb": "{}"}
    return [sample[t] for t in types]


def _empty(value) -> bool:
    if value in (None, False, 0, 0.0, "", []):
        return True
    if isinstance(value, (tuple, list)):
        return all(_empty(v) for v in value)
    return False


def test_every_function_the_app_role_can_execute_refuses_or_returns_nothing_without_a_context(url):
    with app(url) as conn:
        s = _sample(conn, url)
        funcs = conn.execute("""
            SELECT p.proname, p.oid::regprocedure::text, p.provolatile, p.prosecdef, p.proretset,
                   coalesce(array_agg(format_type(t.t, NULL) ORDER BY t.n) FILTER (WHERE t.t IS NOT NULL), '{}')
              FROM pg_proc p LEFT JOIN LATERAL unnest(p.proargtypes) WITH ORDINALITY AS t(t, n) ON true
             WHERE p.pronamespace = 'public'::regnamespace AND has_function_privilege(p.oid, 'EXECUTE')
               AND NOT EXISTS (SELECT 1 FROM pg_depend d WHERE d.classid = 'pg_proc'::regclass AND d.objid = p.oid
                                  AND d.deptype = 'e')
             GROUP BY p.oid, p.proname, p.provolatile, p.prosecdef, p.proretset ORDER BY p.proname""").fetchall()
        assert len(funcs) > 30
        answered = {}
        for name, sig, volatile, definer, returns_set, types in funcs:
            if name in PURE:
                assert volatile == "i" and not definer, f"{sig} is listed as a pure computation"
                continue
            call = sql.SQL("SELECT * FROM {}({})" if returns_set else "SELECT {}({})").format(
                sql.Identifier("public", name),
                sql.SQL(", ").join(sql.SQL("{}::{}").format(sql.Placeholder(), sql.SQL(t)) for t in types))
            try:
                with conn.transaction():
                    cur = conn.execute(call, _args(list(types), name, s))
                    rows = cur.fetchall()
                if name in PUBLIC:
                    assert {c.name for c in cur.description or ()} == PUBLIC[name], sig
                    continue
                if not _empty(rows):
                    answered[sig] = rows[:3]
            except psycopg.errors.InsufficientPrivilege:
                pass                      # refused: what it should do
        assert not answered, f"functions that answer the app role without a signed context: {answered}"
        # and no SECURITY DEFINER function of anyone else (an extension's) is open to it
        others = conn.execute("""
            SELECT p.oid::regprocedure::text FROM pg_proc p
             WHERE p.prosecdef AND has_function_privilege(p.oid, 'EXECUTE')
               AND p.proowner <> (SELECT relowner FROM pg_class WHERE oid = 'public.events'::regclass)
               AND p.pronamespace NOT IN ('pg_catalog'::regnamespace, 'information_schema'::regnamespace)""").fetchall()
        assert others == []


def test_account_functions_refuse_without_an_admin_context(url):
    with app(url) as conn:
        s = _sample(conn, url)
        for call, args in (("SELECT jy_terminal_set(%s, %s)", (s["terminal"], "0" * 64)),
                           ("SELECT jy_terminal_disable(%s, true)", (s["terminal"],)),
                           ("SELECT jy_auth_unlock('admin')", ())):
            with pytest.raises(psycopg.errors.InsufficientPrivilege):
                conn.execute(call, args)
        assert conn.execute("SELECT count(*) FROM jy_terminal_accounts()").fetchone()[0] == 0


def test_the_app_role_cannot_become_the_outbox_worker(url):
    with app(url) as conn:
        with pytest.raises(psycopg.errors.InsufficientPrivilege):
            conn.execute("SET ROLE jy_outbox")
        assert not conn.execute("SELECT pg_has_role('jy_app', 'jy_outbox', 'MEMBER')").fetchone()[0]


def test_a_temp_table_trap_runs_nothing_as_the_owner_and_the_statistics_stay_true(url):
    """The attack of issue 29: the caller's own _stats_delta with a trigger that records who runs
    it; then an event is reported through a real session. The trap must never fire (the statistics
    use no temporary table), and the caller can write no statistics itself."""
    with psycopg.connect(url) as owner:
        token = service_session(owner, viewer("village_staff", "320281001", "320281001001",
                                              username="t.trap.village"))
        owner.commit()
        grid = owner.execute("SELECT min(code) FROM grids WHERE level = 3 AND kind = 'admin' "
                             "AND parent_code = '320281001001'").fetchone()[0]
        lon, lat = point_in(owner, grid)
        before = owner.execute("SELECT coalesce(sum(reported), 0) FROM stats_grid_day").fetchone()[0]
    with app(url) as conn:
        conn.execute("CREATE TEMP TABLE _stats_delta (sign int, grid_code text, category_code text, reported_at timestamptz, "
                     "closed_at timestamptz, due_at timestamptz, x float8, y float8)")
        conn.execute("CREATE TEMP TABLE _ran_as (who text)")
        conn.execute("GRANT ALL ON _stats_delta, _ran_as TO PUBLIC")
        conn.execute("""CREATE FUNCTION pg_temp.trap() RETURNS trigger LANGUAGE plpgsql AS $$
                        BEGIN INSERT INTO pg_temp._ran_as VALUES (current_user); RETURN NEW; END $$""")
        conn.execute("CREATE TRIGGER trap BEFORE INSERT ON _stats_delta FOR EACH ROW EXECUTE FUNCTION pg_temp.trap()")
        with conn.transaction():
            assert conn.execute("SELECT jy_begin(%s)", (token,)).fetchone()[0]
            from geo.intake import Reporter, submit
            submit(conn, [Report("HW01", "陷阱测试", 3, lon, lat)],
                   by=Reporter("t.trap.village", "village_staff", "测试", "test"))
        assert conn.execute("SELECT count(*) FROM _ran_as").fetchone()[0] == 0
        assert conn.execute("SELECT count(*) FROM _stats_delta").fetchone()[0] == 0
        for stmt in ("INSERT INTO stats_grid_day (day, grid_code, reported) VALUES (current_date, %s, 100000)",
                     "UPDATE stats_grid_day SET reported = reported + 100000 WHERE grid_code = %s"):
            with pytest.raises(psycopg.errors.InsufficientPrivilege):
                conn.execute(stmt, (grid,))
    with psycopg.connect(url) as owner:
        after = owner.execute("SELECT coalesce(sum(reported), 0) FROM stats_grid_day").fetchone()[0]
    assert after == before + 1


def test_log_and_audit_rows_say_who_and_when_as_the_session_does(url):
    """A village worker's session writes a log row claiming to be 市级指挥, back-dated: the database
    keeps the session's account, name and role and the clock's time."""
    with psycopg.connect(url) as owner:
        who = viewer("village_staff", "320281001", "320281001001", username="t.forge.village")
        token = service_session(owner, who)
        grid = owner.execute("SELECT min(code) FROM grids WHERE level = 3 AND kind = 'admin' "
                             "AND parent_code = '320281001001'").fetchone()[0]
        eid = report_events(owner, [Report("HW01", "伪造测试", 3, *point_in(owner, grid))])[0]
        owner.commit()
    with app(url) as conn, conn.transaction():
        assert conn.execute("SELECT jy_begin(%s)", (token,)).fetchone()[0]
        conn.execute("INSERT INTO event_log (event_id, at, actor, actor_role, from_status, to_status, level, note) "
                     "VALUES (%s, '2020-01-01', '市级指挥 张三', 'city_commander', 'reported', 'accepted', 'village', NULL)",
                     (eid,))
        conn.execute("INSERT INTO audit_log (at, username, role, action, target, ok, detail) "
                     "VALUES ('2020-01-01', 't.forge.village', 'admin', 'accept', %s, true, '{}')", (f"event:{eid}",))
    with psycopg.connect(url) as owner:
        row = owner.execute("SELECT username, actor, actor_role, at > now() - interval '1 minute' FROM event_log "
                            "WHERE event_id = %s AND to_status = 'accepted'", (eid,)).fetchone()
        audit = owner.execute("SELECT role, at > now() - interval '1 minute' FROM audit_log WHERE target = %s "
                              "AND action = 'accept'", (f"event:{eid}",)).fetchone()
    assert row == ("t.forge.village", f"村社区工作人员 {who.display_name}", "village_staff", True)
    assert audit == ("village_staff", True)


def test_whoever_handled_an_event_cannot_verify_it(url):
    with psycopg.connect(url) as owner:
        who = viewer("village_staff", "320281001", "320281001001", username="t.sod.village")
        token = service_session(owner, who)
        grid = owner.execute("SELECT min(code) FROM grids WHERE level = 3 AND kind = 'admin' "
                             "AND parent_code = '320281001001'").fetchone()[0]
        eid = report_events(owner, [Report("HW01", "核查分离", 3, *point_in(owner, grid))])[0]
        owner.commit()
    steps = [("reported", "accepted"), ("accepted", "dispatched"), ("dispatched", "in_progress"),
             ("in_progress", "handled")]
    with app(url) as conn:
        for f, t in steps:
            with conn.transaction():
                conn.execute("SELECT jy_begin(%s)", (token,))
                conn.execute("INSERT INTO event_log (event_id, at, actor, actor_role, from_status, to_status, level) "
                             "VALUES (%s, now(), 'x', 'village_staff', %s, %s, 'village')", (eid, f, t))
        for to in ("verified", "in_progress"):
            with pytest.raises(psycopg.errors.InsufficientPrivilege, match="may not verify"):
                with conn.transaction():
                    conn.execute("SELECT jy_begin(%s)", (token,))
                    conn.execute("INSERT INTO event_log (event_id, at, actor, actor_role, from_status, to_status, level) "
                                 "VALUES (%s, now(), 'x', 'village_staff', 'handled', %s, 'village')", (eid, to))


def test_owner_functions_pin_their_search_path_and_use_no_temporary_objects():
    """Every SECURITY DEFINER function of data/functions pins search_path with pg_temp last, and no
    function body creates or names a temporary object."""
    text = "\n".join(p.read_text(encoding="utf-8") for p in db.function_files())
    blocks = re.split(r"(?=CREATE OR REPLACE FUNCTION)", text)
    for b in blocks[1:]:
        head = b.split("AS $function$")[0]
        name = re.match(r"CREATE OR REPLACE FUNCTION (\S+?)\(", b).group(1)
        if "SECURITY DEFINER" in head:
            assert re.search(r"SET search_path TO (.+'pg_temp')\s*$", head, re.M), name
        body = b.split("AS $function$", 1)[1].split("$function$", 1)[0]
        assert not re.search(r"\bTEMP(ORARY)?\s+TABLE\b|\bpg_temp\.", body, re.I), name
