"""Backups that restore: PostgreSQL's own continuous archiving and point-in-time recovery.

The parts are PostgreSQL's (docs, "Continuous Archiving and Point-in-Time Recovery"), not ours:
- the server copies every finished WAL segment into `<dir>/wal/` (`archive_command`, set by
  `configure_archiving`; `archive_timeout` closes a segment at least every ARCHIVE_TIMEOUT_S, which
  bounds what a lost disk can lose);
- `take_backup` runs `pg_basebackup` into `<dir>/base/<stamp>/` (tar, gzip, with the WAL that makes it
  consistent) and keeps JY_BACKUP_KEEP of them; `pg_archivecleanup` removes the WAL older than the
  oldest one kept, so any moment since that backup can be restored;
- `restore` unpacks the newest base backup that finished before the wanted moment into a new data
  directory, replays the archived WAL up to that moment (`recovery_target_time`), promotes it and
  starts it on a port of its own. The original cluster is never touched.

Everything runs as the cluster's owner role (DATABASE_URL), which may replicate. Server binaries run
as the `postgres` system user when we are root (the server refuses to run as root).
"""
from __future__ import annotations

import datetime as dt
import glob
import json
import os
import re
import shutil
import socket
import subprocess
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

import psycopg
from psycopg.conninfo import conninfo_to_dict, make_conninfo

from geo.db import ROOT
from geo.errors import DataUnavailable, InvalidInput
from geo.settings import settings

ARCHIVE_TIMEOUT_S = 60          # at most this much committed work is only on the server's own disk
RESTORE_WAIT_S = 1800           # replaying a day of WAL on 2 cores takes minutes, not hours


@dataclass(frozen=True)
class Backup:
    path: Path
    started_at: dt.datetime      # server time when pg_basebackup began
    finished_at: dt.datetime     # server time after it returned: restorable from here on
    wal_start: str               # first WAL segment it needs
    size_bytes: int


@dataclass(frozen=True)
class Restored:
    url: str                     # owner connection to the restored database
    data_dir: Path
    port: int
    backup: Backup


def backup_dir() -> Path:
    """JY_BACKUP_DIR, or `.pgdata-backups` beside the local cluster's real directory."""
    configured = settings().jy_backup_dir.strip()
    if configured:
        return Path(configured).resolve()
    return Path(str((ROOT / ".pgdata").resolve()).rstrip("/") + "-backups")


def pg_bin(name: str) -> str:
    """A PostgreSQL program: the newest server version's, else the one on PATH."""
    found = sorted(glob.glob(f"/usr/lib/postgresql/*/bin/{name}"))
    path = found[-1] if found else shutil.which(name)
    if not path:
        raise DataUnavailable(f"{name} not found: install the PostgreSQL server packages (./run.sh does)")
    return path


def _as_server_user(cmd: list[str]) -> list[str]:
    return ["runuser", "-u", "postgres", "--", *cmd] if os.geteuid() == 0 else cmd


def _give_to_server(path: Path) -> None:
    """The server process (user postgres when we are root) must own what it reads and writes."""
    if os.geteuid() == 0:
        subprocess.run(["chown", "-R", "postgres:postgres", str(path)], check=True)


def _one(conn, query, params=None) -> tuple:
    row = conn.execute(query, params).fetchone()
    assert row is not None          # every query here returns one row
    return row


def _owner_url(url: str | None) -> str:
    url = url or settings().database_url
    if not url:
        raise DataUnavailable("DATABASE_URL is not set: run ./run.sh, which prints it")
    return url


def _archive_command(wal_dir: Path) -> str:
    # The documented pattern, made safe against a half-copied file: never overwrite, copy then rename.
    d = str(wal_dir)
    if "'" in d or '"' in d or "%" in d:
        raise InvalidInput(f"JY_BACKUP_DIR {d!r} must not contain quotes or %")
    return f'test ! -f "{d}/%f" && cp "%p" "{d}/%f.part" && mv "{d}/%f.part" "{d}/%f"'


def configure_archiving(url: str | None = None) -> bool:
    """Turn on WAL archiving into backup_dir()/wal (ALTER SYSTEM, needs the cluster's superuser).
    Returns True when the server must restart for archive_mode to take effect."""
    wal_dir = backup_dir() / "wal"
    wal_dir.mkdir(parents=True, exist_ok=True)
    os.chmod(wal_dir.parent, 0o700)
    _give_to_server(wal_dir.parent)
    command = _archive_command(wal_dir)
    with psycopg.connect(_owner_url(url), autocommit=True) as conn:
        if not _one(conn, "SELECT rolsuper FROM pg_roles WHERE rolname = current_user")[0]:
            raise DataUnavailable("turning on WAL archiving needs the cluster's superuser; ask the DBA to set "
                                  f"archive_mode = on and archive_command = '{command}'")
        conn.execute("ALTER SYSTEM SET archive_mode = 'on'")
        conn.execute(psycopg.sql.SQL("ALTER SYSTEM SET archive_command = {}").format(psycopg.sql.Literal(command)))
        conn.execute(psycopg.sql.SQL("ALTER SYSTEM SET archive_timeout = {}").format(
            psycopg.sql.Literal(f"{ARCHIVE_TIMEOUT_S}s")))
        conn.execute("SELECT pg_reload_conf()")
        return _one(conn, "SELECT setting FROM pg_settings WHERE name = 'archive_mode'")[0] != "on"


