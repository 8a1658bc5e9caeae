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
