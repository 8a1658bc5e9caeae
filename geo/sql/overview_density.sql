-- Event density: counts in square cells of %(cell_m)s metres (EPSG:4549) over the last days.
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
SELECT n, ST_AsGeoJSON(ST_Transform(
           ST_Square(%(cell_m)s, i, j, 'SRID=4549;POINT(0 0)'::geometry), 4490), 5) AS geojson
  FROM cells
 ORDER BY i, j
