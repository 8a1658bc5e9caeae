-- Hazardous-chemical sites: exposure, levels, zones, resources.
-- Live text: re-applied by geo/db.migrate whenever a file here changes (docs/schema.md).

-- alpha by GB 18218-2018 Table 5, from the number of people within 500 m.
CREATE OR REPLACE FUNCTION public.hazard_alpha(people double precision)
 RETURNS numeric
 LANGUAGE sql
 IMMUTABLE PARALLEL SAFE
AS $function$
    SELECT CASE WHEN people >= 100 THEN 2.0 WHEN people >= 50 THEN 1.5 WHEN people >= 30 THEN 1.2
                WHEN people >= 1 THEN 1.0 ELSE 0.5 END
$function$;
GRANT EXECUTE ON FUNCTION public.hazard_alpha(double precision) TO jy_app;

CREATE OR REPLACE FUNCTION public.hazard_level(r double precision, q_ratio_sum double precision)
 RETURNS smallint
 LANGUAGE sql
 IMMUTABLE PARALLEL SAFE
AS $function$
    SELECT CASE WHEN q_ratio_sum IS NULL OR q_ratio_sum < 1 THEN NULL      -- not a major hazard
                WHEN r >= 100 THEN 1 WHEN r >= 50 THEN 2 WHEN r >= 10 THEN 3 ELSE 4 END::smallint
$function$;
GRANT EXECUTE ON FUNCTION public.hazard_level(double precision,double precision) TO jy_app;

-- Residents within 500 m of a point: each third-level grid's population weighted by the share of
-- its area inside the circle (areas in EPSG:4549 metres).
CREATE OR REPLACE FUNCTION public.population_within(p geometry, radius_m double precision)
 RETURNS double precision
 LANGUAGE sql
 STABLE PARALLEL SAFE
AS $function$
    WITH c AS (SELECT ST_Buffer(ST_Transform(p, 4549), radius_m, 64) AS g)
    SELECT coalesce(sum(g.population * ST_Area(ST_Intersection(ST_Transform(g.geom, 4549), c.g))
                        / nullif(ST_Area(ST_Transform(g.geom, 4549)), 0)), 0)
      FROM grids g, c
     WHERE g.level = 3 AND g.kind = 'admin' AND g.population > 0
       -- the box only narrows the index search (1 degree >= 80 km here); the test is in metres
       AND g.geom && ST_Expand(p, radius_m / 80000.0)
       AND ST_DWithin(g.geom::geography, p::geography, radius_m)
$function$;
GRANT EXECUTE ON FUNCTION public.population_within(geometry,double precision) TO jy_app;

-- Recompute R and the level of some sites (NULL: all), set-based.
CREATE OR REPLACE FUNCTION public.chem_recompute(ids bigint[] DEFAULT NULL::bigint[])
 RETURNS integer
 LANGUAGE plpgsql
 SECURITY DEFINER
 SET search_path TO 'public', 'pg_temp'
AS $function$
DECLARE n integer;
BEGIN
    WITH people AS (
        SELECT s.id, population_within(s.geom, 500) AS p
          FROM chem_sites s WHERE ids IS NULL OR s.id = ANY (ids)
    ), sums AS (
        SELECT p.id, p.p, sum(c.beta * i.max_quantity_t / c.threshold_t) AS bq,
               sum(i.max_quantity_t / c.threshold_t) AS qq
          FROM people p LEFT JOIN chem_inventory i ON i.site_id = p.id
          LEFT JOIN chemicals c ON c.cas = i.cas
         GROUP BY p.id, p.p
    )
    UPDATE chem_sites s
       SET population_500m = x.p,
           q_ratio_sum = x.qq,
           r_value = hazard_alpha(x.p) * coalesce(x.bq, 0),
           hazard_level = hazard_level(hazard_alpha(x.p) * coalesce(x.bq, 0), x.qq)
      FROM sums x WHERE s.id = x.id;
    GET DIAGNOSTICS n = ROW_COUNT;
    RETURN n;
END $function$;

CREATE OR REPLACE FUNCTION public.chem_recompute_trigger()
 RETURNS trigger
 LANGUAGE plpgsql
 SECURITY DEFINER
 SET search_path TO 'public', 'pg_temp'
AS $function$
BEGIN
    PERFORM chem_recompute(NULL);
    RETURN NULL;
END $function$;
CREATE OR REPLACE TRIGGER chem_inventory_changed AFTER INSERT OR DELETE OR UPDATE ON public.chem_inventory FOR EACH STATEMENT EXECUTE FUNCTION chem_recompute_trigger();
CREATE OR REPLACE TRIGGER chem_sites_moved AFTER INSERT OR UPDATE OF geom ON public.chem_sites FOR EACH STATEMENT EXECUTE FUNCTION chem_recompute_trigger();
CREATE OR REPLACE TRIGGER grids_population_changed AFTER UPDATE OF population, geom ON public.grids FOR EACH STATEMENT EXECUTE FUNCTION chem_recompute_trigger();

