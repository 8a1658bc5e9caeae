-- Patrol coverage (铁脚板, geo/patrols.py coverage; geo/metrics.py 本周巡查覆盖率) per village of a town, or
-- per town when %(town)s is NULL: third-level grids (admin and dedicated), those with at least one
-- patrol check (patrol_checks, any item, 正常 or 发现问题) in [t0, t1), the checks and the failed ones.
-- A grid counts once however many checks it had.
WITH units AS (
    SELECT g.code, g.name FROM grids g
     WHERE (%(town)s::text IS NULL AND g.level = 1) OR (g.level = 2 AND g.town_code = %(town)s)
), cells AS (
    SELECT g.code, CASE WHEN %(town)s::text IS NULL THEN g.town_code ELSE g.village_code END AS unit
      FROM grids g
     WHERE g.level = 3 AND (%(town)s::text IS NULL OR g.town_code = %(town)s)
), done AS (
    SELECT p.grid_code, count(*) AS checks, count(*) FILTER (WHERE p.result = 'fail') AS fails
      FROM patrol_checks p
     WHERE p.at >= %(t0)s AND p.at < %(t1)s AND (%(town)s::text IS NULL OR p.town_code = %(town)s)
     GROUP BY p.grid_code
)
SELECT u.code, u.name, count(c.code)::int AS grids, count(d.grid_code)::int AS covered,
       coalesce(sum(d.checks), 0)::int AS checks, coalesce(sum(d.fails), 0)::int AS fails,
       round(100.0 * count(d.grid_code) / nullif(count(c.code), 0), 1)::float8 AS coverage_pct
  FROM units u
  LEFT JOIN cells c ON c.unit = u.code
  LEFT JOIN done d ON d.grid_code = c.code
 GROUP BY u.code, u.name
 ORDER BY u.code
