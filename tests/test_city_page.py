"""The city overview page (市级指挥) in AppTest, against the demo database, checked by separate SQL."""
from __future__ import annotations

import dataclasses
from pathlib import Path

import streamlit as st
from streamlit.testing.v1 import AppTest

from tests.fixtures import signed_in, viewer

APP = str(Path(__file__).resolve().parent.parent / "dashboard" / "app.py")




def _texts(at) -> str:
    parts = [m.value for m in at.markdown] + [c.value for c in at.caption]
    return "\n".join(str(p) for p in parts)


def test_city_page_shows_the_figures_the_database_holds(app_db, demo_conn):
    at = signed_in(AppTest.from_file(APP, default_timeout=90)).run()
    assert not at.exception, at.exception
    assert not at.error, [e.value for e in at.error]
    # Independent SQL, not geo/sql: the same definitions written again.
    # "近30天" = the last 30 local days, today included.
    today, open_, overdue, closed, on_time = demo_conn.execute("""
        WITH d AS (SELECT (now() AT TIME ZONE 'Asia/Shanghai')::date AS today)
        SELECT count(*) FILTER (WHERE (reported_at AT TIME ZONE 'Asia/Shanghai')::date = d.today),
               count(*) FILTER (WHERE status NOT IN ('closed', 'rejected') AND NOT is_drill),
               count(*) FILTER (WHERE status NOT IN ('closed', 'rejected') AND NOT is_drill AND due_at < now()),
               count(*) FILTER (WHERE (closed_at AT TIME ZONE 'Asia/Shanghai')::date > d.today - 30),
               count(*) FILTER (WHERE (closed_at AT TIME ZONE 'Asia/Shanghai')::date > d.today - 30
                                  AND closed_at <= due_at)
          FROM events, d""").fetchone()
    metrics = {m.label: m.value for m in at.metric}
    assert metrics["今日上报"] == f"{today:,}"
    assert metrics["在办事件"] == f"{open_:,}"
    assert metrics["超期事件"] == f"{overdue:,}"
    assert metrics["按期办结率（近30天）"] == f"{on_time / closed * 100:.1f}%"
    assert open_ > 0 and overdue > 0

    table = at.dataframe[0].value
    assert len(table) == 17
    assert int(table["在办事件"].sum()) == open_
    by_town = dict(demo_conn.execute("""
        SELECT g.name, count(e.id) FILTER (WHERE e.status NOT IN ('closed', 'rejected') AND NOT e.is_drill)
          FROM grids g LEFT JOIN events e ON e.town_code = g.code
         WHERE g.level = 1 GROUP BY g.name""").fetchall())
    assert dict(zip(table["镇街"], table["在办事件"])) == by_town
    assert "演示数据" in _texts(at)
    assert len(at.get("deck_gl_json_chart")) == 1


def test_city_page_layers_follow_the_url(app_db):
    at = signed_in(AppTest.from_file(APP, default_timeout=90))
    at.query_params["layers"] = "chem"
    at.run()
    assert not at.exception
    assert at.multiselect[0].value == ["chem"]
    # A new browser session with a bad value: nothing unknown is selected, and nothing breaks.
    at = signed_in(AppTest.from_file(APP, default_timeout=90))
    at.query_params["layers"] = "bogus,,<script>"
    at.run()
    assert not at.exception
    assert at.multiselect[0].value == []


def test_database_down_gives_a_chinese_message_not_a_traceback(monkeypatch):
    monkeypatch.setenv("DATABASE_URL", "postgresql://nobody:wrong@127.0.0.1:1/none")
    monkeypatch.setenv("APP_DATABASE_URL", "postgresql://nobody:wrong@127.0.0.1:1/none")
    monkeypatch.setenv("JY_DB_OPEN_TIMEOUT", "2")
    st.cache_data.clear()
    st.cache_resource.clear()
    # a session token that no database will ever check (there is none)
    at = signed_in(AppTest.from_file(APP, default_timeout=60), dataclasses.replace(viewer(), token="no-database")).run()
    assert not at.exception
    assert at.error and "数据库" in at.error[0].value
    st.cache_resource.clear()


def _area_tips(at) -> dict[str, str]:
    """name -> the tooltip line of every area on the page's map (the deck JSON Streamlit got)."""
    import json
    deck = json.loads(at.get("deck_gl_json_chart")[0].proto.json)
    areas = next(layer for layer in deck["layers"] if layer["id"] == "areas")
    return {f["properties"]["name"]: f["properties"]["line1"] for f in areas["data"]["features"]}


def test_the_shared_map_shows_the_ranking_beside_it(app_db, demo_conn):
    """The map is serialized once per scope and figures for every viewer (maps.shared_map): its
    tooltips carry the same open/overdue counts as the ranking table on the same run, for the
    commander (city) and for a town leader (their town's villages only, not a cached city map)."""
    at = signed_in(AppTest.from_file(APP, default_timeout=90)).run()
    assert not at.exception
    ranking = at.dataframe[0].value
    tips = _area_tips(at)
    assert len(tips) == 17
    for name, open_, overdue in zip(ranking["镇街"], ranking["在办事件"], ranking["超期事件"]):
        assert tips[name] == f"在办 {open_} 件 · 超期 {overdue} 件", name

    town = demo_conn.execute("SELECT code FROM grids WHERE level = 1 ORDER BY code LIMIT 1").fetchone()[0]
    villages = {r[0] for r in demo_conn.execute(
        "SELECT name FROM grids WHERE level = 2 AND town_code = %s", (town,)).fetchall()}
    leader = signed_in(AppTest.from_file(APP, default_timeout=90), viewer("town_leader", town=town))
    leader.switch_page("views/town.py").run()
    assert not leader.exception, leader.exception
    tips = _area_tips(leader)
    assert set(tips) == villages, "a town leader's map holds their town's villages, nothing else"
    ranking = leader.dataframe[0].value
    for name, open_, overdue in zip(ranking["村社区"], ranking["在办事件"], ranking["超期事件"]):
        assert tips[name] == f"在办 {open_} 件 · 超期 {overdue} 件", name
