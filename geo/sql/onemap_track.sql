-- One worker's fixes of one local day, in time order (row-level security: the worker's area).
SELECT p.at, ST_X(p.location) AS lon, ST_Y(p.location) AS lat, p.accuracy_m
  FROM staff_positions p
 WHERE p.staff_id = %(staff_id)s
   AND p.at >= (%(day)s::date::timestamp AT TIME ZONE 'Asia/Shanghai')
   AND p.at < ((%(day)s::date + 1)::timestamp AT TIME ZONE 'Asia/Shanghai')
 ORDER BY p.at
