-- Pre-aggregated event figures, kept exact on every write by statement-level triggers, so the
-- views cost the same with two years of events as with two weeks:
--   stats_grid_day / stats_village_day: per local day and third-level grid (village): reported
--                   that day; closed that day, of them within the limit, their total time to close;
--   stats_cell_day: per local day, town and 1 km cell (EPSG:4549): reported (event density);
--   stats_category_day: per local day, town and category: reported.
-- Open and overdue counts need no table: the open events are few and have a partial index.

CREATE TABLE IF NOT EXISTS stats_grid_day (
    day date NOT NULL,
    grid_code text NOT NULL,
    town_code text GENERATED ALWAYS AS (left(grid_code, 9)) STORED,
    village_code text GENERATED ALWAYS AS (left(grid_code, 12)) STORED,
    reported integer NOT NULL DEFAULT 0,
    closed integer NOT NULL DEFAULT 0,
    closed_on_time integer NOT NULL DEFAULT 0,
    close_seconds double precision NOT NULL DEFAULT 0,
    PRIMARY KEY (day, grid_code)
);
CREATE INDEX IF NOT EXISTS stats_grid_day_town_idx ON stats_grid_day (town_code, day);

-- The same figures per village (city and town views read these: 30 x 274 rows at most).
CREATE TABLE IF NOT EXISTS stats_village_day (
    day date NOT NULL,
    village_code text NOT NULL,
    town_code text GENERATED ALWAYS AS (left(village_code, 9)) STORED,
    reported integer NOT NULL DEFAULT 0,
    closed integer NOT NULL DEFAULT 0,
    closed_on_time integer NOT NULL DEFAULT 0,
    close_seconds double precision NOT NULL DEFAULT 0,
    PRIMARY KEY (day, village_code)
);
CREATE INDEX IF NOT EXISTS stats_village_day_town_idx ON stats_village_day (town_code, day);

CREATE TABLE IF NOT EXISTS stats_cell_day (
    day date NOT NULL,
    town_code text NOT NULL,
    cell_i integer NOT NULL,
    cell_j integer NOT NULL,
    reported integer NOT NULL DEFAULT 0,
    PRIMARY KEY (day, town_code, cell_i, cell_j)
);

CREATE TABLE IF NOT EXISTS stats_category_day (
    day date NOT NULL,
    town_code text NOT NULL,
    category_code text NOT NULL,
    reported integer NOT NULL DEFAULT 0,
    PRIMARY KEY (day, town_code, category_code)
);

-- Signed contributions (+1 add, -1 remove) of changed event rows go through a session-local
-- table, then into the three tables in one set-based pass.
CREATE OR REPLACE FUNCTION stats_delta_table() RETURNS void LANGUAGE plpgsql AS $$
BEGIN
    CREATE TEMP TABLE IF NOT EXISTS _stats_delta (
        sign integer, grid_code text, category_code text, reported_at timestamptz,
        closed_at timestamptz, due_at timestamptz, x double precision, y double precision
    ) ON COMMIT DELETE ROWS;
    DELETE FROM _stats_delta;   -- cheaper than TRUNCATE on a small temp table, which is called often
END $$;

CREATE OR REPLACE FUNCTION stats_apply_delta() RETURNS void LANGUAGE plpgsql AS $$
BEGIN
    WITH g AS (
        SELECT day, grid_code, sum(rep) AS rep, sum(clo) AS clo, sum(ot) AS ot, sum(cs) AS cs FROM (
            SELECT (reported_at AT TIME ZONE 'Asia/Shanghai')::date AS day, grid_code, sign AS rep, 0 AS clo,
                   0 AS ot, 0.0::float8 AS cs FROM _stats_delta
            UNION ALL
            SELECT (closed_at AT TIME ZONE 'Asia/Shanghai')::date, grid_code, 0, sign,
                   sign * (closed_at <= due_at)::int, sign * extract(epoch FROM closed_at - reported_at)::float8
              FROM _stats_delta WHERE closed_at IS NOT NULL) u
         GROUP BY day, grid_code
    ), ins_g AS (
        INSERT INTO stats_grid_day AS s (day, grid_code, reported, closed, closed_on_time, close_seconds)
        SELECT day, grid_code, rep, clo, ot, cs FROM g
        ON CONFLICT (day, grid_code) DO UPDATE SET
            reported = s.reported + EXCLUDED.reported, closed = s.closed + EXCLUDED.closed,
            closed_on_time = s.closed_on_time + EXCLUDED.closed_on_time,
            close_seconds = s.close_seconds + EXCLUDED.close_seconds
    ), ins_v AS (
        INSERT INTO stats_village_day AS s (day, village_code, reported, closed, closed_on_time, close_seconds)
        SELECT day, left(grid_code, 12), sum(rep), sum(clo), sum(ot), sum(cs) FROM g GROUP BY 1, 2
        ON CONFLICT (day, village_code) DO UPDATE SET
            reported = s.reported + EXCLUDED.reported, closed = s.closed + EXCLUDED.closed,
            closed_on_time = s.closed_on_time + EXCLUDED.closed_on_time,
            close_seconds = s.close_seconds + EXCLUDED.close_seconds
    ), ins_c AS (
        INSERT INTO stats_cell_day AS s (day, town_code, cell_i, cell_j, reported)
        SELECT (reported_at AT TIME ZONE 'Asia/Shanghai')::date, left(grid_code, 9),
               floor(x / 1000)::int, floor(y / 1000)::int, sum(sign)
          FROM _stats_delta GROUP BY 1, 2, 3, 4
        ON CONFLICT (day, town_code, cell_i, cell_j) DO UPDATE SET reported = s.reported + EXCLUDED.reported
    )
    INSERT INTO stats_category_day AS s (day, town_code, category_code, reported)
    SELECT (reported_at AT TIME ZONE 'Asia/Shanghai')::date, left(grid_code, 9), category_code, sum(sign)
      FROM _stats_delta GROUP BY 1, 2, 3
    ON CONFLICT (day, town_code, category_code) DO UPDATE SET reported = s.reported + EXCLUDED.reported;
