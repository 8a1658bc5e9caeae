-- Events and their append-only log: placing, the workflow's steps, status from the log.
-- Live text: re-applied by geo/db.migrate whenever a file here changes (docs/schema.md).

-- Point -> third-level grid. Tie-break rule (README, "Point to grid"):
--   1. among admin third-level grids whose closed polygon (boundary included) contains the point,
--      the one with the smallest code;
--   2. else (a floating-point hairline between grids, or the county edge) the nearest such grid
--      within 1 metre (geography distance), ties again by smallest code;
--   3. else NULL: the point is outside the county, and the caller refuses it.
-- The && box of 0.0001 degrees (about 10 m) only narrows the index search; the test is in metres.
CREATE OR REPLACE FUNCTION public.grid_for_point(p geometry)
 RETURNS text
 LANGUAGE plpgsql
 STABLE PARALLEL SAFE
AS $function$
DECLARE found text;
BEGIN
    SELECT g.code INTO found FROM grids g
     WHERE g.level = 3 AND g.kind = 'admin' AND ST_Intersects(g.geom, p)
     ORDER BY g.code LIMIT 1;
    IF found IS NULL THEN
        SELECT g.code INTO found FROM grids g
         WHERE g.level = 3 AND g.kind = 'admin' AND g.geom && ST_Expand(p, 0.0001)
           AND ST_Distance(g.geom::geography, p::geography) <= 1.0
         ORDER BY ST_Distance(g.geom::geography, p::geography), g.code LIMIT 1;
    END IF;
    RETURN found;
END $function$;
GRANT EXECUTE ON FUNCTION public.grid_for_point(geometry) TO jy_app;

-- A grid file replaced third-level grids: every event filed under one of them, or lying inside one,
-- moves to the grid grid_for_point now gives. Owner rights (the owner or a signed admin only): under
-- the caller's row-level security a spatial test on events may not use the GiST index (ST_Intersects
-- is not leakproof), and the planner evaluated grid_for_point over the whole table — 113 s for one
-- village's six grids in the 20 k demo. Each step is materialised so it runs once, in this order.
CREATE OR REPLACE FUNCTION public.jy_reassign_events(p_codes text[])
 RETURNS SETOF bigint
 LANGUAGE plpgsql
 SECURITY DEFINER
 SET search_path TO 'public', 'pg_temp'
AS $function$
BEGIN
    IF (public.jy_by_owner() OR public.jy_is_admin()) IS NOT TRUE THEN
        RAISE EXCEPTION 'only an admin may re-assign events to grids' USING ERRCODE = 'insufficient_privilege';
    END IF;
    RETURN QUERY
    WITH changed AS MATERIALIZED (
        SELECT g.code, g.geom FROM public.grids g
         WHERE g.code = ANY(p_codes) AND g.level = 3 AND g.kind = 'admin'
    ), cand AS MATERIALIZED (
        SELECT e.id, e.location, e.grid_code FROM public.events e WHERE e.grid_code = ANY(p_codes)
        UNION
        SELECT e.id, e.location, e.grid_code FROM public.events e
          JOIN changed c ON public.ST_Intersects(c.geom, e.location)
    ), moved AS MATERIALIZED (
        SELECT cand.id, public.grid_for_point(cand.location) AS new_code, cand.grid_code FROM cand
    )
    UPDATE public.events e SET grid_code = m.new_code
      FROM moved m
     WHERE e.id = m.id AND m.new_code IS NOT NULL AND m.new_code <> m.grid_code
    RETURNING e.id;
END $function$;
REVOKE EXECUTE ON FUNCTION public.jy_reassign_events(text[]) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION public.jy_reassign_events(text[]) TO jy_app;

-- Open311's public reads (GET requests without an api_key, docs/api.md): what any visitor may know of
-- the requests other systems filed — number, service, status, agency, times and a place rounded to
-- 0.001° (about 100 m). Never the description, the address, the reporter, photos or any event that did
-- not come in through Open311. Bounded: at most 1,000 rows a call, the events_external_idx range.
CREATE OR REPLACE FUNCTION public.jy_open311_public(p_ids bigint[], p_category text, p_start timestamptz,
                                                    p_end timestamptz, p_open boolean, p_limit integer, p_offset integer)
 RETURNS TABLE(id bigint, category_code text, category text, status text, is_open boolean,
               reported_at timestamptz, due_at timestamptz, updated_at timestamptz,
               lon double precision, lat double precision, department text, team text)
 LANGUAGE sql
 STABLE SECURITY DEFINER
 SET search_path TO 'public', 'pg_temp'
