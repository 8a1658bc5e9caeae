"""The HTTP API for the grid workers' terminals (and, later, other systems): FastAPI on the same
PostGIS, the same rules (geo/) and the same row-level security as the dashboard. A terminal signs in
with its 终端编号 and password (`POST /api/v1/auth/token`) and sends the bearer token with every
request; each request runs in that worker's village scope (geo.terminals.Worker.scope).

Run: `uvicorn api.app:app --port 8502` (./run.sh starts it beside the dashboard). Every error is JSON
`{"code": …, "message": 中文说明}`: geo.errors are turned into responses in one place (api/errors.py).
"""
from __future__ import annotations

import asyncio
import datetime as dt
import logging
import threading
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Annotated

from fastapi import Depends, FastAPI, Header, Query, Request
from fastapi import Path as InPath
from fastapi.openapi.docs import get_swagger_ui_html
from fastapi.responses import HTMLResponse, JSONResponse, Response
from fastapi.staticfiles import StaticFiles
from pydantic import BaseModel, Field
from starlette.concurrency import run_in_threadpool

from api import addresses, errors, forms, limits, open311, patrols, web_session
from api.deps import bearer, pool, scoped, task_scoped, worker
from api.deps import datum as _datum
from geo import access, auth, db, events, intake, notify, overview, photos, terminals, workflow
from geo.errors import DataUnavailable, InvalidInput, NotFound
from geo.scope import Scope
from geo.status import PHOTO_STAGE_LABELS, STATUS_LABELS

PREFIX = "/api/v1"
log = logging.getLogger("jiangyin.api")
# Swagger UI from the npm registry (package.json; ./run.sh runs npm ci), served here: no CDN.
SWAGGER_DIR = Path(__file__).resolve().parent.parent / "node_modules" / "swagger-ui-dist"


DELIVER_EVERY_S = 1.0
POOL_SIZE = 8
SHED_AT = POOL_SIZE + 4     # requests served at once per process before the rest get 503 (api/limits.py)


def _deliver_loop(app: FastAPI, stop: threading.Event) -> None:
    """The outbox worker of this process: deliver what is due, and note each terminal's newest
    notification so the long-polls waiting for it wake up (one query a second, not one per waiter)."""
    city = access.ScopedPool(app.state.outbox_pool, credential=access.job("outbox"), scope=Scope.city())
    while not stop.wait(DELIVER_EVERY_S):
        try:
            notify.deliver(city)
            app.state.newest = notify.newest(city)
        except Exception:                        # the next round retries; the API keeps serving
            log.exception("outbox delivery failed")


@asynccontextmanager
async def lifespan(app: FastAPI):
    app.state.pool = db.make_pool(db.app_database_url(), max_size=POOL_SIZE)
    app.state.outbox_pool = db.make_pool(db.outbox_conninfo(db.app_database_url()), max_size=2)
    app.state.newest = {}
    stop = threading.Event()
    deliverer = threading.Thread(target=_deliver_loop, args=(app, stop), name="outbox", daemon=True)
    deliverer.start()
    try:
        yield
    finally:
        stop.set()
        deliverer.join(timeout=10)
        app.state.pool.close()
        app.state.outbox_pool.close()


app = FastAPI(title="江阴市网格化联动指挥中心 API", version="1",
              description="移动终端与其他系统接入：上报事件、查询事件与任务。所有错误均返回 JSON（code、message）。",
              openapi_url=f"{PREFIX}/openapi.json", docs_url=None, redoc_url=None, lifespan=lifespan)
errors.install(app)
app.add_middleware(limits.BodyLimit)                      # inner: counts the body as it streams
app.add_middleware(limits.Shed, capacity=SHED_AT)         # outer: refuses at once what it cannot serve soon
app.include_router(open311.router)
app.include_router(open311.discovery_router)
app.include_router(patrols.router)
app.include_router(addresses.router)
app.include_router(web_session.router)
if SWAGGER_DIR.is_dir():
    app.mount(f"{PREFIX}/static", StaticFiles(directory=SWAGGER_DIR), name="static")


@app.get(f"{PREFIX}/docs", include_in_schema=False)
def docs() -> HTMLResponse:
    """Interactive documentation (Swagger UI served locally; the endpoints described in Chinese)."""
    if not SWAGGER_DIR.is_dir():
        raise DataUnavailable("the API docs assets are missing: run ./run.sh (npm ci)",
                              "接口文档的页面文件缺失：请运行 ./run.sh 安装（npm ci）。")
    return get_swagger_ui_html(openapi_url=app.openapi_url or "", title=f"{app.title} · 接口文档",
                               swagger_js_url=f"{PREFIX}/static/swagger-ui-bundle.js",
                               swagger_css_url=f"{PREFIX}/static/swagger-ui.css",
                               swagger_favicon_url=f"{PREFIX}/static/favicon-32x32.png",
                               swagger_ui_parameters={"defaultModelsExpandDepth": 0})




