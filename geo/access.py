"""Who is looking, and what the database lets them see.

A Viewer is an authenticated account (geo/auth.py makes one at log-in, with its session token).
Its `scope` is the geo Scope it may see: the whole city, one town, or one village. A ScopedPool
hands out connections whose transaction first proves a credential to the database — the viewer's
session token, a terminal's access token, another system's API key — and the database itself then
sets and signs the scope (migration 027); the row-level security policies filter every table by it,
whatever a page asks for. The app cannot name a scope: a setting it writes itself is ignored.
Jobs without a user (the outbox worker) switch to their own narrow role instead.
"""
from __future__ import annotations

from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Iterator

from geo.errors import Forbidden, InvalidInput, LoginFailed, OutOfScope
from geo.roles import ACCOUNT_LABELS, ACCOUNT_ROLES, ACTOR_ROLES, URGERS, URGES_AS, actor_role_of
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
    # The session token this viewer signed in with (geo/auth.py); the database derives the scope
    # from it. Not part of equality, never printed.
    token: str | None = field(default=None, compare=False, repr=False)

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
        role = actor_role_of(self.role, self.town) or URGES_AS.get(self.role)
        return tuple(k for k, roles in URGERS.items() if role in roles)

    def urger(self):
        """The Actor this account sends 催办/督办 as: its workflow actor, or (a town leader) its own."""
        from geo.workflow import Actor

        role = URGES_AS.get(self.role)
        if role is None:
            return self.actor()
        return Actor(name=self.display_name, role=role, town=self.town, village=self.village, username=self.username)

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

@dataclass(frozen=True)
class Credential:
    """What a transaction shows the database before it gets a scope (migration 027): the statement
    that checks it and signs the scope, and a label for messages."""
    statement: object
    params: dict
    what: str
    message_zh: str


def session(token: str | None) -> Credential:
    """A dashboard session (the browser's session token)."""
    return Credential("SELECT jy_begin(%(t)s) AS ok", {"t": token or ""}, "the session has ended",
                      "登录已失效（已退出、超时、账号停用或密码已重置），请重新登录。")


def terminal(token: str | None, event_id: int | None = None) -> Credential:
    """A field terminal's access token; with `event_id`, in the village of that task of theirs."""
    return Credential("SELECT jy_begin_terminal(%(t)s, %(e)s) AS ok", {"t": token or "", "e": event_id},
                      "the terminal's token is wrong, expired or revoked, or the task is not theirs",
                      "访问令牌无效、已过期或已注销，或该任务不属于本终端，请重新登录。")


def client(key: str | None) -> Credential:
    """Another system's Open311 API key."""
    return Credential("SELECT jy_begin_client(%(k)s) AS ok", {"k": key or ""}, "the API key is wrong or disabled",
                      "接口密钥无效或已停用。")


# Jobs that run without a user, and the narrow login role each connects as (geo.db.outbox_conninfo).
JOBS = {"outbox": "jy_outbox"}


def job(name: str) -> Credential:
    """A job's connection proves nothing but that it is the job's own login role."""
    return Credential("SELECT session_user = %(role)s AS ok", {"role": JOBS[name]},
                      f"job {name} must connect as {JOBS[name]}", f"后台任务 {name} 未以其专用角色连接。")


def begin(conn, credential: Credential) -> None:
    """Prove the credential at the start of the caller's transaction; LoginFailed if the database
    refuses it (then no row would be visible anyway)."""
    cur = conn.execute(credential.statement, credential.params)
    if cur.description is not None:
        row = cur.fetchone()
        ok = row["ok"] if isinstance(row, dict) else row[0]
        if not ok:
            raise LoginFailed(credential.what, credential.message_zh)


class ScopedPool:
    """Looks like a pool to geo/ query functions; every connection it gives is one transaction
    that starts by proving the viewer's session (or another credential) to the database, which sets
    the scope. Leaving the block commits; an error rolls back. `scope` is what the database will
    allow, for the Python side (labels, checks before a query)."""

    def __init__(self, pool, viewer: Viewer | None = None, *, credential: Credential | None = None,
                 scope: Scope | None = None):
        if viewer is not None:
            credential, scope = session(viewer.token), viewer.scope
        if credential is None or scope is None:
            raise ValueError("a scoped pool needs a viewer, or a credential and the scope it grants")
        self._pool, self._credential, self._scope = pool, credential, scope

    @property
    def scope(self) -> Scope:
        """The scope its connections run in."""
        return self._scope

    @contextmanager
    def connection(self, timeout: float | None = None) -> Iterator:
        with self._pool.connection(timeout=timeout) as conn:
            with conn.transaction():
                begin(conn, self._credential)
                yield conn
