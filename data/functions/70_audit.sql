-- The audit log's hash chain.
-- Live text: re-applied by geo/db.migrate whenever a file here changes (docs/schema.md).

-- The text a row's hash covers: every column but the hashes, in a fixed form.
CREATE OR REPLACE FUNCTION public.jy_audit_text(p_seq bigint, p_id bigint, p_at timestamp with time zone, p_username text, p_role text, p_action text, p_target text, p_ok boolean, p_detail jsonb)
 RETURNS text
 LANGUAGE sql
 IMMUTABLE
AS $function$
    SELECT concat_ws('|', p_seq::text, p_id::text,
                     to_char(p_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US'), p_username,
                     coalesce(p_role, ''), p_action, coalesce(p_target, ''), p_ok::text, p_detail::text)
$function$;
GRANT EXECUTE ON FUNCTION public.jy_audit_text(bigint,bigint,timestamp with time zone,text,text,text,text,boolean,jsonb) TO jy_app, jy_auth;

CREATE OR REPLACE FUNCTION public.jy_audit_hash(p_prev text, p_text text)
 RETURNS text
 LANGUAGE sql
 IMMUTABLE
AS $function$
    SELECT encode(sha256(convert_to(p_prev || '|' || p_text, 'UTF8')), 'hex')
$function$;
GRANT EXECUTE ON FUNCTION public.jy_audit_hash(text,text) TO jy_app, jy_auth;

-- An audit row written by the app role itself (a page, the API) says who and when as the signed
-- session and the clock say, whatever the caller sent; rows written by owner functions (log-in,
-- sessions) and the owner's tools are theirs. Fires before the chain (triggers run in name order),
-- so the hash covers the values kept.
CREATE OR REPLACE FUNCTION public.audit_log_from_session()
 RETURNS trigger
 LANGUAGE plpgsql
AS $function$
BEGIN
    IF current_user = session_user AND NOT public.jy_by_owner() THEN
        NEW.at := now();
        NEW.username := public.jy_ctx('user');
        NEW.role := public.jy_ctx('role');
    END IF;
    RETURN NEW;
END $function$;
CREATE OR REPLACE TRIGGER audit_log_a_session BEFORE INSERT ON public.audit_log FOR EACH ROW EXECUTE FUNCTION audit_log_from_session();

-- The chain's head in one index probe: "ORDER BY chain_seq DESC NULLS LAST" (migration 023) does
-- not match the index's order, so every audited action sorted the whole audit_log (~2 ms each, and
-- under the chain's lock). Rows without chain_seq are only ever the pre-023 ones, all backfilled.
CREATE OR REPLACE FUNCTION public.audit_log_chain()
 RETURNS trigger
 LANGUAGE plpgsql
 SECURITY DEFINER
 SET search_path TO 'public', 'pg_temp'
AS $function$
DECLARE
    prev text;
BEGIN
    PERFORM pg_advisory_xact_lock(hashtext('jy_audit_chain'));
    SELECT a.row_hash INTO prev FROM audit_log a WHERE a.chain_seq IS NOT NULL
     ORDER BY a.chain_seq DESC LIMIT 1;
    NEW.chain_seq := nextval('audit_chain_seq');
    NEW.prev_hash := coalesce(prev, repeat('0', 64));
    NEW.row_hash := jy_audit_hash(NEW.prev_hash, jy_audit_text(NEW.chain_seq, NEW.id, NEW.at, NEW.username,
                                                              NEW.role, NEW.action, NEW.target, NEW.ok,
                                                              NEW.detail));
    RETURN NEW;
END $function$;
CREATE OR REPLACE TRIGGER audit_log_chain BEFORE INSERT ON public.audit_log FOR EACH ROW EXECUTE FUNCTION audit_log_chain();

-- The first row whose hash or link does not match (NULL: the chain holds), rows checked, head hash.
CREATE OR REPLACE FUNCTION public.jy_audit_verify()
 RETURNS TABLE(first_broken_id bigint, first_broken_seq bigint, rows_checked bigint, head_hash text)
 LANGUAGE plpgsql
 STABLE SECURITY DEFINER
 SET search_path TO 'public', 'pg_temp'
AS $function$
DECLARE
    r record;
    prev text := repeat('0', 64);
    n bigint := 0;
BEGIN
    FOR r IN SELECT * FROM audit_log ORDER BY chain_seq NULLS FIRST, id LOOP
        n := n + 1;
        IF r.chain_seq IS NULL OR r.prev_hash IS DISTINCT FROM prev
           OR r.row_hash IS DISTINCT FROM jy_audit_hash(prev, jy_audit_text(r.chain_seq, r.id, r.at, r.username,
                                                                               r.role, r.action, r.target, r.ok,
                                                                               r.detail)) THEN
            RETURN QUERY SELECT r.id, r.chain_seq, n, prev;
            RETURN;
        END IF;
        prev := r.row_hash;
    END LOOP;
    RETURN QUERY SELECT NULL::bigint, NULL::bigint, n, prev;
END $function$;
