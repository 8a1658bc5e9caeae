"""Profile page runs on the real server: with JY_PROFILE_DIR set, each run's cProfile is written
there as <page>-<time>-<thread>.prof (bench/profile_runs.py sums them). Off by default: no cost."""
from __future__ import annotations

import cProfile
import threading
import time
from contextlib import contextmanager
from pathlib import Path

from geo.settings import settings


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
