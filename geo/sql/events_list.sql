-- Events in a scope matching the filters, newest first; `total` counts all matches. Periods are
-- local days (Asia/Shanghai) including today, as in the figures (geo/metrics.py): reported in the
-- last %(days)s days, closed in the last %(closed_days)s days. Drills are not listed (the figures
-- do not count them); they appear in 调度台 and on their own event page.
-- The matches are first reduced to (id, time), counted, and only the newest %(limit)s are joined
-- to their names: `count(*) OVER ()` over full rows cost 164 ms for a 30-day city list at 2 M events.
WITH t AS (
    SELECT coalesce(%(now)s::timestamptz, now()) AS now_ts,
           (coalesce(%(now)s::timestamptz, now()) AT TIME ZONE 'Asia/Shanghai')::date AS today
), p AS (
    SELECT ((SELECT today FROM t) - %(days)s::int + 1)::timestamp AT TIME ZONE 'Asia/Shanghai' AS reported_from,
           ((SELECT today FROM t) - %(closed_days)s::int + 1)::timestamp AT TIME ZONE 'Asia/Shanghai' AS closed_from,
           ((SELECT today FROM t) + 1)::timestamp AT TIME ZONE 'Asia/Shanghai' AS until
), m AS MATERIALIZED (
    SELECT e.id, e.reported_at
      FROM events e
      JOIN event_categories c ON c.code = e.category_code
     WHERE NOT e.is_drill
       AND (%(scope_town)s::text IS NULL OR e.town_code = %(scope_town)s)
       AND (%(scope_village)s::text IS NULL OR e.village_code = %(scope_village)s)
       AND (%(grid)s::text IS NULL OR e.grid_code = %(grid)s)
       AND (%(statuses)s::text[] IS NULL OR e.status = ANY (%(statuses)s::text[]))
       AND (%(classes)s::text[] IS NULL OR c.class_code = ANY (%(classes)s::text[]))
       AND (%(levels)s::text[] IS NULL OR e.handling_level = ANY (%(levels)s::text[]))
       AND (%(days)s::int IS NULL OR (e.reported_at >= (SELECT reported_from FROM p)
                                      AND e.reported_at < (SELECT until FROM p)))
       AND (%(closed_days)s::int IS NULL OR (e.closed_at >= (SELECT closed_from FROM p)
                                             AND e.closed_at < (SELECT until FROM p)))
       AND (NOT %(open_only)s OR jy_is_open(e.status))
       AND (NOT %(overdue_only)s OR (jy_is_open(e.status) AND e.due_at < (SELECT now_ts FROM t)))
), top AS (
    SELECT id FROM m ORDER BY reported_at DESC, id DESC LIMIT %(limit)s
)
SELECT e.id, e.reported_at, e.status, e.priority, e.handling_level, e.due_at, e.closed_at,
       c.name AS category, c.class_name, e.grid_code, g.name AS grid_name, e.description,
       (jy_is_open(e.status) AND e.due_at < (SELECT now_ts FROM t)) AS overdue,
       (SELECT count(*) FROM m) AS total
  FROM top
  JOIN events e ON e.id = top.id
  JOIN event_categories c ON c.code = e.category_code
  JOIN grids g ON g.code = e.grid_code
 ORDER BY e.reported_at DESC, e.id DESC
