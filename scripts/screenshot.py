"""Screenshot a dashboard URL in Debian's headless Chromium (Playwright drives it; no downloads).

    .venv/bin/python scripts/screenshot.py http://localhost:8501/ artifacts/city.png [1920x1080]
"""
from __future__ import annotations

import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tests.browser import open_page  # noqa: E402


def main() -> int:
    url, out = sys.argv[1], Path(sys.argv[2])
    w, h = (int(v) for v in (sys.argv[3] if len(sys.argv) > 3 else "1920x1080").split("x"))
    out.parent.mkdir(parents=True, exist_ok=True)
    with open_page(url, width=w, height=h) as page:
        page.screenshot(path=str(out), full_page=True)
    print(out)
    return 0


if __name__ == "__main__":
    sys.exit(main())
