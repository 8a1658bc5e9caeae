-- Views.

-- The social-assistance counts every viewer of a scope sees, whether or not the role may read the
-- households: a view that runs as its owner (so the role rule of assistance_households does not
-- apply) and filters by the signed scope itself (so a town sees its own villages only, and no
-- scope sees nothing).
CREATE OR REPLACE VIEW public.assistance_counts WITH (security_barrier) AS
SELECT h.town_code, h.village_code, h.class_code, count(*)::int AS households, sum(h.members)::int AS persons
  FROM public.assistance_households h
 WHERE (SELECT public.jy_ctx('scope')) = 'city'
    OR h.town_code = (SELECT CASE WHEN public.jy_ctx('scope') = 'town' THEN public.jy_ctx('town') END)
    OR h.village_code = (SELECT CASE WHEN public.jy_ctx('scope') = 'village' THEN public.jy_ctx('village') END)
 GROUP BY h.town_code, h.village_code, h.class_code;
REVOKE ALL ON public.assistance_counts FROM PUBLIC;
GRANT SELECT ON public.assistance_counts TO jy_app;
