"""The escaping helpers: every value from the database or a user shown as HTML passes esc(), and
as Markdown (st.markdown renders no raw HTML, but would render links and emphasis) esc_md()."""
from __future__ import annotations

import html


def esc(value) -> str:
    """HTML-escape any value (None becomes an empty string)."""
    if value is None:
        return ""
    return html.escape(str(value), quote=True)


_MD_SPECIAL = set("\\`*_{}[]()#+-.!|~<>&:")


def esc_md(value) -> str:
    """Backslash-escape Markdown syntax so a value shows as typed (links and images inert)."""
    if value is None:
        return ""
    return "".join("\\" + ch if ch in _MD_SPECIAL else ch for ch in str(value))
