"""Command line: turns files into validated rows.

    python -m loaders migrate                 apply migrations and load the reference catalogues
    python -m loaders demo [--seed N] [--events N] [--days N] [--until ISO] [--replace|--if-empty]
    python -m loaders events FILE [--source grid_app|12345|…] [--crs EPSG:4490|EPSG:4326|gcj02|bd09]
                                  [--encoding gbk|utf-8] [--dry-run]
                                            events from a CSV or XLSX (terminal or 12345 export)
    python -m loaders escalate              move overdue events up a level (for cron)
    python -m loaders warn [--every S]      early warning per grid: hot spots, surges, repeat places
    python -m loaders grids FILE [--level N | --level-field F] [--code-field F] [--parent-field F]
                      [--name-field F] [--crs EPSG:XXXX|gcj02|bd09] [--encoding gbk|utf-8]
                      [--layer L] [--tolerance M2] [--dry-run] [--fix]
    python -m loaders staff|chem-sites|resources FILE [--crs …] [--encoding …] [--layer L] [--dry-run]
    python -m loaders app-role              give the app's role (jy_app) its login; prints APP_DATABASE_URL=
    python -m loaders create-admin NAME [--display-name N] [--password-stdin]
                                            the first admin account (asks for the password on a terminal)
    python -m loaders audit-verify          check the audit log's hash chain; name the first broken row
    python -m loaders audit-head [--every S] keep the chain's head in a file beside the WAL archive
    python -m loaders archiving             turn on WAL archiving into JY_BACKUP_DIR (./run.sh does)
    python -m loaders backup                base backup (pg_basebackup) + retention (JY_BACKUP_KEEP)
    python -m loaders restore --to TIME [--into DIR] [--port N]
                                            point-in-time recovery into a new cluster; prints DATABASE_URL=
"""
from __future__ import annotations

import argparse
import datetime as dt
import sys
import time
from pathlib import Path

from geo.errors import DomainError, InvalidInput
from geo.settings import settings


def _cmd_audit_verify(args) -> int:
    from geo import audit, db
    with db.connect() as conn:
        r = audit.verify(conn)
        n_heads, problems = audit.check_heads(conn)
    if r["first_broken_id"] is not None:
        print(f"audit chain BROKEN at row id {r['first_broken_id']} (chain position {r['first_broken_seq']}, "
              f"row {r['rows_checked']:,} in order): it was changed, or a row before it was removed or inserted "
              f"outside the log; the chain up to it ends in hash {r['head_hash']}", file=sys.stderr)
        return 1
    if problems:
        print(f"audit chain BROKEN against the heads kept in {audit.heads_path()}:", file=sys.stderr)
        for p in problems:
            print(f"  {p}", file=sys.stderr)
        return 1
    print(f"audit chain intact: {r['rows_checked']:,} rows; head hash {r['head_hash']}; "
          f"{n_heads} recorded heads in {audit.heads_path()} all present")
    return 0


def _cmd_audit_head(args) -> int:
    import time

    from geo import audit, db
    while True:
        with db.connect() as conn:
            head = audit.write_head(conn)
        if head:
            print(f"audit head {head['seq']} {head['hash']} written to {audit.heads_path()}", flush=True)
        if not args.every:
            return 0
        time.sleep(args.every)


def _cmd_archiving(args) -> int:
    from geo import backup
    restart = backup.configure_archiving()
    print(f"WAL archiving into {backup.backup_dir() / 'wal'}")
    if restart:
        print("restart needed: archive_mode takes effect when the server restarts")
    return 0


def _cmd_backup(args) -> int:
    from geo import backup
    b, deleted = backup.take_backup()
    print(f"base backup {b.path} ({b.size_bytes / 1e6:,.1f} MB), restorable to any moment from "
          f"{b.finished_at.isoformat(timespec='seconds')} on")
    kept = backup.backups()
    print(f"kept {len(kept)} base backup(s) (JY_BACKUP_KEEP); deleted {len(deleted)} old backup(s) and WAL segment(s); "
          f"earliest restorable moment {kept[0].finished_at.isoformat(timespec='seconds')}")
    return 0


