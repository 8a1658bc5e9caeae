-- The signed context: who is asking, in which scope (read by every policy).
-- Live text: re-applied by geo/db.migrate whenever a file here changes (docs/schema.md).

-- What a signature covers. The unit separator cannot occur in a setting made by jy_sign_context.
CREATE OR REPLACE FUNCTION public.jy_context_text()
 RETURNS text
 LANGUAGE sql
 STABLE
AS $function$
    SELECT concat_ws(chr(31), coalesce(current_setting('jy.scope', true), ''),
                     coalesce(current_setting('jy.town', true), ''), coalesce(current_setting('jy.village', true), ''),
                     coalesce(current_setting('jy.role', true), ''), coalesce(current_setting('jy.user', true), ''),
                     pg_backend_pid()::text, extract(epoch FROM transaction_timestamp())::text)
$function$;

CREATE OR REPLACE FUNCTION public.jy_context_ok()
 RETURNS boolean
 LANGUAGE sql
 STABLE SECURITY DEFINER
 SET search_path TO 'public', 'pg_temp'
AS $function$
    SELECT coalesce(current_setting('jy.sig', true) = encode(hmac(convert_to(jy_context_text(), 'UTF8'), k, 'sha256'), 'hex'),
                    false)
      FROM jy_context_key
$function$;
GRANT EXECUTE ON FUNCTION public.jy_context_ok() TO jy_app;

-- The one way policies and functions read the scope: the setting if the signature holds, else NULL.
CREATE OR REPLACE FUNCTION public.jy_ctx(p_name text)
 RETURNS text
 LANGUAGE sql
 STABLE
AS $function$
    SELECT CASE WHEN jy_context_ok() THEN current_setting('jy.' || p_name, true) END
$function$;
GRANT EXECUTE ON FUNCTION public.jy_ctx(text) TO jy_app;

-- Sign a context for the rest of the transaction. Not granted to anyone: only the jy_begin*
-- functions (running as the owner) call it, after checking a credential.
CREATE OR REPLACE FUNCTION public.jy_sign_context(p_scope text, p_town text, p_village text, p_role text, p_user text)
 RETURNS boolean
 LANGUAGE plpgsql
 SECURITY DEFINER
 SET search_path TO 'public', 'pg_temp'
AS $function$
BEGIN
    PERFORM set_config('jy.scope', coalesce(p_scope, ''), true), set_config('jy.town', coalesce(p_town, ''), true),
            set_config('jy.village', coalesce(p_village, ''), true), set_config('jy.role', coalesce(p_role, ''), true),
            set_config('jy.user', coalesce(p_user, ''), true);
    PERFORM set_config('jy.sig', CASE WHEN coalesce(p_scope, '') = '' THEN ''
                                      ELSE encode(hmac(convert_to(jy_context_text(), 'UTF8'),
                                                       (SELECT k FROM jy_context_key), 'sha256'), 'hex') END, true);
    RETURN coalesce(p_scope, '') <> '';
END $function$;

CREATE OR REPLACE FUNCTION public.jy_is_admin()
 RETURNS boolean
 LANGUAGE sql
 STABLE PARALLEL SAFE
AS $function$
    SELECT coalesce(public.jy_ctx('scope') = 'city' AND public.jy_ctx('role') = 'admin', false)
$function$;
GRANT EXECUTE ON FUNCTION public.jy_is_admin() TO jy_app;

-- Is this the schema owner's own session (migrations, the loaders, the operator's jobs)? Owner
-- functions let the owner do what a signed admin may; every other login (jy_app, jy_auth, jy_outbox)
-- needs its signed context. Never NULL.
CREATE OR REPLACE FUNCTION public.jy_by_owner()
 RETURNS boolean
 LANGUAGE sql
 STABLE
AS $function$
    SELECT coalesce(session_user = (SELECT r.rolname FROM pg_catalog.pg_class c
                                      JOIN pg_catalog.pg_roles r ON r.oid = c.relowner
                                     WHERE c.oid = 'public.events'::regclass), false)
$function$;
GRANT EXECUTE ON FUNCTION public.jy_by_owner() TO jy_app;

-- The scope a SECURITY DEFINER analysis works for: the signed-in viewer's (jy.scope); a session of
-- any other role than the app's (the owner's loaders, jobs and tests) with no scope set is the city.
-- The app role with no scope gets NULL: nothing, as with its row-level security.
CREATE OR REPLACE FUNCTION public.jy_effective_scope()
 RETURNS text
 LANGUAGE sql
 STABLE
AS $function$
    SELECT CASE WHEN coalesce(public.jy_ctx('scope'), '') <> '' THEN public.jy_ctx('scope')
                WHEN public.jy_by_owner() THEN 'city' END
$function$;
GRANT EXECUTE ON FUNCTION public.jy_effective_scope() TO jy_app;

-- Is a row of this town / village visible in the current transaction's scope?
-- Plain SQL so the planner inlines it into each policy.
CREATE OR REPLACE FUNCTION public.jy_visible(p_town text, p_village text)
 RETURNS boolean
 LANGUAGE sql
 STABLE PARALLEL SAFE
AS $function$
    SELECT CASE jy_ctx('scope')
             WHEN 'city' THEN true
             WHEN 'town' THEN p_town = jy_ctx('town')
             WHEN 'village' THEN p_village = jy_ctx('village')
             ELSE false END
$function$;
GRANT EXECUTE ON FUNCTION public.jy_visible(text,text) TO jy_app;

-- Who reads the households behind the assistance counts (personal data of people in hardship). The
-- same list as geo/roles.py AccountRole.sees_assistance (a test holds them equal).
CREATE OR REPLACE FUNCTION public.jy_sees_assistance()
 RETURNS boolean
 LANGUAGE sql
 STABLE PARALLEL SAFE
AS $function$
    SELECT coalesce(jy_ctx('role') IN ('city_commander', 'town_leader', 'village_staff'), false)
$function$;
GRANT EXECUTE ON FUNCTION public.jy_sees_assistance() TO jy_app;

CREATE OR REPLACE FUNCTION public.jy_begin(p_token text)
 RETURNS boolean
 LANGUAGE plpgsql
 SECURITY DEFINER
 SET search_path TO 'public', 'pg_temp'
AS $function$
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
END $function$;
GRANT EXECUTE ON FUNCTION public.jy_begin(text) TO jy_app;

CREATE OR REPLACE FUNCTION public.jy_begin_terminal(p_token text, p_event bigint DEFAULT NULL::bigint)
 RETURNS boolean
 LANGUAGE plpgsql
 SECURITY DEFINER
 SET search_path TO 'public', 'pg_temp'
AS $function$
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
END $function$;
GRANT EXECUTE ON FUNCTION public.jy_begin_terminal(text,bigint) TO jy_app;

-- Another system files and reads its own requests; it sees the city (its queries filter by source).
CREATE OR REPLACE FUNCTION public.jy_begin_client(p_key text)
 RETURNS boolean
 LANGUAGE plpgsql
 SECURITY DEFINER
 SET search_path TO 'public', 'pg_temp'
AS $function$
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
END $function$;
GRANT EXECUTE ON FUNCTION public.jy_begin_client(text) TO jy_app;
