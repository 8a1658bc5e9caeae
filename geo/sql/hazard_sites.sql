-- The register: sites with their level, R, alpha inputs and chemicals, filtered.
SELECT s.id, s.name, s.enterprise, s.hazard_level, s.r_value, s.q_ratio_sum, s.population_500m,
       s.safety_distance_m, s.town_code, t.name AS town_name, s.grid_code, g.name AS grid_name,
       s.main_chemicals, ST_X(s.geom) AS lon, ST_Y(s.geom) AS lat
  FROM chem_sites s LEFT JOIN grids t ON t.code = s.town_code LEFT JOIN grids g ON g.code = s.grid_code
 WHERE (%(scope_town)s::text IS NULL OR s.town_code = %(scope_town)s)
   AND (%(scope_village)s::text IS NULL OR left(s.grid_code, 12) = %(scope_village)s)
   AND (%(levels)s::smallint[] IS NULL OR s.hazard_level = ANY (%(levels)s::smallint[]))
   AND (%(cas)s::text IS NULL OR EXISTS (SELECT 1 FROM chem_inventory i WHERE i.site_id = s.id AND i.cas = %(cas)s))
 ORDER BY s.hazard_level NULLS LAST, s.r_value DESC, s.id
