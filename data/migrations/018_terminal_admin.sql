-- The admin page opens, resets and stops terminal accounts (issue 15) through these functions: the
-- app role never writes terminal_accounts itself, and only an admin transaction (or the owner: the
-- CLI and the demo) may call them. A token of a stopped account stops working at once
-- (jy_token_check joins the account); a new password revokes the account's tokens.
CREATE OR REPLACE FUNCTION jy_terminal_set(p_terminal text, p_hash text) RETURNS bigint
LANGUAGE plpgsql VOLATILE SECURITY DEFINER SET search_path = public, pg_temp AS $$
DECLARE sid bigint; srole text;
BEGIN
    IF session_user = 'jy_app' AND NOT jy_is_admin() THEN
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

CREATE OR REPLACE FUNCTION jy_terminal_disable(p_terminal text, p_disabled boolean) RETURNS bigint
LANGUAGE plpgsql VOLATILE SECURITY DEFINER SET search_path = public, pg_temp AS $$
DECLARE sid bigint;
BEGIN
    IF session_user = 'jy_app' AND NOT jy_is_admin() THEN
        RAISE EXCEPTION 'only an admin may stop a terminal account' USING ERRCODE = 'insufficient_privilege';
    END IF;
    UPDATE terminal_accounts a SET disabled = p_disabled FROM staff s
     WHERE s.id = a.staff_id AND s.terminal_id = btrim(p_terminal) RETURNING a.staff_id INTO sid;
    RETURN sid;
END $$;

-- The admin page's list: which staff have a terminal account (no hashes).
CREATE OR REPLACE FUNCTION jy_terminal_accounts()
RETURNS TABLE (terminal_id text, staff_name text, role text, grid_code text, disabled boolean,
               created_at timestamptz, last_token_at timestamptz)
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public, pg_temp AS $$
    SELECT s.terminal_id, s.name, s.role, s.grid_code, a.disabled, a.created_at,
           (SELECT max(t.issued_at) FROM api_tokens t WHERE t.staff_id = s.id)
      FROM terminal_accounts a JOIN staff s ON s.id = a.staff_id
     WHERE jy_is_admin() OR session_user <> 'jy_app'
     ORDER BY s.terminal_id
$$;
REVOKE ALL ON FUNCTION jy_terminal_set(text, text), jy_terminal_disable(text, boolean), jy_terminal_accounts() FROM PUBLIC;
GRANT EXECUTE ON FUNCTION jy_terminal_set(text, text), jy_terminal_disable(text, boolean), jy_terminal_accounts() TO jy_app;
