"""The demo generator: deterministic, and the loaded data meets every count and the tiling (SQL)."""
from __future__ import annotations

import hashlib

import numpy as np
import pandas as pd
import pytest
import shapely

from loaders.demo import generate
from tests.fixtures import FIXED_UNTIL

# Tiling is checked as a share of the area (unitless): a floating-point sliver has no real area,
# and measuring it in metres after a transform (or as geography) bends its long edges and invents
# some. 1e-9 of the county is about 1 m2.
TOLERANCE = 1e-9
URBAN_TOWNS = ("320281001", "320281004", "320281005", "320281007", "320281008", "320281009", "320281400")


def digest(data) -> str:
    h = hashlib.sha256()
    g = data.grids
    h.update(pd.util.hash_pandas_object(g.drop(columns=["geom", "geom_m"]), index=False).values.tobytes())
    h.update(b"".join(shapely.to_wkb(np.asarray(g.geom.to_list(), dtype=object))))
    for frame in (data.staff, data.events, data.event_log, data.chem_sites, data.resources):
        h.update(pd.util.hash_pandas_object(frame, index=False).values.tobytes())
    return h.hexdigest()


def test_generator_is_deterministic_for_a_seed():
    a = generate(seed=11, events=1500, days=20, until=FIXED_UNTIL)
    b = generate(seed=11, events=1500, days=20, until=FIXED_UNTIL)
    c = generate(seed=12, events=1500, days=20, until=FIXED_UNTIL)
    assert digest(a) == digest(b)
    assert digest(a) != digest(c)
    # The event count does not move the grids (independent random streams).
    d = generate(seed=11, events=300, days=20, until=FIXED_UNTIL)
    assert shapely.to_wkb(a.grids.geom.iloc[500]) == shapely.to_wkb(d.grids.geom.iloc[500])


def q(conn, text, params=None):
    return conn.execute(text, params or {}).fetchall()


def test_grid_counts_levels_and_srid(demo_conn):
    rows = dict(((r[0], r[1]), r[2]) for r in q(demo_conn,
                "SELECT level, kind, count(*) FROM grids GROUP BY 1, 2"))
    assert rows == {(1, "admin"): 17, (2, "admin"): 274, (3, "admin"): 1123, (3, "dedicated"): 138}
    assert q(demo_conn, "SELECT DISTINCT ST_SRID(geom) FROM grids") == [(4490,)]
    assert q(demo_conn, "SELECT count(*) FROM grids WHERE NOT ST_IsValid(geom) OR ST_IsEmpty(geom)") == [(0,)]
    codes = {r[0] for r in q(demo_conn, "SELECT code FROM grids WHERE level = 1")}
    import csv

    from loaders.reference import REFERENCE_DIR
    with open(REFERENCE_DIR / "towns.csv", encoding="utf-8") as fh:
        assert codes == {r["code"] for r in csv.DictReader(fh)}


def test_first_level_covers_the_county(demo_conn):
    union_km2, county_km2, gap_ratio = q(demo_conn, """
        WITH u AS (SELECT ST_Union(geom) AS g FROM grids WHERE level = 1)
        SELECT ST_Area(u.g::geography) / 1e6, ST_Area(c.geom::geography) / 1e6,
               ST_Area(ST_SymDifference(u.g, c.geom)) / ST_Area(c.geom)
          FROM u, county c""")[0]
    assert 985 < union_km2 < 1000
    assert abs(union_km2 - county_km2) < 0.001
    assert gap_ratio < TOLERANCE


def test_children_tile_their_parents(demo_conn):
    # For every parent: the children's union equals the parent up to floating-point slivers.
    worst = q(demo_conn, """
        SELECT p.code, ST_Area(ST_SymDifference(p.geom, ST_Union(c.geom))) / ST_Area(p.geom) AS diff
          FROM grids p JOIN grids c ON c.parent_code = p.code AND c.kind = 'admin'
         WHERE p.kind = 'admin'
         GROUP BY p.code, p.geom ORDER BY diff DESC LIMIT 1""")[0]
    assert worst[1] < TOLERANCE, worst
    n_parents = q(demo_conn, """SELECT count(DISTINCT parent_code) FROM grids
                                 WHERE kind = 'admin' AND level > 1""")[0][0]
    assert n_parents == 17 + 274


