-- The one definition of an open event in SQL (geo/status.py CLOSED_STATUSES is the same list; a test
-- keeps the two equal). A one-expression SQL function: the planner inlines it, so a query written
-- with jy_is_open(e.status) still matches the partial indexes whose predicate is the expression.
CREATE OR REPLACE FUNCTION jy_is_open(p_status text) RETURNS boolean
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$ SELECT p_status NOT IN ('closed', 'rejected') $$;
GRANT EXECUTE ON FUNCTION jy_is_open(text) TO PUBLIC;
