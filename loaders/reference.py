"""Reference data shipped in data/reference: the county boundary, the towns and the catalogues.

`load_reference(conn)` upserts the catalogues and the county boundary (converted from GCJ-02 to
CGCS2000 on the way in). It is idempotent and runs after every migration, so a database set up with
`./run.sh --no-demo` is ready for imports.
"""
from __future__ import annotations

import csv
import json
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import shapely
from shapely.geometry import MultiPolygon, shape

from geo.coords import geometry_to_wgs84
from geo.crs import STORE_SRID

REFERENCE_DIR = Path(__file__).resolve().parent.parent / "data" / "reference"
COUNTY_ADCODE = "320281"
COUNTY_NAME = "江阴市"


@dataclass(frozen=True)
class Town:
    code: str
    name: str
    kind: str          # 街道 / 镇 / 园区
    seat_lon: float    # CGCS2000
    seat_lat: float

    @property
    def urban(self) -> bool:
        return self.kind in ("街道", "园区")

    @property
    def short_name(self) -> str:
        if self.kind == "园区":
            return "高新区"
        return self.name.removesuffix("街道").removesuffix("镇")


def read_csv(name: str) -> list[dict]:
    with open(REFERENCE_DIR / name, encoding="utf-8", newline="") as fh:
        return list(csv.DictReader(fh))


@lru_cache(maxsize=1)
def county_boundary() -> MultiPolygon:
    """The county boundary in CGCS2000 (EPSG:4490), converted from the shipped GCJ-02 file."""
    data = json.loads((REFERENCE_DIR / "boundary_gcj02.geojson").read_text(encoding="utf-8"))
    feats = data["features"] if data.get("type") == "FeatureCollection" else [data]
    geom = shapely.union_all([shape(f["geometry"]) for f in feats])
    geom = shapely.make_valid(geometry_to_wgs84(geom, "gcj02"))
    if geom.geom_type == "Polygon":
        geom = MultiPolygon([geom])
    return geom


@lru_cache(maxsize=1)
def towns() -> tuple[Town, ...]:
    from geo.coords import gcj02_to_wgs84

    rows = read_csv("towns.csv")
    lon, lat = gcj02_to_wgs84([float(r["seat_lon_gcj02"]) for r in rows],
                              [float(r["seat_lat_gcj02"]) for r in rows])
    return tuple(Town(r["code"], r["name"], r["kind"], float(x), float(y))
                 for r, x, y in zip(rows, lon, lat))


def _table_exists(cur, name: str) -> bool:
    return cur.execute("SELECT to_regclass(%(n)s) IS NOT NULL", {"n": name}).fetchone()[0]


