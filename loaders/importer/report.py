"""What an import found and did, and the one way an import writes: all or nothing."""
from __future__ import annotations

from dataclasses import dataclass, field

import psycopg

from geo.errors import InvalidInput
from loaders.importer.checks import Problem


@dataclass
class Report:
    kind: str
    features: int
    crs: str
    problems: list[Problem]
    inserted: int = 0
    updated: int = 0
    unchanged: int = 0
    events_reassigned: int = 0
    written: bool = False
    shapes: list[dict] = field(default_factory=list)    # row, code, name, geometry (4490) for the map

    @property
    def refused(self) -> list[Problem]:
        return [p for p in self.problems if p.fatal]


def load_all_or_nothing(conn, report: Report, dry_run: bool, write) -> Report:
    """Run `write` in one transaction unless the report refuses the file or this is a dry run. A
    database refusal the checks did not foresee rolls everything back and says why."""
    if report.refused or dry_run:
        return report
    try:
        with conn.transaction():
            write()
    except psycopg.Error as exc:
        raise InvalidInput(f"the database refused the rows, nothing was written: {exc.diag.message_primary}",
                           f"数据库拒绝写入，未作任何修改：{exc.diag.message_primary}") from exc
    return report
