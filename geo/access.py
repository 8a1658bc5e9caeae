"""Who is looking, and what the database lets them see.

A Viewer is an authenticated account (geo/auth.py makes one at log-in). Its `scope` is the
geo Scope it may see: the whole city, one town, or one village. `scoped(pool, viewer)` hands out
connections whose transaction first sets that scope with set_config(..., true); the row-level
security policies of migration 006 then filter every table by it, whatever a page asks for.
"""
from __future__ import annotations

from contextlib import contextmanager
from dataclasses import dataclass
from typing import Iterator

from geo.errors import Forbidden, InvalidInput, OutOfScope
from geo.roles import ACCOUNT_LABELS, ACCOUNT_ROLES, ACTOR_ROLES, URGERS, actor_role_of
from geo.scope import Scope

# Account roles and their Chinese labels (what each may do: geo/roles.py).
ROLES = ACCOUNT_LABELS


@dataclass(frozen=True)
class Viewer:
    username: str
    display_name: str
    role: str
    town: str | None = None
    village: str | None = None

    def __post_init__(self):
        if self.role not in ROLES:
            raise InvalidInput(f"unknown role {self.role!r}", f"未知的角色“{self.role}”。")
        binds = ACCOUNT_ROLES[self.role].binds
        if binds in ("town", "village") and not self.town:
            raise InvalidInput(f"a {self.role} account needs a town", f"{ROLES[self.role]}必须绑定镇街。")
        if binds == "village" and not self.village:
            raise InvalidInput(f"a {self.role} account needs a village", f"{ROLES[self.role]}必须绑定村社区。")
        if binds == "city" and (self.town or self.village):
            raise InvalidInput(f"a {self.role} account sees the whole city and has no town",
                               f"{ROLES[self.role]}面向全市，不绑定镇街或村社区。")
        Scope(self.town, self.village)   # validates the codes and that the village is in the town

    @property
    def scope(self) -> Scope:
        """What this account may see."""
        return Scope(self.town, self.village)

    @property
    def label(self) -> str:
        return f"{ROLES[self.role]} {self.display_name}"

    @property
    def can_act(self) -> bool:
        """Dispatchers, city commanders and village staff act on events; the others only look."""
        return ACCOUNT_ROLES[self.role].acts_as is not None

    @property
    def sees_personal_data(self) -> bool:
        """Reporter names and phone numbers are masked for the wall (a screen many people see)."""
        return ACCOUNT_ROLES[self.role].sees_personal_data

    @property
    def sees_all_levels(self) -> bool:
        """City-wide actors (city dispatcher, commander) may list every handling level in 调度台."""
        role = actor_role_of(self.role, self.town)
        return role is not None and ACTOR_ROLES[role].all_levels

    @property
    def may_urge(self) -> tuple[str, ...]:
        """Which of 催办 ("urge") and 督办 ("supervise") this account may send (geo/roles.py URGERS)."""
        role = actor_role_of(self.role, self.town)
        return tuple(k for k, roles in URGERS.items() if role in roles)

    @property
    def is_admin(self) -> bool:
        return ACCOUNT_ROLES[self.role].admin

    def require_admin(self) -> None:
        if not self.is_admin:
            raise Forbidden(f"{self.role} is not an admin", "只有管理员可以管理用户、查看审计日志和导入数据。")

    def actor(self):
        """The workflow Actor this account acts as; Forbidden for roles that only look."""
        from geo.workflow import Actor

        if not self.can_act:
            raise Forbidden(f"{self.role} accounts cannot act on events",
                            f"{ROLES[self.role]}账号只能查看，不能处置事件。")
        role = actor_role_of(self.role, self.town)
        assert role is not None      # can_act above
        return Actor(name=self.display_name, role=role, town=self.town, village=self.village,
                     username=self.username)

    def require(self, town: str | None, village: str | None = None) -> None:
        """OutOfScope unless the town/village codes a page was asked for (from the URL, unchecked)
        lie inside this account's area. City-wide accounts may ask for anything."""
        if self.town and town != self.town:
            raise OutOfScope(f"{self.username} may only see town {self.town}, not {town or 'the city'}",
                             "您的账号只能查看本镇街的数据，无权查看其他镇街或全市明细。")
        if self.village and village != self.village:
            raise OutOfScope(f"{self.username} may only see village {self.village}, not {village}",
                             "您的账号只能查看本村社区的数据，无权查看其他村社区。")

def settings(viewer: Viewer | None, scope: Scope | None = None, who: tuple[str, str] | None = None) -> dict[str, str]:
    """The transaction settings for a viewer (or, for cached figures, for a bare scope)."""
    s = viewer.scope if viewer else scope
    if s is None:
        return {"scope": "", "town": "", "village": "", "role": "", "user": ""}
    role, user = (viewer.role, viewer.username) if viewer else (who or ("", ""))
    return {"scope": s.level, "town": s.town or "", "village": s.village or "", "role": role, "user": user}


_SET = """
SELECT set_config('jy.scope', %(scope)s, true), set_config('jy.town', %(town)s, true),
       set_config('jy.village', %(village)s, true), set_config('jy.role', %(role)s, true),
       set_config('jy.user', %(user)s, true)
"""


def apply(conn, viewer: Viewer | None = None, scope: Scope | None = None, who: tuple[str, str] | None = None) -> None:
    """Set the scope for the rest of the caller's transaction (`who`: the (role, name) of an actor
    without a dashboard account, a terminal for instance, whose audit rows carry that name)."""
    conn.execute(_SET, settings(viewer, scope, who))


class ScopedPool:
    """Looks like a pool to geo/ query functions; every connection it gives is one transaction
    that starts by setting the viewer's scope (or a bare scope, for figures shared between viewers
    with the same scope). Leaving the block commits; an error rolls back."""

    def __init__(self, pool, viewer: Viewer | None = None, scope: Scope | None = None,
                 who: tuple[str, str] | None = None):
        if viewer is None and scope is None:
            raise ValueError("a scoped pool needs a viewer or a scope")
        self._pool, self._viewer, self._scope, self._who = pool, viewer, scope, who

    @property
    def scope(self) -> Scope:
        """The scope its connections run in."""
        return self._viewer.scope if self._viewer is not None else self._scope  # type: ignore[return-value]

    @contextmanager
    def connection(self, timeout: float | None = None) -> Iterator:
        with self._pool.connection(timeout=timeout) as conn:
            with conn.transaction():
                apply(conn, self._viewer, self._scope, self._who)
                yield conn
