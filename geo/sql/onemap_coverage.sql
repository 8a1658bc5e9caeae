-- Patrol coverage per third-level grid (admin and dedicated): visited today, and on how many of the
-- last %(week_days)s local days (today included), by 巡查打卡 check-ins in the grid (checkins.grid_code,
-- the grid of the check-in's point). A grid counts once a day however many check-ins it had.
WITH t AS (SELECT (now() AT TIME ZONE 'Asia/Shanghai')::date AS today),
v AS (
    SELECT c.grid_code,
           count(DISTINCT (c.at AT TIME ZONE 'Asia/Shanghai')::date) AS days,
           bool_or((c.at AT TIME ZONE 'Asia/Shanghai')::date = (SELECT today FROM t)) AS today,
           count(*) FILTER (WHERE (c.at AT TIME ZONE 'Asia/Shanghai')::date = (SELECT today FROM t)) AS checkins_today
      FROM checkins c
     WHERE c.at >= (((SELECT today FROM t) - (%(week_days)s - 1))::timestamp AT TIME ZONE 'Asia/Shanghai')
       AND (%(scope_town)s::text IS NULL OR c.town_code = %(scope_town)s)
       AND (%(scope_village)s::text IS NULL OR c.village_code = %(scope_village)s)
     GROUP BY c.grid_code
)
SELECT g.code, g.name, g.kind, g.town_code, g.village_code,
       coalesce(v.today, false) AS visited_today, coalesce(v.days, 0)::int AS days_visited,
       coalesce(v.checkins_today, 0)::int AS checkins_today,
       ST_X(ST_PointOnSurface(g.geom)) AS lon, ST_Y(ST_PointOnSurface(g.geom)) AS lat
  FROM grids g LEFT JOIN v ON v.grid_code = g.code
 WHERE g.level = 3
   AND (%(scope_town)s::text IS NULL OR g.town_code = %(scope_town)s)
   AND (%(scope_village)s::text IS NULL OR g.village_code = %(scope_village)s)
 ORDER BY g.code
