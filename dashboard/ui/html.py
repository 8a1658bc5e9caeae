"""The one escaping helper: every value from the database or a user shown as HTML passes here."""
from __future__ import annotations

import html


def esc(value) -> str:
    """HTML-escape any value (None becomes an empty string)."""
    if value is None:
        return ""
    return html.escape(str(value), quote=True)
