SELECT e.id, e.status, e.priority, c.name AS category, e.reported_at,
       (jy_is_open(e.status) AND e.due_at < now()) AS overdue,
       ST_X(e.location) AS lon, ST_Y(e.location) AS lat
  FROM events e JOIN event_categories c ON c.code = e.category_code
 WHERE NOT e.is_drill AND (%(scope_town)s::text IS NULL OR e.town_code = %(scope_town)s)
   AND (%(scope_village)s::text IS NULL OR e.village_code = %(scope_village)s)
   AND (%(grid)s::text IS NULL OR e.grid_code = %(grid)s)
   AND (e.reported_at > now() - make_interval(days => %(days)s) OR jy_is_open(e.status))
 ORDER BY e.reported_at DESC
 LIMIT %(limit)s
