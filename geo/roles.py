"""Roles and what each may do: the one table that access (who sees what), the workflow (who acts on
which events), 调度台, navigation and the users page all read.

Two kinds of role:
- account roles: what a person signs in as (app_users.role);
- actor roles: what the workflow checks an action against (event_log.actor_role). An account that
  acts does so as one actor role (ACCOUNT_ROLES[...].acts_as; a dispatcher bound to a town acts as
  the town dispatcher). Departments, grid workers' terminals and jobs are actors without accounts.
"""
from __future__ import annotations

from dataclasses import dataclass

# The drill-down views every signed-in role has (navigation keys of dashboard/ui/nav.py).
VIEWS = ("city", "town", "village", "grid", "event")


@dataclass(frozen=True)
class AccountRole:
    code: str
    label: str
    binds: str                 # "city" (no area), "town", "village", or "town?" (a town, or none for city-wide)
    acts_as: str | None        # the actor role it acts as (None: looks only); "dispatcher" resolves by its town
    sees_personal_data: bool   # reporter names and phones (masked on the wall, a screen many people see)
    pages: tuple[str, ...]     # navigation keys; the first is where it lands
    admin: bool = False        # users, audit log, imports
    sees_assistance: bool = False   # the households behind the 社会救助 counts (jy_sees_assistance() in SQL)


ACCOUNT_ROLES: dict[str, AccountRole] = {r.code: r for r in (
    AccountRole("city_commander", "市级指挥", "city", "city_commander", True,
                VIEWS + ("onemap", "dispatch", "intake", "evaluation", "assessment", "hazards", "scenario"),
                sees_assistance=True),
    AccountRole("town_leader", "镇街领导", "town", None, True,
                VIEWS + ("onemap", "evaluation", "assessment", "hazards", "scenario"), sees_assistance=True),
    AccountRole("village_staff", "村社区工作人员", "village", "village_staff", True,
                VIEWS + ("onemap", "dispatch", "intake", "hazards"), sees_assistance=True),
    AccountRole("dispatcher", "调度员", "town?", "dispatcher", True,
                VIEWS + ("onemap", "dispatch", "intake", "evaluation", "assessment", "hazards", "scenario")),
    AccountRole("wall", "大屏", "city", None, False, VIEWS + ("onemap", "hazards")),
    AccountRole("admin", "管理员", "city", None, True,
                VIEWS + ("onemap", "evaluation", "assessment", "hazards", "scenario", "import", "users", "audit"),
                admin=True),
)}


@dataclass(frozen=True)
class ActorRole:
    code: str
    label: str
    level: str | None          # the handling level it acts at (None: not tied to a level)
    needs: str | None          # the area it must be bound to: "town", "village" or None
    anywhere: bool = False     # may act on any event in the city (city dispatcher, jobs)
    dispatches: bool = False   # takes the dispatcher's actions (立案, 派遣, 结案 …) and has a 调度台 queue
    all_levels: bool = False   # its 调度台 may list every handling level, not only its own


ACTOR_ROLES: dict[str, ActorRole] = {r.code: r for r in (
    ActorRole("city_commander", "市级指挥", "city", None, dispatches=True, all_levels=True),
    ActorRole("city_dispatcher", "市级调度员", "city", None, anywhere=True, dispatches=True, all_levels=True),
    ActorRole("town_dispatcher", "镇街调度员", "town", "town", dispatches=True, all_levels=True),   # the town runs its villages' events (上收)
    ActorRole("village_staff", "村社区工作人员", "village", "village", dispatches=True),
    ActorRole("town_leader", "镇街领导", "town", "town"),      # acts on no event; urges and supervises its town's
    ActorRole("department", "部门/执法队伍", None, None),
    ActorRole("grid_worker", "网格员", None, "village"),
    ActorRole("system", "系统", None, None, anywhere=True),
)}

# Labels by code, for tables and messages.
ACCOUNT_LABELS = {c: r.label for c, r in ACCOUNT_ROLES.items()}
ACTOR_LABELS = {c: r.label for c, r in ACTOR_ROLES.items()}
DISPATCHERS = tuple(c for c, r in ACTOR_ROLES.items() if r.dispatches)
# 催办 (urge the assignee of an open event) and 督办 (the city supervises a town's handling of one):
# the actor roles that may, within the area they act in.
URGERS = {"urge": ("city_commander", "city_dispatcher", "town_dispatcher", "town_leader"),
          "supervise": ("city_commander", "city_dispatcher", "town_leader")}
# Accounts that take no workflow action but urge as a role of their own (a town leader 催办/督办 the
# events of the town: 督办 from the town addresses the village handling it).
URGES_AS = {"town_leader": "town_leader"}


def actor_role_of(account_role: str, town: str | None) -> str | None:
    """The actor role an account acts as (None: it only looks)."""
    acts = ACCOUNT_ROLES[account_role].acts_as
    if acts == "dispatcher":
        return "town_dispatcher" if town else "city_dispatcher"
    return acts


# Field staff (staff.role): who carries a terminal or works a grid. Labels, and the words a roster
# file may use for each (the staff import reads them).
STAFF_LABELS = {"grid_worker": "网格员", "police": "网格警员", "grid_leader": "网格长",
                "dispatcher": "调度员", "dept_officer": "部门人员"}
STAFF_WORDS = {**{label: code for code, label in STAFF_LABELS.items()}, "警员": "police",
               **{code: code for code in STAFF_LABELS}}
