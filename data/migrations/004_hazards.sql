-- Hazardous chemicals: the GB 18218 catalogue, each site's stored chemicals, and the major-hazard
-- grading R = alpha * sum(beta_i * q_i / Q_i), kept current by triggers.

CREATE TABLE IF NOT EXISTS chemicals (
    cas text PRIMARY KEY,
    name text NOT NULL,
    name_en text NOT NULL,
    threshold_t numeric NOT NULL CHECK (threshold_t > 0),          -- Q, GB 18218-2018 Table 1
    beta numeric NOT NULL CHECK (beta > 0),
    hazard_class text NOT NULL CHECK (hazard_class IN ('toxic_gas', 'flammable_gas', 'explosive', 'other')),
    state text NOT NULL CHECK (state IN ('gas', 'liquid', 'solid')),
    mw numeric NOT NULL CHECK (mw > 0),
    aegl2_60min_ppm numeric CHECK (aegl2_60min_ppm > 0),
    erpg2_ppm numeric CHECK (erpg2_ppm > 0)
);

CREATE TABLE IF NOT EXISTS chem_inventory (
    site_id bigint NOT NULL REFERENCES chem_sites (id) ON DELETE CASCADE,
    cas text NOT NULL REFERENCES chemicals (cas),
    max_quantity_t numeric NOT NULL CHECK (max_quantity_t > 0),
    PRIMARY KEY (site_id, cas)
);

ALTER TABLE chem_sites ADD COLUMN IF NOT EXISTS population_500m double precision;
ALTER TABLE chem_sites ADD COLUMN IF NOT EXISTS q_ratio_sum double precision;

-- Residents within 500 m of a point: each third-level grid's population weighted by the share of
-- its area inside the circle (areas in EPSG:4549 metres).
CREATE OR REPLACE FUNCTION population_within(p geometry, radius_m double precision)
RETURNS double precision LANGUAGE sql STABLE PARALLEL SAFE AS $$
    WITH c AS (SELECT ST_Buffer(ST_Transform(p, 4549), radius_m, 64) AS g)
    SELECT coalesce(sum(g.population * ST_Area(ST_Intersection(ST_Transform(g.geom, 4549), c.g))
                        / nullif(ST_Area(ST_Transform(g.geom, 4549)), 0)), 0)
      FROM grids g, c
     WHERE g.level = 3 AND g.kind = 'admin' AND g.population > 0
       -- the box only narrows the index search (1 degree >= 80 km here); the test is in metres
       AND g.geom && ST_Expand(p, radius_m / 80000.0)
       AND ST_DWithin(g.geom::geography, p::geography, radius_m)
$$;

-- alpha by GB 18218-2018 Table 5, from the number of people within 500 m.
CREATE OR REPLACE FUNCTION hazard_alpha(people double precision) RETURNS numeric
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
    SELECT CASE WHEN people >= 100 THEN 2.0 WHEN people >= 50 THEN 1.5 WHEN people >= 30 THEN 1.2
                WHEN people >= 1 THEN 1.0 ELSE 0.5 END
$$;

CREATE OR REPLACE FUNCTION hazard_level(r double precision, q_ratio_sum double precision) RETURNS smallint
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
    SELECT CASE WHEN q_ratio_sum IS NULL OR q_ratio_sum < 1 THEN NULL      -- not a major hazard
                WHEN r >= 100 THEN 1 WHEN r >= 50 THEN 2 WHEN r >= 10 THEN 3 ELSE 4 END::smallint
$$;

-- Recompute R and the level of some sites (NULL: all), set-based.
CREATE OR REPLACE FUNCTION chem_recompute(ids bigint[] DEFAULT NULL) RETURNS integer
LANGUAGE plpgsql AS $$
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
END $$;

CREATE OR REPLACE FUNCTION chem_recompute_trigger() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM chem_recompute(NULL);
    RETURN NULL;
END $$;

DROP TRIGGER IF EXISTS chem_inventory_changed ON chem_inventory;
CREATE TRIGGER chem_inventory_changed AFTER INSERT OR UPDATE OR DELETE ON chem_inventory
    FOR EACH STATEMENT EXECUTE FUNCTION chem_recompute_trigger();
DROP TRIGGER IF EXISTS grids_population_changed ON grids;
CREATE TRIGGER grids_population_changed AFTER UPDATE OF population, geom ON grids
    FOR EACH STATEMENT EXECUTE FUNCTION chem_recompute_trigger();
DROP TRIGGER IF EXISTS chem_sites_moved ON chem_sites;
CREATE TRIGGER chem_sites_moved AFTER INSERT OR UPDATE OF geom ON chem_sites
    FOR EACH STATEMENT EXECUTE FUNCTION chem_recompute_trigger();
