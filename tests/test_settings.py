"""Settings: one module reads the environment; the table in docs/operations.md is generated from it."""
from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest

from geo.settings import SETTINGS, BadSetting, markdown_table, settings

ROOT = Path(__file__).resolve().parent.parent


def test_the_documented_table_is_the_generated_one():
    text = (ROOT / "docs" / "operations.md").read_text(encoding="utf-8")
    block = text.split("<!-- settings table: generated -->\n", 1)[1].split("\n<!-- end of settings table -->", 1)[0]
    assert block == markdown_table(), "regenerate the table in docs/operations.md: .venv/bin/python -m geo.settings"


def test_no_other_module_reads_the_environment():
    """Every JY_* / DATABASE_* read goes through geo.settings; shell scripts read only names listed there."""
    names = {s.name for s in SETTINGS}
    for folder in ("geo", "loaders", "dashboard", "api"):
        for path in (ROOT / folder).rglob("*.py"):
            if path.name == "settings.py" and path.parent.name == "geo":
                continue
            src = path.read_text(encoding="utf-8")
            assert not re.search(r"os\.environ\.get|os\.getenv|os\.environ\[", src), f"{path} reads the environment"
    for script in [ROOT / "run.sh", ROOT / "test.sh", *(ROOT / "scripts").glob("*.sh")]:
        used = set(re.findall(r"\$\{?((?:JY|DATABASE)_[A-Z_]+)", script.read_text(encoding="utf-8")))
        assert used <= names, f"{script.name} reads {sorted(used - names)}, not in geo/settings.py"


def test_values_are_typed_and_bad_ones_are_named(monkeypatch):
    monkeypatch.setenv("JY_WALL_REFRESH_S", "45")
    monkeypatch.setenv("JY_REPORT_RSS", "1")
    assert settings().jy_wall_refresh_s == 45 and settings().jy_report_rss is True
    monkeypatch.delenv("JY_WALL_REFRESH_S")
    assert settings().jy_wall_refresh_s == 30
    monkeypatch.setenv("JY_LOGIN_MAX_FAILURES", "five")
    with pytest.raises(BadSetting) as err:
        settings()
    assert "JY_LOGIN_MAX_FAILURES='five' is not a whole number" in err.value.message
    assert "JY_LOGIN_MAX_FAILURES" in err.value.message_zh


def test_cli_names_a_bad_setting_without_traceback():
    out = subprocess.run([sys.executable, "-m", "loaders", "migrate"], cwd=ROOT, capture_output=True, text=True,
                         env={"PATH": "/usr/bin:/bin", "JY_REPORT_RSS": "maybe", "DATABASE_URL": "postgresql://x@127.0.0.1:1/x"})
    assert out.returncode == 2 and "Traceback" not in out.stderr, out.stderr
    assert "error: environment variable JY_REPORT_RSS='maybe' is not 1 or 0" in out.stderr
