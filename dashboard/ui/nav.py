"""Drill-down navigation: city -> town -> village -> grid -> event, all state in the URL.

Every view is a shareable URL: /town?town=…, /village?town=…&village=…, /grid?…&grid=…,
/event?event=… . Moving down uses st.switch_page with query params (a browser history entry, so
the back button walks back up); the breadcrumb leads back up with page links.
"""
from __future__ import annotations

import dataclasses
from dataclasses import dataclass

import streamlit as st

from dashboard.ui import data
from dashboard.ui.errors import show_error
from dashboard.ui.html import esc_md
from dashboard.ui.labels import labels
from geo import codes
from geo.errors import DomainError, InvalidInput, PathError
from geo.places import Path


@dataclass(frozen=True)
class PageInfo:
    group: str        # sidebar group
    file: str         # in dashboard/views/ (not "pages/": Streamlit would treat it as an old-style app)
    title: str
    url: str          # URL path (the city page is the default, "/")


# Every page, once: dashboard/app.py registers them from here, links and switches use the keys.
# No page icons: Streamlit turns a page icon into the favicon and fetches it from an online font
# server, which a command-centre network does not reach.
PAGE_INFO = {
    "city": PageInfo("指挥视图", "city.py", "市级指挥", "city"),
    "town": PageInfo("指挥视图", "town.py", "镇街", "town"),
    "village": PageInfo("指挥视图", "village.py", "村社区", "village"),
    "grid": PageInfo("指挥视图", "grid.py", "网格", "grid"),
    "event": PageInfo("指挥视图", "event.py", "事件详情", "event"),
    "onemap": PageInfo("指挥视图", "onemap.py", "一张图", "onemap"),
    "dispatch": PageInfo("调度处置", "dispatch.py", "调度台", "dispatch"),
    "intake": PageInfo("调度处置", "intake.py", "事件上报", "intake"),
    "evaluation": PageInfo("调度处置", "evaluation.py", "综合评价", "evaluation"),
    "assessment": PageInfo("调度处置", "assessment.py", "考核", "assessment"),
    "hazards": PageInfo("公共安全", "hazards.py", "危化品", "hazards"),
    "scenario": PageInfo("公共安全", "scenario.py", "事故推演", "scenario"),
    "users": PageInfo("系统管理", "users.py", "用户管理", "users"),
    "audit": PageInfo("系统管理", "audit.py", "审计日志", "audit"),
    "import": PageInfo("系统管理", "importer.py", "数据导入", "import"),
}
# key -> script path relative to dashboard/app.py (st.page_link / st.switch_page)
PAGES = {key: f"views/{info.file}" for key, info in PAGE_INFO.items()}


def allowed(page: str) -> bool:
    """Is the page in the signed-in viewer's navigation (dashboard/ui/session.py)?"""
    from dashboard.ui.session import pages_for

    return page in pages_for(data.viewer())


def link(page: str, label: str, **kwargs) -> None:
    """A page link, left out when the viewer's role does not have that page."""
    if allowed(page):
        st.page_link(PAGES[page], label=label, **kwargs)


def params_for(path: Path) -> dict[str, str]:
    out = {}
    if path.town:
        out["town"] = path.town.code
    if path.village:
        out["village"] = path.village.code
    if path.grid:
        out["grid"] = path.grid.code
    return out


def go(page: str, **params) -> None:
    """Switch to a page with these query params (None values are left out)."""
    if not allowed(page):
        return
    st.switch_page(PAGES[page], query_params={k: str(v) for k, v in params.items() if v is not None})


def qp(name: str) -> str | None:
    value = st.query_params.get(name)
    return value.strip() if isinstance(value, str) and value.strip() else None


def parse_int(raw: str | None, max_digits: int = 15) -> int | None:
    """A whole number written in ASCII digits only (not '²', '١', '+3' or '3.0'); else None."""
    if raw is None or not (0 < len(raw) <= max_digits) or not (raw.isascii() and raw.isdigit()):
        return None
    return int(raw)


def qp_int(name: str) -> int | None:
    return parse_int(qp(name))


FILTER_KEYS = ("status", "cls", "level", "days", "closed", "open", "overdue")


