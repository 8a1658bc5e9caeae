-- The database decides the scope (issue 19, item 1).
--
-- Before: row-level security read jy.scope / jy.town / jy.village / jy.role / jy.user, settings the
-- app role wrote itself with set_config() — so anyone who could run SQL as jy_app could name any
-- scope. Now every policy and every function reads them through jy_ctx(), which returns a setting
-- only when jy.sig holds an HMAC of the five values, this backend and this transaction's start,
-- made with a key jy_app cannot read (jy_context_key). Only the SECURITY DEFINER functions below
-- sign, and each first checks a credential:
--   jy_begin(session token)              a dashboard session: not ended, not idle past its limit,
--                                        account enabled, password unchanged since the log-in
--   jy_begin_terminal(token, event)      a field terminal's access token (the worker's village, or
--                                        the village of one of their own tasks)
--   jy_begin_client(api key)             another system's Open311 key
-- jy_app setting jy.* itself, copying a signature into another transaction or backend, or calling
-- these with a made-up, expired or revoked credential gets the empty scope: 0 rows.
--
-- Why a signature and not a row per transaction or a role per scope: it works on a read-only hot
-- standby (the replica the views read from: no writes), costs one HMAC per setting per query (the
-- policies read each setting once, as an InitPlan — migration 008), and needs no role per town or
-- village. The key never leaves the database.

CREATE EXTENSION IF NOT EXISTS pgcrypto;

CREATE TABLE IF NOT EXISTS jy_context_key (
    one boolean PRIMARY KEY DEFAULT true CHECK (one),
    k bytea NOT NULL CHECK (octet_length(k) = 32)
);
INSERT INTO jy_context_key (k) VALUES (gen_random_bytes(32)) ON CONFLICT DO NOTHING;
REVOKE ALL ON jy_context_key FROM PUBLIC;
REVOKE ALL ON jy_context_key FROM jy_app;
ALTER TABLE jy_context_key ENABLE ROW LEVEL SECURITY;
ALTER TABLE jy_context_key FORCE ROW LEVEL SECURITY;
DROP POLICY IF EXISTS owner_all ON jy_context_key;
CREATE POLICY owner_all ON jy_context_key TO CURRENT_USER USING (true) WITH CHECK (true);

-- What a signature covers. The unit separator cannot occur in a setting made by jy_sign_context.
CREATE OR REPLACE FUNCTION jy_context_text() RETURNS text
LANGUAGE sql STABLE AS $$
    SELECT concat_ws(chr(31), coalesce(current_setting('jy.scope', true), ''),
                     coalesce(current_setting('jy.town', true), ''), coalesce(current_setting('jy.village', true), ''),
                     coalesce(current_setting('jy.role', true), ''), coalesce(current_setting('jy.user', true), ''),
                     pg_backend_pid()::text, extract(epoch FROM transaction_timestamp())::text)
$$;

CREATE OR REPLACE FUNCTION jy_context_ok() RETURNS boolean
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public, pg_temp AS $$
    SELECT coalesce(current_setting('jy.sig', true) = encode(hmac(convert_to(jy_context_text(), 'UTF8'), k, 'sha256'), 'hex'),
                    false)
      FROM jy_context_key
$$;
REVOKE ALL ON FUNCTION jy_context_ok() FROM PUBLIC;
GRANT EXECUTE ON FUNCTION jy_context_ok() TO jy_app;

-- The one way policies and functions read the scope: the setting if the signature holds, else NULL.
CREATE OR REPLACE FUNCTION jy_ctx(p_name text) RETURNS text
LANGUAGE sql STABLE AS $$
    SELECT CASE WHEN jy_context_ok() THEN current_setting('jy.' || p_name, true) END
$$;

