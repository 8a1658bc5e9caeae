"""What a zone touches — exposure rings around a site and the incident threat zone — computed in
PostGIS in metres: grids and the residents inside (area-weighted), sensitive targets (schools,
hospitals, elderly homes, markets), other chemical sites (domino), the nearest emergency resources
with an ETA, and the notification list.

A zone does not stop at a town line, so the analysis reads the whole county whoever asks
(jy_zone_analysis, a SECURITY DEFINER function of migration 009): the totals are the same for a
town leader as for the commander. Rows outside the viewer's area come back only as one aggregate per
town (counts and people, no names below the town), so no other town's grid, village, school or
site is named to a town user; the page says that the zone leaves the viewer's area."""
from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass, field

import shapely
import shapely.errors
import shapely.geometry
from shapely.geometry import MultiPolygon, Point, Polygon

from geo.crs import from_metric, to_metric
from geo.db import dicts
from geo.errors import InvalidInput
from geo.hazards import plume
from geo.sqlfiles import load

DEFAULT_RINGS_M = (500, 1000, 3000)
ETA_SPEED_KMH = 40.0       # emergency vehicles on county roads
DETOUR_FACTOR = 1.4        # road distance / straight line


@dataclass
class ZoneReport:
    zone: MultiPolygon                      # CGCS2000
    grids: list[dict] = field(default_factory=list)       # in the viewer's area, named
    sensitive: list[dict] = field(default_factory=list)
    domino: list[dict] = field(default_factory=list)
    others: list[dict] = field(default_factory=list)      # outside it: one aggregate row per town

    @property
    def leaves_area(self) -> bool:
        """Does the zone reach beyond the viewer's area (towns shown as aggregates only)?"""
        return bool(self.others)

    @property
    def population(self) -> float:
        return sum(g["people"] or 0 for g in self.grids) + sum(o["people"] or 0 for o in self.others)

    @property
    def n_grids(self) -> int:
        return len(self.grids) + sum(o["n_grids"] for o in self.others)

    @property
    def n_villages(self) -> int:
        return len({g["village_code"] for g in self.grids}) + sum(o["n_villages"] for o in self.others)

    @property
    def n_sensitive(self) -> int:
        return len(self.sensitive) + sum(o["n_sensitive"] for o in self.others)

    @property
    def n_domino(self) -> int:
        return len(self.domino) + sum(o["n_sites"] for o in self.others)

    def by_town(self) -> list[dict]:
        """Per town: grids, villages, people, sensitive targets, sites (own towns from the rows)."""
        out: dict[str, dict] = {}
        for g in self.grids:
            t = out.setdefault(g["town_code"], {"town": g["town_name"], "grids": 0, "villages": set(),
                                                "people": 0.0, "sensitive": 0, "sites": 0, "own": True})
            t["grids"] += 1
            t["villages"].add(g["village_code"])
            t["people"] += g["people"] or 0
        for kind, rows in (("sensitive", self.sensitive), ("sites", self.domino)):
            for r in rows:
                t = out.setdefault(r["town_code"], {"town": r["town_name"], "grids": 0, "villages": set(),
                                                    "people": 0.0, "sensitive": 0, "sites": 0, "own": True})
                t[kind] += 1
        rows = [{**t, "villages": len(t["villages"])} for t in out.values()]
        rows += [{"town": o["town_name"], "grids": o["n_grids"], "villages": o["n_villages"],
                  "people": o["people"] or 0.0, "sensitive": o["n_sensitive"], "sites": o["n_sites"],
                  "own": False} for o in self.others]
        return sorted(rows, key=lambda t: -t["people"])

    @property
    def villages(self) -> list[dict]:
        out: dict[str, dict] = {}
        for g in self.grids:
            v = out.setdefault(g["village_code"], {"village_code": g["village_code"], "village": g["village_name"],
                                                   "town": g["town_name"], "people": 0.0, "grids": 0})
            v["people"] += g["people"] or 0
            v["grids"] += 1
        return sorted(out.values(), key=lambda v: -v["people"])


def _multi(geom) -> MultiPolygon:
    parts = [p for p in shapely.get_parts(geom) if isinstance(p, Polygon) and not p.is_empty]
    return MultiPolygon(parts)


