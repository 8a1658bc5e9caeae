"""Sign-in, sessions, and the admin's reads of accounts and the audit log."""
from __future__ import annotations

import streamlit as st

from dashboard.ui.data.pools import live, pool, viewer
from geo import access, audit, auth, terminals


def client_source() -> str:
    """The browser's address as geo.auth.client_address reads it behind the proxy."""
    peer = st.context.ip_address
    forwarded = st.context.headers.get("X-Forwarded-For")
    return auth.client_address(peer if isinstance(peer, str) else None, forwarded if isinstance(forwarded, str) else None)


def login(username: str, password: str) -> tuple[access.Viewer, str]:
    return auth.login(pool(), username, password, source=client_source())


def handoff(token: str) -> str:
    return auth.handoff(pool(), token)


def resume(token: str | None) -> access.Viewer | None:
    return auth.resume(pool(), token)


def touch(token: str) -> bool:
    return auth.touch(pool(), token)


def logout(token: str | None, reason: str = "logout") -> None:
    auth.end_session(pool(), viewer(), token, reason)


def users() -> list[dict]:
    viewer().require_admin()
    return auth.list_users(live())


def terminal_accounts() -> list[dict]:
    viewer().require_admin()
    return terminals.accounts(live())


def audit_rows(**filters) -> list[dict]:
    viewer().require_admin()
    return audit.read(live(), **filters)


def import_check(kind: str, path, opts):
    """Validate a file (nothing written): (report, prepared rows)."""
    from loaders.importer import addresses, grids, points

    viewer().require_admin()
    with live().connection() as conn:
        if kind == "grids":
            return grids.prepare(conn, path, opts)
        if kind == "addresses":
            return addresses.prepare(conn, path, opts)
        return points.prepare(conn, kind, path, opts)


def change_password(old: str, new: str) -> None:
    """The signed-in user's own password (geo.auth.change_own_password); the session ends with it."""
    auth.change_own_password(pool(), viewer(), old, new, client_source())


def must_change_password() -> bool:
    return auth.must_change_password(pool(), viewer())
