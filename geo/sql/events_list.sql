-- Events in a scope matching the filters, newest first; `total` counts all matches.
WITH t AS (
    SELECT coalesce(%(now)s::timestamptz, now()) AS now_ts
)
SELECT e.id, e.reported_at, e.status, e.priority, e.handling_level, e.due_at, e.closed_at,
       c.name AS category, c.class_name, e.grid_code, g.name AS grid_name, e.description,
       (e.status NOT IN ('closed', 'rejected') AND e.due_at < (SELECT now_ts FROM t)) AS overdue,
       count(*) OVER () AS total
  FROM events e
  JOIN event_categories c ON c.code = e.category_code
  JOIN grids g ON g.code = e.grid_code
 WHERE (%(scope_town)s::text IS NULL OR e.town_code = %(scope_town)s)
   AND (%(scope_village)s::text IS NULL OR e.village_code = %(scope_village)s)
   AND (%(grid)s::text IS NULL OR e.grid_code = %(grid)s)
   AND (%(statuses)s::text[] IS NULL OR e.status = ANY (%(statuses)s::text[]))
   AND (%(classes)s::text[] IS NULL OR c.class_code = ANY (%(classes)s::text[]))
   AND (%(levels)s::text[] IS NULL OR e.handling_level = ANY (%(levels)s::text[]))
   AND (%(days)s::int IS NULL OR e.reported_at > (SELECT now_ts FROM t) - make_interval(days => %(days)s::int))
   AND (NOT %(open_only)s OR e.status NOT IN ('closed', 'rejected'))
   AND (NOT %(overdue_only)s OR (e.status NOT IN ('closed', 'rejected') AND e.due_at < (SELECT now_ts FROM t)))
 ORDER BY e.reported_at DESC, e.id DESC
 LIMIT %(limit)s
