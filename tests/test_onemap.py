"""一张图 against the real database: the demo keeps the seed's figures, every count of geo/onemap.py
equals SQL over the rows it counts, the social-assistance households reach only the roles allowed to
see them (row-level security), the base-data import is all or nothing, and 考核 recomputed by hand
from one village's inputs gives the page's score."""
from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import psycopg
import pytest
from psycopg import sql

from geo import assessment, metrics, onemap
from geo.access import ScopedPool, Viewer
from geo.db import make_pool
from geo.errors import InvalidInput, NotFound
from geo.roles import ACCOUNT_ROLES
from geo.scope import Scope
from geo.worktime import TZ
from tests.fixtures import app_url_for, with_session

NANZHA = "320281004"


@pytest.fixture(scope="module")
def conn(demo_url):
    with psycopg.connect(demo_url) as c:
        yield c


def scoped(app_pool, demo_url, role: str, town: str | None = None, village: str | None = None) -> ScopedPool:
    v = with_session(demo_url, Viewer(f"t.om.{role[:10]}.{village or town or 'city'}".replace("_", ""), "测试", role,
                                      town, village))
    return ScopedPool(app_pool, v)


def one(conn, q, p=None):
    row = conn.execute(q, p).fetchone()
    return next(iter(row.values())) if isinstance(row, dict) else row[0]   # app pools give dict rows


# ----------------------------------------------------------------------------- the seed's figures

def test_demo_keeps_the_seed_figures(conn):
    assert one(conn, "SELECT count(*) FROM grids WHERE level = 2") == 274
    assert one(conn, "SELECT count(*) FROM grids WHERE level = 2 AND name LIKE '%村'") == 184
    # residents: 户籍 + 流动 of every admin grid is its population, 1.78 M in all
    assert one(conn, "SELECT sum(n) FROM grid_base_counts WHERE category_code IN ('registered', 'floating')") == 1_780_000
    assert one(conn, """SELECT count(*) FROM grids g
                         WHERE g.level = 3 AND g.kind = 'admin' AND g.population IS DISTINCT FROM
                               (SELECT sum(n) FROM grid_base_counts b WHERE b.grid_code = g.code
                                  AND b.category_code IN ('registered', 'floating'))""") == 0
    # 福村宝: the 184 administrative villages, 32.8万人次, 1.95亿元
    assert conn.execute("SELECT count(*), sum(beneficiaries), sum(paid_yuan) FROM mutual_aid_villages").fetchone() \
        == (184, 328_000, 195_000_000)
    assert one(conn, """SELECT count(*) FROM mutual_aid_villages m JOIN grids g ON g.code = m.village_code
                         WHERE g.level = 2 AND g.name LIKE '%村'""") == 184
    # 厂中厂 campaign: 4,217 rectified, 1,300 closed
    counts = dict(conn.execute("SELECT status, count(*) FROM supervised_enterprises GROUP BY 1").fetchall())
    assert counts["rectified"] == 4217 and counts["closed"] == 1300
    # every point layer lies in a grid of the county
    for table in ("service_points", "supervised_enterprises"):
        assert one(conn, sql.SQL("SELECT count(*) FROM {} WHERE grid_code IS NULL").format(sql.Identifier(table))) == 0
    # 8 classes of assistance, all used
    assert one(conn, "SELECT count(DISTINCT class_code) FROM assistance_households") == 8
    assert one(conn, "SELECT is_demo FROM dataset_info")


# ----------------------------------------------------------------------------- counts equal SQL

