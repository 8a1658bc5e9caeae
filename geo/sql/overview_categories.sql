-- Per category class: reported over the period, open and overdue now.
WITH t AS (
    SELECT coalesce(%(now)s::timestamptz, now()) AS now_ts
)
SELECT c.class_code, c.class_name,
       count(*) FILTER (WHERE e.reported_at > t.now_ts - make_interval(days => %(days)s)
                          AND e.reported_at <= t.now_ts) AS reported,
       count(*) FILTER (WHERE e.status NOT IN ('closed', 'rejected')) AS open,
       count(*) FILTER (WHERE e.status NOT IN ('closed', 'rejected') AND e.due_at < t.now_ts) AS overdue
  FROM events e JOIN event_categories c ON c.code = e.category_code CROSS JOIN t
 WHERE (%(scope_town)s::text IS NULL OR e.town_code = %(scope_town)s)
   AND (%(scope_village)s::text IS NULL OR e.village_code = %(scope_village)s)
 GROUP BY c.class_code, c.class_name
 ORDER BY reported DESC, c.class_code
