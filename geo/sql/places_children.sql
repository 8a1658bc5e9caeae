SELECT g.code, g.name, g.population, ST_Area(g.geom::geography) / 1e6 AS area_km2
  FROM grids g
 WHERE g.kind = 'admin' AND g.level = %(child_level)s
   AND (%(scope_town)s::text IS NULL OR g.town_code = %(scope_town)s)
   AND (%(scope_village)s::text IS NULL OR g.village_code = %(scope_village)s)
 ORDER BY g.code
