-- An HttpOnly session cookie (issue 19, item 2). Behind the proxy the dashboard's log-in form checks
-- the password as before, then hands the new session to the API through a one-time code: the browser
-- is sent to /auth/adopt?code=…, where the API ends that session and starts a fresh one whose token
-- only ever travels in its own Set-Cookie (HttpOnly, SameSite=Strict, Secure over TLS). No script
-- ever sees a session token.
CREATE TABLE IF NOT EXISTS session_handoffs (
    code_hash text PRIMARY KEY CHECK (length(code_hash) = 64),
    token_hash text NOT NULL REFERENCES app_sessions (token_hash) ON DELETE CASCADE,
    expires_at timestamptz NOT NULL,
    used_at timestamptz
);
CREATE INDEX IF NOT EXISTS session_handoffs_expiry_idx ON session_handoffs (expires_at);
ALTER TABLE session_handoffs ENABLE ROW LEVEL SECURITY;
ALTER TABLE session_handoffs FORCE ROW LEVEL SECURITY;
DROP POLICY IF EXISTS owner_all ON session_handoffs;
CREATE POLICY owner_all ON session_handoffs TO CURRENT_USER USING (true) WITH CHECK (true);
REVOKE ALL ON session_handoffs FROM PUBLIC;

-- A code for an open session, valid 60 s, once (the caller proves the session by its token).
CREATE OR REPLACE FUNCTION jy_session_handoff(p_token_hash text, p_code_hash text) RETURNS boolean
LANGUAGE plpgsql VOLATILE SECURITY DEFINER SET search_path = public, pg_temp AS $$
BEGIN
    DELETE FROM session_handoffs WHERE expires_at < now() - interval '1 day';
    INSERT INTO session_handoffs (code_hash, token_hash, expires_at)
    SELECT p_code_hash, s.token_hash, now() + interval '60 seconds'
      FROM app_sessions s WHERE s.token_hash = p_token_hash AND s.ended_at IS NULL;
    RETURN FOUND;
END $$;

-- Exchange a code for a new session of the same account (same idle limit); the old one ends.
CREATE OR REPLACE FUNCTION jy_session_adopt(p_code_hash text, p_new_token_hash text) RETURNS boolean
LANGUAGE plpgsql VOLATILE SECURITY DEFINER SET search_path = public, pg_temp AS $$
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

REVOKE ALL ON FUNCTION jy_session_handoff(text, text), jy_session_adopt(text, text) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION jy_session_handoff(text, text), jy_session_adopt(text, text) TO jy_app;
