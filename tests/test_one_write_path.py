"""One write path for a report: every way in (the form, a terminal, Open311, a file) goes through
geo.intake — one validator, one insert, one audit row. The per-surface tests (test_api, test_api_field,
test_urgency_drills) check each surface's audit row; here: the same rules for a report and a file,
a file's own audit row, and no other code that inserts events."""
from __future__ import annotations

import csv
import datetime as dt
import re

import pytest

from geo.db import ROOT
from geo.intake import IntakeRefused, Report
from geo.worktime import TZ
from loaders.importer import events as event_import
from tests.fixtures import point_in, report_events, row_counts

GRID = "320281001002002"
# (field, the report's fields, the same row as a file's cells)
BAD = [
    ("reporter", dict(reporter="张" * 81), {"上报人": "张" * 81}),
    ("description", dict(description="门口\x00垃圾"), {"描述": "门口\x00垃圾"}),
    ("address", dict(address="路" * 201), {"地址": "路" * 201}),
    ("reported_at", dict(reported_at=dt.datetime(1900, 1, 1, 9, tzinfo=TZ)), {"上报时间": "1900-01-01 09:00"}),
    ("category", dict(category_code="不存在的类别"), {"事件类型": "不存在的类别"}),
    ("location", dict(lon=31.8, lat=120.3), {"经度": "31.8", "纬度": "120.3"}),
]


def _file(tmp_path, cells: dict, lon: float, lat: float):
    row = {"上报编号": "R1", "事件类型": "垃圾乱堆放", "经度": repr(lon), "纬度": repr(lat), "描述": "门口垃圾",
           "上报人": "", "地址": "", "上报时间": ""} | cells
    path = tmp_path / "export.csv"
    with open(path, "w", encoding="utf-8", newline="") as f:
        w = csv.DictWriter(f, fieldnames=list(row))
        w.writeheader()
        w.writerow(row)
    return path


@pytest.mark.parametrize("field, fields, cells", BAD, ids=[b[0] for b in BAD])
def test_a_report_and_a_file_meet_the_same_rules(work_conn, tmp_path, field, fields, cells):
    lon, lat = point_in(work_conn, GRID)
    before = row_counts(work_conn)
    report = Report(**({"category_code": "HW01", "description": "门口垃圾", "lon": lon, "lat": lat} | fields))
    with pytest.raises(IntakeRefused) as refused:
        report_events(work_conn, [report])
    result = event_import.load(work_conn, _file(tmp_path, cells, lon, lat), datum="wgs84")
    assert not result.written and row_counts(work_conn) == before
    def rule(p):         # the rule and its message; the value it quotes is as each sender wrote it
        return p.field, re.sub(r"“[^”]*”", "“…”", p.problem_zh), p.hint_zh

    said = [rule(p) for p in refused.value.problems]
    filed = [rule(p) for p in result.refused]
    assert [f for f, _, _ in said] == [field]
    assert said == filed, (said, filed)


def test_a_file_import_writes_its_audit_row_naming_who_and_how(work_conn, tmp_path):
    lon, lat = point_in(work_conn, GRID)
    path = _file(tmp_path, {"上报编号": f"AUDIT-{dt.datetime.now().timestamp()}"}, lon, lat)
    result = event_import.load(work_conn, path, datum="wgs84")
    work_conn.commit()
    assert result.written and result.inserted == 1
    rows = work_conn.execute("SELECT username, action, detail->>'via', (detail->>'inserted')::int FROM audit_log "
                             "WHERE target = %s ORDER BY id", (f"events:{path.name}",)).fetchall()
    assert rows[-1][1:] == ("import", "cli", 1) and rows[-1][0].startswith("cli:")


def test_no_other_code_inserts_events():
    """geo/intake.py is the only product code that writes new events (the demo generator COPYs its
    generated history through a helper that names no table)."""
    found = []
    for folder in ("geo", "api", "dashboard", "loaders"):
        for path in (ROOT / folder).rglob("*.py"):
            text = path.read_text(encoding="utf-8")
            if re.search(r"(INSERT\s+INTO|COPY)\s+(public\.)?events\b", text, re.I):
                found.append(str(path.relative_to(ROOT)))
    assert found == ["geo/intake.py"], found
