-- Log-in runs as a role of its own (issue 19, item 1): jy_app can no longer read a password hash or
-- start a session (dashboard or terminal) — an SQL injection through the app's connections cannot
-- mint one. The log-in code connects as jy_auth (geo/auth.py: a small pool beside the app's; its
-- password is set by `python -m loaders app-role`), which may do nothing but these functions.
DO $$
BEGIN
    IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'jy_auth') THEN
        CREATE ROLE jy_auth NOLOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE NOINHERIT NOBYPASSRLS;
    END IF;
END $$;
GRANT USAGE ON SCHEMA public TO jy_auth;

REVOKE EXECUTE ON FUNCTION jy_auth_lookup(text), jy_auth_throttled(text, text),
    jy_auth_record(text, text, boolean, text, integer, integer), jy_session_start(text, text, double precision),
    jy_terminal_lookup(text), jy_token_issue(bigint, text, integer) FROM jy_app, PUBLIC;
GRANT EXECUTE ON FUNCTION jy_auth_lookup(text), jy_auth_throttled(text, text),
    jy_auth_record(text, text, boolean, text, integer, integer), jy_session_start(text, text, double precision),
    jy_terminal_lookup(text), jy_token_issue(bigint, text, integer) TO jy_auth;
