"""Log-in, lockout, sessions and the audit rows of actions, through the app role."""
from __future__ import annotations

import re
import time
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from geo import auth, workflow
from geo.access import ScopedPool, Viewer
from geo.db import make_pool
from geo.errors import Forbidden, InvalidInput, LoginFailed, NotFound
from tests.fixtures import app_url_for, login_for, signed_in, with_session

APP = str(Path(__file__).resolve().parent.parent / "dashboard" / "app.py")


@pytest.fixture(scope="module")
def app_pool(work_url):
    pool = make_pool(app_url_for(work_url), max_size=3)
    yield pool
    pool.close()


def audit_rows(conn, username: str, action: str) -> list[tuple]:
    rows = conn.execute("SELECT ok, detail->>'reason' FROM audit_log WHERE username = %s AND action = %s "
                        "ORDER BY id", (username, action)).fetchall()
    conn.commit()     # end the read, so the next `with conn.transaction()` is a transaction of its own
    return rows


def test_login_with_the_right_password_audits_and_starts_a_session(app_pool, work_url, work_conn):
    user, password = login_for(work_url, "nanzha_leader")
    viewer, token = auth.login(app_pool, user, password)
    assert (viewer.role, viewer.town) == ("town_leader", "320281004")
    assert auth.resume(app_pool, token) == viewer
    assert auth.resume(app_pool, token + "x") is None
    assert audit_rows(work_conn, user, "login")[-1] == (True, "ok")
    auth.end_session(app_pool, viewer, token)
    assert auth.resume(app_pool, token) is None
    assert audit_rows(work_conn, user, "logout")[-1][0] is True


def test_lockout_after_repeated_failures(app_pool, work_conn, monkeypatch):
    monkeypatch.setenv("JY_LOGIN_MAX_FAILURES", "3")
    with work_conn.transaction():
        auth.create_user(work_conn, "(test)", "lock.me", "锁定测试", "wall", "Right-password-1")
    for _ in range(2):
        with pytest.raises(auth.LoginFailed, match="wrong username or password"):
            auth.login(app_pool, "lock.me", "wrong-password")
    with pytest.raises(auth.LoginFailed, match="locked"):
        auth.login(app_pool, "lock.me", "wrong-password")
    # Locked: even the right password is refused, and says why.
    with pytest.raises(auth.LoginFailed) as exc:
        auth.login(app_pool, "lock.me", "Right-password-1")
    assert "锁定" in exc.value.message_zh
    assert [r[1] for r in audit_rows(work_conn, "lock.me", "login")] == \
        ["bad_password", "bad_password", "bad_password", "locked"]
    # The admin lifts the lock; the right password works again.
    with work_conn.transaction():
        auth.unlock(work_conn, "(test)", "lock.me")
    assert auth.login(app_pool, "lock.me", "Right-password-1")[0].username == "lock.me"


def test_unknown_and_disabled_accounts_are_refused_and_audited(app_pool, work_conn):
    with pytest.raises(auth.LoginFailed):
        auth.login(app_pool, "nobody.here", "whatever-123")
    assert audit_rows(work_conn, "nobody.here", "login") == [(False, "unknown_user")]
    with work_conn.transaction():
        auth.create_user(work_conn, "(test)", "gone.user", "停用测试", "wall", "Right-password-2")
        auth.set_disabled(work_conn, "(test)", "gone.user", True)
    with pytest.raises(auth.LoginFailed, match="disabled"):
        auth.login(app_pool, "gone.user", "Right-password-2")


def test_weak_passwords_and_bad_usernames_are_refused(work_conn):
    for username, password in (("ok.name", "short1"), ("ok.name", "onlyletterslong"), ("Bad Name", "Good-pass-123")):
        with pytest.raises(InvalidInput):
            auth.create_user(work_conn, "(test)", username, "某人", "wall", password)
    with pytest.raises(NotFound):
        auth.create_user(work_conn, "(test)", "no.town", "某人", "town_leader", "Good-pass-123", town="320281999")
    work_conn.rollback()


