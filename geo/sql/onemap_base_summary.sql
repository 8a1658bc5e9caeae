-- 人、地、物、组织: each base-data item summed over the viewer's scope, or over one area inside it
-- (%(area)s: a town, village or grid code; its grids are those whose code starts with it).
SELECT c.code, c.kind, c.label, c.unit, coalesce(sum(b.n), 0)::bigint AS n, max(b.as_of) AS as_of
  FROM base_categories c
  LEFT JOIN grid_base_counts b ON b.category_code = c.code
   AND (%(scope_town)s::text IS NULL OR b.town_code = %(scope_town)s)
   AND (%(scope_village)s::text IS NULL OR b.village_code = %(scope_village)s)
   AND (%(area)s::text IS NULL OR starts_with(b.grid_code, %(area)s))
 GROUP BY c.code, c.kind, c.label, c.unit, c.sort
 ORDER BY c.sort, c.code
