-- The schema a fresh `python -m loaders migrate` makes (data/migrations, then data/functions),
-- as pg_dump writes it. Generated: `python -m loaders schema --write`; do not edit.
-- tests/test_schema.py fails when it is not current.

--
-- PostgreSQL database dump
--



SET statement_timeout = 0;
SET lock_timeout = 0;
SET idle_in_transaction_session_timeout = 0;
SET client_encoding = 'UTF8';
SET standard_conforming_strings = on;
SELECT pg_catalog.set_config('search_path', '', false);
SET check_function_bodies = false;
SET xmloption = content;
SET client_min_messages = warning;
SET row_security = off;

--
-- Name: pg_trgm; Type: EXTENSION; Schema: -; Owner: -
--

CREATE EXTENSION IF NOT EXISTS pg_trgm WITH SCHEMA public;


--
-- Name: pgcrypto; Type: EXTENSION; Schema: -; Owner: -
--

CREATE EXTENSION IF NOT EXISTS pgcrypto WITH SCHEMA public;


--
-- Name: postgis; Type: EXTENSION; Schema: -; Owner: -
--

CREATE EXTENSION IF NOT EXISTS postgis WITH SCHEMA public;


--
-- Name: audit_log_chain(); Type: FUNCTION; Schema: public; Owner: -
--

CREATE FUNCTION public.audit_log_chain() RETURNS trigger
    LANGUAGE plpgsql SECURITY DEFINER
    SET search_path TO 'public', 'pg_temp'
    AS $$
DECLARE
    prev text;
BEGIN
    PERFORM pg_advisory_xact_lock(hashtext('jy_audit_chain'));
    SELECT a.row_hash INTO prev FROM audit_log a WHERE a.chain_seq IS NOT NULL
     ORDER BY a.chain_seq DESC LIMIT 1;
    NEW.chain_seq := nextval('audit_chain_seq');
    NEW.prev_hash := coalesce(prev, repeat('0', 64));
    NEW.row_hash := jy_audit_hash(NEW.prev_hash, jy_audit_text(NEW.chain_seq, NEW.id, NEW.at, NEW.username,
                                                              NEW.role, NEW.action, NEW.target, NEW.ok,
                                                              NEW.detail));
    RETURN NEW;
END $$;


--
-- Name: audit_log_from_session(); Type: FUNCTION; Schema: public; Owner: -
--

CREATE FUNCTION public.audit_log_from_session() RETURNS trigger
    LANGUAGE plpgsql
    AS $$
BEGIN
    IF current_user = session_user AND NOT public.jy_by_owner() THEN
        NEW.at := now();
        NEW.username := public.jy_ctx('user');
        NEW.role := public.jy_ctx('role');
    END IF;
    RETURN NEW;
END $$;


--
-- Name: chem_recompute(bigint[]); Type: FUNCTION; Schema: public; Owner: -
--

CREATE FUNCTION public.chem_recompute(ids bigint[] DEFAULT NULL::bigint[]) RETURNS integer
    LANGUAGE plpgsql SECURITY DEFINER
    SET search_path TO 'public', 'pg_temp'
    AS $$
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


--
-- Name: chem_recompute_trigger(); Type: FUNCTION; Schema: public; Owner: -
--

CREATE FUNCTION public.chem_recompute_trigger() RETURNS trigger
    LANGUAGE plpgsql SECURITY DEFINER
    SET search_path TO 'public', 'pg_temp'
    AS $$
BEGIN
    PERFORM chem_recompute(NULL);
    RETURN NULL;
END $$;


--
-- Name: event_log_append_only(); Type: FUNCTION; Schema: public; Owner: -
--

CREATE FUNCTION public.event_log_append_only() RETURNS trigger
    LANGUAGE plpgsql
    AS $$
BEGIN
    IF TG_OP = 'TRUNCATE' AND current_setting('jiangyin.allow_log_purge', true) = 'on' THEN
        RETURN NULL;
    END IF;
    RAISE EXCEPTION 'event_log is append-only (% refused)', TG_OP
        USING ERRCODE = 'insufficient_privilege';
END $$;


--
-- Name: event_log_apply(); Type: FUNCTION; Schema: public; Owner: -
--

CREATE FUNCTION public.event_log_apply() RETURNS trigger
    LANGUAGE plpgsql SECURITY DEFINER
    SET search_path TO 'public', 'pg_temp'
    AS $_$
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
END $_$;


--
-- Name: event_log_check(); Type: FUNCTION; Schema: public; Owner: -
--

CREATE FUNCTION public.event_log_check() RETURNS trigger
    LANGUAGE plpgsql SECURITY DEFINER
    SET search_path TO 'public', 'pg_temp'
    AS $$
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
END $$;


--
-- Name: event_log_from_session(); Type: FUNCTION; Schema: public; Owner: -
--

CREATE FUNCTION public.event_log_from_session() RETURNS trigger
    LANGUAGE plpgsql SECURITY DEFINER
    SET search_path TO 'public', 'pg_temp'
    AS $$
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
END $$;


--
-- Name: events_before_insert(); Type: FUNCTION; Schema: public; Owner: -
--

CREATE FUNCTION public.events_before_insert() RETURNS trigger
    LANGUAGE plpgsql
    AS $$
BEGIN
    IF NEW.status IS DISTINCT FROM 'reported' OR NEW.closed_at IS NOT NULL THEN
        RAISE EXCEPTION 'a new event starts as reported; later states come from event_log rows'
            USING ERRCODE = 'check_violation';
    END IF;
    NEW.status_at := coalesce(NEW.status_at, NEW.reported_at);
    RETURN NEW;
END $$;


--
-- Name: events_guard_status(); Type: FUNCTION; Schema: public; Owner: -
--

CREATE FUNCTION public.events_guard_status() RETURNS trigger
    LANGUAGE plpgsql
    AS $$
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
END $$;


--
-- Name: events_replay_log(); Type: FUNCTION; Schema: public; Owner: -
--

CREATE FUNCTION public.events_replay_log() RETURNS bigint
    LANGUAGE plpgsql SECURITY DEFINER
    SET search_path TO 'public', 'pg_temp'
    SET work_mem TO '1GB'
    AS $$
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
END $$;


--
-- Name: events_stats_trigger(); Type: FUNCTION; Schema: public; Owner: -
--

CREATE FUNCTION public.events_stats_trigger() RETURNS trigger
    LANGUAGE plpgsql SECURITY DEFINER
    SET search_path TO 'pg_catalog', 'public', 'pg_temp'
    SET enable_nestloop TO 'off'
    AS $_$
BEGIN
    IF TG_OP = 'UPDATE' THEN
        IF NOT EXISTS (      -- most updates (level, assignment) count nothing
                SELECT 1 FROM old_rows o JOIN new_rows n ON n.id = o.id
                 WHERE (o.grid_code, o.category_code, o.reported_at, o.closed_at, o.due_at, o.is_drill)
                       IS DISTINCT FROM (n.grid_code, n.category_code, n.reported_at, n.closed_at, n.due_at, n.is_drill)
                    OR NOT public.ST_Equals(o.location, n.location)) THEN
            RETURN NULL;
        END IF;
    END IF;
    IF TG_OP = 'INSERT' THEN
        EXECUTE public.stats_sql(public.stats_rows_sql(1, 'new_rows'));
    ELSIF TG_OP = 'DELETE' THEN
        EXECUTE public.stats_sql(public.stats_rows_sql(-1, 'old_rows'));
    ELSE
        -- only the rows whose counted fields changed: their old contribution out, the new one in
        EXECUTE public.stats_sql($d$
            SELECT s.sign, s.grid_code, s.category_code, s.reported_at, s.closed_at, s.due_at,
                   public.ST_X(public.ST_Transform(s.location, 4549)) AS x,
                   public.ST_Y(public.ST_Transform(s.location, 4549)) AS y
              FROM old_rows o JOIN new_rows n ON n.id = o.id,
                   LATERAL (VALUES (-1, o.grid_code, o.category_code, o.reported_at, o.closed_at, o.due_at, o.location, o.is_drill),
                                   (1, n.grid_code, n.category_code, n.reported_at, n.closed_at, n.due_at, n.location, n.is_drill))
                           AS s(sign, grid_code, category_code, reported_at, closed_at, due_at, location, is_drill)
             WHERE NOT s.is_drill
               AND ((o.grid_code, o.category_code, o.reported_at, o.closed_at, o.due_at, o.is_drill)
                   IS DISTINCT FROM (n.grid_code, n.category_code, n.reported_at, n.closed_at, n.due_at, n.is_drill)
                OR NOT public.ST_Equals(o.location, n.location))$d$);
    END IF;
    RETURN NULL;
END $_$;


--
-- Name: grid_for_point(public.geometry); Type: FUNCTION; Schema: public; Owner: -
--

CREATE FUNCTION public.grid_for_point(p public.geometry) RETURNS text
    LANGUAGE plpgsql STABLE PARALLEL SAFE
    AS $$
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
END $$;


--
-- Name: hazard_alpha(double precision); Type: FUNCTION; Schema: public; Owner: -
--

CREATE FUNCTION public.hazard_alpha(people double precision) RETURNS numeric
    LANGUAGE sql IMMUTABLE PARALLEL SAFE
    AS $$
    SELECT CASE WHEN people >= 100 THEN 2.0 WHEN people >= 50 THEN 1.5 WHEN people >= 30 THEN 1.2
                WHEN people >= 1 THEN 1.0 ELSE 0.5 END
$$;


--
-- Name: hazard_level(double precision, double precision); Type: FUNCTION; Schema: public; Owner: -
--

CREATE FUNCTION public.hazard_level(r double precision, q_ratio_sum double precision) RETURNS smallint
    LANGUAGE sql IMMUTABLE PARALLEL SAFE
    AS $$
    SELECT CASE WHEN q_ratio_sum IS NULL OR q_ratio_sum < 1 THEN NULL      -- not a major hazard
                WHEN r >= 100 THEN 1 WHEN r >= 50 THEN 2 WHEN r >= 10 THEN 3 ELSE 4 END::smallint
$$;


--
-- Name: jy_api_client_check(text); Type: FUNCTION; Schema: public; Owner: -
--

CREATE FUNCTION public.jy_api_client_check(p_hash text) RETURNS TABLE(code text, name text, event_source text)
    LANGUAGE sql STABLE SECURITY DEFINER
    SET search_path TO 'public', 'pg_temp'
    AS $$
    SELECT c.code, c.name, c.event_source FROM api_clients c WHERE c.key_hash = p_hash AND NOT c.disabled
$$;


--
-- Name: jy_area_names(); Type: FUNCTION; Schema: public; Owner: -
--

CREATE FUNCTION public.jy_area_names() RETURNS TABLE(code text, level smallint, name text, town_code text)
    LANGUAGE sql STABLE SECURITY DEFINER
    SET search_path TO 'pg_catalog', 'public', 'pg_temp'
    AS $$
    SELECT g.code, g.level, g.name, g.town_code
      FROM public.grids g
     WHERE g.level IN (1, 2) AND g.kind = 'admin'
       AND (public.jy_effective_scope() IN ('city', 'town', 'village', 'client')) IS TRUE
     ORDER BY g.code
$$;


--
-- Name: jy_assessment_counts(text, date, date, text, text); Type: FUNCTION; Schema: public; Owner: -
--

CREATE FUNCTION public.jy_assessment_counts(p_unit text, p_start date, p_end date, p_town text, p_village text) RETURNS TABLE(key text, name text, town_code text, town_name text, reported integer, closed integer, closed_on_time integer, returned_events integer, worker_reports integer, workers integer, patrol_units integer, grids integer, urges integer)
    LANGUAGE sql STABLE
    AS $$
    WITH p AS (
        SELECT p_start::date::timestamp AT TIME ZONE 'Asia/Shanghai' AS t0,
               p_end::date::timestamp AT TIME ZONE 'Asia/Shanghai' AS t1
    ), units AS (
        SELECT g.code AS key, g.name, g.town_code FROM grids g
         WHERE p_unit = 'town' AND g.level = 1
           AND (p_town IS NULL OR g.town_code = p_town)
        UNION ALL
        SELECT g.code, g.name, g.town_code FROM grids g
         WHERE p_unit = 'village' AND g.level = 2
           AND (p_town IS NULL OR g.town_code = p_town)
           AND (p_village IS NULL OR g.village_code = p_village)
        UNION ALL
        SELECT s.id::text, s.name, s.town_code FROM staff s
         WHERE p_unit = 'worker' AND s.role = 'grid_worker'
           AND (p_town IS NULL OR s.town_code = p_town)
           AND (p_village IS NULL OR s.village_code = p_village)
    ), ev AS (
        SELECT e.id, e.reported_at, e.closed_at, e.due_at,
               e.reported_at >= (SELECT t0 FROM p) AND e.reported_at < (SELECT t1 FROM p) AS in_reported,
               coalesce(e.closed_at >= (SELECT t0 FROM p) AND e.closed_at < (SELECT t1 FROM p), false) AS in_closed,
               CASE p_unit WHEN 'town' THEN e.town_code WHEN 'village' THEN e.village_code
                             ELSE e.assignee_staff_id::text END AS key
          FROM events e
         WHERE NOT e.is_drill
           AND (p_town IS NULL OR e.town_code = p_town)
           AND (p_village IS NULL OR e.village_code = p_village)
           AND ((e.reported_at >= (SELECT t0 FROM p) AND e.reported_at < (SELECT t1 FROM p))
                OR (e.closed_at >= (SELECT t0 FROM p) AND e.closed_at < (SELECT t1 FROM p)))
    ), ret AS (
        SELECT DISTINCT l.event_id FROM event_log l
         WHERE l.to_status = 'returned' AND l.event_id IN (SELECT id FROM ev WHERE in_reported)
    ), e_agg AS (
        SELECT ev.key,
               count(*) FILTER (WHERE ev.in_reported) AS reported,
               count(*) FILTER (WHERE ev.in_closed) AS closed,
               count(*) FILTER (WHERE ev.in_closed AND ev.closed_at <= ev.due_at) AS closed_on_time,
               count(ret.event_id) FILTER (WHERE ev.in_reported) AS returned_events
          FROM ev LEFT JOIN ret ON ret.event_id = ev.id
         GROUP BY ev.key
    ), reports AS (
        SELECT CASE p_unit WHEN 'town' THEN s.town_code WHEN 'village' THEN s.village_code ELSE s.id::text END AS key,
               count(*) AS n
          FROM events e JOIN staff s ON s.id = e.reporter_staff_id
         WHERE s.role = 'grid_worker' AND NOT e.is_drill
           AND e.reported_at >= (SELECT t0 FROM p) AND e.reported_at < (SELECT t1 FROM p)
           AND (p_town IS NULL OR s.town_code = p_town)
           AND (p_village IS NULL OR s.village_code = p_village)
         GROUP BY 1
    ), workers AS (
        SELECT CASE p_unit WHEN 'town' THEN s.town_code WHEN 'village' THEN s.village_code ELSE s.id::text END AS key,
               count(*) AS n
          FROM staff s
         WHERE s.role = 'grid_worker'
           AND (p_town IS NULL OR s.town_code = p_town)
           AND (p_village IS NULL OR s.village_code = p_village)
         GROUP BY 1
    ), patrol AS (
        SELECT CASE p_unit WHEN 'town' THEN c.town_code WHEN 'village' THEN c.village_code ELSE c.staff_id::text END AS key,
               CASE p_unit WHEN 'worker' THEN count(DISTINCT (c.at AT TIME ZONE 'Asia/Shanghai')::date)
                    ELSE count(DISTINCT (c.grid_code, (c.at AT TIME ZONE 'Asia/Shanghai')::date)) END AS n
          FROM checkins c
         WHERE c.at >= (SELECT t0 FROM p) AND c.at < (SELECT t1 FROM p)
           AND (p_town IS NULL OR c.town_code = p_town)
           AND (p_village IS NULL OR c.village_code = p_village)
         GROUP BY 1
    ), grids_n AS (
        SELECT CASE p_unit WHEN 'town' THEN g.town_code ELSE g.village_code END AS key, count(*) AS n
          FROM grids g
         WHERE g.level = 3 AND p_unit <> 'worker'
           AND (p_town IS NULL OR g.town_code = p_town)
           AND (p_village IS NULL OR g.village_code = p_village)
         GROUP BY 1
    ), urges AS (
        SELECT CASE p_unit WHEN 'town' THEN e.town_code WHEN 'village' THEN e.village_code
                             ELSE e.assignee_staff_id::text END AS key, count(*) AS n
          FROM event_urges u JOIN events e ON e.id = u.event_id
         WHERE NOT e.is_drill AND u.at >= (SELECT t0 FROM p) AND u.at < (SELECT t1 FROM p)
           AND (p_town IS NULL OR e.town_code = p_town)
           AND (p_village IS NULL OR e.village_code = p_village)
         GROUP BY 1
    )
    SELECT u.key, u.name, u.town_code, t.name AS town_name,
           coalesce(a.reported, 0)::int AS reported, coalesce(a.closed, 0)::int AS closed,
           coalesce(a.closed_on_time, 0)::int AS closed_on_time, coalesce(a.returned_events, 0)::int AS returned_events,
           coalesce(r.n, 0)::int AS worker_reports, coalesce(w.n, 0)::int AS workers,
           coalesce(pt.n, 0)::int AS patrol_units, coalesce(gn.n, 0)::int AS grids, coalesce(ur.n, 0)::int AS urges
      FROM units u
      LEFT JOIN grids t ON t.code = u.town_code
      LEFT JOIN e_agg a ON a.key = u.key
      LEFT JOIN reports r ON r.key = u.key
      LEFT JOIN workers w ON w.key = u.key
      LEFT JOIN patrol pt ON pt.key = u.key
      LEFT JOIN grids_n gn ON gn.key = u.key
      LEFT JOIN urges ur ON ur.key = u.key
     ORDER BY u.key
$$;


--
-- Name: jy_assessment_towns(date, date); Type: FUNCTION; Schema: public; Owner: -
--

CREATE FUNCTION public.jy_assessment_towns(p_start date, p_end date) RETURNS TABLE(key text, name text, town_code text, town_name text, reported integer, closed integer, closed_on_time integer, returned_events integer, worker_reports integer, workers integer, patrol_units integer, grids integer, urges integer)
    LANGUAGE sql STABLE SECURITY DEFINER
    SET search_path TO 'public', 'pg_temp'
    AS $$
    SELECT c.* FROM public.jy_assessment_counts('town', p_start, p_end, NULL, NULL) c
     WHERE (public.jy_effective_scope() IN ('city', 'town')) IS TRUE
$$;


--
-- Name: jy_audit_hash(text, text); Type: FUNCTION; Schema: public; Owner: -
--

CREATE FUNCTION public.jy_audit_hash(p_prev text, p_text text) RETURNS text
    LANGUAGE sql IMMUTABLE
    AS $$
    SELECT encode(sha256(convert_to(p_prev || '|' || p_text, 'UTF8')), 'hex')
$$;


--
-- Name: jy_audit_text(bigint, bigint, timestamp with time zone, text, text, text, text, boolean, jsonb); Type: FUNCTION; Schema: public; Owner: -
--

