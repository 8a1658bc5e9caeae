-- The standard address register (标准地址库, issue 33) and what an address-only report leaves behind.
-- Roads carry door-number ranges on each side and their line; door plates, residential compounds,
-- buildings and named places are points; every row is tied to its village and grid. The matcher
-- (geo/addresses.py, geo/sql/address_*.sql) reads them; the loaders write them (`loaders addresses`,
-- the demo). An address is public knowledge: every signed-in user and every Open311 client may read
-- the whole register (SELECT only, no row-level security); nobody but the owner writes it.

CREATE EXTENSION IF NOT EXISTS pg_trgm;      -- trusted: the database owner may create it

CREATE TABLE IF NOT EXISTS public.address_roads (
    id bigserial PRIMARY KEY,
    code text NOT NULL UNIQUE CHECK (length(code) BETWEEN 1 AND 64),
    name text NOT NULL CHECK (length(btrim(name)) BETWEEN 1 AND 60),
    village_code text NOT NULL,
    town_code text NOT NULL,
    odd_from integer, odd_to integer,        -- the odd numbers of one side (1, 3, … 399)
    even_from integer, even_to integer,      -- the even numbers of the other (2, 4, … 398)
    geom public.geometry(LineString, 4490) NOT NULL CHECK (public.ST_IsValid(geom) AND NOT public.ST_IsEmpty(geom)),
    is_demo boolean NOT NULL DEFAULT false,
    updated_at timestamptz NOT NULL DEFAULT now(),
    CHECK (odd_from IS NULL OR (odd_from % 2 = 1 AND odd_to % 2 = 1 AND odd_from BETWEEN 1 AND odd_to)),
    CHECK (even_from IS NULL OR (even_from % 2 = 0 AND even_to % 2 = 0 AND even_from BETWEEN 2 AND even_to)),
    CHECK ((odd_from IS NULL) = (odd_to IS NULL) AND (even_from IS NULL) = (even_to IS NULL))
);
CREATE INDEX IF NOT EXISTS address_roads_gix ON public.address_roads USING gist (geom);
CREATE INDEX IF NOT EXISTS address_roads_village_idx ON public.address_roads (village_code, name);
CREATE INDEX IF NOT EXISTS address_roads_name_idx ON public.address_roads (name);
CREATE INDEX IF NOT EXISTS address_roads_name_trgm ON public.address_roads USING gin (name public.gin_trgm_ops);

CREATE TABLE IF NOT EXISTS public.address_points (
    id bigserial PRIMARY KEY,
    code text NOT NULL UNIQUE CHECK (length(code) BETWEEN 1 AND 64),
    kind text NOT NULL CHECK (kind IN ('door', 'compound', 'building', 'place')),
    name text NOT NULL CHECK (length(btrim(name)) BETWEEN 1 AND 100),   -- as written on the plate
    road_code text REFERENCES public.address_roads(code) ON DELETE CASCADE,
    number integer CHECK (number BETWEEN 1 AND 99999),
    place_type text,                         -- a named place: school, market, factory, chem_site, …
    grid_code text NOT NULL REFERENCES public.grids(code),
    village_code text NOT NULL,
    town_code text NOT NULL,
    geom public.geometry(Point, 4490) NOT NULL,
    is_demo boolean NOT NULL DEFAULT false,
    updated_at timestamptz NOT NULL DEFAULT now(),
    CHECK ((kind = 'door') = (road_code IS NOT NULL AND number IS NOT NULL))
);
CREATE INDEX IF NOT EXISTS address_points_gix ON public.address_points USING gist (geom);
CREATE INDEX IF NOT EXISTS address_points_road_idx ON public.address_points (road_code, number);
CREATE INDEX IF NOT EXISTS address_points_village_idx ON public.address_points (village_code, kind);
CREATE INDEX IF NOT EXISTS address_points_name_trgm ON public.address_points USING gin (name public.gin_trgm_ops);

-- Where an event placed from an address came from (NULL for a point or a grid given).
ALTER TABLE public.events ADD COLUMN IF NOT EXISTS address_match text CHECK (length(address_match) <= 200);
ALTER TABLE public.events ADD COLUMN IF NOT EXISTS address_score real CHECK (address_score BETWEEN 0 AND 1);

-- Rows of an import whose address matched nothing clearly: kept here for a person to place (review
-- queue) rather than guessed. town_code is the best candidate's town (NULL: the city's queue).
CREATE TABLE IF NOT EXISTS public.address_review (
    id bigserial PRIMARY KEY,
    source text NOT NULL,
    file_name text NOT NULL CHECK (length(file_name) <= 200),
    row_number integer NOT NULL,
    external_id text CHECK (length(external_id) <= 64),
    address text NOT NULL CHECK (length(address) <= 200),
    report jsonb NOT NULL CHECK (jsonb_typeof(report) = 'object'),      -- the row's other fields
    candidates jsonb NOT NULL CHECK (jsonb_typeof(candidates) = 'array'),
    best_score real,
    town_code text,
    village_code text,
    created_at timestamptz NOT NULL DEFAULT now(),
    created_by text NOT NULL,
    status text NOT NULL DEFAULT 'open' CHECK (status IN ('open', 'placed', 'dismissed')),
    event_id bigint REFERENCES public.events(id),
    resolved_by text,
    resolved_at timestamptz,
    CHECK ((status = 'placed') = (event_id IS NOT NULL)),
    CHECK ((status = 'open') = (resolved_at IS NULL))
);
CREATE INDEX IF NOT EXISTS address_review_open_idx ON public.address_review (town_code, created_at) WHERE status = 'open';
ALTER TABLE public.address_review ENABLE ROW LEVEL SECURITY;
ALTER TABLE public.address_review FORCE ROW LEVEL SECURITY;

GRANT SELECT ON public.address_roads, public.address_points TO jy_app;
GRANT SELECT, INSERT ON public.address_review TO jy_app;
GRANT UPDATE (status, event_id, resolved_by, resolved_at) ON public.address_review TO jy_app;
GRANT USAGE ON SEQUENCE public.address_review_id_seq TO jy_app;