def show_events(prefix: str, params: dict[str, str], page: str | None = None, **place) -> None:
    """Open the event list with exactly these filters (a figure's rows): on this page (the filter
    widgets of `prefix` are reset to the URL) or, with `page`, on another page's list."""
    if page is not None:
        go(page, **place, **params)
        return
    for k in FILTER_KEYS:
        st.session_state.pop(f"{prefix}_{k}", None)
        st.query_params.pop(k, None)
    for k, v in params.items():
        st.query_params[k] = v
    st.rerun()


def current_path(required: str | None = None) -> Path:
    """Resolve the URL's town/village/grid; on a bad or mismatched code, explain and link up.

    A town- or village-bound viewer starts at their own place when the URL names none, and is
    refused (before any query) when the URL names another."""
    viewer = data.viewer()
    town, village, grid = qp("town"), qp("village"), qp("grid")
    if viewer.town and town is None and village is None and grid is None:
        town, village = viewer.town, viewer.village
    try:
        viewer.require(*_requested(town, village, grid))
    except DomainError as exc:
        show_error(exc)
        home = {"town": viewer.town, "village": viewer.village}
        link("village" if viewer.village else "town", label="返回本辖区", icon="⬆️",
             query_params={k: v for k, v in home.items() if v})
        st.stop()
    try:
        path = data.resolve_path(town, village, grid)
    except PathError as exc:
        show_error(exc)
        breadcrumb(exc.valid, here=None)
        up = exc.valid.deepest
        link(_page_of(up), label=f"返回{up.name if up else '江阴市'}", icon="⬆️",
             query_params=params_for(exc.valid))
        st.stop()
    if required and getattr(path, required) is None:
        _pick_missing(path, required)
        st.stop()
    # A page shows its own level: deeper codes left in the URL (a drill-down writes them before it
    # switches page, and the browser's Back returns to that URL) must not narrow 镇街 to one village.
    deeper = {"town": {"village": None, "grid": None}, "village": {"grid": None}}.get(required or "", {})
    return dataclasses.replace(path, **deeper) if deeper else path


def _requested(town: str | None, village: str | None, grid: str | None) -> tuple[str | None, str | None]:
    """The town and village a URL asks for (a grid code starts with its village's code)."""
    village = village or (codes.ancestor(grid, 2) if grid else None)
    return town or (codes.ancestor(village, 1) if village else None), village


def _page_of(place) -> str:
    return "city" if place is None else {1: "town", 2: "village", 3: "grid"}[place.level]


def _pick_missing(path: Path, required: str) -> None:
    """The URL stops above the page's level: let the user choose the next place down."""
    breadcrumb(path, here=None)
    nxt = "town" if path.town is None else ("village" if path.village is None else "grid")
    label = {"town": "镇街", "village": "村社区", "grid": "网格"}[nxt]
    options = data.children(path.scope())
    st.info(f"请选择{label}。")
    choice = st.selectbox(label, [o["code"] for o in options], index=None,
                          format_func=labels({o["code"]: o["name"] for o in options}),
                          placeholder=f"选择{label}…", key=f"pick_{nxt}")
    if choice:   # back to this same page, one level more in the URL (it asks again if needed)
        go(required, **{**params_for(path), nxt: choice})


def event_id() -> int:
    raw = qp("event")
    value = parse_int(raw)
    if value is None:
        show_error(InvalidInput(f"event id {raw!r} is not a number",
                                f"事件编号“{raw or ''}”无效，请从事件列表进入。"))
        breadcrumb(Path(), here=None)
        st.stop()
    return value


def breadcrumb(path: Path, here: str | None = "", event: int | None = None) -> None:
    """江阴市 › town › village › grid › 事件 N, each a link up; the current place is plain text."""
    steps: list[tuple[str, str, dict]] = [("city", "江阴市", {})]
    if path.town:
        steps.append(("town", path.town.name, {"town": path.town.code}))
    if path.village:
        steps.append(("village", path.village.name,
                      {"town": path.village.code[:9], "village": path.village.code}))
    if path.grid:
        steps.append(("grid", path.grid.name, params_for(path)))
    if event is not None:
        steps.append(("event", f"事件 {event}", {**params_for(path), "event": str(event)}))
    row = st.container(horizontal=True, gap="small", vertical_alignment="center", key="breadcrumb")
    with row:
        for i, (page, label, params) in enumerate(steps):
            last = i == len(steps) - 1 and here is not None
            if last:
                st.markdown(f"**{esc_md(label)}**")
            else:
                if allowed(page):
                    st.page_link(PAGES[page], label=label, query_params=params)
                else:
                    st.markdown(esc_md(label))
                st.markdown("›")