def _check_archiving(conn, wal_dir: Path) -> None:
    mode, command = _one(conn, "SELECT current_setting('archive_mode'), current_setting('archive_command')")
    if mode not in ("on", "always") or str(wal_dir) not in command:
        raise DataUnavailable(
            f"WAL archiving into {wal_dir} is off (archive_mode={mode}, archive_command={command!r}); a base "
            "backup alone could not be restored to a moment after it. ./run.sh turns archiving on for the "
            "local cluster (python -m loaders archiving, then a restart)")
    failed = _one(conn, "SELECT failed_count, last_failed_wal, last_archived_time, last_failed_time "
                        "FROM pg_stat_archiver")
    if failed[3] is not None and (failed[2] is None or failed[3] > failed[2]):
        raise DataUnavailable(f"the server cannot archive WAL segment {failed[1]} into {wal_dir} (see the server "
                              "log): the disk may be full or not writable by the postgres user")


def _load(path: Path) -> Backup | None:
    try:
        meta = json.loads((path / "backup.json").read_text())
    except (OSError, ValueError):
        return None                    # not a finished backup
    return Backup(path, dt.datetime.fromisoformat(meta["started_at"]), dt.datetime.fromisoformat(meta["finished_at"]),
                  meta["wal_start"], int(meta["size_bytes"]))


def backups() -> list[Backup]:
    """The finished base backups, oldest first."""
    base = backup_dir() / "base"
    found = [_load(p) for p in sorted(base.iterdir())] if base.is_dir() else []
    return sorted((b for b in found if b is not None), key=lambda b: b.finished_at)


def take_backup(url: str | None = None) -> tuple[Backup, list[Path]]:
    """A base backup of the whole cluster; then the retention rule. Returns (the backup, what was deleted)."""
    url = _owner_url(url)
    root = backup_dir()
    wal_dir = root / "wal"
    with psycopg.connect(url, autocommit=True) as conn:
        _check_archiving(conn, wal_dir)
        started = _one(conn, "SELECT clock_timestamp()")[0]
    (root / "base").mkdir(parents=True, exist_ok=True)
    stamp = started.astimezone(dt.timezone.utc).strftime("%Y%m%dT%H%M%S%fZ")
    work = Path(tempfile.mkdtemp(prefix=f".{stamp}-", dir=root / "base"))
    info = conninfo_to_dict(url)
    src = make_conninfo(host=info.get("host", "localhost"), port=str(info.get("port", "5432")),
                        user=info.get("user", ""), password=info.get("password", ""))
    done = subprocess.run([pg_bin("pg_basebackup"), "-d", src, "-D", str(work), "-F", "t", "-z", "-X", "stream",
                           "-c", "fast", "-l", f"jiangyin {stamp}"], capture_output=True, text=True)
    if done.returncode != 0:
        shutil.rmtree(work, ignore_errors=True)
        raise DataUnavailable(f"pg_basebackup failed: {done.stderr.strip()[-800:]}")
    manifest = json.loads((work / "backup_manifest").read_text())
    start_lsn = manifest["WAL-Ranges"][0]["Start-LSN"]
    with psycopg.connect(url, autocommit=True) as conn:
        # The segment holding the backup's start; earlier ones are not needed to restore from it.
        wal_start, finished = _one(conn, "SELECT pg_walfile_name(%s::pg_lsn), clock_timestamp()", (start_lsn,))
    size = sum(p.stat().st_size for p in work.iterdir())
    (work / "backup.json").write_text(json.dumps({
        "started_at": started.isoformat(), "finished_at": finished.isoformat(), "wal_start": wal_start,
        "size_bytes": size, "start_lsn": start_lsn}, indent=1))
    final = root / "base" / stamp
    work.rename(final)                 # a backup directory without backup.json is never used
    return _load(final), prune()        # type: ignore[return-value]


def prune(keep: int | None = None) -> list[Path]:
    """Keep the newest `keep` base backups and the WAL from the oldest kept one on."""
    keep = settings().jy_backup_keep if keep is None else keep
    keep = max(keep, 1)
    found = backups()
    old, kept = found[:-keep], found[-keep:]
    deleted = [b.path for b in old]
    for b in old:
        shutil.rmtree(b.path)
    wal_dir = backup_dir() / "wal"
    if kept and wal_dir.is_dir():
        before = set(os.listdir(wal_dir))
        subprocess.run([pg_bin("pg_archivecleanup"), str(wal_dir), kept[0].wal_start], check=True,
                       capture_output=True)
        deleted += [wal_dir / f for f in sorted(before - set(os.listdir(wal_dir)))]
    return deleted


