-- Service requests one other system filed (Open311 GeoReport v2, api/open311.py): its own only
-- (external_source), optionally by ids, category, time and open/closed; newest first, a page of them;
-- photo_id is its first photo (the media extension).
SELECT e.id, e.category_code, c.name AS category, e.description, e.address, e.status,
       jy_is_open(e.status) AS is_open, e.reported_at, e.due_at, e.closed_at,
       ST_X(e.location) AS lon, ST_Y(e.location) AS lat, d.name AS department, tm.name AS team,
       (SELECT max(l.at) FROM event_log l WHERE l.event_id = e.id) AS updated_at,
       (SELECT min(p.id) FROM event_photos p WHERE p.event_id = e.id) AS photo_id
  FROM events e
  JOIN event_categories c ON c.code = e.category_code
  LEFT JOIN departments d ON d.code = e.assignee_department
  LEFT JOIN enforcement_teams tm ON tm.code = e.assignee_team
 WHERE e.external_source = %(source)s AND e.external_id IS NOT NULL      -- events_external_idx
   AND (%(ids)s::bigint[] IS NULL OR e.id = ANY (%(ids)s::bigint[]))
   AND (%(category)s::text IS NULL OR e.category_code = %(category)s)
   AND (%(start)s::timestamptz IS NULL OR e.reported_at >= %(start)s)
   AND (%(end)s::timestamptz IS NULL OR e.reported_at < %(end)s)
   AND (%(open)s::boolean IS NULL OR jy_is_open(e.status) = %(open)s)
 ORDER BY e.reported_at DESC, e.id DESC
 LIMIT %(limit)s OFFSET %(offset)s
