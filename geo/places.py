"""Places of the grid hierarchy: resolving a drill-down path, names, bounds, children.

A path is (town, village, grid) codes as they come from a URL. `resolve_path` checks each code
exists, has the right level and sits under the one before, and returns the named path; otherwise it
raises NotFound / InvalidInput naming the deepest valid ancestor, so the UI can offer a link up.
"""
from __future__ import annotations

from dataclasses import dataclass

from geo import codes
from geo.db import dicts
from geo.errors import InvalidInput, PathError
from geo.scope import Scope
from geo.sqlfiles import load, query

LEVEL_NAMES = codes.LEVEL_NAMES


@dataclass(frozen=True)
class Place:
    code: str
    name: str
    level: int
    kind: str
    dedicated_type: str | None
    population: int | None
    area_km2: float
    bounds: tuple[float, float, float, float]   # minx, miny, maxx, maxy (CGCS2000 degrees)


@dataclass(frozen=True)
class Path:
    town: Place | None = None
    village: Place | None = None
    grid: Place | None = None

    @property
    def deepest(self) -> Place | None:
        return self.grid or self.village or self.town

    def at(self, level: str) -> Place:
        """The town, village or grid of a path resolved down to that level (nav.current_path's
        `required`); a path that stops above it is a programming error."""
        place = {"town": self.town, "village": self.village, "grid": self.grid}[level]
        if place is None:
            raise ValueError(f"the path stops above the {level}")
        return place

    def scope(self) -> Scope:
        if self.village:
            return Scope(village=self.village.code)
        if self.town:
            return Scope(town=self.town.code)
        return Scope.city()


def _place(row: dict) -> Place:
    return Place(row["code"], row["name"], row["level"], row["kind"], row["dedicated_type"],
                 row["population"], row["area_km2"],
                 (row["minx"], row["miny"], row["maxx"], row["maxy"]))


def get_places(conn, codes: list[str]) -> dict[str, Place]:
    out = {}
    for r in query(conn, "places_by_code", {"codes": codes}):
        out[r["code"]] = _place(r)
    return out


def resolve_path(pool, town: str | None = None, village: str | None = None,
                 grid: str | None = None) -> Path:
    """Named drill-down path for URL codes; PathError names what is wrong and what was valid."""
    given = [(1, town), (2, village), (3, grid)]
    for level, code in given:
        if code is not None and not codes.is_code(code, level):
            raise PathError(f"{LEVEL_NAMES[level]} code {code!r} is malformed",
                            f"{LEVEL_NAMES[level]}编码“{code}”格式不对（应为"
                            f"{codes.length(level)}位数字）。", Path())
    # Missing ancestors follow from the codes themselves.
    if grid and not village:
        village = codes.ancestor(grid, 2)
    if village and not town:
        town = codes.ancestor(village, 1)
    with pool.connection() as conn:
        found = get_places(conn, [c for c in (town, village, grid) if c])
    path = Path()
    for level, code in ((1, town), (2, village), (3, grid)):
        if code is None:
            break
        place = found.get(code)
        parent = path.deepest
        if place is None or place.level != level:
            raise PathError(f"no {LEVEL_NAMES[level]} with code {code}",
                            f"没有编码为 {code} 的{LEVEL_NAMES[level]}。", path)
        if parent is not None and not code.startswith(parent.code):
            raise PathError(f"{code} is not in {parent.code}",
                            f"{LEVEL_NAMES[level]} {code} 不属于 {parent.name}（{parent.code}）。", path)
        path = Path(town=place if level == 1 else path.town,
                    village=place if level == 2 else path.village,
                    grid=place if level == 3 else path.grid)
    return path


def children(pool, scope: Scope) -> list[dict]:
    """Admin areas one level below the scope, with name and population (for pickers and tables)."""
    level = {"city": 1, "town": 2, "village": 3}[scope.level]
    with pool.connection() as conn:
        cur = conn.execute(load("places_children"), {**scope.params(), "child_level": level})
        return dicts(cur)


def check_code(value: str | None, level: int) -> str | None:
    """Validate a code from a form or URL (None passes)."""
    if value is None or value == "":
        return None
    if not codes.is_code(value, level):
        raise InvalidInput(f"{LEVEL_NAMES[level]} code {value!r} is malformed",
                           f"{LEVEL_NAMES[level]}编码“{value}”格式不对。")
    return value
