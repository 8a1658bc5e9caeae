"""The schema in one place: data/schema.sql is what a fresh migrate makes, every function's live body
is written in exactly one .sql file, and the live text is re-applied as a whole when it changes."""
from __future__ import annotations

import psycopg
import pytest

from geo import db
from geo.errors import DataUnavailable
from tests.fixtures import throwaway_database

# Generated or not ours: the dump itself, and vendored packages.
NOT_SOURCE = ("data/schema.sql",)
SKIP_DIRS = {".venv", "node_modules", "tests", ".git", ".pgdata", ".local", "artifacts"}


@pytest.fixture(scope="module")
def fresh_url():
    with throwaway_database("jy_schema") as url:
        db.migrate(url)
        yield url


def sql_sources() -> dict[str, str]:
    out = {}
    for path in db.ROOT.rglob("*.sql"):
        rel = path.relative_to(db.ROOT)
        if rel.parts[0] in SKIP_DIRS or str(rel) in NOT_SOURCE:
            continue
        out[str(rel)] = path.read_text(encoding="utf-8")
    return out


def test_schema_sql_is_what_a_fresh_migrate_makes(fresh_url):
    written = db.SCHEMA_FILE.read_text(encoding="utf-8")
    made = db.schema_dump(fresh_url)
    assert made == written, "data/schema.sql is out of date: run `python -m loaders schema --write`"


def test_every_owned_function_body_is_in_exactly_one_sql_file(fresh_url):
    with psycopg.connect(fresh_url) as conn:
        funcs = conn.execute("""
            SELECT p.oid::regprocedure::text, p.prosrc FROM pg_proc p
             WHERE p.pronamespace = 'public'::regnamespace AND p.proowner = current_user::regrole
               AND NOT EXISTS (SELECT 1 FROM pg_depend d WHERE d.classid = 'pg_proc'::regclass
                                  AND d.objid = p.oid AND d.deptype = 'e')""").fetchall()
    sources = sql_sources()
    assert len(funcs) > 50
    wrong = {}
    for sig, body in funcs:
        where = [name for name, text in sources.items() if body in text]
        if len(where) != 1:
            wrong[sig] = where
    assert not wrong, wrong
    # and no migration defines or rewrites a function body
    for name, text in sources.items():
        if name.startswith("data/migrations/"):
            assert "CREATE OR REPLACE FUNCTION" not in text.upper() and "REGEXP_REPLACE(PG_GET_FUNCTIONDEF" not in text.upper(), name


def test_the_live_text_applies_again_to_the_same_schema(fresh_url):
    before = db.schema_dump(fresh_url)
    with db.connect(fresh_url, autocommit=True) as conn:
        assert db.apply_functions(conn) is False          # unchanged: nothing to do
        assert db.apply_functions(conn, force=True) is True
    assert db.schema_dump(fresh_url) == before


def test_a_database_of_the_old_migrations_takes_the_baseline_as_applied():
    """A database that migrations 001..031 made holds the baseline's tables: it is recorded, not run
    again; one that stopped earlier is told what to do."""
    baseline = db.migration_files()[0].read_text(encoding="utf-8")
    with throwaway_database("jy_legacy") as url:
        with db.connect(url, autocommit=True) as conn:
            conn.execute(baseline)
            conn.execute("CREATE TABLE schema_migrations (version text PRIMARY KEY, checksum text NOT NULL, "
                         "applied_at timestamptz NOT NULL DEFAULT now())")
            conn.execute("INSERT INTO schema_migrations (version, checksum) "
                         "SELECT format('%s_old', lpad(n::text, 3, '0')), 'x' FROM generate_series(1, 30) n")
        with pytest.raises(DataUnavailable, match="stops at migration 030_old"):
            db.migrate(url)
        with db.connect(url, autocommit=True) as conn:
            conn.execute("INSERT INTO schema_migrations (version, checksum) VALUES ('031_one_map', 'x')")
        assert db.migrate(url) == [p.stem for p in db.migration_files()[1:]] + ["functions"]
        with db.connect(url) as conn:
            assert conn.execute("SELECT count(*) FROM schema_migrations WHERE version = '000_baseline'").fetchone()[0] == 1
        assert db.migrate(url) == []
