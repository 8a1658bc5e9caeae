-- Possible duplicates of an event (geo/sql/event_duplicates.sql): same category within ±30 days,
-- then distance. Under row-level security the GiST index on location cannot serve the search (its
-- operators are not leakproof), so at 2 M events the event page read the whole table (490 ms);
-- this index makes it a range of a few thousand rows at most.
CREATE INDEX IF NOT EXISTS events_category_time_idx ON events (category_code, reported_at);
