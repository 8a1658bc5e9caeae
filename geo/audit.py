"""The audit log: every action and log-in, successful or refused, one row each.

`record` writes in the caller's transaction, so an action and its audit row commit together; a
refused action rolls back and `record_refusal` writes its row in a transaction of its own. The
app role may only INSERT here (migration 006); the admin reads it through `read`.
"""
from __future__ import annotations

import datetime as dt
import json
import os
from pathlib import Path

from geo.db import dicts

_INSERT = """
INSERT INTO audit_log (username, role, action, target, ok, detail)
VALUES (%(username)s, %(role)s, %(action)s, %(target)s, %(ok)s, %(detail)s::jsonb)
"""


# What an audit row's detail says, in Chinese for the 审计日志 page (keys and the values that are codes).
DETAIL_LABELS = {
    "via": "途径", "source": "来源", "count": "件数", "events": "事件数", "photos": "照片", "reason": "原因",
    "note": "说明", "to": "对象", "status": "状态", "level": "层级", "rows": "行数", "inserted": "新增",
    "unchanged": "未变", "changed": "有变更", "refused": "拒绝", "ok": "成功", "features": "要素数",
    "written": "已写入", "account_role": "账号角色", "town": "镇街", "village": "村社区",
    "failed_attempts": "连续失败次数", "locked_until": "锁定至", "known_user": "账号存在", "kind": "类型",
    "target_name": "对象名称", "version": "版本", "from": "原值", "by": "操作人",
}
VIA_LABELS = {"dashboard": "指挥平台页面", "api": "移动终端接口", "open311": "其他系统（Open311）", "cli": "命令行",
              "import": "数据导入", "drill": "事故推演", "test": "测试"}


def describe(detail: dict | None) -> str:
    """An audit row's detail as a line a reader understands: 键：值；… in Chinese, codes named."""
    from geo.roles import ACCOUNT_LABELS, ACTOR_LABELS
    from geo.status import LEVEL_LABELS, STATUS_LABELS

    if not detail:
        return ""
    if not isinstance(detail, dict):
        return str(detail)
    names = {"via": VIA_LABELS, "status": STATUS_LABELS, "level": LEVEL_LABELS,
             "account_role": {**ACTOR_LABELS, **ACCOUNT_LABELS}}
    parts = []
    for k, v in detail.items():
        if v is None or v == "":
            continue
        if isinstance(v, bool):
            text = "是" if v else "否"
        elif isinstance(v, (list, tuple)):
            text = "、".join(map(str, v))
        elif isinstance(v, dict):
            text = describe(v)
        else:
            text = str(names.get(k, {}).get(v, v)) if isinstance(v, str) else str(v)
        parts.append(f"{DETAIL_LABELS.get(k, k)}：{text}")
    return "；".join(parts)


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


# ------------------------------------------------------------------ the chain's head, kept outside
# The owner of the database can rewrite audit_log and recompute every hash, or cut its end; the chain
# alone cannot show that. So its head (position and hash of the newest row) is appended at intervals to
# a file beside the WAL archive (`loaders audit-head --every 300`, started by scripts/serve.sh), which
# the database cannot touch; audit-verify checks every head recorded there is still in the chain.
HEADS_FILE = "audit-heads.jsonl"


def heads_path() -> Path:
    from geo.backup import backup_dir
    return backup_dir() / HEADS_FILE


def _database(conn) -> str:
    """The chain's name in the heads file: the cluster's system identifier and the database's name (a
    test cluster or a second one on the machine may hold a database of the same name, beside the same
    archive directory; a restored backup or a replica keeps the identifier, as it keeps the chain)."""
    row = conn.execute("SELECT (SELECT system_identifier FROM pg_control_system()), current_database()").fetchone()
    return f"{row[0]}/{row[1]}"


def write_head(conn, path: Path | None = None) -> dict | None:
    """Append the chain's newest row (database, position, hash, time) to the heads file; None when the
    log is empty or the head is the one written last."""
    path = path or heads_path()
    row = conn.execute("SELECT chain_seq, row_hash FROM audit_log WHERE chain_seq IS NOT NULL "
                       "ORDER BY chain_seq DESC LIMIT 1").fetchone()
    if row is None:
        return None
    head = {"database": _database(conn), "seq": int(row[0]), "hash": row[1],
            "at": dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds")}
    known = read_heads(path, head["database"])
    if known and known[-1]["seq"] == head["seq"] and known[-1]["hash"] == head["hash"]:
        return None
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "a", encoding="utf-8") as f:
        f.write(json.dumps(head) + "\n")
        f.flush()
        os.fsync(f.fileno())
    return head


def read_heads(path: Path, database: str) -> list[dict]:
    if not path.exists():
        return []
    heads = []
    for line in path.read_text(encoding="utf-8").splitlines():
        try:
            h = json.loads(line)
        except ValueError:
            continue                    # a line cut by a crash mid-write
        if isinstance(h, dict) and h.get("database") == database:
            heads.append(h)
    return heads


def check_heads(conn, path: Path | None = None) -> tuple[int, list[str]]:
    """(heads checked, problems): each recorded head must still be in the chain with its hash — a head
    gone means the log was cut; another hash, that it was re-chained."""
    heads = read_heads(path or heads_path(), _database(conn))
    if not heads:
        return 0, []
    found = dict(conn.execute("SELECT chain_seq, row_hash FROM audit_log WHERE chain_seq = ANY(%(s)s)",
                              {"s": [h["seq"] for h in heads]}).fetchall())
    problems = []
    for h in heads:
        if h["seq"] not in found:
            problems.append(f"row {h['seq']} of the chain, recorded at {h['at']}, is gone: the log was cut")
        elif found[h["seq"]] != h["hash"]:
            problems.append(f"row {h['seq']} of the chain has another hash than recorded at {h['at']}: "
                            "the log was rewritten and re-chained")
    return len(heads), problems
