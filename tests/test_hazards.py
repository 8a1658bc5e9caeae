"""Hazardous chemicals: GB 18218 grading, exposure rings, the screening plume and zone analysis."""
from __future__ import annotations

import math

import geopandas as gpd
import pyogrio
import pytest
import shapely
from pyproj import Geod

from geo.crs import to_metric
from geo.hazards import aloha, analysis, plume
from geo.hazards.register import alpha, grade

GEOD = Geod(ellps="GRS80")




@pytest.mark.parametrize("people, a", [(0, 0.5), (0.4, 0.5), (1, 1.0), (29, 1.0), (29.9, 1.0), (30, 1.2),
                                       (49, 1.2), (50, 1.5), (99, 1.5), (100, 2.0), (5000, 2.0)])
def test_alpha_boundaries_in_python_and_sql(work_conn, people, a):
    assert alpha(people) == a
    assert float(work_conn.execute("SELECT hazard_alpha(%s)", (people,)).fetchone()[0]) == a


@pytest.mark.parametrize("r, q, level", [(150, 5, 1), (100, 5, 1), (99.99, 5, 2), (50, 3, 2), (49.9, 3, 3),
                                         (10, 2, 3), (9.99, 2, 4), (2, 1, 4), (30, 0.99, None)])
def test_levels_from_r(work_conn, r, q, level):
    assert grade(r, q) == level
    assert work_conn.execute("SELECT hazard_level(%s, %s)", (r, q)).fetchone()[0] == level


def _grids(work_conn, zone_wkb):
    rows = work_conn.execute("""SELECT ST_AsBinary(geom), population FROM grids WHERE level = 3 AND kind = 'admin'
                            AND ST_Intersects(geom, ST_SetSRID(ST_GeomFromWKB(%s), 4490))""", (zone_wkb,)).fetchall()
    return [(to_metric(shapely.from_wkb(bytes(g))), p) for g, p in rows]


def brute_force_people(work_conn, zone) -> float:
    zm = to_metric(zone)
    return sum(p * g.intersection(zm).area / g.area for g, p in _grids(work_conn, shapely.to_wkb(zone)))


def test_worked_site_r_and_level_and_recompute_on_change(work_conn):
    site = work_conn.execute("SELECT id, ST_X(geom), ST_Y(geom) FROM chem_sites ORDER BY id LIMIT 1").fetchone()
    sid, lon, lat = site
    with work_conn.transaction():
        work_conn.execute("DELETE FROM chem_inventory WHERE site_id = %s", (sid,))
        work_conn.execute("INSERT INTO chem_inventory (site_id, cas, max_quantity_t) VALUES "
                     "(%s, '7782-50-5', 10), (%s, '7664-41-7', 5)", (sid, sid))   # chlorine, ammonia
    r, level, people, qq = work_conn.execute("SELECT r_value, hazard_level, population_500m, q_ratio_sum "
                                        "FROM chem_sites WHERE id = %s", (sid,)).fetchone()
    # sum beta q / Q = 4 * 10/5 + 2 * 5/10 = 9; sum q/Q = 2.5
    assert qq == pytest.approx(2.5)
    assert r == pytest.approx(alpha(people) * 9.0)
    assert level == grade(r, qq)
    # Population within 500 m matches a brute-force shapely computation on the same grids.
    circle = analysis.ring(lon, lat, 500)
    assert people == pytest.approx(brute_force_people(work_conn, circle), rel=2e-3)
    # More chlorine -> R recomputed by the trigger, level follows.
    with work_conn.transaction():
        work_conn.execute("UPDATE chem_inventory SET max_quantity_t = 100 WHERE site_id = %s AND cas = '7782-50-5'", (sid,))
    r2, level2 = work_conn.execute("SELECT r_value, hazard_level FROM chem_sites WHERE id = %s", (sid,)).fetchone()
    assert r2 == pytest.approx(alpha(people) * (4 * 100 / 5 + 1))
    assert level2 == 1


def test_every_demo_site_is_graded_consistently(work_conn):
    rows = work_conn.execute("""
        SELECT s.id, s.r_value, s.hazard_level, s.population_500m,
               sum(c.beta * i.max_quantity_t / c.threshold_t), sum(i.max_quantity_t / c.threshold_t)
          FROM chem_sites s JOIN chem_inventory i ON i.site_id = s.id JOIN chemicals c ON c.cas = i.cas
         GROUP BY s.id""").fetchall()
    assert len(rows) >= 100
    for sid, r, level, people, bq, qq in rows:
        assert r == pytest.approx(alpha(people) * float(bq)), sid
        assert level == grade(r, float(qq)), sid
        assert level in (1, 2, 3, 4)
    assert {row[2] for row in rows} == {1, 2, 3, 4}


def test_rings_contain_points_at_known_distances(work_conn):
    lon, lat = 120.30, 31.85
    ring = analysis.ring(lon, lat, 500)
    for az in range(0, 360, 30):
        x_in, y_in, _ = GEOD.fwd(lon, lat, az, 499)
        x_out, y_out, _ = GEOD.fwd(lon, lat, az, 501)
        assert ring.contains(shapely.Point(x_in, y_in))
        assert not ring.contains(shapely.Point(x_out, y_out))
        inside, outside = work_conn.execute(
            "SELECT ST_Covers(z, ST_SetSRID(ST_MakePoint(%s, %s), 4490)), ST_Covers(z, ST_SetSRID(ST_MakePoint(%s, %s), 4490)) "
            "FROM (SELECT ST_SetSRID(ST_GeomFromWKB(%s), 4490) z) s",
            (x_in, y_in, x_out, y_out, shapely.to_wkb(ring))).fetchone()
        assert inside and not outside


