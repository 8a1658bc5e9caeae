"""Deadlines fit for emergencies, escalation spacing, drills outside every statistic, intake in
the user's own area, and analyses that see across a town line (issue 12)."""
from __future__ import annotations

import datetime as dt
import subprocess
import sys
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from geo import db, deadlines, overview, worktime
from geo.access import ScopedPool
from geo.hazards import analysis, plume
from geo.intake import IntakeRefused, Report
from geo.scope import Scope
from geo.workflow import Actor, act
from geo.worktime import TZ
from tests.fixtures import app_url_for, point_in, report_events, scope_viewer, signed_in, viewer

ROOT = Path(__file__).resolve().parent.parent
APP = str(ROOT / "dashboard" / "app.py")
SATURDAY = dt.datetime(2026, 11, 28, 13, 54, tzinfo=TZ)


def test_teji_is_due_within_24_hours_for_every_category(demo_conn):
    """特急 reported on a Saturday afternoon: due that weekend, never more than 24 h later, for
    every category; 紧急 counts calendar hours too; 一般 keeps office hours."""
    cats = demo_conn.execute("SELECT code, limit_value, limit_unit FROM event_categories").fetchall()
    assert len(cats) == 51
    for code, value, unit in cats:
        due = worktime.due_at(SATURDAY, float(value), unit, 1)
        assert SATURDAY < due <= SATURDAY + dt.timedelta(hours=24), (code, due)
        urgent = worktime.due_at(SATURDAY, float(value), unit, 2)
        assert urgent <= SATURDAY + dt.timedelta(hours=72), (code, urgent)
        assert urgent == SATURDAY + dt.timedelta(hours=min(float(value) * (24 if unit == "work_days" else 1) * 0.5, 72))
    # a normal case reported on Saturday starts counting on Monday morning
    assert worktime.due_at(SATURDAY, 2, "work_hours", 3) == dt.datetime(2026, 11, 30, 10, 30, tzinfo=TZ)


def test_cli_import_of_a_saturday_teji_row_is_due_within_24_hours(work_url, work_conn, tmp_path):
    grid = work_conn.execute("SELECT code FROM grids WHERE level = 3 AND kind = 'admin' ORDER BY code LIMIT 1").fetchone()[0]
    lon, lat = point_in(work_conn, grid)
    cats = [r[0] for r in work_conn.execute("SELECT code FROM event_categories ORDER BY code")]
    rows = ["类别编码,描述,紧急程度,经度,纬度,上报时间"]
    rows += [f"{c},周六特急测试{c},特急,{lon},{lat},2026-11-28 13:54" for c in cats]
    f = tmp_path / "saturday.csv"
    f.write_text("\n".join(rows) + "\n", encoding="utf-8")
    out = subprocess.run([sys.executable, "-m", "loaders", "events", str(f), "--crs", "EPSG:4490"], cwd=ROOT, capture_output=True,
                         text=True, env={"DATABASE_URL": work_url, "PATH": "/usr/bin:/bin"}, timeout=300)
    assert out.returncode == 0, out.stdout + out.stderr
    worst = work_conn.execute("""
        SELECT count(*), max(due_at - reported_at) FROM events WHERE description LIKE '周六特急测试%%'""").fetchone()
    assert worst[0] == len(cats) and worst[1] <= dt.timedelta(hours=24)


def test_escalation_gives_each_level_its_own_time(work_conn):
    """An overdue village event moves to the town; the town then has level_hours of its own before
    the next automatic move to the city (not five minutes later)."""
    grid = work_conn.execute("SELECT code FROM grids WHERE level = 3 AND kind = 'admin' ORDER BY code DESC LIMIT 1").fetchone()[0]
    lon, lat = point_in(work_conn, grid)
    now = dt.datetime.now(TZ)
    eid = report_events(work_conn, [Report("HW01", "逐级上报间隔", 3, lon, lat, reported_at=now - dt.timedelta(days=60))])[0]
    work_conn.commit()
    level = lambda: work_conn.execute("SELECT handling_level FROM events WHERE id = %s", (eid,)).fetchone()[0]  # noqa: E731
    assert level() == "village"
    assert eid in deadlines.escalate_overdue(work_conn, now)
    assert level() == "town"
    town_h = worktime.settings()["level_hours"]["town"]
    assert eid not in deadlines.escalate_overdue(work_conn, now + dt.timedelta(minutes=5))
    assert eid not in deadlines.escalate_overdue(work_conn, now + dt.timedelta(hours=town_h - 1))
    assert level() == "town"
    assert eid in deadlines.escalate_overdue(work_conn, now + dt.timedelta(hours=town_h, minutes=1))
    assert level() == "city"


