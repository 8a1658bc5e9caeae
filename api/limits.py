"""Bounded requests and bounded work, before anything else runs (issue 29).

BodyLimit counts a request body's bytes while they stream in — declared with Content-Length or
chunked — and answers 413 the moment the count passes the limit of its kind: 40 MB for multipart
(photos), 1 MB for anything else (JSON, a form, Open311). A declared length over the limit is refused before
a byte is read; a chunked body is refused at the first chunk past it. It runs outside the routes, so
before the bearer token is checked, and whatever the route had begun to answer is dropped.

Shed keeps the work it accepts fast under overload: each process serves at most `capacity` requests at
once (a little more than its database pool) and answers the rest at once with 503 and Retry-After, so
a terminal retries (with its Idempotency-Key) instead of waiting in a queue that makes every request
slow. Reports (POST /api/v1/reports: rare beside positions and polls, and 特急 among them) and the
health check are never shed here; long-polls that are waiting hold no database connection and do not count.

Behind the proxy (scripts/serve.sh) the bound is time in the queue: HAProxy lets JY_API_MAXCONN requests
in at once and answers 503 + Retry-After to one that waited JY_API_QUEUE_MS. Reports have a lane of
their own there that never times out, and are judged here instead, once their body says how urgent they
are (`shed_late`): an ordinary report that waited longer than JY_API_REPORT_WAIT_MS since the proxy took it
(X-Request-Start, set by HAProxy) is answered 503 + Retry-After before any work — the terminal sends it
again with the same Idempotency-Key —, a 特急 one is always served.
"""
from __future__ import annotations

import json
import time

from api import errors
from geo import photos
from geo.errors import Busy
from geo.settings import settings

MB = 1024 * 1024
MAX_MULTIPART = 40 * MB      # nine phone photos (each ≤ 10 MB, geo.photos) and the fields
MAX_OTHER = 1 * MB           # JSON, an Open311 form, anything without files
MAX_OPEN311_MEDIA = photos.MAX_BYTES + MB   # Open311's `media` extension: one photo and the fields


class _TooLarge(Exception):
    pass


def limit_for(path: str, content_type: str) -> int:
    """40 MB for the terminals' multipart (photos), 11 MB for Open311's (one `media` photo); 1 MB
    for the rest (JSON, forms)."""
    if content_type.lower().startswith("multipart/"):
        return MAX_OPEN311_MEDIA if path.startswith("/open311/") else MAX_MULTIPART
    return MAX_OTHER


def _message(path: str, limit: int) -> tuple[str, str]:
    if limit == MAX_OPEN311_MEDIA:
        return "too_large", (f"请求内容超过上限 {MAX_OPEN311_MEDIA // MB} MB：media 为一张照片，"
                             f"不超过 {photos.MAX_BYTES // MB} MB。")
    if limit == MAX_MULTIPART:
        return "too_large", (f"请求内容超过上限 {MAX_MULTIPART // MB} MB：最多 {photos.MAX_PHOTOS} 张照片，"
                             f"每张不超过 {photos.MAX_BYTES // MB} MB，合计不超过 {MAX_MULTIPART // MB} MB。")
    return "too_large", f"请求内容超过上限 {MAX_OTHER // MB} MB：请减少一次提交的内容（照片请用 multipart/form-data 上传）。"


async def _json(send, path: str, status: int, code: str, message: str, headers: list | None = None) -> None:
    """The API's error shape (api/errors.py): {"code", "message"}; Open311's list on its paths."""
    media = "application/json"
    if path.startswith("/open311/"):
        status, body, media = errors.open311_error(path, status, code, message)
    else:
        body = json.dumps({"code": code, "message": message}, ensure_ascii=False).encode()
    await send({"type": "http.response.start", "status": status,
                "headers": [(b"content-type", media.encode()), (b"content-length", str(len(body)).encode()),
                            (b"connection", b"close"), *(headers or [])]})
    await send({"type": "http.response.body", "body": body})


class BodyLimit:
    def __init__(self, app) -> None:
        self.app = app

    async def __call__(self, scope, receive, send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        headers = dict(scope.get("headers") or [])
        path = scope.get("path", "")
        limit = limit_for(path, headers.get(b"content-type", b"").decode("latin-1"))
        declared = headers.get(b"content-length", b"")
        if declared.isdigit() and int(declared) > limit:
            await _json(send, path, 413, *_message(path, limit))
            return
        state = {"seen": 0, "over": False, "started": False}

        async def counted():
            message = await receive()
            if message["type"] == "http.request":
                state["seen"] += len(message.get("body", b""))
                if state["seen"] > limit:
                    state["over"] = True
                    raise _TooLarge()
            return message

        async def guarded(message) -> None:
            if state["over"]:                  # the route's answer to a cut body: ours goes instead
                return
            state["started"] = True
            await send(message)

        try:
            await self.app(scope, counted, guarded)
        except Exception:
            if not state["over"]:
                raise
        if state["over"] and not state["started"]:
            await _json(send, path, 413, *_message(path, limit))


NEVER_SHED = {("POST", "/api/v1/reports"), ("GET", "/api/v1/health")}
UNCOUNTED = {("GET", "/api/v1/notifications")}    # a long-poll mostly waits, holding no connection


class Shed:
    def __init__(self, app, capacity: int) -> None:
        self.app = app
        self.capacity = capacity
        self.busy = 0

    async def __call__(self, scope, receive, send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        kind = (scope["method"], scope["path"])
        if kind in NEVER_SHED:              # always served, but it occupies its place: others are shed first
            self.busy += 1
            try:
                await self.app(scope, receive, send)
            finally:
                self.busy -= 1
            return
        if self.busy >= self.capacity:
            await _json(send, scope["path"], 503, "busy", "服务器繁忙，请稍后重试（终端会自动重试）。",
                        [(b"retry-after", b"1")])
            return
        if kind in UNCOUNTED:
            await self.app(scope, receive, send)
            return
        self.busy += 1
        try:
            await self.app(scope, receive, send)
        finally:
            self.busy -= 1


def waited_ms(headers) -> float | None:
    """Milliseconds since the proxy took the request (X-Request-Start: t=<epoch ms>, set by HAProxy, which
    replaces whatever the client sent); None when the request did not come through the proxy."""
    raw = headers.get("x-request-start") or ""
    try:
        return time.time() * 1000 - float(raw.removeprefix("t="))
    except ValueError:
        return None


def shed_late(headers, urgent: bool) -> None:
    """Busy for a request that is not urgent and has already waited longer than the queue's bound."""
    if urgent:
        return
    waited = waited_ms(headers)
    bound = settings().jy_api_report_wait_ms
    if waited is not None and waited > bound:
        raise Busy(f"waited {waited:.0f} ms in the queue (bound {bound} ms); retry",
                   "服务器繁忙，请稍后重试（终端会自动重试，同一上报编号不会重复创建）。")