def test_session_timeout(app_pool, work_url, monkeypatch):
    monkeypatch.setenv("JY_SESSION_TIMEOUT_MIN", "30")
    assert auth.session_expired(0, 31 * 60, "dispatcher")
    assert not auth.session_expired(0, 29 * 60, "dispatcher")
    assert not auth.session_expired(0, 10 ** 6, "wall")           # the kiosk does not idle out
    user, password = login_for(work_url, "dispatcher")
    viewer, token = auth.login(app_pool, user, password)
    monkeypatch.setenv("JY_SESSION_TIMEOUT_MIN", "0")
    time.sleep(0.05)
    assert auth.resume(app_pool, token) is None                    # idle longer than the timeout


def test_an_idle_page_session_signs_out(app_db):
    at = signed_in(AppTest.from_file(APP, default_timeout=60))
    at.session_state["last_seen"] = time.time() - 31 * 60
    at.run()
    assert not at.exception
    assert any("登录已超时" in i.value for i in at.info)
    assert at.button and any(b.label == "登录" for b in at.button)


def test_the_login_form_signs_in_and_refuses_bad_passwords(app_db, demo_url):
    at = AppTest.from_file(APP, default_timeout=60).run()
    assert [t.label for t in at.text_input] == ["用户名", "密码"]
    at.text_input[0].input("commander")
    at.text_input[1].input("not-the-password")
    at.button[0].click().run()
    assert any("用户名或密码错误" in e.value for e in at.error)
    user, password = login_for(demo_url, "commander")
    at.text_input[0].input(user)
    at.text_input[1].input(password)
    at.button[0].click().run()
    assert not at.exception
    assert any(m.label == "在办事件" for m in at.metric)


def test_actions_are_audited_and_refusals_too(app_pool, work_url, work_conn):
    from geo.intake import Report
    from tests.fixtures import point_in, report_events

    town = "320281004"
    grids = work_conn.execute("SELECT min(code) FILTER (WHERE town_code = %(t)s), "
                              "min(code) FILTER (WHERE town_code <> %(t)s) FROM grids "
                              "WHERE level = 3 AND kind = 'admin'", {"t": town}).fetchone()
    mine, theirs = report_events(work_conn, [Report("SR02", "审计测试", 3, *point_in(work_conn, g)) for g in grids])
    for eid in (mine, theirs):   # up to town level, where a town dispatcher acts
        workflow.act(work_conn, eid, "escalate", workflow.Actor("测试", "system"), note="测试")
    work_conn.commit()
    dispatcher = with_session(work_url, Viewer("nanzha_dispatcher", "南闸调度", "dispatcher", town))
    db = ScopedPool(app_pool, dispatcher)
    done, refused = workflow.act_many(db, {mine: None, theirs: None}, "accept", dispatcher.actor())
    assert [d["id"] for d in done] == [mine]
    assert [eid for eid, _ in refused] == [theirs]
    assert work_conn.execute("SELECT status FROM events WHERE id = %s", (theirs,)).fetchone()[0] == "reported"
    rows = work_conn.execute("SELECT target, ok FROM audit_log WHERE username = 'nanzha_dispatcher' "
                             "AND action = 'accept' ORDER BY id").fetchall()
    assert rows[-2:] == [(f"event:{mine}", True), (f"event:{theirs}", False)]
    with pytest.raises(Forbidden):
        Viewer("wall", "大屏", "wall").actor()


