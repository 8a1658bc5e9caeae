-- Daily series over the last %(days)s local days: reported, closed, closed within limit.
WITH t AS (
    SELECT (coalesce(%(now)s::timestamptz, now()) AT TIME ZONE 'Asia/Shanghai')::date AS today
), days AS (
    SELECT ((SELECT today FROM t) - i)::date AS day FROM t, generate_series(0, %(days)s - 1) AS i
), s AS (
    SELECT g.day, sum(g.reported) AS reported, sum(g.closed) AS closed, sum(g.closed_on_time) AS closed_on_time
      FROM stats_village_day g
     WHERE g.day > (SELECT today FROM t) - %(days)s AND g.day <= (SELECT today FROM t)
       AND (%(scope_town)s::text IS NULL OR g.town_code = %(scope_town)s)
       AND (%(scope_village)s::text IS NULL OR g.village_code = %(scope_village)s)
     GROUP BY g.day
)
SELECT d.day, coalesce(s.reported, 0)::bigint AS reported, coalesce(s.closed, 0)::bigint AS closed,
       coalesce(s.closed_on_time, 0)::bigint AS closed_on_time
  FROM days d LEFT JOIN s USING (day)
 ORDER BY d.day
