"""Early warning per grid (铁脚板, issue 32): trouble that is building, found before it becomes a 特急.
A scheduled job (`python -m loaders warn --every S`, scripts/serve.sh) runs `run()` as the narrow role
jy_warn and keeps its findings in `early_warnings`; the town and city pages and 调度台 list them.

Three detectors, each over the events (never drills) up to the moment of the run:

- **Emerging hot spots** per grid and category class: Getis-Ord Gi* (PySAL esda, star: the grid with
  its Queen-contiguous neighbours, binary weights, analytic z) of the events in each of the last
  `weeks` weekly bins, then the Mann-Kendall trend test (pymannkendall) of the grid's z over the bins,
  classified as ArcGIS Pro's emerging hot spot analysis classifies them: new, consecutive,
  intensifying, persistent, sporadic, oscillating (diminishing and historical are not warnings: the
  spot is cooling). A bin is hot (cold) when its Gi* is positive (negative) and significant with the
  false discovery rate held at `alpha` over the county's grids (Benjamini-Hochberg, esda.fdr), as
  Esri's tool does by default — 1,123 grids tested at once would otherwise give dozens of chance hot
  spots a week. A warning also needs `min_events` of the class in the grid itself in the latest bin,
  so it always points at events a town can open. Gi* over a
  weekly count is the established space-time method (Esri's tool is Gi* + Mann-Kendall over a space-
  time cube); its weekly bins smooth the weekday rhythm of reporting.
- **Surges** against each grid's own baseline: today's reports so far against the grid's mean of the
  same weekday in the last `baseline_weeks` weeks (blended with its all-days mean, as eight samples
  are few), scaled by the share of a day's reports that arrive by this time of day (the county's own
  hourly profile). A warning when the count is at least `surge_min` and Poisson-improbable
  (P(X ≥ k) < `surge_p`).
- **Repeat places**: the same category `repeat_n` or more times within `repeat_m` metres (DBSCAN on
  EPSG:4549 metres, PostGIS ST_ClusterDBSCAN) in the last `repeat_days` days.

The warnings are measured, not asserted: bench/warning.py injects an outbreak and reports the delay to
the first warning, and the false-warning rate per 1,000 grid-days on history without one.
"""
from __future__ import annotations

import datetime as dt
import warnings as pywarnings
from dataclasses import dataclass, field
from functools import lru_cache

import numpy as np

from geo import db
from geo.worktime import TZ

KINDS = {"hotspot": "新兴热点", "surge": "突增", "repeat": "重复发生"}
PATTERNS = {"new": "新热点", "consecutive": "连续热点", "intensifying": "加强热点", "persistent": "持续热点",
            "sporadic": "零星热点", "oscillating": "振荡热点"}
LEVELS = {1: "关注", 2: "预警", 3: "警报"}
PATTERN_LEVEL = {"new": 2, "consecutive": 2, "intensifying": 3, "persistent": 1, "sporadic": 1, "oscillating": 1}


@dataclass(frozen=True)
class Params:
    weeks: int = 8                 # weekly bins of the hot-spot analysis (the latest ends now)
    alpha: float = 0.05            # a bin is hot (cold) when its Gi* is significant at this false discovery rate
    min_events: int = 3            # events of the class in the grid itself in the latest bin
    baseline_weeks: int = 8        # a grid's own history for its surge baseline
    surge_min: int = 4
    surge_p: float = 1e-4
    repeat_m: float = 50.0
    repeat_n: int = 3
    repeat_days: int = 30


PARAMS = Params()


@dataclass
class Finding:
    kind: str
    level: int
    grid_code: str
    village_code: str
    town_code: str
    window_start: dt.date
    window_end: dt.date
    reason: str
    event_ids: list[int]
    key: str
    pattern: str | None = None
    category_class: str | None = None
    category_code: str | None = None
    score: float | None = None
    extra: dict = field(default_factory=dict)


