"""./run.sh as a newcomer uses it from a fresh shell: the CLI through it, and a clear word on a wrong option."""
from __future__ import annotations

import os
import subprocess

from tests.server import ROOT


def test_loaders_through_run_sh_from_a_bare_shell():
    # a login shell's PATH and no DATABASE_URL: run.sh finds (or starts) the project-local cluster
    # itself. When the suite runs against a database given from outside (no local cluster in this
    # clone), that URL is passed on, as its user would have it exported.
    env = {"PATH": "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin", "HOME": os.environ.get("HOME", "/root"),
           "CI": "true", **{k: os.environ[k] for k in ("JY_PG_PORT", "JY_DB_NAME") if k in os.environ}}
    if not (ROOT / ".pgdata" / "PG_VERSION").exists():
        env["DATABASE_URL"] = os.environ["DATABASE_URL"]
    out = subprocess.run(["./run.sh", "loaders", "events", "/nonexistent/export.csv"], cwd=ROOT, env=env,
                         capture_output=True, text=True, timeout=600)
    assert out.returncode == 2 and "does not exist or is not a file" in out.stderr, out.stderr[-2000:]
    assert "Traceback" not in out.stderr


def test_unknown_option_names_the_known_ones():
    out = subprocess.run(["./run.sh", "--bogus"], cwd=ROOT, capture_output=True, text=True, timeout=60)
    assert out.returncode != 0
    assert "unknown option '--bogus'" in out.stderr and "--stop" in out.stderr and "loaders" in out.stderr
