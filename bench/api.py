"""The terminals' API under the county's load, over real HTTP against a running server:
5,034 grid workers each sending a GPS fix every 30 s (≈ 168 fixes/s) plus 10 reports/s, open loop
(requests leave on schedule whether or not earlier ones have answered, as phones do), for --seconds.
Overload (3× the seed's rate) is bench/overload.py's: this client's 64 threads fall seconds behind at
that rate and count their own lateness as the server's.
Reports are JSON; --photo-share of them are multipart with one generated JPEG.

    export $(./run.sh --no-serve | tail -2)
    .venv/bin/uvicorn api.app:app --port 8602 --workers 2 &        # or ./run.sh's API on 8502
    .venv/bin/python bench/api.py --api http://127.0.0.1:8602 --seconds 60

Needs demo data (terminal accounts for every demo worker, passwords derived from .local/). Prints
p50/p95/p99 per kind of request and the achieved rates; writes bench/results/api.json. The events it
reports are demo data like the live feed's.
"""
from __future__ import annotations

import argparse
import datetime as dt
import http.client
import json
import queue
import random
import sys
import threading
import time
import urllib.parse
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.common import ROOT, multipart, pct, save_json  # noqa: E402
from geo import db  # noqa: E402
from geo.coords import wgs84_to_gcj02  # noqa: E402
from loaders.accounts import demo_terminal_password  # noqa: E402
from loaders.demo.photos import make_jpeg  # noqa: E402

TZ = dt.timezone(dt.timedelta(hours=8))


