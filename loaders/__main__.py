"""Command line: turns files into validated rows.

    python -m loaders migrate                 apply migrations and load the reference catalogues
    python -m loaders demo [--seed N] [--events N] [--days N] [--until ISO] [--replace|--if-empty]
    python -m loaders events FILE [--datum wgs84|gcj02|bd09] [--dry-run]
    python -m loaders escalate              move overdue events up a level (for cron)
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


def _cmd_events(args) -> int:
    from pathlib import Path

    from geo import db
    from loaders.events_csv import load_file

    path = Path(args.file)
    if not path.is_file():
        print(f"error: {path} does not exist or is not a file", file=sys.stderr)
        return 2
    try:
        with db.connect() as conn:
            t0 = time.perf_counter()
            result = load_file(conn, path, datum=args.datum, dry_run=args.dry_run)
            conn.commit()
    except ValueError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    if result.problems:
        print(f"refused: nothing loaded from {path} ({result.rows} rows); fix these rows and run again:",
              file=sys.stderr)
        for p in result.problems:
            print(f"  row {p.row or 1}: {p.field}: {p.message}", file=sys.stderr)
        return 1
    verb = "would load" if args.dry_run else "loaded"
    print(f"{verb} {len(result.loaded)} events from {path} in {time.perf_counter() - t0:.1f} s")
    return 0


def _cmd_escalate(args) -> int:
    from geo import db
    from geo.deadlines import escalate_overdue

    with db.connect() as conn:
        moved = escalate_overdue(conn)
    print(f"escalated {len(moved)} overdue events")
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
    ev = sub.add_parser("events", help="bulk intake of a mobile-terminal CSV export (all or nothing)")
    ev.add_argument("file")
    ev.add_argument("--datum", choices=["wgs84", "gcj02", "bd09"], default="wgs84",
                    help="coordinate datum of the file (phones usually export gcj02)")
    ev.add_argument("--dry-run", action="store_true", help="check every row, load nothing")
    sub.add_parser("escalate", help="move overdue village/town events up one level")
    args = parser.parse_args(argv)
    if args.command == "demo" and (args.events < 0 or args.days < 1):
        parser.error("--events must be 0 or more and --days 1 or more")
    try:
        return {"migrate": _cmd_migrate, "demo": _cmd_demo, "events": _cmd_events,
                "escalate": _cmd_escalate}[args.command](args)
    except DomainError as exc:
        print(f"error: {exc.message}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
