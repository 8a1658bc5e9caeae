SELECT g.code, g.name, g.level, g.kind, g.dedicated_type, g.population,
       ST_Area(g.geom::geography) / 1e6 AS area_km2,
       ST_XMin(g.geom) AS minx, ST_YMin(g.geom) AS miny, ST_XMax(g.geom) AS maxx, ST_YMax(g.geom) AS maxy,
       g.parent_code
  FROM grids g
 WHERE g.code = ANY (%(codes)s::text[])