class Client(threading.local):
    """One keep-alive connection per thread."""

    def __init__(self, host: str, port: int):
        self.host, self.port, self.conn = host, port, None

    def request(self, method: str, path: str, body: bytes | None, headers: dict) -> tuple[int, bytes]:
        for attempt in (1, 2):
            if self.conn is None:
                self.conn = http.client.HTTPConnection(self.host, self.port, timeout=60)
            try:
                self.conn.request(method, path, body=body, headers=headers)
                r = self.conn.getresponse()
                return r.status, r.read()
            except (http.client.HTTPException, OSError):
                self.conn.close()
                self.conn = None
                if attempt == 2:
                    raise
        raise AssertionError("unreachable")


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--api", default="http://127.0.0.1:8502")
    ap.add_argument("--terminals", type=int, default=5034)
    ap.add_argument("--fix-every", type=float, default=30.0, help="seconds between one terminal's fixes")
    ap.add_argument("--reports", type=float, default=10.0, help="reports per second")
    ap.add_argument("--photo-share", type=float, default=0.2, help="share of reports sent with a photo")
    ap.add_argument("--seconds", type=float, default=60.0)
    ap.add_argument("--threads", type=int, default=64)
    ap.add_argument("--out", default=str(ROOT / "bench" / "results" / "api.json"))
    args = ap.parse_args()
    url = urllib.parse.urlsplit(args.api)
    client = Client(url.hostname or "127.0.0.1", url.port or 80)

    with db.connect() as conn:
        workers = db.rows(conn, """
            SELECT s.id, s.terminal_id, s.village_code, ST_X(c.p) AS lon, ST_Y(c.p) AS lat
              FROM staff s JOIN terminal_accounts a ON a.staff_id = s.id AND NOT a.disabled
              JOIN LATERAL (SELECT ST_PointOnSurface(geom) p FROM grids g WHERE g.code = s.grid_code) c ON true
             WHERE s.is_demo AND s.role = 'grid_worker' ORDER BY s.id LIMIT %(n)s""", {"n": args.terminals})
        categories = [r[0] for r in db.tuples(conn, "SELECT code FROM event_categories")]
    if len(workers) < args.terminals:
        print(f"only {len(workers)} demo terminal accounts (python -m loaders demo creates them)", file=sys.stderr)

    # sign every terminal in (the morning: 5,034 phones get their token)
    t0 = time.perf_counter()
    tokens: dict[int, str] = {}
    lock = threading.Lock()

    def sign_in(chunk):
        for w in chunk:
            body = json.dumps({"terminal_id": w["terminal_id"], "password": demo_terminal_password(w["terminal_id"])})
            for _attempt in range(30):     # shed (503, Retry-After) in the morning rush: the phone retries
                status, raw = client.request("POST", "/api/v1/auth/token", body.encode(), {"Content-Type": "application/json"})
                if status != 503:
                    break
                time.sleep(1)
            if status != 200:        # e.g. an account whose password was set by hand: left out
                print(f"  sign-in of {w['terminal_id']} refused ({status}); left out", file=sys.stderr)
                continue
            with lock:
                tokens[w["id"]] = json.loads(raw)["access_token"]
    chunks = [workers[i::16] for i in range(16)]
    threads = [threading.Thread(target=sign_in, args=(c,)) for c in chunks]
    [t.start() for t in threads]
    [t.join() for t in threads]
    sign_in_s = time.perf_counter() - t0
    print(f"signed in {len(tokens)} terminals in {sign_in_s:.1f} s ({len(tokens) / sign_in_s:.0f}/s)", flush=True)
    workers = [w for w in workers if w["id"] in tokens]

    # the schedule: each terminal's fixes at its own phase, reports spread evenly
    rnd = random.Random(7)
    jobs: list[tuple[float, str, dict]] = []
    for w in workers:
        phase = rnd.uniform(0, args.fix_every)
        k = 0
        while phase + k * args.fix_every < args.seconds:
            jobs.append((phase + k * args.fix_every, "fix", w))
            k += 1
    n_reports = int(args.reports * args.seconds)
    for i in range(n_reports):
        jobs.append((i / args.reports + rnd.uniform(0, 1 / args.reports), "report", rnd.choice(workers)))
    jobs.sort(key=lambda j: j[0])
    photo = make_jpeg(1)

    work: queue.Queue = queue.Queue()
    lat: dict[str, list[float]] = {"fix": [], "report": [], "report_photo": []}
    late: list[float] = []
    errors: dict[str, int] = {}

    def run():
        while True:
            job = work.get()
            if job is None:
                return
            due, kind, w, start = job
            wait = start + due - time.perf_counter()
            if wait > 0:
                time.sleep(wait)
            late.append(max(0.0, -wait))
            auth = {"Authorization": f"Bearer {tokens[w['id']]}"}
            gx, gy = wgs84_to_gcj02(w["lon"] + rnd.uniform(-3e-4, 3e-4), w["lat"] + rnd.uniform(-3e-4, 3e-4))
            if kind == "fix":
                body = json.dumps({"datum": "gcj02", "fixes": [{"lon": float(gx), "lat": float(gy), "accuracy_m": 8,
                                   "at": dt.datetime.now(TZ).isoformat()}]}).encode()
                path, headers, key = "/api/v1/positions", {**auth, "Content-Type": "application/json"}, "fix"
            else:
                fields = {"lon": float(gx), "lat": float(gy), "datum": "gcj02", "category": rnd.choice(categories),
                          "description": "压力测试上报（演示数据）"}
                path = "/api/v1/reports"
                if rnd.random() < args.photo_share:
                    body, ctype = multipart(fields, photo)
                    headers, key = {**auth, "Content-Type": ctype}, "report_photo"
                else:
                    body, headers, key = json.dumps(fields).encode(), {**auth, "Content-Type": "application/json"}, "report"
            t = time.perf_counter()
            try:
                status, raw = client.request("POST", path, body, headers)
            except OSError as exc:
                status, raw = 0, str(exc).encode()
            took = (time.perf_counter() - t) * 1000
            with lock:
                if status in (200, 201):
                    lat[key].append(took)
                else:
                    errors[f"{key} {status}"] = errors.get(f"{key} {status}", 0) + 1
                    if sum(errors.values()) <= 5:
                        print(f"  {key}: {status} {raw[:200]!r}", file=sys.stderr)

    pool = [threading.Thread(target=run, daemon=True) for _ in range(args.threads)]
    [t.start() for t in pool]
    start = time.perf_counter() + 1.0
    for due, kind, w in jobs:
        work.put((due, kind, w, start))
    for _ in pool:
        work.put(None)
    [t.join() for t in pool]
    wall = time.perf_counter() - start

    result = {"at": dt.datetime.now(TZ).isoformat(timespec="seconds"), "api": args.api, "terminals": len(tokens),
              "seconds": args.seconds, "wall_s": round(wall, 1), "sign_in_per_s": round(len(tokens) / sign_in_s),
              "late_p95_ms": round((pct(late, 95) or 0) * 1000, 1), "errors": errors, "kinds": {}}
    print(f"{'request':14} {'count':>6} {'per s':>6} {'p50 ms':>7} {'p95 ms':>7} {'p99 ms':>7}")
    for key, values in lat.items():
        row = {"count": len(values), "per_s": round(len(values) / args.seconds, 1),
               "p50_ms": round(pct(values, 50) or 0, 1), "p95_ms": round(pct(values, 95) or 0, 1),
               "p99_ms": round(pct(values, 99) or 0, 1)}
        result["kinds"][key] = row
        print(f"{key:14} {row['count']:>6} {row['per_s']:>6} {row['p50_ms']:>7} {row['p95_ms']:>7} {row['p99_ms']:>7}")
    every = [v for vs in lat.values() for v in vs]
    result["all_p95_ms"] = round(pct(every, 95) or 0, 1)
    print(f"all requests p95 {result['all_p95_ms']} ms; errors {errors or 'none'}; "
          f"client lateness p95 {result['late_p95_ms']} ms (above a few ms: the client, not the server, is behind)")
    save_json(args.out, result)
    return 0 if not errors else 1


if __name__ == "__main__":
    raise SystemExit(main())