def test_layer_figures_equal_sql(conn, app_pool, demo_url):
    city = scoped(app_pool, demo_url, "city_commander")
    town = scoped(app_pool, demo_url, "town_leader", NANZHA)
    where = "(%(t)s::text IS NULL OR town_code = %(t)s)"      # the town bound, or every row for the city
    for sp, scope in ((city, Scope.city()), (town, Scope(town=NANZHA))):
        p = {"t": scope.town}

        def n(q: str, p: dict = p) -> int:
            return one(conn, q.replace("{where}", where), p)
        base = {r["code"]: r["n"] for r in onemap.base_summary(sp, scope)}
        sql_base = dict(conn.execute("SELECT category_code, sum(n) FROM grid_base_counts WHERE " + where + " GROUP BY 1",
                                     p).fetchall())
        assert base == {k: sql_base.get(k, 0) for k in base}
        cov = onemap.coverage_figures(onemap.coverage(sp, scope))
        grids = n("SELECT count(*) FROM grids WHERE level = 3 AND {where}")
        today = n("""SELECT count(DISTINCT grid_code) FROM checkins WHERE {where}
                      AND (at AT TIME ZONE 'Asia/Shanghai')::date = (now() AT TIME ZONE 'Asia/Shanghai')::date""")
        week = n("""SELECT count(DISTINCT grid_code) FROM checkins WHERE {where}
                     AND (at AT TIME ZONE 'Asia/Shanghai')::date > (now() AT TIME ZONE 'Asia/Shanghai')::date - 7""")
        assert (cov["grids"], cov["visited_today"], cov["visited_week"]) == (grids, today, week)
        assert cov["coverage_today"] == metrics.rate(today, grids)
        ents = sum(r["n"] for r in onemap.enterprise_counts(sp, scope) if r["status"] == "rectified")
        assert ents == n("SELECT count(*) FROM supervised_enterprises WHERE status = 'rectified' AND {where}")
        assert len(onemap.enterprises(sp, scope)) == n("SELECT count(*) FROM supervised_enterprises WHERE {where}")
        # the county's map marks the enterprises still 整改中, a town's map all of its own
        drawn = onemap.enterprises_on_map(onemap.enterprises(sp, scope), scope)
        assert len(drawn) == (n("SELECT count(*) FROM supervised_enterprises WHERE status = 'rectifying' AND {where}")
                              if scope.town is None else n("SELECT count(*) FROM supervised_enterprises WHERE {where}"))
        assert len(onemap.service_points(sp, scope)) == n("SELECT count(*) FROM service_points WHERE {where}")
        aid = onemap.mutual_aid_figures(onemap.villages(sp, scope))
        assert aid["villages"] == n("SELECT count(*) FROM mutual_aid_villages WHERE {where}")
    # one grid's base data, as the grid page shows it
    grid = one(conn, "SELECT min(grid_code) FROM grid_base_counts WHERE town_code = %s", (NANZHA,))
    rows = {r["code"]: r["n"] for r in onemap.base_summary(town, Scope(town=NANZHA), grid)}
    assert rows == dict(conn.execute("SELECT category_code, n FROM grid_base_counts WHERE grid_code = %s", (grid,)).fetchall())
    with pytest.raises(InvalidInput) as bad:
        onemap.base_summary(town, Scope(town=NANZHA), "12ab")
    assert "区域编码" in bad.value.message_zh


@pytest.fixture(scope="module")
def work_app_pool(work_url):
    pool = make_pool(app_url_for(work_url), max_size=2)
    yield pool
    pool.close()


def test_online_is_a_fix_within_five_minutes(work_conn, work_app_pool, work_url):
    conn = work_conn
    town = scoped(work_app_pool, work_url, "town_leader", NANZHA)
    # the demo's fixes end at the load's hour: within 5 minutes of it every worker is online
    conn.execute("UPDATE staff SET location_at = now() - interval '2 hours' WHERE town_code = %s", (NANZHA,))
    conn.commit()
    before = onemap.duty_counts(town, Scope(town=NANZHA))["grid_worker"]["online"]
    ids = [r[0] for r in conn.execute("SELECT id FROM staff WHERE town_code = %s AND role = 'grid_worker' ORDER BY id LIMIT 3",
                                      (NANZHA,))]
    conn.execute("UPDATE staff SET location_at = now() - interval '1 minute' WHERE id = ANY(%s)", (ids[:2],))
    conn.execute("UPDATE staff SET location_at = now() - interval '6 minutes' WHERE id = %s", (ids[2],))
    conn.commit()
    try:
        after = onemap.duty_counts(town, Scope(town=NANZHA))["grid_worker"]
        assert after["online"] == before + 2
        online = {p["id"] for p in onemap.duty(town, Scope(town=NANZHA)) if p["online"]}
        assert set(ids[:2]) <= online and ids[2] not in online
        w = onemap.worker(town, ids[0])
        assert w["online"] and w["open_tasks"] == one(
            conn, "SELECT count(*) FROM events WHERE assignee_staff_id = %s AND status NOT IN ('closed', 'rejected')", (ids[0],))
        today = dt.datetime.now(TZ).date()
        assert len(onemap.track(town, ids[0], today)) == one(
            conn, """SELECT count(*) FROM staff_positions WHERE staff_id = %s
                      AND (at AT TIME ZONE 'Asia/Shanghai')::date = %s""", (ids[0], today))
    finally:
        conn.execute("UPDATE staff SET location_at = now() - interval '2 hours' WHERE id = ANY(%s)", (ids,))
        conn.commit()
    # a worker of another town is not found from this town
    other = one(conn, "SELECT min(id) FROM staff WHERE town_code <> %s AND role = 'grid_worker'", (NANZHA,))
    with pytest.raises(NotFound) as missing:
        onemap.worker(town, other)
    assert "管辖范围" in missing.value.message_zh
    assert onemap.track(town, other) == []


