"""AppTest for every drill-down page, valid and invalid query params, figures checked by SQL."""
from __future__ import annotations

from pathlib import Path

import pytest
import streamlit as st
from streamlit.testing.v1 import AppTest

from geo.status import STATUS_LABELS
from tests.fixtures import app_url_for, signed_in, viewer

APP = str(Path(__file__).resolve().parent.parent / "dashboard" / "app.py")




def open_page(page: str, who=None, **params) -> AppTest:
    at = signed_in(AppTest.from_file(APP, default_timeout=90), who)
    at.switch_page(f"views/{page}.py")
    for k, v in params.items():
        at.query_params[k] = v
    return at.run()


def metric(at, label: str) -> str:
    return next(m.value for m in at.metric if m.label == label)


def errors(at) -> str:
    return "\n".join(e.value for e in at.error)


@pytest.fixture(scope="module")
def sample(demo_url):
    """A town, one of its villages, one of its grids, an event in that grid, and another town."""
    import psycopg
    with psycopg.connect(demo_url) as conn:
        ev, grid = conn.execute("""
            SELECT e.id, e.grid_code FROM events e
             WHERE e.status NOT IN ('closed', 'rejected') AND NOT e.is_drill ORDER BY e.id LIMIT 1""").fetchone()
        other_town = conn.execute("SELECT code FROM grids WHERE level = 1 AND code <> %s ORDER BY code LIMIT 1",
                                  (grid[:9],)).fetchone()[0]
    return {"town": grid[:9], "village": grid[:12], "grid": grid, "event": ev, "other_town": other_town}


def test_town_page_figures_match_sql(app_db, demo_conn, sample):
    at = open_page("town", town=sample["town"])
    assert not at.exception, at.exception
    assert not at.error, errors(at)
    open_, villages = demo_conn.execute("""
        SELECT (SELECT count(*) FROM events WHERE town_code = %(t)s AND status NOT IN ('closed', 'rejected') AND NOT is_drill),
               (SELECT count(*) FROM grids WHERE level = 2 AND parent_code = %(t)s)""",
        {"t": sample["town"]}).fetchone()
    assert metric(at, "在办事件") == f"{open_:,}"
    ranking = at.dataframe[0].value
    assert len(ranking) == villages and int(ranking["在办事件"].sum()) == open_
    assert "演示数据" in "\n".join(c.value for c in at.caption)
    # 铁脚板: this week's patrol coverage per village is a count over the patrol records
    patrol = next(d.value for d in at.dataframe if "巡查项目覆盖率" in d.value.columns)
    truth = demo_conn.execute("""
        SELECT v.name, count(DISTINCT g.code), count(DISTINCT p.grid_code), count(p.id),
               count(p.id) FILTER (WHERE p.result = 'fail')
          FROM grids v JOIN grids g ON g.level = 3 AND g.village_code = v.code
          LEFT JOIN patrol_checks p ON p.grid_code = g.code
                AND p.at >= date_trunc('week', now() AT TIME ZONE 'Asia/Shanghai') AT TIME ZONE 'Asia/Shanghai'
         WHERE v.level = 2 AND v.town_code = %s GROUP BY v.code, v.name ORDER BY v.code""", (sample["town"],)).fetchall()
    shown = [(r["村社区"], r["三级网格"], r["已巡查网格"], r["巡查项次"], r["巡查发现问题"]) for _, r in patrol.iterrows()]
    assert shown == [tuple(t) for t in truth]
    assert all(v.endswith("%") or v == "—" for v in patrol["巡查项目覆盖率"])


