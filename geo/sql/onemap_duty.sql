-- Grid workers and police on the map: 在线 when the terminal's latest fix (staff.location_at, kept by
-- jy_positions_record) is at most %(online_minutes)s minutes old.
SELECT s.id, s.role, s.name, s.phone, s.grid_code, s.on_duty, s.location_at,
       coalesce(s.location_at > now() - make_interval(mins => %(online_minutes)s), false) AS online,
       ST_X(s.location) AS lon, ST_Y(s.location) AS lat
  FROM staff s
 WHERE s.role IN ('grid_worker', 'police') AND s.location IS NOT NULL
   AND (%(scope_town)s::text IS NULL OR s.town_code = %(scope_town)s)
   AND (%(scope_village)s::text IS NULL OR s.village_code = %(scope_village)s)
 ORDER BY s.id
