-- Notification list: every third-level grid touching the zone, with its village, town and the
-- grid workers responsible for it.
WITH z AS (SELECT ST_SetSRID(ST_GeomFromWKB(%(zone)s), 4490) AS g)
SELECT t.name AS town, v.name AS village, g.code AS grid_code, g.name AS grid, g.population,
       string_agg(s.name || '（' || coalesce(s.phone, '') || '）', '、' ORDER BY s.id)
           FILTER (WHERE s.role = 'grid_worker') AS grid_workers
  FROM grids g JOIN grids v ON v.code = g.parent_code JOIN grids t ON t.code = g.town_code
  LEFT JOIN staff s ON s.grid_code = g.code, z
 WHERE g.level = 3 AND g.kind = 'admin' AND ST_Intersects(g.geom, z.g)
   AND ST_Area(ST_Intersection(ST_Transform(g.geom, 4549), ST_Transform(z.g, 4549))) > 1
 GROUP BY t.name, v.name, g.code, g.name, g.population
 ORDER BY g.code
