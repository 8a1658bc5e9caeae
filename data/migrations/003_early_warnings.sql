-- 铁脚板's early warning (issue 32, geo/warning.py): what the scheduled job found, per grid. The job
-- (`loaders warn --every`) runs as jy_warn: it reads events and grids, and writes only this table.

DO $$
BEGIN
    IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'jy_warn') THEN
        CREATE ROLE jy_warn NOLOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE NOINHERIT NOBYPASSRLS;
    END IF;
EXCEPTION WHEN unique_violation OR duplicate_object THEN NULL;   -- another database made it at the same moment
END $$;
DO $$
BEGIN
    GRANT jy_warn TO CURRENT_USER;
EXCEPTION WHEN unique_violation THEN NULL;
END $$;

CREATE TABLE IF NOT EXISTS public.early_warnings (
    id bigserial PRIMARY KEY,
    key text NOT NULL UNIQUE,                  -- kind, place, category and window: one row however often the job runs
    kind text NOT NULL CHECK (kind IN ('hotspot', 'surge', 'repeat')),
    pattern text,                              -- hotspot: new, consecutive, intensifying, persistent, sporadic, oscillating
    level smallint NOT NULL CHECK (level BETWEEN 1 AND 3),
    grid_code text NOT NULL REFERENCES public.grids(code),
    village_code text NOT NULL,
    town_code text NOT NULL,
    category_class text,
    category_code text,
    window_start date NOT NULL,
    window_end date NOT NULL,
    score double precision,
    reason text NOT NULL CHECK (length(reason) <= 500),
    event_ids bigint[] NOT NULL,
    detected_at timestamptz NOT NULL DEFAULT now(),
    updated_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX IF NOT EXISTS early_warnings_town_idx ON public.early_warnings (town_code, window_end);
CREATE INDEX IF NOT EXISTS early_warnings_grid_idx ON public.early_warnings (grid_code, window_end);
ALTER TABLE public.early_warnings ENABLE ROW LEVEL SECURITY;
ALTER TABLE public.early_warnings FORCE ROW LEVEL SECURITY;

GRANT USAGE ON SCHEMA public TO jy_warn;
GRANT SELECT (id, grid_code, village_code, town_code, category_code, reported_at, location, is_drill)
    ON public.events TO jy_warn;
GRANT SELECT (code, name, level, kind, geom, village_code, town_code) ON public.grids TO jy_warn;
GRANT SELECT ON public.event_categories TO jy_warn;
GRANT SELECT, INSERT, UPDATE, DELETE ON public.early_warnings TO jy_warn;
GRANT USAGE ON SEQUENCE public.early_warnings_id_seq TO jy_warn;
GRANT SELECT ON public.early_warnings TO jy_app;