def _figures(conn, town):
    pool_like = _OnePool(conn)
    k = overview.kpis(pool_like, Scope(town=town))
    return (k.reports_today, k.open, k.overdue, k.closed_period,
            conn.execute("SELECT sum(reported) FROM stats_grid_day").fetchone()[0],
            conn.execute("SELECT sum(reported) FROM stats_category_day").fetchone()[0])


class _OnePool:
    """A pool-like wrapper around one owner connection (the owner sees every row)."""

    def __init__(self, conn):
        self.conn = conn

    def connection(self):
        from contextlib import nullcontext
        return nullcontext(self.conn)


def test_a_drill_changes_no_statistic_and_stays_off_the_ticker(work_conn):
    grid = work_conn.execute("SELECT code FROM grids WHERE level = 3 AND kind = 'admin' ORDER BY code LIMIT 1 OFFSET 5").fetchone()[0]
    town = grid[:9]
    lon, lat = point_in(work_conn, grid)
    before = _figures(work_conn, town)
    eid = analysis.report_incident(work_conn, lon, lat, "演练：氯气泄漏")
    work_conn.commit()
    assert work_conn.execute("SELECT is_drill, priority, handling_level FROM events WHERE id = %s",
                             (eid,)).fetchone() == (True, 1, "city")
    assert _figures(work_conn, town) == before
    act(work_conn, eid, "accept", Actor("孙调度", "city_dispatcher"))
    work_conn.commit()
    assert _figures(work_conn, town) == before
    pool = _OnePool(work_conn)
    assert eid not in [e["id"] for e in overview.latest_events(pool, Scope.city(), 50)]
    assert eid not in [e["id"] for e in overview.urgent_events(pool, Scope.city(), 50)]
    # ... but it is in the dispatch queue, marked as a drill
    from geo.dispatch import queue
    rows = queue(pool, Actor("孙调度", "city_dispatcher"), event_id=eid)
    assert [(r["id"], r["is_drill"]) for r in rows] == [(eid, True)]


def test_intake_outside_the_users_village_names_where_the_point_is(work_url, work_conn):
    """A village user typing a point of another village is told which town and village it is in;
    a point outside the county keeps the county message."""
    mine, other = [r[0] for r in work_conn.execute("""
        SELECT code FROM grids WHERE level = 3 AND kind = 'admin' AND code LIKE '320281004%%'
         ORDER BY code""")][:: 40][:2]
    assert mine[:12] != other[:12]
    names = work_conn.execute("""SELECT t.name, v.name FROM grids v JOIN grids t ON t.code = v.town_code
                                  WHERE v.code = %s""", (other[:12],)).fetchone()
    lon, lat = point_in(work_conn, other)
    pool = db.make_pool(app_url_for(work_url), max_size=2)
    try:
        staff = ScopedPool(pool, scope_viewer(work_url, Scope(town=mine[:9], village=mine[:12])))
        with staff.connection() as conn, pytest.raises(IntakeRefused) as exc:
            report_events(conn, [Report("HW01", "别村的事", 3, lon, lat)])
        assert f"不在您的辖区（属于{names[0]}{names[1]}）" in exc.value.message_zh
        with staff.connection() as conn, pytest.raises(IntakeRefused) as exc:
            report_events(conn, [Report("HW01", "江里", 3, 120.30, 31.99)])
        assert "不在江阴市范围内" in exc.value.message_zh
    finally:
        pool.close()