-- What a zone (exposure ring, threat zone, drawn zone; CGCS2000 WKB) touches, across the whole
-- county, whoever asks: a plume does not stop at a town line. Rows inside the viewer's scope come
-- with their names; rows outside it only as one aggregate row per town ('other'): grids, villages,
-- people, sensitive targets and chemical sites counted, nothing named below the town. Same
-- definitions as geo/sql/hazard_zone.sql had: residents area-weighted in EPSG:4549.
CREATE OR REPLACE FUNCTION public.jy_zone_analysis(p_zone bytea, p_lon double precision, p_lat double precision, p_exclude_site bigint)
 RETURNS TABLE(what text, code text, name text, village_code text, village_name text, town_code text, town_name text, type text, share double precision, people double precision, distance_m double precision, n_grids bigint, n_villages bigint, n_sensitive bigint, n_sites bigint)
 LANGUAGE sql
 STABLE SECURITY DEFINER
 SET search_path TO 'public', 'pg_temp'
AS $function$
    WITH sc AS (
        SELECT jy_effective_scope() AS scope, jy_ctx('town') AS town,
               jy_ctx('village') AS village
    ), zm AS (
        SELECT ST_SetSRID(ST_GeomFromWKB(p_zone), 4490) AS g,
               ST_Transform(ST_SetSRID(ST_GeomFromWKB(p_zone), 4490), 4549) AS m
    ), hit AS (
        SELECT 'grid'::text AS what, g.code, g.name, g.parent_code AS village_code, v.name AS village_name,
               g.town_code, t.name AS town_name, NULL::text AS type,
               ST_Area(ST_Intersection(ST_Transform(g.geom, 4549), zm.m)) / ST_Area(ST_Transform(g.geom, 4549)) AS share,
               g.population::float8 AS population, NULL::float8 AS distance_m
          FROM grids g JOIN grids v ON v.code = g.parent_code JOIN grids t ON t.code = g.town_code, zm
         WHERE g.level = 3 AND g.kind = 'admin' AND ST_Intersects(g.geom, zm.g)
        UNION ALL
        SELECT 'sensitive', d.code, d.name, d.parent_code, NULL, d.town_code, t.name, d.dedicated_type, NULL,
               d.population::float8, NULL
          FROM grids d JOIN grids t ON t.code = d.town_code, zm
         WHERE d.kind = 'dedicated' AND d.dedicated_type IN ('school', 'hospital', 'elderly_home', 'market')
           AND ST_Intersects(d.geom, zm.g)
        UNION ALL
        SELECT 'site', s.id::text, s.name, left(s.grid_code, 12), NULL, s.town_code, t.name, s.hazard_level::text,
               NULL, NULL,
               ST_Distance(s.geom::geography, ST_SetSRID(ST_MakePoint(p_lon, p_lat), 4490)::geography)
          FROM chem_sites s JOIN grids t ON t.code = s.town_code, zm
         WHERE ST_Intersects(s.geom, zm.g) AND (p_exclude_site IS NULL OR s.id <> p_exclude_site)
    ), tagged AS (
        SELECT h.*, CASE sc.scope WHEN 'city' THEN true
                                  WHEN 'town' THEN h.town_code = sc.town
                                  WHEN 'village' THEN h.village_code = sc.village
                                  ELSE NULL END AS own
          FROM hit h, sc
         WHERE h.what <> 'grid' OR h.share > 0
    )
    SELECT t.what, t.code, t.name, t.village_code, t.village_name, t.town_code, t.town_name, t.type, t.share,
           CASE WHEN t.what = 'grid' THEN t.population * t.share ELSE t.population END, t.distance_m,
           NULL::bigint, NULL::bigint, NULL::bigint, NULL::bigint
      FROM tagged t WHERE t.own
    UNION ALL
    SELECT 'other', NULL, NULL, NULL, NULL, t.town_code, min(t.town_name), NULL, NULL,
           coalesce(sum(t.population * t.share) FILTER (WHERE t.what = 'grid'), 0), NULL,
           count(*) FILTER (WHERE t.what = 'grid'),
           count(DISTINCT t.village_code) FILTER (WHERE t.what = 'grid'),
           count(*) FILTER (WHERE t.what = 'sensitive'),
           count(*) FILTER (WHERE t.what = 'site')
      FROM tagged t WHERE NOT t.own
     GROUP BY t.town_code
$function$;
GRANT EXECUTE ON FUNCTION public.jy_zone_analysis(bytea,double precision,double precision,bigint) TO jy_app;

-- Rescue forces serve the whole county: anyone signed in may find the nearest ones, whatever town.
CREATE OR REPLACE FUNCTION public.jy_nearest_resources(p_lon double precision, p_lat double precision, p_k integer, p_kinds text[])
 RETURNS TABLE(id bigint, name text, kind text, personnel integer, vehicles integer, phone text, lon double precision, lat double precision, distance_m double precision)
 LANGUAGE sql
 STABLE SECURITY DEFINER
 SET search_path TO 'public', 'pg_temp'
AS $function$
    SELECT r.id, r.name, r.kind, r.personnel, r.vehicles, r.phone, ST_X(r.geom), ST_Y(r.geom),
           ST_Distance(r.geom::geography, p.g)
      FROM emergency_resources r,
           (SELECT ST_SetSRID(ST_MakePoint(p_lon, p_lat), 4490)::geography AS g) p
     WHERE (p_kinds IS NULL OR r.kind = ANY (p_kinds))
       AND jy_effective_scope() IN ('city', 'town', 'village')
     ORDER BY r.geom::geography <-> p.g
     LIMIT least(p_k, 50)
$function$;
GRANT EXECUTE ON FUNCTION public.jy_nearest_resources(double precision,double precision,integer,text[]) TO jy_app;