AS $function$
    SELECT e.id, e.category_code, c.name, e.status, public.jy_is_open(e.status), e.reported_at, e.due_at,
           (SELECT max(l.at) FROM public.event_log l WHERE l.event_id = e.id),
           round(public.ST_X(e.location)::numeric, 3)::double precision,
           round(public.ST_Y(e.location)::numeric, 3)::double precision, d.name, tm.name
      FROM public.events e
      JOIN public.event_categories c ON c.code = e.category_code
      LEFT JOIN public.departments d ON d.code = e.assignee_department
      LEFT JOIN public.enforcement_teams tm ON tm.code = e.assignee_team
     WHERE e.external_source >= 'open311:' AND e.external_source < 'open311;'     -- C collation: the prefix
       AND e.external_id IS NOT NULL AND NOT e.is_drill
       AND (p_ids IS NULL OR e.id = ANY (p_ids))
       AND (p_category IS NULL OR e.category_code = p_category)
       AND (p_start IS NULL OR e.reported_at >= p_start)
       AND (p_end IS NULL OR e.reported_at < p_end)
       AND (p_open IS NULL OR public.jy_is_open(e.status) = p_open)
     ORDER BY e.reported_at DESC, e.id DESC
     LIMIT least(greatest(coalesce(p_limit, 0), 0), 1000) OFFSET greatest(coalesce(p_offset, 0), 0)
$function$;
REVOKE EXECUTE ON FUNCTION public.jy_open311_public(bigint[],text,timestamptz,timestamptz,boolean,integer,integer) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION public.jy_open311_public(bigint[],text,timestamptz,timestamptz,boolean,integer,integer) TO jy_app;

-- Where a point lies, whoever asks: the grid (smallest-code rule of grid_for_point) and the names
-- of its village and town. Intake uses it to tell "outside your area (in X town, Y village)" from
-- "outside the county". Names only, never rows.
CREATE OR REPLACE FUNCTION public.jy_place_of_point(p_lon double precision, p_lat double precision)
 RETURNS TABLE(grid_code text, grid_name text, village_code text, village_name text, town_code text, town_name text)
 LANGUAGE sql
 STABLE SECURITY DEFINER
 SET search_path TO 'public', 'pg_temp'
AS $function$
    SELECT g.code, g.name, v.code, v.name, t.code, t.name
      FROM (SELECT grid_for_point(ST_SetSRID(ST_MakePoint(p_lon, p_lat), 4490)) AS code) p
      JOIN grids g ON g.code = p.code
      JOIN grids v ON v.code = g.parent_code
      JOIN grids t ON t.code = g.town_code
     WHERE jy_effective_scope() IN ('city', 'town', 'village')
$function$;
GRANT EXECUTE ON FUNCTION public.jy_place_of_point(double precision,double precision) TO jy_app;

-- The names of every town and village, whoever asks (a signed user or an Open311 client): the
-- address matcher's vocabulary (geo/addresses.py) must know the whole county's place names to read
-- "南闸街道金巷社区…" even for a town that sees only its own grids. Names and codes only, never shapes.
CREATE OR REPLACE FUNCTION public.jy_area_names()
 RETURNS TABLE(code text, level smallint, name text, town_code text)
 LANGUAGE sql
 STABLE SECURITY DEFINER
 SET search_path TO 'pg_catalog', 'public', 'pg_temp'
AS $function$
    SELECT g.code, g.level, g.name, g.town_code
      FROM public.grids g
     WHERE g.level IN (1, 2) AND g.kind = 'admin'
       AND (public.jy_effective_scope() IN ('city', 'town', 'village', 'client')) IS TRUE
     ORDER BY g.code
$function$;
GRANT EXECUTE ON FUNCTION public.jy_area_names() TO jy_app;

-- The one definition of an open event in SQL (geo/status.py CLOSED_STATUSES is the same list; a test
-- keeps the two equal). A one-expression SQL function: the planner inlines it, so a query written
-- with jy_is_open(e.status) still matches the partial indexes whose predicate is the expression.
CREATE OR REPLACE FUNCTION public.jy_is_open(p_status text)
 RETURNS boolean
 LANGUAGE sql
 IMMUTABLE PARALLEL SAFE
AS $function$ SELECT p_status NOT IN ('closed', 'rejected') $function$;
GRANT EXECUTE ON FUNCTION public.jy_is_open(text) TO jy_app, jy_escalate;

CREATE OR REPLACE FUNCTION public.events_before_insert()
 RETURNS trigger
 LANGUAGE plpgsql
