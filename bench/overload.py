"""The terminals' API offered 3× the seed's rate (issue 29): what it accepts stays fast, the rest is shed.

The seed's terminals send about 168 GPS fixes/s and 10 reports/s (5,034 workers, a fix every 30 s);
3× that is ≈ 500 fixes/s + 30 reports/s. This client is open loop — each request leaves at its time
whether or not earlier ones have answered, on a connection of its own when none is free, as phones do —
and written on one asyncio loop with plain sockets, so that on this 2-core machine the client stays a
small share of the CPU and its own scheduling does not show up as server latency (bench/api.py's 64
threads fall seconds behind at this rate). It records, per kind, the latency of every accepted request
(200/201), the shed ones (503 with Retry-After) and anything else.

    ./run.sh &                                   # HAProxy on 8501 in front of the API (JY_FEED=0: no demo feed)
    .venv/bin/python bench/overload.py --api http://127.0.0.1:8501 --seconds 60

Tokens of the demo terminals are kept in bench/results/terminal_tokens.json (signing 1,700 terminals in
takes minutes: a full password check each); a token the API refuses is signed in again.
Prints p50/p95/p99 of the accepted requests per kind and the shares shed (5 % of reports are 特急, which
must never be shed); writes bench/results/overload.json.
"""
from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import json
import random
import sys
import time
import urllib.parse
import uuid
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.common import ROOT, multipart, pct, save_json  # noqa: E402
from geo import db  # noqa: E402
from geo.coords import wgs84_to_gcj02  # noqa: E402
from loaders.accounts import demo_terminal_password  # noqa: E402
from loaders.demo.photos import make_jpeg  # noqa: E402

TZ = dt.timezone(dt.timedelta(hours=8))
TOKENS = ROOT / "bench" / "results" / "terminal_tokens.json"


class Conn:
    """One keep-alive HTTP/1.1 connection: a request written, its answer read (Content-Length bodies)."""

    def __init__(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter):
        self.reader, self.writer = reader, writer

    async def request(self, raw: bytes) -> tuple[int, dict, bytes]:
        self.writer.write(raw)
        head = await self.reader.readuntil(b"\r\n\r\n")
        lines = head.decode("latin-1").split("\r\n")
        status = int(lines[0].split(" ", 2)[1])
        headers = {k.strip().lower(): v.strip() for k, _, v in (line.partition(":") for line in lines[1:] if line)}
        body = await self.reader.readexactly(int(headers.get("content-length", "0")))
        return status, headers, body

    def close(self) -> None:
        self.writer.close()


class Client:
    """Connections reused when free, opened when not (no cap: an open-loop offered load)."""

    def __init__(self, host: str, port: int):
        self.host, self.port, self.free = host, port, []
        self.opened = 0

    async def send(self, method: str, path: str, body: bytes, headers: dict) -> tuple[int, dict, bytes]:
        head = [f"{method} {path} HTTP/1.1", f"Host: {self.host}:{self.port}", f"Content-Length: {len(body)}"]
        head += [f"{k}: {v}" for k, v in headers.items()]
        raw = ("\r\n".join(head) + "\r\n\r\n").encode() + body
        for attempt in (1, 2):
            # the second attempt on a new connection: every kept one may have been closed meanwhile
            conn = self.free.pop() if self.free and attempt == 1 else None
            fresh = conn is None
            if fresh:
                conn = Conn(*await asyncio.open_connection(self.host, self.port))
                self.opened += 1
            try:
                status, hdrs, data = await conn.request(raw)
            except (OSError, asyncio.IncompleteReadError, ValueError):
                conn.close()
                if fresh or attempt == 2:   # a kept connection the server had closed: once more on a new one
                    raise
                continue
            if hdrs.get("connection", "").lower() == "close":
                conn.close()
            else:
                self.free.append(conn)
            return status, hdrs, data
        raise AssertionError("unreachable")