-- Sign a context for the rest of the transaction. Not granted to anyone: only the jy_begin*
-- functions (running as the owner) call it, after checking a credential.
CREATE OR REPLACE FUNCTION jy_sign_context(p_scope text, p_town text, p_village text, p_role text, p_user text)
RETURNS boolean
LANGUAGE plpgsql VOLATILE SECURITY DEFINER SET search_path = public, pg_temp AS $$
BEGIN
    PERFORM set_config('jy.scope', coalesce(p_scope, ''), true), set_config('jy.town', coalesce(p_town, ''), true),
            set_config('jy.village', coalesce(p_village, ''), true), set_config('jy.role', coalesce(p_role, ''), true),
            set_config('jy.user', coalesce(p_user, ''), true);
    PERFORM set_config('jy.sig', CASE WHEN coalesce(p_scope, '') = '' THEN ''
                                      ELSE encode(hmac(convert_to(jy_context_text(), 'UTF8'),
                                                       (SELECT k FROM jy_context_key), 'sha256'), 'hex') END, true);
    RETURN coalesce(p_scope, '') <> '';
END $$;
REVOKE ALL ON FUNCTION jy_sign_context(text, text, text, text, text) FROM PUBLIC;

-- Sessions idle out in the database too: the limit is fixed at log-in (NULL: the wall, which
-- never idles out), so a session token left in a closed tab stops working by itself.
ALTER TABLE app_sessions ADD COLUMN IF NOT EXISTS idle_limit_s double precision
    CHECK (idle_limit_s IS NULL OR idle_limit_s > 0);
-- Sessions from before this migration had no limit: they end (one more log-in after the upgrade).
UPDATE app_sessions SET ended_at = now() WHERE ended_at IS NULL;

DROP FUNCTION IF EXISTS jy_session_start(text, text);
CREATE OR REPLACE FUNCTION jy_session_start(p_username text, p_token_hash text, p_idle_s double precision)
RETURNS void
LANGUAGE sql VOLATILE SECURITY DEFINER SET search_path = public, pg_temp AS $$
    INSERT INTO app_sessions (token_hash, username, idle_limit_s)
    SELECT p_token_hash, u.username, CASE WHEN u.role = 'wall' THEN NULL ELSE p_idle_s END
      FROM app_users u WHERE u.username = p_username
$$;
REVOKE ALL ON FUNCTION jy_session_start(text, text, double precision) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION jy_session_start(text, text, double precision) TO jy_app;

CREATE OR REPLACE FUNCTION jy_session_touch(p_token_hash text) RETURNS boolean
LANGUAGE sql VOLATILE SECURITY DEFINER SET search_path = public, pg_temp AS $$
    WITH t AS (
        UPDATE app_sessions s SET last_seen_at = now()
          FROM app_users u
         WHERE s.token_hash = p_token_hash AND u.username = s.username AND s.ended_at IS NULL
           AND NOT u.disabled AND s.created_at > u.password_changed_at
           AND (s.idle_limit_s IS NULL OR s.last_seen_at > now() - make_interval(secs => s.idle_limit_s))
        RETURNING true AS ok
    )
    SELECT coalesce((SELECT ok FROM t), false)
$$;

-- Log-out and time-out: the database ends the session and writes the audit row for the account
-- the session belongs to (nothing for a token that is not an open session).
DROP FUNCTION IF EXISTS jy_session_end(text);
CREATE OR REPLACE FUNCTION jy_session_end(p_token_hash text, p_reason text) RETURNS boolean
LANGUAGE plpgsql VOLATILE SECURITY DEFINER SET search_path = public, pg_temp AS $$
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
END $$;
REVOKE ALL ON FUNCTION jy_session_end(text, text) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION jy_session_end(text, text) TO jy_app;

CREATE OR REPLACE FUNCTION jy_begin(p_token text) RETURNS boolean
LANGUAGE plpgsql VOLATILE SECURITY DEFINER SET search_path = public, pg_temp AS $$
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
END $$;

CREATE OR REPLACE FUNCTION jy_begin_terminal(p_token text, p_event bigint DEFAULT NULL) RETURNS boolean
LANGUAGE plpgsql VOLATILE SECURITY DEFINER SET search_path = public, pg_temp AS $$
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
END $$;

-- Another system files and reads its own requests; it sees the city (its queries filter by source).
CREATE OR REPLACE FUNCTION jy_begin_client(p_key text) RETURNS boolean
LANGUAGE plpgsql VOLATILE SECURITY DEFINER SET search_path = public, pg_temp AS $$
DECLARE
    c record;