END $$;

CREATE OR REPLACE FUNCTION events_stats_trigger() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    -- Most updates (status, version, assignment) change nothing counted here: leave at once.
    IF TG_OP = 'UPDATE' THEN
        IF NOT EXISTS (
            SELECT 1 FROM old_rows o JOIN new_rows n ON n.id = o.id
             WHERE (o.grid_code, o.category_code, o.reported_at, o.closed_at, o.due_at)
                   IS DISTINCT FROM (n.grid_code, n.category_code, n.reported_at, n.closed_at, n.due_at)
                OR NOT ST_Equals(o.location, n.location)) THEN
            RETURN NULL;
        END IF;
    END IF;
    PERFORM stats_delta_table();
    IF TG_OP = 'INSERT' THEN
        INSERT INTO _stats_delta SELECT 1, n.grid_code, n.category_code, n.reported_at, n.closed_at, n.due_at,
               ST_X(ST_Transform(n.location, 4549)), ST_Y(ST_Transform(n.location, 4549)) FROM new_rows n;
    ELSIF TG_OP = 'DELETE' THEN
        INSERT INTO _stats_delta SELECT -1, o.grid_code, o.category_code, o.reported_at, o.closed_at, o.due_at,
               ST_X(ST_Transform(o.location, 4549)), ST_Y(ST_Transform(o.location, 4549)) FROM old_rows o;
    ELSE
        -- Only rows whose counted fields changed: take the old contribution away, add the new one.
        INSERT INTO _stats_delta
        SELECT s.sign, s.grid_code, s.category_code, s.reported_at, s.closed_at, s.due_at,
               ST_X(ST_Transform(s.location, 4549)), ST_Y(ST_Transform(s.location, 4549))
          FROM old_rows o JOIN new_rows n ON n.id = o.id,
               LATERAL (VALUES (-1, o.grid_code, o.category_code, o.reported_at, o.closed_at, o.due_at, o.location),
                               (1, n.grid_code, n.category_code, n.reported_at, n.closed_at, n.due_at, n.location))
                       AS s(sign, grid_code, category_code, reported_at, closed_at, due_at, location)
         WHERE (o.grid_code, o.category_code, o.reported_at, o.closed_at, o.due_at)
               IS DISTINCT FROM (n.grid_code, n.category_code, n.reported_at, n.closed_at, n.due_at)
            OR NOT ST_Equals(o.location, n.location);
    END IF;
    PERFORM stats_apply_delta();
    RETURN NULL;
END $$;

DROP TRIGGER IF EXISTS events_stats_insert ON events;
CREATE TRIGGER events_stats_insert AFTER INSERT ON events REFERENCING NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION events_stats_trigger();
DROP TRIGGER IF EXISTS events_stats_update ON events;
CREATE TRIGGER events_stats_update AFTER UPDATE ON events REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION events_stats_trigger();
DROP TRIGGER IF EXISTS events_stats_delete ON events;
CREATE TRIGGER events_stats_delete AFTER DELETE ON events REFERENCING OLD TABLE AS old_rows
    FOR EACH STATEMENT EXECUTE FUNCTION events_stats_trigger();

-- Build the figures for events that exist already (a database migrated with data in it).
TRUNCATE stats_grid_day, stats_village_day, stats_cell_day, stats_category_day;
SELECT stats_delta_table();
INSERT INTO _stats_delta SELECT 1, grid_code, category_code, reported_at, closed_at, due_at,
       ST_X(ST_Transform(location, 4549)), ST_Y(ST_Transform(location, 4549)) FROM events;
SELECT stats_apply_delta();

-- Recent events of a village or grid (the village and grid views) without walking its history.
CREATE INDEX IF NOT EXISTS events_village_time_idx ON events (village_code, reported_at);
CREATE INDEX IF NOT EXISTS events_grid_time_idx ON events (grid_code, reported_at);

-- Open events by area: the few open events of a town or village without walking all its history.
CREATE INDEX IF NOT EXISTS events_open_area_idx ON events (town_code, village_code, due_at)
    WHERE status NOT IN ('closed', 'rejected');
