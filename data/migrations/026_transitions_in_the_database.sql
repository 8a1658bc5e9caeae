-- The database refuses what the workflow does not allow (issue 19), whoever writes: a log row must
-- be a step of the workflow (geo/workflow.py ACTIONS: from → to, or a new event's first row) and
-- continue from the event's state — the event's status, or the row before it in the same
-- statement. events.version and status_at, like status, move only through the log.
-- workflow_transitions is a copy of the pairs ACTIONS allows; tests/test_workflow.py checks that
-- the two are equal, so a change to the workflow that forgets this table fails the tests.
CREATE TABLE IF NOT EXISTS workflow_transitions (
    from_status text,              -- NULL: the first row of a new event
    to_status text NOT NULL,
    UNIQUE NULLS NOT DISTINCT (from_status, to_status)
);
TRUNCATE workflow_transitions;
INSERT INTO workflow_transitions (from_status, to_status) VALUES
    (NULL, 'reported'),
    ('reported', 'accepted'), ('reported', 'rejected'), ('reported', 'reported'),
    ('accepted', 'accepted'), ('accepted', 'dispatched'),
    ('dispatched', 'dispatched'), ('dispatched', 'in_progress'), ('dispatched', 'returned'),
    ('returned', 'dispatched'), ('returned', 'returned'),
    ('in_progress', 'handled'), ('in_progress', 'in_progress'),
    ('handled', 'handled'), ('handled', 'in_progress'), ('handled', 'verified'),
    ('verified', 'closed'), ('verified', 'verified');
REVOKE ALL ON workflow_transitions FROM PUBLIC;
GRANT SELECT ON workflow_transitions TO jy_app;

-- Fires before event_log_apply (triggers of one kind fire in name order): events.status is still
-- the state the new rows start from.
CREATE OR REPLACE FUNCTION event_log_check() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp AS $$
DECLARE
    bad record;
BEGIN
    SELECT n.event_id, n.from_status, n.to_status INTO bad
      FROM new_rows n
     WHERE NOT EXISTS (SELECT 1 FROM workflow_transitions t
                        WHERE t.from_status IS NOT DISTINCT FROM n.from_status AND t.to_status = n.to_status)
     LIMIT 1;
    IF FOUND THEN
        RAISE EXCEPTION 'event %: % -> % is not a step of the workflow', bad.event_id,
              coalesce(bad.from_status, '(new)'), bad.to_status USING ERRCODE = 'check_violation';
    END IF;
    SELECT c.event_id, c.from_status, c.expected INTO bad
      FROM (SELECT n.event_id, n.from_status,
                   coalesce(lag(n.to_status) OVER (PARTITION BY n.event_id ORDER BY n.at, n.id), e.status) AS expected
              FROM new_rows n JOIN events e ON e.id = n.event_id
             WHERE n.from_status IS NOT NULL) c
     WHERE c.from_status IS DISTINCT FROM c.expected
     LIMIT 1;
    IF FOUND THEN
        RAISE EXCEPTION 'event %: the log row starts from % but the event is %', bad.event_id, bad.from_status,
              bad.expected USING ERRCODE = 'check_violation';
    END IF;
    RETURN NULL;
END $$;
DROP TRIGGER IF EXISTS event_log_a_check ON event_log;
CREATE TRIGGER event_log_a_check AFTER INSERT ON event_log
    REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION event_log_check();

CREATE OR REPLACE FUNCTION events_guard_status() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE latest text;
BEGIN
    -- Depth 1 is a direct UPDATE; deeper ones come from event_log_apply.
    IF pg_trigger_depth() > 1 THEN
        RETURN NEW;
    END IF;
    IF NEW.version IS DISTINCT FROM OLD.version OR NEW.status_at IS DISTINCT FROM OLD.status_at THEN
        RAISE EXCEPTION 'events.version and status_at follow event_log: insert a log row to move event %', NEW.id
              USING ERRCODE = 'check_violation';
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
CREATE TRIGGER events_guard_status BEFORE UPDATE OF status, closed_at, version, status_at ON events
    FOR EACH ROW WHEN (NEW.status IS DISTINCT FROM OLD.status OR NEW.closed_at IS DISTINCT FROM OLD.closed_at
                       OR NEW.version IS DISTINCT FROM OLD.version OR NEW.status_at IS DISTINCT FROM OLD.status_at)
    EXECUTE FUNCTION events_guard_status();

-- The app role updates only what the workflow moves (assignment, level, a corrected location); the
-- rest of an event — its text, times, status, version — is history, written once or by the log.
REVOKE UPDATE ON events FROM jy_app;
GRANT UPDATE (handling_level, escalated_at, assignee_department, assignee_team, assignee_staff_id, location,
              grid_code) ON events TO jy_app;
