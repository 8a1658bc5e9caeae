-- Headline figures for a scope at a moment: reports today, open, overdue, closed within limit.
WITH t AS (
    SELECT coalesce(%(now)s::timestamptz, now()) AS now_ts
), e AS (
    SELECT e.* FROM events e
     WHERE (%(scope_town)s::text IS NULL OR e.town_code = %(scope_town)s)
       AND (%(scope_village)s::text IS NULL OR e.village_code = %(scope_village)s)
)
SELECT
    count(*) FILTER (WHERE e.reported_at >= date_trunc('day', t.now_ts)
                       AND e.reported_at <= t.now_ts)                                AS reports_today,
    count(*) FILTER (WHERE e.status NOT IN ('closed', 'rejected'))                  AS open,
    count(*) FILTER (WHERE e.status NOT IN ('closed', 'rejected')
                       AND e.due_at < t.now_ts)                                      AS overdue,
    count(*) FILTER (WHERE e.closed_at > t.now_ts - make_interval(days => %(days)s)
                       AND e.closed_at <= t.now_ts)                                  AS closed_period,
    count(*) FILTER (WHERE e.closed_at > t.now_ts - make_interval(days => %(days)s)
                       AND e.closed_at <= t.now_ts AND e.closed_at <= e.due_at)      AS closed_on_time,
    avg(extract(epoch FROM e.closed_at - e.reported_at) / 3600.0)
        FILTER (WHERE e.closed_at > t.now_ts - make_interval(days => %(days)s)
                  AND e.closed_at <= t.now_ts)                                       AS mean_close_hours,
    max(e.reported_at)                                                               AS latest_report
  FROM e CROSS JOIN t
 GROUP BY t.now_ts
