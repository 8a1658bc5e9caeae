"""Read replica: a second local cluster, a streaming hot standby of the test primary. The views
read from it; when it lags beyond the threshold or is down they fall back to the primary and say so."""
from __future__ import annotations

import glob
import os
import shutil
import subprocess
import tempfile
import time
from pathlib import Path

import psycopg
import pytest
import streamlit as st
from psycopg.conninfo import conninfo_to_dict, make_conninfo
from streamlit.testing.v1 import AppTest

from geo import auth, db
from tests.fixtures import app_url_for, signed_in, viewer, with_session
from tests.server import free_port

APP = str(Path(__file__).resolve().parent.parent / "dashboard" / "app.py")


def pg_bin(name: str) -> str:
    found = sorted(glob.glob(f"/usr/lib/postgresql/*/bin/{name}"))
    path = found[-1] if found else shutil.which(name)
    if not path:
        raise RuntimeError(f"{name} not found: PostgreSQL server packages are required (./test.sh installs them)")
    return path


def as_owner(cmd: list[str]) -> list[str]:
    return ["runuser", "-u", "postgres", "--", *cmd] if os.geteuid() == 0 else cmd


@pytest.fixture(scope="module")
def standby(work_url):
    """(replica URL for the work database, data dir): a hot standby of the primary, streaming."""
    primary = conninfo_to_dict(work_url)
    port = free_port()
    data_dir = Path(tempfile.mkdtemp(prefix="jy-standby-"))
    if os.geteuid() == 0:
        shutil.chown(data_dir, "postgres", "postgres")
    src = make_conninfo(host=primary.get("host", "localhost"), port=primary.get("port", "5432"),
                        user=primary["user"], password=primary.get("password", ""))
    subprocess.run(as_owner([pg_bin("pg_basebackup"), "-d", src, "-D", str(data_dir), "-R", "-X", "stream",
                             "-c", "fast"]), check=True, timeout=600)
    with open(data_dir / "postgresql.auto.conf", "a") as fh:
        fh.write(f"port = {port}\nhot_standby = on\n")
    log = data_dir / "standby.log"
    subprocess.run(as_owner([pg_bin("pg_ctl"), "-D", str(data_dir), "-l", str(log), "-w", "-t", "120", "start"]),
                   check=True, timeout=180)
    url = make_conninfo(work_url, port=str(port))
    deadline = time.monotonic() + 60
    while True:
        try:
            with psycopg.connect(url, connect_timeout=3) as c:
                if c.execute("SELECT pg_is_in_recovery()").fetchone()[0]:
                    break
        except psycopg.OperationalError:
            pass
        if time.monotonic() > deadline:
            raise RuntimeError("standby did not come up: " + log.read_text()[-2000:])
        time.sleep(0.5)
    yield url, data_dir
    subprocess.run(as_owner([pg_bin("pg_ctl"), "-D", str(data_dir), "-m", "immediate", "stop"]), timeout=60)
    shutil.rmtree(data_dir, ignore_errors=True)


def open_count(url: str) -> int:
    with psycopg.connect(url) as c:
        return c.execute("SELECT count(*) FROM events WHERE status NOT IN ('closed', 'rejected') AND NOT is_drill").fetchone()[0]


def run_city(monkeypatch, primary: str, replica: str, max_lag: str, who) -> AppTest:
    monkeypatch.setenv("DATABASE_URL", primary)
    monkeypatch.setenv("APP_DATABASE_URL", app_url_for(primary))
    monkeypatch.setenv("DATABASE_REPLICA_URL", app_url_for(replica))
    monkeypatch.setenv("JY_REPLICA_MAX_LAG_S", max_lag)
    st.cache_data.clear()
    st.cache_resource.clear()
    at = signed_in(AppTest.from_file(APP, default_timeout=90), who).run()
    assert not at.exception, at.exception
    return at


def shown_open(at) -> str:
    return next(m.value for m in at.metric if m.label == "在办事件")


def captions(at) -> str:
    return "\n".join(c.value for c in at.caption)


def wait_caught_up(replica: str, primary: str, timeout: float = 30) -> None:
    deadline = time.monotonic() + timeout
    while open_count(replica) != open_count(primary):
        if time.monotonic() > deadline:
            raise AssertionError("standby did not catch up")
        time.sleep(0.3)


def test_views_read_from_the_replica_and_fall_back(standby, work_url, monkeypatch):
    replica, data_dir = standby
    who = with_session(work_url, viewer())      # signed in before the replica stops replaying
    wait_caught_up(replica, work_url)
    with psycopg.connect(replica) as c:         # the session has reached the replica
        deadline = time.monotonic() + 30
        while not c.execute("SELECT count(*) FROM app_sessions WHERE token_hash = %s",
                            (auth.token_hash(who.token),)).fetchone()[0]:
            assert time.monotonic() < deadline
            time.sleep(0.3)
    with psycopg.connect(replica, autocommit=True) as c:
        c.execute("SELECT pg_wal_replay_pause()")
    try:
        # A new event on the primary that the paused replica has not replayed.
        from geo.intake import Report
        from tests.fixtures import report_events
        with db.connect(work_url) as conn:
            lon, lat = conn.execute("SELECT ST_X(p), ST_Y(p) FROM (SELECT ST_PointOnSurface(geom) p FROM grids "
                                    "WHERE code = '320281001001001') s").fetchone()
            report_events(conn, [Report("HW01", "副本测试", 3, lon, lat)])
        assert open_count(work_url) == open_count(replica) + 1

        at = run_city(monkeypatch, work_url, replica, "3600", who)
        assert shown_open(at) == f"{open_count(replica):,}"          # read from the replica
        assert "数据来源：只读副本" in captions(at)

        with psycopg.connect(replica, autocommit=True) as c:     # wait until the paused replica is 0.5 s behind (not a fixed sleep)
            deadline = time.monotonic() + 30
            while float(c.execute(db.REPLICA_LAG_SQL).fetchone()[1] or 0) <= 0.6:
                assert time.monotonic() < deadline, "the paused replica never fell behind"
                time.sleep(0.1)
        at = run_city(monkeypatch, work_url, replica, "0.5", who)           # now it lags too much
        assert shown_open(at) == f"{open_count(work_url):,}"         # read from the primary
        assert "已改由主库读取" in captions(at)
    finally:
        with psycopg.connect(replica, autocommit=True) as c:
            c.execute("SELECT pg_wal_replay_resume()")
    wait_caught_up(replica, work_url)
    at = run_city(monkeypatch, work_url, replica, "30", who)
    assert "数据来源：只读副本" in captions(at)

    # The replica goes down: the views keep working from the primary and say so.
    subprocess.run(as_owner([pg_bin("pg_ctl"), "-D", str(data_dir), "-m", "immediate", "stop"]), check=True)
    at = run_city(monkeypatch, work_url, replica, "30", who)
    assert shown_open(at) == f"{open_count(work_url):,}"
    assert "已改由主库读取" in captions(at)
    st.cache_resource.clear()
