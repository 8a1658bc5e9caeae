"""The session cookie is HttpOnly (issue 19, item 2): behind the proxy, as ./run.sh serves it, the
log-in form hands the session to the API (/auth/adopt), which sets the cookie; no script can read it.
Log-out ends the session in the database and clears the cookie. With JY_TLS_CERT/JY_TLS_KEY the same
proxy serves HTTPS and the cookie is Secure."""
from __future__ import annotations

import subprocess
import tempfile
from pathlib import Path

import psycopg
import pytest

from geo import auth
from tests.browser import open_page, wait_for_streamlit
from tests.fixtures import demo_database
from tests.server import proxied_servers

PASSWORD = "Cookie-pass-2026"


@pytest.fixture(scope="module")
def site():
    with demo_database("jy_cookie") as url:
        with psycopg.connect(url) as conn:
            auth.create_user(conn, "(test)", "cookie.user", "饼干测试", "city_commander", PASSWORD)
            conn.commit()
        yield url


def open_sessions(url: str) -> int:
    with psycopg.connect(url) as conn:
        return conn.execute("SELECT count(*) FROM app_sessions WHERE username = 'cookie.user' AND ended_at IS NULL"
                            ).fetchone()[0]


def session_cookie(page) -> dict | None:
    return next((c for c in page.context.cookies() if c["name"] == "jy_session"), None)


@pytest.mark.timeout(600)
def test_the_session_cookie_is_httponly_and_logout_ends_it(site):
    with proxied_servers(site, workers=1) as (base, _):
        with open_page(base + "/", wait_text="在办事件", login=("cookie.user", PASSWORD)) as page:
            cookie = session_cookie(page)
            assert cookie is not None, page.context.cookies()
            assert cookie["httpOnly"] is True and cookie["sameSite"] == "Strict" and cookie["secure"] is False
            assert "jy_session" not in page.evaluate("document.cookie")         # no script sees it
            assert open_sessions(site) == 1            # the form's session was exchanged, not kept
            page.reload(wait_until="domcontentloaded")    # a new tab or a reload resumes from it
            page.get_by_text("在办事件").first.wait_for(timeout=60_000)
            page.get_by_role("button", name="退出登录").click()
            page.get_by_role("button", name="登录", exact=True).wait_for(timeout=60_000)
            wait_for_streamlit(page)
            assert session_cookie(page) is None
            assert open_sessions(site) == 0
            Path("artifacts").mkdir(exist_ok=True)
            page.screenshot(path="artifacts/cookie-logged-out.png")


def self_signed(dir_: Path) -> tuple[Path, Path]:
    cert, key = dir_ / "cert.pem", dir_ / "key.pem"
    subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2", "-subj", "/CN=localhost",
                    "-keyout", str(key), "-out", str(cert)], check=True, capture_output=True, timeout=120)
    return cert, key


@pytest.mark.timeout(600)
def test_over_https_the_cookie_is_secure(site):
    with tempfile.TemporaryDirectory() as tmp:
        cert, key = self_signed(Path(tmp))
        env = {"JY_TLS_CERT": str(cert), "JY_TLS_KEY": str(key)}
        with proxied_servers(site, workers=1, extra_env=env) as (base, _):
            assert base.startswith("https://")
            with open_page(base + "/", wait_text="在办事件", login=("cookie.user", PASSWORD),
                           ignore_https_errors=True) as page:
                cookie = session_cookie(page)
                assert cookie is not None and cookie["secure"] is True and cookie["httpOnly"] is True
                headers = page.request.get(base + "/_stcore/health").headers
                assert headers.get("strict-transport-security", "").startswith("max-age=")
