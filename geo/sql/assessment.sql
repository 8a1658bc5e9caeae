-- 考核: the raw counts behind each input of the monthly score (geo/assessment.py), per town, village
-- or grid worker of the scope, over the local days [start, end). Drills are not counted.
--   on-time rate      events closed in the period (town/village: where they are; worker: assigned to them)
--   return rate       events reported in the period that were returned (退回) at least once
--   patrol coverage   town/village: (grid, day) pairs with a 巡查打卡 over grids × days; worker: days with one
--   reports/worker    events reported in the period by grid workers of the area, per grid worker
--   urges per 100     催办/督办 sent in the period on the unit's events, per 100 events reported
WITH p AS (
    SELECT %(start)s::date::timestamp AT TIME ZONE 'Asia/Shanghai' AS t0,
           %(end)s::date::timestamp AT TIME ZONE 'Asia/Shanghai' AS t1
), units AS (
    SELECT g.code AS key, g.name, g.town_code FROM grids g
     WHERE %(unit)s = 'town' AND g.level = 1
       AND (%(scope_town)s::text IS NULL OR g.town_code = %(scope_town)s)
    UNION ALL
    SELECT g.code, g.name, g.town_code FROM grids g
     WHERE %(unit)s = 'village' AND g.level = 2
       AND (%(scope_town)s::text IS NULL OR g.town_code = %(scope_town)s)
       AND (%(scope_village)s::text IS NULL OR g.village_code = %(scope_village)s)
    UNION ALL
    SELECT s.id::text, s.name, s.town_code FROM staff s
     WHERE %(unit)s = 'worker' AND s.role = 'grid_worker'
       AND (%(scope_town)s::text IS NULL OR s.town_code = %(scope_town)s)
       AND (%(scope_village)s::text IS NULL OR s.village_code = %(scope_village)s)
), ev AS (
    SELECT e.id, e.reported_at, e.closed_at, e.due_at,
           e.reported_at >= (SELECT t0 FROM p) AND e.reported_at < (SELECT t1 FROM p) AS in_reported,
           coalesce(e.closed_at >= (SELECT t0 FROM p) AND e.closed_at < (SELECT t1 FROM p), false) AS in_closed,
           CASE %(unit)s WHEN 'town' THEN e.town_code WHEN 'village' THEN e.village_code
                         ELSE e.assignee_staff_id::text END AS key
      FROM events e
     WHERE NOT e.is_drill
       AND (%(scope_town)s::text IS NULL OR e.town_code = %(scope_town)s)
       AND (%(scope_village)s::text IS NULL OR e.village_code = %(scope_village)s)
       AND ((e.reported_at >= (SELECT t0 FROM p) AND e.reported_at < (SELECT t1 FROM p))
            OR (e.closed_at >= (SELECT t0 FROM p) AND e.closed_at < (SELECT t1 FROM p)))
), ret AS (
    SELECT DISTINCT l.event_id FROM event_log l
     WHERE l.to_status = 'returned' AND l.event_id IN (SELECT id FROM ev WHERE in_reported)
), e_agg AS (
    SELECT ev.key,
           count(*) FILTER (WHERE ev.in_reported) AS reported,
           count(*) FILTER (WHERE ev.in_closed) AS closed,
           count(*) FILTER (WHERE ev.in_closed AND ev.closed_at <= ev.due_at) AS closed_on_time,
           count(ret.event_id) FILTER (WHERE ev.in_reported) AS returned_events
      FROM ev LEFT JOIN ret ON ret.event_id = ev.id
     GROUP BY ev.key
), reports AS (
    SELECT CASE %(unit)s WHEN 'town' THEN s.town_code WHEN 'village' THEN s.village_code ELSE s.id::text END AS key,
           count(*) AS n
      FROM events e JOIN staff s ON s.id = e.reporter_staff_id
     WHERE s.role = 'grid_worker' AND NOT e.is_drill
       AND e.reported_at >= (SELECT t0 FROM p) AND e.reported_at < (SELECT t1 FROM p)
       AND (%(scope_town)s::text IS NULL OR s.town_code = %(scope_town)s)
       AND (%(scope_village)s::text IS NULL OR s.village_code = %(scope_village)s)
     GROUP BY 1
), workers AS (
    SELECT CASE %(unit)s WHEN 'town' THEN s.town_code WHEN 'village' THEN s.village_code ELSE s.id::text END AS key,
           count(*) AS n
      FROM staff s
     WHERE s.role = 'grid_worker'
       AND (%(scope_town)s::text IS NULL OR s.town_code = %(scope_town)s)
       AND (%(scope_village)s::text IS NULL OR s.village_code = %(scope_village)s)
     GROUP BY 1
), patrol AS (
    SELECT CASE %(unit)s WHEN 'town' THEN c.town_code WHEN 'village' THEN c.village_code ELSE c.staff_id::text END AS key,
           CASE %(unit)s WHEN 'worker' THEN count(DISTINCT (c.at AT TIME ZONE 'Asia/Shanghai')::date)
                ELSE count(DISTINCT (c.grid_code, (c.at AT TIME ZONE 'Asia/Shanghai')::date)) END AS n
      FROM checkins c
     WHERE c.at >= (SELECT t0 FROM p) AND c.at < (SELECT t1 FROM p)
       AND (%(scope_town)s::text IS NULL OR c.town_code = %(scope_town)s)
       AND (%(scope_village)s::text IS NULL OR c.village_code = %(scope_village)s)
     GROUP BY 1
), grids_n AS (
    SELECT CASE %(unit)s WHEN 'town' THEN g.town_code ELSE g.village_code END AS key, count(*) AS n
      FROM grids g
     WHERE g.level = 3 AND %(unit)s <> 'worker'
       AND (%(scope_town)s::text IS NULL OR g.town_code = %(scope_town)s)
       AND (%(scope_village)s::text IS NULL OR g.village_code = %(scope_village)s)
     GROUP BY 1
), urges AS (
    SELECT CASE %(unit)s WHEN 'town' THEN e.town_code WHEN 'village' THEN e.village_code
                         ELSE e.assignee_staff_id::text END AS key, count(*) AS n
      FROM event_urges u JOIN events e ON e.id = u.event_id
     WHERE NOT e.is_drill AND u.at >= (SELECT t0 FROM p) AND u.at < (SELECT t1 FROM p)
       AND (%(scope_town)s::text IS NULL OR e.town_code = %(scope_town)s)
       AND (%(scope_village)s::text IS NULL OR e.village_code = %(scope_village)s)
     GROUP BY 1
)
SELECT u.key, u.name, u.town_code, t.name AS town_name,
       coalesce(a.reported, 0)::int AS reported, coalesce(a.closed, 0)::int AS closed,
       coalesce(a.closed_on_time, 0)::int AS closed_on_time, coalesce(a.returned_events, 0)::int AS returned_events,
       coalesce(r.n, 0)::int AS worker_reports, coalesce(w.n, 0)::int AS workers,
       coalesce(pt.n, 0)::int AS patrol_units, coalesce(gn.n, 0)::int AS grids, coalesce(ur.n, 0)::int AS urges
  FROM units u
  LEFT JOIN grids t ON t.code = u.town_code
  LEFT JOIN e_agg a ON a.key = u.key
  LEFT JOIN reports r ON r.key = u.key
  LEFT JOIN workers w ON w.key = u.key
  LEFT JOIN patrol pt ON pt.key = u.key
  LEFT JOIN grids_n gn ON gn.key = u.key
  LEFT JOIN urges ur ON ur.key = u.key
 ORDER BY u.key
