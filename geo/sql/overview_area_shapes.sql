-- Area polygons one level below the scope, simplified in metres for the zoom they are shown at,
-- as GeoJSON in CGCS2000 (5 decimals, about 1 m).
SELECT g.code, g.name,
       ST_AsGeoJSON(ST_Transform(
           ST_SimplifyPreserveTopology(ST_Transform(g.geom, 4549), %(tolerance_m)s), 4490), 5) AS geojson
  FROM grids g
 WHERE g.kind = 'admin' AND g.level = %(child_level)s
   AND (%(scope_town)s::text IS NULL OR g.town_code = %(scope_town)s)
   AND (%(scope_village)s::text IS NULL OR g.village_code = %(scope_village)s)
 ORDER BY g.code
