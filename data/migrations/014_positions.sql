-- GPS fixes from the terminals (issue 15): append-only, a year of 5,034 terminals every 30 s is about
-- 5 billion rows, so the table is read by time ranges through BRIN (tiny, fits append order) and per
-- worker through (staff_id, at); fixes older than the retention (JY_POSITION_RETENTION_DAYS) go when
-- the same worker sends new ones. The worker's latest fix also becomes staff.location, which the
-- dispatch console's "nearest on-duty staff" reads.
CREATE TABLE IF NOT EXISTS staff_positions (
    staff_id bigint NOT NULL REFERENCES staff(id),
    at timestamptz NOT NULL,
    location geometry(Point, 4490) NOT NULL,
    accuracy_m real CHECK (accuracy_m IS NULL OR accuracy_m >= 0),
    received_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX IF NOT EXISTS staff_positions_at_brin ON staff_positions USING brin (at);
CREATE INDEX IF NOT EXISTS staff_positions_staff_idx ON staff_positions (staff_id, at);
CREATE INDEX IF NOT EXISTS staff_positions_gix ON staff_positions USING gist (location);
REVOKE ALL ON staff_positions FROM PUBLIC;
ALTER TABLE staff_positions ENABLE ROW LEVEL SECURITY;
ALTER TABLE staff_positions FORCE ROW LEVEL SECURITY;
DROP POLICY IF EXISTS owner_all ON staff_positions;
CREATE POLICY owner_all ON staff_positions TO CURRENT_USER USING (true) WITH CHECK (true);

-- Record a batch of fixes for the worker behind a valid token (the function checks the token itself,
-- so the app role cannot write another worker's track); returns how many were stored.
CREATE OR REPLACE FUNCTION jy_positions_record(p_token_hash text, p_x float8[], p_y float8[], p_at timestamptz[],
                                               p_accuracy real[], p_retention_days integer)
RETURNS integer
LANGUAGE plpgsql VOLATILE SECURITY DEFINER SET search_path = public, pg_temp AS $$
DECLARE me bigint; n integer;
BEGIN
    SELECT t.staff_id INTO me FROM api_tokens t JOIN terminal_accounts a ON a.staff_id = t.staff_id AND NOT a.disabled
     WHERE t.token_hash = p_token_hash AND t.revoked_at IS NULL AND t.expires_at > now();
    IF me IS NULL THEN
        RAISE EXCEPTION 'invalid token' USING ERRCODE = 'insufficient_privilege';
    END IF;
    INSERT INTO staff_positions (staff_id, at, location, accuracy_m)
    SELECT me, f.at, ST_SetSRID(ST_MakePoint(f.x, f.y), 4490), f.acc
      FROM unnest(p_x, p_y, p_at, p_accuracy) AS f(x, y, at, acc);
    GET DIAGNOSTICS n = ROW_COUNT;
    UPDATE staff s SET location = l.location, location_at = l.at
      FROM (SELECT p.location, p.at FROM staff_positions p WHERE p.staff_id = me ORDER BY p.at DESC LIMIT 1) l
     WHERE s.id = me AND (s.location_at IS NULL OR l.at > s.location_at);
    DELETE FROM staff_positions WHERE staff_id = me AND at < now() - make_interval(days => p_retention_days);
    RETURN n;
END $$;
REVOKE ALL ON FUNCTION jy_positions_record(text, float8[], float8[], timestamptz[], real[], integer) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION jy_positions_record(text, float8[], float8[], timestamptz[], real[], integer) TO jy_app;
