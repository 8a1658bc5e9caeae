"""Sum the page-run profiles the dashboard wrote with JY_PROFILE_DIR set: per page, the number of
runs, mean time per run, and the functions that take it (cumulative), e.g.

    JY_PROFILE_DIR=/tmp/prof JY_WEB_WORKERS=1 ./run.sh &   (or streamlit run dashboard/app.py)
    .venv/bin/python bench/load.py open --sessions 20 --runs 3
    .venv/bin/python bench/profile_runs.py /tmp/prof --page city
"""
from __future__ import annotations

import argparse
import pstats
from pathlib import Path


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("dir")
    ap.add_argument("--page", default="city")
    ap.add_argument("--top", type=int, default=35)
    ap.add_argument("--sort", default="cumulative")
    args = ap.parse_args()
    files = sorted(Path(args.dir).glob(f"{args.page}-*.prof"))
    if not files:
        raise SystemExit(f"no profiles of page {args.page} in {args.dir}")
    stats = pstats.Stats(str(files[0]))
    for f in files[1:]:
        stats.add(str(f))
    print(f"{len(files)} runs of {args.page}; mean {stats.total_tt / len(files) * 1000:.1f} ms of CPU-profiled time per run")
    stats.files = []          # not the list of every file in the header
    stats.sort_stats(args.sort).print_stats(args.top)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
