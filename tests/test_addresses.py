"""The standard address register (标准地址库) and address-only work orders (issue 33): the demo's
register, its import checks, the matcher, and every way an event enters with only an address —
Open311 address_string, the terminal API, a CSV with only 地址, and the review queue."""
from __future__ import annotations

import csv
import uuid

import psycopg
import pytest
import requests

from geo import addresses, db, intake, terminals
from geo.errors import NotFound
from loaders.importer import addresses as register_import
from loaders.importer import events as event_import

FULL = str.maketrans("0123456789", "０１２３４５６７８９")


def _demo_addresses(conn, n: int, step: int = 7) -> list[dict]:
    """n demo events spread over the whole set: their address as written and their village."""
    return db.rows(conn, """
        SELECT e.address, e.grid_code, left(e.grid_code, 12) AS village, t.name AS town
          FROM events e JOIN grids t ON t.code = left(e.grid_code, 9)
         WHERE e.is_demo AND e.address LIKE '%%号附近' AND e.id %% %(step)s = 0
         ORDER BY e.id LIMIT %(n)s""", {"n": n, "step": step})


def _variant(a: dict, k: int) -> str:
    """The address as written, with the town (and county) before it, in full-width digits, or without 附近."""
    text = a["address"]
    return [text, f"江阴市{a['town']}{text}", text.translate(FULL), text.removesuffix("附近")][k % 4]


# ------------------------------------------------------------------------------------- register
def test_the_demo_register_covers_every_village(demo_conn):
    counts = dict(db.tuples(demo_conn, "SELECT kind, count(*) FROM address_points GROUP BY kind"))
    villages = db.value(demo_conn, "SELECT count(*) FROM grids WHERE level = 2")
    assert db.value(demo_conn, "SELECT count(DISTINCT village_code) FROM address_roads") == villages
    assert db.value(demo_conn, "SELECT count(*) FROM address_roads") == villages * 20
    assert counts["door"] > villages * 20 * 10 and counts["compound"] > 0 and counts["building"] > counts["compound"]
    assert counts["place"] == db.value(demo_conn, """SELECT (SELECT count(*) FROM service_points) + (SELECT count(*) FROM
        supervised_enterprises) + (SELECT count(*) FROM chem_sites) + (SELECT count(*) FROM emergency_resources)""")
    # every point in a grid of its own village, every road inside its village
    assert db.value(demo_conn, """SELECT count(*) FROM address_points p JOIN grids g ON g.code = p.grid_code
                                   WHERE g.village_code <> p.village_code OR NOT ST_Intersects(g.geom, p.geom)""") == 0
    assert db.value(demo_conn, """SELECT count(*) FROM address_roads r JOIN grids v ON v.code = r.village_code
                                   WHERE NOT ST_Covers(v.geom, r.geom)""") == 0
    # every demo event's road is a road of its village
    assert db.value(demo_conn, """
        SELECT count(*) FROM events e JOIN grids v ON v.code = left(e.grid_code, 12)
         WHERE e.is_demo AND e.address IS NOT NULL AND NOT EXISTS (
               SELECT 1 FROM address_roads r WHERE r.village_code = v.code
                  AND position(r.name IN substr(e.address, length(v.name) + 1)) = 1)""") == 0
    indexes = {r[0] for r in db.tuples(demo_conn, """SELECT indexdef FROM pg_indexes
                                                      WHERE tablename IN ('address_roads', 'address_points')""")}
    assert sum("USING gist (geom)" in i for i in indexes) == 2
    assert sum("gin_trgm_ops" in i for i in indexes) == 2


def _csv(path, header, rows):
    with open(path, "w", newline="", encoding="utf-8") as f:
        w = csv.writer(f)
        w.writerow(header)
        w.writerows(rows)
    return path


