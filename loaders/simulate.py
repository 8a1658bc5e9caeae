"""The live demo city (演示数据): demo terminals drive the real HTTP API, so the wall, the town pages
and 调度台 move the way they do when a county is fed from the field.

- Workers patrol: each sends a GPS fix every 30 s (a walk around its grid, as GCJ-02 like a phone),
  and checks in at a place now and then.
- They report events at the county's daily rhythm (busy mornings and afternoons, quiet nights; the
  category mix of the demo), with a generated 处置前 photo.
- They work their tasks: a dispatched task is started, then handled with a 处置后 photo.
- Dispatch rules move the feed's events along as a system actor through geo.workflow (立案, 派遣 to
  the reporting worker, 核查, 结案), one transaction per action, so every log chain stays whole.

Everything it writes is demo data: the reporters are demo staff (events, photos and check-ins carry
their is_demo). It runs only on a demo database. `python -m loaders simulate --speed 10` (./run.sh
starts it when JY_FEED is on); --duration S stops after S seconds, --workers N sets how many terminals.
"""
from __future__ import annotations

import datetime as dt
import logging
import math
import random
import time
from dataclasses import dataclass, field

import requests

from geo import db
from geo.coords import wgs84_to_gcj02
from geo.errors import DataUnavailable, DomainError
from geo.status import CLOSED_STATUSES
from geo.workflow import Actor, act
from loaders.accounts import demo_terminal_password
from loaders.demo.photos import make_jpeg

log = logging.getLogger("jiangyin.simulate")
TZ = dt.timezone(dt.timedelta(hours=8))
FIX_EVERY_S = 30
# Share of a day's reports in each local hour (sums to 1): the terminals' rhythm.
HOURLY = [0.004, 0.003, 0.002, 0.002, 0.003, 0.008, 0.025, 0.055, 0.085, 0.095, 0.09, 0.07,
          0.04, 0.05, 0.075, 0.085, 0.08, 0.065, 0.045, 0.03, 0.02, 0.012, 0.008, 0.006]
REPORTS_PER_DAY = 220          # the demo's 20,000 events over 90 days
DESCRIPTIONS = ("巡查发现", "群众反映", "网格员上报", "日常巡查中发现")
SYSTEM = Actor("演示调度规则", "system", username="simulate")


@dataclass
class Terminal:
    staff_id: int
    terminal_id: str
    grid_code: str
    lon: float              # current position (WGS84), a walk around the grid's centre
    lat: float
    home: tuple[float, float]
    token: str = ""
    next_fix: float = 0.0
    tasks_at: float = 0.0
    pending: dict = field(default_factory=dict)    # event id -> monotonic time to act


_TERMINALS = """
SELECT s.id, s.terminal_id, s.grid_code, ST_X(c.p) AS lon, ST_Y(c.p) AS lat
  FROM staff s JOIN terminal_accounts a ON a.staff_id = s.id AND NOT a.disabled
  JOIN LATERAL (SELECT ST_PointOnSurface(g.geom) AS p FROM grids g WHERE g.code = s.grid_code) c ON true
 WHERE s.is_demo AND s.role = 'grid_worker' AND s.grid_code IS NOT NULL
 ORDER BY md5(s.terminal_id) LIMIT %(n)s
"""


