"""Streamlit entry point: `streamlit run dashboard/app.py` (./run.sh does this)."""
from __future__ import annotations

import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

import streamlit as st  # noqa: E402

# No page_icon: a Material icon there makes the browser fetch the favicon from an online font server.
st.set_page_config(page_title="江阴市网格化联动指挥中心", layout="wide")

# Not "pages/": Streamlit would treat that folder as an old-style multipage app.
PAGES_DIR = ROOT / "dashboard" / "views"
# No page icons: Streamlit turns a page icon into the favicon and fetches it from an online font
# server, which a command-centre network does not reach.
PAGES = {
    "指挥视图": [
        st.Page(str(PAGES_DIR / "city.py"), title="市级指挥", url_path="city", default=True),
        st.Page(str(PAGES_DIR / "town.py"), title="镇街", url_path="town"),
        st.Page(str(PAGES_DIR / "village.py"), title="村社区", url_path="village"),
        st.Page(str(PAGES_DIR / "grid.py"), title="网格", url_path="grid"),
        st.Page(str(PAGES_DIR / "event.py"), title="事件详情", url_path="event"),
    ],
    "调度处置": [
        st.Page(str(PAGES_DIR / "dispatch.py"), title="调度台", url_path="dispatch"),
        st.Page(str(PAGES_DIR / "intake.py"), title="事件上报", url_path="intake"),
        st.Page(str(PAGES_DIR / "evaluation.py"), title="综合评价", url_path="evaluation"),
    ],
    "公共安全": [
        st.Page(str(PAGES_DIR / "hazards.py"), title="危化品", url_path="hazards"),
        st.Page(str(PAGES_DIR / "scenario.py"), title="事故推演", url_path="scenario"),
    ],
}
# The wall (?screen=1 / ?screen=wide) shows no navigation at all.
wall_mode = st.query_params.get("screen") in ("1", "wide")
st.navigation(PAGES, position="hidden" if wall_mode else "sidebar").run()
