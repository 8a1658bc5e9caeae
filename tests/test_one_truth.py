"""One truth (issue 12): every figure computed as each page, ranking and export shows it equals the
catalogue's value (geo/metrics.py), and the rows behind a figure's click number exactly the figure.
Runs as the dashboard's role (jy_app, row-level security) in each viewer's scope."""
from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from geo import db, evaluation, events, metrics, overview
from geo.access import ScopedPool
from geo.scope import Scope
from geo.worktime import TZ
from tests.fixtures import app_url_for, scope_viewer, signed_in, viewer

APP = str(Path(__file__).resolve().parent.parent / "dashboard" / "app.py")
KEYS = ("reports_today", "open", "overdue", "closed", "closed_on_time", "on_time_rate", "mean_close_hours")


@pytest.fixture(scope="module")
def app_pool(demo_url):
    pool = db.make_pool(app_url_for(demo_url), max_size=4)
    pool.owner_url = demo_url          # where scoped() opens its sessions
    yield pool
    pool.close()


def scoped(pool, scope: Scope) -> ScopedPool:
    return ScopedPool(pool, scope_viewer(pool.owner_url, scope))


def close(a, b) -> bool:
    if a is None or b is None:
        return a is b
    return abs(float(a) - float(b)) < 1e-9


def from_ranking(r: dict) -> dict:
    return {"reports_today": r["reports_today"], "open": r["open"], "overdue": r["overdue"],
            "closed": r["closed"], "closed_on_time": r["closed_on_time"], "on_time_rate": r["on_time_rate"],
            "mean_close_hours": metrics.mean_hours(r["close_seconds"], r["closed"])}


def from_kpis(k: overview.Kpis) -> dict:
    return {key: k.value(key) for key in KEYS}


def from_area(f: dict) -> dict:
    return {"reports_today": f["reports_today"], "open": f["open"], "overdue": f["overdue"],
            "closed": f["closed_period"], "closed_on_time": f["closed_on_time"], "on_time_rate": f["on_time_rate"]}


def from_evaluation(r: dict) -> dict:
    return {"open": r["open"], "overdue": r["overdue"], "closed": r["closed"], "closed_on_time": r["closed_on_time"],
            "on_time_rate": r["on_time_rate"], "mean_close_hours": r["mean_close_hours"]}


def assert_same(a: dict, b: dict, what: str) -> None:
    for key in a.keys() & b.keys():
        assert close(a[key], b[key]), f"{what}: {key} {a[key]} != {b[key]}"


def test_every_town_agrees_on_every_surface(app_pool):
    """City ranking (map and table), the town leader's city comparison, the town's own KPI row and
    综合评价 (default period = 近30天) give each town the same figures."""
    city = scoped(app_pool, Scope.city())
    today = dt.datetime.now(TZ).date()
    start, end = evaluation.default_period(today)
    by_area = {f["code"]: from_area(f) for f in overview.area_figures(city, Scope.city())}
    by_eval = {r["key"]: from_evaluation(r) for r in evaluation.evaluate(city, Scope.city(), "town", start, end)}
    ranking = overview.town_ranking(city)
    assert len(ranking) == len(by_area) == len(by_eval) == 17
    total = overview.kpis(city, Scope.city())
    assert_same(from_kpis(total), from_kpis(overview.ranking_kpis(ranking)), "city = sum of towns")
    for r in ranking:
        town = r["town_code"]
        own = scoped(app_pool, Scope(town=town))
        k = from_kpis(overview.kpis(own, Scope(town=town)))
        assert_same(k, from_ranking(r), f"town {town} KPI vs ranking")
        assert_same(k, by_area[town], f"town {town} KPI vs city map")
        assert_same(k, by_eval[town], f"town {town} KPI vs 综合评价")
        # what the town's leader sees of the city ranking is the same as the commander's
        assert_same(from_ranking(r), from_ranking(next(x for x in overview.town_ranking(own)
                                                        if x["town_code"] == town)), f"town {town} ranking")


def test_villages_and_grids_agree(app_pool, demo_conn):
    towns = [r[0] for r in demo_conn.execute("SELECT code FROM grids WHERE level = 1 ORDER BY code LIMIT 3")]
    for town in towns:
        tp = scoped(app_pool, Scope(town=town))
        ranking = {r["village_code"]: from_ranking(r) for r in overview.village_ranking(tp, town)}
        area = {f["code"]: from_area(f) for f in overview.area_figures(tp, Scope(town=town))}
        assert ranking.keys() == area.keys()
        for village in sorted(ranking)[:4]:
            vs = Scope(town=town, village=village)
            vp = scoped(app_pool, vs)
            k = from_kpis(overview.kpis(vp, vs))
            assert_same(k, ranking[village], f"village {village} KPI vs village ranking")
            assert_same(k, area[village], f"village {village} KPI vs town map")
            # what village staff see of their town's villages equals the leader's
            assert_same(from_ranking(next(r for r in overview.village_ranking(vp, town)
                                          if r["village_code"] == village)), ranking[village], "staff ranking")
            grids = overview.area_figures(vp, vs)
            for key in ("open", "overdue", "reports_today", "closed_period", "closed_on_time"):
                assert sum(g[key] for g in grids) == area[village][{"closed_period": "closed"}.get(key, key)]


