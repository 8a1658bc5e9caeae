"""pytest fixtures for the suite (the helpers they use, and that tests import: tests/fixtures.py)."""
from __future__ import annotations

import pytest

from tests.fixtures import app_url_for, demo_database


@pytest.fixture(scope="session")
def demo_url():
    """A database with migrations, reference data and a small demo load (ending now). Tests that
    only read use it; tests that write events use work_url, so the checks here stay exact."""
    with demo_database("jy_demo") as url:
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
