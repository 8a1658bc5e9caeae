-- Migration 010 turned nested loops off for the whole log trigger, for bulk imports (transition
-- tables carry no statistics, and 100 k-row batches were joined in nested loops). But every single
-- workflow action and report also inserts one log row, and without nested loops that one row was
-- hash-joined against the whole event_log: 31 ms per report at 20 k events (140 k log rows), growing
-- with the log (bench/api.py, 2026-11-28). Now the planner setting follows the batch: nested loops
-- stay on for small batches (index lookups by event id), off from BULK_ROWS rows up, and the UPDATE
-- is planned for each call (EXECUTE), so a plan cached for one size is never used for the other.
-- The statement itself is migration 011's.
CREATE OR REPLACE FUNCTION event_log_apply() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp AS $$
DECLARE
    bulk boolean := (SELECT count(*) FROM (SELECT 1 FROM new_rows LIMIT 5000) s) >= 5000;
    was text := current_setting('enable_nestloop');
BEGIN
    IF bulk THEN
        PERFORM set_config('enable_nestloop', 'off', true);
    END IF;
    EXECUTE $q$
    UPDATE events e
       SET status = l.to_status,
           status_at = l.at,
           closed_at = CASE WHEN l.to_status = 'closed' THEN l.at END,
           version = e.version + 1
      FROM (SELECT DISTINCT ON (g.event_id) g.event_id, g.to_status, g.at, g.from_status
              FROM event_log g
             WHERE g.event_id IN (
                   SELECT n.event_id FROM new_rows n
                    WHERE n.from_status IS NOT NULL
                   UNION
                   SELECT n.event_id FROM new_rows n JOIN events x ON x.id = n.event_id
                    WHERE n.from_status IS NULL
                      AND NOT (x.version = 1 AND x.status = n.to_status AND x.status_at = n.at))
             ORDER BY g.event_id, g.at DESC, g.id DESC) l
     WHERE e.id = l.event_id
       AND NOT (l.from_status IS NULL AND e.version = 1 AND e.status = l.to_status AND e.status_at = l.at)
    $q$;
    IF bulk THEN
        PERFORM set_config('enable_nestloop', was, true);
    END IF;
    RETURN NULL;
END $$;
ALTER FUNCTION event_log_apply() RESET enable_nestloop;
