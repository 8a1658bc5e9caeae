"""The web tier as ./run.sh serves it (scripts/serve.sh): HAProxy in front of two Streamlit workers
and the API. In Chromium: two sessions land on different workers (sticky cookie JYWEB, HttpOnly),
each keeps its state across reruns, a reload keeps the session, and when one session's worker is
killed the supervisor starts it again while the session goes on on the other worker — signed in
still, or asked to sign in again at most. The API answers through the same port."""
from __future__ import annotations

import json
import os
import signal
import time
import urllib.error
import urllib.request
from contextlib import ExitStack

import psycopg
import pytest

from tests.browser import open_context, sign_in, wait_for_streamlit
from tests.fixtures import login_for
from tests.server import ROOT, proxied_servers


@pytest.fixture(scope="module")
def served(demo_url):
    (ROOT / "artifacts").mkdir(exist_ok=True)
    with proxied_servers(demo_url, workers=2) as (base, run_dir):
        yield base, run_dir


def worker_pid(run_dir, name: str) -> int:
    return int((run_dir / f"web-{name[1:]}.pid").read_text())


def healthy(url: str) -> bool:
    try:
        with urllib.request.urlopen(url, timeout=2) as r:
            return r.status == 200
    except OSError:
        return False


def test_sticky_sessions_survive_reruns_reloads_and_a_dead_worker(served, demo_url):
    base, run_dir = served
    with urllib.request.urlopen(f"{base}/api/v1/health", timeout=10) as r:
        assert json.loads(r.read())["status"] == "ok", "the API through the proxy"
    user = login_for(demo_url, "dispatcher")
    with psycopg.connect(demo_url) as conn:
        seen = conn.execute("SELECT coalesce(max(chain_seq), 0) FROM audit_log").fetchone()[0]
    with ExitStack() as stack:
        tabs = []
        for i in range(2):
            # the second browser claims an address of its own: HAProxy appends the real one, which counts
            forged = {"extra_http_headers": {"X-Forwarded-For": "198.51.100.7"}} if i else {}
            ctx = stack.enter_context(open_context(viewport={"width": 1600, "height": 1000}, locale="zh-CN", **forged))
            page = ctx.new_page()
            page.goto(f"{base}/dispatch", wait_until="domcontentloaded")
            sign_in(page, *user)
            page.get_by_text("调度台").first.wait_for(timeout=60_000)
            wait_for_streamlit(page)
            tabs.append((ctx, page))
        servers = []
        for ctx, _ in tabs:
            jar = {c["name"]: c for c in ctx.cookies()}
            assert jar["JYWEB"]["httpOnly"], "the proxy's cookie is HttpOnly"
            servers.append(jar["JYWEB"]["value"])
        assert sorted(servers) == ["w1", "w2"], servers
        # each sign-in is audited with the browser's address as the proxy saw it (issue 29: was "unknown")
        with psycopg.connect(demo_url) as conn:
            sources = [r[0] for r in conn.execute(
                "SELECT detail->>'source' FROM audit_log WHERE action = 'login' AND username = %s AND chain_seq > %s",
                (user[0], seen))]
        assert sources == ["127.0.0.1", "127.0.0.1"], sources

        # state across reruns: each session's own search stays while the page reruns
        for i, (_, page) in enumerate(tabs):
            box = page.get_by_label("搜索", exact=True)
            box.fill(f"不存在的描述{i}")
            box.press("Enter")
            page.get_by_text(f"搜索“不存在的描述{i}”").first.wait_for(timeout=30_000)
            page.get_by_text("仅超期").first.click()          # another rerun
            wait_for_streamlit(page)
            assert box.input_value() == f"不存在的描述{i}"
            page.get_by_text(f"搜索“不存在的描述{i}”").first.wait_for(timeout=30_000)

        # a reload keeps the session (the session cookie), on the same worker
        ctx, page = tabs[0]
        page.reload(wait_until="domcontentloaded")
        page.get_by_text("调度台").first.wait_for(timeout=60_000)
        wait_for_streamlit(page)
        assert page.get_by_role("button", name="登录", exact=True).count() == 0
        assert {c["name"]: c["value"] for c in ctx.cookies()}["JYWEB"] == servers[0]

        # kill the first session's worker: the supervisor replaces it; the session carries on
        dead = worker_pid(run_dir, servers[0])
        os.kill(dead, signal.SIGKILL)
        deadline = time.monotonic() + 90
        while time.monotonic() < deadline:
            if (run_dir / f"web-{servers[0][1:]}.pid").exists() and worker_pid(run_dir, servers[0]) != dead:
                break
            time.sleep(0.5)
        assert worker_pid(run_dir, servers[0]) != dead, "the supervisor started the worker again"
        page.get_by_text("调度台").or_(page.get_by_role("button", name="登录", exact=True)).first.wait_for(
            timeout=90_000)
        if page.get_by_role("button", name="登录", exact=True).count():
            sign_in(page, *user)                 # asked to sign in again, at most
        page.reload(wait_until="domcontentloaded")
        page.get_by_text("调度台").first.wait_for(timeout=90_000)
        wait_for_streamlit(page)
        page.screenshot(path=str(ROOT / "artifacts" / "proxy-after-worker-killed.png"))
        # the other session never noticed
        _, other = tabs[1]
        other.get_by_text("仅超期").first.click()
        wait_for_streamlit(other)
        assert other.get_by_role("button", name="登录", exact=True).count() == 0


