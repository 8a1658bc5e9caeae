-- One truth (issue 12): drills kept out of every figure, the reporter and escalation time on the
-- event, and analyses that see the whole county whoever asks (counts only across a town line).

-- A drill (事故推演 → 调度台) is an event like any other in the queue, but no statistic counts it.
ALTER TABLE events ADD COLUMN IF NOT EXISTS is_drill boolean NOT NULL DEFAULT false;
-- The signed-in account that reported an event from the dashboard (terminals use reporter_staff_id).
ALTER TABLE events ADD COLUMN IF NOT EXISTS reporter_name text CHECK (length(reporter_name) <= 80);
-- When the event last moved up a level (automatically or by hand): each level gets its own limit
-- from that moment before the next automatic escalation (geo/deadlines.py).
ALTER TABLE events ADD COLUMN IF NOT EXISTS escalated_at timestamptz;

-- The scope a SECURITY DEFINER analysis works for: the signed-in viewer's (jy.scope); a session of
-- any other role than the app's (the owner's loaders, jobs and tests) with no scope set is the city.
-- The app role with no scope gets NULL: nothing, as with its row-level security.
CREATE OR REPLACE FUNCTION jy_effective_scope() RETURNS text
LANGUAGE sql STABLE AS $$
    SELECT CASE WHEN coalesce(current_setting('jy.scope', true), '') <> '' THEN current_setting('jy.scope', true)
                WHEN session_user <> 'jy_app' THEN 'city' END
$$;

-- The figures tables leave drills out: the trigger only passes non-drill rows to the delta.
CREATE OR REPLACE FUNCTION events_stats_trigger() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp AS $$
BEGIN
    IF TG_OP = 'UPDATE' THEN
        IF NOT EXISTS (
            SELECT 1 FROM old_rows o JOIN new_rows n ON n.id = o.id
             WHERE (o.grid_code, o.category_code, o.reported_at, o.closed_at, o.due_at, o.is_drill)
                   IS DISTINCT FROM (n.grid_code, n.category_code, n.reported_at, n.closed_at, n.due_at, n.is_drill)
                OR NOT ST_Equals(o.location, n.location)) THEN
            RETURN NULL;
        END IF;
    END IF;
    PERFORM stats_delta_table();
    IF TG_OP = 'INSERT' THEN
        INSERT INTO _stats_delta SELECT 1, n.grid_code, n.category_code, n.reported_at, n.closed_at, n.due_at,
               ST_X(ST_Transform(n.location, 4549)), ST_Y(ST_Transform(n.location, 4549))
          FROM new_rows n WHERE NOT n.is_drill;
    ELSIF TG_OP = 'DELETE' THEN
        INSERT INTO _stats_delta SELECT -1, o.grid_code, o.category_code, o.reported_at, o.closed_at, o.due_at,
               ST_X(ST_Transform(o.location, 4549)), ST_Y(ST_Transform(o.location, 4549))
          FROM old_rows o WHERE NOT o.is_drill;
    ELSE
        INSERT INTO _stats_delta
        SELECT s.sign, s.grid_code, s.category_code, s.reported_at, s.closed_at, s.due_at,
               ST_X(ST_Transform(s.location, 4549)), ST_Y(ST_Transform(s.location, 4549))
          FROM old_rows o JOIN new_rows n ON n.id = o.id,
               LATERAL (VALUES (-1, o.grid_code, o.category_code, o.reported_at, o.closed_at, o.due_at, o.location, o.is_drill),
                               (1, n.grid_code, n.category_code, n.reported_at, n.closed_at, n.due_at, n.location, n.is_drill))
                       AS s(sign, grid_code, category_code, reported_at, closed_at, due_at, location, is_drill)
         WHERE NOT s.is_drill
           AND ((o.grid_code, o.category_code, o.reported_at, o.closed_at, o.due_at, o.is_drill)
               IS DISTINCT FROM (n.grid_code, n.category_code, n.reported_at, n.closed_at, n.due_at, n.is_drill)
            OR NOT ST_Equals(o.location, n.location));
    END IF;
    PERFORM stats_apply_delta();
    RETURN NULL;
END $$;