def _cmd_restore(args) -> int:
    from geo import backup
    if args.stop:
        backup.stop(Path(args.stop))
        print(f"stopped the cluster in {args.stop}")
        return 0
    to = backup.parse_time(args.to)
    r = backup.restore(to, Path(args.into) if args.into else None, args.port)
    print(f"restored to {to.isoformat()} from base backup {r.backup.path.name} into {r.data_dir}, port {r.port}")
    print(f"stop it with: python -m loaders restore --stop {r.data_dir}")
    print(f"DATABASE_URL={r.url}")
    return 0


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


def _cmd_schema(args) -> int:
    """data/schema.sql from a fresh migrate into a throwaway database of the same cluster."""
    import uuid

    from psycopg import sql
    from psycopg.conninfo import make_conninfo

    from geo import db
    name = f"jy_schema_{uuid.uuid4().hex[:8]}"
    with db.connect(autocommit=True) as conn:
        conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
    try:
        url = make_conninfo(db.database_url(), dbname=name)
        db.migrate(url)
        text = db.schema_dump(url)
    finally:
        with db.connect(autocommit=True) as conn:
            conn.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name)))
    if args.write:
        db.SCHEMA_FILE.write_text(text, encoding="utf-8")
        print(f"wrote {db.SCHEMA_FILE.relative_to(db.ROOT)} ({len(text.splitlines())} lines)")
    else:
        print(text, end="")
    return 0


def _iso(value: str | None, flag: str, kind, example: str):
    """A date (kind dt.date) or date-time (dt.datetime) option in ISO form; None when not given."""
    if not value:
        return None
    try:
        return kind.fromisoformat(value)
    except ValueError:
        raise InvalidInput(f"{flag} {value!r} is not an ISO {'date' if kind is dt.date else 'date-time'} such as {example}",
                           f"{flag} 不是 {example} 这样的{'日期' if kind is dt.date else '时间'}。") from None


def _cmd_demo(args) -> int:
    from geo import db
    from loaders.demo import generate
    from loaders.demo.load import database_has_data, load

    with db.connect() as conn:
        if args.if_empty and database_has_data(conn):
            print("demo data: the database already holds grids; nothing loaded (--if-empty)")
            info = conn.execute("SELECT is_demo, params FROM dataset_info").fetchone()
            if info and info[0]:
                from loaders.demo.load import load_onemap_only, onemap_missing
                if onemap_missing(conn):
                    # loaded before 一张图 existed: add its layers, drawn for the same seed and time
                    p = info[1] or {}
                    data = generate(seed=p.get("seed", args.seed), events=0, days=p.get("days", args.days),
                                    until=dt.datetime.fromisoformat(p["until"]) if p.get("until") else None)
                    try:
                        counts = load_onemap_only(conn, data)
                        print("demo data for 一张图 added: " + ", ".join(f"{k} {v}" for k, v in counts.items()))
                    except InvalidInput as exc:   # the rest of the dashboard still works: say how to get the layers
                        print(f"demo data for 一张图 not added: {exc}", file=sys.stderr)
                elif not db.value(conn, "SELECT EXISTS (SELECT 1 FROM patrol_checks)"):
                    from loaders.demo.load import load_patrol_checks
                    with conn.transaction(), conn.cursor() as cur:    # loaded before 铁脚板 (migration 002)
                        print(f"demo patrol checks added: {load_patrol_checks(cur)}")
                from loaders.demo import addresses as demo_addresses
                if demo_addresses.missing(conn):                   # loaded before the address register
                    with conn.transaction():
                        counts = demo_addresses.load(conn)
                    print("demo address register added: " + ", ".join(f"{k} {v}" for k, v in counts.items()))
                _demo_accounts()
            return 0
        until = _iso(args.until, "--until", dt.datetime, "2026-11-27T15:00")
        t0 = time.perf_counter()
        data = generate(seed=args.seed, events=args.events, days=args.days, until=until)
        t1 = time.perf_counter()
        counts = load(conn, data, replace=args.replace)
        t2 = time.perf_counter()
    print(f"demo data (seed {args.seed}, until {data.params['until']}): "
          + ", ".join(f"{k} {v}" for k, v in counts.items()))
    print(f"generated in {t1 - t0:.1f} s, loaded in {t2 - t1:.1f} s")
    _demo_accounts()
    return 0


