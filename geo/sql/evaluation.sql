-- Evaluation of the events reported in [start, end): per town, department or category.
WITH e AS (
    SELECT e.*, CASE %(group)s WHEN 'town' THEN e.town_code
                               WHEN 'department' THEN e.assignee_department
                               ELSE e.category_code END AS key
      FROM events e
     WHERE e.reported_at >= %(start)s AND e.reported_at < %(end)s
       AND (%(scope_town)s::text IS NULL OR e.town_code = %(scope_town)s)
       AND (%(scope_village)s::text IS NULL OR e.village_code = %(scope_village)s)
), returns AS (
    SELECT l.event_id, count(*) AS n FROM event_log l JOIN e ON e.id = l.event_id
     WHERE l.to_status = 'returned' GROUP BY l.event_id
), agg AS (
    SELECT e.key, count(*) AS reported,
           count(*) FILTER (WHERE e.status = 'closed') AS closed,
           count(*) FILTER (WHERE e.status = 'closed' AND e.closed_at <= e.due_at) AS closed_on_time,
           avg(extract(epoch FROM e.closed_at - e.reported_at) / 3600.0) FILTER (WHERE e.status = 'closed')
               AS mean_close_hours,
           coalesce(sum(r.n), 0) AS returned,
           count(r.event_id) AS events_returned,
           count(*) FILTER (WHERE e.status NOT IN ('closed', 'rejected')) AS open,
           count(*) FILTER (WHERE e.status NOT IN ('closed', 'rejected') AND e.due_at < now()) AS overdue_open
      FROM e LEFT JOIN returns r ON r.event_id = e.id
     GROUP BY e.key
)
SELECT a.key, coalesce(g.name, d.name, c.name, a.key) AS name, a.reported, a.closed, a.closed_on_time,
       CASE WHEN a.closed > 0 THEN a.closed_on_time::numeric / a.closed END AS on_time_rate,
       a.mean_close_hours, a.returned,
       CASE WHEN a.reported > 0 THEN a.events_returned::numeric / a.reported END AS return_rate,
       a.open, a.overdue_open
  FROM agg a
  LEFT JOIN grids g ON %(group)s = 'town' AND g.code = a.key
  LEFT JOIN departments d ON %(group)s = 'department' AND d.code = a.key
  LEFT JOIN event_categories c ON %(group)s = 'category' AND c.code = a.key
 ORDER BY on_time_rate NULLS LAST, a.reported DESC, a.key