def analyse_zone(conn, zone: MultiPolygon, source: tuple[float, float], exclude_site: int | None = None) -> ZoneReport:
    cur = conn.execute(load("hazard_zone"), {"zone": shapely.to_wkb(zone), "lon": source[0],
                                             "lat": source[1], "exclude_site": exclude_site})
    rows = dicts(cur)
    rep = ZoneReport(zone)
    for r in rows:
        {"grid": rep.grids, "sensitive": rep.sensitive, "site": rep.domino, "other": rep.others}[r["what"]].append(r)
    rep.grids.sort(key=lambda g: -(g["people"] or 0))
    return rep


def ring(lon: float, lat: float, radius_m: float) -> MultiPolygon:
    """A circle of radius_m metres (drawn in EPSG:4549, 256 segments) in CGCS2000."""
    if not 0 < radius_m <= 50_000:
        raise InvalidInput("ring radius must be 1 m to 50 km", "影响半径应在1米到50公里之间。")
    centre = to_metric(Point(lon, lat))
    return _multi(from_metric(centre.buffer(radius_m, quad_segs=64)))


def exposure(conn, site: dict, radii=DEFAULT_RINGS_M) -> list[tuple[float, str, ZoneReport]]:
    """Rings at the site's external safety distance (if any) and the given radii."""
    rings = [(float(r), f"{int(r)} 米") for r in radii]
    if site.get("safety_distance_m"):
        rings.append((float(site["safety_distance_m"]), f"外部安全防护距离 {int(site['safety_distance_m'])} 米"))
    rings.sort()
    return [(r, label, analyse_zone(conn, ring(site["lon"], site["lat"], r), (site["lon"], site["lat"]),
                                     exclude_site=site.get("id")))
            for r, label in rings]


def threat_zone(lon: float, lat: float, release: plume.Release) -> tuple[MultiPolygon, float]:
    """The plume threat zone around a source, in CGCS2000, and its downwind reach in metres."""
    local, reach = plume.footprint(release)
    if local.is_empty:
        return MultiPolygon(), 0.0
    src = to_metric(Point(lon, lat))
    world = plume.place(local, src.x, src.y, release.wind_from_deg)
    return _multi(from_metric(world)), reach


def nearest_resources(conn, lon: float, lat: float, k: int = 8, kinds: tuple[str, ...] = (),
                      speed_kmh: float = ETA_SPEED_KMH, detour: float = DETOUR_FACTOR) -> list[dict]:
    cur = conn.execute(load("hazard_resources"), {"lon": lon, "lat": lat, "k": k, "kinds": list(kinds) or None})
    rows = dicts(cur)
    for r in rows:
        r["eta_min"] = r["distance_m"] * detour / (speed_kmh * 1000 / 60)
    return rows


def evacuation_list(conn, zone: MultiPolygon) -> list[dict]:
    cur = conn.execute(load("hazard_evacuation"), {"zone": shapely.to_wkb(zone)})
    return dicts(cur)


MAX_DRAWN_KM2 = 500.0       # a drawn zone larger than half the county is a slip of the mouse
ZONE_SOURCES = {"plume": "烟羽推演", "aloha": "ALOHA 导入", "drawn": "地图绘制"}


def drawn_zone(feature: dict) -> MultiPolygon:
    """A zone drawn on the map, in CGCS2000: Leaflet.draw's GeoJSON Feature — a Polygon (polygon or
    rectangle tool) or a Point with `properties.radius` in metres (circle tool). Leaflet works in
    WGS84 degrees, taken as CGCS2000 like every other map input here (the two differ by < 1 m)."""
    geom = (feature or {}).get("geometry") or {}
    kind = geom.get("type")
    try:
        if kind == "Point":
            radius = (feature.get("properties") or {}).get("radius")
            if not isinstance(radius, (int, float)):
                raise InvalidInput("a drawn circle has no radius", "所画圆形缺少半径，请重新画圆。")
            lon, lat = (float(v) for v in geom["coordinates"][:2])
            return ring(lon, lat, float(radius))
        if kind not in ("Polygon", "MultiPolygon"):
            raise InvalidInput(f"a drawn zone must be a polygon, rectangle or circle, not {kind}",
                               "请用多边形、矩形或圆形工具画出区域。")
        zone = _multi(shapely.make_valid(shapely.geometry.shape(geom)))
    except (KeyError, TypeError, ValueError, shapely.errors.GEOSException) as exc:
        raise InvalidInput(f"the drawn zone cannot be read: {exc}", "所画区域无法识别，请清除后重新画。") from exc
    if zone.is_empty or not zone.is_valid:
        raise InvalidInput("the drawn zone has no area", "所画区域没有面积，请重新画。")
    if not ((-180 <= zone.bounds[0] <= zone.bounds[2] <= 180) and (-90 <= zone.bounds[1] <= zone.bounds[3] <= 90)):
        raise InvalidInput("the drawn zone is not in longitude/latitude", "所画区域的坐标不是有效的经纬度。")
    area_km2 = to_metric(zone).area / 1e6
    if area_km2 > MAX_DRAWN_KM2:
        raise InvalidInput(f"the drawn zone is {area_km2:.0f} km2, over {MAX_DRAWN_KM2:.0f} km2",
                           f"所画区域 {area_km2:.0f} 平方公里，超过 {MAX_DRAWN_KM2:.0f} 平方公里的上限，请缩小后再分析。")
    return zone