def _demo_accounts() -> None:
    from geo import db
    from loaders.accounts import accounts_file, create_demo_accounts, save_demo_accounts

    with db.connect() as conn:
        made = create_demo_accounts(conn)
        conn.commit()
        dbname = conn.info.dbname
    if made:
        path = save_demo_accounts(made, dbname)
        print(f"demo accounts (演示账号, passwords generated now, also in {path}):")
        for u, label, p in made:
            print(f"  {u:<18} {label:<10} {p}")
    else:
        print(f"demo accounts: already created; their passwords are in {accounts_file(dbname)}")


def _cmd_events(args) -> int:
    import signal

    from tqdm import tqdm

    from geo import db
    from loaders.importer.events import load, rows_estimate

    path = Path(args.file)
    if not path.is_file():
        print(f"error: {path} does not exist or is not a file", file=sys.stderr)
        return 2

    def stop(signum, frame):       # SIGTERM as Ctrl-C: the running statement is cancelled, nothing stays
        raise KeyboardInterrupt
    signal.signal(signal.SIGTERM, stop)
    bar = tqdm(total=rows_estimate(path), unit=" rows", unit_scale=True, dynamic_ncols=True, file=sys.stderr,
               desc="checking", mininterval=0.5, smoothing=0.3)

    def progress(rows: int, stage: str) -> None:
        if stage == "reading":           # an XLSX read by its bounded child process (loaders/importer/xlsx.py)
            bar.set_description("reading the workbook")
            return
        if stage == "written":
            bar.set_description("written")
        else:
            bar.set_description("checking and staging")
        bar.update(rows - bar.n)
    try:
        with db.connect() as conn:
            t0 = time.perf_counter()
            bar.set_description("reading")
            result = load(conn, path, source=args.source, datum=_datum(args), encoding=args.encoding,
                          dry_run=args.dry_run, progress=progress, keep_columns=args.keep_columns)
            bar.set_description("committing")
            conn.commit()
    except KeyboardInterrupt:
        bar.close()
        print(f"interrupted: nothing loaded from {path} (the transaction was rolled back)", file=sys.stderr)
        return 130
    bar.close()
    seconds = time.perf_counter() - t0
    if result.refused:
        print(f"refused: nothing loaded from {path} ({result.rows} rows); fix these rows and run again:",
              file=sys.stderr)
        for p in result.refused:
            print(f"  {p.line()}", file=sys.stderr)
        return 1
    if result.datum_from:
        print(f"coordinate system: {result.datum} (from {DATUM_FROM.get(result.datum_from, result.datum_from)})")
    if result.ignored:
        print(f"kept as each event's attributes: {', '.join(result.ignored)}" if args.keep_columns else
              f"ignored columns (no event field reads them; --keep-columns keeps them): {', '.join(result.ignored)}")
    verb = "would load" if args.dry_run else "loaded"
    print(f"{verb} {result.inserted} new events from {path} ({result.rows} rows) in {seconds:.1f} s "
          f"({result.rows / max(seconds, 1e-9):,.0f} rows/s): new {result.inserted}, unchanged {result.unchanged}, "
          f"changed {len(result.changed)}")
    for row, ext, eid in result.changed[:50]:
        print(f"  changed: row {row} (number {ext}) differs from event {eid}, which was loaded before; "
              "not loaded again")
    if result.matches:
        clear = sum(1 for m in result.matches if m[2] == "clear")
        print(f"addresses: {clear} of {len(result.matches)} placed by the address register; "
              f"{len(result.matches) - clear} not clear, {result.queued} of them "
              f"{'would go' if args.dry_run else 'sent'} to the review queue (address_review)")
        for row, address, status, label, score, _grid in [m for m in result.matches if m[2] != "clear"][:50]:
            print(f"  row {row}: {address!r} {status}" + (f"; closest {label} ({score:.2f})" if label else ""))
        if args.match_report:
            _write_match_report(Path(args.match_report), result.matches)
            print(f"match report (every address row): {args.match_report}")
    return 0


def _write_match_report(path, matches) -> None:
    """The per-row address match report as CSV (UTF-8 with BOM: Excel opens it)."""
    import csv

    from geo.status import ADDRESS_MATCH_LABELS
    with open(path, "w", newline="", encoding="utf-8-sig") as f:
        w = csv.writer(f)
        w.writerow(["行号", "地址", "结果", "匹配地址", "匹配度", "网格编码"])
        for row, address, status, label, score, grid in matches:
            w.writerow([row, address, ADDRESS_MATCH_LABELS.get(status, status), label, f"{score:.3f}", grid])


