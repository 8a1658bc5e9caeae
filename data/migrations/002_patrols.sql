-- 铁脚板 (issue 32): what the grid workers' terminals collect and inspect, and what they found.
-- The catalogues are reference data (data/reference/collection_items.csv, patrol_items.csv, loaded by
-- loaders.reference after every migration); the records are the terminals'.

-- 170 information-collection items, each owned by one of the 29 departments, with its form.
CREATE TABLE IF NOT EXISTS public.collection_items (
    code text PRIMARY KEY,
    name text NOT NULL,
    department_code text NOT NULL REFERENCES public.departments(code),
    frequency text NOT NULL CHECK (frequency IN ('once', 'monthly', 'quarterly', 'yearly')),
    applies_to text NOT NULL CHECK (applies_to IN ('all', 'urban', 'rural')),
    form jsonb NOT NULL CHECK (jsonb_typeof(form) = 'array')
);

-- 159 daily patrol items: a failed check becomes an event of event_category_code.
CREATE TABLE IF NOT EXISTS public.patrol_items (
    code text PRIMARY KEY,
    name text NOT NULL,
    class_name text NOT NULL,
    frequency text NOT NULL CHECK (frequency IN ('daily', 'weekly', 'monthly')),
    event_category_code text NOT NULL REFERENCES public.event_categories(code),
    question text NOT NULL
);

-- A patrol check at a point: the item, what was found, and the event a failed check raised (same
-- transaction). The terminal's own number makes a replay return the first record.
CREATE TABLE IF NOT EXISTS public.patrol_checks (
    id bigserial PRIMARY KEY,
    staff_id bigint NOT NULL REFERENCES public.staff(id),
    item_code text NOT NULL REFERENCES public.patrol_items(code),
    at timestamptz NOT NULL,
    received_at timestamptz NOT NULL DEFAULT now(),
    location public.geometry(Point, 4490) NOT NULL,
    grid_code text NOT NULL REFERENCES public.grids(code),
    village_code text NOT NULL,
    town_code text NOT NULL,
    result text NOT NULL CHECK (result IN ('ok', 'fail')),
    note text CHECK (length(note) <= 500),
    event_id bigint REFERENCES public.events(id),
    external_id text NOT NULL CHECK (length(external_id) BETWEEN 1 AND 64),
    is_demo boolean NOT NULL DEFAULT false,
    CHECK ((result = 'fail') = (event_id IS NOT NULL)),
    UNIQUE (staff_id, external_id)
);
CREATE INDEX IF NOT EXISTS patrol_checks_gix ON public.patrol_checks USING gist (location);
CREATE INDEX IF NOT EXISTS patrol_checks_village_idx ON public.patrol_checks (village_code, at);
CREATE INDEX IF NOT EXISTS patrol_checks_grid_idx ON public.patrol_checks (grid_code, item_code, at);
CREATE INDEX IF NOT EXISTS patrol_checks_at_brin ON public.patrol_checks USING brin (at);

-- A collection record: the item's form answered at a point.
CREATE TABLE IF NOT EXISTS public.collection_records (
    id bigserial PRIMARY KEY,
    staff_id bigint NOT NULL REFERENCES public.staff(id),
    item_code text NOT NULL REFERENCES public.collection_items(code),
    at timestamptz NOT NULL,
    received_at timestamptz NOT NULL DEFAULT now(),
    location public.geometry(Point, 4490) NOT NULL,
    grid_code text NOT NULL REFERENCES public.grids(code),
    village_code text NOT NULL,
    town_code text NOT NULL,
    answers jsonb NOT NULL CHECK (jsonb_typeof(answers) = 'object'),
    external_id text NOT NULL CHECK (length(external_id) BETWEEN 1 AND 64),
    is_demo boolean NOT NULL DEFAULT false,
    UNIQUE (staff_id, external_id)
);
CREATE INDEX IF NOT EXISTS collection_records_gix ON public.collection_records USING gist (location);
CREATE INDEX IF NOT EXISTS collection_records_village_idx ON public.collection_records (village_code, at);

ALTER TABLE public.patrol_checks ENABLE ROW LEVEL SECURITY;
ALTER TABLE public.patrol_checks FORCE ROW LEVEL SECURITY;
ALTER TABLE public.collection_records ENABLE ROW LEVEL SECURITY;
ALTER TABLE public.collection_records FORCE ROW LEVEL SECURITY;
GRANT SELECT ON public.collection_items, public.patrol_items TO jy_app;
GRANT SELECT, INSERT ON public.patrol_checks, public.collection_records TO jy_app;
GRANT USAGE ON SEQUENCE public.patrol_checks_id_seq, public.collection_records_id_seq TO jy_app;