def test_intake_page_records_the_signed_in_reporter(app_db, demo_url, demo_conn):
    """Village staff report from the form: the event and its first log row name the account."""
    village = demo_conn.execute("SELECT code FROM grids WHERE level = 2 ORDER BY code LIMIT 1").fetchone()[0]
    grid = demo_conn.execute("SELECT code FROM grids WHERE level = 3 AND kind = 'admin' AND parent_code = %s "
                             "ORDER BY code LIMIT 1", (village,)).fetchone()[0]
    lon, lat = point_in(demo_conn, grid)
    who = viewer("village_staff", village[:9], village, username="cun.zhang")
    at = signed_in(AppTest.from_file(APP, default_timeout=90), who)
    at.switch_page("views/intake.py")
    at.run()
    # form widgets are sent together with the submit button, as in a browser
    next(s for s in at.selectbox if s.label == "事件类别").select("HW01")
    at.text_area[0].input("门口垃圾堆积，影响通行")
    next(n for n in at.number_input if n.label == "经度").set_value(lon)
    next(n for n in at.number_input if n.label == "纬度").set_value(lat)
    next(b for b in at.button if b.label == "上报").click().run()
    assert not at.exception and not at.error, [e.value for e in at.error]
    row = demo_conn.execute("""
        SELECT e.reporter_name, l.actor FROM events e JOIN event_log l ON l.event_id = e.id AND l.from_status IS NULL
         WHERE e.description = '门口垃圾堆积，影响通行' ORDER BY e.id DESC LIMIT 1""").fetchone()
    assert row == (who.actor().label, who.actor().label)
    assert "测试" in row[0] and "平台录入" not in row[0]
    eid = demo_conn.execute("SELECT max(id) FROM events WHERE description = '门口垃圾堆积，影响通行'").fetchone()[0]
    trail = demo_conn.execute("SELECT username, role, action, detail->>'via' FROM audit_log WHERE target = %s",
                              (f"event:{eid}",)).fetchall()
    assert trail == [("cun.zhang", "village_staff", "report", "dashboard")]
    demo_conn.execute("SELECT 1")


@pytest.fixture()
def chlorine_zone():
    rel = plume.Release(plume.release_rate(None, 1000.0, 10.0), 180.0, 3.0, plume.stability_class(3.0, True, 0.5),
                        False, plume.ppm_to_g_m3(2.0, 70.9), 15.0)
    return rel


def test_cross_border_release_counts_the_same_for_a_town_leader(demo_url, demo_conn, chlorine_zone):
    """A release near a town line: the town user's totals equal the commander's; rows outside the
    town come back as per-town aggregates only (no names)."""
    # a point of one town near its border with another
    lon, lat, town = demo_conn.execute("""
        SELECT ST_X(p), ST_Y(p), a.code FROM (
          SELECT a.code, ST_PointOnSurface(ST_Intersection(ST_Boundary(a.geom), ST_Boundary(b.geom))) AS p
            FROM grids a JOIN grids b ON a.level = 1 AND b.level = 1 AND a.code < b.code
                                     AND ST_Touches(a.geom, b.geom)
           ORDER BY a.code, b.code LIMIT 1) s JOIN grids a ON a.code = s.code""").fetchone()
    zone, _ = analysis.threat_zone(lon, lat, chlorine_zone)
    pool = db.make_pool(app_url_for(demo_url), max_size=2)
    try:
        reports = {}
        for sc in (Scope.city(), Scope(town=town)):
            with ScopedPool(pool, scope_viewer(demo_url, sc)).connection() as conn:
                reports[sc.level] = analysis.analyse_zone(conn, zone, (lon, lat))
    finally:
        pool.close()
    city, mine = reports["city"], reports["town"]
    assert city.n_grids > 0 and not city.leaves_area
    assert (mine.n_grids, mine.n_villages, mine.n_sensitive, mine.n_domino) == \
        (city.n_grids, city.n_villages, city.n_sensitive, city.n_domino)
    assert mine.population == pytest.approx(city.population)
    assert mine.leaves_area
    assert {g["town_code"] for g in mine.grids} <= {town}
    assert all(o["name"] is None and o["code"] is None for o in mine.others)
    assert {o["town_code"] for o in mine.others} == {g["town_code"] for g in city.grids} - {town}
