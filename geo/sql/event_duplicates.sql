-- Possible duplicates: same category, within %(radius_m)s metres (geography), reported within
-- %(days)s days of the event, before or after it. Bounded both ways, so an old event costs what a new
-- one does (issue 16: unbounded "after it, up to now" made the page 9x slower at 2 M events).
-- The event's category, time and point come in as values, not from a join: under row-level
-- security only leakproof comparisons become index conditions, so with constants the search is an
-- index range on (category_code, reported_at) (migration 020); joined to the event itself the planner
-- read all 2 M rows (490 ms).
SELECT o.id, o.reported_at, o.status, o.description, ST_X(o.location) AS lon, ST_Y(o.location) AS lat,
       ST_Distance(o.location::geography, p.g::geography) AS distance_m
  FROM (SELECT ST_SetSRID(ST_MakePoint(%(lon)s, %(lat)s), 4490) AS g) p
  JOIN events o ON o.category_code = %(category_code)s AND o.id <> %(id)s
   AND o.reported_at BETWEEN %(reported_at)s::timestamptz - make_interval(days => %(days)s)
                         AND %(reported_at)s::timestamptz + make_interval(days => %(days)s)
   -- the box (0.01 degree, about 1 km) only narrows the search; the test is in metres
   AND o.location && ST_Expand(p.g, 0.01)
   AND ST_DWithin(o.location::geography, p.g::geography, %(radius_m)s)
 ORDER BY distance_m, o.id
 LIMIT 20