class Feed:
    def __init__(self, api: str, workers: int, speed: float, seed: int = 20261128):
        self.api = api.rstrip("/")
        self.speed = speed
        self.rnd = random.Random(seed)
        self.http = requests.Session()
        self.stats = {"fixes": 0, "reports": 0, "checkins": 0, "task_actions": 0, "dispatch_actions": 0, "errors": 0}
        with db.connect() as conn:
            demo = db.value(conn, "SELECT is_demo FROM dataset_info WHERE id = 1")
            if not demo:
                raise DataUnavailable("the database does not hold demo data: the feed only runs on a demo city",
                                      "数据库中不是演示数据：模拟数据流只在演示库上运行。")
            self.categories = [r[0] for r in db.tuples(conn, "SELECT code FROM event_categories ORDER BY code")]
            rows = db.rows(conn, _TERMINALS, {"n": workers})
        self.terminals = [Terminal(r["id"], r["terminal_id"], r["grid_code"], r["lon"], r["lat"], (r["lon"], r["lat"]))
                          for r in rows]
        if not self.terminals:
            raise DataUnavailable("no demo terminal accounts: run python -m loaders demo (it creates them)",
                                  "没有演示终端账号。")

    # ---------------------------------------------------------------- HTTP
    def _call(self, t: Terminal, method: str, path: str, **kw):
        if not t.token:
            r = self.http.post(f"{self.api}/api/v1/auth/token", timeout=30,
                               json={"terminal_id": t.terminal_id, "password": demo_terminal_password(t.terminal_id)})
            r.raise_for_status()
            t.token = r.json()["access_token"]
        r = self.http.request(method, f"{self.api}{path}", headers={"Authorization": f"Bearer {t.token}"},
                              timeout=60, **kw)
        if r.status_code == 401:            # expired or revoked: sign in again next time
            t.token = ""
        if r.status_code >= 400:
            self.stats["errors"] += 1
            log.warning("%s %s → %s %s", method, path, r.status_code, r.text[:200])
            return None
        return r.json()

    def _walk(self, t: Terminal) -> None:
        """A step of about 20 m, pulled back towards the grid's centre beyond 300 m."""
        ang = self.rnd.uniform(0, 2 * math.pi)
        t.lon += 0.0002 * math.cos(ang)
        t.lat += 0.00018 * math.sin(ang)
        dx, dy = (t.lon - t.home[0]) * 95_000, (t.lat - t.home[1]) * 111_000
        if math.hypot(dx, dy) > 300:
            t.lon, t.lat = t.home[0] + (t.lon - t.home[0]) * 0.5, t.home[1] + (t.lat - t.home[1]) * 0.5

    def _gcj(self, t: Terminal) -> tuple[float, float]:
        x, y = wgs84_to_gcj02(t.lon, t.lat)
        return float(x), float(y)

    # ---------------------------------------------------------------- behaviour
    def fix(self, t: Terminal, now: dt.datetime) -> None:
        self._walk(t)
        lon, lat = self._gcj(t)
        if self._call(t, "POST", "/api/v1/positions", json={"datum": "gcj02", "fixes": [
                {"lon": lon, "lat": lat, "at": now.isoformat(), "accuracy_m": round(self.rnd.uniform(4, 20), 1)}]}):
            self.stats["fixes"] += 1
        if self.rnd.random() < 0.05:
            if self._call(t, "POST", "/api/v1/checkins", json={"lon": lon, "lat": lat, "datum": "gcj02",
                                                               "place": "巡查点", "note": "巡查打卡（演示数据）"}):
                self.stats["checkins"] += 1

    def report(self, t: Terminal, now: dt.datetime) -> None:
        self._walk(t)
        lon, lat = self._gcj(t)
        photo = make_jpeg(self.rnd.randrange(1 << 30), t.lon, t.lat, now.astimezone(TZ).replace(tzinfo=None))
        out = self._call(t, "POST", "/api/v1/reports",
                         data={"lon": str(lon), "lat": str(lat), "datum": "gcj02",
                               "category": self.rnd.choice(self.categories),
                               "description": f"{self.rnd.choice(DESCRIPTIONS)}（演示数据）",
                               "external_id": f"sim-{t.terminal_id}-{time.time_ns()}"},
                         files=[("photos", ("scene.jpg", photo, "image/jpeg"))])
        if out:
            self.stats["reports"] += 1
            t.pending[out["id"]] = time.monotonic() + self.rnd.uniform(20, 90) / self.speed * 10

    def work_tasks(self, t: Terminal) -> None:
        tasks = self._call(t, "GET", "/api/v1/tasks") or []
        for task in tasks:
            if task["status"] == "dispatched":
                act_ = {"action": "start", "version": task["version"]}
                files = None
            elif task["status"] == "in_progress":
                act_ = {"action": "handle", "version": task["version"], "note": "已处置（演示数据）"}
                files = [("photos", ("after.jpg", make_jpeg(self.rnd.randrange(1 << 30), t.lon, t.lat), "image/jpeg"))]
            else:
                continue
            if self._call(t, "POST", f"/api/v1/tasks/{task['id']}/actions",
                          data={k: str(v) for k, v in act_.items()}, files=files):
                self.stats["task_actions"] += 1

    def dispatch_rules(self) -> None:
        """立案 and 派遣 the feed's new reports to their reporter, 核查 and 结案 what they handled."""
        ids = [(t.staff_id, eid) for t in self.terminals for eid, due in list(t.pending.items())
               if due <= time.monotonic()]
        if not ids:
            return
        with db.connect() as conn:
            states = dict(db.tuples(conn, "SELECT id, status FROM events WHERE id = ANY (%(ids)s)",
                                    {"ids": [e for _, e in ids]}))
            for staff, eid in ids:
                step = {"reported": "accept", "accepted": "dispatch", "handled": "verify",
                        "verified": "close"}.get(states.get(eid, ""))
                owner = next(t for t in self.terminals if t.staff_id == staff)
                if states.get(eid) is None or states[eid] in CLOSED_STATUSES:
                    owner.pending.pop(eid, None)
                    continue
                owner.pending[eid] = time.monotonic() + self.rnd.uniform(20, 60) / self.speed * 10
                if step is None:
                    continue
                try:
                    act(conn, eid, step, SYSTEM, staff_id=staff if step == "dispatch" else None)
                    conn.commit()
                    self.stats["dispatch_actions"] += 1
                except DomainError as exc:        # someone else moved it (a dispatcher on the dashboard)
                    conn.rollback()
                    log.info("event %s: %s", eid, exc)

    def wait_for_api(self, timeout_s: float = 120) -> None:
        t0 = time.monotonic()
        while True:
            try:
                if self.http.get(f"{self.api}/api/v1/health", timeout=5).status_code == 200:
                    return
            except requests.RequestException:
                pass
            if time.monotonic() - t0 > timeout_s:
                raise DataUnavailable(f"the API at {self.api} does not answer", "接口服务无响应。")
            time.sleep(1)

    def run(self, duration: float | None = None) -> dict:
        self.wait_for_api()
        start = time.monotonic()
        n = len(self.terminals)
        for i, t in enumerate(self.terminals):       # spread the fixes over the 30 s
            t.next_fix = start + FIX_EVERY_S * i / n
            t.tasks_at = start + 5 + 60 * i / n
        while duration is None or time.monotonic() - start < duration:
            tick = time.monotonic()
            now = dt.datetime.now(TZ)
            # reports this second: the day's total at this hour's share, times the speed-up
            rate = REPORTS_PER_DAY * HOURLY[now.hour] / 3600 * self.speed
            for _ in range(_poisson(self.rnd, rate)):
                self.report(self.rnd.choice(self.terminals), now)
            for t in self.terminals:
                if t.next_fix <= tick:
                    t.next_fix += FIX_EVERY_S
                    self.fix(t, now)
                if t.tasks_at <= tick:
                    t.tasks_at += max(60 / max(self.speed / 10, 1), 10)
                    self.work_tasks(t)
            self.dispatch_rules()
            time.sleep(max(0.0, 1.0 - (time.monotonic() - tick)))
        return self.stats


def _poisson(rnd: random.Random, lam: float) -> int:
    k, p, limit = 0, 1.0, math.exp(-lam)
    while True:
        p *= rnd.random()
        if p <= limit:
            return k
        k += 1