def _local(now: dt.datetime) -> dt.datetime:
    return now.astimezone(TZ)


def _midnight(day: dt.date) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(0), TZ)


_GRIDS = """SELECT code, name, village_code, town_code, ST_AsBinary(geom) AS wkb FROM grids
             WHERE level = 3 AND kind = 'admin' ORDER BY code"""


@lru_cache(maxsize=2)
def _weights(codes: tuple[str, ...], wkbs: tuple[bytes, ...]):
    """Queen contiguity of the grids (cached: the grids change by import only)."""
    import geopandas as gpd
    import shapely
    from libpysal.weights import Queen

    frame = gpd.GeoDataFrame({"code": list(codes)}, geometry=shapely.from_wkb(list(wkbs)))
    with pywarnings.catch_warnings():          # islands (a grid with no neighbour) are allowed: star counts itself
        pywarnings.simplefilter("ignore")
        return Queen.from_dataframe(frame, use_index=False)


def _grids(conn) -> tuple[list[dict], object]:
    rows = db.rows(conn, _GRIDS)
    w = _weights(tuple(r["code"] for r in rows), tuple(bytes(r["wkb"]) for r in rows))
    return rows, w


_CLASS_BINS = """
SELECT e.grid_code, c.class_code, (%(end)s::date - (e.reported_at AT TIME ZONE 'Asia/Shanghai')::date) / 7 AS bin,
       count(*)::int AS n
  FROM events e JOIN event_categories c ON c.code = e.category_code
 WHERE e.reported_at >= %(t0)s AND e.reported_at < %(now)s AND NOT e.is_drill AND e.grid_code IS NOT NULL
 GROUP BY 1, 2, 3"""
_CLASS_EVENTS = """
SELECT e.grid_code, c.class_code, array_agg(e.id ORDER BY e.reported_at) AS ids
  FROM events e JOIN event_categories c ON c.code = e.category_code
 WHERE e.reported_at >= %(t0)s AND e.reported_at < %(now)s AND NOT e.is_drill AND e.grid_code = ANY (%(grids)s)
 GROUP BY 1, 2"""


def classify(z: np.ndarray, hot: np.ndarray, cold: np.ndarray) -> tuple[str | None, float | None]:
    """The emerging-hot-spot pattern of one grid over the bins (oldest first: its Gi* z and which bins
    were significantly hot or cold), or None when the latest bin is not hot or the spot is cooling;
    with the Mann-Kendall p of the trend of z."""
    import pymannkendall as mk

    if not hot[-1]:
        return None, None
    n = len(z)
    share = hot.sum() / n
    trend = mk.original_test(z) if np.ptp(z) > 0 else None
    p = float(trend.p) if trend is not None else None
    if share >= 0.9:
        if trend is not None and trend.trend == "increasing":
            return "intensifying", p
        if trend is not None and trend.trend == "decreasing":
            return None, p                                  # diminishing: cooling, not a warning
        return "persistent", p
    if hot.sum() == 1:
        return "new", p
    run = n - 1
    while run > 0 and hot[run - 1]:
        run -= 1
    if not hot[:run].any():
        return "consecutive", p
    if cold.any():
        return "oscillating", p
    return "sporadic", p


def _pattern_text(pattern: str, hot: np.ndarray, weeks: int) -> str:
    n_hot = int(hot.sum())
    run = 0
    for v in hot[::-1]:
        if not v:
            break
        run += 1
    return {"new": f"此前{weeks - 1}周从未形成热点，本周首次出现",
            "consecutive": f"已连续{run}周为热点",
            "intensifying": f"近{weeks}周中{n_hot}周为热点，且聚集逐周加剧（趋势检验显著）",
            "persistent": f"近{weeks}周中{n_hot}周为热点，持续存在",
            "sporadic": f"时有时无：近{weeks}周中{n_hot}周为热点",
            "oscillating": "冷热交替：曾为冷点，本周转为热点"}[pattern]