def test_a_page_shows_its_own_level_whatever_deeper_codes_the_url_keeps(app_db, demo_conn, sample):
    """A drill-down writes the village into the town page's URL before it switches page, and the
    browser's Back returns there: the town page still shows the town (its villages, its figures),
    and the village page with a grid code still shows the village."""
    at = open_page("town", town=sample["town"], village=sample["village"])
    assert not at.exception, at.exception
    open_, villages = demo_conn.execute("""
        SELECT (SELECT count(*) FROM events WHERE town_code = %(t)s AND status NOT IN ('closed', 'rejected') AND NOT is_drill),
               (SELECT count(*) FROM grids WHERE level = 2 AND parent_code = %(t)s)""",
        {"t": sample["town"]}).fetchone()
    assert metric(at, "在办事件") == f"{open_:,}"
    assert len(at.dataframe[0].value) == villages
    at = open_page("village", town=sample["town"], village=sample["village"], grid=sample["grid"])
    assert not at.exception, at.exception
    grids = demo_conn.execute("SELECT count(*) FROM grids WHERE level = 3 AND kind = 'admin' AND parent_code = %s",
                              (sample["village"],)).fetchone()[0]
    assert len(at.dataframe[0].value) == grids


def test_village_page_figures_match_sql(app_db, demo_conn, sample):
    at = open_page("village", town=sample["town"], village=sample["village"])
    assert not at.exception, at.exception
    assert not at.error, errors(at)
    open_, grids, workers = demo_conn.execute("""
        SELECT (SELECT count(*) FROM events WHERE village_code = %(v)s AND status NOT IN ('closed', 'rejected') AND NOT is_drill),
               (SELECT count(*) FROM grids WHERE level = 3 AND kind = 'admin' AND parent_code = %(v)s),
               (SELECT count(*) FROM staff WHERE village_code = %(v)s)""", {"v": sample["village"]}).fetchone()
    assert metric(at, "在办事件") == f"{open_:,}"
    assert len(at.dataframe[0].value) == grids
    assert len(at.dataframe[-1].value) == workers


def test_grid_page_figures_match_sql(app_db, demo_conn, sample):
    at = open_page("grid", town=sample["town"], village=sample["village"], grid=sample["grid"])
    assert not at.exception, at.exception
    assert not at.error, errors(at)
    workers, police = demo_conn.execute("""
        SELECT count(*) FILTER (WHERE role = 'grid_worker'), count(*) FILTER (WHERE role = 'police')
          FROM staff WHERE grid_code = %(g)s""", {"g": sample["grid"]}).fetchone()
    assert metric(at, "网格员") == str(workers)
    assert metric(at, "网格警员") == str(police)


def test_event_page_shows_status_and_full_timeline(app_db, demo_conn, sample):
    at = open_page("event", event=str(sample["event"]))
    assert not at.exception, at.exception
    assert not at.error, errors(at)
    status, n_log = demo_conn.execute("""
        SELECT e.status, (SELECT count(*) FROM event_log WHERE event_id = e.id) FROM events e
         WHERE e.id = %(e)s""", {"e": sample["event"]}).fetchone()
    assert metric(at, "当前状态") == STATUS_LABELS[status]
    timeline = next(d.value for d in at.dataframe if "处理人" in d.value.columns)
    assert len(timeline) == n_log
    stages = next(d.value for d in at.dataframe if "截止" in d.value.columns)
    assert list(stages["环节"])[0] == "立案"


def test_city_page_without_params(app_db):
    at = open_page("city")
    assert not at.exception and not at.error


@pytest.mark.parametrize("page, params, message", [
    ("town", {"town": "999999999"}, "没有编码为 999999999 的镇街"),
    ("town", {"town": "abc"}, "格式不对"),
    ("village", {"town": "320281004", "village": "320281001001"}, "不属于"),
    ("village", {"village": "320281004999"}, "没有编码为 320281004999 的村社区"),
    ("grid", {"grid": "32028100400100x"}, "格式不对"),
    ("grid", {"grid": "320281004001999"}, "没有编码为 320281004001999 的网格"),
    ("event", {"event": "abc"}, "事件编号"),
    ("event", {"event": "99999999"}, "没有编号为 99999999 的事件"),
    ("event", {"event": "1<script>"}, "事件编号"),
])
def test_bad_params_get_a_chinese_message_and_a_way_up(app_db, page, params, message):
    at = open_page(page, **params)
    assert not at.exception, at.exception
    assert message in errors(at)