def test_pages_refuse_crafted_urls_for_a_town_leader(app_db, demo_conn):
    leader = Viewer("nanzha_leader", "南闸领导", "town_leader", "320281004")
    other_town = demo_conn.execute("SELECT min(code) FROM grids WHERE level = 1 AND code <> '320281004'").fetchone()[0]
    other_event = demo_conn.execute("SELECT min(id) FROM events WHERE town_code = %s", (other_town,)).fetchone()[0]
    other_grid = demo_conn.execute("SELECT min(code) FROM grids WHERE level = 3 AND town_code = %s",
                                   (other_town,)).fetchone()[0]
    for page, params in (("town", {"town": other_town}), ("village", {"village": other_grid[:12]}),
                         ("grid", {"grid": other_grid}), ("event", {"event": str(other_event)}),
                         ("town", {"town": "<script>"})):
        at = signed_in(AppTest.from_file(APP, default_timeout=90), leader)
        at.switch_page(f"views/{page}.py")
        for k, v in params.items():
            at.query_params[k] = v
        at.run()
        assert not at.exception, (page, at.exception)
        assert any("无权查看" in e.value for e in at.error), (page, [e.value for e in at.error])
        assert not at.metric, page          # no figures at all
    # With no town in the URL, the leader lands on their own town.
    at = signed_in(AppTest.from_file(APP, default_timeout=90), leader)
    at.run()
    own_open = demo_conn.execute("SELECT count(*) FROM events WHERE town_code = '320281004' "
                                 "AND status NOT IN ('closed', 'rejected') AND NOT is_drill").fetchone()[0]
    assert next(m.value for m in at.metric if m.label == "在办事件") == f"{own_open:,}"


def test_pages_refuse_crafted_urls_for_village_staff(app_db, demo_conn):
    v1, v2 = (r[0] for r in demo_conn.execute(
        "SELECT code FROM grids WHERE level = 2 AND parent_code = '320281004' ORDER BY code LIMIT 2").fetchall())
    staff = Viewer("v.staff", "社区工作人员", "village_staff", "320281004", v1)
    other_grid = demo_conn.execute("SELECT min(code) FROM grids WHERE level = 3 AND parent_code = %s", (v2,)).fetchone()[0]
    for page, params in (("village", {"village": v2}), ("grid", {"grid": other_grid}),
                         ("village", {"town": "320281004", "village": v2})):
        at = signed_in(AppTest.from_file(APP, default_timeout=90), staff)
        at.switch_page(f"views/{page}.py")
        for k, v in params.items():
            at.query_params[k] = v
        at.run()
        assert not at.exception
        assert any("无权查看" in e.value for e in at.error), (page, params)
        assert not at.metric
    # no place in the URL: their own village
    at = signed_in(AppTest.from_file(APP, default_timeout=90), staff).run()
    assert not at.exception and not at.error
    own_open = demo_conn.execute("SELECT count(*) FROM events WHERE village_code = %s "
                                 "AND status NOT IN ('closed', 'rejected') AND NOT is_drill", (v1,)).fetchone()[0]
    assert next(m.value for m in at.metric if m.label == "在办事件") == f"{own_open:,}"


def test_admin_pages_are_for_admins(app_db):
    at = signed_in(AppTest.from_file(APP, default_timeout=60), Viewer("admin", "管理员", "admin"))
    at.switch_page("views/audit.py").run()
    assert not at.exception and not at.error
    assert at.dataframe and len(at.dataframe[0].value) > 0
    at = signed_in(AppTest.from_file(APP, default_timeout=60), Viewer("admin", "管理员", "admin"))
    at.switch_page("views/users.py").run()
    assert not at.exception and not at.error
    assert "commander" in set(at.dataframe[0].value["用户名"])
    # 移动终端账号: found by number, name or grid; 50 a page
    terminals_shown = next(d.value for d in at.dataframe if "终端编号" in d.value.columns)
    assert len(terminals_shown) == 50
    one = terminals_shown.iloc[7]
    at.text_input(key="term_find").input(one["终端编号"]).run()
    found = next(d.value for d in at.dataframe if "终端编号" in d.value.columns)
    assert list(found["终端编号"]) == [one["终端编号"]]
    at.text_input(key="term_find").input(one["网格"]).run()
    found = next(d.value for d in at.dataframe if "终端编号" in d.value.columns)
    assert one["终端编号"] in set(found["终端编号"]) and set(found["网格"]) == {one["网格"]}