# ------------------------------------------------------------------ models
MAX_ID = 2**63 - 1          # a bigint: a larger number is a 422, never the database's overflow
EventId = Annotated[int, InPath(ge=1, le=MAX_ID, description="事件编号")]
PhotoId = Annotated[int, InPath(ge=1, le=MAX_ID, description="照片编号")]
Lon = Field(description="经度", allow_inf_nan=False)        # the range is geo.intake's rule
Lat = Field(description="纬度", allow_inf_nan=False)


class TokenIn(BaseModel):
    terminal_id: str = Field(min_length=1, max_length=40, description="终端编号")
    password: str = Field(min_length=1, max_length=200, description="密码")


class ReportIn(BaseModel):
    lon: float | None = Field(None, description="经度（与纬度同给；不给坐标时按“发生地址”在标准地址库中匹配）",
                              allow_inf_nan=False)
    lat: float | None = Field(None, description="纬度", allow_inf_nan=False)
    datum: str = Field("wgs84", description="坐标系：wgs84（含 CGCS2000）、gcj02（高德/腾讯）、bd09（百度）")
    category: str = Field(min_length=1, max_length=60, description="事件类别编码或名称")
    description: str = Field(min_length=1, max_length=2000, description="事件描述")
    priority: int = Field(3, ge=-2**31, le=2**31 - 1, description="紧急程度：1 特急，2 紧急，3 一般")
    address: str | None = Field(None, max_length=200, description="发生地址（无坐标时用于定位，须能唯一确定位置）")
    external_id: str | None = Field(None, min_length=1, max_length=64,
                                    description="终端自己的上报编号：同一编号再次提交时返回第一次的结果，不重复创建")


class FixIn(BaseModel):
    lon: float = Lon
    lat: float = Lat
    at: dt.datetime = Field(description="定位时间（ISO 8601，带时区，例如 2026-11-28T09:30:00+08:00）")
    accuracy_m: float | None = Field(None, ge=0, le=100_000, allow_inf_nan=False, description="定位精度（米，0–100000）")


class PositionsIn(BaseModel):
    datum: str = Field("wgs84", description="坐标系：wgs84、gcj02、bd09")
    fixes: list[FixIn] = Field(description=f"定位点，每次 1 至 {terminals.MAX_FIXES} 个")


TERMINAL_ACTIONS = ("start", "handle", "return", "verify", "verify_fail")


class ActionIn(BaseModel):
    action: str = Field(description="start 开始处置、handle 处置完成、verify 核查通过、verify_fail 核查不通过")
    version: int = Field(ge=0, le=2**31 - 1, description="终端看到的事件版本号（GET 返回的 version）：已被他人处理时返回 409")
    note: str | None = Field(None, max_length=500, description="说明（核查不通过时必填）")


CATALOGUE_TTL_S = 60.0


def _categories(request: Request) -> list[dict]:
    """The category catalogue, read at most once a minute per database (it changes only when the
    reference data is loaded again), not once per request."""
    where = pool(request)
    return db.kept(where, "category_list", CATALOGUE_TTL_S, lambda: overview.catalogue(where, "event_categories"))


def _event_out(ev: dict) -> dict:
    return {"id": ev["id"], "status": ev["status"], "status_label": STATUS_LABELS.get(ev["status"], ev["status"]),
            "category": ev.get("category"), "grid_code": ev.get("grid_code"), "grid_name": ev.get("grid_name"),
            "priority": ev.get("priority"), "reported_at": ev.get("reported_at"), "due_at": ev.get("due_at"),
            "description": ev.get("description"), "version": ev.get("version")}


# ------------------------------------------------------------------ endpoints
@app.get(f"{PREFIX}/health", tags=["系统"], summary="服务与数据库状态")
def health(request: Request):
    ok = db.value(pool(request), "SELECT 1") == 1
    return JSONResponse({"status": "ok" if ok else "degraded", "database": ok,
                         "time": dt.datetime.now(dt.timezone.utc).isoformat()}, status_code=200 if ok else 503)


@app.get(f"{PREFIX}/categories", tags=["系统"], summary="事件类别目录（编码、名称、大类、处置时限）")
def categories(request: Request):
    return [{"code": c["code"], "name": c["name"], "class_name": c.get("class_name"),
             "limit_value": float(c["limit_value"]), "limit_unit": c["limit_unit"]}
            for c in _categories(request)]


def client_source(request: Request) -> str:
    """The terminal's address as geo.auth.client_address reads it behind the proxy."""
    return auth.client_address(request.client.host if request.client else None, request.headers.get("x-forwarded-for"))


