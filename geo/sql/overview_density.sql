-- Event density: counts in square cells of %(cell_m)s metres (EPSG:4549) over the last days,
-- each returned as its lower-left corner in CGCS2000.
-- Aggregated in PostGIS, so the map receives cells, never raw events.
WITH t AS (
    SELECT coalesce(%(now)s::timestamptz, now()) AS now_ts
), pts AS (
    SELECT ST_Transform(e.location, 4549) AS p
      FROM events e CROSS JOIN t
     WHERE e.reported_at > t.now_ts - make_interval(days => %(days)s) AND e.reported_at <= t.now_ts
       AND (%(scope_town)s::text IS NULL OR e.town_code = %(scope_town)s)
       AND (%(scope_village)s::text IS NULL OR e.village_code = %(scope_village)s)
), cells AS (
    SELECT floor(ST_X(p) / %(cell_m)s)::int AS i, floor(ST_Y(p) / %(cell_m)s)::int AS j, count(*) AS n
      FROM pts GROUP BY 1, 2
)
SELECT n, ST_X(c) AS lon, ST_Y(c) AS lat
  FROM (SELECT n, i, j, ST_Transform(ST_SetSRID(ST_MakePoint(i * %(cell_m)s, j * %(cell_m)s), 4549), 4490) AS c
          FROM cells) s
 ORDER BY i, j