def hotspots(conn, now: dt.datetime, p: Params = PARAMS) -> list[Finding]:
    from esda import fdr
    from esda.getisord import G_Local
    from scipy.stats import norm

    today = _local(now).date()
    t0 = _midnight(today - dt.timedelta(days=7 * p.weeks - 1))
    grids, w = _grids(conn)
    index = {g["code"]: i for i, g in enumerate(grids)}
    classes = {r["class_code"]: r["class_name"] for r in
               db.rows(conn, "SELECT DISTINCT class_code, class_name FROM event_categories")}
    counts: dict[str, np.ndarray] = {}
    for r in db.rows(conn, _CLASS_BINS, {"end": today, "t0": t0, "now": now}):
        i = index.get(r["grid_code"])
        if i is None or r["bin"] >= p.weeks:
            continue
        m = counts.setdefault(r["class_code"], np.zeros((len(grids), p.weeks)))
        m[i, p.weeks - 1 - r["bin"]] += r["n"]          # columns oldest first
    found: list[tuple[str, int, str, np.ndarray, np.ndarray, float | None]] = []
    for cls, m in counts.items():
        z = np.zeros_like(m)
        sig = np.zeros(m.shape, dtype=bool)
        for b in range(p.weeks):
            if m[:, b].sum() > 0:
                z[:, b] = G_Local(m[:, b], w, star=True, permutations=0, transform="B").Zs
                pv = 2 * norm.sf(np.abs(z[:, b]))
                sig[:, b] = pv <= fdr(pv, p.alpha)
        hot, cold = sig & (z > 0), sig & (z < 0)
        for k in np.flatnonzero(hot[:, -1] & (m[:, -1] >= p.min_events)):
            pattern, mk_p = classify(z[k], hot[k], cold[k])
            if pattern:
                found.append((cls, int(k), pattern, z[k], hot[k], mk_p))
    if not found:
        return []
    week0 = today - dt.timedelta(days=6)
    ids = {(r["grid_code"], r["class_code"]): r["ids"] for r in db.rows(conn, _CLASS_EVENTS, {
        "t0": _midnight(week0), "now": now, "grids": sorted({grids[i]["code"] for _, i, _, _, _, _ in found})})}
    iso = today.isocalendar()
    out = []
    for cls, i, pattern, z, hot_i, mk_p in found:
        g = grids[i]
        events = ids.get((g["code"], cls), [])
        reason = (f"{g['name']}及周边网格“{classes.get(cls, cls)}”类事件聚集（聚集指数 {z[-1]:.1f}），"
                  f"本周（近7天）{len(events)}件；{_pattern_text(pattern, hot_i, p.weeks)}。")
        out.append(Finding("hotspot", PATTERN_LEVEL[pattern], g["code"], g["village_code"], g["town_code"],
                           week0, today, reason[:500], events, f"hotspot|{cls}|{g['code']}|{iso.year}-W{iso.week:02d}",
                           pattern=pattern, category_class=cls, score=float(z[-1]), extra={"trend_p": mk_p}))
    return out


_PROFILE = """
SELECT extract(hour FROM e.reported_at AT TIME ZONE 'Asia/Shanghai')::int AS h, count(*)::int AS n
  FROM events e WHERE e.reported_at >= %(t0)s AND e.reported_at < %(today)s AND NOT e.is_drill GROUP BY 1"""
_BASELINE = """
SELECT e.grid_code,
       count(*) FILTER (WHERE extract(isodow FROM e.reported_at AT TIME ZONE 'Asia/Shanghai') = %(dow)s)::int AS same_day,
       count(*)::int AS all_days
  FROM events e
 WHERE e.reported_at >= %(t0)s AND e.reported_at < %(today)s AND NOT e.is_drill AND e.grid_code IS NOT NULL
 GROUP BY 1"""