def test_register_imports_are_checked_then_all_or_nothing(work_conn, tmp_path):
    tag = uuid.uuid4().hex[:6]
    x, y = db.one(work_conn, "SELECT ST_X(c), ST_Y(c) FROM (SELECT ST_PointOnSurface(geom) c FROM grids "
                             "WHERE level = 2 ORDER BY code LIMIT 1) s").values()
    bad = _csv(tmp_path / "roads_bad.csv", ["道路编码", "道路名称", "单号起", "单号止", "双号起", "双号止", "WKT"], [
        [f"{tag}-R1", "测试一路", 1, 99, 2, 98, f"LINESTRING({x - 0.002} {y}, {x + 0.002} {y})"],
        [f"{tag}-R2", "测试二路", 2, 99, 2, 98, f"LINESTRING({x} {y}, {x} {y + 0.001})"],       # odd side starts even
        [f"{tag}-R3", "测试三路", 1, 9, 2, 8, "LINESTRING(121.5 31.2, 121.6 31.2)"],            # Shanghai
        [f"{tag}-R4", "测试四路", 1, 9, 2, 8, f"POINT({x} {y})"],                                # not a line
        [f"{tag}-R1", "重复路", 1, 9, 2, 8, f"LINESTRING({x} {y}, {x + 0.001} {y})"],          # code twice
        [f"{tag}-R6", "测试六路", 1, 9, 2, 8,                                                   # crosses itself
         f"LINESTRING({x} {y}, {x + 0.001} {y + 0.001}, {x + 0.001} {y}, {x} {y + 0.001})"]])
    report = register_import.import_file(work_conn, bad, register_import.Options(kind="roads"))
    rows = sorted({p.row for p in report.refused})
    assert rows == [2, 3, 4, 5, 6] or rows == [1, 2, 3, 4, 5, 6], [p.line() for p in report.refused]
    assert any("自相交" in p.problem_zh for p in report.refused)
    assert any("单号" in p.problem_zh for p in report.refused) and any("江阴市范围之外" in p.problem_zh for p in report.refused)
    assert any("应为一条线" in p.problem_zh for p in report.refused)
    assert not report.written
    assert db.value(work_conn, "SELECT count(*) FROM address_roads WHERE code LIKE %(t)s", {"t": f"{tag}-%"}) == 0

    good = _csv(tmp_path / "roads.csv", ["道路编码", "道路名称", "单号起", "单号止", "双号起", "双号止", "WKT"],
                [[f"{tag}-R1", f"测{tag}路", 1, 99, 2, 98, f"LINESTRING({x - 0.002} {y}, {x + 0.002} {y})"]])
    report = register_import.import_file(work_conn, good, register_import.Options(kind="roads"))
    assert report.written and report.inserted == 1, [p.line() for p in report.problems]
    pts = _csv(tmp_path / "points.csv", ["编码", "类型", "名称", "道路编码", "门牌号", "经度", "纬度"], [
        [f"{tag}-D1", "门牌", f"测{tag}路11号", f"{tag}-R1", 11, x - 0.0015, y],
        [f"{tag}-P1", "地名", f"测{tag}实验学校", "", "", x + 0.001, y + 0.0002]])
    report = register_import.import_file(work_conn, pts, register_import.Options(kind="points"))
    assert report.written and report.inserted == 2, [p.line() for p in report.problems]
    work_conn.commit()
    village = db.value(work_conn, "SELECT village_code FROM address_roads WHERE code = %(c)s", {"c": f"{tag}-R1"})
    vname = db.value(work_conn, "SELECT name FROM grids WHERE code = %(c)s", {"c": village})
    # the imported road and place are matched like the demo's
    door, school = addresses.match(work_conn, [f"{vname}测{tag}路11号", f"测{tag}实验学校"])
    assert door.best and door.best.village_code == village and door.best.kind == "road", door
    assert school.best and school.best.kind == "place", school


# ------------------------------------------------------------------------------------- matcher
def test_normalising_reads_what_people_write():
    assert addresses.normalise("江苏省江阴市南闸街道金巷社区春申路３４０號附近") == "南闸街道金巷社区春申路340号"
    assert addresses.normalise(" 兰河社区 花园路一百六十六号旁边 ") == "兰河社区花园路166号"
    assert addresses.normalise("花巷公寓3栋对面") == "花巷公寓3幢"
    assert addresses.normalise("周庄社区中山路368号往东50米") == "周庄社区中山路368号"


