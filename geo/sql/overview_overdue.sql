-- Open events for the lists beside the map and the wall's ticker (no drills): with urgent_only, the
-- open 特急 events (priority 1) newest first, pinned at the top of the ticker; otherwise the most
-- overdue ones, longest overdue first (both served by the partial index on open events).
SELECT e.id, e.reported_at, e.status, e.priority, e.due_at, e.closed_at, c.name AS category, g.name AS grid_name,
       t.name AS town_name, e.grid_code, (jy_is_open(e.status) AND e.due_at < now()) AS overdue
  FROM events e
  JOIN event_categories c ON c.code = e.category_code
  JOIN grids g ON g.code = e.grid_code
  JOIN grids t ON t.code = e.town_code
 WHERE jy_is_open(e.status) AND NOT e.is_drill
   AND (CASE WHEN %(urgent_only)s THEN e.priority = 1 ELSE e.due_at < now() END)
   AND (%(scope_town)s::text IS NULL OR e.town_code = %(scope_town)s)
   AND (%(scope_village)s::text IS NULL OR e.village_code = %(scope_village)s)
 ORDER BY CASE WHEN %(urgent_only)s THEN e.reported_at END DESC NULLS LAST, e.due_at, e.id
 LIMIT %(limit)s
