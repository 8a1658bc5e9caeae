"""Migrations apply twice cleanly, and the schema keeps its own rules."""
from __future__ import annotations

import datetime as dt

import psycopg
import pytest

from geo import db
from loaders.reference import load_reference
from tests.fixtures import throwaway_database

CORE_TABLES = {"grids", "staff", "departments", "enforcement_teams", "event_categories", "events",
               "event_log", "chem_sites", "emergency_resources", "county", "dataset_info"}


@pytest.fixture(scope="module")
def fresh_url():
    with throwaway_database("jy_migr") as url:
        yield url


def test_migrations_apply_twice_cleanly(fresh_url):
    first = db.migrate(fresh_url)
    assert first == [p.stem for p in db.migration_files()] + ["functions"]
    assert db.migrate(fresh_url) == []
    with db.connect(fresh_url) as conn:
        n = conn.execute("SELECT count(*) FROM schema_migrations").fetchone()[0]
        tables = {r[0] for r in conn.execute(
            "SELECT table_name FROM information_schema.tables WHERE table_schema = 'public'")}
    assert n == len(first) - 1                     # "functions" is not a migration
    assert CORE_TABLES <= tables


def test_reference_catalogues_load_idempotently(fresh_url):
    db.migrate(fresh_url)
    with db.connect(fresh_url) as conn:
        load_reference(conn)
        load_reference(conn)
        conn.commit()
        deps, teams, powers = conn.execute(
            "SELECT (SELECT count(*) FROM departments), (SELECT count(*) FROM enforcement_teams), "
            "(SELECT sum(penalty_powers) FROM enforcement_teams)").fetchone()
        cats_without_dept = conn.execute(
            "SELECT count(*) FROM event_categories c LEFT JOIN departments d "
            "ON d.code = c.department_code WHERE d.code IS NULL").fetchone()[0]
        classes = {r[0] for r in conn.execute("SELECT DISTINCT class_name FROM event_categories")}
        county_km2 = conn.execute("SELECT ST_Area(geom::geography) / 1e6 FROM county").fetchone()[0]
    assert (deps, teams, powers) == (29, 7, 790)
    assert cats_without_dept == 0
    assert {"安全隐患", "消防隐患", "矛盾纠纷", "违法建设", "环境卫生", "市容秩序", "危险化学品"} <= classes
    # GCJ-02 -> CGCS2000 conversion keeps the area: ~994 km2 for this boundary (official 987.5).
    assert 985 < county_km2 < 1000


def test_every_geometry_column_is_4490_with_a_gist_index(fresh_url):
    db.migrate(fresh_url)
    with db.connect(fresh_url) as conn:
        cols = conn.execute(
            "SELECT f_table_name, f_geometry_column, srid FROM geometry_columns "
            "WHERE f_table_schema = 'public'").fetchall()
        indexed = {(r[0], r[1]) for r in conn.execute("""
            SELECT t.relname, a.attname FROM pg_index i
              JOIN pg_class ix ON ix.oid = i.indexrelid JOIN pg_am am ON am.oid = ix.relam
              JOIN pg_class t ON t.oid = i.indrelid
              JOIN pg_attribute a ON a.attrelid = t.oid AND a.attnum = ANY (i.indkey)
             WHERE am.amname = 'gist'""")}
    assert len(cols) >= 6
    assert {c[2] for c in cols} == {4490}
    assert {(c[0], c[1]) for c in cols} <= indexed


def _square(lon, lat, d=0.01):
    return (f"SRID=4490;MULTIPOLYGON((({lon} {lat},{lon + d} {lat},{lon + d} {lat + d},"
            f"{lon} {lat + d},{lon} {lat})))")


@pytest.mark.parametrize("row, why", [
    (("320281001001", None, 2), "a level-2 grid needs a parent"),
    (("320281001", "320281001", 1), "a town has no parent"),
    (("320281004001", "320281001", 2), "the code must extend the parent's code"),
    (("320281001001001", "320281001", 3), "the level must be the parent's plus one"),
    (("3202810010", "320281001", 2), "a village code has 12 digits"),
])
def test_hierarchy_constraints_refuse_bad_rows(fresh_url, row, why):
    db.migrate(fresh_url)
    with db.connect(fresh_url) as conn:
        conn.execute("INSERT INTO grids (code, level, kind, name, geom) VALUES "
                     "('320281001', 1, 'admin', '澄江街道', %(g)s::geometry)", {"g": _square(120.2, 31.9)})
        code, parent, level = row
        with pytest.raises(psycopg.errors.IntegrityError):
            conn.execute("INSERT INTO grids (code, parent_code, level, kind, name, geom) VALUES "
                         "(%(c)s, %(p)s, %(l)s, 'admin', 'x', %(g)s::geometry)",
                         {"c": code, "p": parent, "l": level, "g": _square(120.2, 31.9, 0.001)})
        conn.rollback()


def test_event_status_follows_the_append_only_log(fresh_url):
    db.migrate(fresh_url)
    with db.connect(fresh_url) as conn:
        load_reference(conn)
        conn.execute("INSERT INTO grids (code, parent_code, level, kind, name, geom) VALUES "
                     "('320281001', NULL, 1, 'admin', 't', %(g)s::geometry), "
                     "('320281001001', '320281001', 2, 'admin', 'v', %(g)s::geometry), "
                     "('320281001001001', '320281001001', 3, 'admin', 'g', %(g)s::geometry)",
                     {"g": _square(120.2, 31.9)})
        now = dt.datetime(2026, 11, 2, 10, tzinfo=dt.timezone.utc)
        eid = conn.execute(
            "INSERT INTO events (category_code, reported_at, due_at, location, grid_code, description) "
            "VALUES ('HW01', %(t)s, %(t)s + interval '1 day', 'SRID=4490;POINT(120.205 31.905)', "
            "'320281001001001', '垃圾乱堆放') RETURNING id", {"t": now}).fetchone()[0]
        conn.execute("INSERT INTO event_log (event_id, at, actor, from_status, to_status) VALUES "
                     "(%(e)s, %(t)s, 'a', NULL, 'reported'), "
                     "(%(e)s, %(t)s + interval '1 hour', 'b', 'reported', 'accepted')",
                     {"e": eid, "t": now})
        assert conn.execute("SELECT status FROM events WHERE id = %(e)s", {"e": eid}).fetchone()[0] == "accepted"
        conn.commit()
        for stmt in ("UPDATE event_log SET note = 'x' WHERE event_id = %(e)s",
                     "DELETE FROM event_log WHERE event_id = %(e)s",
                     "UPDATE events SET status = 'closed', closed_at = now() WHERE id = %(e)s"):
            with pytest.raises(psycopg.Error):
                conn.execute(stmt, {"e": eid})
            conn.rollback()
        with pytest.raises(psycopg.Error):
            conn.execute("TRUNCATE event_log CASCADE")
        conn.rollback()
        with pytest.raises(psycopg.Error):   # a new event must start as reported
            conn.execute(
                "INSERT INTO events (category_code, status, reported_at, due_at, location, grid_code, "
                "description) VALUES ('HW01', 'closed', now(), now(), 'SRID=4490;POINT(120.205 31.905)', "
                "'320281001001001', 'x')")
        conn.rollback()
        assert conn.execute("SELECT count(*) FROM event_log WHERE event_id = %(e)s", {"e": eid}).fetchone()[0] == 2