BEGIN
    SELECT code INTO c FROM api_clients
     WHERE key_hash = encode(sha256(convert_to(coalesce(p_key, ''), 'UTF8')), 'hex') AND NOT disabled;
    IF NOT FOUND THEN
        RETURN jy_sign_context('', '', '', '', '');
    END IF;
    RETURN jy_sign_context('city', '', '', 'system', 'open311:' || c.code);
END $$;

REVOKE ALL ON FUNCTION jy_begin(text), jy_begin_terminal(text, bigint), jy_begin_client(text) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION jy_begin(text), jy_begin_terminal(text, bigint), jy_begin_client(text) TO jy_app;

-- Every policy for jy_app and every function that read a jy.* setting now reads it through jy_ctx();
-- jy_is_admin() in a policy is evaluated once per query (an InitPlan), not per row.
DO $$
DECLARE
    p record;
    f record;
    pat constant text := 'current_setting\(''jy\.(scope|town|village|role|user)''(::text)?,\s*true\)';
    rep constant text := 'jy_ctx(''\1'')';
    q text;
    c text;
BEGIN
    FOR f IN SELECT fn.oid FROM pg_proc fn JOIN pg_namespace ns ON ns.oid = fn.pronamespace
              WHERE ns.nspname = 'public' AND fn.prosrc ~ pat
                AND fn.proname NOT IN ('jy_context_text', 'jy_ctx', 'jy_sign_context') LOOP
        EXECUTE regexp_replace(pg_get_functiondef(f.oid), pat, rep, 'g');
    END LOOP;
    FOR p IN SELECT pp.policyname, pp.tablename, pp.qual, pp.with_check FROM pg_policies pp WHERE pp.schemaname = 'public' AND 'jy_app' = ANY (pp.roles) LOOP
        q := regexp_replace(regexp_replace(p.qual, pat, rep, 'g'), 'jy_is_admin\(\)', '(SELECT jy_is_admin())', 'g');
        c := regexp_replace(regexp_replace(p.with_check, pat, rep, 'g'), 'jy_is_admin\(\)', '(SELECT jy_is_admin())', 'g');
        IF q IS DISTINCT FROM p.qual OR c IS DISTINCT FROM p.with_check THEN
            EXECUTE format('ALTER POLICY %I ON %I', p.policyname, p.tablename)
                 || CASE WHEN q IS NOT NULL THEN format(' USING (%s)', q) ELSE '' END
                 || CASE WHEN c IS NOT NULL THEN format(' WITH CHECK (%s)', c) ELSE '' END;
        END IF;
    END LOOP;
END $$;

-- The outbox worker (a thread in each API process, no user) runs as its own narrow role: it may read
-- and mark the outbox and write notifications, nothing else. jy_app switches to it with SET LOCAL ROLE
-- (and can do no more there than the worker does).
DO $$
BEGIN
    IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'jy_outbox') THEN
        CREATE ROLE jy_outbox NOLOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE NOINHERIT NOBYPASSRLS;
    END IF;
END $$;
GRANT jy_outbox TO jy_app;
GRANT USAGE ON SCHEMA public TO jy_outbox;
GRANT SELECT, UPDATE ON outbox TO jy_outbox;
GRANT SELECT, INSERT ON notifications TO jy_outbox;
GRANT SELECT (id, town_code, village_code) ON staff TO jy_outbox;      -- the recipient's area, nothing else
DO $$
BEGIN
    EXECUTE format('GRANT USAGE ON SEQUENCE %s TO jy_outbox', pg_get_serial_sequence('notifications', 'id'));
END $$;
DROP POLICY IF EXISTS outbox_job ON staff;
CREATE POLICY outbox_job ON staff FOR SELECT TO jy_outbox USING (true);
DROP POLICY IF EXISTS outbox_job ON outbox;
CREATE POLICY outbox_job ON outbox TO jy_outbox USING (true) WITH CHECK (true);
DROP POLICY IF EXISTS outbox_job ON notifications;
CREATE POLICY outbox_job ON notifications TO jy_outbox USING (true) WITH CHECK (true);
