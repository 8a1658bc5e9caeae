-- Event density: reports in square cells of 1 km (EPSG:4549) over the last %(days)s local days,
-- from stats_cell_day; each cell returned as its lower-left corner in CGCS2000.
WITH t AS (
    SELECT (coalesce(%(now)s::timestamptz, now()) AT TIME ZONE 'Asia/Shanghai')::date AS today
), cells AS (
    SELECT i, j, sum(n)::bigint AS n FROM (
        -- city and town: the per-cell figures
        SELECT c.cell_i AS i, c.cell_j AS j, c.reported AS n
          FROM stats_cell_day c
         WHERE %(scope_village)s::text IS NULL AND c.day > (SELECT today FROM t) - %(days)s AND c.day <= (SELECT today FROM t)
           AND (%(scope_town)s::text IS NULL OR c.town_code = %(scope_town)s)
        UNION ALL
        -- a village: its own few events
        SELECT floor(ST_X(ST_Transform(e.location, 4549)) / %(cell_m)s)::int,
               floor(ST_Y(ST_Transform(e.location, 4549)) / %(cell_m)s)::int, 1
          FROM events e
         WHERE e.village_code = %(scope_village)s AND NOT e.is_drill
           AND (e.reported_at AT TIME ZONE 'Asia/Shanghai')::date > (SELECT today FROM t) - %(days)s
           AND (e.reported_at AT TIME ZONE 'Asia/Shanghai')::date <= (SELECT today FROM t)) u
     GROUP BY 1, 2
    HAVING sum(n) > 0
)
SELECT n, ST_X(c) AS lon, ST_Y(c) AS lat
  FROM (SELECT n, i, j, ST_Transform(ST_SetSRID(ST_MakePoint(i * %(cell_m)s, j * %(cell_m)s), 4549), 4490) AS c
          FROM cells) s
 ORDER BY i, j