DATUM_FROM = {"坐标系列": "the 坐标系 column", "列名": "the column names", "选定": "--crs",
              "无坐标（按网格编码或地址）": "grid codes or addresses, no coordinates"}


def _datum(args) -> str | None:
    """--crs for events: lon/lat in CGCS2000/WGS84 (the same here to centimetres), GCJ-02 or BD-09;
    None (not given) is 自动: the file must say it (a 坐标系 column or the column names)."""
    crs = (args.crs or args.datum or "").lower()
    if not crs:
        return None
    return {"epsg:4490": "wgs84", "epsg:4326": "wgs84", "4490": "wgs84", "4326": "wgs84"}.get(crs, crs)


def _cmd_escalate(args) -> int:
    """Once (cron), or every --every seconds (scripts/serve.sh starts it so: escalation is a job, never
    a side effect of someone viewing 调度台)."""
    from geo import db
    from geo.deadlines import escalate_overdue

    while True:
        with db.connect() as conn, conn.transaction():
            conn.execute("SET LOCAL ROLE jy_escalate")        # the job's narrow role (migration 030)
            moved = escalate_overdue(conn)
        if moved or not args.every:
            print(f"escalated {len(moved)} overdue events", flush=True)
        if not args.every:
            return 0
        time.sleep(args.every)


def _cmd_warn(args) -> int:
    """Early warning (geo/warning.py) once, or every --every seconds (scripts/serve.sh starts it so),
    as the job's narrow role jy_warn (migration 003): reads events and grids, writes early_warnings."""
    from geo import db, warning

    at = _iso(args.at, "--at", dt.datetime, "2026-12-05T18:00+08:00") if args.at else None
    while True:
        t0 = time.perf_counter()
        with db.connect() as conn, conn.transaction():
            conn.execute("SET LOCAL ROLE jy_warn")
            counts = warning.run(conn, at)
        if any(counts.values()) or not args.every:
            print("early warnings holding now: " + ", ".join(f"{warning.KINDS[k]} {v}" for k, v in counts.items())
                  + f" ({time.perf_counter() - t0:.1f} s)", flush=True)
        if not args.every:
            return 0
        time.sleep(args.every)


def _print_report(report, path, seconds: float) -> int:
    """The import report on the CLI: each problem with row, code and a hint; exit 1 if refused."""
    print(f"{path}: {report.features} features, coordinate system {report.crs}")
    for p in report.problems:
        print(("  refused " if p.fatal else "  note    ") + p.line(), file=sys.stderr if p.fatal else sys.stdout)
    if report.refused:
        print(f"refused: nothing loaded; {len(report.refused)} problem(s) above, fix them and run again",
              file=sys.stderr)
        return 1
    if not report.written:
        print(f"dry run: all {report.features} features pass; nothing written")
        return 0
    extra = f", events re-assigned {report.events_reassigned}" if report.kind == "grids" else ""
    print(f"loaded in {seconds:.1f} s ({report.features / max(seconds, 1e-9):,.0f} features/s): "
          f"inserted {report.inserted}, updated {report.updated}, unchanged {report.unchanged}{extra}")
    return 0


def _cmd_import(args) -> int:
    from pathlib import Path

    from geo import db
    from loaders.importer import addresses, grids, points

    path = Path(args.file)
    t0 = time.perf_counter()
    with db.connect() as conn:
        if args.command == "grids":
            opts = grids.Options(level=args.level, level_field=args.level_field, code_field=args.code_field,
                                 parent_field=args.parent_field, name_field=args.name_field, crs=args.crs,
                                 encoding=args.encoding, layer=args.layer, fix=args.fix, dry_run=args.dry_run,
                                 tolerance_m2=args.tolerance)
            report = grids.import_file(conn, path, opts)
        elif args.command == "addresses":
            report = addresses.import_file(conn, path, addresses.Options(
                kind=args.kind, crs=args.crs, encoding=args.encoding, layer=args.layer, dry_run=args.dry_run))
        else:
            report = points.import_file(conn, args.command, path, points.Options(
                crs=args.crs, encoding=args.encoding, layer=args.layer, dry_run=args.dry_run))
        if report.written:
            from geo import audit
            audit.record(conn, "(cli)", "admin", "import", f"{report.kind}:{path.name}",
                         inserted=report.inserted, updated=report.updated, unchanged=report.unchanged)
        conn.commit()
    return _print_report(report, path, time.perf_counter() - t0)


