-- Faster scope policies (same rules as 006). In 006 each policy called jy_visible(), which reads
-- current_setting() for every row: measured on 2 M events, +130 % on the city view and +300 % on the
-- town view (bench/rls.py). Here each setting is read once per query as a scalar sub-select (an
-- InitPlan), and `town_code = <that value>` can use the town indexes. Queries in geo/sql/ read
-- "now" and "today" the same way ((SELECT today FROM t), not a join with t): a non-leakproof
-- function applied to a joined column cannot be pushed below a policy, so it blocked index use.

CREATE OR REPLACE FUNCTION jy_policy_expr(town_col text, village_col text) RETURNS text
LANGUAGE sql IMMUTABLE AS $$
    SELECT format('(SELECT current_setting(''jy.scope'', true)) = ''city'''
                  ' OR %I = (SELECT CASE WHEN current_setting(''jy.scope'', true) = ''town'''
                  '                      THEN current_setting(''jy.town'', true) END)', town_col)
        || CASE WHEN village_col IS NULL THEN '' ELSE format(
                  ' OR %I = (SELECT CASE WHEN current_setting(''jy.scope'', true) = ''village'''
                  '                      THEN current_setting(''jy.village'', true) END)', village_col) END
$$;

DO $$
DECLARE
    t record;
    city text := '(SELECT current_setting(''jy.scope'', true)) = ''city''';
BEGIN
    FOR t IN SELECT * FROM (VALUES
        ('grids',               jy_policy_expr('town_code', 'village_code')
                                || ' OR (level = 1 AND town_code = (SELECT current_setting(''jy.town'', true)))'),
        ('staff',               jy_policy_expr('town_code', 'village_code')),
        ('events',              jy_policy_expr('town_code', 'village_code')),
        ('event_log',           city || ' OR EXISTS (SELECT 1 FROM events e WHERE e.id = event_id)'),
        ('chem_sites',          jy_policy_expr('town_code', NULL)),
        ('chem_inventory',      city || ' OR EXISTS (SELECT 1 FROM chem_sites s WHERE s.id = site_id)'),
        ('emergency_resources', jy_policy_expr('town_code', NULL)),
        ('stats_grid_day',      jy_policy_expr('town_code', 'village_code')),
        ('stats_village_day',   jy_policy_expr('town_code', 'village_code')),
        ('stats_cell_day',      jy_policy_expr('town_code', NULL)),
        ('stats_category_day',  jy_policy_expr('town_code', NULL))
    ) AS v(name, expr) LOOP
        EXECUTE format('DROP POLICY IF EXISTS app_scope ON %I', t.name);
        EXECUTE format('CREATE POLICY app_scope ON %I TO jy_app USING (%s) WITH CHECK (%s)',
                       t.name, t.expr, t.expr);
    END LOOP;
END $$;

DROP FUNCTION jy_policy_expr(text, text);

-- The dashboard's queries are small and latency-bound; on a 2-core server, launching parallel
-- workers cost more than they saved, most of all for UNION branches that the scope switches off
-- (workers were started for a branch with a false one-time filter). Role-wide setting.
ALTER ROLE jy_app SET max_parallel_workers_per_gather = 0;