CREATE FUNCTION public.jy_audit_text(p_seq bigint, p_id bigint, p_at timestamp with time zone, p_username text, p_role text, p_action text, p_target text, p_ok boolean, p_detail jsonb) RETURNS text
    LANGUAGE sql IMMUTABLE
    AS $$
    SELECT concat_ws('|', p_seq::text, p_id::text,
                     to_char(p_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US'), p_username,
                     coalesce(p_role, ''), p_action, coalesce(p_target, ''), p_ok::text, p_detail::text)
$$;


--
-- Name: jy_audit_verify(); Type: FUNCTION; Schema: public; Owner: -
--

CREATE FUNCTION public.jy_audit_verify() RETURNS TABLE(first_broken_id bigint, first_broken_seq bigint, rows_checked bigint, head_hash text)
    LANGUAGE plpgsql STABLE SECURITY DEFINER
    SET search_path TO 'public', 'pg_temp'
    AS $$
DECLARE
    r record;
    prev text := repeat('0', 64);
    n bigint := 0;
BEGIN
    FOR r IN SELECT * FROM audit_log ORDER BY chain_seq NULLS FIRST, id LOOP
        n := n + 1;
        IF r.chain_seq IS NULL OR r.prev_hash IS DISTINCT FROM prev
           OR r.row_hash IS DISTINCT FROM jy_audit_hash(prev, jy_audit_text(r.chain_seq, r.id, r.at, r.username,
                                                                               r.role, r.action, r.target, r.ok,
                                                                               r.detail)) THEN
            RETURN QUERY SELECT r.id, r.chain_seq, n, prev;
            RETURN;
        END IF;
        prev := r.row_hash;
    END LOOP;
    RETURN QUERY SELECT NULL::bigint, NULL::bigint, n, prev;
END $$;


--
-- Name: jy_auth_lookup(text); Type: FUNCTION; Schema: public; Owner: -
--

CREATE FUNCTION public.jy_auth_lookup(p_username text) RETURNS TABLE(id bigint, username text, display_name text, role text, town_code text, village_code text, password_hash text, disabled boolean, locked_until timestamp with time zone)
    LANGUAGE sql STABLE SECURITY DEFINER
    SET search_path TO 'public', 'pg_temp'
    AS $$
    SELECT u.id, u.username, u.display_name, u.role, u.town_code, u.village_code, u.password_hash,
           u.disabled, u.locked_until
      FROM app_users u WHERE u.username = lower(btrim(p_username))
$$;


--
-- Name: jy_auth_record(text, text, boolean, text, integer, integer); Type: FUNCTION; Schema: public; Owner: -
--

CREATE FUNCTION public.jy_auth_record(p_username text, p_source text, p_ok boolean, p_reason text, p_max_failures integer, p_lock_minutes integer) RETURNS timestamp with time zone
    LANGUAGE plpgsql SECURITY DEFINER
    SET search_path TO 'public', 'pg_temp'
    AS $$
DECLARE
    name text := left(lower(btrim(p_username)), 64);
    src text := left(coalesce(nullif(p_source, ''), 'unknown'), 64);
    u app_users%ROWTYPE;
    fails integer;
    wait timestamptz;
BEGIN
    SELECT * INTO u FROM app_users WHERE username = name;
    IF p_ok THEN
        DELETE FROM login_throttle WHERE source = src AND username = name;
        UPDATE app_users SET failed_attempts = 0, locked_until = NULL, last_login_at = now() WHERE id = u.id;
    ELSIF p_reason IS DISTINCT FROM 'locked' THEN
        INSERT INTO login_throttle AS t (source, username, failures, first_failure_at)
        VALUES (src, name, 1, now()), (src, '*', 1, now())
        ON CONFLICT (source, username) DO UPDATE
           SET failures = CASE WHEN t.until IS NOT NULL AND t.until <= now()
                                 OR t.first_failure_at < now() - make_interval(mins => p_lock_minutes)
                               THEN 1 ELSE t.failures + 1 END,
               first_failure_at = CASE WHEN t.until IS NOT NULL AND t.until <= now()
                                         OR t.first_failure_at < now() - make_interval(mins => p_lock_minutes)
                                       THEN now() ELSE t.first_failure_at END,
               until = CASE WHEN t.until > now() THEN t.until END;
        UPDATE login_throttle SET until = now() + make_interval(mins => p_lock_minutes)
         WHERE source = src AND ((username = name AND failures >= p_max_failures)
                                 OR (username = '*' AND failures >= p_max_failures * 6))
           AND (until IS NULL OR until <= now());
        SELECT failures INTO fails FROM login_throttle WHERE source = src AND username = name;
        -- for the users page: failures, and the latest wait of any source on this name
        UPDATE app_users SET failed_attempts = failed_attempts + 1,
               locked_until = (SELECT max(t.until) FROM login_throttle t WHERE t.username = name AND t.until > now())
         WHERE id = u.id;
    END IF;
    wait := jy_auth_throttled(src, name);
    INSERT INTO audit_log (username, role, action, target, ok, detail)
    VALUES (name, u.role, 'login', NULL, p_ok,
            jsonb_build_object('reason', p_reason, 'known_user', u.id IS NOT NULL, 'source', src,
                               'failed_attempts', fails, 'locked_until', wait));
    RETURN wait;
END $$;


--
-- Name: jy_auth_throttled(text, text); Type: FUNCTION; Schema: public; Owner: -
--

CREATE FUNCTION public.jy_auth_throttled(p_source text, p_username text) RETURNS timestamp with time zone
    LANGUAGE sql STABLE SECURITY DEFINER
    SET search_path TO 'public', 'pg_temp'
    AS $$
    SELECT max(t.until) FROM login_throttle t
     WHERE t.source = left(p_source, 64) AND t.username IN (left(lower(btrim(p_username)), 64), '*')
       AND t.until > now()
$$;


--
-- Name: jy_auth_unlock(text); Type: FUNCTION; Schema: public; Owner: -
--

CREATE FUNCTION public.jy_auth_unlock(p_username text) RETURNS boolean
    LANGUAGE plpgsql SECURITY DEFINER
    SET search_path TO 'public', 'pg_temp'
    AS $$
BEGIN
    IF (public.jy_is_admin() OR public.jy_by_owner()) IS NOT TRUE THEN
        RAISE EXCEPTION 'only an admin may unlock an account' USING ERRCODE = 'insufficient_privilege';
    END IF;
    DELETE FROM login_throttle WHERE username = left(lower(btrim(p_username)), 64);
    UPDATE app_users SET failed_attempts = 0, locked_until = NULL WHERE username = lower(btrim(p_username));
    RETURN FOUND;
END $$;


--
-- Name: jy_begin(text); Type: FUNCTION; Schema: public; Owner: -
--

CREATE FUNCTION public.jy_begin(p_token text) RETURNS boolean
    LANGUAGE plpgsql SECURITY DEFINER
    SET search_path TO 'public', 'pg_temp'
    AS $$
DECLARE
    u record;
BEGIN
    SELECT a.username, a.role, a.town_code, a.village_code INTO u
      FROM app_sessions s JOIN app_users a ON a.username = s.username
     WHERE s.token_hash = encode(sha256(convert_to(coalesce(p_token, ''), 'UTF8')), 'hex')
       AND s.ended_at IS NULL AND NOT a.disabled AND s.created_at > a.password_changed_at
       AND (s.idle_limit_s IS NULL OR s.last_seen_at > now() - make_interval(secs => s.idle_limit_s));
    IF NOT FOUND THEN
        RETURN jy_sign_context('', '', '', '', '');
    END IF;
    RETURN jy_sign_context(CASE WHEN u.village_code IS NOT NULL THEN 'village'
                                WHEN u.town_code IS NOT NULL THEN 'town' ELSE 'city' END,
                           u.town_code, u.village_code, u.role, u.username);
END $$;


--
-- Name: jy_begin_client(text); Type: FUNCTION; Schema: public; Owner: -
--

CREATE FUNCTION public.jy_begin_client(p_key text) RETURNS boolean
    LANGUAGE plpgsql SECURITY DEFINER
    SET search_path TO 'public', 'pg_temp'
    AS $$
DECLARE
    c record;
BEGIN
    SELECT code INTO c FROM api_clients
     WHERE key_hash = encode(sha256(convert_to(coalesce(p_key, ''), 'UTF8')), 'hex') AND NOT disabled;
    IF NOT FOUND THEN
        RETURN jy_sign_context('', '', '', '', '');
    END IF;
    -- scope 'client': it files anywhere in the county and sees only its own requests (90_policies.sql)
    RETURN jy_sign_context('client', '', '', 'system', 'open311:' || c.code);
END $$;


--
-- Name: jy_begin_terminal(text, bigint); Type: FUNCTION; Schema: public; Owner: -
--

CREATE FUNCTION public.jy_begin_terminal(p_token text, p_event bigint DEFAULT NULL::bigint) RETURNS boolean
    LANGUAGE plpgsql SECURITY DEFINER
    SET search_path TO 'public', 'pg_temp'
    AS $$
DECLARE
    w record;
    task_village text;
BEGIN
    SELECT s.id, s.terminal_id, s.town_code, s.village_code INTO w
      FROM api_tokens t JOIN staff s ON s.id = t.staff_id
      JOIN terminal_accounts a ON a.staff_id = s.id AND NOT a.disabled
     WHERE t.token_hash = encode(sha256(convert_to(coalesce(p_token, ''), 'UTF8')), 'hex')
       AND t.revoked_at IS NULL AND t.expires_at > now();
    IF NOT FOUND THEN
        RETURN jy_sign_context('', '', '', '', '');
    END IF;
    IF p_event IS NOT NULL THEN
        -- a task of theirs in another village runs in that village (migration 017's rule)
        SELECT e.village_code INTO task_village FROM events e WHERE e.id = p_event AND e.assignee_staff_id = w.id;
        IF task_village IS NULL THEN
            RETURN jy_sign_context('', '', '', '', '');
        END IF;
        RETURN jy_sign_context('village', left(task_village, 9), task_village, 'grid_worker', 'terminal:' || w.terminal_id);
    END IF;
    RETURN jy_sign_context('village', w.town_code, w.village_code, 'grid_worker', 'terminal:' || w.terminal_id);
END $$;


--
-- Name: jy_by_owner(); Type: FUNCTION; Schema: public; Owner: -
--

CREATE FUNCTION public.jy_by_owner() RETURNS boolean
    LANGUAGE sql STABLE
    AS $$
    SELECT coalesce(session_user = (SELECT r.rolname FROM pg_catalog.pg_class c
                                      JOIN pg_catalog.pg_roles r ON r.oid = c.relowner
                                     WHERE c.oid = 'public.events'::regclass), false)
$$;


--
-- Name: jy_context_ok(); Type: FUNCTION; Schema: public; Owner: -
--

CREATE FUNCTION public.jy_context_ok() RETURNS boolean
    LANGUAGE sql STABLE SECURITY DEFINER
    SET search_path TO 'public', 'pg_temp'
    AS $$
    SELECT coalesce(current_setting('jy.sig', true) = encode(hmac(convert_to(jy_context_text(), 'UTF8'), k, 'sha256'), 'hex'),
                    false)
      FROM jy_context_key
$$;


--
-- Name: jy_context_text(); Type: FUNCTION; Schema: public; Owner: -
--

CREATE FUNCTION public.jy_context_text() RETURNS text
    LANGUAGE sql STABLE
    AS $$
    SELECT concat_ws(chr(31), coalesce(current_setting('jy.scope', true), ''),
                     coalesce(current_setting('jy.town', true), ''), coalesce(current_setting('jy.village', true), ''),
                     coalesce(current_setting('jy.role', true), ''), coalesce(current_setting('jy.user', true), ''),
                     pg_backend_pid()::text, extract(epoch FROM transaction_timestamp())::text)
$$;


--
-- Name: jy_ctx(text); Type: FUNCTION; Schema: public; Owner: -
--

CREATE FUNCTION public.jy_ctx(p_name text) RETURNS text
    LANGUAGE sql STABLE
    AS $$
    SELECT CASE WHEN jy_context_ok() THEN current_setting('jy.' || p_name, true) END
$$;


--
-- Name: jy_effective_scope(); Type: FUNCTION; Schema: public; Owner: -
--

CREATE FUNCTION public.jy_effective_scope() RETURNS text
    LANGUAGE sql STABLE
    AS $$
    SELECT CASE WHEN coalesce(public.jy_ctx('scope'), '') <> '' THEN public.jy_ctx('scope')
                WHEN public.jy_by_owner() THEN 'city' END
$$;


--
-- Name: jy_is_admin(); Type: FUNCTION; Schema: public; Owner: -
--

CREATE FUNCTION public.jy_is_admin() RETURNS boolean
    LANGUAGE sql STABLE PARALLEL SAFE
    AS $$
    SELECT coalesce(public.jy_ctx('scope') = 'city' AND public.jy_ctx('role') = 'admin', false)
$$;


--
-- Name: jy_is_open(text); Type: FUNCTION; Schema: public; Owner: -
--

CREATE FUNCTION public.jy_is_open(p_status text) RETURNS boolean
    LANGUAGE sql IMMUTABLE PARALLEL SAFE
    AS $$ SELECT p_status NOT IN ('closed', 'rejected') $$;


--
-- Name: jy_must_change_password(); Type: FUNCTION; Schema: public; Owner: -
--

CREATE FUNCTION public.jy_must_change_password() RETURNS boolean
    LANGUAGE sql STABLE SECURITY DEFINER
    SET search_path TO 'public', 'pg_temp'
    AS $$
    SELECT u.must_change_password FROM public.app_users u
     WHERE public.jy_context_ok() AND u.username = public.jy_ctx('user')
$$;


--
-- Name: jy_my_tasks(text); Type: FUNCTION; Schema: public; Owner: -
--

CREATE FUNCTION public.jy_my_tasks(p_token_hash text) RETURNS TABLE(id bigint, status text, priority smallint, reported_at timestamp with time zone, due_at timestamp with time zone, description text, grid_code text, version integer, category text, grid_name text, village_name text)
    LANGUAGE sql STABLE SECURITY DEFINER
    SET search_path TO 'public', 'pg_temp'
    AS $$
    SELECT e.id, e.status, e.priority, e.reported_at, e.due_at, e.description, e.grid_code, e.version,
           c.name, g.name, v.name
      FROM api_tokens t
      JOIN terminal_accounts a ON a.staff_id = t.staff_id AND NOT a.disabled
      JOIN events e ON e.assignee_staff_id = t.staff_id AND jy_is_open(e.status)
      JOIN event_categories c ON c.code = e.category_code
      JOIN grids g ON g.code = e.grid_code
      JOIN grids v ON v.code = e.village_code
     WHERE t.token_hash = p_token_hash AND t.revoked_at IS NULL AND t.expires_at > now()
     ORDER BY e.due_at, e.id
     LIMIT 200
$$;


--
-- Name: jy_nearest_resources(double precision, double precision, integer, text[]); Type: FUNCTION; Schema: public; Owner: -
--

CREATE FUNCTION public.jy_nearest_resources(p_lon double precision, p_lat double precision, p_k integer, p_kinds text[]) RETURNS TABLE(id bigint, name text, kind text, personnel integer, vehicles integer, phone text, lon double precision, lat double precision, distance_m double precision)
    LANGUAGE sql STABLE SECURITY DEFINER
    SET search_path TO 'public', 'pg_temp'
    AS $$
    SELECT r.id, r.name, r.kind, r.personnel, r.vehicles, r.phone, ST_X(r.geom), ST_Y(r.geom),
           ST_Distance(r.geom::geography, p.g)
      FROM emergency_resources r,
           (SELECT ST_SetSRID(ST_MakePoint(p_lon, p_lat), 4490)::geography AS g) p
     WHERE (p_kinds IS NULL OR r.kind = ANY (p_kinds))
       AND jy_effective_scope() IN ('city', 'town', 'village')
     ORDER BY r.geom::geography <-> p.g
     LIMIT least(p_k, 50)
$$;


--
-- Name: jy_open311_public(bigint[], text, timestamp with time zone, timestamp with time zone, boolean, integer, integer); Type: FUNCTION; Schema: public; Owner: -
--

CREATE FUNCTION public.jy_open311_public(p_ids bigint[], p_category text, p_start timestamp with time zone, p_end timestamp with time zone, p_open boolean, p_limit integer, p_offset integer) RETURNS TABLE(id bigint, category_code text, category text, status text, is_open boolean, reported_at timestamp with time zone, due_at timestamp with time zone, updated_at timestamp with time zone, lon double precision, lat double precision, department text, team text)
    LANGUAGE sql STABLE SECURITY DEFINER
    SET search_path TO 'public', 'pg_temp'
    AS $$
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
$$;


--
-- Name: jy_password_change_own(text); Type: FUNCTION; Schema: public; Owner: -
--

CREATE FUNCTION public.jy_password_change_own(p_hash text) RETURNS boolean
    LANGUAGE plpgsql SECURITY DEFINER
    SET search_path TO 'public', 'pg_temp'
    AS $$
DECLARE
    who text := public.jy_ctx('user');
BEGIN
    IF (public.jy_context_ok() AND coalesce(who, '') <> '' AND coalesce(length(p_hash), 0) > 20) IS NOT TRUE THEN
        RAISE EXCEPTION 'a password change needs a signed session' USING ERRCODE = 'insufficient_privilege';
    END IF;
    UPDATE public.app_users
       SET password_hash = p_hash, password_changed_at = now(), must_change_password = false,
           failed_attempts = 0, locked_until = NULL
     WHERE username = who AND NOT disabled;
    RETURN FOUND;
END $$;


--
-- Name: jy_place_of_point(double precision, double precision); Type: FUNCTION; Schema: public; Owner: -
--

CREATE FUNCTION public.jy_place_of_point(p_lon double precision, p_lat double precision) RETURNS TABLE(grid_code text, grid_name text, village_code text, village_name text, town_code text, town_name text)
    LANGUAGE sql STABLE SECURITY DEFINER
    SET search_path TO 'public', 'pg_temp'
    AS $$
    SELECT g.code, g.name, v.code, v.name, t.code, t.name
      FROM (SELECT grid_for_point(ST_SetSRID(ST_MakePoint(p_lon, p_lat), 4490)) AS code) p
      JOIN grids g ON g.code = p.code
      JOIN grids v ON v.code = g.parent_code
      JOIN grids t ON t.code = g.town_code
     WHERE jy_effective_scope() IN ('city', 'town', 'village')
$$;


--
-- Name: jy_positions_record(text, double precision[], double precision[], timestamp with time zone[], real[], integer); Type: FUNCTION; Schema: public; Owner: -
--

CREATE FUNCTION public.jy_positions_record(p_token_hash text, p_x double precision[], p_y double precision[], p_at timestamp with time zone[], p_accuracy real[], p_retention_days integer) RETURNS integer
    LANGUAGE plpgsql SECURITY DEFINER
    SET search_path TO 'public', 'pg_temp'
    AS $$
DECLARE me bigint; n integer;
BEGIN
    SELECT t.staff_id INTO me FROM api_tokens t JOIN terminal_accounts a ON a.staff_id = t.staff_id AND NOT a.disabled
     WHERE t.token_hash = p_token_hash AND t.revoked_at IS NULL AND t.expires_at > now();
    IF me IS NULL THEN
        RAISE EXCEPTION 'invalid token' USING ERRCODE = 'insufficient_privilege';
    END IF;
    INSERT INTO staff_positions (staff_id, at, location, accuracy_m)
    SELECT me, f.at, ST_SetSRID(ST_MakePoint(f.x, f.y), 4490), f.acc
      FROM unnest(p_x, p_y, p_at, p_accuracy) AS f(x, y, at, acc);
    GET DIAGNOSTICS n = ROW_COUNT;
    UPDATE staff s SET location = l.location, location_at = l.at
      FROM (SELECT p.location, p.at FROM staff_positions p WHERE p.staff_id = me ORDER BY p.at DESC LIMIT 1) l
     WHERE s.id = me AND (s.location_at IS NULL OR l.at > s.location_at);
    DELETE FROM staff_positions WHERE staff_id = me AND at < now() - make_interval(days => p_retention_days);
    RETURN n;
END $$;


--
-- Name: jy_reassign_events(text[]); Type: FUNCTION; Schema: public; Owner: -
--

CREATE FUNCTION public.jy_reassign_events(p_codes text[]) RETURNS SETOF bigint
    LANGUAGE plpgsql SECURITY DEFINER
    SET search_path TO 'public', 'pg_temp'
    AS $$
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
END $$;


--
-- Name: jy_sees_assistance(); Type: FUNCTION; Schema: public; Owner: -
--

CREATE FUNCTION public.jy_sees_assistance() RETURNS boolean
    LANGUAGE sql STABLE PARALLEL SAFE
    AS $$
    SELECT coalesce(jy_ctx('role') IN ('city_commander', 'town_leader', 'village_staff'), false)
$$;


--
-- Name: jy_session_adopt(text, text); Type: FUNCTION; Schema: public; Owner: -
--

CREATE FUNCTION public.jy_session_adopt(p_code_hash text, p_new_token_hash text) RETURNS boolean
    LANGUAGE plpgsql SECURITY DEFINER
    SET search_path TO 'public', 'pg_temp'
    AS $$
DECLARE
    old record;
    adopted boolean;
BEGIN
    UPDATE app_sessions s SET ended_at = now()
      FROM session_handoffs h JOIN app_users u ON true
     WHERE h.code_hash = p_code_hash AND h.used_at IS NULL AND h.expires_at > now()
       AND s.token_hash = h.token_hash AND s.ended_at IS NULL
       AND u.username = s.username AND NOT u.disabled AND s.created_at > u.password_changed_at
    RETURNING s.username, s.idle_limit_s INTO old;
    adopted := FOUND;
    UPDATE session_handoffs SET used_at = now() WHERE code_hash = p_code_hash AND used_at IS NULL;
    IF NOT adopted THEN
        RETURN false;
    END IF;
    INSERT INTO app_sessions (token_hash, username, idle_limit_s) VALUES (p_new_token_hash, old.username, old.idle_limit_s);
    RETURN true;
END $$;


--
-- Name: jy_session_end(text, text); Type: FUNCTION; Schema: public; Owner: -
--

CREATE FUNCTION public.jy_session_end(p_token_hash text, p_reason text) RETURNS boolean
    LANGUAGE plpgsql SECURITY DEFINER
    SET search_path TO 'public', 'pg_temp'
    AS $$
DECLARE
    u record;
BEGIN
    IF p_reason IS NULL OR p_reason NOT IN ('logout', 'session_timeout') THEN
        RAISE EXCEPTION 'jy_session_end: unknown reason %', p_reason;
    END IF;
    UPDATE app_sessions s SET ended_at = now() FROM app_users a
     WHERE s.token_hash = p_token_hash AND s.ended_at IS NULL AND a.username = s.username
    RETURNING a.username, a.role INTO u;
    IF NOT FOUND THEN
        RETURN false;
    END IF;
    INSERT INTO audit_log (username, role, action, target, ok, detail) VALUES (u.username, u.role, p_reason, NULL, true, '{}');
    RETURN true;
END $$;


--
-- Name: jy_session_handoff(text, text); Type: FUNCTION; Schema: public; Owner: -
--

CREATE FUNCTION public.jy_session_handoff(p_token_hash text, p_code_hash text) RETURNS boolean
    LANGUAGE plpgsql SECURITY DEFINER
    SET search_path TO 'public', 'pg_temp'
    AS $$
BEGIN
    DELETE FROM session_handoffs WHERE expires_at < now() - interval '1 day';
    INSERT INTO session_handoffs (code_hash, token_hash, expires_at)
    SELECT p_code_hash, s.token_hash, now() + interval '60 seconds'
      FROM app_sessions s WHERE s.token_hash = p_token_hash AND s.ended_at IS NULL;
    RETURN FOUND;
END $$;


--
-- Name: jy_session_resume(text, double precision); Type: FUNCTION; Schema: public; Owner: -
--

CREATE FUNCTION public.jy_session_resume(p_token_hash text, p_idle_s double precision) RETURNS TABLE(username text, display_name text, role text, town_code text, village_code text)
    LANGUAGE sql SECURITY DEFINER
    SET search_path TO 'public', 'pg_temp'
    AS $$
    UPDATE app_sessions s SET last_seen_at = now()
      FROM app_users u
     WHERE s.token_hash = p_token_hash AND u.username = s.username AND s.ended_at IS NULL
       AND NOT u.disabled AND s.created_at > u.password_changed_at
       AND (u.role = 'wall' OR s.last_seen_at > now() - make_interval(secs => p_idle_s))
    RETURNING u.username, u.display_name, u.role, u.town_code, u.village_code
$$;


--
-- Name: jy_session_start(text, text, double precision); Type: FUNCTION; Schema: public; Owner: -
--

CREATE FUNCTION public.jy_session_start(p_username text, p_token_hash text, p_idle_s double precision) RETURNS void
    LANGUAGE sql SECURITY DEFINER
    SET search_path TO 'public', 'pg_temp'
    AS $$
    INSERT INTO app_sessions (token_hash, username, idle_limit_s)
    SELECT p_token_hash, u.username, CASE WHEN u.role = 'wall' THEN NULL ELSE p_idle_s END
      FROM app_users u WHERE u.username = p_username
$$;


--
-- Name: jy_session_touch(text); Type: FUNCTION; Schema: public; Owner: -
--

CREATE FUNCTION public.jy_session_touch(p_token_hash text) RETURNS boolean
    LANGUAGE sql SECURITY DEFINER
    SET search_path TO 'public', 'pg_temp'
    AS $$
    WITH t AS (
        UPDATE app_sessions s SET last_seen_at = now()
          FROM app_users u
         WHERE s.token_hash = p_token_hash AND u.username = s.username AND s.ended_at IS NULL
           AND NOT u.disabled AND s.created_at > u.password_changed_at
           AND (s.idle_limit_s IS NULL OR s.last_seen_at > now() - make_interval(secs => s.idle_limit_s))
        RETURNING true AS ok
    )
    SELECT coalesce((SELECT ok FROM t), false)
$$;


--
-- Name: jy_sign_context(text, text, text, text, text); Type: FUNCTION; Schema: public; Owner: -
--

CREATE FUNCTION public.jy_sign_context(p_scope text, p_town text, p_village text, p_role text, p_user text) RETURNS boolean
    LANGUAGE plpgsql SECURITY DEFINER
    SET search_path TO 'public', 'pg_temp'
    AS $$
BEGIN
    PERFORM set_config('jy.scope', coalesce(p_scope, ''), true), set_config('jy.town', coalesce(p_town, ''), true),
            set_config('jy.village', coalesce(p_village, ''), true), set_config('jy.role', coalesce(p_role, ''), true),
            set_config('jy.user', coalesce(p_user, ''), true);
    PERFORM set_config('jy.sig', CASE WHEN coalesce(p_scope, '') = '' THEN ''
                                      ELSE encode(hmac(convert_to(jy_context_text(), 'UTF8'),
                                                       (SELECT k FROM jy_context_key), 'sha256'), 'hex') END, true);
    RETURN coalesce(p_scope, '') <> '';
END $$;


--
-- Name: jy_task_village(text, bigint); Type: FUNCTION; Schema: public; Owner: -
--

CREATE FUNCTION public.jy_task_village(p_token_hash text, p_event bigint) RETURNS text
    LANGUAGE sql STABLE SECURITY DEFINER
    SET search_path TO 'public', 'pg_temp'
    AS $$
    SELECT e.village_code
      FROM api_tokens t
      JOIN terminal_accounts a ON a.staff_id = t.staff_id AND NOT a.disabled
      JOIN events e ON e.assignee_staff_id = t.staff_id
     WHERE t.token_hash = p_token_hash AND t.revoked_at IS NULL AND t.expires_at > now() AND e.id = p_event
$$;


--
-- Name: jy_terminal_accounts(); Type: FUNCTION; Schema: public; Owner: -
--

CREATE FUNCTION public.jy_terminal_accounts() RETURNS TABLE(terminal_id text, staff_name text, role text, grid_code text, disabled boolean, created_at timestamp with time zone, last_token_at timestamp with time zone)
    LANGUAGE sql STABLE SECURITY DEFINER
    SET search_path TO 'public', 'pg_temp'
    AS $$
    SELECT s.terminal_id, s.name, s.role, s.grid_code, a.disabled, a.created_at,
           (SELECT max(t.issued_at) FROM api_tokens t WHERE t.staff_id = s.id)
      FROM terminal_accounts a JOIN staff s ON s.id = a.staff_id
     WHERE public.jy_is_admin() OR public.jy_by_owner()
     ORDER BY s.terminal_id
$$;


--
-- Name: jy_terminal_disable(text, boolean); Type: FUNCTION; Schema: public; Owner: -
--

CREATE FUNCTION public.jy_terminal_disable(p_terminal text, p_disabled boolean) RETURNS bigint
    LANGUAGE plpgsql SECURITY DEFINER
    SET search_path TO 'public', 'pg_temp'
    AS $$
DECLARE sid bigint;
BEGIN
    IF (public.jy_by_owner() OR public.jy_is_admin()) IS NOT TRUE THEN
        RAISE EXCEPTION 'only an admin may stop a terminal account' USING ERRCODE = 'insufficient_privilege';
    END IF;
    UPDATE public.terminal_accounts a SET disabled = p_disabled FROM public.staff s
     WHERE s.id = a.staff_id AND s.terminal_id = btrim(p_terminal) RETURNING a.staff_id INTO sid;
    -- a stopped account's tokens end for good: starting it again does not revive them
    IF sid IS NOT NULL AND p_disabled THEN
        UPDATE public.api_tokens SET revoked_at = now() WHERE staff_id = sid AND revoked_at IS NULL;
    END IF;
    RETURN sid;
END $$;


--
-- Name: jy_terminal_lookup(text); Type: FUNCTION; Schema: public; Owner: -
--

CREATE FUNCTION public.jy_terminal_lookup(p_terminal text) RETURNS TABLE(staff_id bigint, name text, role text, terminal_id text, grid_code text, password_hash text, disabled boolean)
    LANGUAGE sql STABLE SECURITY DEFINER
    SET search_path TO 'public', 'pg_temp'
    AS $$
    SELECT s.id, s.name, s.role, s.terminal_id, s.grid_code, a.password_hash, a.disabled
      FROM staff s JOIN terminal_accounts a ON a.staff_id = s.id
     WHERE s.terminal_id = btrim(p_terminal)
$$;


--
-- Name: jy_terminal_set(text, text); Type: FUNCTION; Schema: public; Owner: -
--

CREATE FUNCTION public.jy_terminal_set(p_terminal text, p_hash text) RETURNS bigint
    LANGUAGE plpgsql SECURITY DEFINER
    SET search_path TO 'public', 'pg_temp'
    AS $$
DECLARE sid bigint; srole text;
BEGIN
    IF (public.jy_by_owner() OR public.jy_is_admin()) IS NOT TRUE THEN
        RAISE EXCEPTION 'only an admin may set a terminal password' USING ERRCODE = 'insufficient_privilege';
    END IF;
    SELECT id, role INTO sid, srole FROM staff WHERE terminal_id = btrim(p_terminal);
    IF sid IS NULL THEN
        RETURN NULL;
    ELSIF srole NOT IN ('grid_worker', 'police') THEN
        RETURN -1;
    END IF;
    INSERT INTO terminal_accounts (staff_id, password_hash) VALUES (sid, p_hash)
    ON CONFLICT (staff_id) DO UPDATE SET password_hash = EXCLUDED.password_hash, disabled = false;
    UPDATE api_tokens SET revoked_at = now() WHERE staff_id = sid AND revoked_at IS NULL;
    RETURN sid;
END $$;


--
-- Name: jy_token_check(text); Type: FUNCTION; Schema: public; Owner: -
--

CREATE FUNCTION public.jy_token_check(p_hash text) RETURNS TABLE(staff_id bigint, name text, role text, terminal_id text, grid_code text, town_code text, village_code text, expires_at timestamp with time zone)
    LANGUAGE sql STABLE SECURITY DEFINER
    SET search_path TO 'public', 'pg_temp'
    AS $$
    SELECT s.id, s.name, s.role, s.terminal_id, s.grid_code, s.town_code, s.village_code, t.expires_at
      FROM api_tokens t JOIN staff s ON s.id = t.staff_id
      JOIN terminal_accounts a ON a.staff_id = s.id AND NOT a.disabled
     WHERE t.token_hash = p_hash AND t.revoked_at IS NULL AND t.expires_at > now()
$$;


--
-- Name: jy_token_issue(bigint, text, integer); Type: FUNCTION; Schema: public; Owner: -
--

CREATE FUNCTION public.jy_token_issue(p_staff bigint, p_hash text, p_hours integer) RETURNS timestamp with time zone
    LANGUAGE sql SECURITY DEFINER
    SET search_path TO 'public', 'pg_temp'
    AS $$
    INSERT INTO api_tokens (token_hash, staff_id, expires_at)
    VALUES (p_hash, p_staff, now() + make_interval(hours => p_hours))
    RETURNING expires_at
$$;


--
-- Name: jy_token_revoke(text); Type: FUNCTION; Schema: public; Owner: -
--

CREATE FUNCTION public.jy_token_revoke(p_hash text) RETURNS boolean
    LANGUAGE sql SECURITY DEFINER
    SET search_path TO 'public', 'pg_temp'
    AS $$
    UPDATE api_tokens SET revoked_at = now() WHERE token_hash = p_hash AND revoked_at IS NULL
    RETURNING true
$$;


--
-- Name: jy_town_ranking(integer); Type: FUNCTION; Schema: public; Owner: -
--

CREATE FUNCTION public.jy_town_ranking(p_days integer) RETURNS TABLE(town_code text, town_name text, open_events bigint, overdue_events bigint, reports_today bigint, closed bigint, closed_on_time bigint, close_seconds double precision)
    LANGUAGE sql STABLE SECURITY DEFINER
    SET search_path TO 'public', 'pg_temp'
    AS $$
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


--
-- Name: jy_village_ranking(text, integer); Type: FUNCTION; Schema: public; Owner: -
--

CREATE FUNCTION public.jy_village_ranking(p_town text, p_days integer) RETURNS TABLE(village_code text, village_name text, open_events bigint, overdue_events bigint, reports_today bigint, closed bigint, closed_on_time bigint, close_seconds double precision)
    LANGUAGE sql STABLE SECURITY DEFINER
    SET search_path TO 'public', 'pg_temp'
    AS $$
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


--
-- Name: jy_visible(text, text); Type: FUNCTION; Schema: public; Owner: -
--

CREATE FUNCTION public.jy_visible(p_town text, p_village text) RETURNS boolean
    LANGUAGE sql STABLE PARALLEL SAFE
    AS $$
    SELECT CASE jy_ctx('scope')
             WHEN 'city' THEN true
             WHEN 'town' THEN p_town = jy_ctx('town')
             WHEN 'village' THEN p_village = jy_ctx('village')
             ELSE false END
$$;


--
-- Name: jy_zone_analysis(bytea, double precision, double precision, bigint); Type: FUNCTION; Schema: public; Owner: -
--

CREATE FUNCTION public.jy_zone_analysis(p_zone bytea, p_lon double precision, p_lat double precision, p_exclude_site bigint) RETURNS TABLE(what text, code text, name text, village_code text, village_name text, town_code text, town_name text, type text, share double precision, people double precision, distance_m double precision, n_grids bigint, n_villages bigint, n_sensitive bigint, n_sites bigint)
    LANGUAGE sql STABLE SECURITY DEFINER
    SET search_path TO 'public', 'pg_temp'
    AS $$
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
$$;


--
-- Name: population_within(public.geometry, double precision); Type: FUNCTION; Schema: public; Owner: -
--

CREATE FUNCTION public.population_within(p public.geometry, radius_m double precision) RETURNS double precision
    LANGUAGE sql STABLE PARALLEL SAFE
    AS $$
    WITH c AS (SELECT ST_Buffer(ST_Transform(p, 4549), radius_m, 64) AS g)
    SELECT coalesce(sum(g.population * ST_Area(ST_Intersection(ST_Transform(g.geom, 4549), c.g))
                        / nullif(ST_Area(ST_Transform(g.geom, 4549)), 0)), 0)
      FROM grids g, c
     WHERE g.level = 3 AND g.kind = 'admin' AND g.population > 0
       -- the box only narrows the index search (1 degree >= 80 km here); the test is in metres
       AND g.geom && ST_Expand(p, radius_m / 80000.0)
       AND ST_DWithin(g.geom::geography, p::geography, radius_m)
$$;


--
-- Name: stats_rebuild(); Type: FUNCTION; Schema: public; Owner: -
--

CREATE FUNCTION public.stats_rebuild() RETURNS void
    LANGUAGE plpgsql SECURITY DEFINER
    SET search_path TO 'pg_catalog', 'public', 'pg_temp'
    SET work_mem TO '512MB'
    AS $$
BEGIN
    TRUNCATE public.stats_grid_day, public.stats_village_day, public.stats_cell_day, public.stats_category_day;
    EXECUTE public.stats_sql(public.stats_rows_sql(1, 'public.events'));
END $$;


--
-- Name: stats_rows_sql(integer, text); Type: FUNCTION; Schema: public; Owner: -
--

CREATE FUNCTION public.stats_rows_sql(p_sign integer, p_rows text) RETURNS text
    LANGUAGE sql IMMUTABLE
    AS $$
    SELECT format('SELECT %s AS sign, r.grid_code, r.category_code, r.reported_at, r.closed_at, r.due_at, '
                  'public.ST_X(public.ST_Transform(r.location, 4549)) AS x, public.ST_Y(public.ST_Transform(r.location, 4549)) AS y '
                  'FROM %s r WHERE NOT r.is_drill', p_sign, p_rows)
$$;


--
-- Name: stats_sql(text); Type: FUNCTION; Schema: public; Owner: -
--

CREATE FUNCTION public.stats_sql(p_delta text) RETURNS text
    LANGUAGE sql IMMUTABLE
    AS $_$
    SELECT format($q$
    WITH d AS MATERIALIZED (%s), g AS (
        SELECT day, grid_code, sum(rep) AS rep, sum(clo) AS clo, sum(ot) AS ot, sum(cs) AS cs FROM (
            SELECT (d.reported_at AT TIME ZONE 'Asia/Shanghai')::date AS day, d.grid_code, d.sign AS rep, 0 AS clo,
                   0 AS ot, 0.0::float8 AS cs FROM d
            UNION ALL
            SELECT (d.closed_at AT TIME ZONE 'Asia/Shanghai')::date, d.grid_code, 0, d.sign,
                   d.sign * (d.closed_at <= d.due_at)::int, d.sign * extract(epoch FROM d.closed_at - d.reported_at)::float8
              FROM d WHERE d.closed_at IS NOT NULL) u
         GROUP BY day, grid_code
    ), ins_g AS (
        INSERT INTO public.stats_grid_day AS s (day, grid_code, reported, closed, closed_on_time, close_seconds)
        SELECT day, grid_code, rep, clo, ot, cs FROM g
        ON CONFLICT (day, grid_code) DO UPDATE SET
            reported = s.reported + EXCLUDED.reported, closed = s.closed + EXCLUDED.closed,
            closed_on_time = s.closed_on_time + EXCLUDED.closed_on_time,
            close_seconds = s.close_seconds + EXCLUDED.close_seconds
    ), ins_v AS (
        INSERT INTO public.stats_village_day AS s (day, village_code, reported, closed, closed_on_time, close_seconds)
        SELECT day, left(grid_code, 12), sum(rep), sum(clo), sum(ot), sum(cs) FROM g GROUP BY 1, 2
        ON CONFLICT (day, village_code) DO UPDATE SET
            reported = s.reported + EXCLUDED.reported, closed = s.closed + EXCLUDED.closed,
            closed_on_time = s.closed_on_time + EXCLUDED.closed_on_time,
            close_seconds = s.close_seconds + EXCLUDED.close_seconds
    ), ins_c AS (
        INSERT INTO public.stats_cell_day AS s (day, town_code, cell_i, cell_j, reported)
        SELECT (d.reported_at AT TIME ZONE 'Asia/Shanghai')::date, left(d.grid_code, 9),
               floor(d.x / 1000)::int, floor(d.y / 1000)::int, sum(d.sign)
          FROM d GROUP BY 1, 2, 3, 4
        ON CONFLICT (day, town_code, cell_i, cell_j) DO UPDATE SET reported = s.reported + EXCLUDED.reported
    )
    INSERT INTO public.stats_category_day AS s (day, town_code, category_code, reported)
    SELECT (d.reported_at AT TIME ZONE 'Asia/Shanghai')::date, left(d.grid_code, 9), d.category_code, sum(d.sign)
      FROM d GROUP BY 1, 2, 3
    ON CONFLICT (day, town_code, category_code) DO UPDATE SET reported = s.reported + EXCLUDED.reported
    $q$, p_delta)
$_$;


SET default_tablespace = '';

SET default_table_access_method = heap;

--
-- Name: address_points; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.address_points (
    id bigint NOT NULL,
    code text NOT NULL,
    kind text NOT NULL,
    name text NOT NULL,
    road_code text,
    number integer,
    place_type text,
    grid_code text NOT NULL,
    village_code text NOT NULL,
    town_code text NOT NULL,
    geom public.geometry(Point,4490) NOT NULL,
    is_demo boolean DEFAULT false NOT NULL,
    updated_at timestamp with time zone DEFAULT now() NOT NULL,
    CONSTRAINT address_points_check CHECK (((kind = 'door'::text) = ((road_code IS NOT NULL) AND (number IS NOT NULL)))),
    CONSTRAINT address_points_code_check CHECK (((length(code) >= 1) AND (length(code) <= 64))),
    CONSTRAINT address_points_kind_check CHECK ((kind = ANY (ARRAY['door'::text, 'compound'::text, 'building'::text, 'place'::text]))),
    CONSTRAINT address_points_name_check CHECK (((length(btrim(name)) >= 1) AND (length(btrim(name)) <= 100))),
    CONSTRAINT address_points_number_check CHECK (((number >= 1) AND (number <= 99999)))
);

ALTER TABLE ONLY public.address_points FORCE ROW LEVEL SECURITY;


--
-- Name: address_points_id_seq; Type: SEQUENCE; Schema: public; Owner: -
--

CREATE SEQUENCE public.address_points_id_seq
    START WITH 1
    INCREMENT BY 1
    NO MINVALUE
    NO MAXVALUE
    CACHE 1;


--
-- Name: address_points_id_seq; Type: SEQUENCE OWNED BY; Schema: public; Owner: -
--

ALTER SEQUENCE public.address_points_id_seq OWNED BY public.address_points.id;


--
-- Name: address_review; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.address_review (
    id bigint NOT NULL,
    source text NOT NULL,
    file_name text NOT NULL,
    row_number integer NOT NULL,
    external_id text,
    address text NOT NULL,
    report jsonb NOT NULL,
    candidates jsonb NOT NULL,
    best_score real,
    town_code text,
    village_code text,
    created_at timestamp with time zone DEFAULT now() NOT NULL,
    created_by text NOT NULL,
    status text DEFAULT 'open'::text NOT NULL,
    event_id bigint,
    resolved_by text,
    resolved_at timestamp with time zone,
    CONSTRAINT address_review_address_check CHECK ((length(address) <= 200)),
    CONSTRAINT address_review_candidates_check CHECK ((jsonb_typeof(candidates) = 'array'::text)),
    CONSTRAINT address_review_check CHECK (((status = 'placed'::text) = (event_id IS NOT NULL))),
    CONSTRAINT address_review_check1 CHECK (((status = 'open'::text) = (resolved_at IS NULL))),
    CONSTRAINT address_review_external_id_check CHECK ((length(external_id) <= 64)),
    CONSTRAINT address_review_file_name_check CHECK ((length(file_name) <= 200)),
    CONSTRAINT address_review_report_check CHECK ((jsonb_typeof(report) = 'object'::text)),
    CONSTRAINT address_review_status_check CHECK ((status = ANY (ARRAY['open'::text, 'placed'::text, 'dismissed'::text])))
);

ALTER TABLE ONLY public.address_review FORCE ROW LEVEL SECURITY;


--
-- Name: address_review_id_seq; Type: SEQUENCE; Schema: public; Owner: -
--

CREATE SEQUENCE public.address_review_id_seq
    START WITH 1
    INCREMENT BY 1
    NO MINVALUE
    NO MAXVALUE
    CACHE 1;


--
-- Name: address_review_id_seq; Type: SEQUENCE OWNED BY; Schema: public; Owner: -
--

ALTER SEQUENCE public.address_review_id_seq OWNED BY public.address_review.id;


--
-- Name: address_roads; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.address_roads (
    id bigint NOT NULL,
    code text NOT NULL,
    name text NOT NULL,
    village_code text NOT NULL,
    town_code text NOT NULL,
    odd_from integer,
    odd_to integer,
    even_from integer,
    even_to integer,
    geom public.geometry(LineString,4490) NOT NULL,
    is_demo boolean DEFAULT false NOT NULL,
    updated_at timestamp with time zone DEFAULT now() NOT NULL,
    CONSTRAINT address_roads_check CHECK (((odd_from IS NULL) OR (((odd_from % 2) = 1) AND ((odd_to % 2) = 1) AND ((odd_from >= 1) AND (odd_from <= odd_to))))),
    CONSTRAINT address_roads_check1 CHECK (((even_from IS NULL) OR (((even_from % 2) = 0) AND ((even_to % 2) = 0) AND ((even_from >= 2) AND (even_from <= even_to))))),
    CONSTRAINT address_roads_check2 CHECK ((((odd_from IS NULL) = (odd_to IS NULL)) AND ((even_from IS NULL) = (even_to IS NULL)))),
    CONSTRAINT address_roads_code_check CHECK (((length(code) >= 1) AND (length(code) <= 64))),
    CONSTRAINT address_roads_geom_check CHECK ((public.st_isvalid(geom) AND (NOT public.st_isempty(geom)))),
    CONSTRAINT address_roads_name_check CHECK (((length(btrim(name)) >= 1) AND (length(btrim(name)) <= 60)))
);

ALTER TABLE ONLY public.address_roads FORCE ROW LEVEL SECURITY;


--
-- Name: address_roads_id_seq; Type: SEQUENCE; Schema: public; Owner: -
--

CREATE SEQUENCE public.address_roads_id_seq
    START WITH 1
    INCREMENT BY 1
    NO MINVALUE
    NO MAXVALUE
    CACHE 1;


--
-- Name: address_roads_id_seq; Type: SEQUENCE OWNED BY; Schema: public; Owner: -
--

ALTER SEQUENCE public.address_roads_id_seq OWNED BY public.address_roads.id;


--
-- Name: api_clients; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.api_clients (
    id integer NOT NULL,
    code text NOT NULL,
    name text NOT NULL,
    key_hash text NOT NULL,
    event_source text DEFAULT 'hotline'::text NOT NULL,
    disabled boolean DEFAULT false NOT NULL,
    created_at timestamp with time zone DEFAULT now() NOT NULL,
    CONSTRAINT api_clients_code_check CHECK ((code ~ '^[a-z0-9_]{2,30}$'::text)),
    CONSTRAINT api_clients_event_source_check CHECK ((event_source = ANY (ARRAY['hotline'::text, 'platform'::text, 'police'::text, 'inspection'::text, 'sensor'::text]))),
    CONSTRAINT api_clients_key_hash_check CHECK ((length(key_hash) = 64))
);

ALTER TABLE ONLY public.api_clients FORCE ROW LEVEL SECURITY;


--
-- Name: api_clients_id_seq; Type: SEQUENCE; Schema: public; Owner: -
--

CREATE SEQUENCE public.api_clients_id_seq
    AS integer
    START WITH 1
    INCREMENT BY 1
    NO MINVALUE
    NO MAXVALUE
    CACHE 1;


--
-- Name: api_clients_id_seq; Type: SEQUENCE OWNED BY; Schema: public; Owner: -
--

ALTER SEQUENCE public.api_clients_id_seq OWNED BY public.api_clients.id;


--
-- Name: api_tokens; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.api_tokens (
    token_hash text NOT NULL,
    staff_id bigint NOT NULL,
    issued_at timestamp with time zone DEFAULT now() NOT NULL,
    expires_at timestamp with time zone NOT NULL,
    revoked_at timestamp with time zone,
    CONSTRAINT api_tokens_check CHECK ((expires_at > issued_at)),
    CONSTRAINT api_tokens_token_hash_check CHECK ((length(token_hash) = 64))
);

ALTER TABLE ONLY public.api_tokens FORCE ROW LEVEL SECURITY;


--
-- Name: app_sessions; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.app_sessions (
    token_hash text NOT NULL,
    username text NOT NULL,
    created_at timestamp with time zone DEFAULT now() NOT NULL,
    last_seen_at timestamp with time zone DEFAULT now() NOT NULL,
    ended_at timestamp with time zone,
    idle_limit_s double precision,
    CONSTRAINT app_sessions_idle_limit_s_check CHECK (((idle_limit_s IS NULL) OR (idle_limit_s > (0)::double precision)))
);

ALTER TABLE ONLY public.app_sessions FORCE ROW LEVEL SECURITY;


--
-- Name: app_users; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.app_users (
    id bigint NOT NULL,
    username text NOT NULL,
    display_name text NOT NULL,
    role text NOT NULL,
    town_code text,
    village_code text,
    password_hash text NOT NULL,
    disabled boolean DEFAULT false NOT NULL,
    failed_attempts integer DEFAULT 0 NOT NULL,
    locked_until timestamp with time zone,
    created_at timestamp with time zone DEFAULT now() NOT NULL,
    password_changed_at timestamp with time zone DEFAULT now() NOT NULL,
    last_login_at timestamp with time zone,
    must_change_password boolean DEFAULT false NOT NULL,
    CONSTRAINT app_users_check CHECK (
CASE role
    WHEN 'town_leader'::text THEN ((town_code IS NOT NULL) AND (village_code IS NULL))
    WHEN 'village_staff'::text THEN ((village_code IS NOT NULL) AND (town_code = "left"(village_code, 9)))
    WHEN 'dispatcher'::text THEN (village_code IS NULL)
    ELSE ((town_code IS NULL) AND (village_code IS NULL))
END),
    CONSTRAINT app_users_display_name_check CHECK (((length(btrim(display_name)) >= 1) AND (length(btrim(display_name)) <= 40))),
    CONSTRAINT app_users_failed_attempts_check CHECK ((failed_attempts >= 0)),
    CONSTRAINT app_users_role_check CHECK ((role = ANY (ARRAY['city_commander'::text, 'town_leader'::text, 'village_staff'::text, 'dispatcher'::text, 'wall'::text, 'admin'::text]))),
    CONSTRAINT app_users_town_code_check CHECK ((town_code ~ '^[0-9]{9}$'::text)),
    CONSTRAINT app_users_username_check CHECK ((username ~ '^[a-z][a-z0-9_.-]{2,31}$'::text)),
    CONSTRAINT app_users_village_code_check CHECK ((village_code ~ '^[0-9]{12}$'::text))
);

ALTER TABLE ONLY public.app_users FORCE ROW LEVEL SECURITY;


--
-- Name: app_users_id_seq; Type: SEQUENCE; Schema: public; Owner: -
--

ALTER TABLE public.app_users ALTER COLUMN id ADD GENERATED BY DEFAULT AS IDENTITY (
    SEQUENCE NAME public.app_users_id_seq
    START WITH 1
    INCREMENT BY 1
    NO MINVALUE
    NO MAXVALUE
    CACHE 1
);


--
-- Name: assistance_classes; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.assistance_classes (
    code text NOT NULL,
    label text NOT NULL,
    sort smallint DEFAULT 0 NOT NULL,
    CONSTRAINT assistance_classes_code_check CHECK ((code ~ '^[a-z_]+$'::text))
);


--
-- Name: assistance_households; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.assistance_households (
    id bigint NOT NULL,
    code text NOT NULL,
    village_code text NOT NULL,
    town_code text GENERATED ALWAYS AS ("left"(village_code, 9)) STORED,
    class_code text NOT NULL,
    head_name text NOT NULL,
    members smallint NOT NULL,
    monthly_yuan numeric(10,2),
    since date NOT NULL,
    phone text,
    is_demo boolean DEFAULT false NOT NULL,
    CONSTRAINT assistance_households_head_name_check CHECK ((length(btrim(head_name)) > 0)),
    CONSTRAINT assistance_households_members_check CHECK (((members >= 1) AND (members <= 20))),
    CONSTRAINT assistance_households_monthly_yuan_check CHECK (((monthly_yuan IS NULL) OR (monthly_yuan >= (0)::numeric))),
    CONSTRAINT assistance_households_village_code_check CHECK ((village_code ~ '^[0-9]{12}$'::text))
);

ALTER TABLE ONLY public.assistance_households FORCE ROW LEVEL SECURITY;


--
-- Name: assistance_counts; Type: VIEW; Schema: public; Owner: -
--

CREATE VIEW public.assistance_counts WITH (security_barrier='true') AS
 SELECT h.town_code,
    h.village_code,
    h.class_code,
    (count(*))::integer AS households,
    (sum(h.members))::integer AS persons
   FROM public.assistance_households h
  WHERE ((( SELECT public.jy_ctx('scope'::text) AS jy_ctx) = 'city'::text) OR (h.town_code = ( SELECT
                CASE
                    WHEN (public.jy_ctx('scope'::text) = 'town'::text) THEN public.jy_ctx('town'::text)
                    ELSE NULL::text
                END AS "case")) OR (h.village_code = ( SELECT
                CASE
                    WHEN (public.jy_ctx('scope'::text) = 'village'::text) THEN public.jy_ctx('village'::text)
                    ELSE NULL::text
                END AS "case")))
  GROUP BY h.town_code, h.village_code, h.class_code;


--
-- Name: assistance_households_id_seq; Type: SEQUENCE; Schema: public; Owner: -
--

ALTER TABLE public.assistance_households ALTER COLUMN id ADD GENERATED BY DEFAULT AS IDENTITY (
    SEQUENCE NAME public.assistance_households_id_seq
    START WITH 1
    INCREMENT BY 1
    NO MINVALUE
    NO MAXVALUE
    CACHE 1
);


--
-- Name: audit_chain_seq; Type: SEQUENCE; Schema: public; Owner: -
--

CREATE SEQUENCE public.audit_chain_seq
    START WITH 1
    INCREMENT BY 1
    NO MINVALUE
    NO MAXVALUE
    CACHE 1;


--
-- Name: audit_log; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.audit_log (
    id bigint NOT NULL,
    at timestamp with time zone DEFAULT now() NOT NULL,
    username text NOT NULL,
    role text,
    action text NOT NULL,
    target text,
    ok boolean NOT NULL,
    detail jsonb DEFAULT '{}'::jsonb NOT NULL,
    chain_seq bigint,
    prev_hash text,
    row_hash text
);

ALTER TABLE ONLY public.audit_log FORCE ROW LEVEL SECURITY;


--
-- Name: audit_log_id_seq; Type: SEQUENCE; Schema: public; Owner: -
--

ALTER TABLE public.audit_log ALTER COLUMN id ADD GENERATED BY DEFAULT AS IDENTITY (
    SEQUENCE NAME public.audit_log_id_seq
    START WITH 1
    INCREMENT BY 1
    NO MINVALUE
    NO MAXVALUE
    CACHE 1
);


--
-- Name: base_categories; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.base_categories (
    code text NOT NULL,
    kind text NOT NULL,
    label text NOT NULL,
    unit text NOT NULL,
    sort smallint DEFAULT 0 NOT NULL,
    CONSTRAINT base_categories_code_check CHECK ((code ~ '^[a-z_]+$'::text)),
    CONSTRAINT base_categories_kind_check CHECK ((kind = ANY (ARRAY['people'::text, 'land'::text, 'things'::text, 'orgs'::text]))),
    CONSTRAINT base_categories_label_check CHECK ((length(btrim(label)) > 0))
);


--
-- Name: checkins; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.checkins (
    id bigint NOT NULL,
    staff_id bigint NOT NULL,
    at timestamp with time zone NOT NULL,
    received_at timestamp with time zone DEFAULT now() NOT NULL,
    location public.geometry(Point,4490) NOT NULL,
    grid_code text,
    place text,
    note text,
    town_code text NOT NULL,
    village_code text NOT NULL,
    is_demo boolean DEFAULT false NOT NULL,
    CONSTRAINT checkins_note_check CHECK ((length(note) <= 500)),
    CONSTRAINT checkins_place_check CHECK ((length(place) <= 100))
);

ALTER TABLE ONLY public.checkins FORCE ROW LEVEL SECURITY;


--
-- Name: checkins_id_seq; Type: SEQUENCE; Schema: public; Owner: -
--

CREATE SEQUENCE public.checkins_id_seq
    START WITH 1
    INCREMENT BY 1
    NO MINVALUE
    NO MAXVALUE
    CACHE 1;


--
-- Name: checkins_id_seq; Type: SEQUENCE OWNED BY; Schema: public; Owner: -
--

ALTER SEQUENCE public.checkins_id_seq OWNED BY public.checkins.id;


--
-- Name: chem_inventory; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.chem_inventory (
    site_id bigint NOT NULL,
    cas text NOT NULL,
    max_quantity_t numeric NOT NULL,
    CONSTRAINT chem_inventory_max_quantity_t_check CHECK ((max_quantity_t > (0)::numeric))
);

ALTER TABLE ONLY public.chem_inventory FORCE ROW LEVEL SECURITY;


--
-- Name: chem_sites; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.chem_sites (
    id bigint NOT NULL,
    name text NOT NULL,
    enterprise text NOT NULL,
    hazard_level smallint,
    r_value double precision,
    grid_code text,
    town_code text GENERATED ALWAYS AS ("left"(grid_code, 9)) STORED,
    address text,
    main_chemicals text,
    safety_distance_m double precision,
    geom public.geometry(Point,4490) NOT NULL,
    is_demo boolean DEFAULT false NOT NULL,
    population_500m double precision,
    q_ratio_sum double precision,
    code text,
    CONSTRAINT chem_sites_hazard_level_check CHECK (((hazard_level >= 1) AND (hazard_level <= 4))),
    CONSTRAINT chem_sites_safety_distance_m_check CHECK ((safety_distance_m > (0)::double precision))
);

ALTER TABLE ONLY public.chem_sites FORCE ROW LEVEL SECURITY;


--
-- Name: chem_sites_id_seq; Type: SEQUENCE; Schema: public; Owner: -
--

ALTER TABLE public.chem_sites ALTER COLUMN id ADD GENERATED BY DEFAULT AS IDENTITY (
    SEQUENCE NAME public.chem_sites_id_seq
    START WITH 1
    INCREMENT BY 1
    NO MINVALUE
    NO MAXVALUE
    CACHE 1
);


--
-- Name: chemicals; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.chemicals (
    cas text NOT NULL,
    name text NOT NULL,
    name_en text NOT NULL,
    threshold_t numeric NOT NULL,
    beta numeric NOT NULL,
    hazard_class text NOT NULL,
    state text NOT NULL,
    mw numeric NOT NULL,
    aegl2_60min_ppm numeric,
    erpg2_ppm numeric,
    CONSTRAINT chemicals_aegl2_60min_ppm_check CHECK ((aegl2_60min_ppm > (0)::numeric)),
    CONSTRAINT chemicals_beta_check CHECK ((beta > (0)::numeric)),
    CONSTRAINT chemicals_erpg2_ppm_check CHECK ((erpg2_ppm > (0)::numeric)),
    CONSTRAINT chemicals_hazard_class_check CHECK ((hazard_class = ANY (ARRAY['toxic_gas'::text, 'flammable_gas'::text, 'explosive'::text, 'other'::text]))),
    CONSTRAINT chemicals_mw_check CHECK ((mw > (0)::numeric)),
    CONSTRAINT chemicals_state_check CHECK ((state = ANY (ARRAY['gas'::text, 'liquid'::text, 'solid'::text]))),
    CONSTRAINT chemicals_threshold_t_check CHECK ((threshold_t > (0)::numeric))
);


--
-- Name: collection_items; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.collection_items (
    code text NOT NULL,
    name text NOT NULL,
    department_code text NOT NULL,
    frequency text NOT NULL,
    applies_to text NOT NULL,
    form jsonb NOT NULL,
    CONSTRAINT collection_items_applies_to_check CHECK ((applies_to = ANY (ARRAY['all'::text, 'urban'::text, 'rural'::text]))),
    CONSTRAINT collection_items_form_check CHECK ((jsonb_typeof(form) = 'array'::text)),
    CONSTRAINT collection_items_frequency_check CHECK ((frequency = ANY (ARRAY['once'::text, 'monthly'::text, 'quarterly'::text, 'yearly'::text])))
);


--
-- Name: collection_records; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.collection_records (
    id bigint NOT NULL,
    staff_id bigint NOT NULL,
    item_code text NOT NULL,
    at timestamp with time zone NOT NULL,
    received_at timestamp with time zone DEFAULT now() NOT NULL,
    location public.geometry(Point,4490) NOT NULL,
    grid_code text NOT NULL,
    village_code text NOT NULL,
    town_code text NOT NULL,
    answers jsonb NOT NULL,
    external_id text NOT NULL,
    is_demo boolean DEFAULT false NOT NULL,
    CONSTRAINT collection_records_answers_check CHECK ((jsonb_typeof(answers) = 'object'::text)),
    CONSTRAINT collection_records_external_id_check CHECK (((length(external_id) >= 1) AND (length(external_id) <= 64)))
);

ALTER TABLE ONLY public.collection_records FORCE ROW LEVEL SECURITY;


--
-- Name: collection_records_id_seq; Type: SEQUENCE; Schema: public; Owner: -
--

CREATE SEQUENCE public.collection_records_id_seq
    START WITH 1
    INCREMENT BY 1
    NO MINVALUE
    NO MAXVALUE
    CACHE 1;


--
-- Name: collection_records_id_seq; Type: SEQUENCE OWNED BY; Schema: public; Owner: -
--

ALTER SEQUENCE public.collection_records_id_seq OWNED BY public.collection_records.id;


--
-- Name: county; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.county (
    adcode text NOT NULL,
    name text NOT NULL,
    geom public.geometry(MultiPolygon,4490) NOT NULL
);


--
-- Name: dataset_info; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.dataset_info (
    id smallint DEFAULT 1 NOT NULL,
    is_demo boolean NOT NULL,
    source text NOT NULL,
    params jsonb DEFAULT '{}'::jsonb NOT NULL,
    loaded_at timestamp with time zone DEFAULT now() NOT NULL,
    CONSTRAINT dataset_info_id_check CHECK ((id = 1))
);


--
-- Name: departments; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.departments (
    code text NOT NULL,
    name text NOT NULL,
    short_name text NOT NULL
);


--
-- Name: early_warnings; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.early_warnings (
    id bigint NOT NULL,
    key text NOT NULL,
    kind text NOT NULL,
    pattern text,
    level smallint NOT NULL,
    grid_code text NOT NULL,
    village_code text NOT NULL,
    town_code text NOT NULL,
    category_class text,
    category_code text,
    window_start date NOT NULL,
    window_end date NOT NULL,
    score double precision,
    reason text NOT NULL,
    event_ids bigint[] NOT NULL,
    detected_at timestamp with time zone DEFAULT now() NOT NULL,
    updated_at timestamp with time zone DEFAULT now() NOT NULL,
    CONSTRAINT early_warnings_kind_check CHECK ((kind = ANY (ARRAY['hotspot'::text, 'surge'::text, 'repeat'::text]))),
    CONSTRAINT early_warnings_level_check CHECK (((level >= 1) AND (level <= 3))),
    CONSTRAINT early_warnings_reason_check CHECK ((length(reason) <= 500))
);

ALTER TABLE ONLY public.early_warnings FORCE ROW LEVEL SECURITY;


--
-- Name: early_warnings_id_seq; Type: SEQUENCE; Schema: public; Owner: -
--

CREATE SEQUENCE public.early_warnings_id_seq
    START WITH 1
    INCREMENT BY 1
    NO MINVALUE
    NO MAXVALUE
    CACHE 1;


--
-- Name: early_warnings_id_seq; Type: SEQUENCE OWNED BY; Schema: public; Owner: -
--

ALTER SEQUENCE public.early_warnings_id_seq OWNED BY public.early_warnings.id;


--
-- Name: emergency_resources; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.emergency_resources (
    id bigint NOT NULL,
    name text NOT NULL,
    kind text NOT NULL,
    personnel integer,
    vehicles integer,
    phone text,
    grid_code text,
    town_code text GENERATED ALWAYS AS ("left"(grid_code, 9)) STORED,
    geom public.geometry(Point,4490) NOT NULL,
    is_demo boolean DEFAULT false NOT NULL,
    code text,
    CONSTRAINT emergency_resources_kind_check CHECK ((kind = ANY (ARRAY['rescue_base'::text, 'fire_station'::text, 'hospital'::text, 'materials_depot'::text, 'shelter'::text, 'police_station'::text, 'medical_team'::text]))),
    CONSTRAINT emergency_resources_personnel_check CHECK ((personnel >= 0)),
    CONSTRAINT emergency_resources_vehicles_check CHECK ((vehicles >= 0))
);

ALTER TABLE ONLY public.emergency_resources FORCE ROW LEVEL SECURITY;


--
-- Name: emergency_resources_id_seq; Type: SEQUENCE; Schema: public; Owner: -
--

ALTER TABLE public.emergency_resources ALTER COLUMN id ADD GENERATED BY DEFAULT AS IDENTITY (
    SEQUENCE NAME public.emergency_resources_id_seq
    START WITH 1
    INCREMENT BY 1
    NO MINVALUE
    NO MAXVALUE
    CACHE 1
);


--
-- Name: enforcement_teams; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.enforcement_teams (
    code text NOT NULL,
    name text NOT NULL,
    penalty_powers integer NOT NULL,
    CONSTRAINT enforcement_teams_penalty_powers_check CHECK ((penalty_powers >= 0))
);


--
-- Name: enterprise_inspections; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.enterprise_inspections (
    id bigint NOT NULL,
    enterprise_id bigint NOT NULL,
    at timestamp with time zone NOT NULL,
    result text NOT NULL,
    issues smallint DEFAULT 0 NOT NULL,
    inspector text,
    note text,
    is_demo boolean DEFAULT false NOT NULL,
    CONSTRAINT enterprise_inspections_issues_check CHECK ((issues >= 0)),
    CONSTRAINT enterprise_inspections_note_check CHECK ((length(note) <= 500)),
    CONSTRAINT enterprise_inspections_result_check CHECK ((result = ANY (ARRAY['pass'::text, 'issues'::text, 'closed'::text])))
);

ALTER TABLE ONLY public.enterprise_inspections FORCE ROW LEVEL SECURITY;


--
-- Name: enterprise_inspections_id_seq; Type: SEQUENCE; Schema: public; Owner: -
--

ALTER TABLE public.enterprise_inspections ALTER COLUMN id ADD GENERATED BY DEFAULT AS IDENTITY (
    SEQUENCE NAME public.enterprise_inspections_id_seq
    START WITH 1
    INCREMENT BY 1
    NO MINVALUE
    NO MAXVALUE
    CACHE 1
);


--
-- Name: event_categories; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.event_categories (
    code text NOT NULL,
    name text NOT NULL,
    class_code text NOT NULL,
    class_name text NOT NULL,
    department_code text NOT NULL,
    team_code text,
    limit_value numeric NOT NULL,
    limit_unit text NOT NULL,
    default_level text DEFAULT 'village'::text NOT NULL,
    weight double precision DEFAULT 1 NOT NULL,
    CONSTRAINT event_categories_default_level_check CHECK ((default_level = ANY (ARRAY['village'::text, 'town'::text, 'city'::text]))),
    CONSTRAINT event_categories_limit_unit_check CHECK ((limit_unit = ANY (ARRAY['work_hours'::text, 'work_days'::text]))),
    CONSTRAINT event_categories_limit_value_check CHECK ((limit_value > (0)::numeric)),
    CONSTRAINT event_categories_weight_check CHECK ((weight >= (0)::double precision))
);


--
-- Name: event_log; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.event_log (
    id bigint NOT NULL,
    event_id bigint NOT NULL,
    at timestamp with time zone NOT NULL,
    actor text NOT NULL,
    actor_role text,
    from_status text,
    to_status text NOT NULL,
    level text,
    note text,
    username text,
    CONSTRAINT event_log_from_status_check CHECK ((from_status = ANY (ARRAY['reported'::text, 'accepted'::text, 'dispatched'::text, 'in_progress'::text, 'handled'::text, 'verified'::text, 'closed'::text, 'rejected'::text, 'returned'::text]))),
    CONSTRAINT event_log_level_check CHECK ((level = ANY (ARRAY['village'::text, 'town'::text, 'city'::text]))),
    CONSTRAINT event_log_to_status_check CHECK ((to_status = ANY (ARRAY['reported'::text, 'accepted'::text, 'dispatched'::text, 'in_progress'::text, 'handled'::text, 'verified'::text, 'closed'::text, 'rejected'::text, 'returned'::text]))),
    CONSTRAINT event_log_username_check CHECK ((length(username) <= 80))
);

ALTER TABLE ONLY public.event_log FORCE ROW LEVEL SECURITY;


--
-- Name: event_log_id_seq; Type: SEQUENCE; Schema: public; Owner: -
--

ALTER TABLE public.event_log ALTER COLUMN id ADD GENERATED BY DEFAULT AS IDENTITY (
    SEQUENCE NAME public.event_log_id_seq
    START WITH 1
    INCREMENT BY 1
    NO MINVALUE
    NO MAXVALUE
    CACHE 1
);


--
-- Name: event_photos; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.event_photos (
    id bigint NOT NULL,
    event_id bigint NOT NULL,
    stage text NOT NULL,
    mime text NOT NULL,
    content bytea NOT NULL,
    sha256 text NOT NULL,
    width integer NOT NULL,
    height integer NOT NULL,
    taken_at timestamp with time zone,
    taken_location public.geometry(Point,4490),
    distance_m real,
    far_from_event boolean DEFAULT false NOT NULL,
    uploaded_by text NOT NULL,
    uploaded_at timestamp with time zone DEFAULT now() NOT NULL,
    is_demo boolean DEFAULT false NOT NULL,
    CONSTRAINT event_photos_content_check CHECK (((octet_length(content) >= 1) AND (octet_length(content) <= 10485760))),
    CONSTRAINT event_photos_height_check CHECK ((height > 0)),
    CONSTRAINT event_photos_mime_check CHECK ((mime = ANY (ARRAY['image/jpeg'::text, 'image/png'::text]))),
    CONSTRAINT event_photos_sha256_check CHECK ((length(sha256) = 64)),
    CONSTRAINT event_photos_stage_check CHECK ((stage = ANY (ARRAY['before'::text, 'after'::text]))),
    CONSTRAINT event_photos_width_check CHECK ((width > 0))
);
ALTER TABLE ONLY public.event_photos ALTER COLUMN content SET STORAGE EXTERNAL;

ALTER TABLE ONLY public.event_photos FORCE ROW LEVEL SECURITY;


--
-- Name: event_photos_id_seq; Type: SEQUENCE; Schema: public; Owner: -
--

CREATE SEQUENCE public.event_photos_id_seq
    START WITH 1
    INCREMENT BY 1
    NO MINVALUE
    NO MAXVALUE
    CACHE 1;


--
-- Name: event_photos_id_seq; Type: SEQUENCE OWNED BY; Schema: public; Owner: -
--

ALTER SEQUENCE public.event_photos_id_seq OWNED BY public.event_photos.id;


--
-- Name: event_urges; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.event_urges (
    id bigint NOT NULL,
    event_id bigint NOT NULL,
    kind text NOT NULL,
    at timestamp with time zone DEFAULT now() NOT NULL,
    by_user text NOT NULL,
    by_role text NOT NULL,
    note text,
    target text NOT NULL,
    town_code text NOT NULL,
    village_code text,
    CONSTRAINT event_urges_kind_check CHECK ((kind = ANY (ARRAY['urge'::text, 'supervise'::text]))),
    CONSTRAINT event_urges_note_check CHECK ((length(note) <= 500))
);

ALTER TABLE ONLY public.event_urges FORCE ROW LEVEL SECURITY;


--
-- Name: event_urges_id_seq; Type: SEQUENCE; Schema: public; Owner: -
--

CREATE SEQUENCE public.event_urges_id_seq
    START WITH 1
    INCREMENT BY 1
    NO MINVALUE
    NO MAXVALUE
    CACHE 1;


--
-- Name: event_urges_id_seq; Type: SEQUENCE OWNED BY; Schema: public; Owner: -
--

ALTER SEQUENCE public.event_urges_id_seq OWNED BY public.event_urges.id;


--
-- Name: events; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.events (
    id bigint NOT NULL,
    category_code text NOT NULL,
    status text DEFAULT 'reported'::text NOT NULL,
    priority smallint DEFAULT 3 NOT NULL,
    handling_level text DEFAULT 'village'::text NOT NULL,
    reported_at timestamp with time zone NOT NULL,
    due_at timestamp with time zone NOT NULL,
    status_at timestamp with time zone NOT NULL,
    closed_at timestamp with time zone,
    location public.geometry(Point,4490) NOT NULL,
    grid_code text NOT NULL,
    town_code text GENERATED ALWAYS AS ("left"(grid_code, 9)) STORED,
    village_code text GENERATED ALWAYS AS ("left"(grid_code, 12)) STORED,
    description text NOT NULL,
    address text,
    source text DEFAULT 'grid_app'::text NOT NULL,
    reporter_staff_id bigint,
    assignee_department text,
    assignee_team text,
    version integer DEFAULT 0 NOT NULL,
    is_demo boolean DEFAULT false NOT NULL,
    assignee_staff_id bigint,
    is_drill boolean DEFAULT false NOT NULL,
    reporter_name text,
    escalated_at timestamp with time zone,
    external_source text,
    external_id text,
    external_digest text,
    address_match text,
    address_score real,
    attributes jsonb,
    CONSTRAINT events_address_match_check CHECK ((length(address_match) <= 200)),
    CONSTRAINT events_address_score_check CHECK (((address_score >= (0)::double precision) AND (address_score <= (1)::double precision))),
    CONSTRAINT events_attributes_check CHECK (((attributes IS NULL) OR ((jsonb_typeof(attributes) = 'object'::text) AND (pg_column_size(attributes) <= 8192)))),
    CONSTRAINT events_check CHECK ((due_at >= reported_at)),
    CONSTRAINT events_check1 CHECK (((status = 'closed'::text) = (closed_at IS NOT NULL))),
    CONSTRAINT events_description_check CHECK ((length(btrim(description)) > 0)),
    CONSTRAINT events_external_digest_check CHECK ((length(external_digest) = 64)),
    CONSTRAINT events_external_id_check CHECK ((length(external_id) <= 64)),
    CONSTRAINT events_external_source_check CHECK ((length(external_source) <= 40)),
    CONSTRAINT events_handling_level_check CHECK ((handling_level = ANY (ARRAY['village'::text, 'town'::text, 'city'::text]))),
    CONSTRAINT events_priority_check CHECK (((priority >= 1) AND (priority <= 3))),
    CONSTRAINT events_reporter_name_check CHECK ((length(reporter_name) <= 80)),
    CONSTRAINT events_source_check CHECK ((source = ANY (ARRAY['grid_app'::text, 'police'::text, 'hotline'::text, 'platform'::text, 'inspection'::text, 'sensor'::text]))),
    CONSTRAINT events_status_check CHECK ((status = ANY (ARRAY['reported'::text, 'accepted'::text, 'dispatched'::text, 'in_progress'::text, 'handled'::text, 'verified'::text, 'closed'::text, 'rejected'::text, 'returned'::text])))
);

ALTER TABLE ONLY public.events FORCE ROW LEVEL SECURITY;


--
-- Name: events_id_seq; Type: SEQUENCE; Schema: public; Owner: -
--

ALTER TABLE public.events ALTER COLUMN id ADD GENERATED BY DEFAULT AS IDENTITY (
    SEQUENCE NAME public.events_id_seq
    START WITH 1
    INCREMENT BY 1
    NO MINVALUE
    NO MAXVALUE
    CACHE 1
);


--
-- Name: grid_base_counts; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.grid_base_counts (
    grid_code text NOT NULL,
    category_code text NOT NULL,
    n integer NOT NULL,
    as_of date NOT NULL,
    town_code text GENERATED ALWAYS AS ("left"(grid_code, 9)) STORED,
    village_code text GENERATED ALWAYS AS (
CASE
    WHEN (length(grid_code) >= 12) THEN "left"(grid_code, 12)
    ELSE NULL::text
END) STORED,
    is_demo boolean DEFAULT false NOT NULL,
    CONSTRAINT grid_base_counts_n_check CHECK ((n >= 0))
);

ALTER TABLE ONLY public.grid_base_counts FORCE ROW LEVEL SECURITY;


--
-- Name: grids; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.grids (
    code text NOT NULL,
    parent_code text,
    level smallint NOT NULL,
    parent_level smallint GENERATED ALWAYS AS ((level - 1)) STORED,
    kind text NOT NULL,
    dedicated_type text,
    name text NOT NULL,
    town_code text GENERATED ALWAYS AS ("left"(code, 9)) STORED,
    village_code text GENERATED ALWAYS AS (
CASE
    WHEN (level >= 2) THEN "left"(code, 12)
    ELSE NULL::text
END) STORED,
    population integer,
    geom public.geometry(MultiPolygon,4490) NOT NULL,
    is_demo boolean DEFAULT false NOT NULL,
    updated_at timestamp with time zone DEFAULT now() NOT NULL,
    CONSTRAINT grids_check CHECK (((level = 1) = (parent_code IS NULL))),
    CONSTRAINT grids_check1 CHECK (((parent_code IS NULL) OR starts_with(code, parent_code))),
    CONSTRAINT grids_check2 CHECK ((length(code) =
CASE level
    WHEN 1 THEN 9
    WHEN 2 THEN 12
    ELSE 15
END)),
    CONSTRAINT grids_check3 CHECK (((kind = 'dedicated'::text) = (dedicated_type IS NOT NULL))),
    CONSTRAINT grids_check4 CHECK (((kind = 'admin'::text) OR (level = 3))),
    CONSTRAINT grids_code_check CHECK ((code ~ '^[0-9]+$'::text)),
    CONSTRAINT grids_dedicated_type_check CHECK ((dedicated_type = ANY (ARRAY['school'::text, 'hospital'::text, 'chemical_park'::text, 'industrial_park'::text, 'market'::text, 'scenic_area'::text, 'elderly_home'::text, 'transport_hub'::text, 'other'::text]))),
    CONSTRAINT grids_geom_check CHECK ((public.st_isvalid(geom) AND (NOT public.st_isempty(geom)))),
    CONSTRAINT grids_kind_check CHECK ((kind = ANY (ARRAY['admin'::text, 'dedicated'::text]))),
    CONSTRAINT grids_level_check CHECK (((level >= 1) AND (level <= 3))),
    CONSTRAINT grids_name_check CHECK ((length(btrim(name)) > 0)),
    CONSTRAINT grids_population_check CHECK ((population >= 0))
);

ALTER TABLE ONLY public.grids FORCE ROW LEVEL SECURITY;


--
-- Name: incident_zones; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.incident_zones (
    event_id bigint NOT NULL,
    zone public.geometry(MultiPolygon,4490) NOT NULL,
    source text NOT NULL,
    scenario jsonb DEFAULT '{}'::jsonb NOT NULL,
    area_m2 double precision NOT NULL,
    created_by text NOT NULL,
    created_at timestamp with time zone DEFAULT now() NOT NULL,
    CONSTRAINT incident_zones_area_m2_check CHECK ((area_m2 > (0)::double precision)),
    CONSTRAINT incident_zones_source_check CHECK ((source = ANY (ARRAY['plume'::text, 'aloha'::text, 'drawn'::text]))),
    CONSTRAINT incident_zones_zone_check CHECK ((public.st_isvalid(zone) AND (NOT public.st_isempty(zone))))
);

ALTER TABLE ONLY public.incident_zones FORCE ROW LEVEL SECURITY;


--
-- Name: jy_context_key; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.jy_context_key (
    one boolean DEFAULT true NOT NULL,
    k bytea NOT NULL,
    CONSTRAINT jy_context_key_k_check CHECK ((octet_length(k) = 32)),
    CONSTRAINT jy_context_key_one_check CHECK (one)
);

ALTER TABLE ONLY public.jy_context_key FORCE ROW LEVEL SECURITY;


--
-- Name: login_throttle; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.login_throttle (
    source text NOT NULL,
    username text NOT NULL,
    failures integer DEFAULT 0 NOT NULL,
    first_failure_at timestamp with time zone,
    until timestamp with time zone,
    CONSTRAINT login_throttle_source_check CHECK (((length(source) >= 1) AND (length(source) <= 64))),
    CONSTRAINT login_throttle_username_check CHECK ((length(username) <= 64))
);

ALTER TABLE ONLY public.login_throttle FORCE ROW LEVEL SECURITY;


--
-- Name: mutual_aid_villages; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.mutual_aid_villages (
    village_code text NOT NULL,
    town_code text GENERATED ALWAYS AS ("left"(village_code, 9)) STORED,
    joined_on date NOT NULL,
    members integer NOT NULL,
    beneficiaries integer DEFAULT 0 NOT NULL,
    paid_yuan numeric(14,2) DEFAULT 0 NOT NULL,
    is_demo boolean DEFAULT false NOT NULL,
    CONSTRAINT mutual_aid_villages_beneficiaries_check CHECK ((beneficiaries >= 0)),
    CONSTRAINT mutual_aid_villages_members_check CHECK ((members >= 0)),
    CONSTRAINT mutual_aid_villages_paid_yuan_check CHECK ((paid_yuan >= (0)::numeric)),
    CONSTRAINT mutual_aid_villages_village_code_check CHECK ((village_code ~ '^[0-9]{12}$'::text))
);

ALTER TABLE ONLY public.mutual_aid_villages FORCE ROW LEVEL SECURITY;


--
-- Name: notifications; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.notifications (
    id bigint NOT NULL,
    staff_id bigint NOT NULL,
    kind text NOT NULL,
    event_id bigint NOT NULL,
    message text NOT NULL,
    created_at timestamp with time zone DEFAULT now() NOT NULL,
    outbox_id bigint,
    town_code text NOT NULL,
    village_code text,
    CONSTRAINT notifications_kind_check CHECK ((kind = ANY (ARRAY['task'::text, 'urge'::text, 'supervise'::text])))
);

ALTER TABLE ONLY public.notifications FORCE ROW LEVEL SECURITY;


--
-- Name: notifications_id_seq; Type: SEQUENCE; Schema: public; Owner: -
--

CREATE SEQUENCE public.notifications_id_seq
    START WITH 1
    INCREMENT BY 1
    NO MINVALUE
    NO MAXVALUE
    CACHE 1;


--
-- Name: notifications_id_seq; Type: SEQUENCE OWNED BY; Schema: public; Owner: -
--

ALTER SEQUENCE public.notifications_id_seq OWNED BY public.notifications.id;


--
-- Name: outbox; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.outbox (
    id bigint NOT NULL,
    kind text NOT NULL,
    event_id bigint NOT NULL,
    staff_id bigint,
    town_code text NOT NULL,
    village_code text,
    message text NOT NULL,
    payload jsonb NOT NULL,
    created_at timestamp with time zone DEFAULT now() NOT NULL,
    attempts integer DEFAULT 0 NOT NULL,
    next_attempt_at timestamp with time zone DEFAULT now() NOT NULL,
    notified_at timestamp with time zone,
    webhook_at timestamp with time zone,
    failed_at timestamp with time zone,
    last_error text,
    CONSTRAINT outbox_kind_check CHECK ((kind = ANY (ARRAY['task'::text, 'urge'::text, 'supervise'::text])))
);

ALTER TABLE ONLY public.outbox FORCE ROW LEVEL SECURITY;


--
-- Name: outbox_id_seq; Type: SEQUENCE; Schema: public; Owner: -
--

CREATE SEQUENCE public.outbox_id_seq
    START WITH 1
    INCREMENT BY 1
    NO MINVALUE
    NO MAXVALUE
    CACHE 1;


--
-- Name: outbox_id_seq; Type: SEQUENCE OWNED BY; Schema: public; Owner: -
--

ALTER SEQUENCE public.outbox_id_seq OWNED BY public.outbox.id;


--
-- Name: patrol_checks; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.patrol_checks (
    id bigint NOT NULL,
    staff_id bigint NOT NULL,
    item_code text NOT NULL,
    at timestamp with time zone NOT NULL,
    received_at timestamp with time zone DEFAULT now() NOT NULL,
    location public.geometry(Point,4490) NOT NULL,
    grid_code text NOT NULL,
    village_code text NOT NULL,
    town_code text NOT NULL,
    result text NOT NULL,
    note text,
    event_id bigint,
    external_id text NOT NULL,
    is_demo boolean DEFAULT false NOT NULL,
    CONSTRAINT patrol_checks_check CHECK (((result = 'fail'::text) = (event_id IS NOT NULL))),
    CONSTRAINT patrol_checks_external_id_check CHECK (((length(external_id) >= 1) AND (length(external_id) <= 64))),
    CONSTRAINT patrol_checks_note_check CHECK ((length(note) <= 500)),
    CONSTRAINT patrol_checks_result_check CHECK ((result = ANY (ARRAY['ok'::text, 'fail'::text])))
);

ALTER TABLE ONLY public.patrol_checks FORCE ROW LEVEL SECURITY;


--
-- Name: patrol_checks_id_seq; Type: SEQUENCE; Schema: public; Owner: -
--

CREATE SEQUENCE public.patrol_checks_id_seq
    START WITH 1
    INCREMENT BY 1
    NO MINVALUE
    NO MAXVALUE
    CACHE 1;


--
-- Name: patrol_checks_id_seq; Type: SEQUENCE OWNED BY; Schema: public; Owner: -
--

ALTER SEQUENCE public.patrol_checks_id_seq OWNED BY public.patrol_checks.id;


--
-- Name: patrol_items; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.patrol_items (
    code text NOT NULL,
    name text NOT NULL,
    class_name text NOT NULL,
    frequency text NOT NULL,
    event_category_code text NOT NULL,
    question text NOT NULL,
    CONSTRAINT patrol_items_frequency_check CHECK ((frequency = ANY (ARRAY['daily'::text, 'weekly'::text, 'monthly'::text])))
);


--
-- Name: role_catalogue; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.role_catalogue (
    code text NOT NULL,
    kind text NOT NULL,
    label text NOT NULL,
    acts_as text,
    CONSTRAINT role_catalogue_kind_check CHECK ((kind = ANY (ARRAY['account'::text, 'actor'::text]))),
    CONSTRAINT role_catalogue_label_check CHECK ((length(btrim(label)) > 0))
);


--
-- Name: service_points; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.service_points (
    id bigint NOT NULL,
    code text NOT NULL,
    kind text NOT NULL,
    name text NOT NULL,
    address text,
    matters integer,
    services_30d integer,
    location public.geometry(Point,4490) NOT NULL,
    grid_code text,
    town_code text GENERATED ALWAYS AS ("left"(grid_code, 9)) STORED,
    village_code text GENERATED ALWAYS AS (
CASE
    WHEN (length(grid_code) >= 12) THEN "left"(grid_code, 12)
    ELSE NULL::text
END) STORED,
    is_demo boolean DEFAULT false NOT NULL,
    CONSTRAINT service_points_kind_check CHECK ((kind = ANY (ARRAY['window'::text, 'app_point'::text]))),
    CONSTRAINT service_points_matters_check CHECK (((matters IS NULL) OR (matters >= 0))),
    CONSTRAINT service_points_name_check CHECK ((length(btrim(name)) > 0)),
    CONSTRAINT service_points_services_30d_check CHECK (((services_30d IS NULL) OR (services_30d >= 0)))
);

ALTER TABLE ONLY public.service_points FORCE ROW LEVEL SECURITY;


--
-- Name: service_points_id_seq; Type: SEQUENCE; Schema: public; Owner: -
--

ALTER TABLE public.service_points ALTER COLUMN id ADD GENERATED BY DEFAULT AS IDENTITY (
    SEQUENCE NAME public.service_points_id_seq
    START WITH 1
    INCREMENT BY 1
    NO MINVALUE
    NO MAXVALUE
    CACHE 1
);


--
-- Name: session_handoffs; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.session_handoffs (
    code_hash text NOT NULL,
    token_hash text NOT NULL,
    expires_at timestamp with time zone NOT NULL,
    used_at timestamp with time zone,
    CONSTRAINT session_handoffs_code_hash_check CHECK ((length(code_hash) = 64))
);

ALTER TABLE ONLY public.session_handoffs FORCE ROW LEVEL SECURITY;


--
-- Name: staff; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.staff (
    id bigint NOT NULL,
    name text NOT NULL,
    role text NOT NULL,
    grid_code text NOT NULL,
    town_code text GENERATED ALWAYS AS ("left"(grid_code, 9)) STORED,
    village_code text GENERATED ALWAYS AS (
CASE
    WHEN (length(grid_code) >= 12) THEN "left"(grid_code, 12)
    ELSE NULL::text
END) STORED,
    phone text,
    terminal_id text,
    on_duty boolean DEFAULT false NOT NULL,
    location public.geometry(Point,4490),
    location_at timestamp with time zone,
    is_demo boolean DEFAULT false NOT NULL,
    CONSTRAINT staff_role_check CHECK ((role = ANY (ARRAY['grid_worker'::text, 'police'::text, 'grid_leader'::text, 'dispatcher'::text, 'dept_officer'::text])))
);

ALTER TABLE ONLY public.staff FORCE ROW LEVEL SECURITY;


--
-- Name: staff_id_seq; Type: SEQUENCE; Schema: public; Owner: -
--

ALTER TABLE public.staff ALTER COLUMN id ADD GENERATED BY DEFAULT AS IDENTITY (
    SEQUENCE NAME public.staff_id_seq
    START WITH 1
    INCREMENT BY 1
    NO MINVALUE
    NO MAXVALUE
    CACHE 1
);


--
-- Name: staff_positions; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.staff_positions (
    staff_id bigint NOT NULL,
    at timestamp with time zone NOT NULL,
    location public.geometry(Point,4490) NOT NULL,
    accuracy_m real,
    received_at timestamp with time zone DEFAULT now() NOT NULL,
    CONSTRAINT staff_positions_accuracy_m_check CHECK (((accuracy_m IS NULL) OR (accuracy_m >= (0)::double precision)))
);

ALTER TABLE ONLY public.staff_positions FORCE ROW LEVEL SECURITY;


--
-- Name: stats_category_day; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.stats_category_day (
    day date NOT NULL,
    town_code text NOT NULL,
    category_code text NOT NULL,
    reported integer DEFAULT 0 NOT NULL
);

ALTER TABLE ONLY public.stats_category_day FORCE ROW LEVEL SECURITY;


--
-- Name: stats_cell_day; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.stats_cell_day (
    day date NOT NULL,
    town_code text NOT NULL,
    cell_i integer NOT NULL,
    cell_j integer NOT NULL,
    reported integer DEFAULT 0 NOT NULL
);

ALTER TABLE ONLY public.stats_cell_day FORCE ROW LEVEL SECURITY;


--
-- Name: stats_grid_day; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.stats_grid_day (
    day date NOT NULL,
    grid_code text NOT NULL,
    town_code text GENERATED ALWAYS AS ("left"(grid_code, 9)) STORED,
    village_code text GENERATED ALWAYS AS ("left"(grid_code, 12)) STORED,
    reported integer DEFAULT 0 NOT NULL,
    closed integer DEFAULT 0 NOT NULL,
    closed_on_time integer DEFAULT 0 NOT NULL,
    close_seconds double precision DEFAULT 0 NOT NULL
);

ALTER TABLE ONLY public.stats_grid_day FORCE ROW LEVEL SECURITY;


--
-- Name: stats_village_day; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.stats_village_day (
    day date NOT NULL,
    village_code text NOT NULL,
    town_code text GENERATED ALWAYS AS ("left"(village_code, 9)) STORED,
    reported integer DEFAULT 0 NOT NULL,
    closed integer DEFAULT 0 NOT NULL,
    closed_on_time integer DEFAULT 0 NOT NULL,
    close_seconds double precision DEFAULT 0 NOT NULL
);

ALTER TABLE ONLY public.stats_village_day FORCE ROW LEVEL SECURITY;


--
-- Name: supervised_enterprises; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.supervised_enterprises (
    id bigint NOT NULL,
    code text NOT NULL,
    name text NOT NULL,
    sector text NOT NULL,
    status text NOT NULL,
    status_on date,
    address text,
    location public.geometry(Point,4490) NOT NULL,
    grid_code text,
    town_code text GENERATED ALWAYS AS ("left"(grid_code, 9)) STORED,
    village_code text GENERATED ALWAYS AS (
CASE
    WHEN (length(grid_code) >= 12) THEN "left"(grid_code, 12)
    ELSE NULL::text
END) STORED,
    is_demo boolean DEFAULT false NOT NULL,
    CONSTRAINT supervised_enterprises_name_check CHECK ((length(btrim(name)) > 0)),
    CONSTRAINT supervised_enterprises_sector_check CHECK ((sector = ANY (ARRAY['chemical'::text, 'metallurgy'::text, 'machinery'::text, 'textile'::text, 'building_materials'::text, 'electronics'::text, 'logistics'::text, 'other'::text]))),
    CONSTRAINT supervised_enterprises_status_check CHECK ((status = ANY (ARRAY['rectifying'::text, 'rectified'::text, 'closed'::text])))
);

ALTER TABLE ONLY public.supervised_enterprises FORCE ROW LEVEL SECURITY;


--
-- Name: supervised_enterprises_id_seq; Type: SEQUENCE; Schema: public; Owner: -
--

ALTER TABLE public.supervised_enterprises ALTER COLUMN id ADD GENERATED BY DEFAULT AS IDENTITY (
    SEQUENCE NAME public.supervised_enterprises_id_seq
    START WITH 1
    INCREMENT BY 1
    NO MINVALUE
    NO MAXVALUE
    CACHE 1
);


--
-- Name: terminal_accounts; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.terminal_accounts (
    staff_id bigint NOT NULL,
    password_hash text NOT NULL,
    disabled boolean DEFAULT false NOT NULL,
    created_at timestamp with time zone DEFAULT now() NOT NULL
);

ALTER TABLE ONLY public.terminal_accounts FORCE ROW LEVEL SECURITY;


--
-- Name: workflow_transitions; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.workflow_transitions (
    from_status text,
    to_status text NOT NULL
);


--
-- Name: address_points id; Type: DEFAULT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.address_points ALTER COLUMN id SET DEFAULT nextval('public.address_points_id_seq'::regclass);


--
-- Name: address_review id; Type: DEFAULT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.address_review ALTER COLUMN id SET DEFAULT nextval('public.address_review_id_seq'::regclass);


--
-- Name: address_roads id; Type: DEFAULT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.address_roads ALTER COLUMN id SET DEFAULT nextval('public.address_roads_id_seq'::regclass);


--
-- Name: api_clients id; Type: DEFAULT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.api_clients ALTER COLUMN id SET DEFAULT nextval('public.api_clients_id_seq'::regclass);


--
-- Name: checkins id; Type: DEFAULT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.checkins ALTER COLUMN id SET DEFAULT nextval('public.checkins_id_seq'::regclass);


--
-- Name: collection_records id; Type: DEFAULT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.collection_records ALTER COLUMN id SET DEFAULT nextval('public.collection_records_id_seq'::regclass);


--
-- Name: early_warnings id; Type: DEFAULT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.early_warnings ALTER COLUMN id SET DEFAULT nextval('public.early_warnings_id_seq'::regclass);


--
-- Name: event_photos id; Type: DEFAULT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.event_photos ALTER COLUMN id SET DEFAULT nextval('public.event_photos_id_seq'::regclass);


--
-- Name: event_urges id; Type: DEFAULT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.event_urges ALTER COLUMN id SET DEFAULT nextval('public.event_urges_id_seq'::regclass);


--
-- Name: notifications id; Type: DEFAULT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.notifications ALTER COLUMN id SET DEFAULT nextval('public.notifications_id_seq'::regclass);


--
-- Name: outbox id; Type: DEFAULT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.outbox ALTER COLUMN id SET DEFAULT nextval('public.outbox_id_seq'::regclass);


--
-- Name: patrol_checks id; Type: DEFAULT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.patrol_checks ALTER COLUMN id SET DEFAULT nextval('public.patrol_checks_id_seq'::regclass);


--
-- Name: address_points address_points_code_key; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.address_points
    ADD CONSTRAINT address_points_code_key UNIQUE (code);


--
-- Name: address_points address_points_pkey; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.address_points
    ADD CONSTRAINT address_points_pkey PRIMARY KEY (id);


--
-- Name: address_review address_review_pkey; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.address_review
    ADD CONSTRAINT address_review_pkey PRIMARY KEY (id);


--
-- Name: address_roads address_roads_code_key; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.address_roads
    ADD CONSTRAINT address_roads_code_key UNIQUE (code);


--
-- Name: address_roads address_roads_pkey; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.address_roads
    ADD CONSTRAINT address_roads_pkey PRIMARY KEY (id);


--
-- Name: api_clients api_clients_code_key; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.api_clients
    ADD CONSTRAINT api_clients_code_key UNIQUE (code);


--
-- Name: api_clients api_clients_key_hash_key; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.api_clients
    ADD CONSTRAINT api_clients_key_hash_key UNIQUE (key_hash);


--
-- Name: api_clients api_clients_pkey; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.api_clients
    ADD CONSTRAINT api_clients_pkey PRIMARY KEY (id);


--
-- Name: api_tokens api_tokens_pkey; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.api_tokens
    ADD CONSTRAINT api_tokens_pkey PRIMARY KEY (token_hash);


--
-- Name: app_sessions app_sessions_pkey; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.app_sessions
    ADD CONSTRAINT app_sessions_pkey PRIMARY KEY (token_hash);


--
-- Name: app_users app_users_pkey; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.app_users
    ADD CONSTRAINT app_users_pkey PRIMARY KEY (id);


--
-- Name: app_users app_users_username_key; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.app_users
    ADD CONSTRAINT app_users_username_key UNIQUE (username);


--
-- Name: assistance_classes assistance_classes_pkey; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.assistance_classes
    ADD CONSTRAINT assistance_classes_pkey PRIMARY KEY (code);


--
-- Name: assistance_households assistance_households_code_key; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.assistance_households
    ADD CONSTRAINT assistance_households_code_key UNIQUE (code);


--
-- Name: assistance_households assistance_households_pkey; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.assistance_households
    ADD CONSTRAINT assistance_households_pkey PRIMARY KEY (id);


--
-- Name: audit_log audit_log_pkey; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.audit_log
    ADD CONSTRAINT audit_log_pkey PRIMARY KEY (id);


--
-- Name: base_categories base_categories_pkey; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.base_categories
    ADD CONSTRAINT base_categories_pkey PRIMARY KEY (code);


--
-- Name: checkins checkins_pkey; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.checkins
    ADD CONSTRAINT checkins_pkey PRIMARY KEY (id);


--
-- Name: chem_inventory chem_inventory_pkey; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.chem_inventory
    ADD CONSTRAINT chem_inventory_pkey PRIMARY KEY (site_id, cas);


--
-- Name: chem_sites chem_sites_code_key; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.chem_sites
    ADD CONSTRAINT chem_sites_code_key UNIQUE (code);


--
-- Name: chem_sites chem_sites_pkey; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.chem_sites
    ADD CONSTRAINT chem_sites_pkey PRIMARY KEY (id);


--
-- Name: chemicals chemicals_pkey; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.chemicals
    ADD CONSTRAINT chemicals_pkey PRIMARY KEY (cas);


--
-- Name: collection_items collection_items_pkey; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.collection_items
    ADD CONSTRAINT collection_items_pkey PRIMARY KEY (code);


--
-- Name: collection_records collection_records_pkey; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.collection_records
    ADD CONSTRAINT collection_records_pkey PRIMARY KEY (id);


--
-- Name: collection_records collection_records_staff_id_external_id_key; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.collection_records
    ADD CONSTRAINT collection_records_staff_id_external_id_key UNIQUE (staff_id, external_id);


--
-- Name: county county_pkey; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.county
    ADD CONSTRAINT county_pkey PRIMARY KEY (adcode);


--
-- Name: dataset_info dataset_info_pkey; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.dataset_info
    ADD CONSTRAINT dataset_info_pkey PRIMARY KEY (id);


--
-- Name: departments departments_name_key; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.departments
    ADD CONSTRAINT departments_name_key UNIQUE (name);


--
-- Name: departments departments_pkey; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.departments
    ADD CONSTRAINT departments_pkey PRIMARY KEY (code);


--
-- Name: early_warnings early_warnings_key_key; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.early_warnings
    ADD CONSTRAINT early_warnings_key_key UNIQUE (key);


--
-- Name: early_warnings early_warnings_pkey; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.early_warnings
    ADD CONSTRAINT early_warnings_pkey PRIMARY KEY (id);


--
-- Name: emergency_resources emergency_resources_code_key; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.emergency_resources
    ADD CONSTRAINT emergency_resources_code_key UNIQUE (code);


--
-- Name: emergency_resources emergency_resources_pkey; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.emergency_resources
    ADD CONSTRAINT emergency_resources_pkey PRIMARY KEY (id);


--
-- Name: enforcement_teams enforcement_teams_name_key; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.enforcement_teams
    ADD CONSTRAINT enforcement_teams_name_key UNIQUE (name);


--
-- Name: enforcement_teams enforcement_teams_pkey; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.enforcement_teams
    ADD CONSTRAINT enforcement_teams_pkey PRIMARY KEY (code);


--
-- Name: enterprise_inspections enterprise_inspections_pkey; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.enterprise_inspections
    ADD CONSTRAINT enterprise_inspections_pkey PRIMARY KEY (id);


--
-- Name: event_categories event_categories_pkey; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.event_categories
    ADD CONSTRAINT event_categories_pkey PRIMARY KEY (code);


--
-- Name: event_log event_log_pkey; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.event_log
    ADD CONSTRAINT event_log_pkey PRIMARY KEY (id);


--
-- Name: event_photos event_photos_event_id_stage_sha256_key; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.event_photos
    ADD CONSTRAINT event_photos_event_id_stage_sha256_key UNIQUE (event_id, stage, sha256);


--
-- Name: event_photos event_photos_pkey; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.event_photos
    ADD CONSTRAINT event_photos_pkey PRIMARY KEY (id);


--
-- Name: event_urges event_urges_pkey; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.event_urges
    ADD CONSTRAINT event_urges_pkey PRIMARY KEY (id);


--
-- Name: events events_pkey; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.events
    ADD CONSTRAINT events_pkey PRIMARY KEY (id);


--
-- Name: grid_base_counts grid_base_counts_pkey; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.grid_base_counts
    ADD CONSTRAINT grid_base_counts_pkey PRIMARY KEY (grid_code, category_code);


--
-- Name: grids grids_code_level_key; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.grids
    ADD CONSTRAINT grids_code_level_key UNIQUE (code, level);


--
-- Name: grids grids_pkey; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.grids
    ADD CONSTRAINT grids_pkey PRIMARY KEY (code);


--
-- Name: incident_zones incident_zones_pkey; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.incident_zones
    ADD CONSTRAINT incident_zones_pkey PRIMARY KEY (event_id);


--
-- Name: jy_context_key jy_context_key_pkey; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.jy_context_key
    ADD CONSTRAINT jy_context_key_pkey PRIMARY KEY (one);


--
-- Name: login_throttle login_throttle_pkey; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.login_throttle
    ADD CONSTRAINT login_throttle_pkey PRIMARY KEY (source, username);


--
-- Name: mutual_aid_villages mutual_aid_villages_pkey; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.mutual_aid_villages
    ADD CONSTRAINT mutual_aid_villages_pkey PRIMARY KEY (village_code);


--
-- Name: notifications notifications_outbox_id_key; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.notifications
    ADD CONSTRAINT notifications_outbox_id_key UNIQUE (outbox_id);


--
-- Name: notifications notifications_pkey; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.notifications
    ADD CONSTRAINT notifications_pkey PRIMARY KEY (id);


--
-- Name: outbox outbox_pkey; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.outbox
    ADD CONSTRAINT outbox_pkey PRIMARY KEY (id);


--
-- Name: patrol_checks patrol_checks_pkey; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.patrol_checks
    ADD CONSTRAINT patrol_checks_pkey PRIMARY KEY (id);


--
-- Name: patrol_checks patrol_checks_staff_id_external_id_key; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.patrol_checks
    ADD CONSTRAINT patrol_checks_staff_id_external_id_key UNIQUE (staff_id, external_id);


--
-- Name: patrol_items patrol_items_pkey; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.patrol_items
    ADD CONSTRAINT patrol_items_pkey PRIMARY KEY (code);


--
-- Name: role_catalogue role_catalogue_pkey; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.role_catalogue
    ADD CONSTRAINT role_catalogue_pkey PRIMARY KEY (kind, code);


--
-- Name: service_points service_points_code_key; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.service_points
    ADD CONSTRAINT service_points_code_key UNIQUE (code);


--
-- Name: service_points service_points_pkey; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.service_points
    ADD CONSTRAINT service_points_pkey PRIMARY KEY (id);


--
-- Name: session_handoffs session_handoffs_pkey; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.session_handoffs
    ADD CONSTRAINT session_handoffs_pkey PRIMARY KEY (code_hash);


--
-- Name: staff staff_pkey; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.staff
    ADD CONSTRAINT staff_pkey PRIMARY KEY (id);


--
-- Name: staff staff_terminal_id_key; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.staff
    ADD CONSTRAINT staff_terminal_id_key UNIQUE (terminal_id);


--
-- Name: stats_category_day stats_category_day_pkey; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.stats_category_day
    ADD CONSTRAINT stats_category_day_pkey PRIMARY KEY (day, town_code, category_code);


--
-- Name: stats_cell_day stats_cell_day_pkey; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.stats_cell_day
    ADD CONSTRAINT stats_cell_day_pkey PRIMARY KEY (day, town_code, cell_i, cell_j);


--
-- Name: stats_grid_day stats_grid_day_pkey; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.stats_grid_day
    ADD CONSTRAINT stats_grid_day_pkey PRIMARY KEY (day, grid_code);


--
-- Name: stats_village_day stats_village_day_pkey; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.stats_village_day
    ADD CONSTRAINT stats_village_day_pkey PRIMARY KEY (day, village_code);


--
-- Name: supervised_enterprises supervised_enterprises_code_key; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.supervised_enterprises
    ADD CONSTRAINT supervised_enterprises_code_key UNIQUE (code);


--
-- Name: supervised_enterprises supervised_enterprises_pkey; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.supervised_enterprises
    ADD CONSTRAINT supervised_enterprises_pkey PRIMARY KEY (id);


--
-- Name: terminal_accounts terminal_accounts_pkey; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.terminal_accounts
    ADD CONSTRAINT terminal_accounts_pkey PRIMARY KEY (staff_id);


--
-- Name: workflow_transitions workflow_transitions_from_status_to_status_key; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.workflow_transitions
    ADD CONSTRAINT workflow_transitions_from_status_to_status_key UNIQUE NULLS NOT DISTINCT (from_status, to_status);


--
-- Name: address_points_gix; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX address_points_gix ON public.address_points USING gist (geom);


--
-- Name: address_points_name_trgm; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX address_points_name_trgm ON public.address_points USING gin (name public.gin_trgm_ops);


--
-- Name: address_points_road_idx; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX address_points_road_idx ON public.address_points USING btree (road_code, number);


--
-- Name: address_points_village_idx; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX address_points_village_idx ON public.address_points USING btree (village_code, kind);


--
-- Name: address_review_open_idx; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX address_review_open_idx ON public.address_review USING btree (town_code, created_at) WHERE (status = 'open'::text);


--
-- Name: address_roads_gix; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX address_roads_gix ON public.address_roads USING gist (geom);


--
-- Name: address_roads_name_idx; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX address_roads_name_idx ON public.address_roads USING btree (name);


--
-- Name: address_roads_name_trgm; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX address_roads_name_trgm ON public.address_roads USING gin (name public.gin_trgm_ops);


--
-- Name: address_roads_village_idx; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX address_roads_village_idx ON public.address_roads USING btree (village_code, name);


--
-- Name: api_tokens_staff_idx; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX api_tokens_staff_idx ON public.api_tokens USING btree (staff_id);


--
-- Name: app_sessions_user_idx; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX app_sessions_user_idx ON public.app_sessions USING btree (username);


--
-- Name: assistance_households_town_idx; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX assistance_households_town_idx ON public.assistance_households USING btree (town_code);


--
-- Name: assistance_households_village_idx; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX assistance_households_village_idx ON public.assistance_households USING btree (village_code, class_code);


--
-- Name: audit_log_at_idx; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX audit_log_at_idx ON public.audit_log USING btree (at DESC);


--
-- Name: audit_log_chain_idx; Type: INDEX; Schema: public; Owner: -
--

CREATE UNIQUE INDEX audit_log_chain_idx ON public.audit_log USING btree (chain_seq);


--
-- Name: audit_log_user_idx; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX audit_log_user_idx ON public.audit_log USING btree (username, at DESC);


--
-- Name: checkins_at_brin; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX checkins_at_brin ON public.checkins USING brin (at);


--
-- Name: checkins_day_grid_idx; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX checkins_day_grid_idx ON public.checkins USING btree ((((at AT TIME ZONE 'Asia/Shanghai'::text))::date), grid_code);


--
-- Name: checkins_gix; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX checkins_gix ON public.checkins USING gist (location);


--
-- Name: checkins_grid_idx; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX checkins_grid_idx ON public.checkins USING btree (grid_code, at);


--
-- Name: checkins_staff_idx; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX checkins_staff_idx ON public.checkins USING btree (staff_id, at);


--
-- Name: chem_sites_geom_gix; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX chem_sites_geom_gix ON public.chem_sites USING gist (geom);


--
-- Name: chem_sites_town_idx; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX chem_sites_town_idx ON public.chem_sites USING btree (town_code);


--
-- Name: collection_records_gix; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX collection_records_gix ON public.collection_records USING gist (location);


--
-- Name: collection_records_village_idx; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX collection_records_village_idx ON public.collection_records USING btree (village_code, at);


--
-- Name: county_geom_gix; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX county_geom_gix ON public.county USING gist (geom);


--
-- Name: early_warnings_grid_idx; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX early_warnings_grid_idx ON public.early_warnings USING btree (grid_code, window_end);


--
-- Name: early_warnings_town_idx; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX early_warnings_town_idx ON public.early_warnings USING btree (town_code, window_end);


--
-- Name: emergency_resources_geom_gix; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX emergency_resources_geom_gix ON public.emergency_resources USING gist (geom);


--
-- Name: enterprise_inspections_ent_idx; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX enterprise_inspections_ent_idx ON public.enterprise_inspections USING btree (enterprise_id, at);


--
-- Name: event_log_event_idx; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX event_log_event_idx ON public.event_log USING btree (event_id, at, id);


--
-- Name: event_log_returned_idx; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX event_log_returned_idx ON public.event_log USING btree (event_id) WHERE (to_status = 'returned'::text);


--
-- Name: event_photos_event_idx; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX event_photos_event_idx ON public.event_photos USING btree (event_id);


--
-- Name: event_photos_taken_gix; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX event_photos_taken_gix ON public.event_photos USING gist (taken_location);


--
-- Name: event_urges_event_idx; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX event_urges_event_idx ON public.event_urges USING btree (event_id);


--
-- Name: event_urges_town_idx; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX event_urges_town_idx ON public.event_urges USING btree (town_code, at);


--
-- Name: events_assignee_staff_idx; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX events_assignee_staff_idx ON public.events USING btree (assignee_staff_id) WHERE (assignee_staff_id IS NOT NULL);


--
-- Name: events_category_time_idx; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX events_category_time_idx ON public.events USING btree (category_code, reported_at);


--
-- Name: events_closed_idx; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX events_closed_idx ON public.events USING btree (closed_at) WHERE (closed_at IS NOT NULL);


--
-- Name: events_external_idx; Type: INDEX; Schema: public; Owner: -
--

CREATE UNIQUE INDEX events_external_idx ON public.events USING btree (external_source, external_id) WHERE (external_id IS NOT NULL);


--
-- Name: events_grid_time_idx; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX events_grid_time_idx ON public.events USING btree (grid_code, reported_at);


--
-- Name: events_location_gix; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX events_location_gix ON public.events USING gist (location);


--
-- Name: events_open_area_idx; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX events_open_area_idx ON public.events USING btree (town_code, village_code, due_at) WHERE ((status <> ALL (ARRAY['closed'::text, 'rejected'::text])) AND (NOT is_drill));


--
-- Name: events_open_due_idx; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX events_open_due_idx ON public.events USING btree (due_at) WHERE ((status <> ALL (ARRAY['closed'::text, 'rejected'::text])) AND (NOT is_drill));


--
-- Name: events_queue_idx; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX events_queue_idx ON public.events USING btree (handling_level, status) WHERE (status <> ALL (ARRAY['closed'::text, 'rejected'::text]));


--
-- Name: events_reported_idx; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX events_reported_idx ON public.events USING btree (reported_at);


--
-- Name: events_town_status_idx; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX events_town_status_idx ON public.events USING btree (town_code, status);


--
-- Name: events_village_time_idx; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX events_village_time_idx ON public.events USING btree (village_code, reported_at);


--
-- Name: grid_base_counts_town_idx; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX grid_base_counts_town_idx ON public.grid_base_counts USING btree (town_code);


--
-- Name: grid_base_counts_village_idx; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX grid_base_counts_village_idx ON public.grid_base_counts USING btree (village_code);


--
-- Name: grids_geom_gix; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX grids_geom_gix ON public.grids USING gist (geom);


--
-- Name: grids_level_kind_idx; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX grids_level_kind_idx ON public.grids USING btree (level, kind);


--
-- Name: grids_parent_idx; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX grids_parent_idx ON public.grids USING btree (parent_code);


--
-- Name: grids_town_idx; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX grids_town_idx ON public.grids USING btree (town_code);


--
-- Name: incident_zones_gix; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX incident_zones_gix ON public.incident_zones USING gist (zone);


--
-- Name: notifications_staff_idx; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX notifications_staff_idx ON public.notifications USING btree (staff_id, id);


--
-- Name: outbox_pending_idx; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX outbox_pending_idx ON public.outbox USING btree (next_attempt_at) WHERE ((failed_at IS NULL) AND ((notified_at IS NULL) OR (webhook_at IS NULL)));


--
-- Name: patrol_checks_at_brin; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX patrol_checks_at_brin ON public.patrol_checks USING brin (at);


--
-- Name: patrol_checks_gix; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX patrol_checks_gix ON public.patrol_checks USING gist (location);


--
-- Name: patrol_checks_grid_idx; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX patrol_checks_grid_idx ON public.patrol_checks USING btree (grid_code, item_code, at);


--
-- Name: patrol_checks_village_idx; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX patrol_checks_village_idx ON public.patrol_checks USING btree (village_code, at);


--
-- Name: service_points_gix; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX service_points_gix ON public.service_points USING gist (location);


--
-- Name: service_points_town_idx; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX service_points_town_idx ON public.service_points USING btree (town_code);


--
-- Name: session_handoffs_expiry_idx; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX session_handoffs_expiry_idx ON public.session_handoffs USING btree (expires_at);


--
-- Name: staff_grid_idx; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX staff_grid_idx ON public.staff USING btree (grid_code);


--
-- Name: staff_location_at_idx; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX staff_location_at_idx ON public.staff USING btree (location_at);


--
-- Name: staff_location_geog_gix; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX staff_location_geog_gix ON public.staff USING gist (((location)::public.geography)) WHERE on_duty;


--
-- Name: staff_location_gix; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX staff_location_gix ON public.staff USING gist (location);


--
-- Name: staff_positions_at_brin; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX staff_positions_at_brin ON public.staff_positions USING brin (at);


--
-- Name: staff_positions_gix; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX staff_positions_gix ON public.staff_positions USING gist (location);


--
-- Name: staff_positions_staff_idx; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX staff_positions_staff_idx ON public.staff_positions USING btree (staff_id, at);


--
-- Name: staff_town_idx; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX staff_town_idx ON public.staff USING btree (town_code, role);


--
-- Name: stats_grid_day_town_idx; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX stats_grid_day_town_idx ON public.stats_grid_day USING btree (town_code, day);


--
-- Name: stats_village_day_town_idx; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX stats_village_day_town_idx ON public.stats_village_day USING btree (town_code, day);


--
-- Name: supervised_enterprises_gix; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX supervised_enterprises_gix ON public.supervised_enterprises USING gist (location);


--
-- Name: supervised_enterprises_town_idx; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX supervised_enterprises_town_idx ON public.supervised_enterprises USING btree (town_code, status);


--
-- Name: supervised_enterprises_village_idx; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX supervised_enterprises_village_idx ON public.supervised_enterprises USING btree (village_code);


--
-- Name: audit_log audit_log_a_session; Type: TRIGGER; Schema: public; Owner: -
--

CREATE TRIGGER audit_log_a_session BEFORE INSERT ON public.audit_log FOR EACH ROW EXECUTE FUNCTION public.audit_log_from_session();


--
-- Name: audit_log audit_log_chain; Type: TRIGGER; Schema: public; Owner: -
--

CREATE TRIGGER audit_log_chain BEFORE INSERT ON public.audit_log FOR EACH ROW EXECUTE FUNCTION public.audit_log_chain();


--
-- Name: chem_inventory chem_inventory_changed; Type: TRIGGER; Schema: public; Owner: -
--

CREATE TRIGGER chem_inventory_changed AFTER INSERT OR DELETE OR UPDATE ON public.chem_inventory FOR EACH STATEMENT EXECUTE FUNCTION public.chem_recompute_trigger();


--
-- Name: chem_sites chem_sites_moved; Type: TRIGGER; Schema: public; Owner: -
--

CREATE TRIGGER chem_sites_moved AFTER INSERT OR UPDATE OF geom ON public.chem_sites FOR EACH STATEMENT EXECUTE FUNCTION public.chem_recompute_trigger();


--
-- Name: event_log event_log_a_check; Type: TRIGGER; Schema: public; Owner: -
--

CREATE TRIGGER event_log_a_check AFTER INSERT ON public.event_log REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION public.event_log_check();


--
-- Name: event_log event_log_apply; Type: TRIGGER; Schema: public; Owner: -
--

CREATE TRIGGER event_log_apply AFTER INSERT ON public.event_log REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION public.event_log_apply();


--
-- Name: event_log event_log_from_session; Type: TRIGGER; Schema: public; Owner: -
--

CREATE TRIGGER event_log_from_session BEFORE INSERT ON public.event_log FOR EACH ROW WHEN ((SESSION_USER <> '<owner>'::name)) EXECUTE FUNCTION public.event_log_from_session();


--
-- Name: event_log event_log_no_change; Type: TRIGGER; Schema: public; Owner: -
--

CREATE TRIGGER event_log_no_change BEFORE DELETE OR UPDATE ON public.event_log FOR EACH ROW EXECUTE FUNCTION public.event_log_append_only();


--
-- Name: event_log event_log_no_truncate; Type: TRIGGER; Schema: public; Owner: -
--

CREATE TRIGGER event_log_no_truncate BEFORE TRUNCATE ON public.event_log FOR EACH STATEMENT EXECUTE FUNCTION public.event_log_append_only();


--
-- Name: events events_before_insert; Type: TRIGGER; Schema: public; Owner: -
--

CREATE TRIGGER events_before_insert BEFORE INSERT ON public.events FOR EACH ROW WHEN (((new.status IS DISTINCT FROM 'reported'::text) OR (new.closed_at IS NOT NULL) OR (new.status_at IS NULL))) EXECUTE FUNCTION public.events_before_insert();


--
-- Name: events events_guard_status; Type: TRIGGER; Schema: public; Owner: -
--

CREATE TRIGGER events_guard_status BEFORE UPDATE OF status, closed_at, version, status_at ON public.events FOR EACH ROW WHEN (((new.status IS DISTINCT FROM old.status) OR (new.closed_at IS DISTINCT FROM old.closed_at) OR (new.version IS DISTINCT FROM old.version) OR (new.status_at IS DISTINCT FROM old.status_at))) EXECUTE FUNCTION public.events_guard_status();


--
-- Name: events events_stats_delete; Type: TRIGGER; Schema: public; Owner: -
--

CREATE TRIGGER events_stats_delete AFTER DELETE ON public.events REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION public.events_stats_trigger();


--
-- Name: events events_stats_insert; Type: TRIGGER; Schema: public; Owner: -
--

CREATE TRIGGER events_stats_insert AFTER INSERT ON public.events REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION public.events_stats_trigger();


--
-- Name: events events_stats_update; Type: TRIGGER; Schema: public; Owner: -
--

CREATE TRIGGER events_stats_update AFTER UPDATE ON public.events REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION public.events_stats_trigger();


--
-- Name: grids grids_population_changed; Type: TRIGGER; Schema: public; Owner: -
--

CREATE TRIGGER grids_population_changed AFTER UPDATE OF population, geom ON public.grids FOR EACH STATEMENT EXECUTE FUNCTION public.chem_recompute_trigger();


--
-- Name: address_points address_points_grid_code_fkey; Type: FK CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.address_points
    ADD CONSTRAINT address_points_grid_code_fkey FOREIGN KEY (grid_code) REFERENCES public.grids(code);


--
-- Name: address_points address_points_road_code_fkey; Type: FK CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.address_points
    ADD CONSTRAINT address_points_road_code_fkey FOREIGN KEY (road_code) REFERENCES public.address_roads(code) ON DELETE CASCADE;


--
-- Name: address_review address_review_event_id_fkey; Type: FK CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.address_review
    ADD CONSTRAINT address_review_event_id_fkey FOREIGN KEY (event_id) REFERENCES public.events(id);


--
-- Name: api_tokens api_tokens_staff_id_fkey; Type: FK CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.api_tokens
    ADD CONSTRAINT api_tokens_staff_id_fkey FOREIGN KEY (staff_id) REFERENCES public.staff(id);


--
-- Name: app_sessions app_sessions_username_fkey; Type: FK CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.app_sessions
    ADD CONSTRAINT app_sessions_username_fkey FOREIGN KEY (username) REFERENCES public.app_users(username) ON UPDATE CASCADE;


--
-- Name: assistance_households assistance_households_class_code_fkey; Type: FK CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.assistance_households
    ADD CONSTRAINT assistance_households_class_code_fkey FOREIGN KEY (class_code) REFERENCES public.assistance_classes(code);


--
-- Name: checkins checkins_grid_code_fkey; Type: FK CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.checkins
    ADD CONSTRAINT checkins_grid_code_fkey FOREIGN KEY (grid_code) REFERENCES public.grids(code);


--
-- Name: checkins checkins_staff_id_fkey; Type: FK CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.checkins
    ADD CONSTRAINT checkins_staff_id_fkey FOREIGN KEY (staff_id) REFERENCES public.staff(id);


--
-- Name: chem_inventory chem_inventory_cas_fkey; Type: FK CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.chem_inventory
    ADD CONSTRAINT chem_inventory_cas_fkey FOREIGN KEY (cas) REFERENCES public.chemicals(cas);


--
-- Name: chem_inventory chem_inventory_site_id_fkey; Type: FK CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.chem_inventory
    ADD CONSTRAINT chem_inventory_site_id_fkey FOREIGN KEY (site_id) REFERENCES public.chem_sites(id) ON DELETE CASCADE;


--
-- Name: chem_sites chem_sites_grid_code_fkey; Type: FK CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.chem_sites
    ADD CONSTRAINT chem_sites_grid_code_fkey FOREIGN KEY (grid_code) REFERENCES public.grids(code);


--
-- Name: collection_items collection_items_department_code_fkey; Type: FK CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.collection_items
    ADD CONSTRAINT collection_items_department_code_fkey FOREIGN KEY (department_code) REFERENCES public.departments(code);


--
-- Name: collection_records collection_records_grid_code_fkey; Type: FK CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.collection_records
    ADD CONSTRAINT collection_records_grid_code_fkey FOREIGN KEY (grid_code) REFERENCES public.grids(code);


--
-- Name: collection_records collection_records_item_code_fkey; Type: FK CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.collection_records
    ADD CONSTRAINT collection_records_item_code_fkey FOREIGN KEY (item_code) REFERENCES public.collection_items(code);


--
-- Name: collection_records collection_records_staff_id_fkey; Type: FK CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.collection_records
    ADD CONSTRAINT collection_records_staff_id_fkey FOREIGN KEY (staff_id) REFERENCES public.staff(id);


--
-- Name: early_warnings early_warnings_grid_code_fkey; Type: FK CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.early_warnings
    ADD CONSTRAINT early_warnings_grid_code_fkey FOREIGN KEY (grid_code) REFERENCES public.grids(code);


--
-- Name: emergency_resources emergency_resources_grid_code_fkey; Type: FK CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.emergency_resources
    ADD CONSTRAINT emergency_resources_grid_code_fkey FOREIGN KEY (grid_code) REFERENCES public.grids(code);


--
-- Name: enterprise_inspections enterprise_inspections_enterprise_id_fkey; Type: FK CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.enterprise_inspections
    ADD CONSTRAINT enterprise_inspections_enterprise_id_fkey FOREIGN KEY (enterprise_id) REFERENCES public.supervised_enterprises(id);


--
-- Name: event_categories event_categories_department_code_fkey; Type: FK CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.event_categories
    ADD CONSTRAINT event_categories_department_code_fkey FOREIGN KEY (department_code) REFERENCES public.departments(code);


--
-- Name: event_categories event_categories_team_code_fkey; Type: FK CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.event_categories
    ADD CONSTRAINT event_categories_team_code_fkey FOREIGN KEY (team_code) REFERENCES public.enforcement_teams(code);


--
-- Name: event_log event_log_event_id_fkey; Type: FK CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.event_log
    ADD CONSTRAINT event_log_event_id_fkey FOREIGN KEY (event_id) REFERENCES public.events(id);


--
-- Name: event_photos event_photos_event_id_fkey; Type: FK CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.event_photos
    ADD CONSTRAINT event_photos_event_id_fkey FOREIGN KEY (event_id) REFERENCES public.events(id);


--
-- Name: event_urges event_urges_event_id_fkey; Type: FK CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.event_urges
    ADD CONSTRAINT event_urges_event_id_fkey FOREIGN KEY (event_id) REFERENCES public.events(id);


--
-- Name: events events_assignee_department_fkey; Type: FK CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.events
    ADD CONSTRAINT events_assignee_department_fkey FOREIGN KEY (assignee_department) REFERENCES public.departments(code);


--
-- Name: events events_assignee_staff_id_fkey; Type: FK CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.events
    ADD CONSTRAINT events_assignee_staff_id_fkey FOREIGN KEY (assignee_staff_id) REFERENCES public.staff(id);


--
-- Name: events events_assignee_team_fkey; Type: FK CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.events
    ADD CONSTRAINT events_assignee_team_fkey FOREIGN KEY (assignee_team) REFERENCES public.enforcement_teams(code);


--
-- Name: events events_category_code_fkey; Type: FK CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.events
    ADD CONSTRAINT events_category_code_fkey FOREIGN KEY (category_code) REFERENCES public.event_categories(code);


--
-- Name: events events_grid_code_fkey; Type: FK CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.events
    ADD CONSTRAINT events_grid_code_fkey FOREIGN KEY (grid_code) REFERENCES public.grids(code);


--
-- Name: events events_reporter_staff_id_fkey; Type: FK CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.events
    ADD CONSTRAINT events_reporter_staff_id_fkey FOREIGN KEY (reporter_staff_id) REFERENCES public.staff(id);


--
-- Name: grid_base_counts grid_base_counts_category_code_fkey; Type: FK CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.grid_base_counts
    ADD CONSTRAINT grid_base_counts_category_code_fkey FOREIGN KEY (category_code) REFERENCES public.base_categories(code);


--
-- Name: grid_base_counts grid_base_counts_grid_code_fkey; Type: FK CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.grid_base_counts
    ADD CONSTRAINT grid_base_counts_grid_code_fkey FOREIGN KEY (grid_code) REFERENCES public.grids(code);


--
-- Name: grids grids_parent_code_parent_level_fkey; Type: FK CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.grids
    ADD CONSTRAINT grids_parent_code_parent_level_fkey FOREIGN KEY (parent_code, parent_level) REFERENCES public.grids(code, level);


--
-- Name: incident_zones incident_zones_event_id_fkey; Type: FK CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.incident_zones
    ADD CONSTRAINT incident_zones_event_id_fkey FOREIGN KEY (event_id) REFERENCES public.events(id);


--
-- Name: notifications notifications_event_id_fkey; Type: FK CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.notifications
    ADD CONSTRAINT notifications_event_id_fkey FOREIGN KEY (event_id) REFERENCES public.events(id);


--
-- Name: notifications notifications_outbox_id_fkey; Type: FK CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.notifications
    ADD CONSTRAINT notifications_outbox_id_fkey FOREIGN KEY (outbox_id) REFERENCES public.outbox(id);


--
-- Name: notifications notifications_staff_id_fkey; Type: FK CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.notifications
    ADD CONSTRAINT notifications_staff_id_fkey FOREIGN KEY (staff_id) REFERENCES public.staff(id);


--
-- Name: outbox outbox_event_id_fkey; Type: FK CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.outbox
    ADD CONSTRAINT outbox_event_id_fkey FOREIGN KEY (event_id) REFERENCES public.events(id);


--
-- Name: outbox outbox_staff_id_fkey; Type: FK CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.outbox
    ADD CONSTRAINT outbox_staff_id_fkey FOREIGN KEY (staff_id) REFERENCES public.staff(id);


--
-- Name: patrol_checks patrol_checks_event_id_fkey; Type: FK CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.patrol_checks
    ADD CONSTRAINT patrol_checks_event_id_fkey FOREIGN KEY (event_id) REFERENCES public.events(id);


--
-- Name: patrol_checks patrol_checks_grid_code_fkey; Type: FK CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.patrol_checks
    ADD CONSTRAINT patrol_checks_grid_code_fkey FOREIGN KEY (grid_code) REFERENCES public.grids(code);


--
-- Name: patrol_checks patrol_checks_item_code_fkey; Type: FK CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.patrol_checks
    ADD CONSTRAINT patrol_checks_item_code_fkey FOREIGN KEY (item_code) REFERENCES public.patrol_items(code);


--
-- Name: patrol_checks patrol_checks_staff_id_fkey; Type: FK CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.patrol_checks
    ADD CONSTRAINT patrol_checks_staff_id_fkey FOREIGN KEY (staff_id) REFERENCES public.staff(id);


--
-- Name: patrol_items patrol_items_event_category_code_fkey; Type: FK CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.patrol_items
    ADD CONSTRAINT patrol_items_event_category_code_fkey FOREIGN KEY (event_category_code) REFERENCES public.event_categories(code);


--
-- Name: service_points service_points_grid_code_fkey; Type: FK CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.service_points
    ADD CONSTRAINT service_points_grid_code_fkey FOREIGN KEY (grid_code) REFERENCES public.grids(code);


--
-- Name: session_handoffs session_handoffs_token_hash_fkey; Type: FK CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.session_handoffs
    ADD CONSTRAINT session_handoffs_token_hash_fkey FOREIGN KEY (token_hash) REFERENCES public.app_sessions(token_hash) ON DELETE CASCADE;


--
-- Name: staff staff_grid_code_fkey; Type: FK CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.staff
    ADD CONSTRAINT staff_grid_code_fkey FOREIGN KEY (grid_code) REFERENCES public.grids(code);


--
-- Name: staff_positions staff_positions_staff_id_fkey; Type: FK CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.staff_positions
    ADD CONSTRAINT staff_positions_staff_id_fkey FOREIGN KEY (staff_id) REFERENCES public.staff(id);


--
-- Name: supervised_enterprises supervised_enterprises_grid_code_fkey; Type: FK CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.supervised_enterprises
    ADD CONSTRAINT supervised_enterprises_grid_code_fkey FOREIGN KEY (grid_code) REFERENCES public.grids(code);


--
-- Name: terminal_accounts terminal_accounts_staff_id_fkey; Type: FK CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.terminal_accounts
    ADD CONSTRAINT terminal_accounts_staff_id_fkey FOREIGN KEY (staff_id) REFERENCES public.staff(id);


--
-- Name: address_points; Type: ROW SECURITY; Schema: public; Owner: -
--

ALTER TABLE public.address_points ENABLE ROW LEVEL SECURITY;

--
-- Name: address_review; Type: ROW SECURITY; Schema: public; Owner: -
--

ALTER TABLE public.address_review ENABLE ROW LEVEL SECURITY;

--
-- Name: address_roads; Type: ROW SECURITY; Schema: public; Owner: -
--

ALTER TABLE public.address_roads ENABLE ROW LEVEL SECURITY;

--
-- Name: address_points admin_insert; Type: POLICY; Schema: public; Owner: -
--

CREATE POLICY admin_insert ON public.address_points FOR INSERT TO jy_app WITH CHECK (( SELECT public.jy_is_admin() AS jy_is_admin));


--
-- Name: address_roads admin_insert; Type: POLICY; Schema: public; Owner: -
--

CREATE POLICY admin_insert ON public.address_roads FOR INSERT TO jy_app WITH CHECK (( SELECT public.jy_is_admin() AS jy_is_admin));


--
-- Name: chem_sites admin_insert; Type: POLICY; Schema: public; Owner: -
--

CREATE POLICY admin_insert ON public.chem_sites AS RESTRICTIVE FOR INSERT TO jy_app WITH CHECK (( SELECT public.jy_is_admin() AS jy_is_admin));


--
-- Name: emergency_resources admin_insert; Type: POLICY; Schema: public; Owner: -
--

CREATE POLICY admin_insert ON public.emergency_resources AS RESTRICTIVE FOR INSERT TO jy_app WITH CHECK (( SELECT public.jy_is_admin() AS jy_is_admin));


--
-- Name: grids admin_insert; Type: POLICY; Schema: public; Owner: -
--

CREATE POLICY admin_insert ON public.grids AS RESTRICTIVE FOR INSERT TO jy_app WITH CHECK (( SELECT public.jy_is_admin() AS jy_is_admin));


--
-- Name: staff admin_insert; Type: POLICY; Schema: public; Owner: -
--

CREATE POLICY admin_insert ON public.staff AS RESTRICTIVE FOR INSERT TO jy_app WITH CHECK (( SELECT public.jy_is_admin() AS jy_is_admin));


--
-- Name: address_points admin_update; Type: POLICY; Schema: public; Owner: -
--

CREATE POLICY admin_update ON public.address_points FOR UPDATE TO jy_app USING (( SELECT public.jy_is_admin() AS jy_is_admin)) WITH CHECK (( SELECT public.jy_is_admin() AS jy_is_admin));


--
-- Name: address_roads admin_update; Type: POLICY; Schema: public; Owner: -
--

CREATE POLICY admin_update ON public.address_roads FOR UPDATE TO jy_app USING (( SELECT public.jy_is_admin() AS jy_is_admin)) WITH CHECK (( SELECT public.jy_is_admin() AS jy_is_admin));


--
-- Name: chem_sites admin_update; Type: POLICY; Schema: public; Owner: -
--

CREATE POLICY admin_update ON public.chem_sites AS RESTRICTIVE FOR UPDATE TO jy_app USING (( SELECT public.jy_is_admin() AS jy_is_admin)) WITH CHECK (( SELECT public.jy_is_admin() AS jy_is_admin));


--
-- Name: emergency_resources admin_update; Type: POLICY; Schema: public; Owner: -
--

CREATE POLICY admin_update ON public.emergency_resources AS RESTRICTIVE FOR UPDATE TO jy_app USING (( SELECT public.jy_is_admin() AS jy_is_admin)) WITH CHECK (( SELECT public.jy_is_admin() AS jy_is_admin));


--
-- Name: grids admin_update; Type: POLICY; Schema: public; Owner: -
--

CREATE POLICY admin_update ON public.grids AS RESTRICTIVE FOR UPDATE TO jy_app USING (( SELECT public.jy_is_admin() AS jy_is_admin)) WITH CHECK (( SELECT public.jy_is_admin() AS jy_is_admin));


--
-- Name: staff admin_update; Type: POLICY; Schema: public; Owner: -
--

CREATE POLICY admin_update ON public.staff AS RESTRICTIVE FOR UPDATE TO jy_app USING (( SELECT public.jy_is_admin() AS jy_is_admin)) WITH CHECK (( SELECT public.jy_is_admin() AS jy_is_admin));


--
-- Name: api_clients; Type: ROW SECURITY; Schema: public; Owner: -
--

ALTER TABLE public.api_clients ENABLE ROW LEVEL SECURITY;

--
-- Name: api_tokens; Type: ROW SECURITY; Schema: public; Owner: -
--

ALTER TABLE public.api_tokens ENABLE ROW LEVEL SECURITY;

--
-- Name: app_users app_admin; Type: POLICY; Schema: public; Owner: -
--

CREATE POLICY app_admin ON public.app_users TO jy_app USING (( SELECT public.jy_is_admin() AS jy_is_admin)) WITH CHECK (( SELECT public.jy_is_admin() AS jy_is_admin));


--
-- Name: address_points app_read; Type: POLICY; Schema: public; Owner: -
--

CREATE POLICY app_read ON public.address_points FOR SELECT TO jy_app USING ((( SELECT public.jy_effective_scope() AS jy_effective_scope) IS NOT NULL));


--
-- Name: address_roads app_read; Type: POLICY; Schema: public; Owner: -
--

CREATE POLICY app_read ON public.address_roads FOR SELECT TO jy_app USING ((( SELECT public.jy_effective_scope() AS jy_effective_scope) IS NOT NULL));


--
-- Name: audit_log app_read; Type: POLICY; Schema: public; Owner: -
--

CREATE POLICY app_read ON public.audit_log FOR SELECT TO jy_app USING (( SELECT public.jy_is_admin() AS jy_is_admin));


--
-- Name: address_review app_scope; Type: POLICY; Schema: public; Owner: -
--

CREATE POLICY app_scope ON public.address_review TO jy_app USING (((( SELECT public.jy_ctx('scope'::text) AS jy_ctx) = 'city'::text) OR (town_code = ( SELECT
        CASE
            WHEN (public.jy_ctx('scope'::text) = 'town'::text) THEN public.jy_ctx('town'::text)
            ELSE NULL::text
        END AS "case")) OR (village_code = ( SELECT
        CASE
            WHEN (public.jy_ctx('scope'::text) = 'village'::text) THEN public.jy_ctx('village'::text)
            ELSE NULL::text
        END AS "case")))) WITH CHECK (((( SELECT public.jy_ctx('scope'::text) AS jy_ctx) = 'city'::text) OR (town_code = ( SELECT
        CASE
            WHEN (public.jy_ctx('scope'::text) = 'town'::text) THEN public.jy_ctx('town'::text)
            ELSE NULL::text
        END AS "case")) OR (village_code = ( SELECT
        CASE
            WHEN (public.jy_ctx('scope'::text) = 'village'::text) THEN public.jy_ctx('village'::text)
            ELSE NULL::text
        END AS "case"))));


--
-- Name: assistance_households app_scope; Type: POLICY; Schema: public; Owner: -
--

CREATE POLICY app_scope ON public.assistance_households FOR SELECT TO jy_app USING ((( SELECT public.jy_sees_assistance() AS jy_sees_assistance) AND ((( SELECT public.jy_ctx('scope'::text) AS jy_ctx) = 'city'::text) OR (town_code = ( SELECT
        CASE
            WHEN (public.jy_ctx('scope'::text) = 'town'::text) THEN public.jy_ctx('town'::text)
            ELSE NULL::text
        END AS "case")) OR (village_code = ( SELECT
        CASE
            WHEN (public.jy_ctx('scope'::text) = 'village'::text) THEN public.jy_ctx('village'::text)
            ELSE NULL::text
        END AS "case")))));


--
-- Name: checkins app_scope; Type: POLICY; Schema: public; Owner: -
--

CREATE POLICY app_scope ON public.checkins TO jy_app USING (((( SELECT public.jy_ctx('scope'::text) AS jy_ctx) = 'city'::text) OR (town_code = ( SELECT
        CASE
            WHEN (public.jy_ctx('scope'::text) = 'town'::text) THEN public.jy_ctx('town'::text)
            ELSE NULL::text
        END AS "case")) OR (village_code = ( SELECT
        CASE
            WHEN (public.jy_ctx('scope'::text) = 'village'::text) THEN public.jy_ctx('village'::text)
            ELSE NULL::text
        END AS "case")))) WITH CHECK (((( SELECT public.jy_ctx('scope'::text) AS jy_ctx) = 'city'::text) OR (town_code = ( SELECT
        CASE
            WHEN (public.jy_ctx('scope'::text) = 'town'::text) THEN public.jy_ctx('town'::text)
            ELSE NULL::text
        END AS "case")) OR (village_code = ( SELECT
        CASE
            WHEN (public.jy_ctx('scope'::text) = 'village'::text) THEN public.jy_ctx('village'::text)
            ELSE NULL::text
        END AS "case"))));


--
-- Name: chem_inventory app_scope; Type: POLICY; Schema: public; Owner: -
--

CREATE POLICY app_scope ON public.chem_inventory TO jy_app USING (((( SELECT public.jy_ctx('scope'::text) AS jy_ctx) = 'city'::text) OR (EXISTS ( SELECT 1
   FROM public.chem_sites s
  WHERE (s.id = chem_inventory.site_id))))) WITH CHECK (((( SELECT public.jy_ctx('scope'::text) AS jy_ctx) = 'city'::text) OR (EXISTS ( SELECT 1
   FROM public.chem_sites s
  WHERE (s.id = chem_inventory.site_id)))));


--
-- Name: chem_sites app_scope; Type: POLICY; Schema: public; Owner: -
--

CREATE POLICY app_scope ON public.chem_sites TO jy_app USING (((( SELECT public.jy_ctx('scope'::text) AS jy_ctx) = 'city'::text) OR (town_code = ( SELECT
        CASE
            WHEN (public.jy_ctx('scope'::text) = 'town'::text) THEN public.jy_ctx('town'::text)
            ELSE NULL::text
        END AS "case")))) WITH CHECK (((( SELECT public.jy_ctx('scope'::text) AS jy_ctx) = 'city'::text) OR (town_code = ( SELECT
        CASE
            WHEN (public.jy_ctx('scope'::text) = 'town'::text) THEN public.jy_ctx('town'::text)
            ELSE NULL::text
        END AS "case"))));


--
-- Name: collection_records app_scope; Type: POLICY; Schema: public; Owner: -
--

CREATE POLICY app_scope ON public.collection_records TO jy_app USING (((( SELECT public.jy_ctx('scope'::text) AS jy_ctx) = 'city'::text) OR (town_code = ( SELECT
        CASE
            WHEN (public.jy_ctx('scope'::text) = 'town'::text) THEN public.jy_ctx('town'::text)
            ELSE NULL::text
        END AS "case")) OR (village_code = ( SELECT
        CASE
            WHEN (public.jy_ctx('scope'::text) = 'village'::text) THEN public.jy_ctx('village'::text)
            ELSE NULL::text
        END AS "case")))) WITH CHECK (((( SELECT public.jy_ctx('scope'::text) AS jy_ctx) = 'city'::text) OR (town_code = ( SELECT
        CASE
            WHEN (public.jy_ctx('scope'::text) = 'town'::text) THEN public.jy_ctx('town'::text)
            ELSE NULL::text
        END AS "case")) OR (village_code = ( SELECT
        CASE
            WHEN (public.jy_ctx('scope'::text) = 'village'::text) THEN public.jy_ctx('village'::text)
            ELSE NULL::text
        END AS "case"))));


--
-- Name: early_warnings app_scope; Type: POLICY; Schema: public; Owner: -
--

CREATE POLICY app_scope ON public.early_warnings FOR SELECT TO jy_app USING (((( SELECT public.jy_ctx('scope'::text) AS jy_ctx) = 'city'::text) OR (town_code = ( SELECT
        CASE
            WHEN (public.jy_ctx('scope'::text) = 'town'::text) THEN public.jy_ctx('town'::text)
            ELSE NULL::text
        END AS "case")) OR (village_code = ( SELECT
        CASE
            WHEN (public.jy_ctx('scope'::text) = 'village'::text) THEN public.jy_ctx('village'::text)
            ELSE NULL::text
        END AS "case"))));


--
-- Name: emergency_resources app_scope; Type: POLICY; Schema: public; Owner: -
--

CREATE POLICY app_scope ON public.emergency_resources TO jy_app USING (((( SELECT public.jy_ctx('scope'::text) AS jy_ctx) = 'city'::text) OR (town_code = ( SELECT
        CASE
            WHEN (public.jy_ctx('scope'::text) = 'town'::text) THEN public.jy_ctx('town'::text)
            ELSE NULL::text
        END AS "case")))) WITH CHECK (((( SELECT public.jy_ctx('scope'::text) AS jy_ctx) = 'city'::text) OR (town_code = ( SELECT
        CASE
            WHEN (public.jy_ctx('scope'::text) = 'town'::text) THEN public.jy_ctx('town'::text)
            ELSE NULL::text
        END AS "case"))));


--
-- Name: enterprise_inspections app_scope; Type: POLICY; Schema: public; Owner: -
--

CREATE POLICY app_scope ON public.enterprise_inspections FOR SELECT TO jy_app USING (((( SELECT public.jy_ctx('scope'::text) AS jy_ctx) = 'city'::text) OR (EXISTS ( SELECT 1
   FROM public.supervised_enterprises s
  WHERE (s.id = enterprise_inspections.enterprise_id)))));


--
-- Name: event_log app_scope; Type: POLICY; Schema: public; Owner: -
--

CREATE POLICY app_scope ON public.event_log TO jy_app USING (((( SELECT public.jy_ctx('scope'::text) AS jy_ctx) = 'city'::text) OR (EXISTS ( SELECT 1
   FROM public.events e
  WHERE (e.id = event_log.event_id))))) WITH CHECK (((( SELECT public.jy_ctx('scope'::text) AS jy_ctx) = 'city'::text) OR (EXISTS ( SELECT 1
   FROM public.events e
  WHERE (e.id = event_log.event_id)))));


--
-- Name: event_photos app_scope; Type: POLICY; Schema: public; Owner: -
--

CREATE POLICY app_scope ON public.event_photos TO jy_app USING (((( SELECT public.jy_ctx('scope'::text) AS jy_ctx) = 'city'::text) OR (EXISTS ( SELECT 1
   FROM public.events e
  WHERE (e.id = event_photos.event_id))))) WITH CHECK (((( SELECT public.jy_ctx('scope'::text) AS jy_ctx) = 'city'::text) OR (EXISTS ( SELECT 1
   FROM public.events e
  WHERE (e.id = event_photos.event_id)))));


--
-- Name: event_urges app_scope; Type: POLICY; Schema: public; Owner: -
--

CREATE POLICY app_scope ON public.event_urges TO jy_app USING (((( SELECT public.jy_ctx('scope'::text) AS jy_ctx) = 'city'::text) OR (town_code = ( SELECT
        CASE
            WHEN (public.jy_ctx('scope'::text) = 'town'::text) THEN public.jy_ctx('town'::text)
            ELSE NULL::text
        END AS "case")) OR (village_code = ( SELECT
        CASE
            WHEN (public.jy_ctx('scope'::text) = 'village'::text) THEN public.jy_ctx('village'::text)
            ELSE NULL::text
        END AS "case")))) WITH CHECK (((( SELECT public.jy_ctx('scope'::text) AS jy_ctx) = 'city'::text) OR (town_code = ( SELECT
        CASE
            WHEN (public.jy_ctx('scope'::text) = 'town'::text) THEN public.jy_ctx('town'::text)
            ELSE NULL::text
        END AS "case")) OR (village_code = ( SELECT
        CASE
            WHEN (public.jy_ctx('scope'::text) = 'village'::text) THEN public.jy_ctx('village'::text)
            ELSE NULL::text
        END AS "case"))));


--
-- Name: events app_scope; Type: POLICY; Schema: public; Owner: -
--

CREATE POLICY app_scope ON public.events TO jy_app USING (((( SELECT public.jy_ctx('scope'::text) AS jy_ctx) = 'city'::text) OR (town_code = ( SELECT
        CASE
            WHEN (public.jy_ctx('scope'::text) = 'town'::text) THEN public.jy_ctx('town'::text)
            ELSE NULL::text
        END AS "case")) OR (village_code = ( SELECT
        CASE
            WHEN (public.jy_ctx('scope'::text) = 'village'::text) THEN public.jy_ctx('village'::text)
            ELSE NULL::text
        END AS "case")))) WITH CHECK (((( SELECT public.jy_ctx('scope'::text) AS jy_ctx) = 'city'::text) OR (town_code = ( SELECT
        CASE
            WHEN (public.jy_ctx('scope'::text) = 'town'::text) THEN public.jy_ctx('town'::text)
            ELSE NULL::text
        END AS "case")) OR (village_code = ( SELECT
        CASE
            WHEN (public.jy_ctx('scope'::text) = 'village'::text) THEN public.jy_ctx('village'::text)
            ELSE NULL::text
        END AS "case"))));


--
-- Name: grid_base_counts app_scope; Type: POLICY; Schema: public; Owner: -
--

CREATE POLICY app_scope ON public.grid_base_counts FOR SELECT TO jy_app USING (((( SELECT public.jy_ctx('scope'::text) AS jy_ctx) = 'city'::text) OR (town_code = ( SELECT
        CASE
            WHEN (public.jy_ctx('scope'::text) = 'town'::text) THEN public.jy_ctx('town'::text)
            ELSE NULL::text
        END AS "case")) OR (village_code = ( SELECT
        CASE
            WHEN (public.jy_ctx('scope'::text) = 'village'::text) THEN public.jy_ctx('village'::text)
            ELSE NULL::text
        END AS "case"))));


--
-- Name: grids app_scope; Type: POLICY; Schema: public; Owner: -
--

CREATE POLICY app_scope ON public.grids TO jy_app USING (((( SELECT public.jy_ctx('scope'::text) AS jy_ctx) = 'city'::text) OR (town_code = ( SELECT
        CASE
            WHEN (public.jy_ctx('scope'::text) = 'town'::text) THEN public.jy_ctx('town'::text)
            ELSE NULL::text
        END AS "case")) OR (village_code = ( SELECT
        CASE
            WHEN (public.jy_ctx('scope'::text) = 'village'::text) THEN public.jy_ctx('village'::text)
            ELSE NULL::text
        END AS "case")) OR ((level = 1) AND (town_code = ( SELECT public.jy_ctx('town'::text) AS jy_ctx))))) WITH CHECK (((( SELECT public.jy_ctx('scope'::text) AS jy_ctx) = 'city'::text) OR (town_code = ( SELECT
        CASE
            WHEN (public.jy_ctx('scope'::text) = 'town'::text) THEN public.jy_ctx('town'::text)
            ELSE NULL::text
        END AS "case")) OR (village_code = ( SELECT
        CASE
            WHEN (public.jy_ctx('scope'::text) = 'village'::text) THEN public.jy_ctx('village'::text)
            ELSE NULL::text
        END AS "case")) OR ((level = 1) AND (town_code = ( SELECT public.jy_ctx('town'::text) AS jy_ctx)))));


--
-- Name: incident_zones app_scope; Type: POLICY; Schema: public; Owner: -
--

CREATE POLICY app_scope ON public.incident_zones TO jy_app USING ((EXISTS ( SELECT 1
   FROM public.events e
  WHERE (e.id = incident_zones.event_id)))) WITH CHECK ((EXISTS ( SELECT 1
   FROM public.events e
  WHERE (e.id = incident_zones.event_id))));


--
-- Name: mutual_aid_villages app_scope; Type: POLICY; Schema: public; Owner: -
--

CREATE POLICY app_scope ON public.mutual_aid_villages FOR SELECT TO jy_app USING (((( SELECT public.jy_ctx('scope'::text) AS jy_ctx) = 'city'::text) OR (town_code = ( SELECT
        CASE
            WHEN (public.jy_ctx('scope'::text) = 'town'::text) THEN public.jy_ctx('town'::text)
            ELSE NULL::text
        END AS "case")) OR (village_code = ( SELECT
        CASE
            WHEN (public.jy_ctx('scope'::text) = 'village'::text) THEN public.jy_ctx('village'::text)
            ELSE NULL::text
        END AS "case"))));


--
-- Name: notifications app_scope; Type: POLICY; Schema: public; Owner: -
--

CREATE POLICY app_scope ON public.notifications TO jy_app USING (((( SELECT public.jy_ctx('scope'::text) AS jy_ctx) = 'city'::text) OR (town_code = ( SELECT
        CASE
            WHEN (public.jy_ctx('scope'::text) = 'town'::text) THEN public.jy_ctx('town'::text)
            ELSE NULL::text
        END AS "case")) OR (village_code = ( SELECT
        CASE
            WHEN (public.jy_ctx('scope'::text) = 'village'::text) THEN public.jy_ctx('village'::text)
            ELSE NULL::text
        END AS "case")))) WITH CHECK (((( SELECT public.jy_ctx('scope'::text) AS jy_ctx) = 'city'::text) OR (town_code = ( SELECT
        CASE
            WHEN (public.jy_ctx('scope'::text) = 'town'::text) THEN public.jy_ctx('town'::text)
            ELSE NULL::text
        END AS "case")) OR (village_code = ( SELECT
        CASE
            WHEN (public.jy_ctx('scope'::text) = 'village'::text) THEN public.jy_ctx('village'::text)
            ELSE NULL::text
        END AS "case"))));


--
-- Name: outbox app_scope; Type: POLICY; Schema: public; Owner: -
--

CREATE POLICY app_scope ON public.outbox TO jy_app USING (((( SELECT public.jy_ctx('scope'::text) AS jy_ctx) = 'city'::text) OR (town_code = ( SELECT
        CASE
            WHEN (public.jy_ctx('scope'::text) = 'town'::text) THEN public.jy_ctx('town'::text)
            ELSE NULL::text
        END AS "case")) OR (village_code = ( SELECT
        CASE
            WHEN (public.jy_ctx('scope'::text) = 'village'::text) THEN public.jy_ctx('village'::text)
            ELSE NULL::text
        END AS "case")))) WITH CHECK (((( SELECT public.jy_ctx('scope'::text) AS jy_ctx) = 'city'::text) OR (town_code = ( SELECT
        CASE
            WHEN (public.jy_ctx('scope'::text) = 'town'::text) THEN public.jy_ctx('town'::text)
            ELSE NULL::text
        END AS "case")) OR (village_code = ( SELECT
        CASE
            WHEN (public.jy_ctx('scope'::text) = 'village'::text) THEN public.jy_ctx('village'::text)
            ELSE NULL::text
        END AS "case"))));


--
-- Name: patrol_checks app_scope; Type: POLICY; Schema: public; Owner: -
--

CREATE POLICY app_scope ON public.patrol_checks TO jy_app USING (((( SELECT public.jy_ctx('scope'::text) AS jy_ctx) = 'city'::text) OR (town_code = ( SELECT
        CASE
            WHEN (public.jy_ctx('scope'::text) = 'town'::text) THEN public.jy_ctx('town'::text)
            ELSE NULL::text
        END AS "case")) OR (village_code = ( SELECT
        CASE
            WHEN (public.jy_ctx('scope'::text) = 'village'::text) THEN public.jy_ctx('village'::text)
            ELSE NULL::text
        END AS "case")))) WITH CHECK (((( SELECT public.jy_ctx('scope'::text) AS jy_ctx) = 'city'::text) OR (town_code = ( SELECT
        CASE
            WHEN (public.jy_ctx('scope'::text) = 'town'::text) THEN public.jy_ctx('town'::text)
            ELSE NULL::text
        END AS "case")) OR (village_code = ( SELECT
        CASE
            WHEN (public.jy_ctx('scope'::text) = 'village'::text) THEN public.jy_ctx('village'::text)
            ELSE NULL::text
        END AS "case"))));


--
-- Name: service_points app_scope; Type: POLICY; Schema: public; Owner: -
--

CREATE POLICY app_scope ON public.service_points FOR SELECT TO jy_app USING (((( SELECT public.jy_ctx('scope'::text) AS jy_ctx) = 'city'::text) OR (town_code = ( SELECT
        CASE
            WHEN (public.jy_ctx('scope'::text) = 'town'::text) THEN public.jy_ctx('town'::text)
            ELSE NULL::text
        END AS "case")) OR (village_code = ( SELECT
        CASE
            WHEN (public.jy_ctx('scope'::text) = 'village'::text) THEN public.jy_ctx('village'::text)
            ELSE NULL::text
        END AS "case"))));


--
-- Name: staff app_scope; Type: POLICY; Schema: public; Owner: -
--

CREATE POLICY app_scope ON public.staff TO jy_app USING (((( SELECT public.jy_ctx('scope'::text) AS jy_ctx) = 'city'::text) OR (town_code = ( SELECT
        CASE
            WHEN (public.jy_ctx('scope'::text) = 'town'::text) THEN public.jy_ctx('town'::text)
            ELSE NULL::text
        END AS "case")) OR (village_code = ( SELECT
        CASE
            WHEN (public.jy_ctx('scope'::text) = 'village'::text) THEN public.jy_ctx('village'::text)
            ELSE NULL::text
        END AS "case")))) WITH CHECK (((( SELECT public.jy_ctx('scope'::text) AS jy_ctx) = 'city'::text) OR (town_code = ( SELECT
        CASE
            WHEN (public.jy_ctx('scope'::text) = 'town'::text) THEN public.jy_ctx('town'::text)
            ELSE NULL::text
        END AS "case")) OR (village_code = ( SELECT
        CASE
            WHEN (public.jy_ctx('scope'::text) = 'village'::text) THEN public.jy_ctx('village'::text)
            ELSE NULL::text
        END AS "case"))));


--
-- Name: staff_positions app_scope; Type: POLICY; Schema: public; Owner: -
--

CREATE POLICY app_scope ON public.staff_positions FOR SELECT TO jy_app USING (((( SELECT public.jy_ctx('scope'::text) AS jy_ctx) = 'city'::text) OR (EXISTS ( SELECT 1
   FROM public.staff s
  WHERE (s.id = staff_positions.staff_id)))));


--
-- Name: stats_category_day app_scope; Type: POLICY; Schema: public; Owner: -
--

CREATE POLICY app_scope ON public.stats_category_day TO jy_app USING (((( SELECT public.jy_ctx('scope'::text) AS jy_ctx) = 'city'::text) OR (town_code = ( SELECT
        CASE
            WHEN (public.jy_ctx('scope'::text) = 'town'::text) THEN public.jy_ctx('town'::text)
            ELSE NULL::text
        END AS "case")))) WITH CHECK (((( SELECT public.jy_ctx('scope'::text) AS jy_ctx) = 'city'::text) OR (town_code = ( SELECT
        CASE
            WHEN (public.jy_ctx('scope'::text) = 'town'::text) THEN public.jy_ctx('town'::text)
            ELSE NULL::text
        END AS "case"))));


--
-- Name: stats_cell_day app_scope; Type: POLICY; Schema: public; Owner: -
--

CREATE POLICY app_scope ON public.stats_cell_day TO jy_app USING (((( SELECT public.jy_ctx('scope'::text) AS jy_ctx) = 'city'::text) OR (town_code = ( SELECT
        CASE
            WHEN (public.jy_ctx('scope'::text) = 'town'::text) THEN public.jy_ctx('town'::text)
            ELSE NULL::text
        END AS "case")))) WITH CHECK (((( SELECT public.jy_ctx('scope'::text) AS jy_ctx) = 'city'::text) OR (town_code = ( SELECT
        CASE
            WHEN (public.jy_ctx('scope'::text) = 'town'::text) THEN public.jy_ctx('town'::text)
            ELSE NULL::text
        END AS "case"))));


--
-- Name: stats_grid_day app_scope; Type: POLICY; Schema: public; Owner: -
--

CREATE POLICY app_scope ON public.stats_grid_day TO jy_app USING (((( SELECT public.jy_ctx('scope'::text) AS jy_ctx) = 'city'::text) OR (town_code = ( SELECT
        CASE
            WHEN (public.jy_ctx('scope'::text) = 'town'::text) THEN public.jy_ctx('town'::text)
            ELSE NULL::text
        END AS "case")) OR (village_code = ( SELECT
        CASE
            WHEN (public.jy_ctx('scope'::text) = 'village'::text) THEN public.jy_ctx('village'::text)
            ELSE NULL::text
        END AS "case")))) WITH CHECK (((( SELECT public.jy_ctx('scope'::text) AS jy_ctx) = 'city'::text) OR (town_code = ( SELECT
        CASE
            WHEN (public.jy_ctx('scope'::text) = 'town'::text) THEN public.jy_ctx('town'::text)
            ELSE NULL::text
        END AS "case")) OR (village_code = ( SELECT
        CASE
            WHEN (public.jy_ctx('scope'::text) = 'village'::text) THEN public.jy_ctx('village'::text)
            ELSE NULL::text
        END AS "case"))));


--
-- Name: stats_village_day app_scope; Type: POLICY; Schema: public; Owner: -
--

CREATE POLICY app_scope ON public.stats_village_day TO jy_app USING (((( SELECT public.jy_ctx('scope'::text) AS jy_ctx) = 'city'::text) OR (town_code = ( SELECT
        CASE
            WHEN (public.jy_ctx('scope'::text) = 'town'::text) THEN public.jy_ctx('town'::text)
            ELSE NULL::text
        END AS "case")) OR (village_code = ( SELECT
        CASE
            WHEN (public.jy_ctx('scope'::text) = 'village'::text) THEN public.jy_ctx('village'::text)
            ELSE NULL::text
        END AS "case")))) WITH CHECK (((( SELECT public.jy_ctx('scope'::text) AS jy_ctx) = 'city'::text) OR (town_code = ( SELECT
        CASE
            WHEN (public.jy_ctx('scope'::text) = 'town'::text) THEN public.jy_ctx('town'::text)
            ELSE NULL::text
        END AS "case")) OR (village_code = ( SELECT
        CASE
            WHEN (public.jy_ctx('scope'::text) = 'village'::text) THEN public.jy_ctx('village'::text)
            ELSE NULL::text
        END AS "case"))));


--
-- Name: supervised_enterprises app_scope; Type: POLICY; Schema: public; Owner: -
--

CREATE POLICY app_scope ON public.supervised_enterprises FOR SELECT TO jy_app USING (((( SELECT public.jy_ctx('scope'::text) AS jy_ctx) = 'city'::text) OR (town_code = ( SELECT
        CASE
            WHEN (public.jy_ctx('scope'::text) = 'town'::text) THEN public.jy_ctx('town'::text)
            ELSE NULL::text
        END AS "case")) OR (village_code = ( SELECT
        CASE
            WHEN (public.jy_ctx('scope'::text) = 'village'::text) THEN public.jy_ctx('village'::text)
            ELSE NULL::text
        END AS "case"))));


--
-- Name: app_users app_self; Type: POLICY; Schema: public; Owner: -
--

CREATE POLICY app_self ON public.app_users FOR SELECT TO jy_app USING ((username = public.jy_ctx('user'::text)));


--
-- Name: app_sessions; Type: ROW SECURITY; Schema: public; Owner: -
--

ALTER TABLE public.app_sessions ENABLE ROW LEVEL SECURITY;

--
-- Name: app_users; Type: ROW SECURITY; Schema: public; Owner: -
--

ALTER TABLE public.app_users ENABLE ROW LEVEL SECURITY;

--
-- Name: audit_log app_write; Type: POLICY; Schema: public; Owner: -
--

CREATE POLICY app_write ON public.audit_log FOR INSERT TO jy_app WITH CHECK ((username = public.jy_ctx('user'::text)));


--
-- Name: assistance_households; Type: ROW SECURITY; Schema: public; Owner: -
--

ALTER TABLE public.assistance_households ENABLE ROW LEVEL SECURITY;

--
-- Name: audit_log; Type: ROW SECURITY; Schema: public; Owner: -
--

ALTER TABLE public.audit_log ENABLE ROW LEVEL SECURITY;

--
-- Name: checkins; Type: ROW SECURITY; Schema: public; Owner: -
--

ALTER TABLE public.checkins ENABLE ROW LEVEL SECURITY;

--
-- Name: chem_inventory; Type: ROW SECURITY; Schema: public; Owner: -
--

ALTER TABLE public.chem_inventory ENABLE ROW LEVEL SECURITY;

--
-- Name: chem_sites; Type: ROW SECURITY; Schema: public; Owner: -
--

ALTER TABLE public.chem_sites ENABLE ROW LEVEL SECURITY;

--
-- Name: events client_own; Type: POLICY; Schema: public; Owner: -
--

CREATE POLICY client_own ON public.events TO jy_app USING (((( SELECT public.jy_ctx('scope'::text) AS jy_ctx) = 'client'::text) AND (external_source = ( SELECT public.jy_ctx('user'::text) AS jy_ctx)))) WITH CHECK (((( SELECT public.jy_ctx('scope'::text) AS jy_ctx) = 'client'::text) AND (external_source = ( SELECT public.jy_ctx('user'::text) AS jy_ctx))));


--
-- Name: grids client_places; Type: POLICY; Schema: public; Owner: -
--

CREATE POLICY client_places ON public.grids FOR SELECT TO jy_app USING ((( SELECT public.jy_ctx('scope'::text) AS jy_ctx) = 'client'::text));


--
-- Name: collection_records; Type: ROW SECURITY; Schema: public; Owner: -
--

ALTER TABLE public.collection_records ENABLE ROW LEVEL SECURITY;

--
-- Name: early_warnings; Type: ROW SECURITY; Schema: public; Owner: -
--

ALTER TABLE public.early_warnings ENABLE ROW LEVEL SECURITY;

--
-- Name: emergency_resources; Type: ROW SECURITY; Schema: public; Owner: -
--

ALTER TABLE public.emergency_resources ENABLE ROW LEVEL SECURITY;

--
-- Name: enterprise_inspections; Type: ROW SECURITY; Schema: public; Owner: -
--

ALTER TABLE public.enterprise_inspections ENABLE ROW LEVEL SECURITY;

--
-- Name: event_log escalation_job; Type: POLICY; Schema: public; Owner: -
--

CREATE POLICY escalation_job ON public.event_log TO jy_escalate USING (true) WITH CHECK (true);


--
-- Name: events escalation_job; Type: POLICY; Schema: public; Owner: -
--

CREATE POLICY escalation_job ON public.events TO jy_escalate USING (true) WITH CHECK (true);


--
-- Name: event_log; Type: ROW SECURITY; Schema: public; Owner: -
--

ALTER TABLE public.event_log ENABLE ROW LEVEL SECURITY;

--
-- Name: event_photos; Type: ROW SECURITY; Schema: public; Owner: -
--

ALTER TABLE public.event_photos ENABLE ROW LEVEL SECURITY;

--
-- Name: event_urges; Type: ROW SECURITY; Schema: public; Owner: -
--

ALTER TABLE public.event_urges ENABLE ROW LEVEL SECURITY;

--
-- Name: events; Type: ROW SECURITY; Schema: public; Owner: -
--

ALTER TABLE public.events ENABLE ROW LEVEL SECURITY;

--
-- Name: grid_base_counts; Type: ROW SECURITY; Schema: public; Owner: -
--

ALTER TABLE public.grid_base_counts ENABLE ROW LEVEL SECURITY;

--
-- Name: grids; Type: ROW SECURITY; Schema: public; Owner: -
--

ALTER TABLE public.grids ENABLE ROW LEVEL SECURITY;

--
-- Name: incident_zones; Type: ROW SECURITY; Schema: public; Owner: -
--

ALTER TABLE public.incident_zones ENABLE ROW LEVEL SECURITY;

--
-- Name: jy_context_key; Type: ROW SECURITY; Schema: public; Owner: -
--

ALTER TABLE public.jy_context_key ENABLE ROW LEVEL SECURITY;

--
-- Name: login_throttle; Type: ROW SECURITY; Schema: public; Owner: -
--

ALTER TABLE public.login_throttle ENABLE ROW LEVEL SECURITY;

--
-- Name: mutual_aid_villages; Type: ROW SECURITY; Schema: public; Owner: -
--

ALTER TABLE public.mutual_aid_villages ENABLE ROW LEVEL SECURITY;

--
-- Name: notifications; Type: ROW SECURITY; Schema: public; Owner: -
--

ALTER TABLE public.notifications ENABLE ROW LEVEL SECURITY;

--
-- Name: outbox; Type: ROW SECURITY; Schema: public; Owner: -
--

ALTER TABLE public.outbox ENABLE ROW LEVEL SECURITY;

--
-- Name: notifications outbox_job; Type: POLICY; Schema: public; Owner: -
--

CREATE POLICY outbox_job ON public.notifications TO jy_outbox USING (true) WITH CHECK (true);


--
-- Name: outbox outbox_job; Type: POLICY; Schema: public; Owner: -
--

CREATE POLICY outbox_job ON public.outbox TO jy_outbox USING (true) WITH CHECK (true);


--
-- Name: staff outbox_job; Type: POLICY; Schema: public; Owner: -
--

CREATE POLICY outbox_job ON public.staff FOR SELECT TO jy_outbox USING (true);


--
-- Name: address_points owner_all; Type: POLICY; Schema: public; Owner: -
--

CREATE POLICY owner_all ON public.address_points TO CURRENT_USER USING (true) WITH CHECK (true);


--
-- Name: address_review owner_all; Type: POLICY; Schema: public; Owner: -
--

CREATE POLICY owner_all ON public.address_review TO CURRENT_USER USING (true) WITH CHECK (true);


--
-- Name: address_roads owner_all; Type: POLICY; Schema: public; Owner: -
--

CREATE POLICY owner_all ON public.address_roads TO CURRENT_USER USING (true) WITH CHECK (true);


--
-- Name: api_clients owner_all; Type: POLICY; Schema: public; Owner: -
--

CREATE POLICY owner_all ON public.api_clients TO CURRENT_USER USING (true) WITH CHECK (true);


--
-- Name: api_tokens owner_all; Type: POLICY; Schema: public; Owner: -
--

CREATE POLICY owner_all ON public.api_tokens TO CURRENT_USER USING (true) WITH CHECK (true);


--
-- Name: app_sessions owner_all; Type: POLICY; Schema: public; Owner: -
--

CREATE POLICY owner_all ON public.app_sessions TO CURRENT_USER USING (true) WITH CHECK (true);


--
-- Name: app_users owner_all; Type: POLICY; Schema: public; Owner: -
--

CREATE POLICY owner_all ON public.app_users TO CURRENT_USER USING (true) WITH CHECK (true);


--
-- Name: assistance_households owner_all; Type: POLICY; Schema: public; Owner: -
--

CREATE POLICY owner_all ON public.assistance_households TO CURRENT_USER USING (true) WITH CHECK (true);


--
-- Name: audit_log owner_all; Type: POLICY; Schema: public; Owner: -
--

CREATE POLICY owner_all ON public.audit_log TO CURRENT_USER USING (true) WITH CHECK (true);


--
-- Name: checkins owner_all; Type: POLICY; Schema: public; Owner: -
--

CREATE POLICY owner_all ON public.checkins TO CURRENT_USER USING (true) WITH CHECK (true);


--
-- Name: chem_inventory owner_all; Type: POLICY; Schema: public; Owner: -
--

CREATE POLICY owner_all ON public.chem_inventory TO CURRENT_USER USING (true) WITH CHECK (true);


--
-- Name: chem_sites owner_all; Type: POLICY; Schema: public; Owner: -
--

CREATE POLICY owner_all ON public.chem_sites TO CURRENT_USER USING (true) WITH CHECK (true);


--
-- Name: collection_records owner_all; Type: POLICY; Schema: public; Owner: -
--

CREATE POLICY owner_all ON public.collection_records TO CURRENT_USER USING (true) WITH CHECK (true);


--
-- Name: early_warnings owner_all; Type: POLICY; Schema: public; Owner: -
--

CREATE POLICY owner_all ON public.early_warnings TO CURRENT_USER USING (true) WITH CHECK (true);


--
-- Name: emergency_resources owner_all; Type: POLICY; Schema: public; Owner: -
--

CREATE POLICY owner_all ON public.emergency_resources TO CURRENT_USER USING (true) WITH CHECK (true);


--
-- Name: enterprise_inspections owner_all; Type: POLICY; Schema: public; Owner: -
--

CREATE POLICY owner_all ON public.enterprise_inspections TO CURRENT_USER USING (true) WITH CHECK (true);


--
-- Name: event_log owner_all; Type: POLICY; Schema: public; Owner: -
--

CREATE POLICY owner_all ON public.event_log TO CURRENT_USER USING (true) WITH CHECK (true);


--
-- Name: event_photos owner_all; Type: POLICY; Schema: public; Owner: -
--

CREATE POLICY owner_all ON public.event_photos TO CURRENT_USER USING (true) WITH CHECK (true);


--
-- Name: event_urges owner_all; Type: POLICY; Schema: public; Owner: -
--

CREATE POLICY owner_all ON public.event_urges TO CURRENT_USER USING (true) WITH CHECK (true);


--
-- Name: events owner_all; Type: POLICY; Schema: public; Owner: -
--

CREATE POLICY owner_all ON public.events TO CURRENT_USER USING (true) WITH CHECK (true);


--
-- Name: grid_base_counts owner_all; Type: POLICY; Schema: public; Owner: -
--

CREATE POLICY owner_all ON public.grid_base_counts TO CURRENT_USER USING (true) WITH CHECK (true);


--
-- Name: grids owner_all; Type: POLICY; Schema: public; Owner: -
--

CREATE POLICY owner_all ON public.grids TO CURRENT_USER USING (true) WITH CHECK (true);


--
-- Name: incident_zones owner_all; Type: POLICY; Schema: public; Owner: -
--

CREATE POLICY owner_all ON public.incident_zones TO CURRENT_USER USING (true) WITH CHECK (true);


--
-- Name: jy_context_key owner_all; Type: POLICY; Schema: public; Owner: -
--

CREATE POLICY owner_all ON public.jy_context_key TO CURRENT_USER USING (true) WITH CHECK (true);


--
-- Name: login_throttle owner_all; Type: POLICY; Schema: public; Owner: -
--

CREATE POLICY owner_all ON public.login_throttle TO CURRENT_USER USING (true) WITH CHECK (true);


--
-- Name: mutual_aid_villages owner_all; Type: POLICY; Schema: public; Owner: -
--

CREATE POLICY owner_all ON public.mutual_aid_villages TO CURRENT_USER USING (true) WITH CHECK (true);


--
-- Name: notifications owner_all; Type: POLICY; Schema: public; Owner: -
--

CREATE POLICY owner_all ON public.notifications TO CURRENT_USER USING (true) WITH CHECK (true);


--
-- Name: outbox owner_all; Type: POLICY; Schema: public; Owner: -
--

CREATE POLICY owner_all ON public.outbox TO CURRENT_USER USING (true) WITH CHECK (true);


--
-- Name: patrol_checks owner_all; Type: POLICY; Schema: public; Owner: -
--

CREATE POLICY owner_all ON public.patrol_checks TO CURRENT_USER USING (true) WITH CHECK (true);


--
-- Name: service_points owner_all; Type: POLICY; Schema: public; Owner: -
--

CREATE POLICY owner_all ON public.service_points TO CURRENT_USER USING (true) WITH CHECK (true);


--
-- Name: session_handoffs owner_all; Type: POLICY; Schema: public; Owner: -
--

CREATE POLICY owner_all ON public.session_handoffs TO CURRENT_USER USING (true) WITH CHECK (true);


--
-- Name: staff owner_all; Type: POLICY; Schema: public; Owner: -
--

CREATE POLICY owner_all ON public.staff TO CURRENT_USER USING (true) WITH CHECK (true);


--
-- Name: staff_positions owner_all; Type: POLICY; Schema: public; Owner: -
--

CREATE POLICY owner_all ON public.staff_positions TO CURRENT_USER USING (true) WITH CHECK (true);


--
-- Name: stats_category_day owner_all; Type: POLICY; Schema: public; Owner: -
--

CREATE POLICY owner_all ON public.stats_category_day TO CURRENT_USER USING (true) WITH CHECK (true);


--
-- Name: stats_cell_day owner_all; Type: POLICY; Schema: public; Owner: -
--

CREATE POLICY owner_all ON public.stats_cell_day TO CURRENT_USER USING (true) WITH CHECK (true);


--
-- Name: stats_grid_day owner_all; Type: POLICY; Schema: public; Owner: -
--

CREATE POLICY owner_all ON public.stats_grid_day TO CURRENT_USER USING (true) WITH CHECK (true);


--
-- Name: stats_village_day owner_all; Type: POLICY; Schema: public; Owner: -
--

CREATE POLICY owner_all ON public.stats_village_day TO CURRENT_USER USING (true) WITH CHECK (true);


--
-- Name: supervised_enterprises owner_all; Type: POLICY; Schema: public; Owner: -
--

CREATE POLICY owner_all ON public.supervised_enterprises TO CURRENT_USER USING (true) WITH CHECK (true);


--
-- Name: terminal_accounts owner_all; Type: POLICY; Schema: public; Owner: -
--

CREATE POLICY owner_all ON public.terminal_accounts TO CURRENT_USER USING (true) WITH CHECK (true);


--
-- Name: patrol_checks; Type: ROW SECURITY; Schema: public; Owner: -
--

ALTER TABLE public.patrol_checks ENABLE ROW LEVEL SECURITY;

--
-- Name: service_points; Type: ROW SECURITY; Schema: public; Owner: -
--

ALTER TABLE public.service_points ENABLE ROW LEVEL SECURITY;

--
-- Name: session_handoffs; Type: ROW SECURITY; Schema: public; Owner: -
--

ALTER TABLE public.session_handoffs ENABLE ROW LEVEL SECURITY;

--
-- Name: staff; Type: ROW SECURITY; Schema: public; Owner: -
--

ALTER TABLE public.staff ENABLE ROW LEVEL SECURITY;

--
-- Name: staff_positions; Type: ROW SECURITY; Schema: public; Owner: -
--

ALTER TABLE public.staff_positions ENABLE ROW LEVEL SECURITY;

--
-- Name: stats_category_day; Type: ROW SECURITY; Schema: public; Owner: -
--

ALTER TABLE public.stats_category_day ENABLE ROW LEVEL SECURITY;

--
-- Name: stats_cell_day; Type: ROW SECURITY; Schema: public; Owner: -
--

ALTER TABLE public.stats_cell_day ENABLE ROW LEVEL SECURITY;

--
-- Name: stats_grid_day; Type: ROW SECURITY; Schema: public; Owner: -
--

ALTER TABLE public.stats_grid_day ENABLE ROW LEVEL SECURITY;

--
-- Name: stats_village_day; Type: ROW SECURITY; Schema: public; Owner: -
--

ALTER TABLE public.stats_village_day ENABLE ROW LEVEL SECURITY;

--
-- Name: supervised_enterprises; Type: ROW SECURITY; Schema: public; Owner: -
--

ALTER TABLE public.supervised_enterprises ENABLE ROW LEVEL SECURITY;

--
-- Name: terminal_accounts; Type: ROW SECURITY; Schema: public; Owner: -
--

ALTER TABLE public.terminal_accounts ENABLE ROW LEVEL SECURITY;

--
-- Name: early_warnings warning_job; Type: POLICY; Schema: public; Owner: -
--

CREATE POLICY warning_job ON public.early_warnings TO jy_warn USING (true) WITH CHECK (true);


--
-- Name: events warning_job; Type: POLICY; Schema: public; Owner: -
--

CREATE POLICY warning_job ON public.events FOR SELECT TO jy_warn USING (true);


--
-- Name: grids warning_job; Type: POLICY; Schema: public; Owner: -
--

CREATE POLICY warning_job ON public.grids FOR SELECT TO jy_warn USING (true);


--
-- Name: SCHEMA public; Type: ACL; Schema: -; Owner: -
--

GRANT USAGE ON SCHEMA public TO jy_app;
GRANT USAGE ON SCHEMA public TO jy_outbox;
GRANT USAGE ON SCHEMA public TO jy_auth;
GRANT USAGE ON SCHEMA public TO jy_escalate;
GRANT USAGE ON SCHEMA public TO jy_warn;


--
-- Name: FUNCTION pg_wal_replay_pause(); Type: ACL; Schema: pg_catalog; Owner: -
--

GRANT ALL ON FUNCTION pg_catalog.pg_wal_replay_pause() TO CURRENT_USER;


--
-- Name: FUNCTION pg_wal_replay_resume(); Type: ACL; Schema: pg_catalog; Owner: -
--

GRANT ALL ON FUNCTION pg_catalog.pg_wal_replay_resume() TO CURRENT_USER;


--
-- Name: FUNCTION audit_log_chain(); Type: ACL; Schema: public; Owner: -
--

REVOKE ALL ON FUNCTION public.audit_log_chain() FROM PUBLIC;


--
-- Name: FUNCTION audit_log_from_session(); Type: ACL; Schema: public; Owner: -
--

REVOKE ALL ON FUNCTION public.audit_log_from_session() FROM PUBLIC;


--
-- Name: FUNCTION chem_recompute(ids bigint[]); Type: ACL; Schema: public; Owner: -
--

REVOKE ALL ON FUNCTION public.chem_recompute(ids bigint[]) FROM PUBLIC;


--
-- Name: FUNCTION chem_recompute_trigger(); Type: ACL; Schema: public; Owner: -
--

REVOKE ALL ON FUNCTION public.chem_recompute_trigger() FROM PUBLIC;


--
-- Name: FUNCTION event_log_append_only(); Type: ACL; Schema: public; Owner: -
--

REVOKE ALL ON FUNCTION public.event_log_append_only() FROM PUBLIC;


--
-- Name: FUNCTION event_log_apply(); Type: ACL; Schema: public; Owner: -
--

REVOKE ALL ON FUNCTION public.event_log_apply() FROM PUBLIC;


--
-- Name: FUNCTION event_log_check(); Type: ACL; Schema: public; Owner: -
--

REVOKE ALL ON FUNCTION public.event_log_check() FROM PUBLIC;


--
-- Name: FUNCTION event_log_from_session(); Type: ACL; Schema: public; Owner: -
--

REVOKE ALL ON FUNCTION public.event_log_from_session() FROM PUBLIC;


--
-- Name: FUNCTION events_before_insert(); Type: ACL; Schema: public; Owner: -
--

REVOKE ALL ON FUNCTION public.events_before_insert() FROM PUBLIC;


--
-- Name: FUNCTION events_guard_status(); Type: ACL; Schema: public; Owner: -
--

REVOKE ALL ON FUNCTION public.events_guard_status() FROM PUBLIC;


--
-- Name: FUNCTION events_replay_log(); Type: ACL; Schema: public; Owner: -
--

REVOKE ALL ON FUNCTION public.events_replay_log() FROM PUBLIC;


--
-- Name: FUNCTION events_stats_trigger(); Type: ACL; Schema: public; Owner: -
--

REVOKE ALL ON FUNCTION public.events_stats_trigger() FROM PUBLIC;


--
-- Name: FUNCTION grid_for_point(p public.geometry); Type: ACL; Schema: public; Owner: -
--

REVOKE ALL ON FUNCTION public.grid_for_point(p public.geometry) FROM PUBLIC;
GRANT ALL ON FUNCTION public.grid_for_point(p public.geometry) TO jy_app;


--
-- Name: FUNCTION hazard_alpha(people double precision); Type: ACL; Schema: public; Owner: -
--

REVOKE ALL ON FUNCTION public.hazard_alpha(people double precision) FROM PUBLIC;
GRANT ALL ON FUNCTION public.hazard_alpha(people double precision) TO jy_app;


--
-- Name: FUNCTION hazard_level(r double precision, q_ratio_sum double precision); Type: ACL; Schema: public; Owner: -
--

REVOKE ALL ON FUNCTION public.hazard_level(r double precision, q_ratio_sum double precision) FROM PUBLIC;
GRANT ALL ON FUNCTION public.hazard_level(r double precision, q_ratio_sum double precision) TO jy_app;


--
-- Name: FUNCTION jy_api_client_check(p_hash text); Type: ACL; Schema: public; Owner: -
--

REVOKE ALL ON FUNCTION public.jy_api_client_check(p_hash text) FROM PUBLIC;
GRANT ALL ON FUNCTION public.jy_api_client_check(p_hash text) TO jy_app;


--
-- Name: FUNCTION jy_area_names(); Type: ACL; Schema: public; Owner: -
--

REVOKE ALL ON FUNCTION public.jy_area_names() FROM PUBLIC;
GRANT ALL ON FUNCTION public.jy_area_names() TO jy_app;


--
-- Name: FUNCTION jy_assessment_counts(p_unit text, p_start date, p_end date, p_town text, p_village text); Type: ACL; Schema: public; Owner: -
--

REVOKE ALL ON FUNCTION public.jy_assessment_counts(p_unit text, p_start date, p_end date, p_town text, p_village text) FROM PUBLIC;
GRANT ALL ON FUNCTION public.jy_assessment_counts(p_unit text, p_start date, p_end date, p_town text, p_village text) TO jy_app;


--
-- Name: FUNCTION jy_assessment_towns(p_start date, p_end date); Type: ACL; Schema: public; Owner: -
--

REVOKE ALL ON FUNCTION public.jy_assessment_towns(p_start date, p_end date) FROM PUBLIC;
GRANT ALL ON FUNCTION public.jy_assessment_towns(p_start date, p_end date) TO jy_app;


--
-- Name: FUNCTION jy_audit_hash(p_prev text, p_text text); Type: ACL; Schema: public; Owner: -
--

REVOKE ALL ON FUNCTION public.jy_audit_hash(p_prev text, p_text text) FROM PUBLIC;
GRANT ALL ON FUNCTION public.jy_audit_hash(p_prev text, p_text text) TO jy_app;
GRANT ALL ON FUNCTION public.jy_audit_hash(p_prev text, p_text text) TO jy_auth;


--
-- Name: FUNCTION jy_audit_text(p_seq bigint, p_id bigint, p_at timestamp with time zone, p_username text, p_role text, p_action text, p_target text, p_ok boolean, p_detail jsonb); Type: ACL; Schema: public; Owner: -
--

REVOKE ALL ON FUNCTION public.jy_audit_text(p_seq bigint, p_id bigint, p_at timestamp with time zone, p_username text, p_role text, p_action text, p_target text, p_ok boolean, p_detail jsonb) FROM PUBLIC;
GRANT ALL ON FUNCTION public.jy_audit_text(p_seq bigint, p_id bigint, p_at timestamp with time zone, p_username text, p_role text, p_action text, p_target text, p_ok boolean, p_detail jsonb) TO jy_app;
GRANT ALL ON FUNCTION public.jy_audit_text(p_seq bigint, p_id bigint, p_at timestamp with time zone, p_username text, p_role text, p_action text, p_target text, p_ok boolean, p_detail jsonb) TO jy_auth;


--
-- Name: FUNCTION jy_audit_verify(); Type: ACL; Schema: public; Owner: -
--

REVOKE ALL ON FUNCTION public.jy_audit_verify() FROM PUBLIC;


--
-- Name: FUNCTION jy_auth_lookup(p_username text); Type: ACL; Schema: public; Owner: -
--

REVOKE ALL ON FUNCTION public.jy_auth_lookup(p_username text) FROM PUBLIC;
GRANT ALL ON FUNCTION public.jy_auth_lookup(p_username text) TO jy_auth;


--
-- Name: FUNCTION jy_auth_record(p_username text, p_source text, p_ok boolean, p_reason text, p_max_failures integer, p_lock_minutes integer); Type: ACL; Schema: public; Owner: -
--

REVOKE ALL ON FUNCTION public.jy_auth_record(p_username text, p_source text, p_ok boolean, p_reason text, p_max_failures integer, p_lock_minutes integer) FROM PUBLIC;
GRANT ALL ON FUNCTION public.jy_auth_record(p_username text, p_source text, p_ok boolean, p_reason text, p_max_failures integer, p_lock_minutes integer) TO jy_auth;


--
-- Name: FUNCTION jy_auth_throttled(p_source text, p_username text); Type: ACL; Schema: public; Owner: -
--

REVOKE ALL ON FUNCTION public.jy_auth_throttled(p_source text, p_username text) FROM PUBLIC;
GRANT ALL ON FUNCTION public.jy_auth_throttled(p_source text, p_username text) TO jy_auth;


--
-- Name: FUNCTION jy_auth_unlock(p_username text); Type: ACL; Schema: public; Owner: -
--

REVOKE ALL ON FUNCTION public.jy_auth_unlock(p_username text) FROM PUBLIC;
GRANT ALL ON FUNCTION public.jy_auth_unlock(p_username text) TO jy_app;


--
-- Name: FUNCTION jy_begin(p_token text); Type: ACL; Schema: public; Owner: -
--

REVOKE ALL ON FUNCTION public.jy_begin(p_token text) FROM PUBLIC;
GRANT ALL ON FUNCTION public.jy_begin(p_token text) TO jy_app;


--
-- Name: FUNCTION jy_begin_client(p_key text); Type: ACL; Schema: public; Owner: -
--

REVOKE ALL ON FUNCTION public.jy_begin_client(p_key text) FROM PUBLIC;
GRANT ALL ON FUNCTION public.jy_begin_client(p_key text) TO jy_app;


--
-- Name: FUNCTION jy_begin_terminal(p_token text, p_event bigint); Type: ACL; Schema: public; Owner: -
--

REVOKE ALL ON FUNCTION public.jy_begin_terminal(p_token text, p_event bigint) FROM PUBLIC;
GRANT ALL ON FUNCTION public.jy_begin_terminal(p_token text, p_event bigint) TO jy_app;


--
-- Name: FUNCTION jy_by_owner(); Type: ACL; Schema: public; Owner: -
--

REVOKE ALL ON FUNCTION public.jy_by_owner() FROM PUBLIC;
GRANT ALL ON FUNCTION public.jy_by_owner() TO jy_app;


--
-- Name: FUNCTION jy_context_ok(); Type: ACL; Schema: public; Owner: -
--

REVOKE ALL ON FUNCTION public.jy_context_ok() FROM PUBLIC;
GRANT ALL ON FUNCTION public.jy_context_ok() TO jy_app;


--
-- Name: FUNCTION jy_context_text(); Type: ACL; Schema: public; Owner: -
--

REVOKE ALL ON FUNCTION public.jy_context_text() FROM PUBLIC;


--
-- Name: FUNCTION jy_ctx(p_name text); Type: ACL; Schema: public; Owner: -
--

REVOKE ALL ON FUNCTION public.jy_ctx(p_name text) FROM PUBLIC;
GRANT ALL ON FUNCTION public.jy_ctx(p_name text) TO jy_app;


--
-- Name: FUNCTION jy_effective_scope(); Type: ACL; Schema: public; Owner: -
--

REVOKE ALL ON FUNCTION public.jy_effective_scope() FROM PUBLIC;
GRANT ALL ON FUNCTION public.jy_effective_scope() TO jy_app;


--
-- Name: FUNCTION jy_is_admin(); Type: ACL; Schema: public; Owner: -
--

REVOKE ALL ON FUNCTION public.jy_is_admin() FROM PUBLIC;
GRANT ALL ON FUNCTION public.jy_is_admin() TO jy_app;


--
-- Name: FUNCTION jy_is_open(p_status text); Type: ACL; Schema: public; Owner: -
--

REVOKE ALL ON FUNCTION public.jy_is_open(p_status text) FROM PUBLIC;
GRANT ALL ON FUNCTION public.jy_is_open(p_status text) TO jy_app;
GRANT ALL ON FUNCTION public.jy_is_open(p_status text) TO jy_escalate;


--
-- Name: FUNCTION jy_must_change_password(); Type: ACL; Schema: public; Owner: -
--

REVOKE ALL ON FUNCTION public.jy_must_change_password() FROM PUBLIC;
GRANT ALL ON FUNCTION public.jy_must_change_password() TO jy_app;


--
-- Name: FUNCTION jy_my_tasks(p_token_hash text); Type: ACL; Schema: public; Owner: -
--

REVOKE ALL ON FUNCTION public.jy_my_tasks(p_token_hash text) FROM PUBLIC;
GRANT ALL ON FUNCTION public.jy_my_tasks(p_token_hash text) TO jy_app;


--
-- Name: FUNCTION jy_nearest_resources(p_lon double precision, p_lat double precision, p_k integer, p_kinds text[]); Type: ACL; Schema: public; Owner: -
--

REVOKE ALL ON FUNCTION public.jy_nearest_resources(p_lon double precision, p_lat double precision, p_k integer, p_kinds text[]) FROM PUBLIC;
GRANT ALL ON FUNCTION public.jy_nearest_resources(p_lon double precision, p_lat double precision, p_k integer, p_kinds text[]) TO jy_app;


--
-- Name: FUNCTION jy_open311_public(p_ids bigint[], p_category text, p_start timestamp with time zone, p_end timestamp with time zone, p_open boolean, p_limit integer, p_offset integer); Type: ACL; Schema: public; Owner: -
--

REVOKE ALL ON FUNCTION public.jy_open311_public(p_ids bigint[], p_category text, p_start timestamp with time zone, p_end timestamp with time zone, p_open boolean, p_limit integer, p_offset integer) FROM PUBLIC;
GRANT ALL ON FUNCTION public.jy_open311_public(p_ids bigint[], p_category text, p_start timestamp with time zone, p_end timestamp with time zone, p_open boolean, p_limit integer, p_offset integer) TO jy_app;


--
-- Name: FUNCTION jy_password_change_own(p_hash text); Type: ACL; Schema: public; Owner: -
--

REVOKE ALL ON FUNCTION public.jy_password_change_own(p_hash text) FROM PUBLIC;
GRANT ALL ON FUNCTION public.jy_password_change_own(p_hash text) TO jy_app;


--
-- Name: FUNCTION jy_place_of_point(p_lon double precision, p_lat double precision); Type: ACL; Schema: public; Owner: -
--

REVOKE ALL ON FUNCTION public.jy_place_of_point(p_lon double precision, p_lat double precision) FROM PUBLIC;
GRANT ALL ON FUNCTION public.jy_place_of_point(p_lon double precision, p_lat double precision) TO jy_app;


--
-- Name: FUNCTION jy_positions_record(p_token_hash text, p_x double precision[], p_y double precision[], p_at timestamp with time zone[], p_accuracy real[], p_retention_days integer); Type: ACL; Schema: public; Owner: -
--

REVOKE ALL ON FUNCTION public.jy_positions_record(p_token_hash text, p_x double precision[], p_y double precision[], p_at timestamp with time zone[], p_accuracy real[], p_retention_days integer) FROM PUBLIC;
GRANT ALL ON FUNCTION public.jy_positions_record(p_token_hash text, p_x double precision[], p_y double precision[], p_at timestamp with time zone[], p_accuracy real[], p_retention_days integer) TO jy_app;


--
-- Name: FUNCTION jy_reassign_events(p_codes text[]); Type: ACL; Schema: public; Owner: -
--

REVOKE ALL ON FUNCTION public.jy_reassign_events(p_codes text[]) FROM PUBLIC;
GRANT ALL ON FUNCTION public.jy_reassign_events(p_codes text[]) TO jy_app;


--
-- Name: FUNCTION jy_sees_assistance(); Type: ACL; Schema: public; Owner: -
--

REVOKE ALL ON FUNCTION public.jy_sees_assistance() FROM PUBLIC;
GRANT ALL ON FUNCTION public.jy_sees_assistance() TO jy_app;


--
-- Name: FUNCTION jy_session_adopt(p_code_hash text, p_new_token_hash text); Type: ACL; Schema: public; Owner: -
--

REVOKE ALL ON FUNCTION public.jy_session_adopt(p_code_hash text, p_new_token_hash text) FROM PUBLIC;
GRANT ALL ON FUNCTION public.jy_session_adopt(p_code_hash text, p_new_token_hash text) TO jy_app;


--
-- Name: FUNCTION jy_session_end(p_token_hash text, p_reason text); Type: ACL; Schema: public; Owner: -
--

REVOKE ALL ON FUNCTION public.jy_session_end(p_token_hash text, p_reason text) FROM PUBLIC;
GRANT ALL ON FUNCTION public.jy_session_end(p_token_hash text, p_reason text) TO jy_app;


--
-- Name: FUNCTION jy_session_handoff(p_token_hash text, p_code_hash text); Type: ACL; Schema: public; Owner: -
--

REVOKE ALL ON FUNCTION public.jy_session_handoff(p_token_hash text, p_code_hash text) FROM PUBLIC;
GRANT ALL ON FUNCTION public.jy_session_handoff(p_token_hash text, p_code_hash text) TO jy_app;


--
-- Name: FUNCTION jy_session_resume(p_token_hash text, p_idle_s double precision); Type: ACL; Schema: public; Owner: -
--

REVOKE ALL ON FUNCTION public.jy_session_resume(p_token_hash text, p_idle_s double precision) FROM PUBLIC;
GRANT ALL ON FUNCTION public.jy_session_resume(p_token_hash text, p_idle_s double precision) TO jy_app;


--
-- Name: FUNCTION jy_session_start(p_username text, p_token_hash text, p_idle_s double precision); Type: ACL; Schema: public; Owner: -
--

REVOKE ALL ON FUNCTION public.jy_session_start(p_username text, p_token_hash text, p_idle_s double precision) FROM PUBLIC;
GRANT ALL ON FUNCTION public.jy_session_start(p_username text, p_token_hash text, p_idle_s double precision) TO jy_auth;


--
-- Name: FUNCTION jy_session_touch(p_token_hash text); Type: ACL; Schema: public; Owner: -
--

REVOKE ALL ON FUNCTION public.jy_session_touch(p_token_hash text) FROM PUBLIC;
GRANT ALL ON FUNCTION public.jy_session_touch(p_token_hash text) TO jy_app;


--
-- Name: FUNCTION jy_sign_context(p_scope text, p_town text, p_village text, p_role text, p_user text); Type: ACL; Schema: public; Owner: -
--

REVOKE ALL ON FUNCTION public.jy_sign_context(p_scope text, p_town text, p_village text, p_role text, p_user text) FROM PUBLIC;


--
-- Name: FUNCTION jy_task_village(p_token_hash text, p_event bigint); Type: ACL; Schema: public; Owner: -
--

REVOKE ALL ON FUNCTION public.jy_task_village(p_token_hash text, p_event bigint) FROM PUBLIC;
GRANT ALL ON FUNCTION public.jy_task_village(p_token_hash text, p_event bigint) TO jy_app;


--
-- Name: FUNCTION jy_terminal_accounts(); Type: ACL; Schema: public; Owner: -
--

REVOKE ALL ON FUNCTION public.jy_terminal_accounts() FROM PUBLIC;
GRANT ALL ON FUNCTION public.jy_terminal_accounts() TO jy_app;


--
-- Name: FUNCTION jy_terminal_disable(p_terminal text, p_disabled boolean); Type: ACL; Schema: public; Owner: -
--

REVOKE ALL ON FUNCTION public.jy_terminal_disable(p_terminal text, p_disabled boolean) FROM PUBLIC;
GRANT ALL ON FUNCTION public.jy_terminal_disable(p_terminal text, p_disabled boolean) TO jy_app;


--
-- Name: FUNCTION jy_terminal_lookup(p_terminal text); Type: ACL; Schema: public; Owner: -
--

REVOKE ALL ON FUNCTION public.jy_terminal_lookup(p_terminal text) FROM PUBLIC;
GRANT ALL ON FUNCTION public.jy_terminal_lookup(p_terminal text) TO jy_auth;


--
-- Name: FUNCTION jy_terminal_set(p_terminal text, p_hash text); Type: ACL; Schema: public; Owner: -
--

REVOKE ALL ON FUNCTION public.jy_terminal_set(p_terminal text, p_hash text) FROM PUBLIC;
GRANT ALL ON FUNCTION public.jy_terminal_set(p_terminal text, p_hash text) TO jy_app;


--
-- Name: FUNCTION jy_token_check(p_hash text); Type: ACL; Schema: public; Owner: -
--

REVOKE ALL ON FUNCTION public.jy_token_check(p_hash text) FROM PUBLIC;
GRANT ALL ON FUNCTION public.jy_token_check(p_hash text) TO jy_app;


--
-- Name: FUNCTION jy_token_issue(p_staff bigint, p_hash text, p_hours integer); Type: ACL; Schema: public; Owner: -
--

REVOKE ALL ON FUNCTION public.jy_token_issue(p_staff bigint, p_hash text, p_hours integer) FROM PUBLIC;
GRANT ALL ON FUNCTION public.jy_token_issue(p_staff bigint, p_hash text, p_hours integer) TO jy_auth;


--
-- Name: FUNCTION jy_token_revoke(p_hash text); Type: ACL; Schema: public; Owner: -
--

REVOKE ALL ON FUNCTION public.jy_token_revoke(p_hash text) FROM PUBLIC;
GRANT ALL ON FUNCTION public.jy_token_revoke(p_hash text) TO jy_app;


--
-- Name: FUNCTION jy_town_ranking(p_days integer); Type: ACL; Schema: public; Owner: -
--

REVOKE ALL ON FUNCTION public.jy_town_ranking(p_days integer) FROM PUBLIC;
GRANT ALL ON FUNCTION public.jy_town_ranking(p_days integer) TO jy_app;


--
-- Name: FUNCTION jy_village_ranking(p_town text, p_days integer); Type: ACL; Schema: public; Owner: -
--

REVOKE ALL ON FUNCTION public.jy_village_ranking(p_town text, p_days integer) FROM PUBLIC;
GRANT ALL ON FUNCTION public.jy_village_ranking(p_town text, p_days integer) TO jy_app;


--
-- Name: FUNCTION jy_visible(p_town text, p_village text); Type: ACL; Schema: public; Owner: -
--

REVOKE ALL ON FUNCTION public.jy_visible(p_town text, p_village text) FROM PUBLIC;
GRANT ALL ON FUNCTION public.jy_visible(p_town text, p_village text) TO jy_app;


--
-- Name: FUNCTION jy_zone_analysis(p_zone bytea, p_lon double precision, p_lat double precision, p_exclude_site bigint); Type: ACL; Schema: public; Owner: -
--

REVOKE ALL ON FUNCTION public.jy_zone_analysis(p_zone bytea, p_lon double precision, p_lat double precision, p_exclude_site bigint) FROM PUBLIC;
GRANT ALL ON FUNCTION public.jy_zone_analysis(p_zone bytea, p_lon double precision, p_lat double precision, p_exclude_site bigint) TO jy_app;


--
-- Name: FUNCTION population_within(p public.geometry, radius_m double precision); Type: ACL; Schema: public; Owner: -
--

REVOKE ALL ON FUNCTION public.population_within(p public.geometry, radius_m double precision) FROM PUBLIC;
GRANT ALL ON FUNCTION public.population_within(p public.geometry, radius_m double precision) TO jy_app;


--
-- Name: FUNCTION st_estimatedextent(text, text); Type: ACL; Schema: public; Owner: -
--

REVOKE ALL ON FUNCTION public.st_estimatedextent(text, text) FROM PUBLIC;


--
-- Name: FUNCTION st_estimatedextent(text, text, text); Type: ACL; Schema: public; Owner: -
--

REVOKE ALL ON FUNCTION public.st_estimatedextent(text, text, text) FROM PUBLIC;


--
-- Name: FUNCTION st_estimatedextent(text, text, text, boolean); Type: ACL; Schema: public; Owner: -
--

REVOKE ALL ON FUNCTION public.st_estimatedextent(text, text, text, boolean) FROM PUBLIC;


--
-- Name: FUNCTION stats_rebuild(); Type: ACL; Schema: public; Owner: -
--

REVOKE ALL ON FUNCTION public.stats_rebuild() FROM PUBLIC;


--
-- Name: FUNCTION stats_rows_sql(p_sign integer, p_rows text); Type: ACL; Schema: public; Owner: -
--

REVOKE ALL ON FUNCTION public.stats_rows_sql(p_sign integer, p_rows text) FROM PUBLIC;


--
-- Name: FUNCTION stats_sql(p_delta text); Type: ACL; Schema: public; Owner: -
--

REVOKE ALL ON FUNCTION public.stats_sql(p_delta text) FROM PUBLIC;


--
-- Name: TABLE address_points; Type: ACL; Schema: public; Owner: -
--

GRANT SELECT,INSERT,UPDATE ON TABLE public.address_points TO jy_app;


--
-- Name: SEQUENCE address_points_id_seq; Type: ACL; Schema: public; Owner: -
--

GRANT USAGE ON SEQUENCE public.address_points_id_seq TO jy_app;


--
-- Name: TABLE address_review; Type: ACL; Schema: public; Owner: -
--

GRANT SELECT,INSERT ON TABLE public.address_review TO jy_app;


--
-- Name: COLUMN address_review.status; Type: ACL; Schema: public; Owner: -
--

GRANT UPDATE(status) ON TABLE public.address_review TO jy_app;


--
-- Name: COLUMN address_review.event_id; Type: ACL; Schema: public; Owner: -
--

GRANT UPDATE(event_id) ON TABLE public.address_review TO jy_app;


--
-- Name: COLUMN address_review.resolved_by; Type: ACL; Schema: public; Owner: -
--

GRANT UPDATE(resolved_by) ON TABLE public.address_review TO jy_app;


--
-- Name: COLUMN address_review.resolved_at; Type: ACL; Schema: public; Owner: -
--

GRANT UPDATE(resolved_at) ON TABLE public.address_review TO jy_app;


--
-- Name: SEQUENCE address_review_id_seq; Type: ACL; Schema: public; Owner: -
--

GRANT USAGE ON SEQUENCE public.address_review_id_seq TO jy_app;


--
-- Name: TABLE address_roads; Type: ACL; Schema: public; Owner: -
--

GRANT SELECT,INSERT,UPDATE ON TABLE public.address_roads TO jy_app;


--
-- Name: SEQUENCE address_roads_id_seq; Type: ACL; Schema: public; Owner: -
--

GRANT USAGE ON SEQUENCE public.address_roads_id_seq TO jy_app;


--
-- Name: COLUMN app_users.id; Type: ACL; Schema: public; Owner: -
--

GRANT SELECT(id) ON TABLE public.app_users TO jy_app;


--
-- Name: COLUMN app_users.username; Type: ACL; Schema: public; Owner: -
--

GRANT SELECT(username),INSERT(username) ON TABLE public.app_users TO jy_app;


--
-- Name: COLUMN app_users.display_name; Type: ACL; Schema: public; Owner: -
--

GRANT SELECT(display_name),INSERT(display_name),UPDATE(display_name) ON TABLE public.app_users TO jy_app;


--
-- Name: COLUMN app_users.role; Type: ACL; Schema: public; Owner: -
--

GRANT SELECT(role),INSERT(role),UPDATE(role) ON TABLE public.app_users TO jy_app;


--
-- Name: COLUMN app_users.town_code; Type: ACL; Schema: public; Owner: -
--

GRANT SELECT(town_code),INSERT(town_code),UPDATE(town_code) ON TABLE public.app_users TO jy_app;


--
-- Name: COLUMN app_users.village_code; Type: ACL; Schema: public; Owner: -
--

GRANT SELECT(village_code),INSERT(village_code),UPDATE(village_code) ON TABLE public.app_users TO jy_app;


--
-- Name: COLUMN app_users.password_hash; Type: ACL; Schema: public; Owner: -
--

GRANT INSERT(password_hash),UPDATE(password_hash) ON TABLE public.app_users TO jy_app;


--
-- Name: COLUMN app_users.disabled; Type: ACL; Schema: public; Owner: -
--

GRANT SELECT(disabled),UPDATE(disabled) ON TABLE public.app_users TO jy_app;


--
-- Name: COLUMN app_users.failed_attempts; Type: ACL; Schema: public; Owner: -
--

GRANT SELECT(failed_attempts),UPDATE(failed_attempts) ON TABLE public.app_users TO jy_app;


--
-- Name: COLUMN app_users.locked_until; Type: ACL; Schema: public; Owner: -
--

GRANT SELECT(locked_until),UPDATE(locked_until) ON TABLE public.app_users TO jy_app;


--
-- Name: COLUMN app_users.created_at; Type: ACL; Schema: public; Owner: -
--

GRANT SELECT(created_at) ON TABLE public.app_users TO jy_app;


--
-- Name: COLUMN app_users.password_changed_at; Type: ACL; Schema: public; Owner: -
--

GRANT SELECT(password_changed_at),UPDATE(password_changed_at) ON TABLE public.app_users TO jy_app;


--
-- Name: COLUMN app_users.last_login_at; Type: ACL; Schema: public; Owner: -
--

GRANT SELECT(last_login_at) ON TABLE public.app_users TO jy_app;


--
-- Name: COLUMN app_users.must_change_password; Type: ACL; Schema: public; Owner: -
--

GRANT SELECT(must_change_password),INSERT(must_change_password),UPDATE(must_change_password) ON TABLE public.app_users TO jy_app;


--
-- Name: SEQUENCE app_users_id_seq; Type: ACL; Schema: public; Owner: -
--

GRANT USAGE ON SEQUENCE public.app_users_id_seq TO jy_app;


--
-- Name: TABLE assistance_classes; Type: ACL; Schema: public; Owner: -
--

GRANT SELECT ON TABLE public.assistance_classes TO jy_app;


--
-- Name: TABLE assistance_households; Type: ACL; Schema: public; Owner: -
--

GRANT SELECT ON TABLE public.assistance_households TO jy_app;


--
-- Name: TABLE assistance_counts; Type: ACL; Schema: public; Owner: -
--

GRANT SELECT ON TABLE public.assistance_counts TO jy_app;


--
-- Name: TABLE audit_log; Type: ACL; Schema: public; Owner: -
--

GRANT SELECT,INSERT ON TABLE public.audit_log TO jy_app;


--
-- Name: SEQUENCE audit_log_id_seq; Type: ACL; Schema: public; Owner: -
--

GRANT USAGE ON SEQUENCE public.audit_log_id_seq TO jy_app;


--
-- Name: TABLE base_categories; Type: ACL; Schema: public; Owner: -
--

GRANT SELECT ON TABLE public.base_categories TO jy_app;


--
-- Name: TABLE checkins; Type: ACL; Schema: public; Owner: -
--

GRANT SELECT,INSERT ON TABLE public.checkins TO jy_app;


--
-- Name: SEQUENCE checkins_id_seq; Type: ACL; Schema: public; Owner: -
--

GRANT USAGE ON SEQUENCE public.checkins_id_seq TO jy_app;


--
-- Name: TABLE chem_inventory; Type: ACL; Schema: public; Owner: -
--

GRANT SELECT ON TABLE public.chem_inventory TO jy_app;


--
-- Name: TABLE chem_sites; Type: ACL; Schema: public; Owner: -
--

GRANT SELECT,INSERT,UPDATE ON TABLE public.chem_sites TO jy_app;


--
-- Name: SEQUENCE chem_sites_id_seq; Type: ACL; Schema: public; Owner: -
--

GRANT USAGE ON SEQUENCE public.chem_sites_id_seq TO jy_app;


--
-- Name: TABLE chemicals; Type: ACL; Schema: public; Owner: -
--

GRANT SELECT ON TABLE public.chemicals TO jy_app;


--
-- Name: TABLE collection_items; Type: ACL; Schema: public; Owner: -
--

GRANT SELECT ON TABLE public.collection_items TO jy_app;


--
-- Name: TABLE collection_records; Type: ACL; Schema: public; Owner: -
--

GRANT SELECT,INSERT ON TABLE public.collection_records TO jy_app;


--
-- Name: SEQUENCE collection_records_id_seq; Type: ACL; Schema: public; Owner: -
--

GRANT USAGE ON SEQUENCE public.collection_records_id_seq TO jy_app;


--
-- Name: TABLE county; Type: ACL; Schema: public; Owner: -
--

GRANT SELECT ON TABLE public.county TO jy_app;


--
-- Name: TABLE dataset_info; Type: ACL; Schema: public; Owner: -
--

GRANT SELECT ON TABLE public.dataset_info TO jy_app;


--
-- Name: TABLE departments; Type: ACL; Schema: public; Owner: -
--

GRANT SELECT ON TABLE public.departments TO jy_app;


--
-- Name: TABLE early_warnings; Type: ACL; Schema: public; Owner: -
--

GRANT SELECT,INSERT,DELETE,UPDATE ON TABLE public.early_warnings TO jy_warn;
GRANT SELECT ON TABLE public.early_warnings TO jy_app;


--
-- Name: SEQUENCE early_warnings_id_seq; Type: ACL; Schema: public; Owner: -
--

GRANT USAGE ON SEQUENCE public.early_warnings_id_seq TO jy_warn;


--
-- Name: TABLE emergency_resources; Type: ACL; Schema: public; Owner: -
--

GRANT SELECT,INSERT,UPDATE ON TABLE public.emergency_resources TO jy_app;


--
-- Name: SEQUENCE emergency_resources_id_seq; Type: ACL; Schema: public; Owner: -
--

GRANT USAGE ON SEQUENCE public.emergency_resources_id_seq TO jy_app;


--
-- Name: TABLE enforcement_teams; Type: ACL; Schema: public; Owner: -
--

GRANT SELECT ON TABLE public.enforcement_teams TO jy_app;


--
-- Name: TABLE enterprise_inspections; Type: ACL; Schema: public; Owner: -
--

GRANT SELECT ON TABLE public.enterprise_inspections TO jy_app;


--
-- Name: TABLE event_categories; Type: ACL; Schema: public; Owner: -
--

GRANT SELECT ON TABLE public.event_categories TO jy_app;
GRANT SELECT ON TABLE public.event_categories TO jy_warn;


--
-- Name: TABLE event_log; Type: ACL; Schema: public; Owner: -
--

GRANT SELECT,INSERT ON TABLE public.event_log TO jy_app;
GRANT INSERT ON TABLE public.event_log TO jy_escalate;


--
-- Name: COLUMN event_log.event_id; Type: ACL; Schema: public; Owner: -
--

GRANT SELECT(event_id) ON TABLE public.event_log TO jy_escalate;


--
-- Name: SEQUENCE event_log_id_seq; Type: ACL; Schema: public; Owner: -
--

GRANT USAGE ON SEQUENCE public.event_log_id_seq TO jy_app;
GRANT USAGE ON SEQUENCE public.event_log_id_seq TO jy_escalate;


--
-- Name: TABLE event_photos; Type: ACL; Schema: public; Owner: -
--

GRANT SELECT,INSERT ON TABLE public.event_photos TO jy_app;


--
-- Name: SEQUENCE event_photos_id_seq; Type: ACL; Schema: public; Owner: -
--

GRANT USAGE ON SEQUENCE public.event_photos_id_seq TO jy_app;


--
-- Name: TABLE event_urges; Type: ACL; Schema: public; Owner: -
--

GRANT SELECT,INSERT ON TABLE public.event_urges TO jy_app;


--
-- Name: SEQUENCE event_urges_id_seq; Type: ACL; Schema: public; Owner: -
--

GRANT USAGE ON SEQUENCE public.event_urges_id_seq TO jy_app;


--
-- Name: TABLE events; Type: ACL; Schema: public; Owner: -
--

GRANT SELECT,INSERT ON TABLE public.events TO jy_app;


--
-- Name: COLUMN events.id; Type: ACL; Schema: public; Owner: -
--

GRANT SELECT(id) ON TABLE public.events TO jy_escalate;
GRANT SELECT(id) ON TABLE public.events TO jy_warn;


--
-- Name: COLUMN events.category_code; Type: ACL; Schema: public; Owner: -
--

GRANT SELECT(category_code) ON TABLE public.events TO jy_warn;


--
-- Name: COLUMN events.status; Type: ACL; Schema: public; Owner: -
--

GRANT SELECT(status) ON TABLE public.events TO jy_escalate;


--
-- Name: COLUMN events.handling_level; Type: ACL; Schema: public; Owner: -
--

GRANT UPDATE(handling_level) ON TABLE public.events TO jy_app;
GRANT SELECT(handling_level),UPDATE(handling_level) ON TABLE public.events TO jy_escalate;


--
-- Name: COLUMN events.reported_at; Type: ACL; Schema: public; Owner: -
--

GRANT SELECT(reported_at) ON TABLE public.events TO jy_warn;


--
-- Name: COLUMN events.due_at; Type: ACL; Schema: public; Owner: -
--

GRANT SELECT(due_at) ON TABLE public.events TO jy_escalate;


--
-- Name: COLUMN events.location; Type: ACL; Schema: public; Owner: -
--

GRANT UPDATE(location) ON TABLE public.events TO jy_app;
GRANT SELECT(location) ON TABLE public.events TO jy_warn;


--
-- Name: COLUMN events.grid_code; Type: ACL; Schema: public; Owner: -
--

GRANT UPDATE(grid_code) ON TABLE public.events TO jy_app;
GRANT SELECT(grid_code) ON TABLE public.events TO jy_warn;


--
-- Name: COLUMN events.town_code; Type: ACL; Schema: public; Owner: -
--

GRANT SELECT(town_code) ON TABLE public.events TO jy_warn;


--
-- Name: COLUMN events.village_code; Type: ACL; Schema: public; Owner: -
--

GRANT SELECT(village_code) ON TABLE public.events TO jy_warn;


--
-- Name: COLUMN events.assignee_department; Type: ACL; Schema: public; Owner: -
--

GRANT UPDATE(assignee_department) ON TABLE public.events TO jy_app;


--
-- Name: COLUMN events.assignee_team; Type: ACL; Schema: public; Owner: -
--

GRANT UPDATE(assignee_team) ON TABLE public.events TO jy_app;


--
-- Name: COLUMN events.assignee_staff_id; Type: ACL; Schema: public; Owner: -
--

GRANT UPDATE(assignee_staff_id) ON TABLE public.events TO jy_app;


--
-- Name: COLUMN events.is_drill; Type: ACL; Schema: public; Owner: -
--

GRANT SELECT(is_drill) ON TABLE public.events TO jy_warn;


--
-- Name: COLUMN events.escalated_at; Type: ACL; Schema: public; Owner: -
--

GRANT UPDATE(escalated_at) ON TABLE public.events TO jy_app;
GRANT SELECT(escalated_at),UPDATE(escalated_at) ON TABLE public.events TO jy_escalate;


--
-- Name: SEQUENCE events_id_seq; Type: ACL; Schema: public; Owner: -
--

GRANT USAGE ON SEQUENCE public.events_id_seq TO jy_app;


--
-- Name: TABLE grid_base_counts; Type: ACL; Schema: public; Owner: -
--

GRANT SELECT ON TABLE public.grid_base_counts TO jy_app;


--
-- Name: TABLE grids; Type: ACL; Schema: public; Owner: -
--

GRANT SELECT,INSERT,UPDATE ON TABLE public.grids TO jy_app;


--
-- Name: COLUMN grids.code; Type: ACL; Schema: public; Owner: -
--

GRANT SELECT(code) ON TABLE public.grids TO jy_warn;


--
-- Name: COLUMN grids.level; Type: ACL; Schema: public; Owner: -
--

GRANT SELECT(level) ON TABLE public.grids TO jy_warn;


--
-- Name: COLUMN grids.kind; Type: ACL; Schema: public; Owner: -
--

GRANT SELECT(kind) ON TABLE public.grids TO jy_warn;


--
-- Name: COLUMN grids.name; Type: ACL; Schema: public; Owner: -
--

GRANT SELECT(name) ON TABLE public.grids TO jy_warn;


--
-- Name: COLUMN grids.town_code; Type: ACL; Schema: public; Owner: -
--

GRANT SELECT(town_code) ON TABLE public.grids TO jy_warn;


--
-- Name: COLUMN grids.village_code; Type: ACL; Schema: public; Owner: -
--

GRANT SELECT(village_code) ON TABLE public.grids TO jy_warn;


--
-- Name: COLUMN grids.geom; Type: ACL; Schema: public; Owner: -
--

GRANT SELECT(geom) ON TABLE public.grids TO jy_warn;


--
-- Name: TABLE incident_zones; Type: ACL; Schema: public; Owner: -
--

GRANT SELECT,INSERT ON TABLE public.incident_zones TO jy_app;


--
-- Name: TABLE mutual_aid_villages; Type: ACL; Schema: public; Owner: -
--

GRANT SELECT ON TABLE public.mutual_aid_villages TO jy_app;


--
-- Name: TABLE notifications; Type: ACL; Schema: public; Owner: -
--

GRANT SELECT,INSERT ON TABLE public.notifications TO jy_app;
GRANT SELECT,INSERT ON TABLE public.notifications TO jy_outbox;


--
-- Name: SEQUENCE notifications_id_seq; Type: ACL; Schema: public; Owner: -
--

GRANT USAGE ON SEQUENCE public.notifications_id_seq TO jy_app;
GRANT USAGE ON SEQUENCE public.notifications_id_seq TO jy_outbox;


--
-- Name: TABLE outbox; Type: ACL; Schema: public; Owner: -
--

GRANT SELECT,INSERT ON TABLE public.outbox TO jy_app;
GRANT SELECT,UPDATE ON TABLE public.outbox TO jy_outbox;


--
-- Name: COLUMN outbox.attempts; Type: ACL; Schema: public; Owner: -
--

GRANT UPDATE(attempts) ON TABLE public.outbox TO jy_app;


--
-- Name: COLUMN outbox.next_attempt_at; Type: ACL; Schema: public; Owner: -
--

GRANT UPDATE(next_attempt_at) ON TABLE public.outbox TO jy_app;


--
-- Name: COLUMN outbox.notified_at; Type: ACL; Schema: public; Owner: -
--

GRANT UPDATE(notified_at) ON TABLE public.outbox TO jy_app;


--
-- Name: COLUMN outbox.webhook_at; Type: ACL; Schema: public; Owner: -
--

GRANT UPDATE(webhook_at) ON TABLE public.outbox TO jy_app;


--
-- Name: COLUMN outbox.failed_at; Type: ACL; Schema: public; Owner: -
--

GRANT UPDATE(failed_at) ON TABLE public.outbox TO jy_app;


--
-- Name: COLUMN outbox.last_error; Type: ACL; Schema: public; Owner: -
--

GRANT UPDATE(last_error) ON TABLE public.outbox TO jy_app;


--
-- Name: SEQUENCE outbox_id_seq; Type: ACL; Schema: public; Owner: -
--

GRANT USAGE ON SEQUENCE public.outbox_id_seq TO jy_app;


--
-- Name: TABLE patrol_checks; Type: ACL; Schema: public; Owner: -
--

GRANT SELECT,INSERT ON TABLE public.patrol_checks TO jy_app;


--
-- Name: SEQUENCE patrol_checks_id_seq; Type: ACL; Schema: public; Owner: -
--

GRANT USAGE ON SEQUENCE public.patrol_checks_id_seq TO jy_app;


--
-- Name: TABLE patrol_items; Type: ACL; Schema: public; Owner: -
--

GRANT SELECT ON TABLE public.patrol_items TO jy_app;


--
-- Name: TABLE service_points; Type: ACL; Schema: public; Owner: -
--

GRANT SELECT ON TABLE public.service_points TO jy_app;


--
-- Name: TABLE staff; Type: ACL; Schema: public; Owner: -
--

GRANT SELECT,INSERT,UPDATE ON TABLE public.staff TO jy_app;


--
-- Name: COLUMN staff.id; Type: ACL; Schema: public; Owner: -
--

GRANT SELECT(id) ON TABLE public.staff TO jy_outbox;


--
-- Name: COLUMN staff.town_code; Type: ACL; Schema: public; Owner: -
--

GRANT SELECT(town_code) ON TABLE public.staff TO jy_outbox;


--
-- Name: COLUMN staff.village_code; Type: ACL; Schema: public; Owner: -
--

GRANT SELECT(village_code) ON TABLE public.staff TO jy_outbox;


--
-- Name: SEQUENCE staff_id_seq; Type: ACL; Schema: public; Owner: -
--

GRANT USAGE ON SEQUENCE public.staff_id_seq TO jy_app;


--
-- Name: TABLE staff_positions; Type: ACL; Schema: public; Owner: -
--

GRANT SELECT ON TABLE public.staff_positions TO jy_app;


--
-- Name: TABLE stats_category_day; Type: ACL; Schema: public; Owner: -
--

GRANT SELECT ON TABLE public.stats_category_day TO jy_app;


--
-- Name: TABLE stats_cell_day; Type: ACL; Schema: public; Owner: -
--

GRANT SELECT ON TABLE public.stats_cell_day TO jy_app;


--
-- Name: TABLE stats_grid_day; Type: ACL; Schema: public; Owner: -
--

GRANT SELECT ON TABLE public.stats_grid_day TO jy_app;


--
-- Name: TABLE stats_village_day; Type: ACL; Schema: public; Owner: -
--

GRANT SELECT ON TABLE public.stats_village_day TO jy_app;


--
-- Name: TABLE supervised_enterprises; Type: ACL; Schema: public; Owner: -
--

GRANT SELECT ON TABLE public.supervised_enterprises TO jy_app;


--
-- Name: TABLE workflow_transitions; Type: ACL; Schema: public; Owner: -
--

GRANT SELECT ON TABLE public.workflow_transitions TO jy_app;


--
-- Name: DEFAULT PRIVILEGES FOR FUNCTIONS; Type: DEFAULT ACL; Schema: -; Owner: -
--

ALTER DEFAULT PRIVILEGES FOR ROLE jiangyin REVOKE ALL ON FUNCTIONS  FROM PUBLIC;


--
-- PostgreSQL database dump complete
--