def test_mismatched_village_links_back_to_the_valid_town(app_db):
    at = open_page("village", town="320281004", village="320281001001")
    links = [p.label for p in at.get("page_link")]
    assert "返回南闸街道" in links


def test_missing_level_offers_a_picker(app_db, sample):
    at = open_page("village", town=sample["town"])
    assert not at.exception and not at.error
    assert at.selectbox[0].label == "村社区"
    at = open_page("town")
    assert at.selectbox[0].label == "镇街" and len(at.selectbox[0].options) == 17


def test_event_in_another_town_than_the_url_says(app_db, sample):
    at = open_page("event", event=str(sample["event"]), town=sample["other_town"])
    assert not at.exception
    assert "不属于地址中指定的区域" in errors(at)
    assert at.metric   # the event itself still shows, placed by its own grid


def test_unknown_filter_values_are_ignored_with_a_warning(app_db, sample):
    at = open_page("town", town=sample["town"], status="bogus", days="7x")
    assert not at.exception
    warnings = "\n".join(w.value for w in at.warning)
    assert "bogus" in warnings and "7x" in warnings


def test_event_page_lists_same_category_events_nearby(work_url, monkeypatch):
    from geo import db
    from geo.intake import Report
    from tests.fixtures import report_events

    monkeypatch.setenv("DATABASE_URL", work_url)
    monkeypatch.setenv("APP_DATABASE_URL", app_url_for(work_url))
    st.cache_data.clear()
    st.cache_resource.clear()
    with db.connect(work_url) as conn:
        lon, lat = conn.execute("SELECT ST_X(p), ST_Y(p) FROM (SELECT ST_PointOnSurface(geom) p FROM grids "
                                "WHERE code = '320281005002001') s").fetchone()
        first, second, far = report_events(conn, [
            Report("SR02", "小广告", 3, lon, lat),
            Report("SR02", "小广告又出现", 3, lon + 0.002, lat),            # about 190 m east
            Report("SR02", "别处的小广告", 3, lon + 0.02, lat)])           # about 1.9 km east
    at = open_page("event", event=str(second))
    assert not at.exception and not at.error, errors(at)
    dups = at.dataframe[-1].value
    assert first in set(dups["编号"]) and far not in set(dups["编号"])
    assert 150 < int(dups.loc[dups["编号"] == first, "距离（米）"].iloc[0]) < 230
    st.cache_resource.clear()


@pytest.mark.parametrize("role, masked", [("wall", True), ("city_commander", False)])
def test_personal_data_is_masked_for_the_wall_by_the_read_layer(app_db, demo_conn, sample, role, masked):
    """Staff names and the timeline's actors: masked for the wall (a screen many people see), shown to
    a commander; staff phones masked for everyone. The pages only show what dashboard.ui.data gives."""
    from geo.masking import mask_name

    names = {r[0] for r in demo_conn.execute("SELECT name FROM staff WHERE village_code = %s", (sample["village"],))}
    at = open_page("village", who=viewer(role), town=sample["town"], village=sample["village"])
    assert not at.exception, at.exception
    staff = at.dataframe[-1].value
    shown = set(staff["姓名"])
    assert shown == ({mask_name(n) for n in names} if masked else names)
    assert all("****" in p for p in staff["电话"] if p)
    at = open_page("event", who=viewer(role), event=str(sample["event"]))
    actors = {r[0] for r in demo_conn.execute("SELECT actor FROM event_log WHERE event_id = %s", (sample["event"],))}
    timeline = next(d.value for d in at.dataframe if "处理人" in d.value.columns)
    assert set(timeline["处理人"]) == ({mask_name(a) for a in actors} if masked else actors)