@app.post(f"{PREFIX}/auth/token", tags=["终端账号"], summary="终端登录，换取访问令牌")
def token(request: Request, body: TokenIn):
    tok, expires, me = terminals.sign_in(pool(request), body.terminal_id, body.password, source=client_source(request))
    return {"access_token": tok, "token_type": "bearer", "expires_at": expires,
            "worker": {"name": me.name, "role": me.role, "terminal_id": me.terminal_id, "grid_code": me.grid_code,
                       "village_code": me.village_code}}


@app.post(f"{PREFIX}/auth/logout", tags=["终端账号"], summary="注销当前访问令牌")
def logout(request: Request, me: Annotated[terminals.Worker, Depends(worker)],
           authorization: Annotated[str | None, Header()] = None):
    terminals.revoke(pool(request), bearer(authorization) or "")
    return {"revoked": True}


def _report(request: Request, response: Response, body: ReportIn, files: list[tuple[str, bytes]],
            me: terminals.Worker, idempotency_key: str | None) -> dict:
    key = body.external_id or idempotency_key
    source = f"terminal:{me.terminal_id}"          # a terminal's numbers are its own
    # the fields' rules are geo.intake's (the one validator), as for the form, Open311 and a file
    rep = intake.Report(body.category, body.description, body.priority, body.lon, body.lat, body.datum,
                        address=body.address, source="grid_app", external_id=key)
    checked = photos.check_all(files)               # every photo checked before anything is written
    by = intake.Reporter(source, "grid_worker", me.label, "api", staff_id=me.staff_id, external_source=source)
    where = scoped(request, me)
    eid, replayed, out = intake.submit_once(where, rep, by, photos=checked, raw_photos=files,
                                            answer=lambda conn, eid: _answer(conn, where.scope, eid))
    if replayed:
        response.headers["Idempotent-Replayed"] = "true"
    assert out is not None
    return out


def _answer(source, scope, eid: int) -> dict:
    """A terminal's view of one event and its photos; `source` a scoped pool or its transaction."""
    out = _event_out(events.brief(source, scope, eid))
    out["photos"] = [_photo_out(p) for p in photos.list_for(source, eid)]
    return out


def _report_out(request: Request, me: terminals.Worker, eid: int) -> dict:
    where = task_scoped(request, me, eid)
    with where.connection() as conn:
        return _answer(conn, where.scope, eid)


def _photo_out(p: dict) -> dict:
    return {"id": p["id"], "stage": p["stage"], "stage_label": PHOTO_STAGE_LABELS[p["stage"]], "mime": p["mime"],
            "width": p["width"], "height": p["height"], "bytes": p["bytes"], "taken_at": p["taken_at"],
            "distance_m": p["distance_m"], "far_from_event": p["far_from_event"],
            "url": f"{PREFIX}/photos/{p['id']}"}


MULTIPART_NOTE = ("也可用 multipart/form-data 提交：各字段同 JSON，照片用字段名 photos（可重复，最多 9 张，"
                  "JPEG/PNG，每张不超过 10 MB，整个请求不超过 40 MB）。")


@app.post(f"{PREFIX}/reports", status_code=201, tags=["事件"], summary="上报事件（本人所在村社区范围内），可附处置前照片",
          description="JSON 或 multipart（带照片）。" + MULTIPART_NOTE + "重试安全：带 Idempotency-Key 请求头（或 external_id）"
                      "再次提交同一请求，返回第一次创建的事件，不重复创建（响应头 Idempotent-Replayed: true）。",
          openapi_extra=forms.openapi_body(ReportIn))
async def report(request: Request, response: Response, me: Annotated[terminals.Worker, Depends(worker)],
                 idempotency_key: Annotated[str | None, Header(max_length=64)] = None):
    body, files = await forms.read(request, ReportIn)
    limits.shed_late(request.headers, urgent=body.priority == 1)      # 特急 is never shed
    return await run_in_threadpool(_report, request, response, body, files, me, idempotency_key)


@app.get(f"{PREFIX}/reports/{{event_id}}", tags=["事件"], summary="查询一件事件（本人辖区），含照片列表")
def get_report(request: Request, event_id: EventId, me: Annotated[terminals.Worker, Depends(worker)]):
    return _report_out(request, me, event_id)


@app.get(f"{PREFIX}/photos/{{photo_id}}", tags=["事件"], summary="照片原图（本人辖区的事件）",
         response_class=Response, responses={200: {"content": {"image/jpeg": {}, "image/png": {}}}})
def photo(request: Request, photo_id: PhotoId, me: Annotated[terminals.Worker, Depends(worker)]):
    found = photos.content(scoped(request, me), photo_id)
    if found is None:
        raise NotFound(f"no photo {photo_id} in scope", f"没有编号为 {photo_id} 的照片，或不在您的辖区。")
    return Response(found[1], media_type=found[0], headers={"Cache-Control": "private, max-age=86400"})


