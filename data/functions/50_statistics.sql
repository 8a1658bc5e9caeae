-- Daily statistics kept by the events' triggers, and the rankings read from them.
-- Live text: re-applied by geo/db.migrate whenever a file here changes (docs/schema.md).

-- The daily statistics move with the events, set-based, inside the statement that changed them: a
-- statement-level trigger turns its transition tables into signed contributions (+1 added, -1
-- removed) and adds them to the four tables in one statement. The one text of that statement is
-- stats_sql(delta): delta is a query over the trigger's transition tables (or, for stats_rebuild,
-- over every event). It is run with EXECUTE inside the trigger function itself, where the
-- transition tables are visible; nothing goes through a table a caller could create first (no
-- session temporary table: a caller's own _stats_delta with a trigger on it once ran as the owner).
CREATE OR REPLACE FUNCTION public.stats_sql(p_delta text)
 RETURNS text
 LANGUAGE sql
 IMMUTABLE
AS $function$
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
$function$;

-- The contribution of event rows r (a transition table or the events table) with the sign given.
CREATE OR REPLACE FUNCTION public.stats_rows_sql(p_sign integer, p_rows text)
 RETURNS text
 LANGUAGE sql
 IMMUTABLE
AS $function$
    SELECT format('SELECT %s AS sign, r.grid_code, r.category_code, r.reported_at, r.closed_at, r.due_at, '
                  'public.ST_X(public.ST_Transform(r.location, 4549)) AS x, public.ST_Y(public.ST_Transform(r.location, 4549)) AS y '
                  'FROM %s r WHERE NOT r.is_drill', p_sign, p_rows)
$function$;

-- The figures tables leave drills out: only non-drill rows contribute.
CREATE OR REPLACE FUNCTION public.events_stats_trigger()
 RETURNS trigger
 LANGUAGE plpgsql
 SECURITY DEFINER
 SET search_path TO 'pg_catalog', 'public', 'pg_temp'
 SET enable_nestloop TO 'off'
AS $function$
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
END $function$;
CREATE OR REPLACE TRIGGER events_stats_delete AFTER DELETE ON public.events REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION events_stats_trigger();
CREATE OR REPLACE TRIGGER events_stats_insert AFTER INSERT ON public.events REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION events_stats_trigger();
CREATE OR REPLACE TRIGGER events_stats_update AFTER UPDATE ON public.events REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION events_stats_trigger();

-- All four tables counted again from the events (after a bulk load).
CREATE OR REPLACE FUNCTION public.stats_rebuild()
 RETURNS void
 LANGUAGE plpgsql
 SECURITY DEFINER
 SET search_path TO 'pg_catalog', 'public', 'pg_temp'
 SET work_mem TO '512MB'
AS $function$
BEGIN
    TRUNCATE public.stats_grid_day, public.stats_village_day, public.stats_cell_day, public.stats_category_day;
    EXECUTE public.stats_sql(public.stats_rows_sql(1, 'public.events'));
END $function$;

-- The city ranking a town leader may see (per-town counts only), with the same definitions as the
-- KPI row (geo/metrics.py): open and overdue now, reports today, closures in the last p_days days.
CREATE OR REPLACE FUNCTION public.jy_town_ranking(p_days integer)
 RETURNS TABLE(town_code text, town_name text, open_events bigint, overdue_events bigint, reports_today bigint, closed bigint, closed_on_time bigint, close_seconds double precision)
 LANGUAGE sql
 STABLE SECURITY DEFINER
 SET search_path TO 'public', 'pg_temp'
AS $function$
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
$function$;
GRANT EXECUTE ON FUNCTION public.jy_town_ranking(integer) TO jy_app;

-- The villages of one town side by side (per-village counts only), so village staff compare their
-- village with the town's average village although row-level security shows them one village.
-- Same definitions as jy_town_ranking and the KPI row.
CREATE OR REPLACE FUNCTION public.jy_village_ranking(p_town text, p_days integer)
 RETURNS TABLE(village_code text, village_name text, open_events bigint, overdue_events bigint, reports_today bigint, closed bigint, closed_on_time bigint, close_seconds double precision)
 LANGUAGE sql
 STABLE SECURITY DEFINER
 SET search_path TO 'public', 'pg_temp'
AS $function$
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
$function$;
GRANT EXECUTE ON FUNCTION public.jy_village_ranking(text,integer) TO jy_app;

-- 考核 (geo/assessment.py, geo/sql/assessment.sql): the raw counts behind each input of the monthly score (geo/assessment.py), per town, village
-- or grid worker of the scope, over the local days [start, end). Drills are not counted.
--   on-time rate      events closed in the period (town/village: where they are; worker: assigned to them)
--   return rate       events reported in the period that were returned (退回) at least once
--   patrol coverage   town/village: (grid, day) pairs with a 巡查打卡 over grids × days; worker: days with one
--   reports/worker    events reported in the period by grid workers of the area, per grid worker
--   urges per 100     催办/督办 sent in the period on the unit's events, per 100 events reported
-- The caller's rights (row-level security decides what it counts); jy_assessment_towns gives every
-- town's counts, and nothing else, to a city or town viewer for the town's rank among the 17.
CREATE OR REPLACE FUNCTION public.jy_assessment_counts(p_unit text, p_start date, p_end date, p_town text,
                                                       p_village text)
 RETURNS TABLE(key text, name text, town_code text, town_name text, reported integer, closed integer,
               closed_on_time integer, returned_events integer, worker_reports integer, workers integer,
               patrol_units integer, grids integer, urges integer)
 LANGUAGE sql
 STABLE
AS $function$
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
$function$;
GRANT EXECUTE ON FUNCTION public.jy_assessment_counts(text,date,date,text,text) TO jy_app;

-- Every town's 考核 counts (aggregates only, as jy_town_ranking's), so that a town leader sees the
-- town's score and rank among the 17 although row-level security shows one town's rows.
CREATE OR REPLACE FUNCTION public.jy_assessment_towns(p_start date, p_end date)
 RETURNS TABLE(key text, name text, town_code text, town_name text, reported integer, closed integer,
               closed_on_time integer, returned_events integer, worker_reports integer, workers integer,
               patrol_units integer, grids integer, urges integer)
 LANGUAGE sql
 STABLE SECURITY DEFINER
 SET search_path TO 'public', 'pg_temp'
AS $function$
    SELECT c.* FROM public.jy_assessment_counts('town', p_start, p_end, NULL, NULL) c
     WHERE (public.jy_effective_scope() IN ('city', 'town')) IS TRUE
$function$;
REVOKE EXECUTE ON FUNCTION public.jy_assessment_towns(date,date) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION public.jy_assessment_towns(date,date) TO jy_app;