# ----------------------------------------------------------------------------- social assistance under RLS

def test_assistance_detail_only_for_roles_allowed_and_counts_for_all(conn, app_pool, demo_url):
    allowed_sql = one(conn, "SELECT pg_get_functiondef('jy_sees_assistance'::regproc)")
    assert {r for r, a in ACCOUNT_ROLES.items() if a.sees_assistance} == \
        {r for r in ACCOUNT_ROLES if f"'{r}'" in allowed_sql}
    town_total = one(conn, "SELECT count(*) FROM assistance_households WHERE town_code = %s", (NANZHA,))
    village = one(conn, "SELECT min(village_code) FROM assistance_households WHERE town_code = %s", (NANZHA,))
    village_total = one(conn, "SELECT count(*) FROM assistance_households WHERE village_code = %s", (village,))
    assert town_total > village_total > 0
    cases = [("town_leader", NANZHA, None, town_total), ("village_staff", NANZHA, village, village_total),
             ("dispatcher", NANZHA, None, 0), ("wall", None, None, 0), ("admin", None, None, 0)]
    for role, town, vill, expected in cases:
        sp = scoped(app_pool, demo_url, role, town, vill)
        scope = Scope(town=town, village=vill)
        with sp.connection() as c:
            seen = one(c, "SELECT count(*) FROM assistance_households")
            counted = one(c, "SELECT coalesce(sum(households), 0) FROM assistance_counts")
        assert seen == expected, role
        # the counts reach every role, in its scope
        assert counted == {"village_staff": village_total, "wall": one(conn, "SELECT count(*) FROM assistance_households"),
                           "admin": one(conn, "SELECT count(*) FROM assistance_households")}.get(role, town_total), role
        assert sum(r["households"] for r in onemap.assistance_counts(sp, scope)) == counted
        rows = onemap.assistance_households(sp, scope, limit=100_000)
        assert len(rows) == expected, role
    # the city commander reads them all, and another town's leader none of Nanzha's
    other = one(conn, "SELECT min(code) FROM grids WHERE level = 1 AND code <> %s", (NANZHA,))
    with scoped(app_pool, demo_url, "town_leader", other).connection() as c:
        assert one(c, "SELECT count(*) FROM assistance_households WHERE town_code = %s", (NANZHA,)) == 0
        assert one(c, "SELECT count(*) FROM assistance_counts WHERE town_code = %s", (NANZHA,)) == 0
    with scoped(app_pool, demo_url, "city_commander").connection() as c:
        assert one(c, "SELECT count(*) FROM assistance_households") == one(conn, "SELECT count(*) FROM assistance_households")


