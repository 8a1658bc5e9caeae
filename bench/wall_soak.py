"""Soak the wall: a compressed 8-hour run. The wall refreshes its panels every 30 s; here every
second (JY_WALL_REFRESH_S=1), so --minutes 16 gives the 960 refreshes of an 8-hour shift.
Samples the Streamlit server's resident memory and prints whether it stays flat.

    .venv/bin/python bench/wall_soak.py [--minutes 16] [--screen wide]
"""
from __future__ import annotations

import argparse
import os
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.common import demo_login  # noqa: E402
from tests.browser import open_page  # noqa: E402
from tests.server import streamlit_server  # noqa: E402


def rss_mb(pid: int) -> float:
    total = 0
    for p in [pid] + [int(c) for c in subprocess.run(["pgrep", "-P", str(pid)], capture_output=True,
                                                     text=True).stdout.split()]:
        try:
            for line in Path(f"/proc/{p}/status").read_text().splitlines():
                if line.startswith("VmRSS:"):
                    total += int(line.split()[1])
        except FileNotFoundError:
            pass
    return total / 1024


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--minutes", type=float, default=16)
    ap.add_argument("--screen", default="wide")
    args = ap.parse_args()
    (ROOT / "artifacts").mkdir(exist_ok=True)
    with streamlit_server(os.environ["DATABASE_URL"], extra_env={"JY_WALL_REFRESH_S": "1"}) as url:
        pid = int(subprocess.run(["pgrep", "-f", f"server.port {url.rsplit(':', 1)[1]}"], capture_output=True,
                                 text=True).stdout.split()[0])
        samples = []
        with open_page(f"{url}/?screen={args.screen}&rotate=5", width=3840, height=1080, wait_text="城市运行态势", login=demo_login("wall")) as page:
            t0 = time.monotonic()
            while time.monotonic() - t0 < args.minutes * 60:
                page.wait_for_timeout(15_000)
                samples.append((time.monotonic() - t0, rss_mb(pid)))
                print(f"{samples[-1][0] / 60:5.1f} min  server RSS {samples[-1][1]:7.1f} MB", flush=True)
    warm = [m for t, m in samples if t > 120] or [m for _, m in samples]
    print(f"RSS after 2 min warm-up: first {warm[0]:.1f} MB, last {warm[-1]:.1f} MB, max {max(warm):.1f} MB, "
          f"growth {warm[-1] - warm[0]:+.1f} MB over {samples[-1][0] / 60:.1f} min "
          f"(~{samples[-1][0]:.0f} refreshes of each 1 s panel)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
