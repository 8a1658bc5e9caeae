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
from dashboard.ui.nav import PAGE_INFO  # noqa: E402
from dashboard.ui.profile import profiled, run_slot  # noqa: E402

# No page_icon: a Material icon there makes the browser fetch the favicon from an online font server.
st.set_page_config(page_title="江阴市网格化联动指挥中心", layout="wide")
locale.apply()

PAGES_DIR = ROOT / "dashboard" / "views"
PAGES_KEY = "_pages"

# A whole run, in one of the process's run slots, profiled when JY_PROFILE_DIR is set
# (dashboard/ui/profile.py).
with run_slot(), profiled() as run_tag:
    viewer = None
    with user_errors():
        viewer = session.signed_in()

    # Every page is registered, so any URL (and its parameters) survives the log-in form and a page the
    # role does not have gets a Chinese refusal rather than Streamlit's "page not found". The sidebar
    # lists only the role's pages (session.sidebar_nav); the first is where the role lands.
    allowed = session.pages_for(viewer) if viewer else ["city"]
    # The city page is always the default ("/"), so every other page keeps its own path. Made once per
    # session (st.Page resolves its file on the disk: 4 ms of every run); not shared between sessions,
    # st.navigation marks the page it lets run on the object.
    registered = st.session_state.get(PAGES_KEY)
    if registered is None:
        registered = st.session_state[PAGES_KEY] = {
            key: st.Page(str(PAGES_DIR / info.file), title=info.title, url_path=info.url, default=key == "city")
            for key, info in PAGE_INFO.items()}
    groups: dict[str, list] = {}
    for key, pg in registered.items():
        groups.setdefault(PAGE_INFO[key].group, []).append(pg)
    page = st.navigation(groups, position="hidden")
    if viewer is None:
        session.login_form()
        st.stop()
    # The wall (?screen=1 / ?screen=wide) shows no navigation at all.
    if st.query_params.get("screen") not in ("1", "wide"):
        session.sidebar_nav({k: (PAGE_INFO[k].group, registered[k]) for k in allowed})
        session.account_box(viewer)
    with user_errors():
        session.require_password_change()
    # the default page reports an empty url_path: match on the (unique) title
    key = next(k for k, pg in registered.items() if pg is page or pg.title == page.title)
    run_tag["page"] = key
    if key == "city" and key not in allowed:   # "/" for a town- or village-bound account: go home
        st.switch_page(registered[allowed[0]])  # (the cookie is set on the run that shows a page)
    session.cookie_script()
    if key in allowed:
        page.run()
    else:
        session.refuse_page(PAGE_INFO[key].title, registered[allowed[0]])
