"""Every URL parameter through one strict parser (issue 19, item 4): digits that are not ASCII
('²', '١'), signs, decimals and lists never reach int() or a substring test; crafted URLs of every
page with numbers in them get the page, not the generic error."""
from __future__ import annotations

from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from dashboard.ui.nav import parse_int
from tests.fixtures import signed_in, viewer

APP = str(Path(__file__).resolve().parent.parent / "dashboard" / "app.py")


@pytest.mark.parametrize("raw, value", [("12", 12), ("007", 7), ("²", None), ("١٢", None), ("+3", None), ("3.0", None),
                                        ("", None), (None, None), ("1" * 16, None), (" 3", None)])
def test_parse_int_takes_ascii_digits_only(raw, value):
    assert parse_int(raw) == value


@pytest.mark.parametrize("page, params", [
    ("event", {"event": "²"}), ("town", {"town": "320281004", "days": "²"}), ("hazards", {"level": "12,234"}),
    ("hazards", {"site": "١"}), ("scenario", {"site": "3.0"}), ("dispatch", {"event": "-1"}),
    ("onemap", {"days": "²", "layers": "x,events,<script>", "worker": "1e3", "enterprise": "١"}),
    ("assessment", {"month": "2026-13", "unit": "<b>"}), ("wall", {}),
])
def test_crafted_numbers_in_urls_never_crash_a_page(app_db, page, params):
    at = signed_in(AppTest.from_file(APP, default_timeout=120), viewer("city_commander"))
    if page == "wall":
        at.query_params["screen"] = "1"
        at.query_params["rotate"] = "²"
    else:
        at.switch_page(f"views/{page}.py")
        for k, v in params.items():
            at.query_params[k] = v
    at.run()
    assert not at.exception, (page, [e.value for e in at.exception])
    generic = [e.value for e in at.error if "意外错误" in e.value]
    assert not generic, (page, generic)
