SELECT e.id, e.status, e.priority, c.name AS category, e.reported_at, e.due_at,
       (e.due_at < now()) AS overdue
  FROM events e JOIN event_categories c ON c.code = e.category_code
 WHERE e.assignee_staff_id = %(staff_id)s AND jy_is_open(e.status)
 ORDER BY e.due_at
 LIMIT 50