def _cmd_base_data(args) -> int:
    from pathlib import Path

    from geo import audit, db
    from loaders.importer import basedata

    as_of = _iso(args.as_of, "--as-of", dt.date, "2026-11-30")
    path = Path(args.file)
    t0 = time.perf_counter()
    with db.connect() as conn:
        report = basedata.import_file(conn, path, basedata.Options(as_of=as_of, encoding=args.encoding,
                                                                   dry_run=args.dry_run))
        if report.written:
            audit.record(conn, "(cli)", "admin", "import", f"base-data:{path.name}",
                         inserted=report.inserted, updated=report.updated, unchanged=report.unchanged)
        conn.commit()
    return _print_report(report, path, time.perf_counter() - t0)


def _cmd_app_role(args) -> int:
    from geo import db
    from loaders.accounts import ensure_app_role

    with db.connect() as conn:
        url = ensure_app_role(conn, db.database_url())
        conn.commit()
    print(f"APP_DATABASE_URL={url}")
    return 0


def _cmd_create_terminal(args) -> int:
    """A terminal account for a grid worker or police officer (by 终端编号); the password from stdin
    (--password-stdin) or generated and printed once."""
    from geo import auth, db, terminals

    password = sys.stdin.readline().rstrip("\n") if args.password_stdin else auth.new_password()
    with db.connect() as conn:
        terminals.create_terminal(conn, args.terminal_id, password)
        conn.commit()
    print(f"terminal account {args.terminal_id} ready" + ("" if args.password_stdin else f"; password: {password}"))
    return 0


def _cmd_create_api_key(args) -> int:
    """An Open311 key for another system (12345 hotline, 最江阴 app), printed once."""
    from geo import db, terminals

    with db.connect() as conn:
        key = terminals.create_client(conn, args.code, args.name, args.source)
        conn.commit()
    print(f"API key for {args.code} (shown once; only its hash is kept):")
    print(f"JY_API_KEY={key}")
    return 0


def _cmd_simulate(args) -> int:
    """The live demo feed through the HTTP API (loaders/simulate.py)."""
    import logging

    from loaders.simulate import Feed

    cfg = settings()
    if args.if_feed and not cfg.jy_feed:
        print("live demo feed off (JY_FEED=0)")
        return 0
    from geo import db

    with db.connect() as conn:
        demo = db.value(conn, "SELECT is_demo FROM dataset_info WHERE id = 1")
    if not demo:
        if args.if_feed:
            print("live demo feed not started: the database does not hold demo data")
            return 0
        print("error: the feed runs only on demo data (python -m loaders demo)", file=sys.stderr)
        return 2
    logging.basicConfig(level=logging.WARNING, format="simulate: %(message)s")
    feed = Feed(args.api or f"http://127.0.0.1:{cfg.api_port}", args.workers or cfg.jy_feed_workers, args.speed)
    print(f"live demo feed: {len(feed.terminals)} demo terminals, speed ×{args.speed:g} → {feed.api}", flush=True)
    try:
        stats = feed.run(args.duration)
    except KeyboardInterrupt:
        stats = feed.stats
    print("live demo feed: " + ", ".join(f"{k} {v}" for k, v in stats.items()))
    return 0


