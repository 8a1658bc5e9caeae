"""A scratch database next to DATABASE_URL's, with migrations and the default demo data, dropped
on exit. Benchmarks that write use it, so the demo database is never touched."""
from __future__ import annotations

import os
import sys
import uuid
from contextlib import contextmanager
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import psycopg  # noqa: E402
from psycopg import sql  # noqa: E402
from psycopg.conninfo import make_conninfo  # noqa: E402

from geo import db  # noqa: E402


@contextmanager
def scratch_database(events: int = 20000, data_out: dict | None = None):
    import time

    from loaders.demo import generate
    from loaders.demo.load import load

    admin = os.environ["DATABASE_URL"]
    name = f"jy_bench_{uuid.uuid4().hex[:8]}"
    with psycopg.connect(admin, autocommit=True) as c:
        c.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
    url = make_conninfo(admin, dbname=name)
    try:
        db.migrate(url)
        t = time.perf_counter()
        data = generate(events=events)
        t_gen = time.perf_counter() - t
        with db.connect(url) as conn:
            t = time.perf_counter()
            load(conn, data)
            t_load = time.perf_counter() - t
        if data_out is not None:
            data_out.update(events=len(data.events), generate_s=t_gen, load_s=t_load,
                            events_per_s=len(data.events) / (t_gen + t_load))
        yield url
    finally:
        with psycopg.connect(admin, autocommit=True) as c:
            c.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name)))