def test_self_granted_scope_sees_no_layer(demo_url):
    """jy_app naming a scope itself (no signed session) reads nothing of 一张图 either."""
    with psycopg.connect(app_url_for(demo_url)) as c:
        c.execute("SELECT set_config('jy.scope', 'city', true), set_config('jy.role', 'city_commander', true)")
        for table in ("grid_base_counts", "service_points", "assistance_households", "assistance_counts",
                      "mutual_aid_villages", "supervised_enterprises", "enterprise_inspections", "staff_positions"):
            assert one(c, sql.SQL("SELECT count(*) FROM {}").format(sql.Identifier(table))) == 0, table
        with pytest.raises(psycopg.errors.InsufficientPrivilege):
            c.execute("INSERT INTO grid_base_counts (grid_code, category_code, n, as_of) VALUES ('x', 'registered', 1, now())")


# ----------------------------------------------------------------------------- 考核 by hand

def test_assessment_of_one_village_recomputed_by_hand(conn, app_pool, demo_url):
    today = dt.datetime.now(TZ).date()
    first = today.replace(day=1)
    start, end = assessment.month_period(first, today)
    days = (end - start).days + 1
    t0 = dt.datetime.combine(start, dt.time(0), TZ)
    t1 = dt.datetime.combine(end + dt.timedelta(days=1), dt.time(0), TZ)
    village = one(conn, """SELECT e.village_code FROM events e WHERE e.town_code = %s AND e.closed_at >= %s
                            GROUP BY 1 ORDER BY count(*) DESC, 1 LIMIT 1""", (NANZHA, t0))
    p = {"v": village, "t0": t0, "t1": t1}
    closed, on_time = conn.execute("""SELECT count(*), count(*) FILTER (WHERE closed_at <= due_at) FROM events
                                       WHERE village_code = %(v)s AND NOT is_drill AND closed_at >= %(t0)s AND closed_at < %(t1)s""",
                                   p).fetchone()
    reported = one(conn, "SELECT count(*) FROM events WHERE village_code = %(v)s AND NOT is_drill "
                         "AND reported_at >= %(t0)s AND reported_at < %(t1)s", p)
    returned = one(conn, """SELECT count(DISTINCT e.id) FROM events e JOIN event_log l ON l.event_id = e.id
                             WHERE e.village_code = %(v)s AND NOT e.is_drill AND l.to_status = 'returned'
                               AND e.reported_at >= %(t0)s AND e.reported_at < %(t1)s""", p)
    grid_days = one(conn, """SELECT count(*) FROM (SELECT DISTINCT grid_code, (at AT TIME ZONE 'Asia/Shanghai')::date
                                                     FROM checkins WHERE village_code = %(v)s AND at >= %(t0)s AND at < %(t1)s) x""", p)
    grids = one(conn, "SELECT count(*) FROM grids WHERE level = 3 AND village_code = %(v)s", p)
    workers = one(conn, "SELECT count(*) FROM staff WHERE role = 'grid_worker' AND village_code = %(v)s", p)
    worker_reports = one(conn, """SELECT count(*) FROM events e JOIN staff s ON s.id = e.reporter_staff_id
                                   WHERE s.role = 'grid_worker' AND s.village_code = %(v)s AND NOT e.is_drill
                                     AND e.reported_at >= %(t0)s AND e.reported_at < %(t1)s""", p)
    urges = one(conn, """SELECT count(*) FROM event_urges u JOIN events e ON e.id = u.event_id
                          WHERE e.village_code = %(v)s AND NOT e.is_drill AND u.at >= %(t0)s AND u.at < %(t1)s""", p)
    weights = json.loads(assessment.WEIGHTS_FILE.read_text(encoding="utf-8"))["inputs"]
    value = {"on_time_rate": on_time / closed if closed else None,
             "return_rate": returned / reported if reported else None,
             "patrol_coverage": grid_days / (grids * days) if grids else None,
             "reports_per_worker": worker_reports / workers * 30 / days if workers else None,
             "urges_per_100": 100 * urges / reported if reported else None}
    num = den = 0.0
    for key, w in weights.items():
        v = value[key]
        if v is None:
            continue
        part = min(v / w["target"], 1) if w["better"] == "higher" else max(0, 1 - v / w["target"])
        num += w["weight"] * part
        den += w["weight"]
    by_hand = 100 * num / den

    rows = assessment.assess(scoped(app_pool, demo_url, "town_leader", NANZHA), Scope(town=NANZHA), "village",
                             first, today)
    row = next(r for r in rows if r["key"] == village)
    assert row["score"] == pytest.approx(by_hand, abs=1e-9)
    assert {k: row["values"][k] for k in value} == pytest.approx(value)
    lines = assessment.explain(row, "village", days)
    assert sum(x["points"] or 0 for x in lines) == pytest.approx(by_hand, abs=0.05)
    assert [r["rank"] for r in rows] == list(range(1, len(rows) + 1))
    assert all(r["key"].startswith(NANZHA) for r in rows)
    # the export carries the ranking and each explanation
    xlsx = assessment.to_xlsx(assessment.to_frame(rows, "village"), rows, "village", days, "本月")
    import io

    import openpyxl
    wb = openpyxl.load_workbook(io.BytesIO(xlsx))
    assert wb.sheetnames[:2] == ["排名", "计分说明"]
    assert wb["排名"].max_row == len(rows) + 1
    for text, words in (("2026-13", "格式不对"), ("2026-1", "格式不对"), (f"{today.year + 1}-01", "尚未开始")):
        with pytest.raises(InvalidInput) as bad:
            assessment.parse_month(text, today)
        assert words in bad.value.message_zh


