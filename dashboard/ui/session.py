"""Sign-in for every page: the log-in form, the session timeout, log-out, and which pages a role
gets. Nobody without an account sees anything: app.py runs no page before `signed_in()` passes.

The signed-in viewer lives in Streamlit's server-side session state. A browser reload starts a
new Streamlit session: it resumes from a random token in the `jy_session` cookie (only its SHA-256
is in the database, table app_sessions), unless the session ended, idled out or the account was
disabled. The requested URL and its parameters are kept through the log-in form.
"""
from __future__ import annotations

import functools
import json
import time

import streamlit as st

from dashboard.ui import data
from dashboard.ui.errors import show_error
from dashboard.ui.html import esc_md
from geo import auth
from geo.access import ROLES, Viewer
from geo.roles import ACCOUNT_ROLES
from geo.settings import settings

SEEN_KEY = "last_seen"
NOTICE_KEY = "login_notice"
TOKEN_KEY = "session_token"
COOKIE_KEY = "cookie_action"      # set or clear the browser's cookie on the next run
COOKIE = "jy_session"
CHECK_EVERY_S = 10                # how often a tab re-checks its session (and records activity)
ENDED_NOTICE = "您的登录已失效（已在其他窗口退出、账号已停用或密码已修改），请重新登录。"

# Pages (by nav.PAGES key) each role gets, the first where it lands: geo/roles.py.
ROLE_PAGES = {code: list(role.pages) for code, role in ACCOUNT_ROLES.items()}


def pages_for(viewer: Viewer) -> list[str]:
    """A town- or village-bound account has no city page: it lands on its own town or village."""
    pages = list(ROLE_PAGES[viewer.role])
    if viewer.town:
        pages.remove("city")
    if viewer.village:
        pages.remove("town")
    return pages


def signed_in() -> Viewer | None:
    """The signed-in viewer, after the timeout check; None when the log-in form must show."""
    v = st.session_state.get(data.VIEWER_KEY)
    now = time.time()
    if v is None:
        token = st.context.cookies.get(COOKIE)
        v = data.resume(token) if isinstance(token, str) and token else None
        if v is None:
            return None
        _start(v, str(token), now)
        return v
    last = st.session_state.get(SEEN_KEY, 0.0)
    if auth.session_expired(last, now, v.role):
        try:
            data.logout(st.session_state.get(TOKEN_KEY), "session_timeout")
        except Exception:  # noqa: BLE001 - the sign-out must happen even if the audit row cannot
            pass
        _clear()
        st.session_state[COOKIE_KEY] = "clear"
        st.session_state[NOTICE_KEY] = (f"登录已超时（{auth.session_timeout_s() / 60:.0f} 分钟未操作），"
                                        "请重新登录。")
        return None
    if not still_valid(now):
        return None
    st.session_state[SEEN_KEY] = now
    return v


def still_valid(now: float | None = None) -> bool:
    """Re-check the session in the database at most every CHECK_EVERY_S (it ends with a log-out in
    another tab, a disabled account or a password change); when it is gone, sign this tab out."""
    now = now or time.time()
    token = st.session_state.get(TOKEN_KEY)
    if not token or now - st.session_state.get("touched", 0.0) <= CHECK_EVERY_S:
        return True
    if data.touch(token):
        st.session_state["touched"] = now
        return True
    _clear()
    st.session_state[COOKIE_KEY] = "clear"
    st.session_state[NOTICE_KEY] = ENDED_NOTICE
    return False


def live_panel(run_every: float):
    """st.fragment(run_every=…) for an auto-refreshing panel, each run of which first re-checks
    the session (a fragment's reruns skip app.py and so signed_in())."""
    def deco(fn):
        @functools.wraps(fn)
        def checked(*args, **kwargs):
            check_in_fragment()
            return fn(*args, **kwargs)
        return st.fragment(run_every=run_every)(checked)
    return deco


def check_in_fragment() -> None:
    """For auto-refreshing panels (st.fragment runs skip app.py): a session that ended stops the
    panel and sends the whole page back to the log-in form (a disabled wall goes dark)."""
    if st.session_state.get(data.VIEWER_KEY) is not None and not still_valid():
        st.rerun(scope="app")