def test_first_admin_from_the_cli(work_url, app_pool):
    import os
    import subprocess
    import sys

    from tests.server import ROOT

    def run(*args, stdin=""):
        return subprocess.run([sys.executable, "-m", "loaders", "create-admin", *args], cwd=ROOT, input=stdin,
                              capture_output=True, text=True, env={**os.environ, "DATABASE_URL": work_url}, timeout=60)
    assert run("first.admin").returncode == 2                       # no terminal, no --password-stdin
    assert run("first.admin", "--password-stdin", stdin="short\n").returncode == 2
    done = run("first.admin", "--password-stdin", stdin="Chief-of-data-2026\n")
    assert done.returncode == 0, done.stderr
    assert auth.login(app_pool, "first.admin", "Chief-of-data-2026")[0].is_admin


def test_a_session_ends_for_an_open_tab_on_logout_disable_or_password_reset(app_pool, work_url, work_conn,
                                                                               monkeypatch):
    """jy_session_touch answers False once the session is gone; the open tab then shows the log-in
    form with the reason, at its next run (pages) or panel refresh (the wall's fragments)."""
    import streamlit as st

    from dashboard.ui.session import ENDED_NOTICE

    with work_conn.transaction():
        auth.create_user(work_conn, "(test)", "tab.user", "开着的窗口", "wall", "Right-password-7")
    monkeypatch.setenv("DATABASE_URL", work_url)
    monkeypatch.setenv("APP_DATABASE_URL", app_url_for(work_url))
    st.cache_data.clear()
    st.cache_resource.clear()

    def open_tab():
        viewer, token = auth.login(app_pool, "tab.user", "Right-password-7")
        at = AppTest.from_file(APP, default_timeout=60)
        at.session_state["viewer"], at.session_state["session_token"] = viewer, token
        at.session_state["last_seen"], at.session_state["touched"] = time.time(), 0.0
        at.run()
        assert not at.exception and not any(b.label == "登录" for b in at.button)
        assert auth.touch(app_pool, token)
        return at, viewer, token

    def signed_out(at) -> bool:
        at.session_state["touched"] = 0.0         # the next check is due
        at.run()
        return any(b.label == "登录" for b in at.button) and any(ENDED_NOTICE in i.value for i in at.info)

    at, viewer, token = open_tab()                # 1. log-out in another tab
    auth.end_session(app_pool, viewer, token)
    assert not auth.touch(app_pool, token)
    assert signed_out(at)

    at, viewer, token = open_tab()                # 2. the admin resets the password
    with work_conn.transaction():
        auth.reset_password(work_conn, "(test)", "tab.user", "Right-password-8")
    assert signed_out(at)

    viewer, token = auth.login(app_pool, "tab.user", "Right-password-8")
    assert auth.touch(app_pool, token)            # 3. the admin stops the account
    with work_conn.transaction():
        auth.set_disabled(work_conn, "(test)", "tab.user", True)
    assert not auth.touch(app_pool, token)
    st.cache_data.clear()
    st.cache_resource.clear()


def test_a_lock_slows_the_source_not_the_account_and_says_nothing_about_who_exists(app_pool, work_conn,
                                                                                  monkeypatch):
    monkeypatch.setenv("JY_LOGIN_MAX_FAILURES", "3")
    with work_conn.transaction():
        auth.create_user(work_conn, "(test)", "target.admin", "被攻击的账号", "wall", "Right-password-3")
    checks = []
    real_verify = auth.verify
    monkeypatch.setattr(auth, "verify", lambda stored, pw: checks.append(stored is not None) or real_verify(stored, pw))
    attacker, office = "203.0.113.66", "10.20.0.7"
    for _ in range(3):                           # the attacker's source locks itself …
        with pytest.raises(auth.LoginFailed):
            auth.login(app_pool, "target.admin", "guess-guess-1", source=attacker)
    with pytest.raises(auth.LoginFailed, match="locked") as exc:
        auth.login(app_pool, "target.admin", "Right-password-3", source=attacker)
    assert "本设备" in exc.value.message_zh
    # … while the account's owner signs in from the office
    assert auth.login(app_pool, "target.admin", "Right-password-3", source=office)[0].username == "target.admin"
    # an unknown name behaves exactly like a known one: same reply, same lock, one password check each
    replies = []
    for name in ("target.admin", "no.such.user"):
        for _ in range(3):
            with pytest.raises(auth.LoginFailed) as exc:
                auth.login(app_pool, name, "wrong-wrong-2", source="198.51.100.9")
            replies.append(exc.value.message_zh)
    untimed = [re.sub(r"\d{2}:\d{2}", "", r) for r in replies]
    assert untimed[0] == untimed[3] == "用户名或密码错误。" and untimed[2] == untimed[5]
    assert "锁定" in replies[2]
    assert len(checks) == 4 + 1 + 6             # every attempt checked a password, locked or not
    # the admin's unlock lifts the attacker's wait too
    with work_conn.transaction():
        auth.unlock(work_conn, "(test)", "target.admin")
    assert auth.login(app_pool, "target.admin", "Right-password-3", source=attacker)[0].username == "target.admin"