def test_siblings_do_not_overlap(demo_conn):
    overlap = q(demo_conn, """
        SELECT coalesce(sum(ST_Area(ST_Intersection(a.geom, b.geom))), 0)
               / (SELECT ST_Area(geom) FROM county)
          FROM grids a JOIN grids b
            ON a.level = b.level AND a.code < b.code AND a.kind = 'admin' AND b.kind = 'admin'
           AND ST_Intersects(a.geom, b.geom)""")[0][0]
    assert overlap < TOLERANCE


def test_dedicated_grids_sit_inside_their_village(demo_conn):
    rows = q(demo_conn, """
        SELECT d.dedicated_type, count(*),
               count(*) FILTER (WHERE ST_Area(ST_Difference(d.geom, v.geom)) / ST_Area(d.geom) > %(tol)s),
               count(*) FILTER (WHERE v.level <> 2 OR v.kind <> 'admin')
          FROM grids d JOIN grids v ON v.code = d.parent_code
         WHERE d.kind = 'dedicated' GROUP BY 1""", {"tol": TOLERANCE})
    assert sum(r[1] for r in rows) == 138
    assert all(r[2] == 0 and r[3] == 0 for r in rows)
    assert {"school", "hospital", "chemical_park", "industrial_park", "market"} <= {r[0] for r in rows}


def test_urban_grids_are_smaller_than_rural(demo_conn):
    urban, rural = q(demo_conn, """
        SELECT avg(ST_Area(geom::geography)) FILTER (WHERE town_code = ANY (%(u)s)),
               avg(ST_Area(geom::geography)) FILTER (WHERE NOT town_code = ANY (%(u)s))
          FROM grids WHERE level = 3 AND kind = 'admin'""", {"u": list(URBAN_TOWNS)})[0]
    assert urban < 0.75 * rural


def test_population_sums_to_the_county(demo_conn):
    pop3, pop1 = q(demo_conn, """
        SELECT sum(population) FILTER (WHERE level = 3 AND kind = 'admin'),
               sum(population) FILTER (WHERE level = 1) FROM grids""")[0]
    assert pop3 == pop1 == 1_780_000


def test_staff_and_organisation_counts(demo_conn):
    roles = dict(q(demo_conn, "SELECT role, count(*) FROM staff GROUP BY 1"))
    assert roles == {"grid_worker": 5034, "police": 2383}
    outside = q(demo_conn, """SELECT count(*) FROM staff s JOIN grids g ON g.code = s.grid_code
                              WHERE NOT ST_Covers(g.geom, s.location)""")[0][0]
    assert outside == 0
    assert q(demo_conn, "SELECT count(*) FROM departments")[0][0] == 29
    assert q(demo_conn, "SELECT count(*) FROM enforcement_teams")[0][0] == 7


def test_each_event_lies_in_its_own_third_level_grid(demo_conn):
    n, bad, not_l3 = q(demo_conn, """
        SELECT count(*), count(*) FILTER (WHERE NOT ST_Covers(g.geom, e.location)),
               count(*) FILTER (WHERE g.level <> 3 OR g.kind <> 'admin')
          FROM events e JOIN grids g ON g.code = e.grid_code""")[0]
    assert n == 4000 and bad == 0 and not_l3 == 0
    # And the one point -> grid rule agrees with the stored grid for every event.
    disagree = q(demo_conn, "SELECT count(*) FROM events WHERE grid_for_point(location) <> grid_code")[0][0]
    assert disagree == 0


def test_event_history_is_consistent_and_covers_every_state(demo_conn):
    mismatched = q(demo_conn, """
        SELECT count(*) FROM events e JOIN LATERAL (
            SELECT to_status FROM event_log l WHERE l.event_id = e.id ORDER BY at DESC, id DESC LIMIT 1
        ) last ON true WHERE last.to_status <> e.status""")[0][0]
    assert mismatched == 0
    broken_chain = q(demo_conn, """
        SELECT count(*) FROM (
            SELECT from_status, lag(to_status) OVER (PARTITION BY event_id ORDER BY at, id) AS prev
              FROM event_log) s
         WHERE from_status IS DISTINCT FROM prev""")[0][0]
    assert broken_chain == 0
    statuses = {r[0] for r in q(demo_conn, "SELECT DISTINCT to_status FROM event_log")}
    assert statuses == {"reported", "accepted", "dispatched", "in_progress", "handled", "verified",
                        "closed", "rejected", "returned"}
    overdue = q(demo_conn, """SELECT count(*) FROM events
                              WHERE status NOT IN ('closed', 'rejected') AND NOT is_drill AND due_at < now()""")[0][0]
    late_closed = q(demo_conn, "SELECT count(*) FROM events WHERE closed_at > due_at")[0][0]
    assert overdue > 0 and late_closed > 0


