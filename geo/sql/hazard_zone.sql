-- What lies in a zone (a ring or a threat zone; CGCS2000 WKB): third-level grids with the share
-- of their residents inside (areas in EPSG:4549), sensitive dedicated grids, and chemical sites.
WITH z AS (
    SELECT ST_SetSRID(ST_GeomFromWKB(%(zone)s), 4490) AS g
), zm AS (
    SELECT z.g, ST_Transform(z.g, 4549) AS m FROM z
), hit AS (
    SELECT g.code, g.name, g.parent_code AS village_code, v.name AS village_name, t.name AS town_name,
           g.population,
           ST_Area(ST_Intersection(ST_Transform(g.geom, 4549), zm.m)) / ST_Area(ST_Transform(g.geom, 4549)) AS share
      FROM grids g JOIN grids v ON v.code = g.parent_code JOIN grids t ON t.code = g.town_code, zm
     WHERE g.level = 3 AND g.kind = 'admin' AND ST_Intersects(g.geom, zm.g)
)
SELECT 'grid' AS what, code, name, village_code, village_name, town_name, NULL::text AS type,
       share, population * share AS people, NULL::double precision AS distance_m
  FROM hit WHERE share > 0
UNION ALL
SELECT 'sensitive', d.code, d.name, d.parent_code, NULL, NULL, d.dedicated_type, NULL, d.population, NULL
  FROM grids d, zm
 WHERE d.kind = 'dedicated' AND d.dedicated_type IN ('school', 'hospital', 'elderly_home', 'market')
   AND ST_Intersects(d.geom, zm.g)
UNION ALL
SELECT 'site', s.id::text, s.name, left(s.grid_code, 12), NULL, NULL, s.hazard_level::text, NULL, NULL,
       ST_Distance(s.geom::geography, ST_SetSRID(ST_MakePoint(%(lon)s, %(lat)s), 4490)::geography)
  FROM chem_sites s, zm
 WHERE ST_Intersects(s.geom, zm.g) AND (%(exclude_site)s::bigint IS NULL OR s.id <> %(exclude_site)s)