def test_the_matcher_places_demo_addresses_and_their_variants(demo_conn):
    sample = _demo_addresses(demo_conn, 400, step=11)
    texts = [_variant(a, k) for k, a in enumerate(sample)]
    found = addresses.match(demo_conn, texts)
    right = [m.best is not None and m.best.village_code == a["village"] and m.best.grid_code.startswith(a["village"])
             for m, a in zip(found, sample)]
    assert sum(right) >= 0.98 * len(sample), [(t, m.status) for t, m, r in zip(texts, found, right) if not r][:10]
    # a misspelt village and road still find the place; their score says they were not exact
    a = sample[0]
    village = db.value(demo_conn, "SELECT name FROM grids WHERE code = %(c)s", {"c": a["village"]})
    road = a["address"][len(village):].split("路")[0] + "路"
    wrong_road = a["address"].replace(road, road[0] + "圆" + road[2:] if len(road) == 3 else road)
    m = addresses.match_one(demo_conn, wrong_road)
    assert m.candidates and m.candidates[0].village_code == a["village"]
    # the same road in every village, no village written: several places alike, never a guess
    amb = addresses.match_one(demo_conn, "花园路166号")
    assert amb.best is None and amb.status == "ambiguous" and len(amb.candidates) == addresses.MAX_CANDIDATES
    assert "对应多处" in amb.describe()[1]
    none = addresses.match_one(demo_conn, "火星基地一号")
    assert none.best is None and none.status == "none" and "没有找到" in none.describe()[1]
    # a compound and a building of a community, by name
    comp = db.one(demo_conn, "SELECT name, village_code FROM address_points WHERE kind = 'building' ORDER BY code LIMIT 1")
    m = addresses.match_one(demo_conn, comp["name"].replace("幢", "号楼"))
    assert m.best and m.best.kind == "building" and m.best.village_code == comp["village_code"]


# ------------------------------------------------------------------------------------- Open311
@pytest.fixture(scope="module")
def hotline(work_url):
    with db.connect(work_url) as conn:
        key = terminals.create_client(conn, f"addr{uuid.uuid4().hex[:6]}", "最江阴APP（地址测试）")
        conn.commit()
    return key


def test_open311_places_address_strings_in_their_village(work_url, work_api, hotline):
    with db.connect(work_url) as conn:
        sample = _demo_addresses(conn, 300)
    root = f"{work_api}/open311/v2"
    session = requests.Session()
    created: dict[int, dict] = {}
    refused = []
    for k, a in enumerate(sample):
        text = _variant(a, k)
        r = session.post(f"{root}/requests.json", timeout=30, data={
            "api_key": hotline, "service_code": "HW01", "description": "最江阴：垃圾乱堆放", "address_string": text})
        if r.status_code == 201:
            created[int(r.json()[0]["service_request_id"])] = a
        else:
            refused.append((text, r.status_code, r.text[:200]))
    with db.connect(work_url) as conn:
        placed = {r["id"]: r for r in db.rows(conn, """
            SELECT e.id, e.grid_code, g.village_code, g.level, e.address_match, e.address_score
              FROM events e JOIN grids g ON g.code = e.grid_code WHERE e.id = ANY (%(ids)s)""", {"ids": list(created)})}
    right = [eid for eid, a in created.items()
             if placed[eid]["village_code"] == a["village"] and placed[eid]["level"] == 3]
    assert len(right) >= 0.98 * len(sample), refused[:5]
    assert all(placed[e]["address_match"] and placed[e]["address_score"] >= addresses.CLEAR for e in right)

    # several places alike, or nothing: a 400 that lists what was found, in JSON and XML
    amb = session.post(f"{root}/requests.json", timeout=30, data={
        "api_key": hotline, "service_code": "HW01", "description": "x", "address_string": "花园路166号"})
    assert amb.status_code == 400 and "对应多处" in amb.json()[0]["description"], amb.text
    assert amb.json()[0]["description"].count("花园路166号") >= addresses.MAX_CANDIDATES
    none = session.post(f"{root}/requests.xml", timeout=30, data={
        "api_key": hotline, "service_code": "HW01", "description": "x", "address_string": "火星基地一号"})
    assert none.status_code == 400 and "没有找到" in none.text and none.text.startswith("<?xml")
    neither = session.post(f"{root}/requests.json", timeout=30, data={
        "api_key": hotline, "service_code": "HW01", "description": "x"})
    assert neither.status_code == 400 and "地址" in neither.json()[0]["description"]


