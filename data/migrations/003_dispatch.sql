-- Dispatch: the person an event is assigned to, and metric KNN over staff positions.
ALTER TABLE events ADD COLUMN IF NOT EXISTS assignee_staff_id bigint REFERENCES staff (id);
-- Nearest on-duty staff: KNN on geography, so ordering is by metres, not degrees.
CREATE INDEX IF NOT EXISTS staff_location_geog_gix ON staff USING gist ((location::geography))
    WHERE on_duty;
CREATE INDEX IF NOT EXISTS events_queue_idx ON events (handling_level, status)
    WHERE status NOT IN ('closed', 'rejected');