def parse_time(text: str) -> dt.datetime:
    """A moment on the command line: ISO 8601; without an offset it is Jiangyin's time (Asia/Shanghai)."""
    from geo.worktime import TZ

    try:
        t = dt.datetime.fromisoformat(text.strip())
    except ValueError:
        raise InvalidInput(f"--to {text!r} is not a time; write e.g. '2026-11-29 09:30:00' (Jiangyin time) "
                           "or '2026-11-29T01:30:00+00:00'") from None
    return t if t.tzinfo else t.replace(tzinfo=TZ)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def restore(to: dt.datetime, into: Path | None = None, port: int | None = None, url: str | None = None) -> Restored:
    """Point-in-time recovery into a new cluster: every transaction committed at or before `to`, none after."""
    url = _owner_url(url)
    if to > dt.datetime.now(dt.timezone.utc):
        raise InvalidInput(f"--to {to.isoformat()} is in the future")
    found = [b for b in backups() if b.finished_at <= to]
    if not found:
        first = backups()
        raise InvalidInput(
            f"no base backup in {backup_dir() / 'base'} finished before {to.isoformat()}"
            + (f"; the oldest finished at {first[0].finished_at.isoformat()}" if first
               else "; take one with: python -m loaders backup"))
    chosen = found[-1]
    port = port or _free_port()
    into = (into or backup_dir() / "restored" / f"{to.astimezone(dt.timezone.utc):%Y%m%dT%H%M%SZ}-{port}").resolve()
    if into.exists() and any(into.iterdir()):
        raise InvalidInput(f"{into} is not empty; restore into a new directory (--into)")
    into.mkdir(parents=True, exist_ok=True)
    subprocess.run(["tar", "-xzf", str(chosen.path / "base.tar.gz"), "-C", str(into)], check=True)
    (into / "pg_wal").mkdir(exist_ok=True)
    if (chosen.path / "pg_wal.tar.gz").exists():
        subprocess.run(["tar", "-xzf", str(chosen.path / "pg_wal.tar.gz"), "-C", str(into / "pg_wal")], check=True)
    wal_dir = backup_dir() / "wal"
    with open(into / "postgresql.auto.conf", "a") as fh:
        fh.write(f"""
# restored by python -m loaders restore from {chosen.path.name} to {to.isoformat()}
port = {port}
archive_mode = off
shared_buffers = '512MB'
restore_command = 'cp "{wal_dir}/%f" "%p"'
recovery_target_time = '{to.isoformat()}'
recovery_target_action = 'promote'
""")
    (into / "recovery.signal").touch()
    os.chmod(into, 0o700)
    _give_to_server(into)
    log = into / "restore.log"
    started = subprocess.run(_as_server_user([pg_bin("pg_ctl"), "-D", str(into), "-l", str(log), "-w", "-t",
                                              str(RESTORE_WAIT_S), "start"]), capture_output=True, text=True)
    if started.returncode != 0:
        raise _why_not(log, into, wal_dir, to)
    new_url = url_form(make_conninfo(url, host="localhost", port=str(port)))
    deadline = time.monotonic() + RESTORE_WAIT_S
    while True:                        # hot standby answers while it replays; wait for the promotion
        try:
            with psycopg.connect(new_url, connect_timeout=5) as c:
                if not _one(c, "SELECT pg_is_in_recovery()")[0]:
                    break
        except psycopg.OperationalError:
            if not (into / "postmaster.pid").exists():       # it stopped: recovery failed after starting
                raise _why_not(log, into, wal_dir, to) from None
        if time.monotonic() > deadline:
            raise DataUnavailable(f"the restored cluster in {into} is still replaying after {RESTORE_WAIT_S} s; "
                                  f"see {log}")
        time.sleep(0.5)
    return Restored(new_url, into, port, chosen)


def _why_not(log: Path, into: Path, wal_dir: Path, to: dt.datetime) -> DataUnavailable:
    tail = log.read_text(errors="replace")[-3000:] if log.exists() else ""
    if "before configured recovery target was reached" in tail:
        last = re.search(r"last completed transaction was at log time (\S+ \S+)", tail)
        return DataUnavailable(f"the archived WAL in {wal_dir} ends before {to.isoformat()}"
                               + (f"; its last transaction committed at {last.group(1)}" if last else "")
                               + f": choose an earlier time (the server archives at least every "
                               f"{ARCHIVE_TIMEOUT_S} s); log: {log}")
    return DataUnavailable(f"the restored cluster in {into} did not start; see {log}: {tail[-600:]}")


def url_form(conninfo: str) -> str:
    """postgresql://user:password@host:port/db, the form ./run.sh prints."""
    from urllib.parse import quote

    d = conninfo_to_dict(conninfo)
    return (f"postgresql://{quote(str(d.get('user', '')), safe='')}:{quote(str(d.get('password', '')), safe='')}"
            f"@{d.get('host', 'localhost')}:{d.get('port', '5432')}/{quote(str(d.get('dbname', '')), safe='')}")


def stop(data_dir: Path) -> None:
    """Stop a cluster `restore` started."""
    subprocess.run(_as_server_user([pg_bin("pg_ctl"), "-D", str(data_dir), "-m", "fast", "-w", "stop"]),
                   capture_output=True, timeout=120)
