"""The pre-aggregated figures (migration 005) stay exact on every write: intake, every workflow
step, re-assignment to another grid, deletion — compared with a recount from the raw events
(drills, 演练, are never counted: migration 009)."""
from __future__ import annotations

import datetime as dt

from geo.intake import Report
from geo.workflow import Actor, act
from tests.fixtures import point_in, report_events

RECOUNT = {
    "stats_grid_day": """
        SELECT day, grid_code, sum(rep)::int, sum(clo)::int, sum(ot)::int, round(sum(cs)::numeric, 3) FROM (
            SELECT (reported_at AT TIME ZONE 'Asia/Shanghai')::date AS day, grid_code, 1 AS rep, 0 AS clo, 0 AS ot,
                   0.0::float8 AS cs FROM events WHERE NOT is_drill
            UNION ALL
            SELECT (closed_at AT TIME ZONE 'Asia/Shanghai')::date, grid_code, 0, 1, (closed_at <= due_at)::int,
                   extract(epoch FROM closed_at - reported_at)::float8 FROM events
             WHERE closed_at IS NOT NULL AND NOT is_drill) u
         GROUP BY 1, 2""",
    "stats_cell_day": """
        SELECT (reported_at AT TIME ZONE 'Asia/Shanghai')::date, left(grid_code, 9),
               floor(ST_X(ST_Transform(location, 4549)) / 1000)::int, floor(ST_Y(ST_Transform(location, 4549)) / 1000)::int,
               count(*)::int FROM events WHERE NOT is_drill GROUP BY 1, 2, 3, 4""",
    "stats_category_day": """
        SELECT (reported_at AT TIME ZONE 'Asia/Shanghai')::date, left(grid_code, 9), category_code, count(*)::int
          FROM events WHERE NOT is_drill GROUP BY 1, 2, 3""",
}
# A village's figures are its grids' figures added up.
RECOUNT["stats_village_day"] = ("SELECT day, left(grid_code, 12), sum(r)::int, sum(c)::int, sum(o)::int, sum(s) "
                                "FROM (" + RECOUNT["stats_grid_day"] + ") g(day, grid_code, r, c, o, s) GROUP BY 1, 2")
STORED = {
    "stats_grid_day": "SELECT day, grid_code, reported, closed, closed_on_time, round(close_seconds::numeric, 3) "
                      "FROM stats_grid_day WHERE reported <> 0 OR closed <> 0",
    "stats_village_day": "SELECT day, village_code, reported, closed, closed_on_time, round(close_seconds::numeric, 3) "
                         "FROM stats_village_day WHERE reported <> 0 OR closed <> 0",
    "stats_cell_day": "SELECT day, town_code, cell_i, cell_j, reported FROM stats_cell_day WHERE reported <> 0",
    "stats_category_day": "SELECT day, town_code, category_code, reported FROM stats_category_day WHERE reported <> 0",
}


def assert_exact(work_conn):
    for table in RECOUNT:
        expected = set(work_conn.execute(RECOUNT[table]).fetchall())
        stored = set(work_conn.execute(STORED[table]).fetchall())
        assert stored == expected, (table, sorted(stored ^ expected)[:5])




def test_stats_match_a_recount_after_every_kind_of_write(work_conn):
    assert_exact(work_conn)                                     # after the demo load
    city = Actor("统计测试", "city_dispatcher")
    lon, lat = point_in(work_conn, "320281102201001")
    ids = report_events(work_conn, [Report("HW01", "统计1", 3, lon, lat),
                        Report("AQ01", "统计2", 2, lon, lat,
                               reported_at=dt.datetime(2026, 11, 2, 9, tzinfo=dt.timezone.utc))])
    assert_exact(work_conn)
    for step, kw in (("accept", {}), ("dispatch", {"department": "D06"}), ("start", {}), ("handle", {}),
                     ("verify", {}), ("close", {})):
        act(work_conn, ids[0], step, city, **kw)
    assert_exact(work_conn)
    with work_conn.transaction():                               # re-assignment to another grid (an import)
        work_conn.execute("UPDATE events SET grid_code = '320281102201002' WHERE id = %s", (ids[1],))
    assert_exact(work_conn)
    far = point_in(work_conn, "320281001002002")                 # 更正位置 to another town
    act(work_conn, ids[1], "relocate", city, note="坐标录错", location=far)
    assert_exact(work_conn)
    with work_conn.transaction():                               # a row without history can be deleted
        eid = work_conn.execute("INSERT INTO events (category_code, reported_at, due_at, location, grid_code, description) "
                           "VALUES ('HW01', now(), now() + interval '1 day', ST_SetSRID(ST_MakePoint(%s, %s), 4490), "
                           "'320281102201001', '误报') RETURNING id", (lon, lat)).fetchone()[0]
    assert_exact(work_conn)
    with work_conn.transaction():
        assert work_conn.execute("DELETE FROM events WHERE id = %s", (eid,)).rowcount == 1
    assert_exact(work_conn)
