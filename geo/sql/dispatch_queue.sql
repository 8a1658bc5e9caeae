-- The dispatch queue: overdue first, then by time left (due_at), then oldest report. With
-- %(search)s: events whose number, address or description matches, open or not (the search box).
SELECT e.id, e.status, e.version, e.priority, e.handling_level, e.reported_at, e.due_at, e.is_drill,
       (jy_is_open(e.status) AND e.due_at < now()) AS overdue,
       c.name AS category, c.class_name, e.grid_code, g.name AS grid_name,
       t.name AS town_name, e.description, e.address, d.short_name AS department, tm.name AS team,
       e.assignee_department, e.assignee_team, a.name AS assignee, ST_X(e.location) AS lon, ST_Y(e.location) AS lat,
       e.town_code, e.village_code, e.assignee_staff_id     -- what decides the actions offered (geo.workflow.permitted)
  FROM events e
  JOIN event_categories c ON c.code = e.category_code
  JOIN grids g ON g.code = e.grid_code
  JOIN grids t ON t.code = e.town_code
  LEFT JOIN departments d ON d.code = e.assignee_department
  LEFT JOIN enforcement_teams tm ON tm.code = e.assignee_team
  LEFT JOIN staff a ON a.id = e.assignee_staff_id
 WHERE (%(event_id)s::bigint IS NULL OR e.id = %(event_id)s)
   AND (%(search)s::text IS NOT NULL
        OR e.status = ANY (%(statuses)s::text[])
        OR (%(event_id)s::bigint IS NOT NULL AND jy_is_open(e.status)))
   AND (%(search)s::text IS NULL
        OR e.id::text = %(search)s
        OR strpos(e.description, %(search)s) > 0
        OR strpos(coalesce(e.address, ''), %(search)s) > 0)
   AND (%(level)s::text IS NULL OR e.handling_level = %(level)s)
   AND (%(town)s::text IS NULL OR e.town_code = %(town)s)
   AND (%(village)s::text IS NULL OR e.village_code = %(village)s)
   AND (%(classes)s::text[] IS NULL OR c.class_code = ANY (%(classes)s::text[]))
   AND (NOT %(overdue_only)s OR (jy_is_open(e.status) AND e.due_at < now()))
 ORDER BY (jy_is_open(e.status) AND e.due_at < now()) DESC,
          NOT jy_is_open(e.status), e.due_at, e.reported_at, e.id
 LIMIT %(limit)s
