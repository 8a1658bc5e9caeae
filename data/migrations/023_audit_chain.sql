-- Tamper-evident audit (issue 19): every audit_log row carries the hash of the row before it, so a
-- row changed, removed or slipped in afterwards breaks the chain at that row. Inserts are chained
-- in commit order: the trigger takes a transaction-level advisory lock, numbers the row from its
-- own sequence (chain_seq) and hashes it with the previous committed row's hash. jy_audit_verify()
-- recomputes the chain and names the first row that does not match; `python -m loaders
-- audit-verify` prints it with the head hash (keep that somewhere else to anchor the chain).
CREATE SEQUENCE IF NOT EXISTS audit_chain_seq;
ALTER TABLE audit_log ADD COLUMN IF NOT EXISTS chain_seq bigint;
ALTER TABLE audit_log ADD COLUMN IF NOT EXISTS prev_hash text;
ALTER TABLE audit_log ADD COLUMN IF NOT EXISTS row_hash text;

-- The text a row's hash covers: every column but the hashes, in a fixed form.
CREATE OR REPLACE FUNCTION jy_audit_text(p_seq bigint, p_id bigint, p_at timestamptz, p_username text,
                                         p_role text, p_action text, p_target text, p_ok boolean,
                                         p_detail jsonb) RETURNS text
LANGUAGE sql IMMUTABLE AS $$
    SELECT concat_ws('|', p_seq::text, p_id::text,
                     to_char(p_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US'), p_username,
                     coalesce(p_role, ''), p_action, coalesce(p_target, ''), p_ok::text, p_detail::text)
$$;

CREATE OR REPLACE FUNCTION jy_audit_hash(p_prev text, p_text text) RETURNS text
LANGUAGE sql IMMUTABLE AS $$
    SELECT encode(sha256(convert_to(p_prev || '|' || p_text, 'UTF8')), 'hex')
$$;

-- Existing rows, chained in id order.
DO $$
DECLARE
    r record;
    prev text := repeat('0', 64);
    n bigint := 0;
BEGIN
    IF EXISTS (SELECT 1 FROM audit_log WHERE row_hash IS NULL) THEN
        FOR r IN SELECT * FROM audit_log ORDER BY id LOOP
            n := nextval('audit_chain_seq');
            UPDATE audit_log SET chain_seq = n, prev_hash = prev,
                   row_hash = jy_audit_hash(prev, jy_audit_text(n, r.id, r.at, r.username, r.role, r.action,
                                                                r.target, r.ok, r.detail))
             WHERE id = r.id
            RETURNING row_hash INTO prev;
        END LOOP;
    END IF;
END $$;

CREATE OR REPLACE FUNCTION audit_log_chain() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp AS $$
DECLARE
    prev text;
BEGIN
    PERFORM pg_advisory_xact_lock(hashtext('jy_audit_chain'));
    SELECT a.row_hash INTO prev FROM audit_log a ORDER BY a.chain_seq DESC NULLS LAST LIMIT 1;
    NEW.chain_seq := nextval('audit_chain_seq');
    NEW.prev_hash := coalesce(prev, repeat('0', 64));
    NEW.row_hash := jy_audit_hash(NEW.prev_hash, jy_audit_text(NEW.chain_seq, NEW.id, NEW.at, NEW.username,
                                                              NEW.role, NEW.action, NEW.target, NEW.ok,
                                                              NEW.detail));
    RETURN NEW;
END $$;
DROP TRIGGER IF EXISTS audit_log_chain ON audit_log;
CREATE TRIGGER audit_log_chain BEFORE INSERT ON audit_log FOR EACH ROW EXECUTE FUNCTION audit_log_chain();
CREATE UNIQUE INDEX IF NOT EXISTS audit_log_chain_idx ON audit_log (chain_seq);

-- The first row whose hash or link does not match (NULL: the chain holds), rows checked, head hash.
CREATE OR REPLACE FUNCTION jy_audit_verify()
RETURNS TABLE (first_broken_id bigint, first_broken_seq bigint, rows_checked bigint, head_hash text)
LANGUAGE plpgsql STABLE SECURITY DEFINER SET search_path = public, pg_temp AS $$
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
END $$;
REVOKE ALL ON FUNCTION jy_audit_verify() FROM PUBLIC;
