SELECT s.sector, s.status, count(*) AS n
  FROM supervised_enterprises s
 WHERE (%(scope_town)s::text IS NULL OR s.town_code = %(scope_town)s)
   AND (%(scope_village)s::text IS NULL OR s.village_code = %(scope_village)s)
   AND (%(area)s::text IS NULL OR starts_with(s.grid_code, %(area)s))
 GROUP BY s.sector, s.status
