"""Event imports into a database that already has history, while the county works (issue 30): other
sessions read and act during the import's transaction; SIGTERM stops a 200,000-row import with
nothing written; Excel's "CSV UTF-8" whose first megabyte ends inside a Chinese character loads."""
from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading

import psycopg
import pytest

from geo import access, db
from geo.scope import Scope
from geo.workflow import act
from loaders.importer import events
from tests.fixtures import app_url_for, scope_viewer
from tests.samplefiles import terminal_export
from tests.server import ROOT


@pytest.fixture(scope="module")
def live_url(demo_url):
    """A copy of the demo (its history included) that these tests import into."""
    from tests.fixtures import demo_database

    with demo_database("jy_live") as url:
        yield url


def _count(url: str) -> tuple[int, int]:
    with psycopg.connect(url) as c:
        return c.execute("SELECT (SELECT count(*) FROM events), (SELECT count(*) FROM event_log)").fetchone()


def test_other_sessions_read_and_act_while_an_import_is_open(live_url, tmp_path):
    """At the moment the import's rows are written and its transaction is still open, a dispatcher's
    session reads events and moves an event on, each under a 2-second lock timeout: nothing the
    import holds stops them (it once dropped the tables' indexes and locked every reader out)."""
    with psycopg.connect(live_url) as c:
        path = terminal_export(c, tmp_path / "export.csv", 3_000, seed=30, start="2026-10-01 08:00")
        eid, version = c.execute("SELECT id, version FROM events WHERE status = 'reported' AND NOT is_drill "
                                 "ORDER BY id LIMIT 1").fetchone()
    before = _count(live_url)
    dispatcher = scope_viewer(live_url, Scope(), role="dispatcher")
    pool = db.make_pool(app_url_for(live_url), max_size=2)
    seen: dict = {}

    def meanwhile(rows: int, stage: str) -> None:
        if stage != "written":
            return
        with access.ScopedPool(pool, dispatcher).connection() as other:
            other.execute("SET LOCAL lock_timeout = '2s'")
            seen["read"] = other.execute("SELECT count(*) AS n FROM events").fetchone()["n"]
            seen["acted"] = act(other, eid, "accept", dispatcher.actor(), expected_version=version)["status"]
    try:
        with db.connect(live_url) as conn:
            res = events.load(conn, path, datum="gcj02", progress=meanwhile)
            conn.commit()
    finally:
        pool.close()
    assert not res.refused and res.inserted == 3_000
    assert seen == {"read": before[0], "acted": "accepted"}, seen      # the other session saw the committed rows only
    assert _count(live_url)[0] == before[0] + 3_000


def test_sigterm_stops_a_large_import_with_nothing_written(live_url, tmp_path):
    """A 200,000-row export as the CLI loads it; SIGTERM once its rows are being written: the process
    ends (the running statement cancelled, the transaction rolled back) and nothing is in the database."""
    with psycopg.connect(live_url) as c:
        path = terminal_export(c, tmp_path / "big.csv", 200_000, seed=31, start="2026-09-01 08:00")
    before = _count(live_url)
    proc = subprocess.Popen([sys.executable, "-m", "loaders", "events", str(path), "--crs", "gcj02"], cwd=ROOT,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            env={**os.environ, "DATABASE_URL": live_url})
    writing = threading.Event()
    err = bytearray()

    def watch():            # the progress bar (tqdm, carriage returns) on stderr
        assert proc.stderr is not None
        while chunk := proc.stderr.read1(4096):
            err.extend(chunk)
            if b"checking and staging" in err:
                writing.set()
    reader = threading.Thread(target=watch, daemon=True)
    reader.start()
    assert writing.wait(timeout=240), err.decode(errors="replace")[-2000:]
    proc.send_signal(signal.SIGTERM)
    try:
        code = proc.wait(timeout=5)          # the bound: the import stops within 5 s
    finally:
        proc.kill()
    reader.join(timeout=10)
    assert code == 130, err.decode(errors="replace")[-2000:]
    assert "interrupted: nothing loaded" in err.decode()
    assert _count(live_url) == before
    with psycopg.connect(live_url) as c:
        assert c.execute("SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() "
                         "AND state = 'active' AND pid <> pg_backend_pid()").fetchone()[0] == 0


def test_a_bom_file_cut_inside_a_character_at_one_megabyte_loads(live_url, tmp_path):
    """Excel's "CSV UTF-8" (a BOM, then UTF-8) of over 1 MB whose first megabyte — the encoding
    sample — ends inside a three-byte Chinese character: it is UTF-8, and every row loads."""
    with psycopg.connect(live_url) as c:
        path = terminal_export(c, tmp_path / "cut.csv", 14_000, seed=32, start="2026-08-01 08:00")
    data = path.read_bytes()
    assert data.startswith(b"\xef\xbb\xbf") and len(data) > events.SNIFF_BYTES
    for pad in range(200):      # shift the rows until the cut falls inside a character
        body = data.replace("终端上报事件0\r\n".encode(), ("终端上报事件0" + "x" * pad + "\r\n").encode(), 1) \
            if b"\r\n" in data else data.replace("终端上报事件0\n".encode(), ("终端上报事件0" + "x" * pad + "\n").encode(), 1)
        head = body[:events.SNIFF_BYTES]
        try:
            head.decode("utf-8-sig")
        except UnicodeDecodeError as exc:
            if exc.reason == "unexpected end of data":     # the sample's last character is cut
                break
    else:
        pytest.fail("no padding put the cut inside a character")
    path.write_bytes(body)
    assert events._sniff_encoding(path) == "utf-8-sig"
    before = _count(live_url)
    with db.connect(live_url) as conn:
        res = events.load(conn, path, datum="gcj02")
        conn.commit()
    assert not res.refused and res.inserted == 14_000
    assert _count(live_url)[0] == before[0] + 14_000