async def sign_in(client: Client, workers: list[dict]) -> dict[str, str]:
    cached = json.loads(TOKENS.read_text()) if TOKENS.is_file() else {}
    tokens = {w["terminal_id"]: cached[w["terminal_id"]] for w in workers if w["terminal_id"] in cached}
    todo = [w for w in workers if w["terminal_id"] not in tokens]
    sem = asyncio.Semaphore(8)

    async def one(w):
        body = json.dumps({"terminal_id": w["terminal_id"], "password": demo_terminal_password(w["terminal_id"])}).encode()
        async with sem:
            for _ in range(60):
                status, _h, raw = await client.send("POST", "/api/v1/auth/token", body, {"Content-Type": "application/json"})
                if status != 503:
                    break
                await asyncio.sleep(1)
        if status == 200:
            tokens[w["terminal_id"]] = json.loads(raw)["access_token"]
    t0 = time.perf_counter()
    await asyncio.gather(*(one(w) for w in todo))
    if todo:
        print(f"signed in {len(todo)} terminals in {time.perf_counter() - t0:.0f} s", flush=True)
    TOKENS.parent.mkdir(parents=True, exist_ok=True)
    TOKENS.write_text(json.dumps({**cached, **tokens}))
    return tokens


async def run(args) -> dict:
    url = urllib.parse.urlsplit(args.api)
    client = Client(url.hostname or "127.0.0.1", url.port or 80)
    with db.connect() as conn:
        workers = db.rows(conn, """
            SELECT s.terminal_id, ST_X(c.p) AS lon, ST_Y(c.p) AS lat
              FROM staff s JOIN terminal_accounts a ON a.staff_id = s.id AND NOT a.disabled
              JOIN LATERAL (SELECT ST_PointOnSurface(geom) p FROM grids g WHERE g.code = s.grid_code) c ON true
             WHERE s.is_demo AND s.role = 'grid_worker' ORDER BY s.id LIMIT %(n)s""", {"n": args.terminals})
        categories = [r[0] for r in db.tuples(conn, "SELECT code FROM event_categories")]
    tokens = await sign_in(client, workers)
    # a cached token the API no longer takes (the database was rebuilt): sign those in again
    probe = workers[0]
    status, _h, _b = await client.send("GET", "/api/v1/tasks", b"", {"Authorization": f"Bearer {tokens.get(probe['terminal_id'], '')}"})
    if status == 401:
        TOKENS.unlink(missing_ok=True)
        tokens = await sign_in(client, workers)
    workers = [w for w in workers if w["terminal_id"] in tokens]
    photo = make_jpeg(1)
    rnd = random.Random(7)

    lat: dict[str, list[float]] = {"fix": [], "report": [], "report_photo": [], "report_urgent": []}
    shed: dict[str, int] = {k: 0 for k in lat}
    no_retry_after = 0
    other: dict[str, int] = {}
    late: list[float] = []

    def job(kind: str) -> tuple[str, bytes, dict]:
        w = rnd.choice(workers)
        auth = {"Authorization": f"Bearer {tokens[w['terminal_id']]}"}
        gx, gy = wgs84_to_gcj02(w["lon"] + rnd.uniform(-3e-4, 3e-4), w["lat"] + rnd.uniform(-3e-4, 3e-4))
        if kind == "fix":
            body = json.dumps({"datum": "gcj02", "fixes": [{"lon": float(gx), "lat": float(gy), "accuracy_m": 8,
                               "at": dt.datetime.now(TZ).isoformat()}]}).encode()
            return "/api/v1/positions", body, {**auth, "Content-Type": "application/json"}
        fields = {"lon": float(gx), "lat": float(gy), "datum": "gcj02", "category": rnd.choice(categories),
                  "description": "压力测试上报（演示数据）", "priority": 1 if kind == "report_urgent" else 3}
        headers = {**auth, "Idempotency-Key": uuid.uuid4().hex}
        if kind == "report_photo":
            body, ctype = multipart(fields, photo)
            return "/api/v1/reports", body, {**headers, "Content-Type": ctype}
        return "/api/v1/reports", json.dumps(fields).encode(), {**headers, "Content-Type": "application/json"}

    async def one(kind: str, due: float) -> None:
        nonlocal no_retry_after
        late.append(max(0.0, time.perf_counter() - due))
        path, body, headers = job(kind)
        t = time.perf_counter()
        try:
            status, hdrs, _raw = await client.send("POST", path, body, headers)
        except (OSError, asyncio.IncompleteReadError, ValueError) as exc:
            other[f"{kind} {exc.__class__.__name__}"] = other.get(f"{kind} {exc.__class__.__name__}", 0) + 1
            return
        took = (time.perf_counter() - t) * 1000
        if status in (200, 201):
            lat[kind].append(took)
        elif status == 503:
            shed[kind] += 1
            no_retry_after += "retry-after" not in hdrs
        else:
            other[f"{kind} {status}"] = other.get(f"{kind} {status}", 0) + 1

    # the schedule: fixes and reports as two Poisson streams, open loop
    schedule: list[tuple[float, str]] = []
    for rate, kinds in ((args.fixes, ["fix"]), (args.reports, None)):
        t = 0.0
        while rate > 0:
            t += rnd.expovariate(rate)
            if t >= args.seconds:
                break
            draw = rnd.random()
            kind = kinds[0] if kinds else ("report_urgent" if draw < args.urgent_share else
                                           "report_photo" if draw < args.urgent_share + args.photo_share else "report")
            schedule.append((t, kind))
    schedule.sort()
    start = time.perf_counter() + 0.5
    tasks = []
    for offset, kind in schedule:
        due = start + offset
        wait = due - time.perf_counter()
        if wait > 0:
            await asyncio.sleep(wait)
        tasks.append(asyncio.create_task(one(kind, due)))
    await asyncio.gather(*tasks)
    wall = time.perf_counter() - start

    offered = {k: sum(1 for _o, kk in schedule if kk == k) for k in lat}
    result = {"at": dt.datetime.now(TZ).isoformat(timespec="seconds"), "api": args.api, "seconds": args.seconds,
              "wall_s": round(wall, 1), "offered_per_s": round(len(schedule) / args.seconds, 1),
              "connections_opened": client.opened, "client_late_p95_ms": round((pct(late, 95) or 0) * 1000, 1),
              "shed_without_retry_after": no_retry_after, "other": other, "kinds": {}}
    print(f"offered {result['offered_per_s']}/s for {args.seconds:.0f} s; {client.opened} connections opened; "
          f"client late p95 {result['client_late_p95_ms']} ms")
    print(f"{'request':14} {'offered':>7} {'accepted':>8} {'per s':>6} {'shed':>6} {'p50 ms':>7} {'p95 ms':>7} {'p99 ms':>7}")
    for kind, values in lat.items():
        row = {"offered": offered[kind], "accepted": len(values), "accepted_per_s": round(len(values) / args.seconds, 1),
               "shed": shed[kind], "p50_ms": round(pct(values, 50) or 0, 1), "p95_ms": round(pct(values, 95) or 0, 1),
               "p99_ms": round(pct(values, 99) or 0, 1)}
        result["kinds"][kind] = row
        print(f"{kind:14} {row['offered']:>7} {row['accepted']:>8} {row['accepted_per_s']:>6} {row['shed']:>6} "
              f"{row['p50_ms']:>7} {row['p95_ms']:>7} {row['p99_ms']:>7}")
    every = [v for vs in lat.values() for v in vs]
    result["accepted_p95_ms"] = round(pct(every, 95) or 0, 1)
    print(f"accepted requests p95 {result['accepted_p95_ms']} ms; shed without Retry-After {no_retry_after}; "
          f"other {other or 'none'}")
    return result


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--api", default="http://127.0.0.1:8501", help="the proxy (./run.sh) or the API's own port")
    ap.add_argument("--terminals", type=int, default=1700)
    ap.add_argument("--fixes", type=float, default=500.0, help="GPS fixes per second (3× the seed's 168)")
    ap.add_argument("--reports", type=float, default=30.0, help="reports per second (3× the seed's 10)")
    ap.add_argument("--photo-share", type=float, default=0.2, help="share of reports sent with a photo")
    ap.add_argument("--urgent-share", type=float, default=0.05, help="share of reports that are 特急 (never shed)")
    ap.add_argument("--seconds", type=float, default=60.0)
    ap.add_argument("--out", default=str(ROOT / "bench" / "results" / "overload.json"))
    args = ap.parse_args()
    result = asyncio.run(run(args))
    save_json(args.out, result)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
