-- Row-level security: every policy of every table. The tables enable and force it (data/migrations);
-- this file is the whole of who sees which rows. When any file of data/functions changes, every
-- policy of schema public is dropped and made again from here, in the same transaction.
--
-- The scope comes from the signed context only (jy_ctx, 10_context.sql): the city sees every row, a
-- town the rows of its town, a village the rows of its village, and no signed context sees nothing.
-- Each scope test is a sub-select, so PostgreSQL evaluates it once per query (an InitPlan) and can
-- use the town/village indexes; a per-row function call could do neither.

DO $$
DECLARE p record;
BEGIN
    FOR p IN SELECT policyname, tablename FROM pg_catalog.pg_policies WHERE schemaname = 'public' LOOP
        EXECUTE format('DROP POLICY %I ON public.%I', p.policyname, p.tablename);
    END LOOP;
END $$;

DO $$
DECLARE
    t text;
    is_city constant text := $s$(SELECT public.jy_ctx('scope')) = 'city'$s$;
    in_town constant text := $s$town_code = (SELECT CASE WHEN public.jy_ctx('scope') = 'town' THEN public.jy_ctx('town') END)$s$;
    in_village constant text := $s$village_code = (SELECT CASE WHEN public.jy_ctx('scope') = 'village' THEN public.jy_ctx('village') END)$s$;
    is_admin constant text := '(SELECT public.jy_is_admin())';