def _cmd_create_admin(args) -> int:
    import getpass

    from geo import auth, db

    if args.password_stdin:
        password = sys.stdin.readline().rstrip("\n")
    elif sys.stdin.isatty():
        password = getpass.getpass("password for the new admin: ")
        if getpass.getpass("again: ") != password:
            print("error: the two passwords differ; nothing created", file=sys.stderr)
            return 2
    else:
        print("error: no terminal to ask for the password; pipe it in with --password-stdin",
              file=sys.stderr)
        return 2
    with db.connect() as conn:
        auth.create_user(conn, "(cli)", args.username, args.display_name, "admin", password, must_change=True)
        conn.commit()
    print(f"created admin account {args.username}")
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m loaders", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = parser.add_subparsers(dest="command", required=True)
    sub.add_parser("migrate", help="apply migrations and load reference catalogues")
    sch = sub.add_parser("schema", help="the schema a fresh migrate makes (pg_dump); --write updates data/schema.sql")
    sch.add_argument("--write", action="store_true", help="write data/schema.sql instead of printing it")
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
    ev.add_argument("--crs", choices=["EPSG:4490", "EPSG:4326", "gcj02", "bd09"],
                    help="coordinates of the file (phones usually export gcj02); without it the file must say: "
                         "a 坐标系 column (per row) or column names such as 经度(GCJ-02) — never a guess")
    ev.add_argument("--source", default="grid_app",
                    help="the system the file comes from (grid_app, 12345, police …): a row's number is "
                         "unique within its source, so a second load of the same export changes nothing")
    ev.add_argument("--datum", choices=["wgs84", "gcj02", "bd09"], help="older name of --crs")
    ev.add_argument("--encoding", choices=["gbk", "utf-8", "gb18030"], help="text encoding of a CSV")
    ev.add_argument("--dry-run", action="store_true", help="check every row, load nothing")
    ev.add_argument("--keep-columns", action="store_true",
                    help="keep the columns no event field reads in each event's attributes (column: cell)")
    ev.add_argument("--match-report", metavar="CSV",
                    help="write each address-only row's match (register address, score, grid) to this CSV")
    warn = sub.add_parser("warn", help="early warning: emerging hot spots, surges, repeat places (geo/warning.py)")
    warn.add_argument("--every", type=float, default=0, help="run again every N seconds (0: once)")
    warn.add_argument("--at", help="evaluate as of this time (ISO 8601), e.g. to replay a past day")
    esc = sub.add_parser("escalate", help="move overdue village/town events up one level")
    esc.add_argument("--every", type=float, help="keep doing it every this many seconds (./run.sh: 60)")
    for kind in ("grids", "staff", "chem-sites", "resources", "service-points", "enterprises", "addresses"):
        imp = sub.add_parser(kind, help=f"import {kind} from a file (all or nothing, upsert)")
        imp.add_argument("file")
        imp.add_argument("--crs", help="EPSG:XXXX, gcj02 or bd09 (default: from the file)")
        imp.add_argument("--encoding", choices=["gbk", "utf-8", "gb18030"], help="text encoding of the file")
        imp.add_argument("--layer", help="layer of a GeoPackage with several")
        imp.add_argument("--dry-run", action="store_true", help="check every feature, load nothing")
        if kind == "addresses":
            imp.add_argument("--kind", choices=["roads", "points"], required=True,
                             help="roads (lines with door-number ranges) or points (门牌, 小区, 楼栋, 地名)")
        if kind == "grids":
            lv = imp.add_mutually_exclusive_group()
            lv.add_argument("--level", type=int, choices=[1, 2, 3], help="every feature is of this level")
            lv.add_argument("--level-field", help="field holding the level (default: from the code length)")
            imp.add_argument("--code-field", help="field holding the grid code (default 网格编码)")
            imp.add_argument("--parent-field", help="field holding the parent code (default 上级编码)")
            imp.add_argument("--name-field", help="field holding the name (default 网格名称)")
            imp.add_argument("--fix", action="store_true", help="repair invalid polygons, and report each repair")
            imp.add_argument("--tolerance", type=float, default=1.0,
                             help="m² of overlap, gap or overhang tolerated (default 1)")
    base = sub.add_parser("base-data", help="import base data per grid (人、地、物、组织 counts; all or nothing, upsert)")
    base.add_argument("file", help="CSV or XLSX: 网格编码 and one column per item (户籍人口, 流动人口, …)")
    base.add_argument("--as-of", help="the date the counts describe (default today)")
    base.add_argument("--encoding", choices=["gbk", "utf-8", "gb18030"], help="text encoding of a CSV")
    base.add_argument("--dry-run", action="store_true", help="check every row, load nothing")
    sub.add_parser("app-role", help="give the app's database role its login; prints APP_DATABASE_URL=")
    adm = sub.add_parser("create-admin", help="create an admin account (the first one, or another)")
    adm.add_argument("username")
    adm.add_argument("--display-name", default="管理员")
    adm.add_argument("--password-stdin", action="store_true", help="read the password from stdin")
    term = sub.add_parser("create-terminal", help="a terminal account (终端编号 + password) for a grid worker or police officer")
    term.add_argument("terminal_id")
    term.add_argument("--password-stdin", action="store_true", help="read the password from stdin (else one is generated)")
    key = sub.add_parser("create-api-key", help="an Open311 API key for another system (12345 hotline, 最江阴 app)")
    key.add_argument("code", help="the system's code, a-z 0-9 _ (e.g. hotline12345)")
    key.add_argument("name", help="its name, e.g. 12345政务服务热线")
    key.add_argument("--source", default="hotline", choices=["hotline", "platform", "police", "inspection", "sensor"],
                     help="the events' source (default hotline)")
    sub.add_parser("archiving", help="turn on WAL archiving into JY_BACKUP_DIR (prints 'restart needed' when it must)")
    sub.add_parser("backup", help="a base backup of the cluster (pg_basebackup); keeps JY_BACKUP_KEEP and their WAL")
    rst = sub.add_parser("restore", help="point-in-time recovery into a new cluster; prints its DATABASE_URL=")
    rst_what = rst.add_mutually_exclusive_group(required=True)
    rst_what.add_argument("--to", help="the moment to restore to, e.g. '2026-11-29 09:30:00' (Jiangyin time) "
                                       "or with an offset")
    rst_what.add_argument("--stop", metavar="DIR", help="stop a cluster an earlier restore started")
    rst.add_argument("--into", help="data directory of the new cluster (new or empty; default under JY_BACKUP_DIR)")
    rst.add_argument("--port", type=int, help="port of the new cluster (default: a free one)")
    sub.add_parser("audit-verify", help="check the audit log's hash chain and the heads kept outside the database")
    head = sub.add_parser("audit-head", help="append the audit chain's head to a file beside the WAL archive")
    head.add_argument("--every", type=float, help="keep doing it every this many seconds (./run.sh: 300)")
    sim = sub.add_parser("simulate", help="the live demo city: demo terminals drive the HTTP API (演示数据)")
    sim.add_argument("--api", help="the API's base URL (default http://127.0.0.1:$API_PORT)")
    sim.add_argument("--workers", type=int, help="demo terminals to drive (default JY_FEED_WORKERS)")
    sim.add_argument("--speed", type=float, default=10.0,
                     help="reports and task steps this many times faster than the county's real rhythm (default 10)")
    sim.add_argument("--duration", type=float, help="stop after this many seconds (default: run until stopped)")
    sim.add_argument("--if-feed", action="store_true",
                     help="do nothing (exit 0) when JY_FEED=0 or the database is not demo data (./run.sh)")
    args = parser.parse_args(argv)
    if args.command == "simulate" and (args.speed <= 0 or (args.workers is not None and args.workers < 1)):
        parser.error("--speed must be above 0 and --workers at least 1")
    if args.command == "demo" and (args.events < 0 or args.days < 1):
        parser.error("--events must be 0 or more and --days 1 or more")
    cfg = None
    try:      # the one place where the CLI turns a domain error (geo.errors) into its message
        cfg = settings()          # a malformed variable is named before anything runs
        return {"migrate": _cmd_migrate, "schema": _cmd_schema, "demo": _cmd_demo, "events": _cmd_events,
                "escalate": _cmd_escalate, "warn": _cmd_warn, "app-role": _cmd_app_role, "base-data": _cmd_base_data, "grids": _cmd_import,
                "staff": _cmd_import, "chem-sites": _cmd_import, "resources": _cmd_import,
                "service-points": _cmd_import, "enterprises": _cmd_import, "addresses": _cmd_import,
                "create-admin": _cmd_create_admin, "create-terminal": _cmd_create_terminal,
                "create-api-key": _cmd_create_api_key, "simulate": _cmd_simulate,
                "audit-verify": _cmd_audit_verify, "audit-head": _cmd_audit_head, "archiving": _cmd_archiving, "backup": _cmd_backup,
                "restore": _cmd_restore}[args.command](args)
    except DomainError as exc:
        print(f"error: {exc.message}", file=sys.stderr)
        return 2
    finally:
        if cfg is not None and cfg.jy_report_rss:      # bench/imports.py reads this line
            # VmHWM: this program's own peak (ru_maxrss would include the memory of the parent it was
            # forked from, kept across exec).
            hwm = next((line.split()[1] for line in open("/proc/self/status") if line.startswith("VmHWM:")), "0")
            print(f"peak RSS {int(hwm) / 1024:.0f} MB", file=sys.stderr)


if __name__ == "__main__":
    sys.exit(main())
