SELECT p.id, p.code, p.kind, p.name, p.matters, p.services_30d, p.grid_code,
       ST_X(p.location) AS lon, ST_Y(p.location) AS lat
  FROM service_points p
 WHERE (%(scope_town)s::text IS NULL OR p.town_code = %(scope_town)s)
   AND (%(scope_village)s::text IS NULL OR p.village_code = %(scope_village)s)
 ORDER BY p.kind, p.code
