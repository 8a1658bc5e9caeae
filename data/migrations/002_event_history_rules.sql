-- events.status always equals the to_status of the event's latest event_log row.
-- The log is the only writer of status: inserting log rows moves the event (set-based, one UPDATE
-- per statement, so COPY of a million rows costs one join, not a million trigger calls).

CREATE OR REPLACE FUNCTION events_before_insert() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF NEW.status IS DISTINCT FROM 'reported' OR NEW.closed_at IS NOT NULL THEN
        RAISE EXCEPTION 'a new event starts as reported; later states come from event_log rows'
            USING ERRCODE = 'check_violation';
    END IF;
    NEW.status_at := coalesce(NEW.status_at, NEW.reported_at);
    RETURN NEW;
END $$;

DROP TRIGGER IF EXISTS events_before_insert ON events;
CREATE TRIGGER events_before_insert BEFORE INSERT ON events
    FOR EACH ROW EXECUTE FUNCTION events_before_insert();

CREATE OR REPLACE FUNCTION events_guard_status() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE latest text;
BEGIN
    -- Depth 1 is a direct UPDATE; deeper ones come from event_log_apply below.
    IF pg_trigger_depth() > 1 THEN
        RETURN NEW;
    END IF;
    SELECT to_status INTO latest FROM event_log
     WHERE event_id = NEW.id ORDER BY at DESC, id DESC LIMIT 1;
    IF NEW.status IS DISTINCT FROM latest THEN
        RAISE EXCEPTION 'events.status follows event_log: insert a log row to move event % to %',
            NEW.id, NEW.status USING ERRCODE = 'check_violation';
    END IF;
    RETURN NEW;
END $$;

DROP TRIGGER IF EXISTS events_guard_status ON events;
CREATE TRIGGER events_guard_status BEFORE UPDATE OF status, closed_at ON events
    FOR EACH ROW WHEN (NEW.status IS DISTINCT FROM OLD.status
                       OR NEW.closed_at IS DISTINCT FROM OLD.closed_at)
    EXECUTE FUNCTION events_guard_status();

CREATE OR REPLACE FUNCTION event_log_apply() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    UPDATE events e
       SET status = l.to_status,
           status_at = l.at,
           closed_at = CASE WHEN l.to_status = 'closed' THEN l.at END,
           version = e.version + 1
      FROM (SELECT DISTINCT ON (g.event_id) g.event_id, g.to_status, g.at
              FROM event_log g
             WHERE g.event_id IN (SELECT event_id FROM new_rows)
             ORDER BY g.event_id, g.at DESC, g.id DESC) l
     WHERE e.id = l.event_id;
    RETURN NULL;
END $$;

DROP TRIGGER IF EXISTS event_log_apply ON event_log;
CREATE TRIGGER event_log_apply AFTER INSERT ON event_log
    REFERENCING NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION event_log_apply();

-- Append-only. Only the demo loader may empty it, by setting jiangyin.allow_log_purge locally.
CREATE OR REPLACE FUNCTION event_log_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'TRUNCATE' AND current_setting('jiangyin.allow_log_purge', true) = 'on' THEN
        RETURN NULL;
    END IF;
    RAISE EXCEPTION 'event_log is append-only (% refused)', TG_OP
        USING ERRCODE = 'insufficient_privilege';
END $$;

DROP TRIGGER IF EXISTS event_log_no_change ON event_log;
CREATE TRIGGER event_log_no_change BEFORE UPDATE OR DELETE ON event_log
    FOR EACH ROW EXECUTE FUNCTION event_log_append_only();
DROP TRIGGER IF EXISTS event_log_no_truncate ON event_log;
CREATE TRIGGER event_log_no_truncate BEFORE TRUNCATE ON event_log
    FOR EACH STATEMENT EXECUTE FUNCTION event_log_append_only();

-- Point -> third-level grid. Tie-break rule (README, "Point to grid"):
--   1. among admin third-level grids whose closed polygon (boundary included) contains the point,
--      the one with the smallest code;
--   2. else (a floating-point hairline between grids, or the county edge) the nearest such grid
--      within 1 metre (geography distance), ties again by smallest code;
--   3. else NULL: the point is outside the county, and the caller refuses it.
-- The && box of 0.0001 degrees (about 10 m) only narrows the index search; the test is in metres.
CREATE OR REPLACE FUNCTION grid_for_point(p geometry) RETURNS text
LANGUAGE plpgsql STABLE PARALLEL SAFE AS $$
DECLARE found text;
BEGIN
    SELECT g.code INTO found FROM grids g
     WHERE g.level = 3 AND g.kind = 'admin' AND ST_Intersects(g.geom, p)
     ORDER BY g.code LIMIT 1;
    IF found IS NULL THEN
        SELECT g.code INTO found FROM grids g
         WHERE g.level = 3 AND g.kind = 'admin' AND g.geom && ST_Expand(p, 0.0001)
           AND ST_Distance(g.geom::geography, p::geography) <= 1.0
         ORDER BY ST_Distance(g.geom::geography, p::geography), g.code LIMIT 1;
    END IF;
    RETURN found;
END $$;
