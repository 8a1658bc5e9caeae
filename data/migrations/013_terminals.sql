-- The field terminals' accounts (issue 15): a grid worker or police officer in `staff` signs in with
-- the terminal number and a password (argon2id hash) and gets a bearer token, of which only the
-- SHA-256 is stored, expiring and revocable. The app role never reads either table: it calls the
-- SECURITY DEFINER functions below, which hand back what a sign-in or a request needs and no hash
-- of a token.
CREATE TABLE IF NOT EXISTS terminal_accounts (
    staff_id bigint PRIMARY KEY REFERENCES staff(id),
    password_hash text NOT NULL,
    disabled boolean NOT NULL DEFAULT false,
    created_at timestamptz NOT NULL DEFAULT now()
);
CREATE TABLE IF NOT EXISTS api_tokens (
    token_hash text PRIMARY KEY CHECK (length(token_hash) = 64),
    staff_id bigint NOT NULL REFERENCES staff(id),
    issued_at timestamptz NOT NULL DEFAULT now(),
    expires_at timestamptz NOT NULL,
    revoked_at timestamptz,
    CHECK (expires_at > issued_at)
);
CREATE INDEX IF NOT EXISTS api_tokens_staff_idx ON api_tokens (staff_id);
REVOKE ALL ON terminal_accounts, api_tokens FROM PUBLIC;
ALTER TABLE terminal_accounts ENABLE ROW LEVEL SECURITY;
ALTER TABLE terminal_accounts FORCE ROW LEVEL SECURITY;
ALTER TABLE api_tokens ENABLE ROW LEVEL SECURITY;
ALTER TABLE api_tokens FORCE ROW LEVEL SECURITY;
DROP POLICY IF EXISTS owner_all ON terminal_accounts;
CREATE POLICY owner_all ON terminal_accounts TO CURRENT_USER USING (true) WITH CHECK (true);
DROP POLICY IF EXISTS owner_all ON api_tokens;
CREATE POLICY owner_all ON api_tokens TO CURRENT_USER USING (true) WITH CHECK (true);

-- What a sign-in needs: the worker and the password hash (checked in Python, argon2).
CREATE OR REPLACE FUNCTION jy_terminal_lookup(p_terminal text)
RETURNS TABLE (staff_id bigint, name text, role text, terminal_id text, grid_code text,
               password_hash text, disabled boolean)
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public, pg_temp AS $$
    SELECT s.id, s.name, s.role, s.terminal_id, s.grid_code, a.password_hash, a.disabled
      FROM staff s JOIN terminal_accounts a ON a.staff_id = s.id
     WHERE s.terminal_id = btrim(p_terminal)
$$;

-- A new token for a worker whose password was just checked: its hash and lifetime.
CREATE OR REPLACE FUNCTION jy_token_issue(p_staff bigint, p_hash text, p_hours integer)
RETURNS timestamptz
LANGUAGE sql VOLATILE SECURITY DEFINER SET search_path = public, pg_temp AS $$
    INSERT INTO api_tokens (token_hash, staff_id, expires_at)
    VALUES (p_hash, p_staff, now() + make_interval(hours => p_hours))
    RETURNING expires_at
$$;

-- The worker behind a valid (unexpired, unrevoked) token, with the area the request runs in.
CREATE OR REPLACE FUNCTION jy_token_check(p_hash text)
RETURNS TABLE (staff_id bigint, name text, role text, terminal_id text, grid_code text,
               town_code text, village_code text, expires_at timestamptz)
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public, pg_temp AS $$
    SELECT s.id, s.name, s.role, s.terminal_id, s.grid_code, s.town_code, s.village_code, t.expires_at
      FROM api_tokens t JOIN staff s ON s.id = t.staff_id
      JOIN terminal_accounts a ON a.staff_id = s.id AND NOT a.disabled
     WHERE t.token_hash = p_hash AND t.revoked_at IS NULL AND t.expires_at > now()
$$;

CREATE OR REPLACE FUNCTION jy_token_revoke(p_hash text) RETURNS boolean
LANGUAGE sql VOLATILE SECURITY DEFINER SET search_path = public, pg_temp AS $$
    UPDATE api_tokens SET revoked_at = now() WHERE token_hash = p_hash AND revoked_at IS NULL
    RETURNING true
$$;

REVOKE ALL ON FUNCTION jy_terminal_lookup(text), jy_token_issue(bigint, text, integer),
    jy_token_check(text), jy_token_revoke(text) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION jy_terminal_lookup(text), jy_token_issue(bigint, text, integer),
    jy_token_check(text), jy_token_revoke(text) TO jy_app;
