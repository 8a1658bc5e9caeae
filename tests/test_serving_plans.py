"""Serving connections plan every query for its own values (geo/db.configure_serving).

psycopg prepares a statement on its fifth run on a connection; PostgreSQL may then use a generic plan,
blind to the scope filters (`%(scope_town)s IS NULL OR town_code = …`): 一张图's patrol coverage took
18–20 s instead of 60 ms from its sixth run on a pooled connection (bench/views.py, auto_explain,
2026-12-03). These tests look at what PostgreSQL records, not at the clock."""
from __future__ import annotations

from geo import access, db, onemap, overview
from geo.access import Viewer
from geo.scope import Scope
from tests.fixtures import app_url_for, with_session


def test_every_serving_pool_forces_custom_plans_and_no_jit(demo_url):
    pool = db.make_pool(app_url_for(demo_url), max_size=1)
    try:
        with pool.connection() as conn:
            row = conn.execute("SELECT current_setting('plan_cache_mode') AS mode, current_setting('jit') AS jit").fetchone()
    finally:
        pool.close()
    assert row == {"mode": "force_custom_plan", "jit": "off"}


def test_a_scoped_query_run_again_and_again_never_gets_a_generic_plan(demo_url):
    """Run the coverage and city-figure queries ten times on one pooled connection, as the city and as a
    town: psycopg prepares them (server-side statements), and PostgreSQL never built a generic plan."""
    pool = db.make_pool(app_url_for(demo_url), max_size=1)
    try:
        city = access.ScopedPool(pool, with_session(demo_url, Viewer("t.plans.city", "测试", "city_commander")))
        town = access.ScopedPool(pool, with_session(demo_url, Viewer("t.plans.town", "测试", "town_leader", "320281004")))
        for _ in range(10):
            onemap.coverage(city, Scope.city())
            onemap.coverage(town, Scope(town="320281004"))
            overview.area_figures(city, Scope.city())
        with pool.connection() as conn:
            stmts = conn.execute("SELECT statement, generic_plans, custom_plans FROM pg_prepared_statements").fetchall()
    finally:
        pool.close()
    coverage = [s for s in stmts if "Patrol coverage" in s["statement"]]
    assert coverage, "psycopg prepared the coverage query (it ran 20 times on one connection)"
    assert sum(s["custom_plans"] for s in stmts) > 0
    assert all(s["generic_plans"] == 0 for s in stmts), [(s["statement"][:60], s["generic_plans"]) for s in stmts]
