-- An open tab stays signed in only while its session is valid (issue 19): jy_session_touch now
-- answers false — and records nothing — when the session ended (log-out in another tab), the
-- account was disabled, or its password changed since the session began; the dashboard re-checks
-- every few seconds, also inside the auto-refreshing panels of the wall, and signs the tab out.
CREATE OR REPLACE FUNCTION jy_session_touch(p_token_hash text) RETURNS boolean
LANGUAGE sql VOLATILE SECURITY DEFINER SET search_path = public, pg_temp AS $$
    WITH t AS (
        UPDATE app_sessions s SET last_seen_at = now()
          FROM app_users u
         WHERE s.token_hash = p_token_hash AND u.username = s.username AND s.ended_at IS NULL
           AND NOT u.disabled AND s.created_at > u.password_changed_at
        RETURNING true AS ok
    )
    SELECT coalesce((SELECT ok FROM t), false)
$$;
REVOKE ALL ON FUNCTION jy_session_touch(text) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION jy_session_touch(text) TO jy_app;