# ----------------------------------------------------------------------------- base-data import

def test_base_data_import_is_all_or_nothing_and_idempotent(work_conn, work_url, tmp_path, monkeypatch):
    from loaders.__main__ import main

    monkeypatch.setenv("DATABASE_URL", work_url)        # the CLI imports into the work database

    grids = [r[0] for r in work_conn.execute(
        "SELECT code FROM grids WHERE level = 3 AND kind = 'admin' AND town_code = %s ORDER BY code LIMIT 2", (NANZHA,))]
    before = dict(work_conn.execute("SELECT category_code || grid_code, n FROM grid_base_counts").fetchall())
    bad = tmp_path / "基础数据_错误.csv"
    bad.write_text(f"网格编码,户籍人口,流动人口,备注\n{grids[0]},1000,200,x\n{grids[1]},,3,\n999,1,1,\n", encoding="utf-8")
    assert main(["base-data", str(bad)]) == 1
    assert dict(work_conn.execute("SELECT category_code || grid_code, n FROM grid_base_counts").fetchall()) == before
    good = tmp_path / "基础数据.csv"
    good.write_text(f"网格编码,户籍人口,流动人口,党组织\n{grids[0]},1000,200,2\n{grids[1]},800,100,1\n", encoding="gbk")
    assert main(["base-data", str(good), "--as-of", "2026-11-30"]) == 0
    got = dict(work_conn.execute("SELECT category_code, n FROM grid_base_counts WHERE grid_code = %s", (grids[0],)).fetchall())
    assert (got["registered"], got["floating"], got["party_orgs"]) == (1000, 200, 2)
    assert got["elderly"] == before["elderly" + grids[0]]          # items not in the file are left as they were
    # a second import of the same export changes nothing
    from pathlib import Path

    from loaders.importer import basedata
    report = basedata.import_file(work_conn, Path(good), basedata.Options(as_of=dt.date(2026, 11, 30)))
    work_conn.commit()
    assert (report.inserted, report.updated, report.unchanged) == (0, 0, 6)
    odd = tmp_path / "x.csv"
    odd.write_text("网格编码,人数\n1,2\n", encoding="utf-8")
    with pytest.raises(InvalidInput) as bad:
        basedata.import_file(work_conn, odd, basedata.Options())
    assert "没有可识别的基础数据列" in bad.value.message_zh