def test_a_source_trying_many_names_waits(app_pool, monkeypatch):
    monkeypatch.setenv("JY_LOGIN_MAX_FAILURES", "2")     # 12 failures over all names lock the source
    for i in range(12):
        with pytest.raises(auth.LoginFailed):
            auth.login(app_pool, f"spray{i}", "password-spray-1", source="192.0.2.44")
    with pytest.raises(auth.LoginFailed, match="locked"):
        auth.login(app_pool, "another.name", "password-spray-1", source="192.0.2.44")
    with pytest.raises(auth.LoginFailed, match="wrong username or password"):
        auth.login(app_pool, "another.name", "password-spray-1", source="192.0.2.45")


def test_demo_accounts_are_named_for_their_area(demo_conn):
    """The demo's village account carries its own village's name (it said 南闸社区 for 金巷社区)."""
    display, village = demo_conn.execute("""SELECT u.display_name, v.name FROM app_users u
                                              JOIN grids v ON v.code = u.village_code
                                             WHERE u.username = 'nanzha_village'""").fetchone()
    assert display == f"{village}工作人员"


def test_everyone_changes_their_own_password_and_an_admin_set_one_must_be_changed(app_pool, work_url, work_conn,
                                                                                   monkeypatch):
    """An account an admin made (or reset) must change its password before any page shows; the
    change needs the old password (checked like a sign-in), follows the password rules, ends every
    session of the account, and the new password signs in; the database names the account from the
    signed session, never from the caller."""
    import streamlit as st

    with work_conn.transaction():
        auth.create_user(work_conn, "(test)", "pw.user", "改密测试", "wall", "First-pass-123", must_change=True)
    viewer, token = auth.login(app_pool, "pw.user", "First-pass-123")
    assert auth.must_change_password(app_pool, viewer)
    monkeypatch.setenv("DATABASE_URL", work_url)
    monkeypatch.setenv("APP_DATABASE_URL", app_url_for(work_url))
    st.cache_data.clear()
    st.cache_resource.clear()
    at = signed_in(AppTest.from_file(APP, default_timeout=60), viewer)
    at.run()
    assert not at.exception, at.exception
    assert any("首次使用前请修改" in w.value for w in at.warning)
    assert not at.metric                                  # no page until the password is changed
    with pytest.raises(LoginFailed):
        auth.change_own_password(app_pool, viewer, "Wrong-pass-123", "Second-pass-456")
    with pytest.raises(InvalidInput):
        auth.change_own_password(app_pool, viewer, "First-pass-123", "short")
    auth.change_own_password(app_pool, viewer, "First-pass-123", "Second-pass-456")
    assert auth.resume(app_pool, token) is None           # every session of the account ended
    with pytest.raises(LoginFailed):
        auth.login(app_pool, "pw.user", "First-pass-123")
    again, _ = auth.login(app_pool, "pw.user", "Second-pass-456")
    assert not auth.must_change_password(app_pool, again)
    assert audit_rows(work_conn, "pw.user", "password_change") == [(True, None)]
    st.cache_data.clear()
    st.cache_resource.clear()
