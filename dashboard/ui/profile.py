"""How a page run executes on the server: at most JY_RUN_SLOTS at once per process (run_slot), and
profiled when JY_PROFILE_DIR is set: each run's cProfile is written there as
<page>-<time>-<thread>.prof (bench/profile_runs.py sums them). Profiling is off by default: no cost."""
from __future__ import annotations

import cProfile
import threading
import time
from contextlib import contextmanager
from pathlib import Path

from geo.settings import settings

# A run waiting longer than this goes ahead anyway: a stuck run (a long import) must not stop the rest.
SLOT_WAIT_S = 20.0
_slots_lock = threading.Lock()
_slots: dict[int, threading.BoundedSemaphore] = {}


def _semaphore(n: int) -> threading.BoundedSemaphore:
    with _slots_lock:
        if n not in _slots:
            _slots[n] = threading.BoundedSemaphore(n)
        return _slots[n]


@contextmanager
def run_slot():
    """Wait for one of the process's JY_RUN_SLOTS run slots (Streamlit starts a thread per session and
    runs them all at once: fifty first loads then contend for one GIL and Streamlit's config lock and
    all finish late; two at a time, each finishes in its own time). The wait blocks without the GIL."""
    n = settings().jy_run_slots
    if n <= 0:
        yield
        return
    sem = _semaphore(n)
    got = sem.acquire(timeout=SLOT_WAIT_S)
    try:
        yield
    finally:
        if got:
            sem.release()


@contextmanager
def profiled():
    """`with profiled() as tag: … tag["page"] = key`: the file is named after the page."""
    tag = {"page": "login"}
    where = settings().jy_profile_dir
    if not where:
        yield tag
        return
    prof = cProfile.Profile()
    prof.enable()
    try:
        yield tag
    finally:
        prof.disable()
        Path(where).mkdir(parents=True, exist_ok=True)
        prof.dump_stats(str(Path(where) / f"{tag['page']}-{time.time_ns()}-{threading.get_ident()}.prof"))