def test_enterprise_and_service_point_imports_upsert_by_code(work_conn, work_url, tmp_path, monkeypatch):
    from loaders.__main__ import main

    monkeypatch.setenv("DATABASE_URL", work_url)
    ents = tmp_path / "企业.csv"
    ents.write_text("统一社会信用代码,企业名称,行业,整改状态,经度,纬度,状态日期\n"
                    "T001,江阴市测试化工有限公司,化工,整改中,120.27,31.87,2026-11-01\n"
                    "T002,江阴市测试机械有限公司,机械制造,已关停,120.28,31.88,\n", encoding="utf-8")
    assert main(["enterprises", str(ents)]) == 0
    rows = work_conn.execute("SELECT code, sector, status, status_on, grid_code IS NOT NULL, is_demo "
                             "FROM supervised_enterprises WHERE code LIKE 'T00_' ORDER BY code").fetchall()
    assert rows == [("T001", "chemical", "rectifying", dt.date(2026, 11, 1), True, False),
                    ("T002", "machinery", "closed", None, True, False)]
    assert main(["enterprises", str(ents)]) == 0      # the same export again: nothing changes
    assert work_conn.execute("SELECT count(*) FROM supervised_enterprises WHERE code LIKE 'T00_'").fetchone()[0] == 2
    bad = tmp_path / "企业2.csv"
    bad.write_text("统一社会信用代码,企业名称,行业,整改状态,经度,纬度\nT003,某企业,造船,已整改,120.28,31.88\n"
                   "T004,另一企业,化工,已整改,121.9,31.2\n", encoding="utf-8")
    assert main(["enterprises", str(bad)]) == 1
    assert work_conn.execute("SELECT count(*) FROM supervised_enterprises WHERE code IN ('T003', 'T004')").fetchone()[0] == 0
    pts = tmp_path / "澄事之窗.csv"
    pts.write_text("编码,名称,类型,可办事项,经度,纬度\nW001,测试澄事之窗,澄事之窗,120,120.27,31.87\n", encoding="utf-8")
    assert main(["service-points", str(pts)]) == 0
    assert work_conn.execute("SELECT kind, matters FROM service_points WHERE code = 'W001'").fetchone() == ("window", 120)
    work_conn.commit()


def test_a_town_leader_sees_the_towns_score_and_rank_among_all_towns(app_pool, demo_url, monkeypatch):
    """考核 for a town leader: the town's own score and rank of the last full month equal its row in
    the city's ranking (jy_assessment_towns: every town's aggregates, no rows), the page opens on the
    last full month and shows them with a six-month trend; without a signed context nothing comes."""
    today = dt.datetime.now(TZ).date()
    first = (today.replace(day=1) - dt.timedelta(days=1)).replace(day=1)
    city = assessment.assess(scoped(app_pool, demo_url, "city_commander", None), Scope.city(), "town", first, today)
    mine = next(r for r in city if r["key"] == NANZHA)
    leader = scoped(app_pool, demo_url, "town_leader", NANZHA)
    own, towns = assessment.town_standing(leader, NANZHA, first, today)
    assert towns == len(city) == 17 and own is not None
    assert (own["rank"], own["score"]) == (mine["rank"], pytest.approx(mine["score"]))
    with app_pool.connection() as c:          # the app role without a session: nothing
        assert c.execute("SELECT count(*) AS n FROM jy_assessment_towns(%s, %s)", (first, today)).fetchone()["n"] == 0
    from streamlit.testing.v1 import AppTest

    from tests.fixtures import signed_in, viewer
    monkeypatch.setenv("DATABASE_URL", demo_url)
    monkeypatch.setenv("APP_DATABASE_URL", app_url_for(demo_url))
    import streamlit as st
    st.cache_data.clear()
    st.cache_resource.clear()          # a pool cached by an earlier AppTest may point at a dropped database
    at = signed_in(AppTest.from_file(str(Path(__file__).resolve().parent.parent / "dashboard" / "app.py"),
                                     default_timeout=90), viewer("town_leader", NANZHA))
    at.switch_page("views/assessment.py")
    at.run()
    assert not at.exception and not at.error, at.exception
    label = assessment.period_label(first, today)
    shown = {m.label: m.value for m in at.metric}
    assert shown[f"全市排名（{label}）"] == f"第 {mine['rank']} 名 / 17"
    assert shown[f"本镇街得分（{label}）"] == f"{mine['score']:.1f}"
    assert any(c.value.startswith("近6个完整月：") for c in at.caption)
    table = at.dataframe[0].value
    assert not table.isin(["None"]).any().any() and all(str(v).endswith("%") or v == "—" for v in table.iloc[:, 4])
    st.cache_data.clear()
    st.cache_resource.clear()
