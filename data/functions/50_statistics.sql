-- Daily statistics kept by the events' triggers, and the rankings read from them.
-- Live text: re-applied by geo/db.migrate whenever a file here changes (docs/schema.md).

-- Signed contributions (+1 add, -1 remove) of changed event rows go through a session-local
-- table, then into the three tables in one set-based pass.
CREATE OR REPLACE FUNCTION public.stats_delta_table()
 RETURNS void
 LANGUAGE plpgsql
 SECURITY DEFINER
 SET search_path TO 'public', 'pg_temp'
AS $function$
BEGIN
    CREATE TEMP TABLE IF NOT EXISTS _stats_delta (
        sign integer, grid_code text, category_code text, reported_at timestamptz,
        closed_at timestamptz, due_at timestamptz, x double precision, y double precision
    ) ON COMMIT DELETE ROWS;
    DELETE FROM _stats_delta;   -- cheaper than TRUNCATE on a small temp table, which is called often
END $function$;

CREATE OR REPLACE FUNCTION public.stats_apply_delta()
 RETURNS void
 LANGUAGE plpgsql
 SECURITY DEFINER
 SET search_path TO 'public', 'pg_temp'
AS $function$
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
END $function$;

-- The figures tables leave drills out: the trigger only passes non-drill rows to the delta.
CREATE OR REPLACE FUNCTION public.events_stats_trigger()
 RETURNS trigger
 LANGUAGE plpgsql
 SECURITY DEFINER
 SET search_path TO 'public', 'pg_temp'
 SET enable_nestloop TO 'off'
AS $function$
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
END $function$;
CREATE OR REPLACE TRIGGER events_stats_delete AFTER DELETE ON public.events REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION events_stats_trigger();
CREATE OR REPLACE TRIGGER events_stats_insert AFTER INSERT ON public.events REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION events_stats_trigger();
CREATE OR REPLACE TRIGGER events_stats_update AFTER UPDATE ON public.events REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION events_stats_trigger();

-- The daily figures (stats_*_day) are a pure function of the non-drill events: rebuilt in one pass
-- after a bulk load that held the counting triggers off (loaders/demo/load.py). Counting 2 M demo
-- events through the triggers cost each event twice (its insert, then the update that closed it):
-- 6.4 s + 12.4 s per 200 k events (auto_explain, 2026-11-28).
CREATE OR REPLACE FUNCTION public.stats_rebuild()
 RETURNS void
 LANGUAGE plpgsql
 SECURITY DEFINER
 SET search_path TO 'public', 'pg_temp'
 SET work_mem TO '512MB'
AS $function$
BEGIN
    TRUNCATE stats_grid_day, stats_village_day, stats_cell_day, stats_category_day;
    PERFORM stats_delta_table();
    INSERT INTO _stats_delta SELECT 1, grid_code, category_code, reported_at, closed_at, due_at,
           ST_X(ST_Transform(location, 4549)), ST_Y(ST_Transform(location, 4549))
      FROM events WHERE NOT is_drill;
    ANALYZE _stats_delta;
    PERFORM stats_apply_delta();
    DELETE FROM _stats_delta;
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
