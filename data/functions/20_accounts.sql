-- Dashboard accounts: log-in lookups, throttle, sessions.
-- Live text: re-applied by geo/db.migrate whenever a file here changes (docs/schema.md).

-- Log-in happens before there is a scope: these two functions are the app's only way to read a
-- password hash and to count failures. Both run as the owner.
CREATE OR REPLACE FUNCTION public.jy_auth_lookup(p_username text)
 RETURNS TABLE(id bigint, username text, display_name text, role text, town_code text, village_code text, password_hash text, disabled boolean, locked_until timestamp with time zone)
 LANGUAGE sql
 STABLE SECURITY DEFINER
 SET search_path TO 'public', 'pg_temp'
AS $function$
    SELECT u.id, u.username, u.display_name, u.role, u.town_code, u.village_code, u.password_hash,
           u.disabled, u.locked_until
      FROM app_users u WHERE u.username = lower(btrim(p_username))
$function$;
GRANT EXECUTE ON FUNCTION public.jy_auth_lookup(text) TO jy_auth;

-- One attempt: count or clear the source's failures, write the audit row; returns the wait (NULL
-- when none). The account's own failure count is kept for the users page.
CREATE OR REPLACE FUNCTION public.jy_auth_record(p_username text, p_source text, p_ok boolean, p_reason text, p_max_failures integer, p_lock_minutes integer)
 RETURNS timestamp with time zone
 LANGUAGE plpgsql
 SECURITY DEFINER
 SET search_path TO 'public', 'pg_temp'
AS $function$
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
END $function$;
GRANT EXECUTE ON FUNCTION public.jy_auth_record(text,text,boolean,text,integer,integer) TO jy_auth;

-- Until when this source must wait for this name (NULL: it may try now).
CREATE OR REPLACE FUNCTION public.jy_auth_throttled(p_source text, p_username text)
 RETURNS timestamp with time zone
 LANGUAGE sql
 STABLE SECURITY DEFINER
 SET search_path TO 'public', 'pg_temp'
AS $function$
    SELECT max(t.until) FROM login_throttle t
     WHERE t.source = left(p_source, 64) AND t.username IN (left(lower(btrim(p_username)), 64), '*')
       AND t.until > now()
$function$;
GRANT EXECUTE ON FUNCTION public.jy_auth_throttled(text,text) TO jy_auth;

-- The admin's unlock lifts every wait on the name (an admin's session, or the owner itself).
CREATE OR REPLACE FUNCTION public.jy_auth_unlock(p_username text)
 RETURNS boolean
 LANGUAGE plpgsql
 SECURITY DEFINER
 SET search_path TO 'public', 'pg_temp'
AS $function$
BEGIN
    IF (public.jy_is_admin() OR public.jy_by_owner()) IS NOT TRUE THEN
        RAISE EXCEPTION 'only an admin may unlock an account' USING ERRCODE = 'insufficient_privilege';
    END IF;
    DELETE FROM login_throttle WHERE username = left(lower(btrim(p_username)), 64);
    UPDATE app_users SET failed_attempts = 0, locked_until = NULL WHERE username = lower(btrim(p_username));
    RETURN FOUND;
END $function$;
GRANT EXECUTE ON FUNCTION public.jy_auth_unlock(text) TO jy_app;

-- Sessions. Start one at log-in (same transaction as the audit row); resume it from the cookie
-- while it is neither ended nor idle longer than p_idle_s (wall accounts do not idle out) and the
-- account is enabled; touch it on activity; end it at log-out or time-out.
CREATE OR REPLACE FUNCTION public.jy_session_start(p_username text, p_token_hash text, p_idle_s double precision)
 RETURNS void
 LANGUAGE sql
 SECURITY DEFINER
 SET search_path TO 'public', 'pg_temp'
AS $function$
    INSERT INTO app_sessions (token_hash, username, idle_limit_s)
    SELECT p_token_hash, u.username, CASE WHEN u.role = 'wall' THEN NULL ELSE p_idle_s END
      FROM app_users u WHERE u.username = p_username
$function$;
GRANT EXECUTE ON FUNCTION public.jy_session_start(text,text,double precision) TO jy_auth;

-- An open tab stays signed in only while its session is valid (issue 19): jy_session_touch now
-- answers false — and records nothing — when the session ended (log-out in another tab), the
-- account was disabled, or its password changed since the session began; the dashboard re-checks
-- every few seconds, also inside the auto-refreshing panels of the wall, and signs the tab out.
CREATE OR REPLACE FUNCTION public.jy_session_touch(p_token_hash text)
 RETURNS boolean
 LANGUAGE sql
 SECURITY DEFINER
 SET search_path TO 'public', 'pg_temp'
