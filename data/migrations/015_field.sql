-- The field (issue 15): photos of events, patrol check-ins, 催办/督办, notifications to terminals,
-- the outbox that delivers them, and the other systems' Open311 keys.
--
-- Photos live in PostgreSQL (bytea), not in files: a photo's row commits in the same transaction as
-- the event or action it belongs to, so none is lost (the event exists) and none is orphaned (the
-- event failed → no photo); backups and replicas carry them with everything else; row-level security
-- guards them like the event. 10 MB at most each (≤ 9 per request); JPEG/PNG are already compressed,
-- so they are stored without TOAST compression.

CREATE OR REPLACE FUNCTION jy_scope_expr(town_col text, village_col text) RETURNS text
LANGUAGE sql IMMUTABLE AS $$
    SELECT format('(SELECT current_setting(''jy.scope'', true)) = ''city'''
                  ' OR %I = (SELECT CASE WHEN current_setting(''jy.scope'', true) = ''town'''
                  '                      THEN current_setting(''jy.town'', true) END)', town_col)
        || CASE WHEN village_col IS NULL THEN '' ELSE format(
                  ' OR %I = (SELECT CASE WHEN current_setting(''jy.scope'', true) = ''village'''
                  '                      THEN current_setting(''jy.village'', true) END)', village_col) END
$$;

CREATE TABLE IF NOT EXISTS event_photos (
    id bigserial PRIMARY KEY,
    event_id bigint NOT NULL REFERENCES events (id),
    stage text NOT NULL CHECK (stage IN ('before', 'after')),     -- 处置前 / 处置后
    mime text NOT NULL CHECK (mime IN ('image/jpeg', 'image/png')),
    content bytea NOT NULL CHECK (octet_length(content) BETWEEN 1 AND 10485760),
    sha256 text NOT NULL CHECK (length(sha256) = 64),
    width integer NOT NULL CHECK (width > 0),
    height integer NOT NULL CHECK (height > 0),
    taken_at timestamptz,                        -- EXIF DateTimeOriginal, when the camera wrote one
    taken_location geometry(Point, 4490),        -- EXIF GPS, when present
    distance_m real,                             -- from the event's point
    far_from_event boolean NOT NULL DEFAULT false,
    uploaded_by text NOT NULL,
    uploaded_at timestamptz NOT NULL DEFAULT now(),
    is_demo boolean NOT NULL DEFAULT false,
    UNIQUE (event_id, stage, sha256)
);
ALTER TABLE event_photos ALTER COLUMN content SET STORAGE EXTERNAL;
CREATE INDEX IF NOT EXISTS event_photos_event_idx ON event_photos (event_id);
CREATE INDEX IF NOT EXISTS event_photos_taken_gix ON event_photos USING gist (taken_location);

-- 巡查打卡: a worker at a place (the grid comes from the point).
CREATE TABLE IF NOT EXISTS checkins (
    id bigserial PRIMARY KEY,
    staff_id bigint NOT NULL REFERENCES staff (id),
    at timestamptz NOT NULL,
    received_at timestamptz NOT NULL DEFAULT now(),
    location geometry(Point, 4490) NOT NULL,
    grid_code text REFERENCES grids (code),
    place text CHECK (length(place) <= 100),
    note text CHECK (length(note) <= 500),
    town_code text NOT NULL,
    village_code text NOT NULL,
    is_demo boolean NOT NULL DEFAULT false
);
CREATE INDEX IF NOT EXISTS checkins_staff_idx ON checkins (staff_id, at);
CREATE INDEX IF NOT EXISTS checkins_grid_idx ON checkins (grid_code, at);
CREATE INDEX IF NOT EXISTS checkins_at_brin ON checkins USING brin (at);
CREATE INDEX IF NOT EXISTS checkins_gix ON checkins USING gist (location);

-- 催办 (urge the assignee of one event) and 督办 (supervise: the town answers for it). Counted in
-- 综合评价 (催办次数) by the event's town and village.
CREATE TABLE IF NOT EXISTS event_urges (
    id bigserial PRIMARY KEY,
    event_id bigint NOT NULL REFERENCES events (id),
    kind text NOT NULL CHECK (kind IN ('urge', 'supervise')),
    at timestamptz NOT NULL DEFAULT now(),
    by_user text NOT NULL,
    by_role text NOT NULL,
    note text CHECK (length(note) <= 500),
    target text NOT NULL,                        -- staff:<id> | department:<code> | team:<code> | town:<code>
    town_code text NOT NULL,
    village_code text
);
CREATE INDEX IF NOT EXISTS event_urges_event_idx ON event_urges (event_id);
CREATE INDEX IF NOT EXISTS event_urges_town_idx ON event_urges (town_code, at);

