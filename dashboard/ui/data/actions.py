"""Every write a page makes goes through `write`: one transaction as the signed-in viewer (row-level
security applies), its audit row in the same transaction, and after the commit exactly the cached
reads the write can change are refreshed. Workflow actions (geo.workflow.act) write their audit row
themselves, one event per transaction; act_many refreshes the same way.
"""
from __future__ import annotations

import dataclasses
from contextlib import contextmanager
from typing import Iterator

from dashboard.ui.data import reads
from dashboard.ui.data.pools import live, viewer
from geo import addresses, audit, intake, notify, workflow
from geo.hazards import analysis

# What a write can change, and the cached reads that show it.
TOUCHES = {
    "events": (reads.kpis, reads.area_figures, reads.density, reads.trend, reads.categories, reads.latest_events,
               reads.overdue_events, reads.urgent_events, reads.list_events, reads.event_points,
               reads.town_ranking, reads.village_ranking, reads.evaluate),
    "places": (reads.area_shapes, reads.county_outline, reads.resolve_path, reads.dedicated_grids, reads.grid_shape,
               reads.children, reads.dataset_info),
    "staff": (reads.staff_summary, reads._staff_list),
    "sites": (reads.chem_sites, reads.resources, reads.hazard_sites, reads.hazard_site, reads.exposure),
    "accounts": (),
    "urges": (reads.evaluate,),          # 催办次数 in 综合评价
}
# An import of each kind of file changes (grids also move events between grids).
IMPORT_TOUCHES = {"grids": ("places", "events", "staff", "sites"), "staff": ("staff",),
                  "chem-sites": ("sites",), "resources": ("sites",), "events": ("events",), "addresses": ()}


def refresh(*touched: str) -> None:
    """Clear the cached reads that show what was written (after the commit)."""
    for kind in touched:
        for fn in TOUCHES[kind]:
            fn.clear()


@dataclasses.dataclass
class Write:
    conn: object
    detail: dict                 # fields of the audit row; the body may add to them
    target: str | None = None
    audit: bool = True           # False: nothing happened worth a row (a dry run, nothing moved)
    changed: bool = True         # False: nothing written, nothing to refresh


@contextmanager
def write(action: str, target: str | None = None, touches: tuple[str, ...] = ("events",),
          admin: bool = False) -> Iterator[Write]:
    """One user action: `with write("report") as w: … w.conn …`. Rolls back on any error (no audit
    row, no refresh)."""
    v = viewer()
    if admin:
        v.require_admin()
    with live().connection() as conn:
        w = Write(conn, {}, target)
        yield w
        if w.audit:
            audit.record(conn, v.username, v.role, action, w.target, **w.detail)
    if w.changed:
        refresh(*touches)


# ------------------------------------------------------------------ the actions
def act_many(versions: dict, action: str, **kwargs):
    """Act as the signed-in viewer (Forbidden for accounts that only look)."""
    done, refused = workflow.act_many(live(), versions, action, viewer().actor(), **kwargs)
    if done:
        refresh("events")
    return done, refused


def review_place(review_id: int, lon: float, lat: float, label: str | None, score: float | None) -> int:
    """A queued address row placed at a point: its event by the one intake path (which writes the
    report's audit row), the queue row closed, one transaction."""
    with write("report", f"address_review:{review_id}") as w:
        w.audit = False
        return addresses.review_place(w.conn, review_id, lon, lat, reporter(), label, score)


def review_dismiss(review_id: int) -> None:
    with write("review_dismiss", f"address_review:{review_id}", touches=()) as w:
        addresses.review_dismiss(w.conn, review_id, reporter())


def reporter() -> intake.Reporter:
    """The signed-in account as a reporter (wall, town leader and admin accounts do not report)."""
    v = viewer()
    actor = v.actor()
    return intake.Reporter(v.username, v.role, actor.label, "dashboard")


def submit_reports(reports: list) -> list[int]:
    """Report as the signed-in account: the reporter on the event and its first log row is the
    account (its role and name), whatever the page passed; geo.intake writes the audit row."""
    by = reporter()
    reports = [dataclasses.replace(r, reporter=None) for r in reports]
    with write("report") as w:
        w.audit = False
        return intake.submit(w.conn, reports, by=by)


def urge(event_id: int, kind: str, note: str | None) -> dict:
    """催办 or 督办 one event as the signed-in viewer (geo.notify writes the urge, its outbox row and
    its audit row in one transaction; the API's outbox worker delivers it after the commit)."""
    with write(kind, f"event:{event_id}", touches=("urges",)) as w:
        w.audit = False            # geo.notify writes its own row
        return notify.urge(w.conn, event_id, kind, viewer().urger(), note)


def report_drill(lon: float, lat: float, description: str, zone=None, source: str = "plume",
                 scenario: dict | None = None) -> int:
    """The scenario's incident as a drill in the dispatch queue, its zone saved with it."""
    by = dataclasses.replace(reporter(), via="drill")
    with write("drill") as w:
        w.audit = False            # geo.intake writes the report's row
        return analysis.report_incident(w.conn, lon, lat, description, zone=zone, source=source,
                                        scenario=scenario, by=by)


def admin_change(fn, *args, **kwargs):
    """One user-management change (geo.auth.*), audited by geo.auth under the admin's name."""
    with write("user_change", touches=("accounts",), admin=True) as w:
        w.audit = False            # geo.auth writes its own, more precise row
        return fn(w.conn, viewer().username, *args, **kwargs)


def import_events(path, source: str, datum: str | None, encoding: str | None, dry_run: bool, progress=None,
                  keep_columns: bool = False):
    """An event export: checked (dry run) or loaded, in one transaction with its audit row;
    `progress(rows, stage)` as loaders.importer.events.load calls it."""
    from loaders.importer import events as event_import

    v = viewer()
    by = intake.Reporter(v.username, v.role, v.display_name, "dashboard")
    with write("import", f"events:{path.name}", touches=IMPORT_TOUCHES["events"], admin=True) as w:
        result = event_import.load(w.conn, path, source=source, datum=datum, encoding=encoding, dry_run=dry_run, by=by,
                                   progress=progress, keep_columns=keep_columns)
        # a loaded file has its row from the importer; a refused one gets its row here
        w.detail.update(ok=result.written, inserted=result.inserted, unchanged=result.unchanged,
                        changed=len(result.changed), refused=len(result.refused))
        w.audit = not dry_run and not result.written
        w.changed = result.written
    return result


def import_run(kind: str, path, opts):
    """Validate again and load, in one transaction with its audit row; the report says what happened."""
    from loaders.importer import addresses, grids, points

    with write("import", f"{kind}:{path.name}", touches=IMPORT_TOUCHES[kind], admin=True) as w:
        report = (grids.import_file(w.conn, path, opts) if kind == "grids" else
                  addresses.import_file(w.conn, path, opts) if kind == "addresses" else
                  points.import_file(w.conn, kind, path, opts))
        w.detail.update(ok=bool(report.written), inserted=report.inserted, updated=report.updated,
                        unchanged=report.unchanged, events_reassigned=report.events_reassigned,
                        refused=len(report.refused))
        w.changed = bool(report.written)
    return report
