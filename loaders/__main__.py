"""Command line: turns files into validated rows.

    python -m loaders migrate                 apply migrations and load the reference catalogues
    python -m loaders demo [--seed N] [--events N] [--days N] [--until ISO] [--replace|--if-empty]
"""
from __future__ import annotations

import argparse
import datetime as dt
import sys
import time

from geo.errors import DomainError


def _cmd_migrate(args) -> int:
    from geo import db
    from loaders.reference import load_reference

    applied = db.migrate()
    with db.connect() as conn:
        counts = load_reference(conn)
        conn.commit()
    print(f"migrations applied now: {', '.join(applied) or 'none (up to date)'}")
    print("reference catalogues: " + ", ".join(f"{k} {v}" for k, v in counts.items()))
    return 0


def _cmd_demo(args) -> int:
    from geo import db
    from loaders.demo import generate
    from loaders.demo.load import database_has_data, load

    with db.connect() as conn:
        if args.if_empty and database_has_data(conn):
            print("demo data: the database already holds grids; nothing loaded (--if-empty)")
            return 0
        until = None
        if args.until:
            try:
                until = dt.datetime.fromisoformat(args.until)
            except ValueError:
                print(f"error: --until {args.until!r} is not an ISO date-time such as 2026-11-27T15:00",
                      file=sys.stderr)
                return 2
        t0 = time.perf_counter()
        data = generate(seed=args.seed, events=args.events, days=args.days, until=until)
        t1 = time.perf_counter()
        try:
            counts = load(conn, data, replace=args.replace)
        except RuntimeError as exc:
            print(f"error: {exc}", file=sys.stderr)
            return 2
        t2 = time.perf_counter()
    print(f"demo data (seed {args.seed}, until {data.params['until']}): "
          + ", ".join(f"{k} {v}" for k, v in counts.items()))
    print(f"generated in {t1 - t0:.1f} s, loaded in {t2 - t1:.1f} s")
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m loaders", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = parser.add_subparsers(dest="command", required=True)
    sub.add_parser("migrate", help="apply migrations and load reference catalogues")
    demo = sub.add_parser("demo", help="generate and load deterministic demo data (演示数据)")
    demo.add_argument("--seed", type=int, default=20261127)
    demo.add_argument("--events", type=int, default=20000)
    demo.add_argument("--days", type=int, default=90)
    demo.add_argument("--until", help="end of the event period (default: now, to the hour)")
    mode = demo.add_mutually_exclusive_group()
    mode.add_argument("--replace", action="store_true", help="replace existing grids and events")
    mode.add_argument("--if-empty", action="store_true", help="load only into an empty database")
    args = parser.parse_args(argv)
    if args.command == "demo" and (args.events < 0 or args.days < 1):
        parser.error("--events must be 0 or more and --days 1 or more")
    try:
        return {"migrate": _cmd_migrate, "demo": _cmd_demo}[args.command](args)
    except DomainError as exc:
        print(f"error: {exc.message}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
