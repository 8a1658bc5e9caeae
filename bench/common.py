"""What the benchmarks share: a signed-in AppTest and the demo accounts' passwords."""
from __future__ import annotations

import time
import uuid
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
APP = str(ROOT / "dashboard" / "app.py")


def signed_in_app(viewer=None, timeout: int = 120):
    """An AppTest of the dashboard whose session is signed in (a city commander by default)."""
    import dataclasses
    import os

    import psycopg
    from streamlit.testing.v1 import AppTest

    from geo.access import Viewer
    from loaders.accounts import service_session

    at = AppTest.from_file(APP, default_timeout=timeout)
    viewer = viewer or Viewer("bench", "基准测试", "city_commander")
    if viewer.token is None:             # the database derives the scope from a session (migration 027)
        with psycopg.connect(os.environ["DATABASE_URL"]) as conn:
            viewer = dataclasses.replace(viewer, token=service_session(conn, viewer))
    at.session_state["viewer"] = viewer
    at.session_state["last_seen"] = time.time()
    return at


def demo_login(username: str, accounts: str | Path | None = None) -> tuple[str, str]:
    """(username, password) of a demo account, from .local/demo_accounts.txt (./run.sh writes it) or
    `accounts` (another database's file, e.g. .local/demo_accounts.jy2m.txt)."""
    path = Path(accounts) if accounts else ROOT / ".local" / "demo_accounts.txt"
    for line in path.read_text(encoding="utf-8").splitlines():
        parts = line.split("\t")
        if parts[0] == username:
            return username, parts[2]
    raise SystemExit(f"no demo account {username} in {path}; run ./run.sh first")


def app_url(url: str) -> str:
    """The database at `url` as the dashboard's role: the user and password of APP_DATABASE_URL
    (./run.sh prints it), the server and database of `url` (e.g. a scratch database)."""
    import os

    from psycopg.conninfo import conninfo_to_dict, make_conninfo

    app = conninfo_to_dict(os.environ["APP_DATABASE_URL"])
    return make_conninfo(url, user=app["user"], password=app["password"])


def save_json(path, payload: dict) -> None:
    """A benchmark's results as JSON (bench/results/ by default; git-ignored)."""
    import json
    from pathlib import Path

    Path(path).parent.mkdir(parents=True, exist_ok=True)
    Path(path).write_text(json.dumps(payload, ensure_ascii=False, indent=2, default=str))


def multipart(fields: dict, photo: bytes) -> tuple[bytes, str]:
    """A multipart/form-data body of text fields and one JPEG as `photos` (the terminals' report with a photo)."""
    b = uuid.uuid4().hex
    parts = [f'--{b}\r\nContent-Disposition: form-data; name="{k}"\r\n\r\n{v}\r\n'.encode() for k, v in fields.items()]
    parts.append(f'--{b}\r\nContent-Disposition: form-data; name="photos"; filename="p.jpg"\r\n'
                 f"Content-Type: image/jpeg\r\n\r\n".encode() + photo + b"\r\n")
    return b"".join(parts) + f"--{b}--\r\n".encode(), f"multipart/form-data; boundary={b}"


def pct(values: list[float], p: float) -> float | None:
    """The p-th percentile (nearest rank) of the values; None for none."""
    if not values:
        return None
    s = sorted(values)
    return s[min(len(s) - 1, int(round(p / 100 * (len(s) - 1))))]
