"""The audit log is a hash chain (migration 023): intact after real use, and a changed, removed or
forged row is named by `python -m loaders audit-verify` (in a throwaway database: the chain there is
broken on purpose)."""
from __future__ import annotations

import subprocess
import sys

import psycopg

from geo import audit
from tests.fixtures import throwaway_database
from tests.server import ROOT


def verify_cli(url: str) -> subprocess.CompletedProcess:
    import os
    return subprocess.run([sys.executable, "-m", "loaders", "audit-verify"], cwd=ROOT, capture_output=True,
                          text=True, env={**os.environ, "DATABASE_URL": url}, timeout=120)


def test_the_chain_holds_after_real_use_and_names_a_tampered_row():
    from geo import db
    with throwaway_database("jy_audit") as url:
        db.migrate(url)
        with psycopg.connect(url, autocommit=True) as conn:
            with conn.transaction():
                for i in range(5):
                    audit.record(conn, f"user{i}", "dispatcher", "accept", f"event:{i}", note="测试")
            ok = verify_cli(url)
            assert ok.returncode == 0 and "audit chain intact: 5 rows" in ok.stdout, ok.stdout + ok.stderr
            ids = [r[0] for r in conn.execute("SELECT id FROM audit_log ORDER BY chain_seq")]
            # the owner changes a row afterwards: that row is named
            with conn.transaction():
                conn.execute("UPDATE audit_log SET detail = '{\"note\": \"改过\"}' WHERE id = %s", (ids[2],))
            bad = verify_cli(url)
            assert bad.returncode == 1 and f"BROKEN at row id {ids[2]} " in bad.stderr, bad.stderr
            # put it back: intact again; then remove a row: the next one is named
            with conn.transaction():
                conn.execute("UPDATE audit_log SET detail = '{\"note\": \"测试\"}' WHERE id = %s", (ids[2],))
            assert verify_cli(url).returncode == 0
            with conn.transaction():
                conn.execute("DELETE FROM audit_log WHERE id = %s", (ids[1],))
            gone = verify_cli(url)
            assert gone.returncode == 1 and f"BROKEN at row id {ids[2]} " in gone.stderr, gone.stderr


def test_heads_kept_outside_show_a_cut_or_a_rechained_log(tmp_path):
    """The owner can cut the log's end or rewrite a row and recompute every hash after it: the chain
    alone stays "intact". The heads `loaders audit-head` kept in a file beside the WAL archive name it."""
    import os

    from geo import db
    with throwaway_database("jy_audit_heads") as url:
        db.migrate(url)
        env = {**os.environ, "DATABASE_URL": url, "JY_BACKUP_DIR": str(tmp_path)}

        def cli(*args) -> subprocess.CompletedProcess:
            return subprocess.run([sys.executable, "-m", "loaders", *args], cwd=ROOT, capture_output=True,
                                  text=True, env=env, timeout=120)

        with psycopg.connect(url, autocommit=True) as conn:
            with conn.transaction():
                for i in range(3):
                    audit.record(conn, f"user{i}", "dispatcher", "accept", f"event:{i}")
            assert cli("audit-head").returncode == 0
            with conn.transaction():
                for i in range(3, 6):
                    audit.record(conn, f"user{i}", "dispatcher", "accept", f"event:{i}")
            written = cli("audit-head")
            assert written.returncode == 0 and (tmp_path / audit.HEADS_FILE).exists(), written.stderr
            assert len((tmp_path / audit.HEADS_FILE).read_text().splitlines()) == 2
            ok = cli("audit-verify")
            assert ok.returncode == 0 and "2 recorded heads" in ok.stdout, ok.stdout + ok.stderr
            seqs = [r[0] for r in conn.execute("SELECT chain_seq FROM audit_log ORDER BY chain_seq")]
            # cut the end: what is left is a valid chain, but the last recorded head is gone
            with conn.transaction():
                conn.execute("DELETE FROM audit_log WHERE chain_seq = %s", (seqs[-1],))
            cut = cli("audit-verify")
            assert cut.returncode == 1 and f"row {seqs[-1]} of the chain" in cut.stderr and "cut" in cut.stderr, \
                cut.stdout + cut.stderr
            # rewrite a row and re-chain everything after it: the chain verifies, the head's hash does not
            with conn.transaction():
                conn.execute("UPDATE audit_log SET detail = '{\"note\": \"改过\"}' WHERE chain_seq = %s", (seqs[1],))
                prev = conn.execute("SELECT row_hash FROM audit_log WHERE chain_seq = %s", (seqs[0],)).fetchone()[0]
                for seq in seqs[1:-1]:
                    prev = conn.execute("""
                        UPDATE audit_log SET prev_hash = %(p)s,
                               row_hash = jy_audit_hash(%(p)s, jy_audit_text(chain_seq, id, at, username, role, action,
                                                                              target, ok, detail))
                         WHERE chain_seq = %(s)s RETURNING row_hash""", {"p": prev, "s": seq}).fetchone()[0]
            assert audit.verify(conn)["first_broken_id"] is None, "the re-chained log verifies on its own"
            rechained = cli("audit-verify")
            assert rechained.returncode == 1 and "re-chained" in rechained.stderr, rechained.stdout + rechained.stderr


def test_audit_details_read_in_chinese():
    """审计日志's 详情 column: every key the product writes is named in Chinese, codes as their labels."""
    import re

    from geo import audit

    line = audit.describe({"via": "dashboard", "status": "accepted", "level": "town", "note": "请核实", "photos": 2,
                           "ok": True, "rows": 400, "inserted": 398, "unchanged": 2, "changed": 0, "refused": 0,
                           "source": "12345", "account_role": "town_leader", "failed_attempts": 3, "to": "村社区"})
    assert line.startswith("途径：指挥平台页面；状态：立案；层级：镇街；说明：请核实；照片：2；成功：是")
    assert not re.search(r"[A-Za-z]{2,}", line.replace("12345", "")), line
    assert audit.describe(None) == "" and audit.describe({}) == ""