def _act(request: Request, event_id: int, body: ActionIn, files: list[tuple[str, bytes]], me: terminals.Worker) -> dict:
    if body.action not in TERMINAL_ACTIONS:
        raise InvalidInput(f"action {body.action!r} is not one a terminal takes",
                           f"终端可执行的操作为：{'、'.join(TERMINAL_ACTIONS)}。")
    if files and body.action != "handle":
        raise InvalidInput("photos go with the handle action", "照片只能随“处置完成”（handle）提交。")
    checked = photos.check_all(files)
    with task_scoped(request, me, event_id).connection() as conn:    # the action and its photos commit together
        after = workflow.act(conn, event_id, body.action, me.actor(), note=body.note, expected_version=body.version)
        photos.attach(conn, event_id, "after", checked, me.label)
    return {"id": after["id"], "status": after["status"], "status_label": STATUS_LABELS[after["status"]],
            "version": after["version"], "photos": len(checked)}


@app.post(f"{PREFIX}/tasks/{{event_id}}/actions", tags=["任务"], summary="处置任务：开始处置、处置完成（可附处置后照片）、退回（写明原因）、核查",
          description="JSON 或 multipart。" + MULTIPART_NOTE + "照片只随 handle 提交。",
          openapi_extra=forms.openapi_body(ActionIn))
async def act(request: Request, event_id: EventId, me: Annotated[terminals.Worker, Depends(worker)]):
    body, files = await forms.read(request, ActionIn)
    return await run_in_threadpool(_act, request, event_id, body, files, me)


@app.post(f"{PREFIX}/positions", tags=["巡查"], summary="上传一批 GPS 定位点（最新一点即本人当前位置）")
def positions(request: Request, body: PositionsIn, authorization: Annotated[str | None, Header()] = None):
    # the database function checks the token itself (jy_positions_record): no look-up before it
    datum = body.datum.strip().lower().replace("-", "")
    stored = terminals.record_positions(pool(request), bearer(authorization) or "", [f.model_dump() for f in body.fixes], datum)
    return {"stored": stored}


@app.get(f"{PREFIX}/tasks", tags=["任务"], summary="派给我的在办任务（含派到本村社区以外的）")
def tasks(request: Request, me: Annotated[terminals.Worker, Depends(worker)],
          authorization: Annotated[str | None, Header()] = None):
    out = []
    for r in terminals.my_tasks(pool(request), bearer(authorization) or ""):
        row = _event_out(r)
        row["village_name"] = r["village_name"]
        out.append(row)
    return out


class CheckinIn(BaseModel):
    lon: float = Lon
    lat: float = Lat
    datum: str = Field("wgs84", description="坐标系：wgs84、gcj02、bd09")
    at: dt.datetime | None = Field(None, description="打卡时间（ISO 8601，带时区）；缺省为收到时刻")
    place: str | None = Field(None, max_length=100, description="打卡地点名称（如：某小区东门）")
    note: str | None = Field(None, max_length=500, description="巡查情况")


@app.post(f"{PREFIX}/checkins", status_code=201, tags=["巡查"], summary="巡查打卡（在某地点）")
def checkin(request: Request, body: CheckinIn, me: Annotated[terminals.Worker, Depends(worker)]):
    row = terminals.check_in(scoped(request, me), me, body.lon, body.lat, _datum(body.datum), body.at,
                             body.place, body.note)
    return {"id": row["id"], "at": row["at"], "grid_code": row["grid_code"], "grid_name": row["grid_name"]}


MAX_WAIT_S = 30


@app.get(f"{PREFIX}/notifications", tags=["任务"], summary="我的通知：新任务、催办、督办（长轮询）",
         description="返回编号大于 after 的通知（按编号升序）。wait 为秒数（0–30）：暂无新通知时最多等待这么久，"
                     "有新通知立即返回；终端保存最后一条的 id，作为下次请求的 after。")
async def notifications(request: Request, me: Annotated[terminals.Worker, Depends(worker)],
                        after: Annotated[int, Query(ge=0, le=MAX_ID, description="上次收到的最后一条通知编号")] = 0,
                        wait: Annotated[float, Query(ge=0, le=MAX_WAIT_S, description="无新通知时最多等待的秒数")] = 0):
    loop = asyncio.get_running_loop()
    deadline = loop.time() + wait
    while True:
        rows = await run_in_threadpool(notify.inbox, scoped(request, me), me.staff_id, after)
        if rows or loop.time() >= deadline:
            return {"notifications": rows, "last_id": rows[-1]["id"] if rows else after}
        while True:                      # until the outbox worker has seen something new for me
            await asyncio.sleep(0.25)
            if await request.is_disconnected():
                return {"notifications": [], "last_id": after}
            if loop.time() >= deadline or request.app.state.newest.get(me.staff_id, 0) > after:
                break
