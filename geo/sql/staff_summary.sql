SELECT s.role, count(*) AS total, count(*) FILTER (WHERE s.on_duty) AS on_duty
  FROM staff s
 WHERE (%(scope_town)s::text IS NULL OR s.town_code = %(scope_town)s)
   AND (%(scope_village)s::text IS NULL OR s.village_code = %(scope_village)s)
   AND (%(grid)s::text IS NULL OR s.grid_code = %(grid)s)
 GROUP BY s.role
 ORDER BY s.role
