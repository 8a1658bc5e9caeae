"""An XLSX workbook's first sheet read in a child process with bounded time, memory and width (issue 29).

A crafted workbook that passes the zip check (`read.check_zip`: unpacked size, ratio) can still keep a
reader busy for minutes: a cell in column XFD makes every row 16,384 cells wide in pandas, a sheet of a
million styled empty rows is parsed cell by cell. So the workbook is never parsed in the server or the
CLI itself: a child (`python -m loaders.importer.xlsx SRC DST`) streams the sheet with openpyxl's
read-only reader into a UTF-8 CSV — only as many columns as the header names (≤ MAX_COLUMNS), at most
Excel's 1,048,576 rows — under an address-space limit (MAX_MEMORY) and a CPU limit (JY_XLSX_SECONDS), and the
parent waits for it in short steps, calling `tick()` between them: the import page moves its progress bar
there, which ends the run (and so the child) when the browser has gone; the CLI's Ctrl-C/SIGTERM does the
same. The CSV then goes through the same streaming reader as any CSV.

Cells become text as pandas' `read_excel(dtype=str)` wrote them: whole numbers without “.0”, dates as
`YYYY-MM-DD HH:MM:SS`.
"""
from __future__ import annotations

import contextlib
import os
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from pathlib import Path

MAX_MEMORY = 1 << 30                                          # the child's address space
MAX_COLUMNS = 256
MAX_ROWS = 1_048_576                                          # Excel's own limit

# The child's exit codes and what they mean to the user.
NOT_A_WORKBOOK, TOO_WIDE, TOO_LONG, NO_SHEET = 3, 4, 5, 6


def _bad(en: str, zh: str):
    from geo.errors import InvalidInput
    return InvalidInput(en, zh)


@contextlib.contextmanager
def as_csv(path: Path, tick: Callable[[], None] | None = None) -> Iterator[Path]:
    """The workbook's first sheet as a temporary UTF-8 CSV (removed afterwards). Refuses (InvalidInput)
    a damaged or hostile workbook with a message saying which; `tick` is called about four times a
    second while the child works, and whatever it raises stops the child and propagates."""
    from loaders.importer.read import check_zip

    check_zip(path, "XLSX")
    fd, name = tempfile.mkstemp(prefix="jy-xlsx-", suffix=".csv")
    os.close(fd)
    out = Path(name)
    try:
        _convert(path, out, tick)
        yield out
    finally:
        out.unlink(missing_ok=True)


def _convert(path: Path, out: Path, tick: Callable[[], None] | None) -> None:
    from geo.settings import settings
    limit = settings().jy_xlsx_seconds
    proc = subprocess.Popen([sys.executable, "-m", "loaders.importer.xlsx", str(path), str(out), str(limit)],
                            stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
                            cwd=str(Path(__file__).resolve().parents[2]))
    deadline = time.monotonic() + limit + 30     # wall clock: CPU limit plus time for the disk
    try:
        while True:
            try:
                proc.wait(timeout=0.25)
                break
            except subprocess.TimeoutExpired:
                pass
            if tick is not None:
                tick()
            if time.monotonic() > deadline:
                raise _too_slow(path, limit)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
        err = proc.stderr.read().decode("utf-8", "replace")[-300:] if proc.stderr else ""
        if proc.stderr:
            proc.stderr.close()
    rc = proc.returncode
    if rc == 0:
        return
    if rc == TOO_WIDE:
        raise _bad(f"{path.name}: the header row names more than {MAX_COLUMNS} columns (or none); keep the "
                   "sheet's own columns only",
                   f"“{path.name}”的表头超过 {MAX_COLUMNS} 列或为空：请只保留需要导入的列，表头放在第一行。")
    if rc == TOO_LONG:
        raise _bad(f"{path.name}: more than {MAX_ROWS:,} rows; split the file",
                   f"“{path.name}”超过 {MAX_ROWS:,} 行：请分成几个文件导入。")
    if rc == NO_SHEET:
        raise _bad(f"{path.name}: the workbook has no worksheet", f"“{path.name}”中没有工作表。")
    if rc == NOT_A_WORKBOOK:
        raise _bad(f"{path.name} cannot be read as an XLSX workbook ({err.strip().splitlines()[-1:] or ''})",
                   f"无法读取“{path.name}”：不是完整的 XLSX 工作簿。")
    # killed: SIGXCPU (the CPU limit) or SIGKILL/MemoryError (the memory limit)
    if rc in (-24, -9, 7) or "MemoryError" in err:
        raise _too_slow(path, limit)
    raise _bad(f"{path.name} cannot be read as an XLSX workbook (reader exit {rc})",
               f"无法读取“{path.name}”：不是完整的 XLSX 工作簿。")


def _too_slow(path: Path, limit: int):
    return _bad(f"{path.name}: reading the workbook took more than {limit} s or {MAX_MEMORY >> 20} MB; "
                "save the sheet as CSV (UTF-8) and import that",
                f"“{path.name}”读取超过 {limit} 秒或 {MAX_MEMORY >> 20} MB 内存，工作簿过于复杂或已损坏："
                "请在 Excel 中另存为“CSV UTF-8”后导入。")


# ------------------------------------------------------------------------------------------ the child
def _text(value) -> str:
    """A cell as pandas' read_excel(dtype=str) writes it."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return str(value)
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() and abs(value) < 1e16 else repr(value)
    if isinstance(value, int):
        return str(value)
    if hasattr(value, "isoformat"):
        return str(value)
    return str(value)


def _child(src: str, dst: str, limit: int) -> int:
    import resource

    resource.setrlimit(resource.RLIMIT_CPU, (limit, limit + 5))
    resource.setrlimit(resource.RLIMIT_AS, (MAX_MEMORY, MAX_MEMORY))
    import csv
    import zipfile

    from openpyxl import load_workbook

    try:
        wb = load_workbook(src, read_only=True, data_only=True)
    except (zipfile.BadZipFile, KeyError, ValueError, TypeError, OSError) as exc:
        print(f"{exc.__class__.__name__}: {exc}", file=sys.stderr)
        return NOT_A_WORKBOOK
    if not wb.worksheets:
        return NO_SHEET
    ws = wb.worksheets[0]
    ws.reset_dimensions()                      # the sheet's own <dimension> may lie either way
    rows = ws.iter_rows(max_col=MAX_COLUMNS + 1, values_only=True)
    header = None
    for first in rows:                         # the header: the first row with a value, MAX_COLUMNS cells read
        cells = list(first)
        if any(c is not None and str(c).strip() for c in cells):
            header = cells
            break
    if header is None:
        return TOO_WIDE
    while header and (header[-1] is None or not str(header[-1]).strip()):
        header.pop()
    if len(header) > MAX_COLUMNS:
        return TOO_WIDE
    width = len(header)
    written, blank = 1, 0
    with open(dst, "w", encoding="utf-8", newline="") as f:
        w = csv.writer(f)
        w.writerow([_text(c) for c in header])
        for row in rows:
            cells = [_text(c) for c in row[:width]]
            if not any(cells):
                blank += 1                     # empty rows between data keep the row numbers; trailing ones go
                continue
            if written + blank >= MAX_ROWS:
                return TOO_LONG
            for _ in range(blank):
                w.writerow([""] * width)
            written += blank + 1
            blank = 0
            cells += [""] * (width - len(cells))
            w.writerow(cells)
    wb.close()
    return 0


if __name__ == "__main__":
    try:
        sys.exit(_child(sys.argv[1], sys.argv[2], int(sys.argv[3])))
    except MemoryError:
        print("MemoryError", file=sys.stderr)
        sys.exit(7)