_TODAY = """
SELECT e.grid_code, g.name, g.village_code, g.town_code, count(*)::int AS n, array_agg(e.id ORDER BY e.id) AS ids
  FROM events e JOIN grids g ON g.code = e.grid_code
 WHERE e.reported_at >= %(today)s AND e.reported_at < %(now)s AND NOT e.is_drill
 GROUP BY 1, 2, 3, 4 HAVING count(*) >= %(min)s"""


def elapsed_share(profile: dict[int, int], local: dt.datetime) -> float:
    """Of a day's reports, the share that has usually arrived by this time of day (at least 5 %)."""
    total = sum(profile.values())
    if not total:
        return max(0.05, (local.hour + local.minute / 60) / 24)
    done = sum(n for h, n in profile.items() if h < local.hour) + profile.get(local.hour, 0) * local.minute / 60
    return max(0.05, done / total)


def surges(conn, now: dt.datetime, p: Params = PARAMS) -> list[Finding]:
    from scipy.stats import poisson

    local = _local(now)
    today = _midnight(local.date())
    days = 7 * p.baseline_weeks
    t0 = today - dt.timedelta(days=days)
    busy = db.rows(conn, _TODAY, {"today": today, "now": now, "min": p.surge_min})
    if not busy:
        return []
    share = elapsed_share({r["h"]: r["n"] for r in db.rows(conn, _PROFILE, {"t0": t0, "today": today})}, local)
    base = {r["grid_code"]: r for r in db.rows(conn, _BASELINE, {"t0": t0, "today": today, "dow": local.isoweekday()})}
    out = []
    for r in busy:
        b = base.get(r["grid_code"], {"same_day": 0, "all_days": 0})
        daily = 0.5 * b["same_day"] / p.baseline_weeks + 0.5 * b["all_days"] / days
        expected = max(daily, 1.0 / days) * share
        prob = float(poisson.sf(r["n"] - 1, expected))
        if prob >= p.surge_p:
            continue
        reason = (f"{r['name']}今日截至{local:%H:%M}已上报{r['n']}件，按该网格近{p.baseline_weeks}周同期水平预计约"
                  f"{expected:.1f}件（偶然出现的概率{'不到百万分之一' if prob < 1e-6 else '不到万分之一'}）。")
        out.append(Finding("surge", 3 if prob < 1e-7 else 2, r["grid_code"], r["village_code"], r["town_code"],
                           local.date(), local.date(), reason, list(r["ids"]), f"surge|{r['grid_code']}|{local.date()}",
                           score=prob, extra={"expected": expected}))
    return out


_REPEATS = """
WITH e AS (
    SELECT e.id, e.category_code, e.grid_code, ST_Transform(e.location, 4549) AS m
      FROM events e
     WHERE e.reported_at >= %(t0)s AND e.reported_at < %(now)s AND NOT e.is_drill AND e.grid_code IS NOT NULL
), c AS (
    SELECT e.*, ST_ClusterDBSCAN(e.m, eps := %(eps)s, minpoints := %(n)s) OVER (PARTITION BY e.category_code) AS cid
      FROM e
)
SELECT c.category_code, k.name AS category, array_agg(c.id ORDER BY c.id) AS ids,
       mode() WITHIN GROUP (ORDER BY c.grid_code) AS grid_code,
       ST_MaxDistance(ST_Collect(c.m), ST_Collect(c.m)) AS span_m
  FROM c JOIN event_categories k ON k.code = c.category_code
 WHERE c.cid IS NOT NULL
 GROUP BY c.category_code, k.name, c.cid"""


