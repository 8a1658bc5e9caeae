"""Bulk CSV intake (CLI), automatic escalation of overdue events, and the evaluation exports."""
from __future__ import annotations

import datetime as dt
import io
import os
import re
import subprocess
import sys

import openpyxl
import pandas as pd
import pytest

from geo import coords, db, evaluation
from geo.deadlines import escalate_overdue
from geo.intake import Report
from geo.scope import Scope
from geo.workflow import Actor, Forbidden, act
from geo.worktime import TZ
from tests.fixtures import point_in, report_events, row_counts
from tests.server import ROOT


def cli(url: str, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "loaders", *args], cwd=ROOT, capture_output=True,
                          text=True, env={**os.environ, "DATABASE_URL": url}, timeout=300)






def test_csv_export_loads_with_gcj02_and_chinese_headers(work_conn, work_url, tmp_path):
    lon, lat = point_in(work_conn, "320281009003002")
    gx, gy = coords.wgs84_to_gcj02(lon, lat)
    f = tmp_path / "terminal.csv"
    f.write_text("类别编码,描述,紧急程度,经度,纬度,上报时间,终端编号\n"
                 f"HW01,垃圾堆放,一般,{gx:.7f},{gy:.7f},2026-11-20 09:30,JYWG00001\n"
                 f"XF02,楼道充电,紧急,{gx:.7f},{gy:.7f},2026-11-20 10:00,JYWG00002\n", encoding="gbk")
    before = row_counts(work_conn)
    dry = cli(work_url, "events", str(f), "--datum", "gcj02", "--dry-run")
    assert dry.returncode == 0 and "would load 2" in dry.stdout
    assert row_counts(work_conn) == before
    done = cli(work_url, "events", str(f), "--datum", "gcj02")
    assert done.returncode == 0, done.stderr
    assert row_counts(work_conn) == (before[0] + 2, before[1] + 2)
    grids = work_conn.execute("SELECT DISTINCT grid_code FROM events WHERE description IN ('垃圾堆放', '楼道充电')").fetchall()
    assert grids == [("320281009003002",)]


def test_events_from_an_xlsx_in_gcj02(work_conn, work_url, tmp_path):
    lon, lat = point_in(work_conn, "320281009003002")
    gx, gy = coords.wgs84_to_gcj02(lon, lat)
    f = tmp_path / "terminal.xlsx"
    pd.DataFrame([{"类别编码": "HW01", "描述": "表格导入的垃圾堆放", "紧急程度": "一般", "经度": f"{gx:.7f}",
                   "纬度": f"{gy:.7f}"}]).to_excel(f, index=False)
    before = row_counts(work_conn)
    done = cli(work_url, "events", str(f), "--crs", "gcj02")
    assert done.returncode == 0, done.stderr
    assert row_counts(work_conn) == (before[0] + 1, before[1] + 1)
    assert work_conn.execute("SELECT grid_code FROM events WHERE description = '表格导入的垃圾堆放'").fetchone() == \
        ("320281009003002",)


def test_csv_with_bad_rows_loads_nothing_and_names_each_row(work_conn, work_url, tmp_path):
    lon, lat = point_in(work_conn, "320281009003002")
    f = tmp_path / "bad.csv"
    f.write_text("category_code,description,priority,lon,lat\n"
                 f"HW01,好的,3,{lon},{lat}\n"
                 f"ZZ99,未知类别,3,{lon},{lat}\n"
                 f"HW01,,3,{lon},{lat}\n"
                 "HW01,长江里,3,120.30,31.99\n"
                 f"HW01,坏的紧急程度,9,{lon},{lat}\n"
                 f"HW01,坐标不是数字,3,abc,{lat}\n", encoding="utf-8")
    before = row_counts(work_conn)
    out = cli(work_url, "events", str(f), "--crs", "EPSG:4490")
    assert out.returncode == 1
    for row, word in ((2, "unknown category"), (3, "description is empty"), (4, "outside Jiangyin"),
                      (5, "priority"), (6, "not numbers")):
        assert any(re.match(rf"row {row}\b", line.strip()) and word in line for line in out.stderr.splitlines()), \
            (row, word, out.stderr)
    assert not re.search(r"row 1\b", out.stderr)
    assert row_counts(work_conn) == before