def _start(viewer: Viewer, token: str, now: float) -> None:
    st.session_state[data.VIEWER_KEY] = viewer
    st.session_state[TOKEN_KEY] = token
    st.session_state[SEEN_KEY] = st.session_state["touched"] = now


def _clear() -> None:
    for key in list(st.session_state.keys()):
        del st.session_state[key]


def _here() -> str:
    """This page's path and query (where /auth/adopt sends the browser back to). The query comes
    from st.query_params: st.context.url carries the path only, and the link a user followed
    (/event?event=N, /?screen=1) lost its parameters at sign-in."""
    from urllib.parse import urlencode, urlsplit
    path = urlsplit(str(st.context.url or "/")).path or "/"
    query = urlencode([(k, v) for k in st.query_params for v in st.query_params.get_all(k)])
    return path + (f"?{query}" if query else "")


def cookie_script() -> None:
    """Set or clear the session cookie in the browser (a zero-height component, once). Behind the
    proxy (JY_PROXIED) the API does it — the browser goes to /auth/adopt with a one-time code, or to
    /auth/logout — so the cookie is HttpOnly and no script ever holds a session token."""
    action = st.session_state.pop(COOKIE_KEY, None)
    if action is None:
        return
    if settings().jy_proxied:
        from urllib.parse import quote
        if action == "set":
            code = data.handoff(st.session_state.get(TOKEN_KEY) or "")
            target = f"/auth/adopt?code={quote(code)}&next={quote(_here(), safe='')}"
        else:
            target = "/auth/logout"
        # The component frame is sandboxed without top navigation: it hands the page a one-line
        # script that navigates. Fixed text, a server-made code and this page's own path (quoted):
        # nothing from the database or a user.
        go = json.dumps(f"window.location.replace({json.dumps(target)})")
        st.iframe("<script>const s = window.parent.document.createElement('script');"
                  f"s.textContent = {go}; window.parent.document.body.appendChild(s);</script>", height=1)
        return
    token = st.session_state.get(TOKEN_KEY) if action == "set" else None
    # The token is URL-safe base64 (letters, digits, - and _): nothing in it needs quoting.
    value = f"{COOKIE}={token}; path=/; SameSite=Strict" if token else \
        f"{COOKIE}=; path=/; SameSite=Strict; max-age=0"
    # Fixed text and the server-made token only: nothing from a user or the database.
    st.iframe(f"<script>window.parent.document.cookie = {value!r};</script>", height=1)


def login_form() -> None:
    """The log-in page. The URL (page and parameters) stays as requested."""
    cookie_script()
    st.markdown("## 江阴市网格化联动指挥中心")
    notice = st.session_state.pop(NOTICE_KEY, None)
    if notice:
        st.info(notice)
    _, middle, _ = st.columns([1, 2, 1])
    with middle:
        with st.form("login", border=True):
            st.markdown("#### 登录")
            username = st.text_input("用户名", max_chars=32, autocomplete="username")
            password = st.text_input("密码", type="password", max_chars=128, autocomplete="current-password")
            submitted = st.form_submit_button("登录", type="primary", width="stretch")
        if submitted:
            try:
                viewer, token = data.login(username, password)
            except Exception as exc:  # noqa: BLE001 - shown through the one error helper
                show_error(exc)
            else:
                _clear()
                _start(viewer, token, time.time())
                st.session_state[COOKIE_KEY] = "set"
                if settings().jy_proxied:        # the browser leaves for /auth/adopt and comes back
                    cookie_script()
                    st.info("正在登录…")
                    st.stop()
                st.rerun()
        try:
            info = data.dataset_info()
        except Exception:  # noqa: BLE001 - the form works without the label
            info = None
        if info and info["is_demo"]:
            st.badge("演示数据", icon=":material/warning:", color="orange")
            st.caption("演示账号由 ./run.sh 生成，用户名与密码见 .local/demo_accounts.txt。")
        st.caption(f"同一设备连续 {auth.max_failures()} 次密码错误须等待 {auth.lock_minutes()} 分钟再试（账号本身不锁定）；"
                   f"{auth.session_timeout_s() / 60:.0f} 分钟未操作自动退出。")


