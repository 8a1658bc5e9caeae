"""Zones drawn on the Leaflet map (issue 17): what a drawing becomes, what is refused and how, the
zone saved with the incident in one transaction and visible only where the incident is, and the
exported map that asks for nothing outside the file."""
from __future__ import annotations

import re

import pytest
import shapely

from geo.access import ScopedPool, Viewer
from geo.crs import to_metric
from geo.db import make_pool
from geo.errors import InvalidInput
from geo.hazards import analysis
from geo.intake import Reporter
from tests.fixtures import app_url_for, with_session

RECT = {"type": "Feature", "properties": {},
        "geometry": {"type": "Polygon", "coordinates": [[[120.20, 31.80], [120.25, 31.80], [120.25, 31.84],
                                                         [120.20, 31.84], [120.20, 31.80]]]}}


def test_a_drawn_circle_is_a_ring_of_its_radius_in_metres():
    circle = {"type": "Feature", "properties": {"radius": 800.0},
              "geometry": {"type": "Point", "coordinates": [120.28, 31.90]}}
    zone = analysis.drawn_zone(circle)
    assert to_metric(zone).area == pytest.approx(3.14159 * 800 ** 2, rel=0.002)
    assert zone.contains(shapely.Point(120.28, 31.90))


def test_several_drawings_are_one_zone():
    other = {"type": "Feature", "properties": {}, "geometry": {
        "type": "Polygon", "coordinates": [[[120.24, 31.83], [120.30, 31.83], [120.30, 31.86], [120.24, 31.86],
                                            [120.24, 31.83]]]}}
    zone = analysis.drawn_zones([RECT, other])
    parts = [analysis.drawn_zone(RECT), analysis.drawn_zone(other)]
    overlap = to_metric(parts[0].intersection(parts[1])).area
    assert overlap > 0
    assert to_metric(zone).area == pytest.approx(sum(to_metric(p).area for p in parts) - overlap, rel=1e-5)


@pytest.mark.parametrize("feature, message", [
    ({"type": "Feature", "geometry": {"type": "LineString", "coordinates": [[120.2, 31.8], [120.3, 31.9]]}},
     "请用多边形、矩形或圆形工具"),
    ({"type": "Feature", "properties": {}, "geometry": {"type": "Point", "coordinates": [120.2, 31.8]}}, "缺少半径"),
    ({"type": "Feature", "geometry": {"type": "Polygon", "coordinates": [[[120.2, 31.8], [120.3, 31.8],
                                                                          [120.2, 31.8]]]}}, "没有面积"),
    ({"type": "Feature", "geometry": {"type": "Polygon", "coordinates": [[[119.5, 31.0], [121.0, 31.0],
                                                                          [121.0, 32.5], [119.5, 31.0]]]}}, "超过 500"),
    ({"type": "Feature", "geometry": {"type": "Polygon", "coordinates": "x"}}, "无法识别"),
    ({}, "请用多边形、矩形或圆形工具"),
])
def test_what_cannot_be_a_zone_is_refused_in_chinese(feature, message):
    with pytest.raises(InvalidInput) as err:
        analysis.drawn_zone(feature)
    assert message in err.value.message_zh


def test_nothing_drawn_is_refused():
    with pytest.raises(InvalidInput, match="nothing drawn"):
        analysis.drawn_zones([])


def test_the_zone_is_saved_with_the_incident_and_seen_only_where_it_is(work_url, work_conn):
    zone = analysis.drawn_zone(RECT)
    c = zone.centroid
    with work_conn.transaction():
        eid = analysis.report_incident(work_conn, c.x, c.y, "事故推演：地图绘制区域", zone=zone, source="drawn",
                                       scenario={"drawings": [RECT]},
                                       by=Reporter("tester", "city_commander", "测试指挥", "drill"))
    saved = analysis.incident_zone(work_conn, eid)
    assert saved["source"] == "drawn" and saved["created_by"] == "市级指挥 测试指挥"      # a person, not an account
    # the drill's report has the one audit row every report has, naming who ran it and from where
    assert work_conn.execute("SELECT username, action, detail->>'via' FROM audit_log WHERE target = %s",
                             (f"event:{eid}",)).fetchall() == [("tester", "report", "drill")]
    assert saved["scenario"] == {"drawings": [RECT]}
    assert saved["area_m2"] == pytest.approx(to_metric(zone).area, rel=1e-3)
    assert shapely.geometry.shape(saved["geometry"]).equals_exact(zone, 1e-6)
    town = work_conn.execute("SELECT town_code FROM events WHERE id = %s", (eid,)).fetchone()[0]
    other = work_conn.execute("SELECT min(code) FROM grids WHERE level = 1 AND code <> %s", (town,)).fetchone()[0]
    pool = make_pool(app_url_for(work_url), max_size=2)
    try:
        for viewer, visible in ((Viewer("zone.c", "指挥长", "city_commander"), True),
                                (Viewer("zone.t", "镇领导", "town_leader", town), True),
                                (Viewer("zone.o", "外镇领导", "town_leader", other), False)):
            with ScopedPool(pool, with_session(work_url, viewer)).connection() as conn:
                assert (analysis.incident_zone(conn, eid) is not None) is visible, viewer.role
    finally:
        pool.close()


def test_a_failed_incident_leaves_no_zone(work_conn):
    zone = analysis.drawn_zone(RECT)
    before = work_conn.execute("SELECT count(*) FROM incident_zones").fetchone()[0]
    with pytest.raises(ValueError):
        with work_conn.transaction():
            analysis.report_incident(work_conn, 120.22, 31.82, "事故推演", zone=zone, source="nonsense")
    assert work_conn.execute("SELECT count(*) FROM incident_zones").fetchone()[0] == before


def test_the_exported_map_needs_nothing_outside_the_file():
    from dashboard.ui import exports

    area = {"code": "320281004", "name": "南闸<街道>", "open": 3, "geometry": RECT["geometry"]}
    html = exports.map_file("南闸街道地图", "镇街编码 320281004", [area], "村社区", [("在办事件", "3")], demo=True,
                            zone=RECT["geometry"], area_fields=(("name", "村社区"), ("open", "在办事件"))).decode()
    assert not re.search(r'<(script|link|img)\b[^>]*\b(src|href)="(https?:)?//', html)
    assert "L.map(" in html and "演示数据" in html and "@page { size: A4 landscape" in html
    # the tooltip data (JSON, \u-escaped by folium) holds the name HTML-escaped once
    assert '"\\u5357\\u95f8\\u0026lt;\\u8857\\u9053\\u0026gt;"' in html
    assert "\\u0026amp;lt;" not in html
    assert "url(data:image/png;base64," in html                        # Leaflet's images inlined
