-- The dispatch queue: overdue first, then by time left (due_at), then oldest report.
SELECT e.id, e.status, e.version, e.priority, e.handling_level, e.reported_at, e.due_at,
       e.due_at < now() AS overdue, c.name AS category, c.class_name, e.grid_code, g.name AS grid_name,
       t.name AS town_name, e.description, d.short_name AS department, e.assignee_department,
       e.assignee_team, ST_X(e.location) AS lon, ST_Y(e.location) AS lat
  FROM events e
  JOIN event_categories c ON c.code = e.category_code
  JOIN grids g ON g.code = e.grid_code
  JOIN grids t ON t.code = e.town_code
  LEFT JOIN departments d ON d.code = e.assignee_department
 WHERE (%(event_id)s::bigint IS NULL OR e.id = %(event_id)s)
   AND (e.status = ANY (%(statuses)s::text[]) OR (%(event_id)s::bigint IS NOT NULL
                                                  AND e.status NOT IN ('closed', 'rejected')))
   AND (%(level)s::text IS NULL OR e.handling_level = %(level)s)
   AND (%(town)s::text IS NULL OR e.town_code = %(town)s)
   AND (%(village)s::text IS NULL OR e.village_code = %(village)s)
   AND (%(classes)s::text[] IS NULL OR c.class_code = ANY (%(classes)s::text[]))
   AND (NOT %(overdue_only)s OR e.due_at < now())
 ORDER BY (e.due_at < now()) DESC, e.due_at, e.reported_at, e.id
 LIMIT %(limit)s
