"""A PostgreSQL cluster of a test's own (initdb in a temporary directory, its own port), for the tests
that must restart, kill or restore a server: never the cluster ./test.sh shares between the tests.

It has the owner role and password of TEST_ADMIN_DATABASE_URL, so `app_url_for` and the loaders work
on it unchanged, and its server binaries are the ones `geo.backup` uses.
"""
from __future__ import annotations

import datetime as dt
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import psycopg
from psycopg.conninfo import conninfo_to_dict, make_conninfo

from geo.backup import pg_bin, url_form
from tests.fixtures import _admin_url
from tests.server import free_port

ROOT = Path(__file__).resolve().parent.parent


def as_server_user(cmd: list[str]) -> list[str]:
    return ["runuser", "-u", "postgres", "--", *cmd] if os.geteuid() == 0 else cmd


@dataclass
class Cluster:
    data_dir: Path
    port: int
    url: str                  # owner, database "jiangyin"

    def pg_ctl(self, *args: str, check: bool = True, timeout: float = 180) -> subprocess.CompletedProcess:
        return subprocess.run(as_server_user([pg_bin("pg_ctl"), "-D", str(self.data_dir), "-l",
                                              str(self.data_dir / "server.log"), *args]),
                              capture_output=True, text=True, check=check, timeout=timeout)

    def start(self) -> None:
        # After a SIGKILL the old backends may hold the shared memory a few moments: retry.
        deadline = time.monotonic() + 120
        while True:
            r = self.pg_ctl("-w", "-t", "120", "start", check=False)
            if r.returncode == 0:
                return
            if time.monotonic() > deadline:
                raise RuntimeError("cluster did not start: " + self.log()[-2000:])
            time.sleep(1)

    def restart(self) -> None:
        self.pg_ctl("-m", "fast", "-w", "-t", "120", "restart")

    def kill_postmaster(self) -> int:
        """SIGKILL to the postmaster, as a power cut or the OOM killer would."""
        pid = int((self.data_dir / "postmaster.pid").read_text().split()[0])
        os.kill(pid, signal.SIGKILL)
        return pid

    def log(self) -> str:
        p = self.data_dir / "server.log"
        return p.read_text(errors="replace") if p.exists() else ""

    def loaders(self, *args: str, env: dict | None = None, check: bool = True, timeout: float = 600
                ) -> subprocess.CompletedProcess:
        """`python -m loaders ARGS` against this cluster, as an operator would run it."""
        full = {**os.environ, "DATABASE_URL": self.url, **(env or {})}
        r = subprocess.run([sys.executable, "-m", "loaders", *args], cwd=ROOT, env=full, capture_output=True,
                           text=True, timeout=timeout)
        if check and r.returncode != 0:
            raise AssertionError(f"loaders {' '.join(args)} exited {r.returncode}: {r.stdout}\n{r.stderr}")
        return r


@contextmanager
def own_cluster(prefix: str = "jy-own-"):
    admin = conninfo_to_dict(_admin_url())
    data_dir = Path(tempfile.mkdtemp(prefix=prefix))
    port = free_port()
    pw = data_dir.parent / f"{data_dir.name}.pw"
    pw.write_text(admin.get("password", ""))
    if os.geteuid() == 0:
        shutil.chown(data_dir, "postgres", "postgres")
        shutil.chown(pw, "postgres", "postgres")
    subprocess.run(as_server_user([pg_bin("initdb"), "-D", str(data_dir), "-U", admin["user"], f"--pwfile={pw}",
                                   "--auth=scram-sha-256", "--encoding=UTF8", "--locale=C.UTF-8"]),
                   check=True, capture_output=True, timeout=300)
    pw.unlink()
    with open(data_dir / "postgresql.auto.conf", "a") as fh:
        fh.write(f"port = {port}\nlisten_addresses = 'localhost'\nunix_socket_directories = ''\n"
                 "shared_buffers = '128MB'\ntimezone = 'Asia/Shanghai'\n")
    url = url_form(make_conninfo(_admin_url(), host="localhost", port=str(port), dbname="jiangyin"))
    cluster = Cluster(data_dir, port, url)
    cluster.start()
    try:
        with psycopg.connect(make_conninfo(url, dbname="postgres"), autocommit=True) as c:
            c.execute("CREATE DATABASE jiangyin")
        yield cluster
    finally:
        cluster.pg_ctl("-m", "immediate", "-w", "stop", check=False, timeout=60)
        shutil.rmtree(data_dir, ignore_errors=True)


def load_small_demo(url: str, events: int = 300) -> None:
    """Migrations, reference data and a small demo load (the same as tests/fixtures.demo_database)."""
    from geo import db
    from geo.worktime import TZ
    from loaders.demo import generate
    from loaders.demo.load import load

    db.migrate(url)
    until = dt.datetime.now(TZ).replace(minute=0, second=0, microsecond=0)
    with db.connect(url) as conn:
        load(conn, generate(seed=7, events=events, days=5, until=until))
        conn.commit()
