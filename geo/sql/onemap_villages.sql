-- One row per village/community in scope: a point to draw it at, its assistance households (the
-- counts view, which every viewer in scope reads) and its 福村宝 membership.
SELECT g.code, g.name, g.town_code,
       ST_X(ST_PointOnSurface(g.geom)) AS lon, ST_Y(ST_PointOnSurface(g.geom)) AS lat,
       coalesce(a.households, 0)::int AS assistance_households, coalesce(a.persons, 0)::int AS assistance_persons,
       (m.village_code IS NOT NULL) AS mutual_aid, m.members AS mutual_aid_members,
       m.beneficiaries AS mutual_aid_beneficiaries, m.paid_yuan AS mutual_aid_paid_yuan
  FROM grids g
  LEFT JOIN (SELECT village_code, sum(households) AS households, sum(persons) AS persons
               FROM assistance_counts GROUP BY village_code) a ON a.village_code = g.code
  LEFT JOIN mutual_aid_villages m ON m.village_code = g.code
 WHERE g.level = 2
   AND (%(scope_town)s::text IS NULL OR g.town_code = %(scope_town)s)
   AND (%(scope_village)s::text IS NULL OR g.village_code = %(scope_village)s)
 ORDER BY g.code
