"""pytest fixtures for the suite (the helpers they use, and that tests import: tests/fixtures.py)."""
from __future__ import annotations

import pytest

from tests.fixtures import app_url_for, demo_database


@pytest.fixture(scope="session")
def demo_url():
    """A database with migrations, reference data and a small demo load (ending now). Tests that
    only read use it; tests that write events use work_url, so the checks here stay exact."""
    with demo_database("jy_demo") as url:
        import psycopg
        with psycopg.connect(url) as conn:
            # the demo's fixes end at the load's hour: 在线 (a fix within 5 minutes) would flip for
            # everyone 5 minutes after it while a page and SQL are compared
            conn.execute("UPDATE staff SET location_at = now() - interval '2 hours'")
        yield url


@pytest.fixture(scope="session")
def work_url():
    """The same demo data in a database of its own, for tests that report and move events."""
    with demo_database("jy_work") as url:
        yield url


@pytest.fixture(scope="session")
def demo_pool(demo_url):
    from geo import db

    pool = db.make_pool(demo_url, max_size=4)
    yield pool
    pool.close()


@pytest.fixture(scope="session")
def app_pool(demo_url):
    """The app role's pool (jy_app, row-level security) on the demo database; tests on work_url
    define their own."""
    from geo import db

    pool = db.make_pool(app_url_for(demo_url), max_size=3)
    yield pool
    pool.close()


@pytest.fixture()
def work_conn(work_url):
    """A connection to the database that tests may write to."""
    from geo import db

    with db.connect(work_url) as conn:
        yield conn


@pytest.fixture()
def demo_conn(demo_url):
    from geo import db

    with db.connect(demo_url) as conn:
        yield conn
        conn.rollback()


@pytest.fixture()
def app_db(demo_url, monkeypatch):
    """DATABASE_URL and APP_DATABASE_URL for AppTest runs (same process), with Streamlit's caches
    emptied around each."""
    import streamlit as st

    monkeypatch.setenv("DATABASE_URL", demo_url)
    monkeypatch.setenv("APP_DATABASE_URL", app_url_for(demo_url))
    st.cache_data.clear()
    st.cache_resource.clear()
    yield demo_url
    st.cache_data.clear()
    st.cache_resource.clear()


# ---------------------------------------------------------------------------------------- servers
# Started once per pytest process, on first use, for the tests that only read or that work on
# work_url anyway; a test that needs its own settings or state starts its own (tests/server.py).
@pytest.fixture(scope="session")
def demo_server(demo_url):
    """The dashboard on demo_url (the wall refreshing every 3 s, as test_browser_wall checks)."""
    from tests.server import ROOT, streamlit_server

    (ROOT / "artifacts").mkdir(exist_ok=True)
    with streamlit_server(demo_url, extra_env={"JY_WALL_REFRESH_S": "3"}) as url:
        yield url


@pytest.fixture(scope="session")
def work_server(work_url):
    """The dashboard on work_url."""
    from tests.server import ROOT, streamlit_server

    (ROOT / "artifacts").mkdir(exist_ok=True)
    with streamlit_server(work_url) as url:
        yield url


@pytest.fixture(scope="session")
def work_api(work_url):
    """The HTTP API on work_url."""
    from tests.server import api_server

    with api_server(work_url) as url:
        yield url


@pytest.fixture(scope="session", autouse=True)
def _one_browser_per_session():
    """The process's Chromium (tests/browser.py starts it on first use) closes with the session."""
    yield
    from tests.browser import close_browser
    close_browser()


def pytest_configure(config):
    if not hasattr(config, "workerinput"):
        from tests.fixtures import run_id
        run_id()


def pytest_sessionfinish(session, exitstatus):
    """The run's controller (not an xdist worker) drops the demo template after every worker ended."""
    if hasattr(session.config, "workerinput"):
        return
    from tests.fixtures import ADMIN_URL, drop_template
    if ADMIN_URL:
        drop_template()
