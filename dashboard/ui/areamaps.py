"""The maps of the area pages (市级指挥, the wall, 镇街, 村社区): each built from the shared per-scope reads
and serialized once per scope and figures for every viewer (maps.shared_map). They live here, not in
the page files, because a page file runs again on every rerun: a cache defined there was made anew
(its source read and tokenized) on every run."""
from __future__ import annotations

from dashboard.ui import data, maps
from geo.scope import Scope
from geo.status import CLOSED_STATUSES

CITY = Scope.city()
CITY_HEIGHT = 640


@maps.shared_map
def city_map(layers: tuple[str, ...], figures: list[dict]):
    """The towns coloured by `figures` (the ranking beside shows the same) and the chosen layers."""
    shapes = data.area_shapes(CITY)
    deck_layers = [maps.areas_layer(shapes, figures)]
    if "density" in layers:
        deck_layers.append(maps.density_layer(data.density(CITY)))
    if "dedicated" in layers:
        deck_layers.append(maps.dedicated_layer(data.dedicated_grids(CITY)))
    deck_layers += [maps.outline_layer(data.county_outline(), "county"), maps.labels_layer(shapes)]
    if "chem" in layers:
        deck_layers.append(maps.chem_layer(data.chem_sites(CITY)))
    if "resources" in layers:
        deck_layers.append(maps.resources_layer(data.resources(CITY)))
    if "warnings" in layers:
        deck_layers.append(maps.warnings_layer(data.early_warnings(CITY)))
    return maps.deck(deck_layers, maps.CITY_VIEW, height=CITY_HEIGHT)


@maps.shared_map
def wall_map(height: int, figures: list[dict]):
    """Every wall's map (the same for all of them), the towns coloured by `figures`."""
    shapes = data.area_shapes(CITY)
    layers = [maps.areas_layer(shapes, figures), maps.density_layer(data.density(CITY)),
              maps.outline_layer(data.county_outline(), "county"), maps.labels_layer(shapes, size=20),
              maps.chem_layer(data.chem_sites(CITY))]
    lon, lat, zoom = maps.CITY_VIEW
    return maps.deck(layers, (lon, lat, zoom + 0.35), height=height, background="#0f1a2b")


@maps.shared_map
def town_map(scope: Scope, view: tuple, metric: str, figures: list[dict]):
    """A town's villages coloured by `metric` of `figures` (the ranking beside shows the same)."""
    shapes = data.area_shapes(scope)
    return maps.deck([maps.areas_layer(shapes, figures, metric), maps.dedicated_layer(data.dedicated_grids(scope)),
                      maps.labels_layer(shapes, size=12), maps.chem_layer(data.chem_sites(scope)),
                      maps.resources_layer(data.resources(scope)), maps.warnings_layer(data.early_warnings(scope))],
                     view)


@maps.shared_map
def village_map(scope: Scope, view: tuple, name: str, figures: list[dict]):
    """A village's grids coloured by `figures` (the ranking beside shows the same), its open events."""
    shapes = data.area_shapes(scope)
    points = data.event_points(scope)
    return maps.deck([maps.areas_layer(shapes, figures), maps.dedicated_layer(data.dedicated_grids(scope)),
                      maps.labels_layer(shapes, size=13, strip=name),
                      maps.points_layer([p for p in points if p["status"] not in CLOSED_STATUSES],
                                        "open_events", "category", lambda p: f"事件 {p['id']}",
                                        lambda p: "已超期" if p["overdue"] else "在办",
                                        lambda p: [200, 0, 0, 230] if p["overdue"] else [255, 140, 0, 220])],
                     view)
