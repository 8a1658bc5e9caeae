-- Events whose number, address or description contains the text, in the viewer's scope (row-level
-- security), newest first. Drills are found too (and labelled 演练 on screen).
SELECT e.id, e.reported_at, e.status, e.priority, e.handling_level, e.due_at, e.closed_at, e.is_drill,
       c.name AS category, c.class_name, e.grid_code, g.name AS grid_name, e.description, e.address,
       (jy_is_open(e.status) AND e.due_at < now()) AS overdue
  FROM events e
  JOIN event_categories c ON c.code = e.category_code
  JOIN grids g ON g.code = e.grid_code
 WHERE e.id::text = %(q)s
    OR strpos(e.description, %(q)s) > 0
    OR strpos(coalesce(e.address, ''), %(q)s) > 0
 ORDER BY (e.id::text = %(q)s) DESC, e.reported_at DESC, e.id DESC
 LIMIT %(limit)s