-- What the outbox worker delivers: written in the same transaction as the action (so it exists iff
-- the action committed), delivered after it, never inside it: to the terminal's notifications and to
-- the optional webhook (JY_NOTIFY_WEBHOOK), each retried with back-off until done.
CREATE TABLE IF NOT EXISTS outbox (
    id bigserial PRIMARY KEY,
    kind text NOT NULL CHECK (kind IN ('task', 'urge', 'supervise')),
    event_id bigint NOT NULL REFERENCES events (id),
    staff_id bigint REFERENCES staff (id),       -- the terminal to notify (none: the dashboard and the webhook only)
    town_code text NOT NULL,
    village_code text,
    message text NOT NULL,
    payload jsonb NOT NULL,
    created_at timestamptz NOT NULL DEFAULT now(),
    attempts integer NOT NULL DEFAULT 0,
    next_attempt_at timestamptz NOT NULL DEFAULT now(),
    notified_at timestamptz,                     -- the notification row exists (or no terminal to notify)
    webhook_at timestamptz,                      -- the webhook answered 2xx (or none configured)
    failed_at timestamptz,                       -- gave up after the last attempt
    last_error text
);
CREATE INDEX IF NOT EXISTS outbox_pending_idx ON outbox (next_attempt_at)
    WHERE failed_at IS NULL AND (notified_at IS NULL OR webhook_at IS NULL);

-- A terminal's inbox (GET /api/v1/notifications, long-poll on the id).
CREATE TABLE IF NOT EXISTS notifications (
    id bigserial PRIMARY KEY,
    staff_id bigint NOT NULL REFERENCES staff (id),
    kind text NOT NULL CHECK (kind IN ('task', 'urge', 'supervise')),
    event_id bigint NOT NULL REFERENCES events (id),
    message text NOT NULL,
    created_at timestamptz NOT NULL DEFAULT now(),
    outbox_id bigint UNIQUE REFERENCES outbox (id),
    town_code text NOT NULL,
    village_code text
);
CREATE INDEX IF NOT EXISTS notifications_staff_idx ON notifications (staff_id, id);

-- Other systems (12345 hotline, 最江阴 app) over Open311: one key per system, only its hash kept.
CREATE TABLE IF NOT EXISTS api_clients (
    id serial PRIMARY KEY,
    code text NOT NULL UNIQUE CHECK (code ~ '^[a-z0-9_]{2,30}$'),
    name text NOT NULL,
    key_hash text NOT NULL UNIQUE CHECK (length(key_hash) = 64),
    event_source text NOT NULL DEFAULT 'hotline' CHECK (event_source IN ('hotline', 'platform', 'police',
        'inspection', 'sensor')),
    disabled boolean NOT NULL DEFAULT false,
    created_at timestamptz NOT NULL DEFAULT now()
);

DO $$
DECLARE
    t record;
    city text := '(SELECT current_setting(''jy.scope'', true)) = ''city''';
BEGIN
    FOR t IN SELECT * FROM (VALUES
        ('event_photos',  city || ' OR EXISTS (SELECT 1 FROM events e WHERE e.id = event_id)'),
        ('checkins',      jy_scope_expr('town_code', 'village_code')),
        ('event_urges',   jy_scope_expr('town_code', 'village_code')),
        ('outbox',        jy_scope_expr('town_code', 'village_code')),
        ('notifications', jy_scope_expr('town_code', 'village_code'))
    ) AS v(name, expr) LOOP
        EXECUTE format('ALTER TABLE %I ENABLE ROW LEVEL SECURITY', t.name);
        EXECUTE format('ALTER TABLE %I FORCE ROW LEVEL SECURITY', t.name);
        EXECUTE format('DROP POLICY IF EXISTS app_scope ON %I', t.name);
        EXECUTE format('CREATE POLICY app_scope ON %I TO jy_app USING (%s) WITH CHECK (%s)',
                       t.name, t.expr, t.expr);
        EXECUTE format('DROP POLICY IF EXISTS owner_all ON %I', t.name);
        EXECUTE format('CREATE POLICY owner_all ON %I TO CURRENT_USER USING (true) WITH CHECK (true)', t.name);
    END LOOP;
END $$;
DROP FUNCTION jy_scope_expr(text, text);

ALTER TABLE api_clients ENABLE ROW LEVEL SECURITY;
ALTER TABLE api_clients FORCE ROW LEVEL SECURITY;
DROP POLICY IF EXISTS owner_all ON api_clients;
CREATE POLICY owner_all ON api_clients TO CURRENT_USER USING (true) WITH CHECK (true);
REVOKE ALL ON event_photos, checkins, event_urges, outbox, notifications, api_clients FROM PUBLIC;

GRANT SELECT, INSERT ON event_photos, checkins, event_urges, notifications TO jy_app;
GRANT SELECT, INSERT ON outbox TO jy_app;
GRANT UPDATE (attempts, next_attempt_at, notified_at, webhook_at, failed_at, last_error) ON outbox TO jy_app;
GRANT USAGE ON SEQUENCE event_photos_id_seq, checkins_id_seq, event_urges_id_seq, outbox_id_seq,
      notifications_id_seq TO jy_app;

-- The system behind an Open311 key (the app role never reads the hashes).
CREATE OR REPLACE FUNCTION jy_api_client_check(p_hash text)
RETURNS TABLE (code text, name text, event_source text)
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public, pg_temp AS $$
    SELECT c.code, c.name, c.event_source FROM api_clients c WHERE c.key_hash = p_hash AND NOT c.disabled
$$;
REVOKE ALL ON FUNCTION jy_api_client_check(text) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION jy_api_client_check(text) TO jy_app;
