-- The chain's head in one index probe: "ORDER BY chain_seq DESC NULLS LAST" (migration 023) does
-- not match the index's order, so every audited action sorted the whole audit_log (~2 ms each, and
-- under the chain's lock). Rows without chain_seq are only ever the pre-023 ones, all backfilled.
CREATE OR REPLACE FUNCTION audit_log_chain() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp AS $$
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
END $$;
