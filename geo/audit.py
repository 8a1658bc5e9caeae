"""The audit log: every action and log-in, successful or refused, one row each.

`record` writes in the caller's transaction, so an action and its audit row commit together; a
refused action rolls back and `record_refusal` writes its row in a transaction of its own. The
app role may only INSERT here (migration 006); the admin reads it through `read`.
"""
from __future__ import annotations

import datetime as dt
import json

from geo.db import dicts

_INSERT = """
INSERT INTO audit_log (username, role, action, target, ok, detail)
VALUES (%(username)s, %(role)s, %(action)s, %(target)s, %(ok)s, %(detail)s::jsonb)
"""


def record(conn, username: str, role: str | None, action: str, target: str | None = None,
           ok: bool = True, **detail) -> None:
    conn.execute(_INSERT, {"username": username, "role": role, "action": action, "target": target,
                           "ok": ok, "detail": json.dumps(detail, ensure_ascii=False, default=str)})


def record_refusal(pool_or_scoped, username: str, role: str | None, action: str, target: str | None,
                   reason: str, **detail) -> None:
    """A refused action's row, in its own transaction (the action itself rolled back)."""
    with pool_or_scoped.connection() as conn:
        with conn.transaction():
            record(conn, username, role, action, target, ok=False, reason=reason, **detail)


_READ = """
SELECT id, at, username, role, action, target, ok, detail
  FROM audit_log
 WHERE (%(username)s::text IS NULL OR username = %(username)s)
   AND (%(action)s::text IS NULL OR action = %(action)s)
   AND (%(only_failed)s IS FALSE OR NOT ok)
   AND at >= %(since)s
 ORDER BY at DESC, id DESC
 LIMIT %(limit)s
"""


def read(pool, username: str | None = None, action: str | None = None, only_failed: bool = False,
         since: dt.datetime | None = None, limit: int = 500) -> list[dict]:
    since = since or dt.datetime(2000, 1, 1, tzinfo=dt.timezone.utc)
    with pool.connection() as conn:
        return dicts(conn.execute(_READ, {"username": username or None, "action": action or None,
                                          "only_failed": only_failed, "since": since, "limit": limit}))


def verify(conn) -> dict:
    """Recompute the audit chain (migration 023): {"first_broken_id", "first_broken_seq",
    "rows_checked", "head_hash"}; first_broken_id is None when every row matches."""
    rows = dicts(conn.execute("SELECT * FROM jy_audit_verify()"))
    return rows[0]
