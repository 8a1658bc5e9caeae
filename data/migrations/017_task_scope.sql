-- A task dispatched to a grid worker outside their own village (调度台 offers the nearest on-duty
-- staff, whatever their village): the terminal runs in its village scope and could not see it. These
-- functions check the token themselves and hand back only the worker's own open tasks, and the
-- village of one of them, in which the API then runs that task's requests.
CREATE OR REPLACE FUNCTION jy_task_village(p_token_hash text, p_event bigint) RETURNS text
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public, pg_temp AS $$
    SELECT e.village_code
      FROM api_tokens t
      JOIN terminal_accounts a ON a.staff_id = t.staff_id AND NOT a.disabled
      JOIN events e ON e.assignee_staff_id = t.staff_id
     WHERE t.token_hash = p_token_hash AND t.revoked_at IS NULL AND t.expires_at > now() AND e.id = p_event
$$;

CREATE OR REPLACE FUNCTION jy_my_tasks(p_token_hash text)
RETURNS TABLE (id bigint, status text, priority smallint, reported_at timestamptz, due_at timestamptz,
               description text, grid_code text, version integer, category text, grid_name text,
               village_name text)
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public, pg_temp AS $$
    SELECT e.id, e.status, e.priority, e.reported_at, e.due_at, e.description, e.grid_code, e.version,
           c.name, g.name, v.name
      FROM api_tokens t
      JOIN terminal_accounts a ON a.staff_id = t.staff_id AND NOT a.disabled
      JOIN events e ON e.assignee_staff_id = t.staff_id AND jy_is_open(e.status)
      JOIN event_categories c ON c.code = e.category_code
      JOIN grids g ON g.code = e.grid_code
      JOIN grids v ON v.code = e.village_code
     WHERE t.token_hash = p_token_hash AND t.revoked_at IS NULL AND t.expires_at > now()
     ORDER BY e.due_at, e.id
     LIMIT 200
$$;
CREATE INDEX IF NOT EXISTS events_assignee_staff_idx ON events (assignee_staff_id) WHERE assignee_staff_id IS NOT NULL;
REVOKE ALL ON FUNCTION jy_task_village(text, bigint), jy_my_tasks(text) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION jy_task_village(text, bigint), jy_my_tasks(text) TO jy_app;
