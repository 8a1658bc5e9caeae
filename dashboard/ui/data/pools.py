"""Pools and scope: the app role's pool (st.cache_resource), the read replica when it is usable, the
signed-in viewer, and `shared`, the cache of aggregates per scope (not per user: two leaders of the
same town share figures; a town leader never gets the city's)."""
from __future__ import annotations

import functools
import pickle

import streamlit as st

from geo import access, db
from geo.errors import DataUnavailable, LoginFailed

FIGURES_TTL_S = 30       # live figures
SHAPES_TTL_S = 600       # polygons change only on import
VIEWER_KEY = "viewer"


@st.cache_resource(show_spinner=False)
def pool():
    """The primary: every write, and the reads when there is no usable replica."""
    return db.make_pool(db.app_database_url())


@st.cache_resource(show_spinner=False)
def _replica_pool():
    url = db.replica_url()
    if not url:
        return None
    return db.make_replica_pool(url)


@st.cache_data(ttl=5, show_spinner=False)
def replica_status() -> tuple[bool, str] | None:
    """None without a replica; else (usable, reason), checked at most every 5 s."""
    rp = _replica_pool()
    return None if rp is None else db.replica_state(rp)


def reader():
    """The pool the read-only views use: the replica when it is up and current, else the primary."""
    status = replica_status()
    if status and status[0]:
        return _replica_pool()
    return pool()


def viewer() -> access.Viewer:
    """The signed-in account (app.py lets no page run without one)."""
    v = st.session_state.get(VIEWER_KEY)
    if v is None:
        raise DataUnavailable("no signed-in viewer", "请先登录。")
    return v


def live() -> access.ScopedPool:
    """Fresh (uncached) reads and every write, in the viewer's scope and under their name."""
    return access.ScopedPool(pool(), viewer())


def args_key(*args, **kwargs) -> bytes:
    """A cache key of a call's arguments, written in one pass by pickle (C): st.cache_data's own hashing
    walks every object in Python (a fifth of a city run went to hashing arguments, 2026-12-03). Equal
    bytes mean equal arguments; equal arguments written differently only miss the cache."""
    return pickle.dumps((args, sorted(kwargs.items())), protocol=5)


def shared(ttl: int):
    """Cache a reader function `fn(db, *args)` per viewer scope: the cache key holds the scope, and
    `db` is the reader pool scoped to it."""
    def deco(fn):
        def scoped(key: bytes, *, _viewer: access.Viewer, _args: tuple, _kwargs: dict):
            # Keyed by the scope and the arguments (args_key; not hashed: _viewer, _args, _kwargs); run
            # under the session of the first viewer of that scope to ask — the database grants the same
            # rows to every viewer of one scope.
            source = reader()
            try:
                return fn(access.ScopedPool(source, _viewer), *_args, **_kwargs)
            except LoginFailed:
                if source is pool():
                    raise
                # A session younger than the replica's replay (a log-in seconds ago): the primary knows it.
                return fn(access.ScopedPool(pool(), _viewer), *_args, **_kwargs)
        # Streamlit keys a cache by the function's name and source: give it fn's.
        functools.update_wrapper(scoped, fn)
        cached = st.cache_data(ttl=ttl, show_spinner=False)(scoped)

        @functools.wraps(fn)
        def public(*args, **kwargs):
            v = viewer()
            return cached(args_key(v.scope, *args, **kwargs), _viewer=v, _args=args, _kwargs=kwargs)
        public.clear = cached.clear  # type: ignore[attr-defined]  # the cache's own clear, on the wrapper
        return public
    return deco