def repeats(conn, now: dt.datetime, p: Params = PARAMS) -> list[Finding]:
    today = _local(now).date()
    t0 = _midnight(today - dt.timedelta(days=p.repeat_days - 1))
    rows = db.rows(conn, _REPEATS, {"t0": t0, "now": now, "eps": p.repeat_m, "n": p.repeat_n})
    if not rows:
        return []
    names = {g["code"]: g for g in db.rows(conn, "SELECT code, name, village_code, town_code FROM grids "
                                                 "WHERE code = ANY (%(c)s)", {"c": [r["grid_code"] for r in rows]})}
    out = []
    for r in rows:
        g = names[r["grid_code"]]
        n = len(r["ids"])
        reason = (f"{g['name']}同一地点（{p.repeat_m:.0f}米内）近{p.repeat_days}天发生{n}次“{r['category']}”，"
                  f"请排查根源。")
        out.append(Finding("repeat", 2 if n >= 5 else 1, g["code"], g["village_code"], g["town_code"],
                           t0.date(), today, reason, list(r["ids"]), f"repeat|{r['category_code']}|{r['ids'][0]}",
                           category_code=r["category_code"], score=float(n)))
    return out


def detect(conn, now: dt.datetime | None = None, p: Params = PARAMS) -> list[Finding]:
    """Every warning that holds at `now` (nothing written)."""
    now = now or dt.datetime.now(dt.timezone.utc)
    return hotspots(conn, now, p) + surges(conn, now, p) + repeats(conn, now, p)


_UPSERT = """
INSERT INTO early_warnings (key, kind, pattern, level, grid_code, village_code, town_code, category_class,
                            category_code, window_start, window_end, score, reason, event_ids, detected_at, updated_at)
VALUES (%(key)s, %(kind)s, %(pattern)s, %(level)s, %(grid_code)s, %(village_code)s, %(town_code)s, %(category_class)s,
        %(category_code)s, %(window_start)s, %(window_end)s, %(score)s, %(reason)s, %(event_ids)s, %(now)s, %(now)s)
ON CONFLICT (key) DO UPDATE SET pattern = EXCLUDED.pattern, level = EXCLUDED.level, score = EXCLUDED.score,
       reason = EXCLUDED.reason, event_ids = EXCLUDED.event_ids, window_end = EXCLUDED.window_end,
       updated_at = EXCLUDED.updated_at
 WHERE (early_warnings.pattern, early_warnings.level, early_warnings.event_ids)
       IS DISTINCT FROM (EXCLUDED.pattern, EXCLUDED.level, EXCLUDED.event_ids)"""


def run(conn, now: dt.datetime | None = None, p: Params = PARAMS) -> dict[str, int]:
    """Detect and keep (one transaction, the caller's): {kind: warnings that hold now}."""
    now = now or dt.datetime.now(dt.timezone.utc)
    found = detect(conn, now, p)
    if found:
        with conn.cursor() as cur:
            cur.executemany(_UPSERT, [{**w.__dict__, "now": now} for w in found])
    return {k: sum(w.kind == k for w in found) for k in KINDS}


def listing(pool, days: int = 7, limit: int = 200) -> list[dict]:
    """The warnings of the last `days` local days the viewer's scope may see, newest and highest first."""
    return db.rows(pool, """
        SELECT w.id, w.kind, w.pattern, w.level, w.grid_code, g.name AS grid_name, w.village_code, w.town_code,
               t.name AS town_name, v.name AS village_name, w.reason, cardinality(w.event_ids) AS events,
               w.event_ids, w.window_end, w.updated_at,
               ST_X(ST_PointOnSurface(g.geom)) AS lon, ST_Y(ST_PointOnSurface(g.geom)) AS lat
          FROM early_warnings w
          JOIN grids g ON g.code = w.grid_code
          LEFT JOIN grids v ON v.code = w.village_code
          LEFT JOIN grids t ON t.code = w.town_code
         WHERE w.window_end >= (now() AT TIME ZONE 'Asia/Shanghai')::date - %(days)s
         ORDER BY w.window_end DESC, w.level DESC, w.updated_at DESC
         LIMIT %(limit)s""", {"days": days, "limit": limit})
