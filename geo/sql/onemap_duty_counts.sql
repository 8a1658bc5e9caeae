-- 在线网格员 and the rest of the duty figures for a scope (same rule as onemap_duty.sql).
SELECT s.role, count(*) AS total, count(*) FILTER (WHERE s.on_duty) AS on_duty,
       count(*) FILTER (WHERE s.location_at > now() - make_interval(mins => %(online_minutes)s)) AS online
  FROM staff s
 WHERE s.role IN ('grid_worker', 'police')
   AND (%(scope_town)s::text IS NULL OR s.town_code = %(scope_town)s)
   AND (%(scope_village)s::text IS NULL OR s.village_code = %(scope_village)s)
 GROUP BY s.role