def account_box(viewer: Viewer) -> None:
    """Who is signed in, and the log-out button (sidebar)."""
    with st.sidebar:
        st.divider()
        place = place_name(viewer)
        st.caption(f"当前用户：{esc_md(viewer.display_name)}（{ROLES[viewer.role]}"
                   f"{'，' + esc_md(place) if place else ''}）")
        with st.expander("修改密码"):
            password_form("own_password", "修改本人密码")
        if st.button("退出登录", key="logout"):
            try:
                data.logout(st.session_state.get(TOKEN_KEY))
            finally:
                _clear()
                st.session_state[NOTICE_KEY] = "已退出登录。"
                st.session_state[COOKIE_KEY] = "clear"
            if settings().jy_proxied:            # the browser leaves for /auth/logout (clears the cookie)
                cookie_script()
                st.info("正在退出…")
                st.stop()
            st.rerun()


MUST_CHANGE_KEY = "must_change_checked"


def password_form(key: str, title: str) -> None:
    """Change one's own password: the old one, the new one twice. Every session of the account
    ends with the change, this one too: the user signs in again with the new password."""
    with st.form(key, border=True):
        st.markdown(f"#### {title}")
        old = st.text_input("原密码", type="password", max_chars=128, autocomplete="current-password")
        new = st.text_input(f"新密码（至少 {auth.MIN_PASSWORD} 位，不能只有数字或只有字母）", type="password", max_chars=128,
                            autocomplete="new-password")
        again = st.text_input("再次输入新密码", type="password", max_chars=128, autocomplete="new-password")
        go = st.form_submit_button("修改密码", type="primary")
    if not go:
        return
    if new != again:
        st.error("两次输入的新密码不一致，请重新输入。")
        return
    try:
        data.change_password(old, new)
    except Exception as exc:  # noqa: BLE001 - shown through the one error helper
        show_error(exc)
        return
    _clear()
    st.session_state[NOTICE_KEY] = "密码已修改，请用新密码重新登录。"
    st.session_state[COOKIE_KEY] = "clear"
    if settings().jy_proxied:
        cookie_script()
        st.stop()
    st.rerun()


def require_password_change() -> None:
    """An account whose password an admin set (the first admin's, a new account's, a reset) changes
    it before anything else; checked once a session."""
    token = data.viewer().token
    if MUST_CHANGE_KEY in st.session_state and st.session_state[MUST_CHANGE_KEY] == token:
        return
    if not data.must_change_password():
        st.session_state[MUST_CHANGE_KEY] = token
        return
    st.warning("您的密码由管理员设置，首次使用前请修改为只有您知道的密码。")
    _, middle, _ = st.columns([1, 2, 1])
    with middle:
        password_form("forced_password", "修改密码")
    st.stop()


def place_name(viewer: Viewer) -> str | None:
    """The town (and village) an account is bound to, by name."""
    if not viewer.town:
        return None
    path = data.resolve_path(viewer.town, viewer.village, None)
    return path.town.name + (f" {path.village.name}" if path.village else "")


def search_box() -> None:
    """Find an event by number, address or description, within the account's scope (事件详情 lists
    the matches)."""
    with st.sidebar.form("sidebar_search", border=False, enter_to_submit=True):
        q = st.text_input("搜索事件", placeholder="事件编号、地址或描述", max_chars=100, key="sidebar_q")
        if st.form_submit_button("搜索", width="stretch") and q.strip():
            st.switch_page("views/event.py", query_params={"q": q.strip()})


def sidebar_nav(pages: dict) -> None:
    """The role's pages, grouped as in app.py: {key: (group, st.Page)}, and the search box."""
    if "event" in pages:
        search_box()
    with st.sidebar:
        box = st.container(key="sidenav")
        last = None
        for group, page in pages.values():
            if group != last:
                box.caption(group)
                last = group
            box.page_link(page)


def refuse_page(title: str, home) -> None:
    """A page the signed-in role does not have (a typed or old URL)."""
    st.error(f"无权访问：您的账号不能使用“{title}”页面。")
    st.page_link(home, label="返回首页", icon="⬆️")
