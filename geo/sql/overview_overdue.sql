-- The most overdue open events (partial index on open events).
SELECT e.id, e.reported_at, e.status, e.priority, e.due_at, c.name AS category, g.name AS grid_name,
       t.name AS town_name, e.grid_code
  FROM events e
  JOIN event_categories c ON c.code = e.category_code
  JOIN grids g ON g.code = e.grid_code
  JOIN grids t ON t.code = e.town_code
 WHERE jy_is_open(e.status) AND e.due_at < now() AND NOT e.is_drill
   AND (%(scope_town)s::text IS NULL OR e.town_code = %(scope_town)s)
   AND (%(scope_village)s::text IS NULL OR e.village_code = %(scope_village)s)
 ORDER BY e.due_at, e.id
 LIMIT %(limit)s
