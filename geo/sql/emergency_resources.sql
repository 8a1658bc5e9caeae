SELECT r.id, r.name, r.kind, r.personnel, r.vehicles, r.town_code, ST_X(r.geom) AS lon, ST_Y(r.geom) AS lat
  FROM emergency_resources r
 WHERE (%(scope_town)s::text IS NULL OR r.town_code = %(scope_town)s)
   AND (%(scope_village)s::text IS NULL OR left(r.grid_code, 12) = %(scope_village)s)
 ORDER BY r.kind, r.id