def test_plume_centreline_matches_the_closed_form():
    # Q = 100 g/s, u = 5 m/s, class D, rural, ground release, x = 1 km (Briggs open country):
    # sigma_y = 0.08 * 1000 / sqrt(1.1), sigma_z = 0.06 * 1000 / sqrt(2.5); C = Q / (pi u sy sz).
    expected = 100 / (math.pi * 5 * (80 / math.sqrt(1.1)) * (60 / math.sqrt(2.5)))
    got = float(plume.concentration(100, 5, 1000, 0, "D", urban=False))
    assert got == pytest.approx(expected, rel=0.01)
    assert expected == pytest.approx(2.1994e-3, rel=1e-3)          # g/m3


def test_stability_classes_follow_the_table():
    assert plume.stability_class(1.5, True, 0.1) == "B"       # strong sun, light wind
    assert plume.stability_class(5.5, True, 0.5) == "D"
    assert plume.stability_class(2.5, False, 0.2) == "F"      # clear night, light wind
    assert plume.stability_class(4.0, False, 0.6) == "D"
    assert plume.stability_class(3.0, True, 1.0) == "D"       # overcast
    with pytest.raises(plume.InvalidInput):
        plume.stability_class(0, True, 0.5)


@pytest.mark.parametrize("wind_from, side", [(0, "south"), (180, "north"), (90, "west"), (270, "east")])
def test_threat_zone_lies_downwind(wind_from, side):
    lon, lat = 120.12, 31.92
    rel = plume.Release(500, wind_from, 3, "D", False, plume.ppm_to_g_m3(2.0, 70.9), uncertainty_deg=10)
    zone, reach = analysis.threat_zone(lon, lat, rel)
    assert reach > 500
    c = zone.centroid
    assert {"south": c.y < lat, "north": c.y > lat, "west": c.x < lon, "east": c.x > lon}[side]
    minx, miny, maxx, maxy = zone.bounds
    if side == "south":
        assert maxy <= lat + 1e-6           # nothing upwind of the source


@pytest.mark.parametrize("rate, speed, cls, spread", [(500, 3, "D", 10), (10000, 2, "F", 15), (2000, 5, "B", 20)])
def test_the_wind_uncertainty_sweep_has_a_smooth_outline(rate, speed, cls, spread):
    """The plume turned through ±spread degrees covers every turned copy of it, with no fingers: closing
    the outline (dilate then erode by 2 % of the reach) adds nothing — the union of nine copies it
    replaced gained up to 0.6 % (the gaps between the fingers' tips)."""
    loc = plume.ppm_to_g_m3(2.0, 70.9)
    zone, reach = plume.footprint(plume.Release(rate, 0, speed, cls, False, loc, uncertainty_deg=spread))
    one, _ = plume.footprint(plume.Release(rate, 0, speed, cls, False, loc, uncertainty_deg=0))
    copies = shapely.union_all([shapely.affinity.rotate(one, a, origin=(0, 0)) for a in range(-spread, spread + 1)])
    assert copies.difference(zone).area <= 2e-5 * copies.area        # chords of a few metres at the tip
    d = 0.02 * reach
    assert zone.buffer(d).buffer(-d).area <= zone.area * 1.0001
    assert zone.geom_type == "Polygon" and not zone.interiors


def test_zone_population_matches_brute_force(work_conn):
    lon, lat = work_conn.execute("SELECT ST_X(geom), ST_Y(geom) FROM chem_sites ORDER BY id LIMIT 1 OFFSET 5").fetchone()
    rel = plume.Release(2000, 45, 2.5, "E", False, plume.ppm_to_g_m3(2.0, 70.9))
    zone, _ = analysis.threat_zone(lon, lat, rel)
    rep = analysis.analyse_zone(work_conn, zone, (lon, lat))
    assert rep.population > 0
    assert rep.population == pytest.approx(brute_force_people(work_conn, zone), rel=2e-3)
    evac = analysis.evacuation_list(work_conn, zone)
    assert {e["grid_code"] for e in evac} <= {g["code"] for g in rep.grids}
    res = analysis.nearest_resources(work_conn, lon, lat, k=3)
    assert [r["distance_m"] for r in res] == sorted(r["distance_m"] for r in res)
    assert res[0]["eta_min"] == pytest.approx(res[0]["distance_m"] * 1.4 / (40000 / 60))


def test_aloha_kml_zone_loads(tmp_path):
    zone = analysis.ring(120.2, 31.9, 800)
    path = tmp_path / "aloha.kml"
    pyogrio.write_dataframe(gpd.GeoDataFrame({"name": ["red zone"]}, geometry=[zone], crs=4326), path, driver="KML")
    got = aloha.read_zone("aloha.kml", path.read_bytes())
    assert to_metric(got).symmetric_difference(to_metric(zone)).area < 1.0
    with pytest.raises(aloha.InvalidInput):
        aloha.read_zone("notes.txt", b"hello")
    with pytest.raises(aloha.InvalidInput):
        aloha.read_zone("zone.zip", b"not a zip")


def test_incident_becomes_a_city_level_critical_event(work_conn):
    lon, lat = work_conn.execute("SELECT ST_X(geom), ST_Y(geom) FROM chem_sites ORDER BY id LIMIT 1").fetchone()
    eid = analysis.report_incident(work_conn, lon, lat, "事故推演：液氯泄漏")
    row = work_conn.execute("SELECT priority, handling_level, status, category_code FROM events WHERE id = %s", (eid,)).fetchone()
    assert row == (1, "city", "reported", "WH03")
