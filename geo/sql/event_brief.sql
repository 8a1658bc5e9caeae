-- What a terminal is told about one event (the API's answer to a report and to GET /reports/{id}):
-- fewer joins than event_detail, so that answering a report costs little.
SELECT e.id, e.status, e.version, e.priority, e.reported_at, e.due_at, e.description, e.grid_code,
       e.town_code, e.village_code, c.name AS category, g.name AS grid_name
  FROM events e
  JOIN event_categories c ON c.code = e.category_code
  JOIN grids g ON g.code = e.grid_code
 WHERE e.id = %(id)s