def test_security_headers_on_every_answer_and_no_server_banner(served):
    base, _ = served
    for path in ("/", "/_stcore/health", "/app/static/vendor/leaflet/leaflet.js", "/api/v1/health",
                 "/api/v1/no-such-thing"):
        req = urllib.request.Request(base + path)
        try:
            with urllib.request.urlopen(req, timeout=10) as r:
                headers = r.headers
        except urllib.error.HTTPError as err:       # a 404 carries them too
            headers = err.headers
        assert headers["X-Content-Type-Options"] == "nosniff", path
        assert headers["X-Frame-Options"] == "SAMEORIGIN", path
        assert headers["Referrer-Policy"] == "same-origin", path
        assert "frame-ancestors 'self'" in headers["Content-Security-Policy"], path
        assert headers.get("Server") is None, (path, headers.get("Server"))


@pytest.mark.parametrize("path,account,shows", [
    ("/event?event={eid}", "commander", "事件 {eid}"),
    ("/dispatch?event={eid}", "dispatcher", "{eid}"),
    ("/?screen=1", "wall", "超期事件"),
])
def test_a_link_opened_before_sign_in_is_where_sign_in_lands(served, demo_url, path, account, shows):
    """A link in a 催办 notice or a chat (an event, the dispatch console on an event, the wall) opened
    by a browser that is not signed in: the log-in form, then that page with its parameters — through
    the proxy, where sign-in leaves for /auth/adopt and comes back."""
    base, _ = served
    with psycopg.connect(demo_url) as conn:
        eid = conn.execute("SELECT id FROM events WHERE status = 'reported' ORDER BY id LIMIT 1").fetchone()[0]
    target = path.format(eid=eid)
    with open_context(viewport={"width": 1920, "height": 1080}, locale="zh-CN") as ctx:
        page = ctx.new_page()
        page.goto(base + target, wait_until="domcontentloaded")
        sign_in(page, *login_for(demo_url, account))
        page.wait_for_url(lambda u: u.endswith(target), timeout=60_000)
        page.get_by_text(shows.format(eid=eid)).first.wait_for(timeout=60_000)
        wait_for_streamlit(page)
        assert page.url == base + target
        assert page.get_by_role("button", name="登录", exact=True).count() == 0
        name = {"commander": "event", "dispatcher": "dispatch", "wall": "wall"}[account]
        page.screenshot(path=str(ROOT / "artifacts" / f"link-after-sign-in-{name}.png"))
