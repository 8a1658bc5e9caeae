-- Headline figures for a scope at a moment. Counts of reports and closures come from the
-- pre-aggregated stats_village_day (migration 005), over the last %(days)s local days including
-- today; open and overdue from the few open events (partial index).
WITH t AS (
    SELECT coalesce(%(now)s::timestamptz, now()) AS now_ts,
           (coalesce(%(now)s::timestamptz, now()) AT TIME ZONE 'Asia/Shanghai')::date AS today
), s AS (
    SELECT coalesce(sum(g.reported) FILTER (WHERE g.day = (SELECT today FROM t)), 0)::bigint AS reports_today,
           coalesce(sum(g.closed), 0)::bigint AS closed_period,
           coalesce(sum(g.closed_on_time), 0)::bigint AS closed_on_time,
           sum(g.close_seconds) / nullif(sum(g.closed), 0) / 3600.0 AS mean_close_hours
      FROM stats_village_day g
     WHERE g.day > (SELECT today FROM t) - %(days)s AND g.day <= (SELECT today FROM t)
       AND (%(scope_town)s::text IS NULL OR g.town_code = %(scope_town)s)
       AND (%(scope_village)s::text IS NULL OR g.village_code = %(scope_village)s)
), o AS (
    SELECT count(*) AS open, count(*) FILTER (WHERE e.due_at < (SELECT now_ts FROM t)) AS overdue
      FROM events e
     WHERE jy_is_open(e.status) AND NOT e.is_drill
       AND (%(scope_town)s::text IS NULL OR e.town_code = %(scope_town)s)
       AND (%(scope_village)s::text IS NULL OR e.village_code = %(scope_village)s)
), l AS (
    SELECT max(e.reported_at) AS latest_report FROM events e
     WHERE NOT e.is_drill AND (%(scope_town)s::text IS NULL OR e.town_code = %(scope_town)s)
       AND (%(scope_village)s::text IS NULL OR e.village_code = %(scope_village)s)
)
SELECT s.reports_today, o.open, o.overdue, s.closed_period, s.closed_on_time, s.mean_close_hours,
       l.latest_report
  FROM s, o, l