@pytest.mark.parametrize("key", ["reports_today", "open", "overdue", "closed", "on_time_rate"])
def test_a_figure_click_lists_exactly_its_events(app_pool, demo_conn, key):
    """The filter a figure's click puts in the URL lists exactly the events the figure counts, for
    the city, every town and a village (no hidden default period)."""
    village = demo_conn.execute("SELECT code FROM grids WHERE level = 2 ORDER BY code LIMIT 1").fetchone()[0]
    scopes = [Scope.city(), *(Scope(town=r[0]) for r in demo_conn.execute(
        "SELECT code FROM grids WHERE level = 1 ORDER BY code")), Scope(town=village[:9], village=village)]
    params = metrics.drill_params(key)
    days = params["days"]
    flt = events.EventFilter(
        days={"today": 1, "all": None}[days] if days in ("today", "all") else int(days),
        closed_days=int(params["closed"]) if "closed" in params else None,
        open_only=params.get("open") == "1", overdue_only=params.get("overdue") == "1")
    for sc in scopes:
        p = scoped(app_pool, sc)
        k = overview.kpis(p, sc)
        expected = k.closed_period if key == "on_time_rate" else k.value(key)
        rows, total = events.list_events(p, sc, flt, limit=5)
        assert total == expected, (sc, key, total, expected)
        if key == "on_time_rate":   # the rate's numerator among the listed rows
            all_rows, _ = events.list_events(p, sc, flt, limit=100_000)
            assert sum(r["closed_at"] <= r["due_at"] for r in all_rows) == k.closed_on_time


def _page(page: str, who, **params) -> AppTest:
    at = signed_in(AppTest.from_file(APP, default_timeout=90), who)
    at.switch_page(f"views/{page}.py")
    for k, v in params.items():
        at.query_params[k] = v
    return at.run()


def test_town_page_and_evaluation_page_show_the_same_figures(app_db, demo_conn):
    """As the town's leader: the town page's KPI row and 综合评价's row for that town (default
    period) read the same; and clicking 超期事件 lists exactly that many events."""
    town = demo_conn.execute("SELECT code FROM grids WHERE level = 1 ORDER BY code LIMIT 1").fetchone()[0]
    leader = viewer("town_leader", town)
    at = _page("town", leader, town=town)
    assert not at.exception and not at.error
    shown = {m.label: m.value for m in at.metric}
    ev = _page("evaluation", leader)
    assert not ev.exception and not ev.error
    # a town leader's 综合评价 opens per village: every village of the town, summing to the town
    villages = ev.dataframe[0].value
    n_villages = demo_conn.execute("SELECT count(*) FROM grids WHERE level = 2 AND town_code = %s", (town,)).fetchone()[0]
    assert list(villages.columns)[0] == "村社区" and len(villages) == n_villages
    assert f"{int(villages[metrics.label('open')].sum()):,}" == shown[metrics.label("open")]
    assert f"{int(villages[metrics.label('overdue')].sum()):,}" == shown[metrics.label("overdue")]
    ev.radio(key="eval_group").set_value("town").run()
    df = ev.dataframe[0].value
    row = df.iloc[0]
    assert len(df) == 1      # the leader's own town only
    assert shown[metrics.label("on_time_rate")] == f"{row['按期办结率（近30天）']:.1f}%"
    assert shown[metrics.label("open")] == f"{int(row[metrics.label('open')]):,}"
    assert shown[metrics.label("overdue")] == f"{int(row[metrics.label('overdue')]):,}"
    assert shown[metrics.label("mean_close_hours")] == f"{row['平均办结用时（近30天）']:.1f} 小时"
    # the KPI's button opens the list filtered to exactly its events
    overdue = int(shown[metrics.label("overdue")].replace(",", ""))
    at.button(key="town_kpi_overdue").click().run()
    assert at.query_params["overdue"] == "1" and at.query_params["days"] == "all"
    assert any(f"共 {overdue:,} 件符合条件" in c.value for c in at.caption), [c.value for c in at.caption]


def test_village_delta_is_a_difference_from_the_town_average(app_db, demo_conn):
    village = demo_conn.execute("""
        SELECT village_code FROM events WHERE status NOT IN ('closed', 'rejected')
         GROUP BY village_code ORDER BY count(*) DESC, village_code LIMIT 1""").fetchone()[0]
    town = village[:9]
    at = _page("village", viewer("village_staff", town, village), town=town, village=village)
    assert not at.exception and not at.error
    own_open, avg = demo_conn.execute("""
        SELECT count(*) FILTER (WHERE village_code = %(v)s),
               count(*)::float8 / (SELECT count(*) FROM grids WHERE level = 2 AND parent_code = %(t)s)
          FROM events WHERE town_code = %(t)s AND status NOT IN ('closed', 'rejected') AND NOT is_drill""",
                                      {"v": village, "t": town}).fetchone()
    m = next(m for m in at.metric if m.label == metrics.label("open"))
    assert m.value == f"{own_open:,}"
    assert m.delta == f"{own_open - avg:+.1f}（与本镇街村社区平均之差）"
    assert own_open - avg > 0.05      # the busiest village: a real, non-zero difference


def test_open_means_the_same_in_python_and_sql(demo_conn):
    """jy_is_open (every SQL file's definition of an open event) and geo.status agree on every status;
    the queries' open figure uses the partial open index."""
    from geo.status import CLOSED_STATUSES, STATUS_LABELS

    got = dict(demo_conn.execute("SELECT s, jy_is_open(s) FROM unnest(%s::text[]) s", (list(STATUS_LABELS),)).fetchall())
    assert got == {s: s not in CLOSED_STATUSES for s in STATUS_LABELS}
    plan = "\n".join(r[0] for r in demo_conn.execute(
        "EXPLAIN SELECT count(*) FROM events e WHERE jy_is_open(e.status) AND e.due_at < now() AND NOT e.is_drill"))
    assert "events_open_due_idx" in plan
    sql_dir = Path(__file__).resolve().parent.parent / "geo" / "sql"
    assert not [p.name for p in sql_dir.glob("*.sql") if "'rejected'" in p.read_text(encoding="utf-8")]
