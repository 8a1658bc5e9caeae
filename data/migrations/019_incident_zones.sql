-- The zone of an incident (issue 17): the threat zone of a 事故推演 scenario — a plume, an ALOHA
-- file or a zone drawn on the map — saved with the scenario's parameters and tied to the incident
-- event it pushed to 调度台, so the dispatcher and the event page see the zone that was analysed.
-- Written in the same transaction as the event (geo/hazards/analysis.report_incident).
CREATE TABLE IF NOT EXISTS incident_zones (
    event_id bigint PRIMARY KEY REFERENCES events (id),
    zone geometry(MultiPolygon, 4490) NOT NULL CHECK (ST_IsValid(zone) AND NOT ST_IsEmpty(zone)),
    source text NOT NULL CHECK (source IN ('plume', 'aloha', 'drawn')),
    scenario jsonb NOT NULL DEFAULT '{}'::jsonb,      -- the inputs (substance, wind, …) or the drawing
    area_m2 double precision NOT NULL CHECK (area_m2 > 0),
    created_by text NOT NULL,
    created_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX IF NOT EXISTS incident_zones_gix ON incident_zones USING gist (zone);

-- Visible exactly where the incident is (the events policy applies inside the sub-select).
ALTER TABLE incident_zones ENABLE ROW LEVEL SECURITY;
ALTER TABLE incident_zones FORCE ROW LEVEL SECURITY;
DROP POLICY IF EXISTS app_scope ON incident_zones;
CREATE POLICY app_scope ON incident_zones TO jy_app
    USING (EXISTS (SELECT 1 FROM events e WHERE e.id = event_id))
    WITH CHECK (EXISTS (SELECT 1 FROM events e WHERE e.id = event_id));
DROP POLICY IF EXISTS owner_all ON incident_zones;
CREATE POLICY owner_all ON incident_zones TO CURRENT_USER USING (true) WITH CHECK (true);
REVOKE ALL ON incident_zones FROM PUBLIC;
GRANT SELECT, INSERT ON incident_zones TO jy_app;
