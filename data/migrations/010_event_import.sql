-- Event exports as terminals and the 12345 hotline produce them (issue 14): each row's own number
-- in its source system, so loading an overlapping export again changes nothing.
ALTER TABLE events ADD COLUMN IF NOT EXISTS external_source text CHECK (length(external_source) <= 40);
ALTER TABLE events ADD COLUMN IF NOT EXISTS external_id text CHECK (length(external_id) <= 64);
CREATE UNIQUE INDEX IF NOT EXISTS events_external_idx ON events (external_source, external_id)
    WHERE external_id IS NOT NULL;

-- Transition tables carry no statistics: for a bulk statement (100 k rows and more) the planner
-- guessed them small and joined old_rows to new_rows, and new_rows to event_log, in nested loops —
-- time growing with the square of the rows (a 200 k-row import never finished). Hash joins only.
ALTER FUNCTION events_stats_trigger() SET enable_nestloop = off;
ALTER FUNCTION event_log_apply() SET enable_nestloop = off;

-- The log moves the event; a bulk import writes each new event already in its first state
-- (reported at its report time, version 1), so that first log row needs no second write of a
-- million events: rows whose event already shows the row's state and has counted it are skipped.
-- Everything else is as in migration 002.
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
             WHERE g.event_id IN (SELECT event_id FROM new_rows)
             ORDER BY g.event_id, g.at DESC, g.id DESC) l
     WHERE e.id = l.event_id
       AND NOT (l.from_status IS NULL AND e.version = 1 AND e.status = l.to_status AND e.status_at = l.at);
    RETURN NULL;
END $$;

-- Two indexes that repeat the leading column of another (village_code, grid_code are the first
-- columns of events_village_time_idx and events_grid_time_idx): every event written paid for them.
DROP INDEX IF EXISTS events_village_idx;
DROP INDEX IF EXISTS events_grid_idx;