def test_missing_columns_are_named(work_url, tmp_path):
    f = tmp_path / "cols.csv"
    f.write_text("描述,经度\nx,120\n", encoding="utf-8")
    out = cli(work_url, "events", str(f))
    assert out.returncode == 2 and "missing columns" in out.stderr and "category_code" in out.stderr


def test_overdue_village_events_escalate_with_a_log_row(work_conn):
    lon, lat = point_in(work_conn, "320281110201001")
    long_ago = dt.datetime(2026, 9, 1, 9, 0, tzinfo=dt.timezone.utc)
    eid = report_events(work_conn, [Report("HW01", "早已超期", 3, lon, lat, reported_at=long_ago)])[0]
    fresh = report_events(work_conn, [Report("HW01", "刚上报", 3, lon, lat)])[0]
    moved = escalate_overdue(work_conn)
    assert eid in moved and fresh not in moved
    level, status = work_conn.execute("SELECT handling_level, status FROM events WHERE id = %s", (eid,)).fetchone()
    assert (level, status) == ("town", "reported")
    last = work_conn.execute("SELECT actor, from_status, to_status, level, note FROM event_log WHERE event_id = %s "
                        "ORDER BY at DESC, id DESC LIMIT 1", (eid,)).fetchone()
    assert last == ("系统", "reported", "reported", "town", "超期自动上报镇街")
    # A village worker now cannot act on it; the town could.
    village = Actor("钱主任", "village_staff", town="320281110", village="320281110201")
    with pytest.raises(Forbidden):
        act(work_conn, eid, "accept", village)
    # Months past due is also past the town's threshold (24 h), but the town has its own 24 h from
    # the moment the event arrived: the next run does not move it; a run a day later moves it to the
    # city, and then it stays there.
    assert eid not in escalate_overdue(work_conn)
    later = dt.datetime.now(dt.timezone.utc) + dt.timedelta(hours=25)
    assert eid in escalate_overdue(work_conn, later)
    assert work_conn.execute("SELECT handling_level FROM events WHERE id = %s", (eid,)).fetchone()[0] == "city"
    assert eid not in escalate_overdue(work_conn, later)
    act(work_conn, eid, "accept", Actor("孙调度", "city_dispatcher"))


def test_evaluation_matches_sql_and_exports(work_url, work_conn):
    pool = db.make_pool(work_url, max_size=2)
    try:
        end = dt.datetime.now(TZ).date()
        start = end - dt.timedelta(days=29)
        rows = evaluation.evaluate(pool, Scope.city(), "town", start, end)
    finally:
        pool.close()
    assert len(rows) == 17
    r = next(x for x in rows if x["key"] == "320281004")
    # closures of the period (whenever reported), reports of the period: geo/metrics.py
    closed, on_time, reported = work_conn.execute("""
        SELECT count(*) FILTER (WHERE (closed_at AT TIME ZONE 'Asia/Shanghai')::date BETWEEN %(s)s AND %(e)s),
               count(*) FILTER (WHERE (closed_at AT TIME ZONE 'Asia/Shanghai')::date BETWEEN %(s)s AND %(e)s
                                  AND closed_at <= due_at),
               count(*) FILTER (WHERE (reported_at AT TIME ZONE 'Asia/Shanghai')::date BETWEEN %(s)s AND %(e)s)
          FROM events WHERE town_code = '320281004' AND NOT is_drill""", {"s": start, "e": end}).fetchone()
    assert (r["closed"], r["closed_on_time"], r["reported"]) == (closed, on_time, reported)
    df = evaluation.to_frame(rows, "town", evaluation.columns(start, end, end))
    csv = evaluation.to_csv(df)
    assert csv.startswith("\ufeff".encode()) and "南闸街道".encode() in csv
    back = pd.read_csv(io.BytesIO(csv), encoding="utf-8-sig")
    assert len(back) == 17 and "按期办结率（近30天）" in back.columns
    wb = openpyxl.load_workbook(io.BytesIO(evaluation.to_xlsx(df)))
    ws = wb.active
    assert ws.max_row == 18 and ws.cell(1, 1).value == "镇街"