def load_reference(conn) -> dict[str, int]:
    """Upsert departments, enforcement teams, event categories and the county boundary."""
    counts = {}
    with conn.cursor() as cur:
        from geo.roles import ACCOUNT_ROLES, ACTOR_ROLES
        roles = [{"code": c, "kind": "account", "label": r.label, "acts_as": r.acts_as} for c, r in ACCOUNT_ROLES.items()] + \
                [{"code": c, "kind": "actor", "label": r.label, "acts_as": None} for c, r in ACTOR_ROLES.items()]
        cur.execute("DELETE FROM role_catalogue")
        cur.executemany("INSERT INTO role_catalogue (code, kind, label, acts_as) "
                        "VALUES (%(code)s, %(kind)s, %(label)s, %(acts_as)s)", roles)
        counts["roles"] = len(roles)
        deps = read_csv("departments.csv")
        cur.executemany(
            "INSERT INTO departments (code, name, short_name) VALUES (%(code)s, %(name)s, %(short_name)s) "
            "ON CONFLICT (code) DO UPDATE SET name = EXCLUDED.name, short_name = EXCLUDED.short_name",
            deps)
        counts["departments"] = len(deps)
        teams = read_csv("enforcement_teams.csv")
        cur.executemany(
            "INSERT INTO enforcement_teams (code, name, penalty_powers) "
            "VALUES (%(code)s, %(name)s, %(penalty_powers)s) "
            "ON CONFLICT (code) DO UPDATE SET name = EXCLUDED.name, "
            "penalty_powers = EXCLUDED.penalty_powers",
            teams)
        counts["enforcement_teams"] = len(teams)
        cats = read_csv("event_categories.csv")
        for c in cats:
            c["team_code"] = c["team_code"] or None
        cur.executemany(
            "INSERT INTO event_categories (code, name, class_code, class_name, department_code, "
            "team_code, limit_value, limit_unit, default_level, weight) VALUES (%(code)s, %(name)s, "
            "%(class_code)s, %(class_name)s, %(department_code)s, %(team_code)s, %(limit_value)s, "
            "%(limit_unit)s, %(default_level)s, %(weight)s) ON CONFLICT (code) DO UPDATE SET "
            "name = EXCLUDED.name, class_code = EXCLUDED.class_code, class_name = EXCLUDED.class_name, "
            "department_code = EXCLUDED.department_code, team_code = EXCLUDED.team_code, "
            "limit_value = EXCLUDED.limit_value, limit_unit = EXCLUDED.limit_unit, "
            "default_level = EXCLUDED.default_level, weight = EXCLUDED.weight",
            cats)
        counts["event_categories"] = len(cats)
        if _table_exists(cur, "patrol_items"):          # 铁脚板's catalogues (migration 002)
            items = read_csv("collection_items.csv")
            cur.executemany(
                "INSERT INTO collection_items (code, name, department_code, frequency, applies_to, form) "
                "VALUES (%(code)s, %(name)s, %(department_code)s, %(frequency)s, %(applies_to)s, %(form)s::jsonb) "
                "ON CONFLICT (code) DO UPDATE SET name = EXCLUDED.name, department_code = EXCLUDED.department_code, "
                "frequency = EXCLUDED.frequency, applies_to = EXCLUDED.applies_to, form = EXCLUDED.form", items)
            counts["collection_items"] = len(items)
            patrol = read_csv("patrol_items.csv")
            cur.executemany(
                "INSERT INTO patrol_items (code, name, class_name, frequency, event_category_code, question) "
                "VALUES (%(code)s, %(name)s, %(class_name)s, %(frequency)s, %(event_category_code)s, %(question)s) "
                "ON CONFLICT (code) DO UPDATE SET name = EXCLUDED.name, class_name = EXCLUDED.class_name, "
                "frequency = EXCLUDED.frequency, event_category_code = EXCLUDED.event_category_code, "
                "question = EXCLUDED.question", patrol)
            counts["patrol_items"] = len(patrol)
        if _table_exists(cur, "chemicals"):
            chems = read_csv("chemicals.csv")
            for c in chems:
                for k in ("aegl2_60min_ppm", "erpg2_ppm"):
                    c[k] = c[k] or None
            cur.executemany(
                "INSERT INTO chemicals (cas, name, name_en, threshold_t, beta, hazard_class, state, mw, "
                "aegl2_60min_ppm, erpg2_ppm) VALUES (%(cas)s, %(name)s, %(name_en)s, %(threshold_t)s, "
                "%(beta)s, %(hazard_class)s, %(state)s, %(mw)s, %(aegl2_60min_ppm)s, %(erpg2_ppm)s) "
                "ON CONFLICT (cas) DO UPDATE SET name = EXCLUDED.name, name_en = EXCLUDED.name_en, "
                "threshold_t = EXCLUDED.threshold_t, beta = EXCLUDED.beta, hazard_class = EXCLUDED.hazard_class, "
                "state = EXCLUDED.state, mw = EXCLUDED.mw, aegl2_60min_ppm = EXCLUDED.aegl2_60min_ppm, "
                "erpg2_ppm = EXCLUDED.erpg2_ppm", chems)
            counts["chemicals"] = len(chems)
        if _table_exists(cur, "base_categories"):
            base = read_csv("base_categories.csv")
            cur.executemany(
                "INSERT INTO base_categories (code, kind, label, unit, sort) VALUES (%(code)s, %(kind)s, %(label)s, "
                "%(unit)s, %(sort)s) ON CONFLICT (code) DO UPDATE SET kind = EXCLUDED.kind, label = EXCLUDED.label, "
                "unit = EXCLUDED.unit, sort = EXCLUDED.sort", base)
            counts["base_categories"] = len(base)
            classes = read_csv("assistance_classes.csv")
            cur.executemany(
                "INSERT INTO assistance_classes (code, label, sort) VALUES (%(code)s, %(label)s, %(sort)s) "
                "ON CONFLICT (code) DO UPDATE SET label = EXCLUDED.label, sort = EXCLUDED.sort", classes)
            counts["assistance_classes"] = len(classes)
        cur.execute(
            "INSERT INTO county (adcode, name, geom) VALUES (%(adcode)s, %(name)s, "
            "ST_SetSRID(ST_GeomFromWKB(%(wkb)s), %(srid)s)) ON CONFLICT (adcode) DO UPDATE "
            "SET name = EXCLUDED.name, geom = EXCLUDED.geom",
            {"adcode": COUNTY_ADCODE, "name": COUNTY_NAME, "wkb": shapely.to_wkb(county_boundary()),
             "srid": STORE_SRID})
    return counts
