-- The address register is imported from the 数据导入 page as well as the command line (issue 33): the
-- app role may write it when the signed context is the admin's, and reads it only with a signed
-- context (any scope: an address is public, but a caller with no signed session sees nothing).
-- The policies are in data/functions/90_policies.sql.
ALTER TABLE public.address_roads ENABLE ROW LEVEL SECURITY;
ALTER TABLE public.address_roads FORCE ROW LEVEL SECURITY;
ALTER TABLE public.address_points ENABLE ROW LEVEL SECURITY;
ALTER TABLE public.address_points FORCE ROW LEVEL SECURITY;
GRANT INSERT, UPDATE ON public.address_roads, public.address_points TO jy_app;
GRANT USAGE ON SEQUENCE public.address_roads_id_seq, public.address_points_id_seq TO jy_app;
