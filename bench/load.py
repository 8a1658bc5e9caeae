"""Many users at once against a running dashboard, over Streamlit's own websocket protocol (what a
browser does, minus drawing): each session signs in with the cookie a real browser got, opens its
page and reruns it. Replaces bench/sessions.py (which measured AppTest processes, not a server).

    ./run.sh &                                   # the real server (through the proxy when there is one)
    .venv/bin/python bench/load.py open --sessions 50                    # the Monday meeting: 50 open the city page
    .venv/bin/python bench/load.py ramp --steps 1,10,20,50,100           # where the knee is
    .venv/bin/python bench/load.py mix --walls 20 --leaders 17 --dispatchers 10 --others 253 --minutes 30

`open`: N sessions open one page at the same moment, then (when all have it) each reruns it --runs times.
`mix`:  long-lived sessions: walls rerun every JY_WALL_REFRESH_S (30 s), the others idle, and
        leaders and dispatchers click (a rerun with another town or filter) --clicks per second in
        all; the server's memory (RSS of every streamlit process) is sampled each minute.
Prints p50/p95 of first loads and reruns and the errors (an exception shown on the page counts), and for
`open`/`ramp` the server time per run: CPU ms of the Streamlit processes and of PostgreSQL's backends;
writes bench/results/load-<mode>.json. Accounts come from .local/demo_accounts.txt.
"""
from __future__ import annotations

import argparse
import asyncio
import json
import random
import statistics
import subprocess
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import websockets  # noqa: E402
from streamlit.proto.BackMsg_pb2 import BackMsg  # noqa: E402
from streamlit.proto.ForwardMsg_pb2 import ForwardMsg  # noqa: E402

from bench.common import ROOT, demo_login, save_json  # noqa: E402

WEB_PROCESS = "dashboard/app.py"  # in the command line of every dashboard worker (python -m dashboard.serve run …)
STICKY_COOKIE = "JYWEB"          # scripts/serve.sh: HAProxy's cookie naming a session's worker
ROLES = {"wall": ("wall", "wall"), "leader": ("nanzha_leader", "town"), "dispatcher": ("dispatcher", "dispatch"),
         "commander": ("commander", "")}


def cookies_for(base: str, user: str, password: str) -> str:
    """Sign in once in headless Chromium; the cookies a signed-in browser then sends."""
    from playwright.sync_api import sync_playwright

    from tests.browser import CHROMIUM_ARGS, chromium_path, sign_in

    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=chromium_path(), args=CHROMIUM_ARGS, headless=True)
        ctx = b.new_context()
        page = ctx.new_page()
        page.goto(base, wait_until="domcontentloaded")
        sign_in(page, user, password)
        page.wait_for_timeout(2000)
        # Not the proxy's sticky cookie: fifty people at a meeting are fifty browsers, each sent to a
        # worker of its own by HAProxy (with it, every session of a run stuck to the first worker).
        jar = "; ".join(f"{c['name']}={c['value']}" for c in ctx.cookies() if c["name"] != STICKY_COOKIE)
        b.close()
    return jar


class Session:
    """One browser tab: a websocket, page runs on demand."""

    def __init__(self, url: str, cookie: str, page: str, query: str, out: dict):
        self.url, self.cookie, self.page, self.query, self.out = url, cookie, page, query, out
        self.ws = None
        self.runs = 0
        self.busy = asyncio.Lock()       # one run at a time per tab, like a browser's

    async def open(self):
        self.ws = await websockets.connect(self.url, subprotocols=["streamlit"], max_size=None, open_timeout=120,
                                           additional_headers={"Cookie": self.cookie}, ping_interval=None)

    async def run(self, query: str | None = None, page: str | None = None) -> None:
        async with self.busy:
            await self._run(query, page)

    async def _run(self, query: str | None, page: str | None) -> None:
        bm = BackMsg()
        bm.rerun_script.query_string = self.query if query is None else query
        bm.rerun_script.page_name = self.page if page is None else page
        t = time.perf_counter()
        n, err = 0, None
        try:
            await self.ws.send(bm.SerializeToString())
            while True:
                m = await asyncio.wait_for(self.ws.recv(), timeout=180)
                n += len(m)
                fm = ForwardMsg()
                fm.ParseFromString(m)
                kind = fm.WhichOneof("type")
                if kind == "delta" and fm.delta.WhichOneof("type") == "new_element" \
                        and fm.delta.new_element.WhichOneof("type") == "exception":
                    err = fm.delta.new_element.exception.message[:160]
                if kind == "script_finished":
                    break
        except (asyncio.TimeoutError, websockets.ConnectionClosed, websockets.exceptions.ConcurrencyError) as exc:
            err = f"{exc.__class__.__name__}: {exc}"[:160]
        took = time.perf_counter() - t
        self.out["first" if self.runs == 0 else "rerun"].append(took)
        if self.runs == 0:
            self.out["bytes"].append(n)
        self.runs += 1
        if err:
            self.out["errors"].append(err)

    async def close(self):
        if self.ws is not None:
            await self.ws.close()