def test_a_terminal_reports_by_address_and_asks_the_register(work_url, work_api):
    with db.connect(work_url) as conn:
        me = db.one(conn, """SELECT s.terminal_id, s.grid_code FROM staff s JOIN grids g ON g.code = s.grid_code
                              WHERE s.role = 'grid_worker' AND s.terminal_id IS NOT NULL AND g.kind = 'admin'
                              ORDER BY s.id LIMIT 1""")
        terminals.create_terminal(conn, me["terminal_id"], "Addr-pass-1")
        own = db.one(conn, """SELECT address FROM events WHERE is_demo AND left(grid_code, 12) = left(%(g)s, 12)
                               ORDER BY id LIMIT 1""", {"g": me["grid_code"]})
        conn.commit()
    tok = requests.post(f"{work_api}/api/v1/auth/token", json={"terminal_id": me["terminal_id"],
                                                               "password": "Addr-pass-1"}, timeout=30).json()
    auth = {"Authorization": f"Bearer {tok['access_token']}"}
    m = requests.get(f"{work_api}/api/v1/addresses/match", params={"q": own["address"]}, headers=auth, timeout=30)
    assert m.status_code == 200 and m.json()["clear"], m.text
    assert m.json()["best"]["village_code"] == me["grid_code"][:12]
    r = requests.post(f"{work_api}/api/v1/reports", headers=auth, timeout=30, json={
        "category": "HW01", "description": "按地址上报", "address": own["address"]})
    assert r.status_code in (200, 201), r.text
    assert r.json()["grid_code"][:12] == me["grid_code"][:12]
    # an address in another village: the worker's area is the village — refused, saying where it is
    with db.connect(work_url) as conn:
        other = db.value(conn, """SELECT address FROM events WHERE is_demo AND left(grid_code, 12) <> left(%(g)s, 12)
                                   AND address LIKE '%%号附近' ORDER BY id LIMIT 1""", {"g": me["grid_code"]})
    r = requests.post(f"{work_api}/api/v1/reports", headers=auth, timeout=30, json={
        "category": "HW01", "description": "按地址上报", "address": other})
    assert r.status_code == 422 and "不在您的辖区" in r.json()["message"] and "匹配到" in r.json()["message"], r.text


# ------------------------------------------------------------------------------------- CSV import
def test_an_address_only_csv_imports_with_a_match_report_and_a_review_queue(work_conn, tmp_path):
    sample = _demo_addresses(work_conn, 40, step=13)
    tag = uuid.uuid4().hex[:6]
    rows = [[f"{tag}-{k}", "垃圾乱堆放", _variant(a, k), "2026-12-01 09:30"] for k, a in enumerate(sample)]
    rows += [[f"{tag}-amb", "垃圾乱堆放", "花园路166号", "2026-12-01 10:00"],
             [f"{tag}-none", "垃圾乱堆放", "火星基地一号", "2026-12-01 10:05"]]
    path = _csv(tmp_path / "hotline.csv", ["上报编号", "事件类型", "地址", "上报时间"], rows)
    src = f"hotline-{tag}"
    result = event_import.load(work_conn, path, source=src)
    assert result.written and not result.refused, [p.line() for p in result.refused]
    assert result.inserted == len(sample) and result.queued == 2
    report = {m[0]: m for m in result.matches}
    assert len(report) == len(rows)
    assert all(report[k + 1][2] == "clear" and report[k + 1][5].startswith(a["village"]) for k, a in enumerate(sample))
    assert report[len(rows) - 1][2] == "ambiguous" and report[len(rows)][2] == "none"
    work_conn.commit()
    got = db.rows(work_conn, "SELECT grid_code, address_match, address_score FROM events WHERE external_source = %(s)s",
                  {"s": src})
    assert len(got) == len(sample) and all(g["address_match"] and g["address_score"] for g in got)
    queue = db.rows(work_conn, "SELECT * FROM address_review WHERE source = %(s)s ORDER BY row_number", {"s": src})
    assert [q["external_id"] for q in queue] == [f"{tag}-amb", f"{tag}-none"]
    assert len(queue[0]["candidates"]) == addresses.MAX_CANDIDATES and queue[1]["candidates"] == []

    # the same file again: nothing new, nothing queued twice
    again = event_import.load(work_conn, path, source=src)
    assert again.inserted == 0 and again.unchanged == len(sample) and again.queued == 0
    work_conn.commit()

    # a person places the ambiguous row at its first candidate, and dismisses the other
    by = intake.Reporter("dispatcher-test", "dispatcher", "测试调度员", "test")
    cand = queue[0]["candidates"][0]
    eid = addresses.review_place(work_conn, queue[0]["id"], cand["lon"], cand["lat"], by, cand["label"], cand["score"])
    addresses.review_dismiss(work_conn, queue[1]["id"], by)
    work_conn.commit()
    ev = db.one(work_conn, "SELECT grid_code, external_id, external_source, address, address_match FROM events WHERE id = %(i)s",
                {"i": eid})
    assert ev["grid_code"] == cand["grid_code"] and ev["external_id"] == f"{tag}-amb" and ev["external_source"] == src
    assert ev["address"] == "花园路166号" and ev["address_match"] == cand["label"]
    states = db.tuples(work_conn, "SELECT status, event_id IS NOT NULL FROM address_review WHERE source = %(s)s "
                                  "ORDER BY row_number", {"s": src})
    assert states == [("placed", True), ("dismissed", False)]
    with pytest.raises(NotFound) as closed:
        addresses.review_dismiss(work_conn, queue[1]["id"], by)
    assert "已处理" in closed.value.message_zh
    work_conn.rollback()