BEGIN
    -- The owner (migrations, loaders, the operator's jobs) reads and writes every row.
    FOREACH t IN ARRAY ARRAY['address_points', 'address_review', 'address_roads', 'api_clients', 'api_tokens', 'app_sessions', 'app_users', 'assistance_households',
            'audit_log', 'checkins', 'chem_inventory', 'collection_records', 'early_warnings', 'patrol_checks', 'chem_sites', 'emergency_resources', 'enterprise_inspections',
            'event_log', 'event_photos', 'event_urges', 'events', 'grid_base_counts', 'grids', 'incident_zones',
            'jy_context_key', 'login_throttle', 'mutual_aid_villages', 'notifications', 'outbox', 'service_points',
            'session_handoffs', 'staff', 'staff_positions', 'stats_category_day', 'stats_cell_day', 'stats_grid_day',
            'stats_village_day', 'supervised_enterprises', 'terminal_accounts'] LOOP
        EXECUTE format('CREATE POLICY owner_all ON public.%I TO CURRENT_USER USING (true) WITH CHECK (true)', t);
    END LOOP;

    -- Rows of a town and village: read and written in scope.
    FOREACH t IN ARRAY ARRAY['address_review', 'checkins', 'collection_records', 'event_urges', 'events', 'notifications', 'outbox',
            'patrol_checks', 'staff',
            'stats_grid_day', 'stats_village_day'] LOOP
        EXECUTE format('CREATE POLICY app_scope ON public.%I TO jy_app USING (%s OR %s OR %s) WITH CHECK (%s OR %s OR %s)',
                       t, is_city, in_town, in_village, is_city, in_town, in_village);
    END LOOP;
    -- Rows of a town and village: read only (一张图's layers and the early warnings; the loaders and the
    -- warning job write them).
    FOREACH t IN ARRAY ARRAY['early_warnings', 'grid_base_counts', 'mutual_aid_villages', 'service_points', 'supervised_enterprises'] LOOP
        EXECUTE format('CREATE POLICY app_scope ON public.%I FOR SELECT TO jy_app USING (%s OR %s OR %s)',
                       t, is_city, in_town, in_village);
    END LOOP;
    -- Rows of a town only (a village sees none of them: figures by town and cell, sites, resources).
    FOREACH t IN ARRAY ARRAY['chem_sites', 'emergency_resources', 'stats_category_day', 'stats_cell_day'] LOOP
        EXECUTE format('CREATE POLICY app_scope ON public.%I TO jy_app USING (%s OR %s) WITH CHECK (%s OR %s)',
                       t, is_city, in_town, is_city, in_town);
    END LOOP;
    -- Grids: in scope, and a town's own level-1 row for a village of it (its name and outline).
    EXECUTE format($p$CREATE POLICY app_scope ON public.grids TO jy_app
                      USING (%1$s OR %2$s OR %3$s OR (level = 1 AND town_code = (SELECT public.jy_ctx('town'))))
                      WITH CHECK (%1$s OR %2$s OR %3$s OR (level = 1 AND town_code = (SELECT public.jy_ctx('town'))))$p$,
                   is_city, in_town, in_village);
    -- Another system (Open311, jy_begin_client): files events anywhere in the county — so it reads the
    -- grids to place them — and sees only the events it filed itself, never another sender's.
    EXECUTE $p$CREATE POLICY client_own ON public.events TO jy_app
                  USING ((SELECT public.jy_ctx('scope')) = 'client' AND external_source = (SELECT public.jy_ctx('user')))
                  WITH CHECK ((SELECT public.jy_ctx('scope')) = 'client' AND external_source = (SELECT public.jy_ctx('user')))$p$;
    EXECUTE $p$CREATE POLICY client_places ON public.grids FOR SELECT TO jy_app
                  USING ((SELECT public.jy_ctx('scope')) = 'client')$p$;
    -- Rows that belong to another row: visible with it (that row's policy decides).
    EXECUTE format('CREATE POLICY app_scope ON public.event_log TO jy_app USING (%1$s OR EXISTS (SELECT 1 FROM public.events e WHERE e.id = event_log.event_id)) WITH CHECK (%1$s OR EXISTS (SELECT 1 FROM public.events e WHERE e.id = event_log.event_id))', is_city);
    EXECUTE format('CREATE POLICY app_scope ON public.event_photos TO jy_app USING (%1$s OR EXISTS (SELECT 1 FROM public.events e WHERE e.id = event_photos.event_id)) WITH CHECK (%1$s OR EXISTS (SELECT 1 FROM public.events e WHERE e.id = event_photos.event_id))', is_city);
    EXECUTE format('CREATE POLICY app_scope ON public.chem_inventory TO jy_app USING (%1$s OR EXISTS (SELECT 1 FROM public.chem_sites s WHERE s.id = chem_inventory.site_id)) WITH CHECK (%1$s OR EXISTS (SELECT 1 FROM public.chem_sites s WHERE s.id = chem_inventory.site_id))', is_city);
    EXECUTE format('CREATE POLICY app_scope ON public.enterprise_inspections FOR SELECT TO jy_app USING (%s OR EXISTS (SELECT 1 FROM public.supervised_enterprises s WHERE s.id = enterprise_inspections.enterprise_id))', is_city);
    EXECUTE format('CREATE POLICY app_scope ON public.staff_positions FOR SELECT TO jy_app USING (%s OR EXISTS (SELECT 1 FROM public.staff s WHERE s.id = staff_positions.staff_id))', is_city);
    EXECUTE 'CREATE POLICY app_scope ON public.incident_zones TO jy_app USING (EXISTS (SELECT 1 FROM public.events e WHERE e.id = incident_zones.event_id)) WITH CHECK (EXISTS (SELECT 1 FROM public.events e WHERE e.id = incident_zones.event_id))';
    -- Social-assistance households are personal: only the roles of jy_sees_assistance(), in scope
    -- (everyone in scope reads the counts through the view assistance_counts, 80_views.sql).
    EXECUTE format('CREATE POLICY app_scope ON public.assistance_households FOR SELECT TO jy_app USING ((SELECT public.jy_sees_assistance()) AND (%s OR %s OR %s))',
                   is_city, in_town, in_village);

    -- The standard address register: read by any signed context (an address is public knowledge; the
    -- matcher serves Open311 clients and terminals too), written by the admin's import only.
    FOREACH t IN ARRAY ARRAY['address_points', 'address_roads'] LOOP
        EXECUTE format('CREATE POLICY app_read ON public.%I FOR SELECT TO jy_app USING ((SELECT public.jy_effective_scope()) IS NOT NULL)', t);
        EXECUTE format('CREATE POLICY admin_insert ON public.%I FOR INSERT TO jy_app WITH CHECK (%s)', t, is_admin);
        EXECUTE format('CREATE POLICY admin_update ON public.%I FOR UPDATE TO jy_app USING (%s) WITH CHECK (%s)', t, is_admin, is_admin);
    END LOOP;

    -- Reference places, sites and people change by import only, which is the admin's.
    FOREACH t IN ARRAY ARRAY['chem_sites', 'emergency_resources', 'grids', 'staff'] LOOP
        EXECUTE format('CREATE POLICY admin_insert ON public.%I AS RESTRICTIVE FOR INSERT TO jy_app WITH CHECK (%s)', t, is_admin);
        EXECUTE format('CREATE POLICY admin_update ON public.%I AS RESTRICTIVE FOR UPDATE TO jy_app USING (%s) WITH CHECK (%s)',
                       t, is_admin, is_admin);
    END LOOP;

    -- Accounts and the audit log: the admin manages accounts and reads the log; everyone reads their
    -- own account and writes audit rows in their own name.
    EXECUTE format('CREATE POLICY app_admin ON public.app_users TO jy_app USING (%s) WITH CHECK (%s)', is_admin, is_admin);
    EXECUTE $p$CREATE POLICY app_self ON public.app_users FOR SELECT TO jy_app USING (username = public.jy_ctx('user'))$p$;
    EXECUTE format('CREATE POLICY app_read ON public.audit_log FOR SELECT TO jy_app USING (%s)', is_admin);
    EXECUTE $p$CREATE POLICY app_write ON public.audit_log FOR INSERT TO jy_app WITH CHECK (username = public.jy_ctx('user'))$p$;
END $$;

-- The jobs' roles (no user): the outbox worker and the escalation job, each on what it needs only;
-- their column privileges (data/migrations) narrow it further.
CREATE POLICY outbox_job ON public.outbox TO jy_outbox USING (true) WITH CHECK (true);
CREATE POLICY outbox_job ON public.notifications TO jy_outbox USING (true) WITH CHECK (true);
CREATE POLICY outbox_job ON public.staff FOR SELECT TO jy_outbox USING (true);
CREATE POLICY escalation_job ON public.events TO jy_escalate USING (true) WITH CHECK (true);
CREATE POLICY escalation_job ON public.event_log TO jy_escalate USING (true) WITH CHECK (true);
CREATE POLICY warning_job ON public.events FOR SELECT TO jy_warn USING (true);
CREATE POLICY warning_job ON public.grids FOR SELECT TO jy_warn USING (true);
CREATE POLICY warning_job ON public.early_warnings TO jy_warn USING (true) WITH CHECK (true);
