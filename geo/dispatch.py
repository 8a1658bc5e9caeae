"""The dispatcher's queue: events waiting for action at the dispatcher's level and area,
overdue first, then by time left."""
from __future__ import annotations

from geo.db import dicts
from geo.roles import ACTOR_ROLES
from geo.sqlfiles import load
from geo.workflow import Actor

# What waits for a dispatcher: new reports, accepted cases to dispatch, returned cases to
# re-dispatch, verified cases to close; handled cases wait for verification on site.
WAITING = ("reported", "accepted", "returned", "handled", "verified")


def queue(pool, actor: Actor, statuses: tuple[str, ...] = WAITING, classes: tuple[str, ...] = (),
          overdue_only: bool = False, all_levels: bool = False, limit: int = 500,
          event_id: int | None = None, search: str | None = None) -> list[dict]:
    """Events waiting for this dispatcher. A city dispatcher sees city-level events (or every level
    with all_levels); a town dispatcher town-level events of the town; village staff their village.
    With event_id, just that event if it is open and in the dispatcher's area (any level)."""
    role = ACTOR_ROLES[actor.role]
    level = role.level
    if event_id is not None:
        all_levels, level = True, None
    params = {"statuses": list(statuses) or list(WAITING), "classes": list(classes) or None,
              "overdue_only": overdue_only,
              "level": None if (all_levels and role.all_levels) or event_id else level,
              "town": actor.town, "village": actor.village, "limit": limit, "event_id": event_id,
              "search": (search or "").strip() or None}
    if params["search"] is not None:
        params["level"] = None if role.all_levels else level
    with pool.connection() as conn:
        cur = conn.execute(load("dispatch_queue"), params)
        return dicts(cur)