def test_the_register_is_read_signed_and_written_by_the_admin(work_url, tmp_path):
    """The app role: nothing without a signed context; any signed scope reads the register (the matcher
    serves every caller); only the admin's import writes it, and a queue row's address is never rewritten."""
    from geo.access import ScopedPool
    from geo.errors import InvalidInput
    from geo.scope import Scope
    from tests.fixtures import app_url_for, scope_viewer

    with psycopg.connect(app_url_for(work_url)) as conn:
        assert conn.execute("SELECT count(*) FROM address_roads").fetchone()[0] == 0
        with pytest.raises(psycopg.errors.InsufficientPrivilege):
            conn.execute("UPDATE address_review SET address = 'x'")
    with db.connect(work_url) as conn:
        x, y, village = db.one(conn, "SELECT ST_X(p), ST_Y(p), code FROM (SELECT ST_PointOnSurface(geom) p, code "
                                     "FROM grids WHERE level = 2 ORDER BY code DESC LIMIT 1) s").values()
    tag = uuid.uuid4().hex[:6]
    path = _csv(tmp_path / "places.csv", ["编码", "类型", "名称", "经度", "纬度"], [[f"{tag}-P", "地名", f"{tag}卫生服务站", x, y]])
    pool = db.make_pool(app_url_for(work_url), max_size=2)
    try:
        village_staff = ScopedPool(pool, scope_viewer(work_url, Scope(town=village[:9], village=village)))
        with village_staff.connection() as conn:
            assert db.value(conn, "SELECT count(*) FROM address_roads") > 0        # signed: the whole register
            with pytest.raises(InvalidInput):
                register_import.import_file(conn, path, register_import.Options(kind="points"))
        admin = ScopedPool(pool, scope_viewer(work_url, Scope(), role="admin"))
        with admin.connection() as conn:
            report = register_import.import_file(conn, path, register_import.Options(kind="points"))
            assert report.written and report.inserted == 1
        with village_staff.connection() as conn:
            m = addresses.match_one(conn, f"{tag}卫生服务站")
            assert m.best and m.best.village_code == village
    finally:
        pool.close()


def test_an_exports_other_columns_are_kept_when_asked(work_conn, tmp_path):
    """issue 30: columns no event field reads are listed and dropped, or kept in each event's attributes."""
    a = _demo_addresses(work_conn, 2, step=3)
    tag = uuid.uuid4().hex[:6]
    rows = [[f"{tag}-{k}", "垃圾乱堆放", x["address"], "2026-12-02 10:00", f"王{k}", "13800000000" if k else ""]
            for k, x in enumerate(a)]
    path = _csv(tmp_path / "other.csv", ["工单编号", "事件类型", "地址", "上报时间", "来电人", "联系电话"], rows)
    dropped = event_import.load(work_conn, path, source=f"plain-{tag}", dry_run=True)
    assert dropped.ignored == ["来电人", "联系电话"] and any("未导入" in p.problem_zh for p in dropped.problems)
    kept = event_import.load(work_conn, path, source=f"kept-{tag}", keep_columns=True)
    assert kept.written and kept.inserted == 2, [p.line() for p in kept.refused]
    work_conn.commit()
    got = db.tuples(work_conn, "SELECT external_id, attributes FROM events WHERE external_source = %(s)s ORDER BY external_id",
                    {"s": f"kept-{tag}"})
    assert got == [(f"{tag}-0", {"来电人": "王0"}), (f"{tag}-1", {"来电人": "王1", "联系电话": "13800000000"})]
    long = _csv(tmp_path / "long.csv", ["工单编号", "事件类型", "地址", "备注"],
                [[f"{tag}-L", "垃圾乱堆放", a[0]["address"], "长" * (event_import.ATTRIBUTES_MAX + 1)]])
    refused = event_import.load(work_conn, long, source=f"kept-{tag}", keep_columns=True)
    assert not refused.written and any("其他列的内容超过" in p.problem_zh for p in refused.refused)
    work_conn.rollback()
