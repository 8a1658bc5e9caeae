"""Named SQL statements kept as .sql files in geo/sql/, read once."""
from __future__ import annotations

from functools import lru_cache
from pathlib import Path

SQL_DIR = Path(__file__).resolve().parent / "sql"


@lru_cache(maxsize=None)
def load(name: str) -> str:
    return (SQL_DIR / f"{name}.sql").read_text(encoding="utf-8")


def query(source, name: str, params: dict | None = None) -> list[dict]:
    """Every row of the named statement as dicts; `source` is a pool or a connection (geo.db.rows)."""
    from geo import db
    return db.rows(source, load(name), params)
