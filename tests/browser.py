"""Playwright driving Debian's /usr/bin/chromium (never a downloaded browser)."""
from __future__ import annotations

import re
import shutil
from contextlib import contextmanager
from pathlib import Path

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


_BROWSER: dict = {}


def browser():
    """The process's one Chromium (started on first use, closed by close_browser at the end of the
    session); each page gets a context of its own: its own cookies, storage and downloads."""
    if "browser" not in _BROWSER:
        pw = sync_playwright().start()
        _BROWSER["playwright"] = pw
        _BROWSER["browser"] = pw.chromium.launch(executable_path=chromium_path(), args=CHROMIUM_ARGS, headless=True)
    elif not _BROWSER["browser"].is_connected():       # it crashed: start another
        _BROWSER["browser"] = _BROWSER["playwright"].chromium.launch(
            executable_path=chromium_path(), args=CHROMIUM_ARGS, headless=True)
    return _BROWSER["browser"]


def close_browser() -> None:
    if "browser" in _BROWSER:
        try:
            _BROWSER.pop("browser").close()
        finally:
            _BROWSER.pop("playwright").stop()


@contextmanager
def open_context(**options):
    """A fresh browser context (as a new browser profile would be) on the shared browser."""
    context = browser().new_context(**options)
    try:
        yield context
    finally:
        context.close()


@contextmanager
def open_page(url: str, width: int = 1920, height: int = 1080, wait_text: str | None = "江阴市",
              timeout_ms: int = 60_000, login: tuple[str, str] | None = None, requests: list | None = None,
              ignore_https_errors: bool = False, scale: float = 1):
    """Open `url` in a new context; with `login` (username, password), sign in on the log-in form
    first (the requested page then opens). With `requests`, every URL the page and its frames ask
    for is appended to it, from the first. `scale` is the device pixel ratio (a 4K wall at 200 %)."""
    with open_context(viewport={"width": width, "height": height}, locale="zh-CN", accept_downloads=True,
                      ignore_https_errors=ignore_https_errors, device_scale_factor=scale) as context:
        page = context.new_page()
        page.set_default_timeout(timeout_ms)
        if requests is not None:
            context.on("request", lambda r: requests.append(r.url))
        page.goto(url, wait_until="domcontentloaded", timeout=timeout_ms)
        if login:
            sign_in(page, *login, timeout_ms=timeout_ms)
        if wait_text:
            page.get_by_text(wait_text).first.wait_for(timeout=timeout_ms)
        if url.startswith("http"):           # a file:// page (an exported map) is no Streamlit app
            wait_for_streamlit(page, timeout_ms)
        yield page


def goto(page, url: str, wait_text: str | None = None, timeout_ms: int = 60_000) -> None:
    """Another page in the same browser context (the session cookie carries the sign-in over)."""
    page.goto(url, wait_until="domcontentloaded", timeout=timeout_ms)
    if wait_text:
        page.get_by_text(wait_text).first.wait_for(timeout=timeout_ms)
    wait_for_streamlit(page, timeout_ms)


def sign_in(page, username: str, password: str, timeout_ms: int = 60_000) -> None:
    button = page.get_by_role("button", name="登录", exact=True)
    button.wait_for(timeout=timeout_ms)
    page.get_by_label("用户名", exact=True).fill(username)
    page.get_by_label("密码", exact=True).fill(password)
    button.click()
    button.wait_for(state="detached", timeout=timeout_ms)    # the form is gone: signed in


# The page is ready when Streamlit's script run has finished (stApp's data-test-script-state), no
# element is still a loading skeleton, every deck.gl chart has its canvas, and that has held for two
# checks in a row (a rerun that a widget triggers right after the first run starts within that).
_SETTLED = """() => {
    const app = document.querySelector('[data-testid="stApp"]');
    const idle = app && app.getAttribute('data-test-script-state') === 'notRunning'
        && !document.querySelector('[data-testid="stStatusWidget"]')
        && !document.querySelector('[data-testid="stSkeleton"]')
        && [...document.querySelectorAll('[data-testid="stDeckGlJsonChart"]')].every(d => d.querySelector('canvas'));
    const now = performance.now();
    if (!idle) { window.__jySettledSince = undefined; return false; }
    if (window.__jySettledSince === undefined) { window.__jySettledSince = now; return false; }
    return now - window.__jySettledSince >= 250;
}"""


