-- Field terminals and other systems: accounts, tokens, tasks, positions.
-- Live text: re-applied by geo/db.migrate whenever a file here changes (docs/schema.md).

-- What a sign-in needs: the worker and the password hash (checked in Python, argon2).
CREATE OR REPLACE FUNCTION public.jy_terminal_lookup(p_terminal text)
 RETURNS TABLE(staff_id bigint, name text, role text, terminal_id text, grid_code text, password_hash text, disabled boolean)
 LANGUAGE sql
 STABLE SECURITY DEFINER
 SET search_path TO 'public', 'pg_temp'
AS $function$
    SELECT s.id, s.name, s.role, s.terminal_id, s.grid_code, a.password_hash, a.disabled
      FROM staff s JOIN terminal_accounts a ON a.staff_id = s.id
     WHERE s.terminal_id = btrim(p_terminal)
$function$;
GRANT EXECUTE ON FUNCTION public.jy_terminal_lookup(text) TO jy_auth;

-- The admin page opens, resets and stops terminal accounts (issue 15) through these functions: the
-- app role never writes terminal_accounts itself, and only an admin transaction (or the owner: the
-- CLI and the demo) may call them. A token of a stopped account stops working at once
-- (jy_token_check joins the account); a new password revokes the account's tokens.
CREATE OR REPLACE FUNCTION public.jy_terminal_set(p_terminal text, p_hash text)
 RETURNS bigint
 LANGUAGE plpgsql
 SECURITY DEFINER
 SET search_path TO 'public', 'pg_temp'
AS $function$
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
END $function$;
GRANT EXECUTE ON FUNCTION public.jy_terminal_set(text,text) TO jy_app;

CREATE OR REPLACE FUNCTION public.jy_terminal_disable(p_terminal text, p_disabled boolean)
 RETURNS bigint
 LANGUAGE plpgsql
 SECURITY DEFINER
 SET search_path TO 'public', 'pg_temp'
AS $function$
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
END $function$;
GRANT EXECUTE ON FUNCTION public.jy_terminal_disable(text,boolean) TO jy_app;

-- The admin page's list: which staff have a terminal account (no hashes).
CREATE OR REPLACE FUNCTION public.jy_terminal_accounts()
 RETURNS TABLE(terminal_id text, staff_name text, role text, grid_code text, disabled boolean, created_at timestamp with time zone, last_token_at timestamp with time zone)
 LANGUAGE sql
 STABLE SECURITY DEFINER
 SET search_path TO 'public', 'pg_temp'
AS $function$
    SELECT s.terminal_id, s.name, s.role, s.grid_code, a.disabled, a.created_at,
           (SELECT max(t.issued_at) FROM api_tokens t WHERE t.staff_id = s.id)
      FROM terminal_accounts a JOIN staff s ON s.id = a.staff_id
     WHERE public.jy_is_admin() OR public.jy_by_owner()
     ORDER BY s.terminal_id
$function$;
GRANT EXECUTE ON FUNCTION public.jy_terminal_accounts() TO jy_app;

-- A new token for a worker whose password was just checked: its hash and lifetime.
CREATE OR REPLACE FUNCTION public.jy_token_issue(p_staff bigint, p_hash text, p_hours integer)
 RETURNS timestamp with time zone
 LANGUAGE sql
 SECURITY DEFINER
 SET search_path TO 'public', 'pg_temp'
AS $function$
    INSERT INTO api_tokens (token_hash, staff_id, expires_at)
    VALUES (p_hash, p_staff, now() + make_interval(hours => p_hours))
    RETURNING expires_at
$function$;
GRANT EXECUTE ON FUNCTION public.jy_token_issue(bigint,text,integer) TO jy_auth;

-- The worker behind a valid (unexpired, unrevoked) token, with the area the request runs in.
CREATE OR REPLACE FUNCTION public.jy_token_check(p_hash text)
 RETURNS TABLE(staff_id bigint, name text, role text, terminal_id text, grid_code text, town_code text, village_code text, expires_at timestamp with time zone)
 LANGUAGE sql
 STABLE SECURITY DEFINER
 SET search_path TO 'public', 'pg_temp'
