"""Backups that restore (issue 19, item 7): WAL archiving, `python -m loaders backup`, and
`python -m loaders restore --to TIME` into a new cluster holding exactly what was committed by then.

A cluster of the test's own (tests/clusters.py), archiving into a temporary JY_BACKUP_DIR, is set up
the way ./run.sh sets up the local one: `loaders archiving`, then a restart.
"""
from __future__ import annotations

import datetime as dt
import re
import tempfile
import time
from pathlib import Path

import psycopg
import pytest

from geo import db
from geo.intake import Report
from tests.clusters import load_small_demo, own_cluster
from tests.fixtures import _admin_url, report_events
from tests.server import free_port


def report(url: str, tag: str, n: int) -> list[int]:
    with db.connect(url) as conn:
        lon, lat = conn.execute("SELECT ST_X(p), ST_Y(p) FROM (SELECT ST_PointOnSurface(geom) p FROM grids "
                                "WHERE level = 3 ORDER BY code LIMIT 1) s").fetchone()
        ids = report_events(conn, [Report("SR01", f"备份测试{tag}{i}", 3, lon, lat) for i in range(n)])
        conn.commit()
    return ids


def archive_now(url: str) -> None:
    """Close the current WAL segment and wait until the server has archived it (what archive_timeout
    does within a minute on its own)."""
    with psycopg.connect(url, autocommit=True) as c:
        seg = c.execute("SELECT pg_walfile_name(pg_switch_wal())").fetchone()[0]
        deadline = time.monotonic() + 60
        while (c.execute("SELECT coalesce(last_archived_wal, '') FROM pg_stat_archiver").fetchone()[0] or "") < seg:
            assert time.monotonic() < deadline, "the server did not archive the segment"
            time.sleep(0.2)


def restored_url(out: str) -> str:
    m = re.search(r"^DATABASE_URL=(\S+)$", out, re.M)
    assert m, out
    return m.group(1)


@pytest.fixture(scope="module")
def archived():
    with own_cluster("jy-backup-") as cluster, tempfile.TemporaryDirectory(prefix="jy-backups-") as backups:
        env = {"JY_BACKUP_DIR": backups}
        first = cluster.loaders("archiving", env=env)
        assert "restart needed" in first.stdout
        cluster.restart()
        assert "restart needed" not in cluster.loaders("archiving", env=env).stdout
        load_small_demo(cluster.url)
        yield cluster, env, Path(backups)


@pytest.mark.timeout(900)
def test_restore_to_a_moment_brings_back_exactly_what_was_committed_by_then(archived):
    cluster, env, backups = archived
    before_backup = report(cluster.url, "甲", 5)
    out = cluster.loaders("backup", env=env).stdout
    assert "base backup" in out and "restorable to any moment from" in out
    after_backup = report(cluster.url, "乙", 7)
    with psycopg.connect(cluster.url) as c:
        moment = c.execute("SELECT clock_timestamp()").fetchone()[0]
        committed = {r[0] for r in c.execute("SELECT id FROM events").fetchall()}
        log_rows = c.execute("SELECT count(*) FROM event_log").fetchone()[0]
    time.sleep(0.5)
    too_late = report(cluster.url, "丙", 3)
    archive_now(cluster.url)

    port = free_port()
    r = cluster.loaders("restore", "--to", moment.isoformat(), "--port", str(port), env=env)
    url = restored_url(r.stdout)
    data_dir = Path(re.search(r"into (\S+), port", r.stdout).group(1))
    try:
        with psycopg.connect(url) as c:
            ids = {row[0] for row in c.execute("SELECT id FROM events").fetchall()}
            assert not c.execute("SELECT pg_is_in_recovery()").fetchone()[0]     # promoted: a usable cluster
            assert c.execute("SELECT count(*) FROM event_log").fetchone()[0] == log_rows
        assert ids == committed                       # exactly: everything before, nothing after
        assert set(before_backup) | set(after_backup) <= ids
        assert not set(too_late) & ids
        # The restored database is a whole product database: the loaders work on it.
        verify = cluster.loaders("audit-verify", env={**env, "DATABASE_URL": url})
        assert "audit chain intact" in verify.stdout
        # The original is untouched and still archiving.
        with psycopg.connect(cluster.url) as c:
            assert set(too_late) <= {row[0] for row in c.execute("SELECT id FROM events").fetchall()}
    finally:
        cluster.loaders("restore", "--stop", str(data_dir), env=env)


def test_restore_explains_what_it_cannot_do(archived):
    cluster, env, backups = archived
    if not list((backups / "base").glob("*/backup.json")):
        cluster.loaders("backup", env=env)
    bad = cluster.loaders("restore", "--to", "yesterday", env=env, check=False)
    assert bad.returncode == 2 and "is not a time" in bad.stderr and "Traceback" not in bad.stderr
    early = cluster.loaders("restore", "--to", "2020-01-01 00:00:00", env=env, check=False)
    assert early.returncode == 2 and "no base backup" in early.stderr and "finished before" in early.stderr
    future = (dt.datetime.now(dt.timezone.utc) + dt.timedelta(days=1)).isoformat()
    later = cluster.loaders("restore", "--to", future, env=env, check=False)
    assert later.returncode == 2 and "in the future" in later.stderr
    busy = Path(tempfile.mkdtemp(prefix="jy-busy-"))
    (busy / "something").write_text("x")
    now = dt.datetime.now(dt.timezone.utc).isoformat()
    taken = cluster.loaders("restore", "--to", now, "--into", str(busy), env=env, check=False)
    assert taken.returncode == 2 and "is not empty" in taken.stderr
    # After the last archived commit: the server says how far the archive goes, and we pass it on.
    report(cluster.url, "丁", 1)
    past_archive = dt.datetime.now(dt.timezone.utc).isoformat()
    time.sleep(0.3)
    gone = cluster.loaders("restore", "--to", past_archive, env=env, check=False)
    # Either archive_timeout has archived it already (then it restores), or the message says why not.
    if gone.returncode == 0:
        cluster.loaders("restore", "--stop", re.search(r"into (\S+), port", gone.stdout).group(1), env=env)
    else:
        assert gone.returncode == 2 and "ends before" in gone.stderr and "Traceback" not in gone.stderr


def test_retention_keeps_the_newest_backups_and_their_wal(archived):
    cluster, env, backups = archived
    keep = {**env, "JY_BACKUP_KEEP": "1"}
    cluster.loaders("backup", env=keep)
    report(cluster.url, "戊", 2)
    archive_now(cluster.url)
    newest = cluster.loaders("backup", env=keep).stdout
    assert "kept 1 base backup(s)" in newest
    kept = sorted((backups / "base").glob("*/backup.json"))
    assert len(kept) == 1
    import json
    first_wal = json.loads(kept[0].read_text())["wal_start"]
    segments = sorted(p.name for p in (backups / "wal").iterdir() if re.fullmatch(r"[0-9A-F]{24}", p.name))
    assert segments and segments[0] >= first_wal       # nothing older than the oldest backup needs


def test_the_suite_cluster_archives_as_run_sh_set_it_up():
    """./test.sh set the shared cluster up through scripts/setup.sh, as ./run.sh does: archiving is on."""
    with psycopg.connect(_admin_url()) as c:
        mode, command = c.execute("SELECT current_setting('archive_mode'), current_setting('archive_command')").fetchone()
    assert mode == "on" and "/wal/%f" in command