def wait_for_streamlit(page, timeout_ms: int = 60_000) -> None:
    """Wait until the page's script run (and any rerun it set off) has finished and its maps exist."""
    page.evaluate("() => { window.__jySettledSince = undefined; }")
    page.wait_for_function(_SETTLED, timeout=timeout_ms, polling=100)


def outcome(page, ok, name: str, timeout_ms: int = 60_000):
    """After an action: wait for its success text `ok` (str or regex) and return that element. If an
    error or exception shows instead, or nothing within the timeout, fail with what the page says
    (every alert's text) and keep a screenshot in artifacts/failed-<name>.png — a CI log then
    tells why, not only that a text never came."""
    from tests.server import ROOT

    done = page.get_by_text(ok).first
    shown = done.or_(page.locator('[data-testid="stException"]')).or_(
        page.locator('[data-testid="stAlert"]', has_text=re.compile("未成功|未完成|错误|失败|无权|不可用")))
    try:
        shown.first.wait_for(timeout=timeout_ms)
    except Exception:       # noqa: BLE001 - playwright's TimeoutError: reported below with the page's words
        pass
    if done.is_visible():
        return done
    (ROOT / "artifacts").mkdir(exist_ok=True)
    page.screenshot(path=str(ROOT / "artifacts" / f"failed-{name}.png"), full_page=True)
    alerts = page.locator('[data-testid="stAlert"], [data-testid="stException"]').all_inner_texts()
    state = page.locator('[data-testid="stApp"]').get_attribute("data-test-script-state")
    raise AssertionError(f"{ok!r} did not show; script {state}; the page says: {alerts}")


def choose(page, label: str, option: str, typed: str | None = None, stays: bool = True) -> None:
    """Pick `option` in the select box `label`, and see it picked once the page is idle: a pick made
    while a run is still drawing (a Leaflet map reports its first value after it loads and sets off
    one more run) can land on an element that is then replaced — CI saw 事件类别为空 after a pick —
    so the pick is checked and made again if it did not hold. `stays=False`: no check (a box that
    only moves a map)."""
    box = page.locator('[data-testid="stSelectbox"]', has_text=label).first
    for _ in range(3):
        wait_for_streamlit(page)
        box.click()
        if typed:
            page.keyboard.type(typed)
        page.get_by_role("option", name=option, exact=True).first.click()
        wait_for_streamlit(page)
        if not stays or option in shown(box):
            return
    raise AssertionError(f"{label}: {option!r} did not hold; the box shows {shown(box)!r}")


def shown(box) -> str:
    """What a select box shows: its text and its input's value (where the pick is drawn)."""
    inputs = box.locator("input")
    return box.inner_text() + " " + " ".join(inputs.nth(i).input_value() for i in range(inputs.count()))


def settle(page, timeout_ms: int = 60_000) -> None:
    """wait_for_streamlit, then two animation frames: deck.gl and Leaflet have drawn what they hold
    (for a screenshot or a pointer on the map)."""
    wait_for_streamlit(page, timeout_ms)
    page.evaluate("() => new Promise(r => requestAnimationFrame(() => requestAnimationFrame(r)))")


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
    page.mouse.click(x, y)


AXE = Path(__file__).resolve().parent.parent / "node_modules" / "axe-core" / "axe.min.js"
AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]


def axe_violations(page, impacts: tuple[str, ...] = ("serious", "critical")) -> list[str]:
    """axe-core (npm, pinned in package.json; GB/T 37668 follows WCAG 2.x A/AA) on the page as it is
    drawn now: one line per violation of these impacts, with up to three of its elements."""
    if not AXE.is_file():
        raise RuntimeError(f"{AXE} is missing: ./test.sh installs it (npm ci)")
    if not page.evaluate("() => typeof window.axe !== 'undefined'"):
        page.add_script_tag(path=str(AXE))
    result = page.evaluate("(tags) => axe.run(document, {runOnly: {type: 'tag', values: tags}, resultTypes: ['violations']})",
                           AXE_TAGS)
    out = []
    for v in result["violations"]:
        if v.get("impact") in impacts:
            where = "; ".join(" ".join(n["target"]) if isinstance(n["target"], list) else str(n["target"])
                              for n in v["nodes"][:3])
            out.append(f"{v['impact']} {v['id']} ×{len(v['nodes'])}: {v['help']} — {where}")
    return out