def pct(xs: list[float], p: float) -> int | None:
    xs = sorted(xs)
    return round(xs[min(len(xs) - 1, int(p * (len(xs) - 1)))] * 1000) if xs else None


def summary(out: dict, **extra) -> dict:
    return {**extra, "first_p50_ms": pct(out["first"], .5), "first_p95_ms": pct(out["first"], .95),
            "rerun_p50_ms": pct(out["rerun"], .5), "rerun_p95_ms": pct(out["rerun"], .95),
            "runs": len(out["first"]) + len(out["rerun"]),
            "kb_first_load": round(statistics.mean(out["bytes"]) / 1024) if out["bytes"] else None,
            "errors": len(out["errors"]), "first_error": out["errors"][:1]}


def cpu_seconds(marker: str) -> float:
    """CPU time (user + system) used so far by every process whose command line contains `marker`."""
    import os
    tick = os.sysconf("SC_CLK_TCK")
    total = 0
    for pid in filter(str.isdigit, os.listdir("/proc")):
        try:
            with open(f"/proc/{pid}/cmdline", "rb") as f:
                if marker.encode() not in f.read().replace(b"\0", b" "):
                    continue
            with open(f"/proc/{pid}/stat") as f:
                fields = f.read().rsplit(")", 1)[1].split()
            total += int(fields[11]) + int(fields[12])      # utime, stime (fields 14 and 15 of stat)
        except (FileNotFoundError, ProcessLookupError, IndexError):
            continue
    return total / tick


def server_rss_mb() -> float:
    """Resident memory of every dashboard process on this machine (MB)."""
    ps = subprocess.run(["ps", "-eo", "rss,args"], capture_output=True, text=True).stdout.splitlines()[1:]
    return round(sum(int(line.split(None, 1)[0]) for line in ps if WEB_PROCESS in line) / 1024, 1)


async def open_at_once(url: str, jar: str, page: str, query: str, sessions: int, runs: int) -> dict:
    out: dict = {"first": [], "rerun": [], "bytes": [], "errors": []}
    tabs = [Session(url, jar, page, query, out) for _ in range(sessions)]
    await asyncio.gather(*(t.open() for t in tabs))
    t0 = time.perf_counter()
    marks = [(cpu_seconds(WEB_PROCESS), cpu_seconds("postgres: "))]

    async def reruns(t: Session):
        for _ in range(runs):
            await t.run()
    # all first loads at once; then, when every tab has its page, all reruns at once
    await asyncio.gather(*(t.run() for t in tabs))
    marks.append((cpu_seconds(WEB_PROCESS), cpu_seconds("postgres: ")))
    await asyncio.gather(*(reruns(t) for t in tabs))
    marks.append((cpu_seconds(WEB_PROCESS), cpu_seconds("postgres: ")))
    wall = time.perf_counter() - t0
    n = len(out["first"]) + len(out["rerun"])

    def per_run(phase: int, which: int, count: int) -> float | None:
        # server time per page run: CPU of the dashboard processes (which=0) or of PostgreSQL's backends
        # (which=1; the live feed uses them too) over the phase's runs, on this machine
        return round((marks[phase + 1][which] - marks[phase][which]) / count * 1000, 1) if count else None
    await asyncio.gather(*(t.close() for t in tabs))
    return summary(out, sessions=sessions, page=page or "city", wall_s=round(wall, 1), runs_per_s=round(n / wall, 1),
                   web_cpu_ms_first=per_run(0, 0, len(out["first"])), web_cpu_ms_rerun=per_run(1, 0, len(out["rerun"])),
                   db_cpu_ms_first=per_run(0, 1, len(out["first"])), db_cpu_ms_rerun=per_run(1, 1, len(out["rerun"])))


