-- Nearest emergency resources from a point: straight-line metres (geography KNN order).
SELECT r.id, r.name, r.kind, r.personnel, r.vehicles, r.phone, ST_X(r.geom) AS lon, ST_Y(r.geom) AS lat,
       ST_Distance(r.geom::geography, p.g) AS distance_m
  FROM emergency_resources r,
       (SELECT ST_SetSRID(ST_MakePoint(%(lon)s, %(lat)s), 4490)::geography AS g) p
 WHERE (%(kinds)s::text[] IS NULL OR r.kind = ANY (%(kinds)s::text[]))
 ORDER BY r.geom::geography <-> p.g
 LIMIT %(k)s
