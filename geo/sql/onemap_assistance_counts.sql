-- 社会救助 by class over the scope or one area in it (counts only: the view assistance_counts).
SELECT c.code, c.label, coalesce(sum(a.households), 0)::int AS households, coalesce(sum(a.persons), 0)::int AS persons
  FROM assistance_classes c
  LEFT JOIN assistance_counts a ON a.class_code = c.code
   AND (%(scope_town)s::text IS NULL OR a.town_code = %(scope_town)s)
   AND (%(scope_village)s::text IS NULL OR a.village_code = %(scope_village)s)
   AND (%(area)s::text IS NULL OR starts_with(a.village_code, left(%(area)s, 12)))
 GROUP BY c.code, c.label, c.sort
 ORDER BY c.sort
