-- The database trusts no caller (issue 29).

-- The statistics no longer go through a session temporary table (data/functions/50_statistics.sql):
-- the two functions that created and read it are gone.
DROP FUNCTION IF EXISTS public.stats_delta_table();
DROP FUNCTION IF EXISTS public.stats_apply_delta();

-- The outbox worker signs in as its own role (its password is derived like jy_auth's: ./run.sh,
-- `loaders app-role`); the app role can no longer become it.
-- (a database built from the baseline before this change had granted it)
DO $$
BEGIN
    IF pg_has_role('jy_app', 'jy_outbox', 'MEMBER') THEN
        REVOKE jy_outbox FROM jy_app;
    END IF;
EXCEPTION WHEN OTHERS THEN           -- another database revoked it at the same moment
    IF pg_has_role('jy_app', 'jy_outbox', 'MEMBER') THEN RAISE; END IF;
END $$;

-- Who wrote a log row, as the signed session says (set by the database, never by the caller); the
-- reporter and the handler of an event may not verify it.
ALTER TABLE public.event_log ADD COLUMN IF NOT EXISTS username text CHECK (length(username) <= 80);

-- A sender's request, fingerprinted: the same Idempotency-Key with another body is refused (409).
ALTER TABLE public.events ADD COLUMN IF NOT EXISTS external_digest text CHECK (length(external_digest) = 64);

-- The role catalogue of geo/roles.py, as the database needs it to name who wrote a log row from the
-- signed session (loaded by loaders.reference with the other catalogues; a test keeps them equal).
CREATE TABLE IF NOT EXISTS public.role_catalogue (
    code text NOT NULL,
    kind text NOT NULL CHECK (kind IN ('account', 'actor')),
    label text NOT NULL CHECK (length(btrim(label)) > 0),
    acts_as text,                       -- account roles: the actor role it acts as ("dispatcher": by its town)
    PRIMARY KEY (kind, code)
);
REVOKE ALL ON public.role_catalogue FROM PUBLIC;
