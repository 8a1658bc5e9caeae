"""Intake validation (each bad input with its message and nothing written), routing and KNN."""
from __future__ import annotations

import math

import pytest

from geo import coords
from geo.intake import IntakeRefused, Report
from geo.routing import nearest_staff, route
from tests.fixtures import point_in, report_events, row_counts


def test_a_report_gets_grid_deadline_department_and_first_log_row(work_conn):
    lon, lat = point_in(work_conn, "320281004001002")
    gx, gy = coords.wgs84_to_gcj02(lon, lat)
    eid = report_events(work_conn, [Report("WJ01", "疑似违法建设", 2, float(gx), float(gy), datum="gcj02")])[0]
    row = work_conn.execute("SELECT grid_code, status, handling_level, assignee_department, assignee_team, "
                       "due_at > reported_at, ST_Distance(location::geography, "
                       "ST_SetSRID(ST_MakePoint(%s, %s), 4490)::geography) FROM events WHERE id = %s",
                       (lon, lat, eid)).fetchone()
    assert row[:6] == ("320281004001002", "reported", "town", "D06", "T6", True)
    assert row[6] < 0.5                                   # GCJ-02 converted on the way in
    log = work_conn.execute("SELECT from_status, to_status FROM event_log WHERE event_id = %s", (eid,)).fetchall()
    assert log == [(None, "reported")]


@pytest.mark.parametrize("report, message", [
    (Report("ZZ99", "x", 3, 120.3, 31.8), "事件类别“ZZ99”不存在"),
    (Report("HW01", "   ", 3, 120.3, 31.8), "请填写事件描述"),
    (Report("HW01", "x", 7, 120.3, 31.8), "紧急程度"),
    (Report("HW01", "x", 3, float("nan"), 31.8), "不是有效的经纬度"),
    (Report("HW01", "x", 3, 31.8, 120.3), "经纬度似乎填反了"),
    (Report("HW01", "x", 3, 120.30, 31.99), "不在江阴市范围内"),        # in the Yangtze
    (Report("HW01", "x", 3, 120.3, 31.8, datum="wgs72"), "坐标系"),
    (Report("HW01", "x", 3, None, None), "请填写坐标、选择网格或填写地址"),
    (Report("HW01", "x", 3, grid_code="320281004001999"), "没有编码为 320281004001999 的三级网格"),
])
def test_bad_reports_are_refused_with_a_message_and_nothing_written(work_conn, report, message):
    before = row_counts(work_conn)
    with pytest.raises(IntakeRefused) as exc:
        report_events(work_conn, [report])
    assert message in exc.value.message_zh
    assert row_counts(work_conn) == before


def test_a_batch_with_one_bad_row_writes_nothing(work_conn):
    lon, lat = point_in(work_conn, "320281004001002")
    before = row_counts(work_conn)
    with pytest.raises(IntakeRefused) as exc:
        report_events(work_conn, [Report("HW01", "好的", 3, lon, lat), Report("HW01", "江里", 3, 120.30, 31.99)])
    assert "第2行" in exc.value.message_zh
    assert row_counts(work_conn) == before


def test_a_grid_can_stand_for_the_location(work_conn):
    eid = report_events(work_conn, [Report("MD01", "邻里纠纷", 3, grid_code="320281004001003")])[0]
    assert work_conn.execute("SELECT grid_code FROM events WHERE id = %s", (eid,)).fetchone()[0] == "320281004001003"


def test_routing_follows_the_category(work_conn):
    r = route(work_conn, "HJ02")
    assert (r["department"], r["team"]) == ("无锡市江阴生态环境局", "生态环境保护综合执法大队")


def test_knn_matches_brute_force_distances(work_conn):
    lon, lat = point_in(work_conn, "320281107201002")
    got = nearest_staff(work_conn, lon, lat, k=8)
    brute = work_conn.execute("""
        SELECT id, ST_Distance(location::geography, ST_SetSRID(ST_MakePoint(%s, %s), 4490)::geography) d
          FROM staff WHERE on_duty AND role IN ('grid_worker', 'police') ORDER BY d, id LIMIT 8""",
                         (lon, lat)).fetchall()
    assert [round(g["distance_m"], 3) for g in got] == [round(b[1], 3) for b in brute]
    assert all(a["distance_m"] <= b["distance_m"] for a, b in zip(got, got[1:]))
    assert not math.isnan(got[0]["distance_m"])
