-- 考核's raw counts per town, village or grid worker of the scope over the local days [start, end):
-- the definitions are the function's (data/functions/50_statistics.sql jy_assessment_counts).
SELECT * FROM jy_assessment_counts(%(unit)s, %(start)s::date, %(end)s::date, %(scope_town)s::text, %(scope_village)s::text)