-- Drills pushed before this migration carried reporter 事故推演 in their first log row.
UPDATE events e SET is_drill = true
  FROM event_log l
 WHERE l.event_id = e.id AND l.from_status IS NULL AND l.actor = '事故推演' AND NOT e.is_drill;

-- Open figures without drills: the partial indexes the open/overdue counts use.
DROP INDEX IF EXISTS events_open_area_idx;
CREATE INDEX IF NOT EXISTS events_open_area_idx ON events (town_code, village_code, due_at)
    WHERE status NOT IN ('closed', 'rejected') AND NOT is_drill;
DROP INDEX IF EXISTS events_open_due_idx;
CREATE INDEX IF NOT EXISTS events_open_due_idx ON events (due_at)
    WHERE status NOT IN ('closed', 'rejected') AND NOT is_drill;

-- The city ranking a town leader may see (per-town counts only), with the same definitions as the
-- KPI row (geo/metrics.py): open and overdue now, reports today, closures in the last p_days days.
CREATE OR REPLACE FUNCTION jy_town_ranking(p_days integer)
RETURNS TABLE (town_code text, town_name text, open_events bigint, overdue_events bigint,
               reports_today bigint, closed bigint, closed_on_time bigint, close_seconds double precision)
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public, pg_temp AS $$
    WITH o AS (
        SELECT e.town_code, count(*) AS open_events, count(*) FILTER (WHERE e.due_at < now()) AS overdue
          FROM events e WHERE e.status NOT IN ('closed', 'rejected') AND NOT e.is_drill GROUP BY e.town_code
    ), s AS (
        SELECT g.town_code,
               sum(g.reported) FILTER (WHERE g.day = (now() AT TIME ZONE 'Asia/Shanghai')::date)::bigint AS today,
               sum(g.closed)::bigint AS closed, sum(g.closed_on_time)::bigint AS closed_on_time,
               sum(g.close_seconds)::float8 AS close_seconds
          FROM stats_village_day g
         WHERE g.day > (now() AT TIME ZONE 'Asia/Shanghai')::date - p_days
           AND g.day <= (now() AT TIME ZONE 'Asia/Shanghai')::date
         GROUP BY g.town_code
    )
    SELECT t.code, t.name, coalesce(o.open_events, 0), coalesce(o.overdue, 0), coalesce(s.today, 0),
           coalesce(s.closed, 0), coalesce(s.closed_on_time, 0), coalesce(s.close_seconds, 0)
      FROM grids t LEFT JOIN o ON o.town_code = t.code LEFT JOIN s ON s.town_code = t.code
     WHERE t.level = 1 AND jy_effective_scope() IN ('city', 'town', 'village')
     ORDER BY t.code
$$;

-- Where a point lies, whoever asks: the grid (smallest-code rule of grid_for_point) and the names
-- of its village and town. Intake uses it to tell "outside your area (in X town, Y village)" from
-- "outside the county". Names only, never rows.
CREATE OR REPLACE FUNCTION jy_place_of_point(p_lon double precision, p_lat double precision)
RETURNS TABLE (grid_code text, grid_name text, village_code text, village_name text, town_code text,
               town_name text)
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public, pg_temp AS $$
    SELECT g.code, g.name, v.code, v.name, t.code, t.name
      FROM (SELECT grid_for_point(ST_SetSRID(ST_MakePoint(p_lon, p_lat), 4490)) AS code) p
      JOIN grids g ON g.code = p.code
      JOIN grids v ON v.code = g.parent_code
      JOIN grids t ON t.code = g.town_code
     WHERE jy_effective_scope() IN ('city', 'town', 'village')
$$;
REVOKE ALL ON FUNCTION jy_place_of_point(double precision, double precision) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION jy_place_of_point(double precision, double precision) TO jy_app;

-- What a zone (exposure ring, threat zone, drawn zone; CGCS2000 WKB) touches, across the whole
-- county, whoever asks: a plume does not stop at a town line. Rows inside the viewer's scope come
-- with their names; rows outside it only as one aggregate row per town ('other'): grids, villages,
-- people, sensitive targets and chemical sites counted, nothing named below the town. Same
-- definitions as geo/sql/hazard_zone.sql had: residents area-weighted in EPSG:4549.
CREATE OR REPLACE FUNCTION jy_zone_analysis(p_zone bytea, p_lon double precision, p_lat double precision,
                                            p_exclude_site bigint)
