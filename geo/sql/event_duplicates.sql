-- Possible duplicates: same category, within %(radius_m)s metres (geography), reported within
-- %(days)s days of the event, before or after it. Bounded both ways, so an old event costs what a new
-- one does (issue 16: unbounded "after it, up to now" made the page 9x slower at 2 M events).
SELECT o.id, o.reported_at, o.status, o.description, ST_X(o.location) AS lon, ST_Y(o.location) AS lat,
       ST_Distance(o.location::geography, e.location::geography) AS distance_m
  FROM events e
  JOIN events o ON o.category_code = e.category_code AND o.id <> e.id
   AND o.reported_at BETWEEN e.reported_at - make_interval(days => %(days)s)
                         AND e.reported_at + make_interval(days => %(days)s)
   -- the box (0.01 degree, about 1 km) only narrows the index search; the test is in metres
   AND o.location && ST_Expand(e.location, 0.01)
   AND ST_DWithin(o.location::geography, e.location::geography, %(radius_m)s)
 WHERE e.id = %(id)s
 ORDER BY distance_m, o.id
 LIMIT 20
