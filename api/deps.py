"""What every route of the terminals' API depends on: the pool, the bearer token, the signed-in worker,
and connections in the worker's scope (row-level security as for village staff)."""
from __future__ import annotations

from typing import Annotated

from fastapi import Header, Request

from geo import access, terminals
from geo.coords import DATUMS
from geo.errors import InvalidInput
from geo.scope import Scope


def pool(request: Request):
    return request.app.state.pool


def bearer(authorization: str | None) -> str | None:
    return authorization[7:].strip() if authorization and authorization.lower().startswith("bearer ") else None


def worker(request: Request, authorization: Annotated[str | None, Header()] = None) -> terminals.Worker:
    return terminals.authenticate(pool(request), bearer(authorization))


def scoped(request: Request, me: terminals.Worker, scope: Scope | None = None) -> access.ScopedPool:
    """Connections in the worker's village scope (row-level security, as for village staff), or in
    the village of one of the worker's own tasks (task_scoped)."""
    token = bearer(request.headers.get("authorization"))
    return access.ScopedPool(pool(request), credential=access.terminal(token), scope=scope or me.scope)


def task_scoped(request: Request, me: terminals.Worker, event_id: int) -> access.ScopedPool:
    """An event of the worker's village, or a task of theirs in another (the database checks the token
    and derives the village from the task)."""
    token = bearer(request.headers.get("authorization")) or ""
    task = terminals.task_scope(pool(request), token, event_id)
    if task is None:
        return scoped(request, me)
    return access.ScopedPool(pool(request), credential=access.terminal(token, event_id), scope=task)


def datum(value: str) -> str:
    datum = value.strip().lower().replace("-", "")
    if datum not in DATUMS:
        raise InvalidInput(f"unknown datum {value!r}", f"坐标系“{value}”无法识别：请使用 wgs84、gcj02 或 bd09。")
    return datum
