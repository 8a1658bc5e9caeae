-- Daily series over the last %(days)s days (local days, session time zone Asia/Shanghai).
WITH t AS (
    SELECT coalesce(%(now)s::timestamptz, now()) AS now_ts
), days AS (
    SELECT generate_series(date_trunc('day', t.now_ts) - make_interval(days => %(days)s - 1),
                           date_trunc('day', t.now_ts), interval '1 day') AS day
      FROM t
), e AS (
    SELECT e.reported_at, e.closed_at, e.due_at FROM events e CROSS JOIN t
     WHERE (e.reported_at > t.now_ts - make_interval(days => %(days)s + 1)
            OR e.closed_at > t.now_ts - make_interval(days => %(days)s + 1))
       AND (%(scope_town)s::text IS NULL OR e.town_code = %(scope_town)s)
       AND (%(scope_village)s::text IS NULL OR e.village_code = %(scope_village)s)
), rep AS (
    SELECT date_trunc('day', reported_at) AS day, count(*) AS reported FROM e GROUP BY 1
), clo AS (
    SELECT date_trunc('day', closed_at) AS day, count(*) AS closed,
           count(*) FILTER (WHERE closed_at <= due_at) AS closed_on_time
      FROM e WHERE closed_at IS NOT NULL GROUP BY 1
)
SELECT d.day::date AS day, coalesce(rep.reported, 0) AS reported, coalesce(clo.closed, 0) AS closed,
       coalesce(clo.closed_on_time, 0) AS closed_on_time
  FROM days d LEFT JOIN rep USING (day) LEFT JOIN clo USING (day)
 ORDER BY d.day
