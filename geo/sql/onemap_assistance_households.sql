-- The households behind the counts: row-level security gives rows only to the roles that may see
-- them (jy_sees_assistance) and only in their scope.
SELECT h.code, h.village_code, g.name AS village_name, h.class_code, h.head_name, h.members, h.monthly_yuan,
       h.since, h.phone
  FROM assistance_households h JOIN grids g ON g.code = h.village_code
 WHERE (%(scope_town)s::text IS NULL OR h.town_code = %(scope_town)s)
   AND (%(scope_village)s::text IS NULL OR h.village_code = %(scope_village)s)
   AND (%(village)s::text IS NULL OR h.village_code = %(village)s)
   AND (%(class_code)s::text IS NULL OR h.class_code = %(class_code)s)
 ORDER BY h.village_code, h.class_code, h.code
 LIMIT %(limit)s
