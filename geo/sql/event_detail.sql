SELECT e.id, e.category_code, c.name AS category, c.class_name, c.limit_value, c.limit_unit,
       e.status, e.version, e.priority, e.handling_level, e.reported_at, e.due_at, e.status_at, e.closed_at,
       e.description, e.address, e.address_match, e.address_score, e.attributes, e.source, e.grid_code, e.town_code, e.village_code, e.is_drill,
       g.name AS grid_name, v.name AS village_name, t.name AS town_name,
       d.name AS department, tm.name AS team,
       coalesce(s.name, e.reporter_name) AS reporter, s.role AS reporter_role,
       a.name AS assignee, a.role AS assignee_role, a.phone AS assignee_phone,
       ST_X(e.location) AS lon, ST_Y(e.location) AS lat
  FROM events e
  JOIN event_categories c ON c.code = e.category_code
  JOIN grids g ON g.code = e.grid_code
  JOIN grids v ON v.code = e.village_code
  JOIN grids t ON t.code = e.town_code
  LEFT JOIN departments d ON d.code = e.assignee_department
  LEFT JOIN enforcement_teams tm ON tm.code = e.assignee_team
  LEFT JOIN staff s ON s.id = e.reporter_staff_id
  LEFT JOIN staff a ON a.id = e.assignee_staff_id
 WHERE e.id = %(id)s
