-- Dedicated grids (专属网格) in the scope, or overlapping a given grid (shared area > 1 m2).
SELECT d.code, d.name, d.dedicated_type, d.population, d.parent_code,
       ST_Area(d.geom::geography) / 1e6 AS area_km2,
       ST_AsGeoJSON(ST_Transform(ST_SimplifyPreserveTopology(ST_Transform(d.geom, 4549),
                                                             %(tolerance_m)s), 4490), 6) AS geojson
  FROM grids d
 WHERE d.kind = 'dedicated'
   AND (%(scope_town)s::text IS NULL OR d.town_code = %(scope_town)s)
   AND (%(scope_village)s::text IS NULL OR d.village_code = %(scope_village)s OR %(grid)s::text IS NOT NULL)
   AND (%(grid)s::text IS NULL OR EXISTS (
           SELECT 1 FROM grids g WHERE g.code = %(grid)s AND ST_Intersects(g.geom, d.geom)
              AND ST_Area(ST_Transform(ST_Intersection(g.geom, d.geom), 4549)) > 1.0))
 ORDER BY d.code