RETURNS TABLE (what text, code text, name text, village_code text, village_name text, town_code text,
               town_name text, type text, share double precision, people double precision,
               distance_m double precision, n_grids bigint, n_villages bigint, n_sensitive bigint,
               n_sites bigint)
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public, pg_temp AS $$
    WITH sc AS (
        SELECT jy_effective_scope() AS scope, current_setting('jy.town', true) AS town,
               current_setting('jy.village', true) AS village
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
$$;
REVOKE ALL ON FUNCTION jy_zone_analysis(bytea, double precision, double precision, bigint) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION jy_zone_analysis(bytea, double precision, double precision, bigint) TO jy_app;

-- Rescue forces serve the whole county: anyone signed in may find the nearest ones, whatever town.
CREATE OR REPLACE FUNCTION jy_nearest_resources(p_lon double precision, p_lat double precision, p_k integer,
                                                p_kinds text[])
RETURNS TABLE (id bigint, name text, kind text, personnel integer, vehicles integer, phone text,
               lon double precision, lat double precision, distance_m double precision)
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public, pg_temp AS $$
    SELECT r.id, r.name, r.kind, r.personnel, r.vehicles, r.phone, ST_X(r.geom), ST_Y(r.geom),
           ST_Distance(r.geom::geography, p.g)
      FROM emergency_resources r,
           (SELECT ST_SetSRID(ST_MakePoint(p_lon, p_lat), 4490)::geography AS g) p
     WHERE (p_kinds IS NULL OR r.kind = ANY (p_kinds))
       AND jy_effective_scope() IN ('city', 'town', 'village')
     ORDER BY r.geom::geography <-> p.g
     LIMIT least(p_k, 50)
$$;
REVOKE ALL ON FUNCTION jy_nearest_resources(double precision, double precision, integer, text[]) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION jy_nearest_resources(double precision, double precision, integer, text[]) TO jy_app;

-- The villages of one town side by side (per-village counts only), so village staff compare their
-- village with the town's average village although row-level security shows them one village.
-- Same definitions as jy_town_ranking and the KPI row.
CREATE OR REPLACE FUNCTION jy_village_ranking(p_town text, p_days integer)
RETURNS TABLE (village_code text, village_name text, open_events bigint, overdue_events bigint,
               reports_today bigint, closed bigint, closed_on_time bigint, close_seconds double precision)
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public, pg_temp AS $$
    WITH o AS (
        SELECT e.village_code, count(*) AS open_events, count(*) FILTER (WHERE e.due_at < now()) AS overdue
          FROM events e
         WHERE e.town_code = p_town AND e.status NOT IN ('closed', 'rejected') AND NOT e.is_drill
         GROUP BY e.village_code
    ), s AS (
        SELECT g.village_code,
               sum(g.reported) FILTER (WHERE g.day = (now() AT TIME ZONE 'Asia/Shanghai')::date)::bigint AS today,
               sum(g.closed)::bigint AS closed, sum(g.closed_on_time)::bigint AS closed_on_time,
               sum(g.close_seconds)::float8 AS close_seconds
          FROM stats_village_day g
         WHERE g.town_code = p_town
           AND g.day > (now() AT TIME ZONE 'Asia/Shanghai')::date - p_days
           AND g.day <= (now() AT TIME ZONE 'Asia/Shanghai')::date
         GROUP BY g.village_code
    )
    SELECT v.code, v.name, coalesce(o.open_events, 0), coalesce(o.overdue, 0), coalesce(s.today, 0),
           coalesce(s.closed, 0), coalesce(s.closed_on_time, 0), coalesce(s.close_seconds, 0)
      FROM grids v LEFT JOIN o ON o.village_code = v.code LEFT JOIN s ON s.village_code = v.code
     WHERE v.level = 2 AND v.kind = 'admin' AND v.town_code = p_town
       AND jy_effective_scope() IN ('city', 'town', 'village')
     ORDER BY v.code
$$;
REVOKE ALL ON FUNCTION jy_village_ranking(text, integer) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION jy_village_ranking(text, integer) TO jy_app;
