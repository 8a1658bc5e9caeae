-- Figures per area one level below the scope (towns for the city, villages for a town, grids
-- for a village): open, overdue, reports today, closed within limit over the period.
WITH t AS (
    SELECT coalesce(%(now)s::timestamptz, now()) AS now_ts
), areas AS (
    SELECT g.code, g.name, g.population FROM grids g
     WHERE g.kind = 'admin' AND g.level = %(child_level)s
       AND (%(scope_town)s::text IS NULL OR g.town_code = %(scope_town)s)
       AND (%(scope_village)s::text IS NULL OR g.village_code = %(scope_village)s)
), figures AS (
    SELECT left(e.grid_code, %(code_len)s) AS code,
           count(*) FILTER (WHERE e.status NOT IN ('closed', 'rejected')) AS open,
           count(*) FILTER (WHERE e.status NOT IN ('closed', 'rejected') AND e.due_at < t.now_ts) AS overdue,
           count(*) FILTER (WHERE e.reported_at >= date_trunc('day', t.now_ts)
                              AND e.reported_at <= t.now_ts) AS reports_today,
           count(*) FILTER (WHERE e.closed_at > t.now_ts - make_interval(days => %(days)s)
                              AND e.closed_at <= t.now_ts) AS closed_period,
           count(*) FILTER (WHERE e.closed_at > t.now_ts - make_interval(days => %(days)s)
                              AND e.closed_at <= t.now_ts AND e.closed_at <= e.due_at) AS closed_on_time
      FROM events e CROSS JOIN t
     WHERE (%(scope_town)s::text IS NULL OR e.town_code = %(scope_town)s)
       AND (%(scope_village)s::text IS NULL OR e.village_code = %(scope_village)s)
     GROUP BY 1
)
SELECT a.code, a.name, a.population,
       coalesce(f.open, 0) AS open, coalesce(f.overdue, 0) AS overdue,
       coalesce(f.reports_today, 0) AS reports_today,
       coalesce(f.closed_period, 0) AS closed_period,
       coalesce(f.closed_on_time, 0) AS closed_on_time
  FROM areas a LEFT JOIN figures f USING (code)
 ORDER BY a.code
