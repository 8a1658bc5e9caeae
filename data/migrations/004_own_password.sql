-- Everyone changes their own password (issue 31); a password an admin set — the first admin's from the
-- command line, a reset — must be changed at the next sign-in.
ALTER TABLE public.app_users ADD COLUMN IF NOT EXISTS must_change_password boolean NOT NULL DEFAULT false;
GRANT SELECT (must_change_password), INSERT (must_change_password), UPDATE (must_change_password)
    ON public.app_users TO jy_app;