AS $function$
    SELECT s.id, s.name, s.role, s.terminal_id, s.grid_code, s.town_code, s.village_code, t.expires_at
      FROM api_tokens t JOIN staff s ON s.id = t.staff_id
      JOIN terminal_accounts a ON a.staff_id = s.id AND NOT a.disabled
     WHERE t.token_hash = p_hash AND t.revoked_at IS NULL AND t.expires_at > now()
$function$;
GRANT EXECUTE ON FUNCTION public.jy_token_check(text) TO jy_app;

CREATE OR REPLACE FUNCTION public.jy_token_revoke(p_hash text)
 RETURNS boolean
 LANGUAGE sql
 SECURITY DEFINER
 SET search_path TO 'public', 'pg_temp'
AS $function$
    UPDATE api_tokens SET revoked_at = now() WHERE token_hash = p_hash AND revoked_at IS NULL
    RETURNING true
$function$;
GRANT EXECUTE ON FUNCTION public.jy_token_revoke(text) TO jy_app;

-- A task dispatched to a grid worker outside their own village (调度台 offers the nearest on-duty
-- staff, whatever their village): the terminal runs in its village scope and could not see it. These
-- functions check the token themselves and hand back only the worker's own open tasks, and the
-- village of one of them, in which the API then runs that task's requests.
CREATE OR REPLACE FUNCTION public.jy_task_village(p_token_hash text, p_event bigint)
 RETURNS text
 LANGUAGE sql
 STABLE SECURITY DEFINER
 SET search_path TO 'public', 'pg_temp'
AS $function$
    SELECT e.village_code
      FROM api_tokens t
      JOIN terminal_accounts a ON a.staff_id = t.staff_id AND NOT a.disabled
      JOIN events e ON e.assignee_staff_id = t.staff_id
     WHERE t.token_hash = p_token_hash AND t.revoked_at IS NULL AND t.expires_at > now() AND e.id = p_event
$function$;
GRANT EXECUTE ON FUNCTION public.jy_task_village(text,bigint) TO jy_app;

CREATE OR REPLACE FUNCTION public.jy_my_tasks(p_token_hash text)
 RETURNS TABLE(id bigint, status text, priority smallint, reported_at timestamp with time zone, due_at timestamp with time zone, description text, grid_code text, version integer, category text, grid_name text, village_name text)
 LANGUAGE sql
 STABLE SECURITY DEFINER
 SET search_path TO 'public', 'pg_temp'
AS $function$
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
$function$;
GRANT EXECUTE ON FUNCTION public.jy_my_tasks(text) TO jy_app;

-- Record a batch of fixes for the worker behind a valid token (the function checks the token itself,
-- so the app role cannot write another worker's track); returns how many were stored.
CREATE OR REPLACE FUNCTION public.jy_positions_record(p_token_hash text, p_x double precision[], p_y double precision[], p_at timestamp with time zone[], p_accuracy real[], p_retention_days integer)
 RETURNS integer
 LANGUAGE plpgsql
 SECURITY DEFINER
 SET search_path TO 'public', 'pg_temp'
AS $function$
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
END $function$;
GRANT EXECUTE ON FUNCTION public.jy_positions_record(text,double precision[],double precision[],timestamp with time zone[],real[],integer) TO jy_app;

-- The system behind an Open311 key (the app role never reads the hashes).
CREATE OR REPLACE FUNCTION public.jy_api_client_check(p_hash text)
 RETURNS TABLE(code text, name text, event_source text)
 LANGUAGE sql
 STABLE SECURITY DEFINER
 SET search_path TO 'public', 'pg_temp'
AS $function$
    SELECT c.code, c.name, c.event_source FROM api_clients c WHERE c.key_hash = p_hash AND NOT c.disabled
$function$;
GRANT EXECUTE ON FUNCTION public.jy_api_client_check(text) TO jy_app;
