-- Figures per area one level below the scope (towns for the city, villages for a town, grids
-- for a village): open, overdue, reports today, closed within limit over the last %(days)s days.
WITH t AS (
    SELECT coalesce(%(now)s::timestamptz, now()) AS now_ts,
           (coalesce(%(now)s::timestamptz, now()) AT TIME ZONE 'Asia/Shanghai')::date AS today
), areas AS (
    SELECT g.code, g.name, g.population FROM grids g
     WHERE g.kind = 'admin' AND g.level = %(child_level)s
       AND (%(scope_town)s::text IS NULL OR g.town_code = %(scope_town)s)
       AND (%(scope_village)s::text IS NULL OR g.village_code = %(scope_village)s)
), s AS (
    -- towns and villages from the per-village figures; a village's grids from the per-grid ones
    SELECT left(g.village_code, %(code_len)s) AS code,
           sum(g.reported) FILTER (WHERE g.day = (SELECT today FROM t)) AS reports_today,
           sum(g.closed) AS closed_period, sum(g.closed_on_time) AS closed_on_time
      FROM stats_village_day g
     WHERE %(child_level)s < 3 AND g.day > (SELECT today FROM t) - %(days)s AND g.day <= (SELECT today FROM t)
       AND (%(scope_town)s::text IS NULL OR g.town_code = %(scope_town)s)
     GROUP BY 1
    UNION ALL
    SELECT g.grid_code,
           sum(g.reported) FILTER (WHERE g.day = (SELECT today FROM t)), sum(g.closed), sum(g.closed_on_time)
      FROM stats_grid_day g
     WHERE %(child_level)s = 3 AND g.day > (SELECT today FROM t) - %(days)s AND g.day <= (SELECT today FROM t)
       AND g.village_code = %(scope_village)s
     GROUP BY 1
), o AS (
    SELECT left(e.grid_code, %(code_len)s) AS code, count(*) AS open,
           count(*) FILTER (WHERE e.due_at < (SELECT now_ts FROM t)) AS overdue
      FROM events e
     WHERE jy_is_open(e.status) AND NOT e.is_drill
       AND (%(scope_town)s::text IS NULL OR e.town_code = %(scope_town)s)
       AND (%(scope_village)s::text IS NULL OR e.village_code = %(scope_village)s)
     GROUP BY 1
)
SELECT a.code, a.name, a.population,
       coalesce(o.open, 0) AS open, coalesce(o.overdue, 0) AS overdue,
       coalesce(s.reports_today, 0)::bigint AS reports_today,
       coalesce(s.closed_period, 0)::bigint AS closed_period,
       coalesce(s.closed_on_time, 0)::bigint AS closed_on_time
  FROM areas a LEFT JOIN s USING (code) LEFT JOIN o USING (code)
 ORDER BY a.code
