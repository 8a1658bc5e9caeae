-- Log-in that cannot be turned against users (issue 19). Failures are counted per source (the
-- client's address) and name — a known account or not, so a lock says nothing about who exists —
-- and per source over all names. Five failures in a row from one source on one name, or thirty
-- from one source within the lock time, make that source wait (p_lock_minutes): the same account
-- still signs in from anywhere else, so nobody can keep `admin` locked out. app_users keeps its
-- failure count as information for the users page; it no longer locks the account.
CREATE TABLE IF NOT EXISTS login_throttle (
    source text NOT NULL CHECK (length(source) BETWEEN 1 AND 64),
    username text NOT NULL CHECK (length(username) <= 64),       -- '*': every name from the source
    failures integer NOT NULL DEFAULT 0,
    first_failure_at timestamptz,
    until timestamptz,
    PRIMARY KEY (source, username)
);
ALTER TABLE login_throttle ENABLE ROW LEVEL SECURITY;
ALTER TABLE login_throttle FORCE ROW LEVEL SECURITY;
DROP POLICY IF EXISTS owner_all ON login_throttle;
CREATE POLICY owner_all ON login_throttle TO CURRENT_USER USING (true) WITH CHECK (true);
REVOKE ALL ON login_throttle FROM PUBLIC;

-- Until when this source must wait for this name (NULL: it may try now).
CREATE OR REPLACE FUNCTION jy_auth_throttled(p_source text, p_username text) RETURNS timestamptz
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public, pg_temp AS $$
    SELECT max(t.until) FROM login_throttle t
     WHERE t.source = left(p_source, 64) AND t.username IN (left(lower(btrim(p_username)), 64), '*')
       AND t.until > now()
$$;

-- One attempt: count or clear the source's failures, write the audit row; returns the wait (NULL
-- when none). The account's own failure count is kept for the users page.
CREATE OR REPLACE FUNCTION jy_auth_record(p_username text, p_source text, p_ok boolean, p_reason text,
                                          p_max_failures integer, p_lock_minutes integer)
RETURNS timestamptz
LANGUAGE plpgsql VOLATILE SECURITY DEFINER SET search_path = public, pg_temp AS $$
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

-- The admin's unlock lifts every wait on the name (an admin's session, or the owner itself).
CREATE OR REPLACE FUNCTION jy_auth_unlock(p_username text) RETURNS boolean
LANGUAGE plpgsql VOLATILE SECURITY DEFINER SET search_path = public, pg_temp AS $$
BEGIN
    IF NOT (jy_is_admin() OR session_user = current_user) THEN
        RAISE EXCEPTION 'only an admin may unlock an account' USING ERRCODE = 'insufficient_privilege';
    END IF;
    DELETE FROM login_throttle WHERE username = left(lower(btrim(p_username)), 64);
    UPDATE app_users SET failed_attempts = 0, locked_until = NULL WHERE username = lower(btrim(p_username));
    RETURN FOUND;
END $$;

DROP FUNCTION IF EXISTS jy_auth_record(text, boolean, text, integer, integer);
REVOKE ALL ON FUNCTION jy_auth_throttled(text, text), jy_auth_record(text, text, boolean, text, integer, integer),
      jy_auth_unlock(text) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION jy_auth_throttled(text, text), jy_auth_record(text, text, boolean, text, integer, integer),
      jy_auth_unlock(text) TO jy_app;
