-- 综合评价's return figures (geo/sql/evaluation.sql) look up, for every event reported in the period,
-- whether it was ever returned (退回). Through event_log's (event_id) index that read ~7 log rows per
-- event: at 2 M events a 30-day city evaluation probed 85 k events and 440 k buffers (340 ms). The
-- returned rows are about one in a hundred log rows; a partial index holds only them.
CREATE INDEX IF NOT EXISTS event_log_returned_idx ON event_log (event_id) WHERE to_status = 'returned';
