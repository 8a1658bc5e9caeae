SELECT c.id, c.name, c.enterprise, c.hazard_level, c.main_chemicals, c.town_code,
       ST_X(c.geom) AS lon, ST_Y(c.geom) AS lat
  FROM chem_sites c
 WHERE (%(scope_town)s::text IS NULL OR c.town_code = %(scope_town)s)
   AND (%(scope_village)s::text IS NULL OR left(c.grid_code, 12) = %(scope_village)s)
 ORDER BY c.hazard_level, c.id
