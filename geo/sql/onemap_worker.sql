-- A grid worker or police officer in the viewer's scope, with their open tasks and today's check-ins.
SELECT s.id, s.name, s.role, s.phone, s.grid_code, g.name AS grid_name, s.on_duty, s.location_at,
       coalesce(s.location_at > now() - make_interval(mins => %(online_minutes)s), false) AS online,
       (SELECT count(*) FROM events e WHERE e.assignee_staff_id = s.id AND jy_is_open(e.status)) AS open_tasks,
       (SELECT count(*) FROM checkins c WHERE c.staff_id = s.id
           AND c.at >= (((now() AT TIME ZONE 'Asia/Shanghai')::date)::timestamp AT TIME ZONE 'Asia/Shanghai')) AS checkins_today
  FROM staff s JOIN grids g ON g.code = s.grid_code
 WHERE s.id = %(staff_id)s AND s.role IN ('grid_worker', 'police')