AS $function$
BEGIN
    IF NEW.status IS DISTINCT FROM 'reported' OR NEW.closed_at IS NOT NULL THEN
        RAISE EXCEPTION 'a new event starts as reported; later states come from event_log rows'
            USING ERRCODE = 'check_violation';
    END IF;
    NEW.status_at := coalesce(NEW.status_at, NEW.reported_at);
    RETURN NEW;
END $function$;
-- Fired only for a row it has something to say about (the WHEN clause costs no function call): intake
-- writes status_at itself, so a 200,000-row import calls no PL/pgSQL here.
CREATE OR REPLACE TRIGGER events_before_insert BEFORE INSERT ON public.events FOR EACH ROW
    WHEN (NEW.status IS DISTINCT FROM 'reported' OR NEW.closed_at IS NOT NULL OR NEW.status_at IS NULL)
    EXECUTE FUNCTION events_before_insert();

CREATE OR REPLACE FUNCTION public.events_guard_status()
 RETURNS trigger
 LANGUAGE plpgsql
AS $function$
DECLARE latest text;
BEGIN
    -- Depth 1 is a direct UPDATE; deeper ones come from event_log_apply.
    IF pg_trigger_depth() > 1 THEN
        RETURN NEW;
    END IF;
    IF NEW.version IS DISTINCT FROM OLD.version OR NEW.status_at IS DISTINCT FROM OLD.status_at THEN
        RAISE EXCEPTION 'events.version and status_at follow event_log: insert a log row to move event %', NEW.id
              USING ERRCODE = 'check_violation';
    END IF;
    SELECT to_status INTO latest FROM event_log
     WHERE event_id = NEW.id ORDER BY at DESC, id DESC LIMIT 1;
    IF NEW.status IS DISTINCT FROM latest THEN
        RAISE EXCEPTION 'events.status follows event_log: insert a log row to move event % to %',
            NEW.id, NEW.status USING ERRCODE = 'check_violation';
    END IF;
    RETURN NEW;
END $function$;
CREATE OR REPLACE TRIGGER events_guard_status BEFORE UPDATE OF status, closed_at, version, status_at ON public.events FOR EACH ROW WHEN (((new.status IS DISTINCT FROM old.status) OR (new.closed_at IS DISTINCT FROM old.closed_at) OR (new.version IS DISTINCT FROM old.version) OR (new.status_at IS DISTINCT FROM old.status_at))) EXECUTE FUNCTION events_guard_status();

-- Append-only. Only the demo loader may empty it, by setting jiangyin.allow_log_purge locally.
CREATE OR REPLACE FUNCTION public.event_log_append_only()
 RETURNS trigger
 LANGUAGE plpgsql
AS $function$
BEGIN
    IF TG_OP = 'TRUNCATE' AND current_setting('jiangyin.allow_log_purge', true) = 'on' THEN
        RETURN NULL;
    END IF;
    RAISE EXCEPTION 'event_log is append-only (% refused)', TG_OP
        USING ERRCODE = 'insufficient_privilege';
END $function$;
CREATE OR REPLACE TRIGGER event_log_no_change BEFORE DELETE OR UPDATE ON public.event_log FOR EACH ROW EXECUTE FUNCTION event_log_append_only();
CREATE OR REPLACE TRIGGER event_log_no_truncate BEFORE TRUNCATE ON public.event_log FOR EACH STATEMENT EXECUTE FUNCTION event_log_append_only();

