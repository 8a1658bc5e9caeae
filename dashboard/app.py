"""Streamlit entry point: `streamlit run dashboard/app.py` (./run.sh does this)."""
from __future__ import annotations

import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

import streamlit as st  # noqa: E402

st.set_page_config(page_title="江阴市网格化联动指挥中心", page_icon="🛰️", layout="wide")

PAGES = [
    st.Page(str(ROOT / "dashboard" / "pages" / "city.py"), title="市级指挥", icon="🏙️",
            url_path="city", default=True),
]
st.navigation(PAGES).run()
