-- Event density: reports in square cells of 1 km (EPSG:4549) over the last %(days)s local days,
-- from stats_cell_day; each cell returned as its lower-left corner in CGCS2000.
WITH t AS (
    SELECT (coalesce(%(now)s::timestamptz, now()) AT TIME ZONE 'Asia/Shanghai')::date AS today
), cells AS (
    SELECT c.cell_i AS i, c.cell_j AS j, sum(c.reported) AS n
      FROM stats_cell_day c, t
     WHERE c.day > t.today - %(days)s AND c.day <= t.today
       AND (%(scope_town)s::text IS NULL OR c.town_code = %(scope_town)s)
       AND (%(scope_village)s::text IS NULL OR c.village_code = %(scope_village)s)
     GROUP BY 1, 2
    HAVING sum(c.reported) > 0
)
SELECT n, ST_X(c) AS lon, ST_Y(c) AS lat
  FROM (SELECT n, i, j, ST_Transform(ST_SetSRID(ST_MakePoint(i * %(cell_m)s, j * %(cell_m)s), 4549), 4490) AS c
          FROM cells) s
 ORDER BY i, j
