"""Playwright driving Debian's /usr/bin/chromium (never a downloaded browser)."""
from __future__ import annotations

import shutil
from contextlib import contextmanager

from playwright.sync_api import sync_playwright

CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run",
                 # deck.gl needs WebGL; without a GPU, Chromium's software renderer provides it.
                 "--use-angle=swiftshader", "--enable-unsafe-swiftshader"]


def chromium_path() -> str:
    path = shutil.which("chromium")
    if not path:
        raise RuntimeError("Debian's chromium is not installed; ./test.sh installs it (apt-get install chromium)")
    return path


@contextmanager
def open_page(url: str, width: int = 1920, height: int = 1080, wait_text: str | None = "江阴市",
              timeout_ms: int = 60_000, login: tuple[str, str] | None = None, requests: list | None = None,
              ignore_https_errors: bool = False):
    """Open `url`; with `login` (username, password), sign in on the log-in form first (the
    requested page then opens). With `requests`, every URL the page and its frames ask for is
    appended to it, from the first."""
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=chromium_path(), args=CHROMIUM_ARGS, headless=True)
        try:
            page = browser.new_page(viewport={"width": width, "height": height}, locale="zh-CN",
                                    accept_downloads=True, ignore_https_errors=ignore_https_errors)
            if requests is not None:
                page.context.on("request", lambda r: requests.append(r.url))
            page.goto(url, wait_until="domcontentloaded", timeout=timeout_ms)
            if login:
                sign_in(page, *login, timeout_ms=timeout_ms)
            if wait_text:
                page.get_by_text(wait_text).first.wait_for(timeout=timeout_ms)
            wait_for_streamlit(page, timeout_ms)
            yield page
        finally:
            browser.close()


def sign_in(page, username: str, password: str, timeout_ms: int = 60_000) -> None:
    button = page.get_by_role("button", name="登录", exact=True)
    button.wait_for(timeout=timeout_ms)
    page.get_by_label("用户名", exact=True).fill(username)
    page.get_by_label("密码", exact=True).fill(password)
    button.click()
    button.wait_for(state="detached", timeout=timeout_ms)    # the form is gone: signed in


def wait_for_streamlit(page, timeout_ms: int = 60_000) -> None:
    """Wait until the script run finished (no running indicator) and maps had time to draw."""
    page.wait_for_function(
        "() => !document.querySelector('[data-testid=\"stStatusWidget\"]')", timeout=timeout_ms)
    page.wait_for_timeout(2500)


def lonlat_to_pixel(box: dict, view, lon: float, lat: float) -> tuple[float, float]:
    """Screen position of (lon, lat) in a deck.gl MapView whose canvas occupies `box` (CSS px)
    and whose view state is (lon, lat, zoom): Web Mercator with a 512 px world at zoom 0."""
    import math

    def merc(lo, la):
        s = math.sin(math.radians(la))
        return (lo + 180) / 360, 0.5 - math.log((1 + s) / (1 - s)) / (4 * math.pi)

    c_lon, c_lat, zoom = view
    scale = 512 * 2 ** zoom
    cx, cy = merc(c_lon, c_lat)
    px, py = merc(lon, lat)
    return (box["x"] + box["width"] / 2 + (px - cx) * scale,
            box["y"] + box["height"] / 2 + (py - cy) * scale)


def click_map(page, view, lon: float, lat: float, index: int = 0) -> None:
    canvas = page.locator('[data-testid="stDeckGlJsonChart"] canvas').nth(index)
    canvas.wait_for()
    box = canvas.bounding_box()
    x, y = lonlat_to_pixel(box, view, lon, lat)
    page.mouse.move(x, y)
    page.wait_for_timeout(300)
    page.mouse.click(x, y)