async def mix(url: str, jars: dict, args) -> dict:
    out: dict = {"first": [], "rerun": [], "bytes": [], "errors": []}
    rnd = random.Random(11)
    towns = [f"320281{n:03d}" for n in range(1, 18)]
    plan = ([("wall", "wall", "")] * args.walls + [("leader", "town", "")] * args.leaders
            + [("dispatcher", "dispatch", "")] * args.dispatchers + [("commander", "", "")] * args.others)
    tabs = [(role, Session(url, jars[role], page, query, out)) for role, page, query in plan]
    for i in range(0, len(tabs), 25):                         # open in waves of 25, as people arrive
        await asyncio.gather(*(t.open() for _, t in tabs[i:i + 25]))
        await asyncio.gather(*(t.run() for _, t in tabs[i:i + 25]))
    memory = [(0, server_rss_mb())]
    stop = time.perf_counter() + args.minutes * 60
    clickers = [t for role, t in tabs if role in ("leader", "dispatcher")] or [t for _, t in tabs]

    async def wall_loop(t: Session):
        while time.perf_counter() < stop:
            await asyncio.sleep(args.wall_every * rnd.uniform(0.9, 1.1))
            await t.run()

    async def clicks():
        while time.perf_counter() < stop:
            await asyncio.sleep(rnd.expovariate(args.clicks))
            t = rnd.choice(clickers)
            query = f"days={rnd.choice([7, 30, 90])}" if t.page != "town" else f"town={rnd.choice(towns)}"
            asyncio.ensure_future(t.run(query=query))

    async def sample():
        start = time.perf_counter()
        while time.perf_counter() < stop:
            await asyncio.sleep(60)
            memory.append((round((time.perf_counter() - start) / 60), server_rss_mb()))
    await asyncio.gather(*(wall_loop(t) for role, t in tabs if role == "wall"), clicks(), sample())
    await asyncio.sleep(5)
    await asyncio.gather(*(t.close() for _, t in tabs))
    return summary(out, sessions=len(tabs), minutes=args.minutes, clicks_per_s=args.clicks,
                   memory_mb_by_minute=memory)


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("mode", choices=["open", "ramp", "mix"])
    ap.add_argument("--base", default="http://localhost:8501")
    ap.add_argument("--role", default="commander", choices=list(ROLES), help="open/ramp: who opens the page")
    ap.add_argument("--page", help="page to open (default: the role's landing page)")
    ap.add_argument("--query", default="")
    ap.add_argument("--accounts", help="demo accounts file of the served database (default .local/demo_accounts.txt)")
    ap.add_argument("--sessions", type=int, default=50)
    ap.add_argument("--runs", type=int, default=2)
    ap.add_argument("--steps", default="1,10,20,50,100")
    ap.add_argument("--walls", type=int, default=20)
    ap.add_argument("--leaders", type=int, default=17)
    ap.add_argument("--dispatchers", type=int, default=10)
    ap.add_argument("--others", type=int, default=253)
    ap.add_argument("--clicks", type=float, default=2.0, help="mix: clicks per second over all leaders and dispatchers")
    ap.add_argument("--wall-every", type=float, default=30.0)
    ap.add_argument("--minutes", type=float, default=30.0)
    args = ap.parse_args()
    url = args.base.replace("http", "ws", 1).rstrip("/") + "/_stcore/stream"
    if args.mode == "mix":
        jars = {role: cookies_for(args.base, *demo_login(user, args.accounts)) for role, (user, _) in ROLES.items()}
        result = asyncio.run(mix(url, jars, args))
        results = [result]
    else:
        user, landing = ROLES[args.role]
        jar = cookies_for(args.base, *demo_login(user, args.accounts))
        page = landing if args.page is None else args.page
        counts = [args.sessions] if args.mode == "open" else [int(s) for s in args.steps.split(",")]
        results = []
        for n in counts:
            results.append(asyncio.run(open_at_once(url, jar, page, args.query, n, args.runs)))
            print(json.dumps(results[-1], ensure_ascii=False), flush=True)
    if args.mode == "mix":
        print(json.dumps(results[0], ensure_ascii=False))
    save_json(ROOT / "bench" / "results" / f"load-{args.mode}.json",
              {"at": time.strftime("%Y-%m-%d %H:%M"), "base": args.base, "results": results})
    return 0 if all(r["errors"] == 0 for r in results) else 1


if __name__ == "__main__":
    raise SystemExit(main())