def drawn_zones(features: list[dict]) -> MultiPolygon:
    """Everything drawn, as one zone (several strips cordoned off together)."""
    if not features:
        raise InvalidInput("nothing drawn", "请先在地图上画出区域（多边形、矩形或圆形）。")
    return _multi(shapely.union_all([drawn_zone(f) for f in features]))


def zone_area_m2(zone: MultiPolygon) -> float:
    """The zone's area in square metres (EPSG:4549)."""
    return float(to_metric(zone).area)


_ZONE_INSERT = """
INSERT INTO incident_zones (event_id, zone, source, scenario, area_m2, created_by)
SELECT %(event_id)s, z.g, %(source)s, %(scenario)s::jsonb, ST_Area(ST_Transform(z.g, 4549)), %(by)s
  FROM (SELECT ST_Multi(ST_SetSRID(ST_GeomFromWKB(%(zone)s), 4490)) AS g) z
"""

_ZONE_OF = """
SELECT z.source, z.scenario, z.area_m2, z.created_by, z.created_at, ST_AsGeoJSON(z.zone, 6) AS geojson
  FROM incident_zones z WHERE z.event_id = %(event_id)s
"""


def report_incident(conn, lon: float, lat: float, description: str,
                    now: dt.datetime | None = None, zone: MultiPolygon | None = None,
                    source: str = "plume", scenario: dict | None = None, by=None) -> int:
    """The incident as a drill (演练) of the highest urgency, handled at city level (WH03 泄漏): it
    goes through the dispatch queue like a real case, but no statistic or ticker counts it. The
    zone analysed (plume, ALOHA file or drawn) is saved with the scenario's inputs, in the same
    transaction. `by` (geo.intake.Reporter): who runs the drill; an owner's script by default."""
    from geo.intake import Report, Reporter, submit
    if source not in ZONE_SOURCES:
        raise ValueError(f"unknown zone source {source!r}")
    by = by or Reporter("(drill)", None, "事故推演", "drill")
    eid = submit(conn, [Report("WH03", description, 1, lon, lat, source="platform",
                               reporter="事故推演", reported_at=now, is_drill=True)], by=by, now=now)[0]
    if zone is not None and not zone.is_empty:
        conn.execute(_ZONE_INSERT, {"event_id": eid, "zone": shapely.to_wkb(zone), "source": source,
                                    "scenario": json.dumps(scenario or {}, ensure_ascii=False, default=str),
                                    "by": _person(by)})
    return eid


def _person(by) -> str:
    """Who saved a zone, as the event page names people: role and name (the audit row keeps the account)."""
    from geo.roles import ACCOUNT_LABELS, ACTOR_LABELS

    role = ACCOUNT_LABELS.get(by.role or "", ACTOR_LABELS.get(by.role or "", ""))
    return f"{role} {by.name}".strip()[:80]


def incident_zone(conn, event_id: int) -> dict | None:
    """The saved zone of an incident event (GeoJSON dict under "geometry"), or None."""
    rows = dicts(conn.execute(_ZONE_OF, {"event_id": event_id}))
    if not rows:
        return None
    r = rows[0]
    return {**{k: v for k, v in r.items() if k != "geojson"}, "geometry": json.loads(r["geojson"]),
            "source_label": ZONE_SOURCES[r["source"]]}
