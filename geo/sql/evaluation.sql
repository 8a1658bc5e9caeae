-- 综合评价 per town, village, department or category over the local days [start, end), with the figure
-- definitions of geo/metrics.py (the same as every page's KPI row): reported and returns over
-- the events reported in the period; closures (and on-time, mean time) over the events closed in
-- the period; 催办次数 over the urges sent in the period; open and overdue now. Drills are not counted.
WITH p AS (
    SELECT %(start)s::date::timestamp AT TIME ZONE 'Asia/Shanghai' AS t0,
           %(end)s::date::timestamp AT TIME ZONE 'Asia/Shanghai' AS t1
), base AS (
    SELECT e.id, e.status, e.reported_at, e.closed_at, e.due_at,
           CASE %(group)s WHEN 'town' THEN e.town_code
                          WHEN 'village' THEN e.village_code
                          WHEN 'department' THEN e.assignee_department
                          ELSE e.category_code END AS key
      FROM events e
     WHERE NOT e.is_drill
       AND (%(scope_town)s::text IS NULL OR e.town_code = %(scope_town)s)
       AND (%(scope_village)s::text IS NULL OR e.village_code = %(scope_village)s)
       AND ((e.reported_at >= (SELECT t0 FROM p) AND e.reported_at < (SELECT t1 FROM p))
            OR (e.closed_at >= (SELECT t0 FROM p) AND e.closed_at < (SELECT t1 FROM p))
            OR jy_is_open(e.status))
), returns AS (
    SELECT l.event_id, count(*) AS n FROM event_log l
     WHERE l.to_status = 'returned'
       AND l.event_id IN (SELECT id FROM base WHERE reported_at >= (SELECT t0 FROM p)
                                                AND reported_at < (SELECT t1 FROM p))
     GROUP BY l.event_id
), urges AS (
    -- 催办 and 督办 sent in the period, by the event's town / department / category
    SELECT CASE %(group)s WHEN 'town' THEN e.town_code
                          WHEN 'village' THEN e.village_code
                          WHEN 'department' THEN e.assignee_department
                          ELSE e.category_code END AS key, count(*) AS n
      FROM event_urges u JOIN events e ON e.id = u.event_id
     WHERE NOT e.is_drill AND u.at >= (SELECT t0 FROM p) AND u.at < (SELECT t1 FROM p)
       AND (%(scope_town)s::text IS NULL OR e.town_code = %(scope_town)s)
       AND (%(scope_village)s::text IS NULL OR e.village_code = %(scope_village)s)
     GROUP BY 1
), agg AS (
    SELECT b.key,
           count(*) FILTER (WHERE b.reported_at >= (SELECT t0 FROM p) AND b.reported_at < (SELECT t1 FROM p)) AS reported,
           count(*) FILTER (WHERE b.closed_at >= (SELECT t0 FROM p) AND b.closed_at < (SELECT t1 FROM p)) AS closed,
           count(*) FILTER (WHERE b.closed_at >= (SELECT t0 FROM p) AND b.closed_at < (SELECT t1 FROM p)
                              AND b.closed_at <= b.due_at) AS closed_on_time,
           sum(extract(epoch FROM b.closed_at - b.reported_at))
               FILTER (WHERE b.closed_at >= (SELECT t0 FROM p) AND b.closed_at < (SELECT t1 FROM p))::float8 AS close_seconds,
           coalesce(sum(r.n), 0)::bigint AS returned,
           count(r.event_id) AS events_returned,
           count(*) FILTER (WHERE jy_is_open(b.status)) AS open,
           count(*) FILTER (WHERE jy_is_open(b.status) AND b.due_at < now()) AS overdue
      FROM base b LEFT JOIN returns r ON r.event_id = b.id
     GROUP BY b.key
), keys AS (
    -- every town (village) of the scope appears, with zeros when it had nothing
    SELECT g.code AS key FROM grids g
     WHERE %(group)s = 'town' AND g.level = 1 AND g.kind = 'admin'
       AND (%(scope_town)s::text IS NULL OR g.code = %(scope_town)s)
    UNION
    SELECT g.code FROM grids g
     WHERE %(group)s = 'village' AND g.level = 2 AND g.kind = 'admin'
       AND (%(scope_town)s::text IS NULL OR g.town_code = %(scope_town)s)
       AND (%(scope_village)s::text IS NULL OR g.code = %(scope_village)s)
    UNION
    SELECT key FROM agg
    UNION
    SELECT key FROM urges
)
SELECT k.key, coalesce(g.name, d.name, c.name, k.key, '（未派遣）') AS name,
       coalesce(a.reported, 0) AS reported, coalesce(a.closed, 0) AS closed,
       coalesce(a.closed_on_time, 0) AS closed_on_time, a.close_seconds,
       coalesce(a.returned, 0) AS returned, coalesce(a.events_returned, 0) AS events_returned,
       coalesce(u.n, 0) AS urged, coalesce(a.open, 0) AS open, coalesce(a.overdue, 0) AS overdue
  FROM keys k
  LEFT JOIN agg a ON a.key IS NOT DISTINCT FROM k.key
  LEFT JOIN urges u ON u.key IS NOT DISTINCT FROM k.key
  LEFT JOIN grids g ON %(group)s IN ('town', 'village') AND g.code = k.key
  LEFT JOIN departments d ON %(group)s = 'department' AND d.code = k.key
  LEFT JOIN event_categories c ON %(group)s = 'category' AND c.code = k.key
 ORDER BY k.key NULLS LAST
