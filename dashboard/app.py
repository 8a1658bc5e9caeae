"""Streamlit entry point: `streamlit run dashboard/app.py` (./run.sh does this).

No page runs before sign-in (dashboard/ui/session.py); each role gets its own set of pages.
"""
from __future__ import annotations

import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

import streamlit as st  # noqa: E402

from dashboard.ui import locale, session  # noqa: E402
from dashboard.ui.errors import user_errors  # noqa: E402

# No page_icon: a Material icon there makes the browser fetch the favicon from an online font server.
st.set_page_config(page_title="江阴市网格化联动指挥中心", layout="wide")
locale.apply()

# Not "pages/": Streamlit would treat that folder as an old-style multipage app.
PAGES_DIR = ROOT / "dashboard" / "views"
# key: (group, file, title, url path). No page icons: Streamlit turns a page icon into the favicon
# and fetches it from an online font server, which a command-centre network does not reach.
ALL_PAGES = {
    "city": ("指挥视图", "city.py", "市级指挥", "city"),
    "town": ("指挥视图", "town.py", "镇街", "town"),
    "village": ("指挥视图", "village.py", "村社区", "village"),
    "grid": ("指挥视图", "grid.py", "网格", "grid"),
    "event": ("指挥视图", "event.py", "事件详情", "event"),
    "dispatch": ("调度处置", "dispatch.py", "调度台", "dispatch"),
    "intake": ("调度处置", "intake.py", "事件上报", "intake"),
    "evaluation": ("调度处置", "evaluation.py", "综合评价", "evaluation"),
    "hazards": ("公共安全", "hazards.py", "危化品", "hazards"),
    "scenario": ("公共安全", "scenario.py", "事故推演", "scenario"),
    "users": ("系统管理", "users.py", "用户管理", "users"),
    "audit": ("系统管理", "audit.py", "审计日志", "audit"),
    "import": ("系统管理", "importer.py", "数据导入", "import"),
}

viewer = None
with user_errors():
    viewer = session.signed_in()

# Every page is registered, so any URL (and its parameters) survives the log-in form and a page the
# role does not have gets a Chinese refusal rather than Streamlit's "page not found". The sidebar
# lists only the role's pages (session.sidebar_nav); the first is where the role lands.
allowed = session.pages_for(viewer) if viewer else ["city"]
# The city page is always the default ("/"), so every other page keeps its own path.
registered = {key: st.Page(str(PAGES_DIR / file), title=title, url_path=url, default=key == "city")
              for key, (group, file, title, url) in ALL_PAGES.items()}
groups: dict[str, list] = {}
for key, pg in registered.items():
    groups.setdefault(ALL_PAGES[key][0], []).append(pg)
page = st.navigation(groups, position="hidden")
if viewer is None:
    session.login_form()
    st.stop()
# The wall (?screen=1 / ?screen=wide) shows no navigation at all.
if st.query_params.get("screen") not in ("1", "wide"):
    session.sidebar_nav({k: (ALL_PAGES[k][0], registered[k]) for k in allowed})
    session.account_box(viewer)
# the default page reports an empty url_path: match on the (unique) title
key = next(k for k, pg in registered.items() if pg is page or pg.title == page.title)
if key == "city" and key not in allowed:   # "/" for a town- or village-bound account: go home
    st.switch_page(registered[allowed[0]])  # (the cookie is set on the run that shows a page)
session.cookie_script()
if key in allowed:
    page.run()
else:
    session.refuse_page(ALL_PAGES[key][2], registered[allowed[0]])
