"""The address matcher, measured (issue 33, geo/addresses.py): match rate and grid accuracy on the
demo's event addresses as written and with the variants people write, and the throughput in a batch
and for one address at a time. Not a test: nothing here asserts; the README quotes what it prints.

    DATABASE_URL=…/a_demo_database .venv/bin/python bench/addresses.py [--n 5000] [--single 500]

Variants of each address ("{village}{road}{n}号附近", the demo's way of writing them):
  as written · with the county and town before it · full-width digits · without 附近 · the number in
  Chinese numerals (一百六十六号) · the village without 村/社区 · a typo in the road (one character) ·
  no village at all (the same road is in every village: never clear, so never a guess).
"Right village" is the clear match's village equal to the event's; "grid in village" that its grid is
a third-level grid of that village; "wrong" a clear match in another village (a silent error).
"""
from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from geo import addresses, db  # noqa: E402

FULL = str.maketrans("0123456789", "０１２３４５６７８９")
CN = "零一二三四五六七八九"


def _cn(n: int) -> str:
    out = ""
    for unit, value in (("百", 100), ("十", 10)):
        if n >= value:
            out += CN[n // value] + unit
            n %= value
        elif out and n:
            out += "零"
    return out + (CN[n] if n else "")


def _typo(road: str) -> str:
    return road[0] + ("圆" if road[1] != "圆" else "元") + road[2:] if len(road) >= 3 else road


VARIANTS = {
    "as written": lambda a: a["address"],
    "county + town prefix": lambda a: f"江阴市{a['town']}{a['address']}",
    "full-width digits": lambda a: a["address"].translate(FULL),
    "without 附近": lambda a: a["address"].removesuffix("附近"),
    "Chinese numerals": lambda a: a["address"].replace(f"{a['number']}号", f"{_cn(a['number'])}号"),
    "village stem only": lambda a: a["address"].replace(a["village_name"], a["village_name"].removesuffix("社区").removesuffix("村"), 1),
    "typo in the road": lambda a: a["address"].replace(a["road"], _typo(a["road"])),
    "no village": lambda a: a["address"][len(a["village_name"]):],
}

_SAMPLE = """
SELECT e.address, left(e.grid_code, 12) AS village, v.name AS village_name, t.name AS town
  FROM events e JOIN grids v ON v.code = left(e.grid_code, 12) JOIN grids t ON t.code = left(e.grid_code, 9)
 WHERE e.is_demo AND e.address LIKE '%%号附近'
 ORDER BY md5(e.id::text) LIMIT %(n)s
"""


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--n", type=int, default=5000, help="addresses per variant")
    ap.add_argument("--single", type=int, default=500, help="one-at-a-time matches for the latency")
    args = ap.parse_args()
    url = os.environ.get("DATABASE_URL")
    with db.connect(url) as conn:
        sample = db.rows(conn, _SAMPLE, {"n": args.n})
        for a in sample:
            rest = a["address"][len(a["village_name"]):]
            a["road"] = rest[: rest.index("路") + 1] if "路" in rest else rest[: rest.index("大道") + 2]
            a["number"] = int(rest[len(a["road"]):].split("号")[0])
        grids = {r[0]: r[1] for r in db.tuples(conn, "SELECT code, village_code FROM grids WHERE level = 3")}
        addresses.match(conn, ["预热"])               # the vocabulary read once, as a running server has it
        print(f"{len(sample)} demo addresses per variant; clear = score ≥ {addresses.CLEAR} and "
              f"≥ {addresses.MARGIN} ahead of the next place")
        print(f"{'variant':<22} {'clear':>7} {'right village':>14} {'grid in village':>16} {'wrong':>6} {'addr/s':>8}")
        for name, make in VARIANTS.items():
            texts = [make(a) for a in sample]
            t0 = time.perf_counter()
            found = addresses.match(conn, texts)
            rate = len(texts) / (time.perf_counter() - t0)
            clear = [m.best for m in found]
            right = sum(1 for b, a in zip(clear, sample) if b and b.village_code == a["village"])
            in_village = sum(1 for b, a in zip(clear, sample) if b and grids.get(b.grid_code) == a["village"])
            wrong = sum(1 for b, a in zip(clear, sample) if b and b.village_code != a["village"])
            n = len(texts)
            print(f"{name:<22} {sum(1 for b in clear if b) / n:>7.1%} {right / n:>14.1%} {in_village / n:>16.1%} "
                  f"{wrong:>6} {rate:>8,.0f}")
        times = []
        for a in sample[: args.single]:
            t0 = time.perf_counter()
            addresses.match_one(conn, a["address"])
            times.append((time.perf_counter() - t0) * 1000)
        times.sort()
        print(f"one at a time ({len(times)}): p50 {statistics.median(times):.1f} ms, "
              f"p95 {times[int(0.95 * (len(times) - 1))]:.1f} ms, max {times[-1]:.1f} ms")
    return 0


if __name__ == "__main__":
    sys.exit(main())
