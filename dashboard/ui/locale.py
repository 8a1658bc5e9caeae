"""Chinese everywhere a user reads. Streamlit's built-in widgets carry a few English strings that it
offers no setting for; each is hidden or replaced here with static CSS (no value from the database
or a user goes in):
- the file uploader's "Upload" (and, once a file is chosen, "Add files") button and "200MB per file • CSV"
  line -> 选择文件 / 单个文件不超过 200 MB (the chosen file's remove button keeps its × alone);
- "Press Enter to submit form" and the character counter under text inputs -> hidden;
- the keyboard users' "Skip to main content" link -> 跳到主要内容;
- the data-table toolbar (English tooltips: Download, Search, Fullscreen) -> hidden;
- the app menu and the "Running…" status widget -> hidden (toolbarMode=viewer hides most already);
- captions drawn darker than Streamlit's grey (3.8:1), to the 4.5:1 contrast GB/T 37668 asks; the
  uploader's button keeps its own text for screen readers (drawn at size 0, 选择文件 shown instead).
Charts are built with Chinese axes and tooltips in dashboard/ui/panels.py; empty lists show a
Chinese note instead of an empty grid (panels.table).
"""
from __future__ import annotations

import streamlit as st

CSS = """
<style>
[data-testid="InputInstructions"] { display: none !important; }
[data-testid="stSkipToContent"] { font-size: 0 !important; }
[data-testid="stSkipToContent"]::after { content: "跳到主要内容"; font-size: 1rem; }
[data-testid="stElementToolbar"] { display: none !important; }
[data-testid="stStatusWidget"], [data-testid="stMainMenu"] { display: none !important; }
[data-testid="stFileUploaderDropzoneInstructions"] > * { display: none !important; }
[data-testid="stFileUploaderDropzoneInstructions"]::after { content: "单个文件不超过 200 MB"; font-size: 0.85rem; opacity: 0.7; }
[data-testid="stFileUploaderDropzone"] button:not([kind="minimal"]) { font-size: 0 !important; }
[data-testid="stFileUploaderDropzone"] button:not([kind="minimal"]) * { font-size: 0 !important; }
[data-testid="stFileUploaderDropzone"] button:not([kind="minimal"])::after { content: "选择文件"; font-size: 0.9rem; white-space: nowrap; }
/* GB/T 37668 (WCAG 2.1 AA): captions at a contrast of at least 4.5:1 on white and on the sidebar */
[data-testid="stCaptionContainer"] { color: #64625f !important; opacity: 1 !important; }
</style>
"""


def apply() -> None:
    st.markdown(CSS, unsafe_allow_html=True)   # static CSS, no data
