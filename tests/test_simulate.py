"""The live demo feed (`python -m loaders simulate`) for 32 s (each terminal's first fix comes within
30 s) against the real API on a demo database: the wall's 今日上报 moves by exactly the events it
reported, everything it wrote is demo data, its events went along the workflow, and every log chain
is whole (each step starts where the last ended, and the last is the event's status)."""
from __future__ import annotations

import os
import subprocess
import sys

import psycopg

from geo import db, overview
from geo.scope import Scope
from tests.fixtures import demo_database
from tests.server import ROOT, api_server


def speed_for_one_report_a_second() -> int:
    """The feed reports at the hour's share of a day's reports times its speed-up (loaders.simulate):
    at 02:00 a fixed speed-up of 3,000 gave 0.4 reports/s and the run ~12 (9 in one CI run at 02:10),
    at 09:00 17/s. The speed-up that gives about one report a second now, whatever the hour."""
    import datetime as dt

    from geo.worktime import TZ
    from loaders.simulate import HOURLY, REPORTS_PER_DAY
    return max(1, round(3600 / (REPORTS_PER_DAY * HOURLY[dt.datetime.now(TZ).hour])))


def test_the_feed_moves_the_wall_and_keeps_every_chain():
    with demo_database("jy_feed") as url, api_server(url) as api:
        with db.connect(url) as conn:
            before = overview.kpis(conn, Scope.city()).reports_today
            first_new = conn.execute("SELECT max(id) FROM events").fetchone()[0]
            started = conn.execute("SELECT now()").fetchone()[0]     # the demo holds today's tracks already
        env = {**os.environ, "DATABASE_URL": url}
        out = subprocess.run([sys.executable, "-m", "loaders", "simulate", "--api", api, "--duration", "32",
                              "--speed", str(speed_for_one_report_a_second()), "--workers", "20"], cwd=ROOT, env=env, capture_output=True,
                             text=True, timeout=300)
        assert out.returncode == 0, out.stderr
        assert "errors 0" in out.stdout, out.stdout + out.stderr
        with psycopg.connect(url) as conn:
            new = conn.execute("SELECT count(*), count(*) FILTER (WHERE is_demo), "
                               "count(*) FILTER (WHERE status <> 'reported') FROM events WHERE id > %s",
                               (first_new,)).fetchone()
            after = overview.kpis(conn, Scope.city()).reports_today
            broken = conn.execute("""
                WITH l AS (SELECT event_id, from_status, to_status,
                                  lag(to_status) OVER (PARTITION BY event_id ORDER BY at, id) AS prev,
                                  row_number() OVER (PARTITION BY event_id ORDER BY at DESC, id DESC) AS back
                             FROM event_log WHERE event_id > %(f)s)
                SELECT count(*) FROM l JOIN events e ON e.id = l.event_id
                 WHERE l.from_status IS DISTINCT FROM l.prev OR (l.back = 1 AND l.to_status <> e.status)""",
                                  {"f": first_new}).fetchone()[0]
            photos = conn.execute("SELECT count(*) FILTER (WHERE is_demo), count(*) FROM event_photos").fetchone()
            fixes = conn.execute("SELECT count(DISTINCT staff_id) FROM staff_positions WHERE received_at >= %s",
                                 (started,)).fetchone()[0]
    reported, demo, moved = new
    assert reported >= 10 and demo == reported, new
    assert after - before == reported, "今日上报 counts exactly the feed's reports"
    assert moved > 0, "dispatch rules and terminals moved the feed's events along"
    assert broken == 0
    assert photos[0] == photos[1] >= reported
    assert fixes == 20