def test_events_follow_daily_and_weekly_rhythm(demo_conn):
    by_hour = dict(q(demo_conn, "SELECT extract(hour FROM reported_at)::int, count(*) FROM events GROUP BY 1"))
    assert by_hour.get(9, 0) > 4 * by_hour.get(3, 0)
    weekday, weekend = q(demo_conn, """
        SELECT count(*) FILTER (WHERE extract(isodow FROM reported_at) < 6) / 5.0,
               count(*) FILTER (WHERE extract(isodow FROM reported_at) >= 6) / 2.0 FROM events""")[0]
    assert weekday > weekend


def test_chemical_sites_cluster_on_the_riverside(demo_conn):
    n, riverside, levels, no_grid = q(demo_conn, """
        SELECT count(*), count(*) FILTER (WHERE town_code IN ('320281007', '320281008', '320281009',
                                                              '320281400')),
               array_agg(DISTINCT hazard_level ORDER BY hazard_level),
               count(*) FILTER (WHERE grid_code IS NULL)
          FROM chem_sites""")[0]
    assert n >= 100 and riverside > n / 2
    assert levels == [1, 2, 3, 4]
    assert no_grid == 0
    kinds = {r[0] for r in q(demo_conn, "SELECT kind FROM emergency_resources")}
    assert {"rescue_base", "fire_station"} <= kinds


@pytest.mark.parametrize("table", ["grids", "staff", "events", "chem_sites", "emergency_resources"])
def test_demo_rows_are_labelled(demo_conn, table):
    from psycopg import sql
    assert demo_conn.execute(sql.SQL("SELECT bool_and(is_demo) FROM {}").format(sql.Identifier(table))).fetchone()[0]
    assert demo_conn.execute("SELECT is_demo FROM dataset_info").fetchone()[0] is True


_STATE = {
    "events": "SELECT id, status, status_at, closed_at, version, md5(description) FROM events ORDER BY id",
    "log": "SELECT count(*), count(DISTINCT event_id), max(id) FROM event_log",
    "grid figures": "SELECT * FROM stats_grid_day ORDER BY day, grid_code",
    "village figures": "SELECT * FROM stats_village_day ORDER BY day, village_code",
    "cell figures": "SELECT * FROM stats_cell_day ORDER BY 1, 2, 3, 4",
    "category figures": "SELECT * FROM stats_category_day ORDER BY 1, 2, 3",
    "schema": """SELECT c.relname, pg_get_indexdef(x.indexrelid) FROM pg_index x JOIN pg_class c ON c.oid = x.indexrelid
                  WHERE x.indrelid IN ('events'::regclass, 'event_log'::regclass)
                 UNION ALL SELECT conname, pg_get_constraintdef(oid) || convalidated::text FROM pg_constraint
                  WHERE conrelid IN ('events'::regclass, 'event_log'::regclass)
                 UNION ALL SELECT tgname, tgenabled::text FROM pg_trigger
                  WHERE tgrelid IN ('events'::regclass, 'event_log'::regclass) AND NOT tgisinternal ORDER BY 1, 2""",
}


def test_bulk_demo_load_equals_the_ordinary_one(monkeypatch):
    """The large-demo path (batches streamed, indexes and foreign keys re-built, the log replayed
    and the figures counted once) leaves the same events, states, figures and schema as the
    ordinary path through the triggers; forced here on 3,000 events in batches of 700."""
    from geo import db
    from loaders.demo import events as demo_events
    from loaders.demo.load import load
    from tests.fixtures import throwaway_database

    monkeypatch.setattr(demo_events, "BATCH", 700)
    got = {}
    for bulk in (False, True):
        monkeypatch.setattr(db, "BULK_MIN_ROWS", 1 if bulk else 10**9)
        monkeypatch.setattr(db, "BULK_MIN_SHARE", 0.0)
        with throwaway_database("jy_bulkdemo") as url:
            db.migrate(url)
            with db.connect(url) as conn:
                load(conn, generate(seed=5, events=3000, days=30, until=FIXED_UNTIL))
                got[bulk] = {k: conn.execute(v).fetchall() for k, v in _STATE.items()}
    assert len(got[True]["events"]) == 3000 and got[True]["log"][0][1] == 3000
    assert {r[1] for r in got[True]["events"]} >= {"closed", "reported", "in_progress"}
    for k in _STATE:
        assert got[True][k] == got[False][k], k
