-- Nearest emergency resources from a point, county-wide whoever asks (jy_nearest_resources,
-- migration 009): straight-line metres, geography KNN order.
SELECT * FROM jy_nearest_resources(%(lon)s, %(lat)s, %(k)s, %(kinds)s::text[])