-- Who wrote a log row and when: the signed session and the clock, never the caller. A row from the
-- app role (the pages, the API) gets the session's account as `username`, its name and actor role
-- as `actor` and `actor_role` (from role_catalogue, the role catalogue of geo/roles.py), and the
-- time now — a report's first row, the event's report time. The owner's loaders and jobs write
-- history as given (an import carries the export's times). Without a signed session: refused.
CREATE OR REPLACE FUNCTION public.event_log_from_session()
 RETURNS trigger
 LANGUAGE plpgsql
 SECURITY DEFINER
 SET search_path TO 'public', 'pg_temp'
AS $function$
DECLARE
    who text := public.jy_ctx('user');
    name text;
    arole text;
    town text;
BEGIN
    IF public.jy_by_owner() THEN
        RETURN NEW;
    END IF;
    IF coalesce(who, '') = '' THEN
        RAISE EXCEPTION 'a log row needs a signed session' USING ERRCODE = 'insufficient_privilege';
    END IF;
    IF who LIKE 'terminal:%' THEN
        SELECT s.name INTO name FROM public.staff s WHERE s.terminal_id = substr(who, 10);
        arole := 'grid_worker';
    ELSIF who LIKE 'open311:%' THEN
        SELECT c.name INTO name FROM public.api_clients c WHERE c.code = substr(who, 9);
        arole := 'system';
    ELSE
        SELECT u.display_name, r.acts_as, u.town_code INTO name, arole, town
          FROM public.app_users u JOIN public.role_catalogue r ON r.kind = 'account' AND r.code = u.role
         WHERE u.username = who;
        IF arole = 'dispatcher' THEN
            arole := CASE WHEN town IS NULL THEN 'city_dispatcher' ELSE 'town_dispatcher' END;
        END IF;
    END IF;
    -- Only an acting account moves an event; a report's first row may also come from an admin's
    -- import of a file (数据导入: the account acts on nothing, the rows are the file's reports).
    IF name IS NULL OR (arole IS NULL AND (NEW.from_status IS NULL AND public.jy_is_admin()) IS NOT TRUE) THEN
        RAISE EXCEPTION '% may not write the event log', who USING ERRCODE = 'insufficient_privilege';
    END IF;
    NEW.username := who;
    IF NEW.from_status IS NULL THEN
        -- a report: at its report time, by its reporter — the name the report carries (a hotline
        -- caller's), else the session's
        SELECT e.reported_at,
               coalesce(e.reporter_name,
                        coalesce((SELECT label FROM public.role_catalogue WHERE kind = 'actor' AND code = arole),
                                 '数据导入') || ' ' || name)
          INTO NEW.at, NEW.actor
          FROM public.events e WHERE e.id = NEW.event_id;
        NEW.actor_role := 'reporter';
    ELSE
        -- the moment of the step, taken with the event locked: the log's order is the order the steps
        -- happened (now() is the transaction's start, which a transaction that waited for the lock
        -- can have before the step it waited for)
        NEW.at := clock_timestamp();
        NEW.actor_role := arole;
        NEW.actor := (SELECT label FROM public.role_catalogue WHERE kind = 'actor' AND code = arole) || ' ' || name;
    END IF;
    RETURN NEW;
END $function$;
-- Not fired for the owner's own rows (its loaders and jobs write history as given; jy_by_owner() inside
-- says the same): the WHEN clause names the owner, so a 200,000-row import by the owner calls no
-- PL/pgSQL per row. Written with the table owner's name as these files are applied.
DO $do$
BEGIN
    EXECUTE format('CREATE OR REPLACE TRIGGER event_log_from_session BEFORE INSERT ON public.event_log FOR EACH ROW '
                   'WHEN (session_user <> %L) EXECUTE FUNCTION public.event_log_from_session()',
                   (SELECT r.rolname FROM pg_catalog.pg_class c JOIN pg_catalog.pg_roles r ON r.oid = c.relowner
                     WHERE c.oid = 'public.event_log'::regclass));
END $do$;

-- Fires before event_log_apply (triggers of one kind fire in name order): events.status is still
-- the state the new rows start from.
CREATE OR REPLACE FUNCTION public.event_log_check()
 RETURNS trigger
 LANGUAGE plpgsql
 SECURITY DEFINER
 SET search_path TO 'public', 'pg_temp'
AS $function$
DECLARE
    bad record;
BEGIN
    SELECT n.event_id, n.from_status, n.to_status INTO bad
      FROM new_rows n
     WHERE NOT EXISTS (SELECT 1 FROM workflow_transitions t
                        WHERE t.from_status IS NOT DISTINCT FROM n.from_status AND t.to_status = n.to_status)
     LIMIT 1;
    IF FOUND THEN
        RAISE EXCEPTION 'event %: % -> % is not a step of the workflow', bad.event_id,
              coalesce(bad.from_status, '(new)'), bad.to_status USING ERRCODE = 'check_violation';
    END IF;
    -- A report's first row (from nothing) has no state to start from: an import of 200,000 reports
    -- has nothing to compare, and without this guard the planner (a transition table has no
    -- statistics) joined the batch to every event in a nested loop and ran for hours.
    IF NOT EXISTS (SELECT 1 FROM new_rows n WHERE n.from_status IS NOT NULL) THEN
        RETURN NULL;
    END IF;
    SELECT c.event_id, c.from_status, c.expected INTO bad
      FROM (SELECT n.event_id, n.from_status,
                   coalesce(lag(n.to_status) OVER (PARTITION BY n.event_id ORDER BY n.at, n.id), e.status) AS expected
              FROM new_rows n JOIN events e ON e.id = n.event_id
             WHERE n.from_status IS NOT NULL) c
     WHERE c.from_status IS DISTINCT FROM c.expected
     LIMIT 1;
    IF FOUND THEN
        RAISE EXCEPTION 'event %: the log row starts from % but the event is %', bad.event_id, bad.from_status,
              bad.expected USING ERRCODE = 'check_violation';
    END IF;
    -- Separation of duties: whoever reported or handled an event does not verify it (核查 or 核查不通过).
    SELECT n.event_id, n.username INTO bad
      FROM new_rows n
     WHERE n.username IS NOT NULL AND n.from_status = 'handled' AND n.to_status IN ('verified', 'in_progress')
       AND EXISTS (SELECT 1 FROM event_log l
                    WHERE l.event_id = n.event_id AND l.username = n.username
                      AND (l.from_status IS NULL OR l.to_status = 'handled'))
     LIMIT 1;
    IF FOUND THEN
        RAISE EXCEPTION 'event %: % reported or handled it and may not verify it', bad.event_id, bad.username
              USING ERRCODE = 'insufficient_privilege';
    END IF;
    RETURN NULL;
END $function$;
CREATE OR REPLACE TRIGGER event_log_a_check AFTER INSERT ON public.event_log REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION event_log_check();

-- Migration 010 turned nested loops off for the whole log trigger, for bulk imports (transition
-- tables carry no statistics, and 100 k-row batches were joined in nested loops). But every single
-- workflow action and report also inserts one log row, and without nested loops that one row was
-- hash-joined against the whole event_log: 31 ms per report at 20 k events (140 k log rows), growing
-- with the log (bench/api.py, 2026-11-28). Now the planner setting follows the batch: nested loops
-- stay on for small batches (index lookups by event id), off from BULK_ROWS rows up, and the UPDATE
-- is planned for each call (EXECUTE), so a plan cached for one size is never used for the other.
-- The statement itself is migration 011's.
CREATE OR REPLACE FUNCTION public.event_log_apply()
 RETURNS trigger
 LANGUAGE plpgsql
 SECURITY DEFINER
 SET search_path TO 'public', 'pg_temp'
AS $function$
DECLARE
    bulk boolean := (SELECT count(*) FROM (SELECT 1 FROM new_rows LIMIT 5000) s) >= 5000;
    was text := current_setting('enable_nestloop');
BEGIN
    IF bulk THEN
        PERFORM set_config('enable_nestloop', 'off', true);
    END IF;
    EXECUTE $q$
    UPDATE events e
       SET status = l.to_status,
           status_at = l.at,
           closed_at = CASE WHEN l.to_status = 'closed' THEN l.at END,
           version = e.version + 1
      FROM (SELECT DISTINCT ON (g.event_id) g.event_id, g.to_status, g.at, g.from_status
              FROM event_log g
             WHERE g.event_id IN (
                   SELECT n.event_id FROM new_rows n
                    WHERE n.from_status IS NOT NULL
                   UNION
                   SELECT n.event_id FROM new_rows n JOIN events x ON x.id = n.event_id
                    WHERE n.from_status IS NULL
                      AND NOT (x.version = 1 AND x.status = n.to_status AND x.status_at = n.at))
             ORDER BY g.event_id, g.at DESC, g.id DESC) l
     WHERE e.id = l.event_id
       AND NOT (l.from_status IS NULL AND e.version = 1 AND e.status = l.to_status AND e.status_at = l.at)
    $q$;
    IF bulk THEN
        PERFORM set_config('enable_nestloop', was, true);
    END IF;
    RETURN NULL;
END $function$;
CREATE OR REPLACE TRIGGER event_log_apply AFTER INSERT ON public.event_log REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION event_log_apply();

-- A bulk load that writes events and their whole history (the demo generator) holds the log
-- trigger off and moves every event to its latest log row once, here, in one pass. Batch by batch
-- the trigger would look up each batch's events in the whole log, which grows with every batch:
-- 2 M demo events took 316 s, most of it there (2026-11-28). Same rule as event_log_apply.
CREATE OR REPLACE FUNCTION public.events_replay_log()
 RETURNS bigint
 LANGUAGE plpgsql
 SECURITY DEFINER
 SET search_path TO 'public', 'pg_temp'
 SET work_mem TO '1GB'
AS $function$
DECLARE moved bigint;
BEGIN
    UPDATE events e
       SET status = l.to_status,
           status_at = l.at,
           closed_at = CASE WHEN l.to_status = 'closed' THEN l.at END,
           version = e.version + 1
      FROM (SELECT DISTINCT ON (g.event_id) g.event_id, g.to_status, g.at, g.from_status
              FROM event_log g
             ORDER BY g.event_id, g.at DESC, g.id DESC) l
     WHERE e.id = l.event_id
       AND NOT (l.from_status IS NULL AND e.version = 1 AND e.status = l.to_status AND e.status_at = l.at);
    GET DIAGNOSTICS moved = ROW_COUNT;
    RETURN moved;
END $function$;
