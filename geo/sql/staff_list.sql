SELECT s.id, s.name, s.role, s.on_duty, s.grid_code, g.name AS grid_name, s.terminal_id, s.phone,
       ST_X(s.location) AS lon, ST_Y(s.location) AS lat
  FROM staff s JOIN grids g ON g.code = s.grid_code
 WHERE (%(scope_town)s::text IS NULL OR s.town_code = %(scope_town)s)
   AND (%(scope_village)s::text IS NULL OR s.village_code = %(scope_village)s)
   AND (%(grid)s::text IS NULL OR s.grid_code = %(grid)s)
   AND (NOT %(on_duty_only)s OR s.on_duty)
 ORDER BY s.grid_code, s.role, s.id
 LIMIT %(limit)s
