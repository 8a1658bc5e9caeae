-- The escalation job (`python -m loaders escalate`, for cron) runs as a narrow role of its own
-- (issue 19): it may find overdue open events, move their handling level and write the log row —
-- nothing else (no staff, accounts, audit, photos; no other event column). The owner switches to it
-- with SET LOCAL ROLE for that one statement. (The dashboard's 超期上报 runs the same statement as the
-- signed-in dispatcher, confined to their area by the usual policies.)
DO $$
BEGIN
    IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'jy_escalate') THEN
        CREATE ROLE jy_escalate NOLOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE NOINHERIT NOBYPASSRLS;
    END IF;
END $$;
GRANT jy_escalate TO CURRENT_USER;
GRANT USAGE ON SCHEMA public TO jy_escalate;
GRANT SELECT (id, status, handling_level, due_at, escalated_at) ON events TO jy_escalate;
GRANT UPDATE (handling_level, escalated_at) ON events TO jy_escalate;
GRANT INSERT ON event_log TO jy_escalate;
GRANT SELECT (event_id) ON event_log TO jy_escalate;          -- RETURNING event_id
DO $$
BEGIN
    EXECUTE format('GRANT USAGE ON SEQUENCE %s TO jy_escalate', pg_get_serial_sequence('event_log', 'id'));
END $$;
DROP POLICY IF EXISTS escalation_job ON events;
CREATE POLICY escalation_job ON events TO jy_escalate USING (true) WITH CHECK (true);
DROP POLICY IF EXISTS escalation_job ON event_log;
CREATE POLICY escalation_job ON event_log TO jy_escalate USING (true) WITH CHECK (true);
