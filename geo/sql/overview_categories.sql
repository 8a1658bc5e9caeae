-- Per category class: reported over the last %(days)s local days (stats_category_day), open and
-- overdue now (the open events).
WITH t AS (
    SELECT coalesce(%(now)s::timestamptz, now()) AS now_ts,
           (coalesce(%(now)s::timestamptz, now()) AT TIME ZONE 'Asia/Shanghai')::date AS today
), r AS (
    SELECT category_code, sum(n) AS reported FROM (
        SELECT s.category_code, s.reported AS n
          FROM stats_category_day s
         WHERE %(scope_village)s::text IS NULL AND s.day > (SELECT today FROM t) - %(days)s AND s.day <= (SELECT today FROM t)
           AND (%(scope_town)s::text IS NULL OR s.town_code = %(scope_town)s)
        UNION ALL
        SELECT e.category_code, 1 FROM events e
         WHERE e.village_code = %(scope_village)s AND NOT e.is_drill
           AND (e.reported_at AT TIME ZONE 'Asia/Shanghai')::date > (SELECT today FROM t) - %(days)s
           AND (e.reported_at AT TIME ZONE 'Asia/Shanghai')::date <= (SELECT today FROM t)) u
     GROUP BY 1
), o AS (
    SELECT e.category_code, count(*) AS open, count(*) FILTER (WHERE e.due_at < (SELECT now_ts FROM t)) AS overdue
      FROM events e
     WHERE jy_is_open(e.status) AND NOT e.is_drill
       AND (%(scope_town)s::text IS NULL OR e.town_code = %(scope_town)s)
       AND (%(scope_village)s::text IS NULL OR e.village_code = %(scope_village)s)
     GROUP BY 1
)
SELECT c.class_code, c.class_name, coalesce(sum(r.reported), 0)::bigint AS reported,
       coalesce(sum(o.open), 0)::bigint AS open, coalesce(sum(o.overdue), 0)::bigint AS overdue
  FROM event_categories c LEFT JOIN r ON r.category_code = c.code LEFT JOIN o ON o.category_code = c.code
 GROUP BY c.class_code, c.class_name
HAVING coalesce(sum(r.reported), 0) + coalesce(sum(o.open), 0) > 0
 ORDER BY reported DESC, c.class_code
