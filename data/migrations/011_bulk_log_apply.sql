-- The log trigger of migration 010 skipped first rows that a bulk import had already written into
-- the event, but only after finding each event's latest log row: a join of the new rows with the
-- whole event_log and a sort (3.3 s of a 1 M-row import, EXPLAIN ANALYZE 2026-11-28). The events
-- with nothing to apply are now set aside first, on the new rows alone: an event whose new rows are
-- all first rows (from_status IS NULL) that it already shows (version 1, same state and time).
-- Everything else is as before.
CREATE OR REPLACE FUNCTION event_log_apply() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp SET enable_nestloop = off AS $$
BEGIN
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
       AND NOT (l.from_status IS NULL AND e.version = 1 AND e.status = l.to_status AND e.status_at = l.at);
    RETURN NULL;
END $$;

-- The daily figures (stats_*_day) are a pure function of the non-drill events: rebuilt in one pass
-- after a bulk load that held the counting triggers off (loaders/demo/load.py). Counting 2 M demo
-- events through the triggers cost each event twice (its insert, then the update that closed it):
-- 6.4 s + 12.4 s per 200 k events (auto_explain, 2026-11-28).
CREATE OR REPLACE FUNCTION stats_rebuild() RETURNS void
LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp SET work_mem = '512MB' AS $$
BEGIN
    TRUNCATE stats_grid_day, stats_village_day, stats_cell_day, stats_category_day;
    PERFORM stats_delta_table();
    INSERT INTO _stats_delta SELECT 1, grid_code, category_code, reported_at, closed_at, due_at,
           ST_X(ST_Transform(location, 4549)), ST_Y(ST_Transform(location, 4549))
      FROM events WHERE NOT is_drill;
    ANALYZE _stats_delta;
    PERFORM stats_apply_delta();
    DELETE FROM _stats_delta;
END $$;
REVOKE ALL ON FUNCTION stats_rebuild() FROM PUBLIC;

-- A bulk load that writes events and their whole history (the demo generator) holds the log
-- trigger off and moves every event to its latest log row once, here, in one pass. Batch by batch
-- the trigger would look up each batch's events in the whole log, which grows with every batch:
-- 2 M demo events took 316 s, most of it there (2026-11-28). Same rule as event_log_apply.
CREATE OR REPLACE FUNCTION events_replay_log() RETURNS bigint
LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp SET work_mem = '1GB' AS $$
DECLARE moved bigint;
BEGIN
    UPDATE events e
       SET status = l.to_status,
           status_at = l.at,
           closed_at = CASE WHEN l.to_status = 'closed' THEN l.at END,
           version = e.version + 1
      FROM (SELECT DISTINCT ON (g.event_id) g.event_id, g.to_status, g.at, g.from_status
              FROM event_log g
             ORDER BY g.event_id, g.at DESC, g.id DESC) l
     WHERE e.id = l.event_id
       AND NOT (l.from_status IS NULL AND e.version = 1 AND e.status = l.to_status AND e.status_at = l.at);
    GET DIAGNOSTICS moved = ROW_COUNT;
    RETURN moved;
END $$;
REVOKE ALL ON FUNCTION events_replay_log() FROM PUBLIC;