AS $function$
    WITH t AS (
        UPDATE app_sessions s SET last_seen_at = now()
          FROM app_users u
         WHERE s.token_hash = p_token_hash AND u.username = s.username AND s.ended_at IS NULL
           AND NOT u.disabled AND s.created_at > u.password_changed_at
           AND (s.idle_limit_s IS NULL OR s.last_seen_at > now() - make_interval(secs => s.idle_limit_s))
        RETURNING true AS ok
    )
    SELECT coalesce((SELECT ok FROM t), false)
$function$;
GRANT EXECUTE ON FUNCTION public.jy_session_touch(text) TO jy_app;

CREATE OR REPLACE FUNCTION public.jy_session_end(p_token_hash text, p_reason text)
 RETURNS boolean
 LANGUAGE plpgsql
 SECURITY DEFINER
 SET search_path TO 'public', 'pg_temp'
AS $function$
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
END $function$;
GRANT EXECUTE ON FUNCTION public.jy_session_end(text,text) TO jy_app;

CREATE OR REPLACE FUNCTION public.jy_session_resume(p_token_hash text, p_idle_s double precision)
 RETURNS TABLE(username text, display_name text, role text, town_code text, village_code text)
 LANGUAGE sql
 SECURITY DEFINER
 SET search_path TO 'public', 'pg_temp'
AS $function$
    UPDATE app_sessions s SET last_seen_at = now()
      FROM app_users u
     WHERE s.token_hash = p_token_hash AND u.username = s.username AND s.ended_at IS NULL
       AND NOT u.disabled AND s.created_at > u.password_changed_at
       AND (u.role = 'wall' OR s.last_seen_at > now() - make_interval(secs => p_idle_s))
    RETURNING u.username, u.display_name, u.role, u.town_code, u.village_code
$function$;
GRANT EXECUTE ON FUNCTION public.jy_session_resume(text,double precision) TO jy_app;

-- A code for an open session, valid 60 s, once (the caller proves the session by its token).
CREATE OR REPLACE FUNCTION public.jy_session_handoff(p_token_hash text, p_code_hash text)
 RETURNS boolean
 LANGUAGE plpgsql
 SECURITY DEFINER
 SET search_path TO 'public', 'pg_temp'
AS $function$
BEGIN
    DELETE FROM session_handoffs WHERE expires_at < now() - interval '1 day';
    INSERT INTO session_handoffs (code_hash, token_hash, expires_at)
    SELECT p_code_hash, s.token_hash, now() + interval '60 seconds'
      FROM app_sessions s WHERE s.token_hash = p_token_hash AND s.ended_at IS NULL;
    RETURN FOUND;
END $function$;
GRANT EXECUTE ON FUNCTION public.jy_session_handoff(text,text) TO jy_app;

-- Exchange a code for a new session of the same account (same idle limit); the old one ends.
CREATE OR REPLACE FUNCTION public.jy_session_adopt(p_code_hash text, p_new_token_hash text)
 RETURNS boolean
 LANGUAGE plpgsql
 SECURITY DEFINER
 SET search_path TO 'public', 'pg_temp'
AS $function$
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
END $function$;
GRANT EXECUTE ON FUNCTION public.jy_session_adopt(text,text) TO jy_app;

-- Anyone signed in changes their own password (the old one was checked by a sign-in first, in
-- geo/auth.py): the signed session names the account, never the caller. Sessions started before
-- the change end with it (password_changed_at), this one too. Refuses without a signed session.
CREATE OR REPLACE FUNCTION public.jy_password_change_own(p_hash text)
 RETURNS boolean
 LANGUAGE plpgsql
 SECURITY DEFINER
 SET search_path TO 'public', 'pg_temp'
AS $function$
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
END $function$;
REVOKE EXECUTE ON FUNCTION public.jy_password_change_own(text) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION public.jy_password_change_own(text) TO jy_app;

-- Whether the signed-in account must change its password before anything else (NULL unsigned).
CREATE OR REPLACE FUNCTION public.jy_must_change_password()
 RETURNS boolean
 LANGUAGE sql
 STABLE SECURITY DEFINER
 SET search_path TO 'public', 'pg_temp'
AS $function$
    SELECT u.must_change_password FROM public.app_users u
     WHERE public.jy_context_ok() AND u.username = public.jy_ctx('user')
$function$;
REVOKE EXECUTE ON FUNCTION public.jy_must_change_password() FROM PUBLIC;
GRANT EXECUTE ON FUNCTION public.jy_must_change_password() TO jy_app;
