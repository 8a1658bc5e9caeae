-- Applied first, whenever any file of data/functions changes: every function of the schema's owner
-- starts with EXECUTE for its owner only; each file below grants what its callers need, next to the
-- function (docs/security.md lists who may execute what, and why).
-- A function made by the owner is executable by the owner only until a grant says otherwise (the
-- global default, not per schema: a per-schema default cannot take away what the global one gives).
ALTER DEFAULT PRIVILEGES REVOKE EXECUTE ON FUNCTIONS FROM PUBLIC;
DO $$
DECLARE f record;
BEGIN
    FOR f IN SELECT p.oid::regprocedure AS sig
               FROM pg_catalog.pg_proc p
              WHERE p.pronamespace = 'public'::regnamespace AND p.proowner = current_user::regrole
                AND NOT EXISTS (SELECT 1 FROM pg_catalog.pg_depend d
                                 WHERE d.classid = 'pg_catalog.pg_proc'::regclass AND d.objid = p.oid
                                   AND d.deptype = 'e') LOOP
        EXECUTE format('REVOKE ALL ON FUNCTION %s FROM PUBLIC, jy_app, jy_auth, jy_outbox, jy_escalate, jy_warn', f.sig);
    END LOOP;
END $$;
