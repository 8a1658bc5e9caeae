"""Early warning (铁脚板, issue 32) on a demo clone: an outbreak injected into one quiet grid is found by
the real job (`python -m loaders warn`, role jy_warn) and kept in early_warnings with the events behind
it; the town dispatcher sees it on 调度台 and another town does not; the job's role writes nothing but
its table; the emerging-hot-spot patterns follow their definitions."""
from __future__ import annotations

import datetime as dt
import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import psycopg
import pytest
from streamlit.testing.v1 import AppTest

from geo import db, intake, warning
from geo.worktime import TZ
from tests.fixtures import app_url_for, demo_database, signed_in, viewer

ROOT = Path(__file__).resolve().parent.parent
APP = str(ROOT / "dashboard" / "app.py")


@pytest.fixture(scope="module")
def outbreak():
    """A demo clone with 6 events of 垃圾乱堆放 a day for the last three days (today's before now) at
    random points of one grid that had almost none, then the job run once: (url, grid, event ids, job output)."""
    with demo_database("jy_warn") as url:
        now = dt.datetime.now(TZ)
        rng = np.random.default_rng(5)
        with db.connect(url) as conn:
            grid = conn.execute("""
                SELECT g.code FROM grids g LEFT JOIN events e ON e.grid_code = g.code
                 WHERE g.level = 3 AND g.kind = 'admin' GROUP BY g.code ORDER BY count(e.id), g.code LIMIT 1""").fetchone()[0]
            x0, y0, x1, y1 = conn.execute("SELECT ST_XMin(geom), ST_YMin(geom), ST_XMax(geom), ST_YMax(geom) "
                                          "FROM grids WHERE code = %s", (grid,)).fetchone()
            reports = []
            for day in range(3):
                for i in range(6):
                    while True:
                        x, y = float(rng.uniform(x0, x1)), float(rng.uniform(y0, y1))
                        if conn.execute("SELECT grid_for_point(ST_SetSRID(ST_MakePoint(%s, %s), 4490)) = %s",
                                        (x, y, grid)).fetchone()[0]:
                            break
                    at = now - dt.timedelta(days=day, minutes=5 * (i + 1))
                    reports.append(intake.Report("HW01", f"测试注入 {day}-{i}", 3, x, y, "wgs84", reported_at=at))
            ids = intake.submit(conn, reports, intake.Reporter("test", "system", "预警测试", "test"))
            conn.commit()
        env = {**os.environ, "DATABASE_URL": url}
        job = subprocess.run([sys.executable, "-m", "loaders", "warn"], cwd=ROOT, env=env, capture_output=True,
                             text=True, timeout=300)
        assert job.returncode == 0, job.stderr
        yield url, grid, ids, job.stdout


def test_an_injected_outbreak_is_found_and_kept_with_its_events(outbreak):
    url, grid, ids, out = outbreak
    assert out.startswith("early warnings holding now:"), out
    with psycopg.connect(url) as conn:
        rows = conn.execute("SELECT kind, pattern, level, event_ids, reason FROM early_warnings WHERE grid_code = %s",
                            (grid,)).fetchall()
    assert rows, f"no warning for grid {grid}: {out}"
    kinds = {r[0] for r in rows}
    assert kinds & {"hotspot", "surge"}, rows
    named = set().union(*(set(r[3]) for r in rows))
    assert set(ids[:6]) <= named, rows                  # the events behind it: today's injected ones among them
    hot = [r for r in rows if r[0] == "hotspot"]
    assert all(r[1] in warning.PATTERNS and "环境卫生" in r[4] and set(r[3]) >= set(ids[:6]) for r in hot), hot
    # run again: the same warnings, not new rows
    env = {**os.environ, "DATABASE_URL": url}
    subprocess.run([sys.executable, "-m", "loaders", "warn"], cwd=ROOT, env=env, check=True, capture_output=True,
                   timeout=300)
    with psycopg.connect(url) as conn:
        assert conn.execute("SELECT count(*) FROM early_warnings WHERE grid_code = %s", (grid,)).fetchone()[0] == len(rows)


def test_the_town_dispatcher_sees_it_and_another_town_does_not(outbreak, monkeypatch):
    url, grid, _ids, _ = outbreak
    monkeypatch.setenv("DATABASE_URL", url)
    monkeypatch.setenv("APP_DATABASE_URL", app_url_for(url))
    import streamlit as st
    st.cache_data.clear()
    st.cache_resource.clear()
    with psycopg.connect(url) as conn:
        town, name = conn.execute("SELECT town_code, name FROM grids WHERE code = %s", (grid,)).fetchone()
        other = conn.execute("SELECT min(code) FROM grids WHERE level = 1 AND code <> %s", (town,)).fetchone()[0]
    at = signed_in(AppTest.from_file(APP, default_timeout=90), viewer("dispatcher", town=town))
    at.switch_page("views/dispatch.py")
    at.run()
    assert not at.exception, at.exception
    table = next(d.value for d in at.dataframe if "说明" in d.value.columns)
    assert name in set(table["网格"]) and (table["镇街"] != "").all()
    assert any(e.label.startswith("预警（近7天") for e in at.expander)
    at = signed_in(AppTest.from_file(APP, default_timeout=90), viewer("dispatcher", town=other))
    at.switch_page("views/dispatch.py")
    at.run()
    assert not at.exception, at.exception
    shown = [d.value for d in at.dataframe if "说明" in d.value.columns]
    assert not shown or name not in set(shown[0]["网格"])
    st.cache_data.clear()
    st.cache_resource.clear()          # the pool to this module's database goes with it


def test_the_job_role_writes_nothing_but_its_table_and_the_app_role_sees_nothing_unsigned(outbreak):
    url = outbreak[0]
    with psycopg.connect(url) as conn:
        conn.execute("SET ROLE jy_warn")
        for stmt in ("UPDATE events SET description = 'x' WHERE id = 1", "DELETE FROM event_log WHERE id = 1",
                     "SELECT password_hash FROM app_users LIMIT 1"):
            with pytest.raises(psycopg.errors.InsufficientPrivilege), conn.transaction():
                conn.execute(stmt)
    with psycopg.connect(app_url_for(url)) as conn:
        assert conn.execute("SELECT count(*) FROM early_warnings").fetchone()[0] == 0


@pytest.mark.parametrize("hot, cold, z, pattern", [
    ("00000001", "00000000", [0, 0, 0, 0, 0, 0, 0, 4], "new"),
    ("00000111", "00000000", [0, 0, 0, 0, 0, 3, 3, 3], "consecutive"),
    ("11111111", "00000000", [3, 3.2, 3.4, 3.6, 3.8, 4, 4.2, 4.4], "intensifying"),
    ("11111111", "00000000", [3.4, 3.1, 3.5, 3.2, 3.6, 3.1, 3.4, 3.3], "persistent"),
    ("11111111", "00000000", [4.4, 4.2, 4, 3.8, 3.6, 3.4, 3.2, 3], None),          # diminishing: cooling
    ("01001001", "00000000", [0, 3, 0, 0, 3, 0, 0, 3], "sporadic"),
    ("01000001", "00010000", [0, 3, 0, -3, 0, 0, 0, 3], "oscillating"),
    ("11111110", "00000000", [3, 3, 3, 3, 3, 3, 3, 0], None),                       # not hot now
])
def test_emerging_hot_spot_patterns(hot, cold, z, pattern):
    as_bool = [np.array([c == "1" for c in s]) for s in (hot, cold)]
    assert warning.classify(np.array(z, dtype=float), *as_bool)[0] == pattern
