-- Imports of a county's own data (loaders/importer/): a stable code to upsert sites and resources
-- by, and the rights for the admin's import page, which runs as jy_app like every page.

ALTER TABLE chem_sites ADD COLUMN IF NOT EXISTS code text UNIQUE;
ALTER TABLE emergency_resources ADD COLUMN IF NOT EXISTS code text UNIQUE;

GRANT INSERT, UPDATE ON grids, staff, chem_sites, emergency_resources TO jy_app;
GRANT USAGE ON SEQUENCE staff_id_seq, chem_sites_id_seq, emergency_resources_id_seq TO jy_app;

-- The app role writes these tables only for an admin (on top of the scope policies of 006, which
-- still apply: restrictive policies are ANDed with them).
DO $$
DECLARE
    t text;
BEGIN
    FOREACH t IN ARRAY ARRAY['grids', 'staff', 'chem_sites', 'emergency_resources'] LOOP
        EXECUTE format('DROP POLICY IF EXISTS admin_insert ON %I', t);
        EXECUTE format('CREATE POLICY admin_insert ON %I AS RESTRICTIVE FOR INSERT TO jy_app '
                       'WITH CHECK (jy_is_admin())', t);
        EXECUTE format('DROP POLICY IF EXISTS admin_update ON %I', t);
        EXECUTE format('CREATE POLICY admin_update ON %I AS RESTRICTIVE FOR UPDATE TO jy_app '
                       'USING (jy_is_admin()) WITH CHECK (jy_is_admin())', t);
    END LOOP;
END $$;
