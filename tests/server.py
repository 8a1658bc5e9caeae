"""Run the real Streamlit server for browser tests (a subprocess on a free localhost port)."""
from __future__ import annotations

import os
import socket
import ssl
import subprocess
import sys
import time
import urllib.request
from contextlib import contextmanager
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _serve(cmd: list[str], env: dict, health: str | tuple[str, ...], port: int, what: str, timeout_s: float,
           scheme: str = "http"):
    """Start a server process, wait until every `health` path answers 200, yield its base URL, stop it
    (over HTTPS with a self-signed certificate when scheme is https)."""
    paths = [health] if isinstance(health, str) else list(health)
    log = open(ROOT / "artifacts" / f"{what}-{port}.log", "w") if (ROOT / "artifacts").is_dir() else subprocess.DEVNULL
    proc = subprocess.Popen(cmd, cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT)
    url = f"{scheme}://127.0.0.1:{port}"
    context = ssl._create_unverified_context() if scheme == "https" else None     # noqa: S323 - the test's own certificate
    try:
        deadline = time.monotonic() + timeout_s
        while paths:
            try:
                with urllib.request.urlopen(f"{url}{paths[0]}", timeout=2, context=context) as r:
                    if r.status == 200:
                        paths.pop(0)
                        continue
            except OSError:
                pass
            if proc.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(f"{what} did not start on port {port} (exit {proc.poll()})")
            time.sleep(0.3)
        yield url
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()


def _env(database_url: str, extra_env: dict | None) -> dict:
    from tests.fixtures import app_url_for
    # the tests' throwaway databases, or (benchmarks) the APP_DATABASE_URL that ./run.sh printed
    app_url = app_url_for(database_url) if os.environ.get("TEST_APP_DATABASE_URL") else os.environ["APP_DATABASE_URL"]
    return {**os.environ, "DATABASE_URL": database_url, "APP_DATABASE_URL": app_url, **(extra_env or {})}


@contextmanager
def streamlit_server(database_url: str, extra_env: dict | None = None, timeout_s: float = 60):
    port = free_port()
    yield from _serve([sys.executable, "-m", "dashboard.serve", "run", str(ROOT / "dashboard" / "app.py"),
                       "--server.port", str(port), "--server.address", "127.0.0.1", "--server.headless", "true"],
                      _env(database_url, extra_env), "/_stcore/health", port, "streamlit", timeout_s)


@contextmanager
def api_server(database_url: str, extra_env: dict | None = None, timeout_s: float = 60):
    """The real HTTP API (uvicorn) on the database, as ./run.sh starts it."""
    port = free_port()
    yield from _serve([sys.executable, "-m", "uvicorn", "api.app:app", "--host", "127.0.0.1", "--port", str(port),
                       "--log-level", "warning"], _env(database_url, extra_env), "/api/v1/health", port, "api", timeout_s)


@contextmanager
def proxied_servers(database_url: str, workers: int = 2, extra_env: dict | None = None, timeout_s: float = 90):
    """What ./run.sh serves (scripts/serve.sh): HAProxy on a free port in front of `workers`
    Streamlit processes and the API; yields (base URL, the run directory with the workers' pid files)."""
    port = free_port()
    env = {**_env(database_url, extra_env), "PORT": str(port), "API_PORT": str(free_port()),
           "JY_WEB_WORKERS": str(workers), "JY_API_WORKERS": "1", "JY_FEED": "0",
           # the queue's bounds (scripts/serve.sh) are for a machine that serves only the API; beside a
           # busy test run a 10 ms bound sheds a test's own requests (tests/test_api_overload.py sets them)
           "JY_API_QUEUE_MS": "5000", "JY_API_REPORT_WAIT_MS": "5000", **(extra_env or {})}
    scheme = "https" if env.get("JY_TLS_CERT") else "http"
    # ready when the dashboard and the API both answer through the proxy (the API starts beside the jobs)
    for url in _serve(["bash", str(ROOT / "scripts" / "serve.sh")], env, ("/_stcore/health", "/api/v1/health"), port,
                      "serve", timeout_s, scheme):
        yield url, ROOT / ".local" / "run" / str(port)
