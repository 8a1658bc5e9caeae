"""Open311 GeoReport v2 for other systems (12345 hotline, 最江阴 app): their service codes are the
event categories; a request becomes an event like any other (same intake rules, same workflow).

Each system has its own key (`python -m loaders create-api-key CODE NAME`), sent as `api_key`. A
system reads back the requests it filed, nothing else. Coordinates are WGS84 as the standard says;
a system that has GCJ-02 or BD-09 sends `datum` (an extension). Retry-safe like the terminals' API:
`Idempotency-Key` header or `external_id` (extension) returns the first request. Errors are the
standard's list of {code, description} with the Chinese description (api/errors.py).
"""
from __future__ import annotations

import datetime as dt
import uuid
from typing import Annotated

from fastapi import APIRouter, Header, Query, Request
from fastapi.responses import JSONResponse
from pydantic import BaseModel, Field, ValidationError
from starlette.concurrency import run_in_threadpool

from api import forms
from geo import access, intake, overview, terminals
from geo.errors import InvalidInput, NotFound
from geo.scope import Scope
from geo.sqlfiles import query
from geo.status import STATUS_LABELS

PREFIX = "/open311/v2"
TZ = dt.timezone(dt.timedelta(hours=8))
MAX_RESULTS = 1000
router = APIRouter(prefix=PREFIX, tags=["Open311 GeoReport v2（其他系统接入）"])


def _pool(request: Request):
    return request.app.state.pool


def _scoped(request: Request, system: terminals.Client) -> access.ScopedPool:
    """A system files anywhere in the county (city scope); reads are limited to its own requests."""
    return access.ScopedPool(_pool(request), credential=access.client(system.key), scope=Scope.city())


class RequestIn(BaseModel):
    api_key: str = Field(min_length=1, max_length=100, description="本系统的接口密钥")
    service_code: str = Field(min_length=1, max_length=60, description="事件类别编码（services.json）")
    lat: float = Field(description="纬度（WGS84）")
    long: float = Field(description="经度（WGS84）")
    description: str = Field(min_length=1, max_length=2000, description="诉求内容")
    address_string: str | None = Field(None, max_length=200, description="地址")
    first_name: str | None = Field(None, max_length=20, description="诉求人名")
    last_name: str | None = Field(None, max_length=20, description="诉求人姓")
    datum: str = Field("wgs84", description="扩展：坐标系 wgs84、gcj02、bd09")
    external_id: str | None = Field(None, min_length=1, max_length=64, description="扩展：本系统的工单编号（重试安全）")


@router.get("/services.json", summary="服务目录（即事件类别）")
def services(request: Request):
    return [{"service_code": c["code"], "service_name": c["name"], "description": f"{c['name']}（处置时限 "
             f"{float(c['limit_value']):g} {'工作日' if c['limit_unit'] == 'workday' else '小时'}）",
             "metadata": False, "type": "realtime", "keywords": c["name"], "group": c.get("class_name") or ""}
            for c in overview.catalogue(_pool(request), "event_categories")]


async def _body(request: Request) -> RequestIn:
    ctype = request.headers.get("content-type", "").lower()
    try:
        if ctype.startswith("application/json"):
            return RequestIn.model_validate_json(await request.body() or b"null")
        form = await forms.parse_form(request, 0, 40, "最多 40 个字段，每项不超过 64 KB，不接受文件。")
        return RequestIn.model_validate({k: v for k, v in form.multi_items() if isinstance(v, str)})
    except ValidationError as exc:
        from fastapi.exceptions import RequestValidationError
        raise RequestValidationError(exc.errors()) from None


def _create(request: Request, body: RequestIn, key: str | None) -> tuple[dict, bool]:
    system = terminals.client(_pool(request), body.api_key)
    source = f"open311:{system.code}"
    ref = body.external_id or key
    scoped = _scoped(request, system)
    who = ((body.last_name or "") + (body.first_name or "")).strip()
    rep = intake.Report(body.service_code.strip().upper(), body.description, 3, body.long, body.lat, body.datum,
                        address=body.address_string, reporter=f"{system.name}{' ' + who if who else ''}"[:80],
                        source=system.event_source, external_id=ref or f"auto:{uuid.uuid4()}")
    # GeoReport v2 names a service by its code (names are the terminals' convenience); the fields'
    # rules are geo.intake's, as for every other way in
    cats = {c["code"] for c in overview.catalogue(_pool(request), "event_categories")}
    if body.service_code.strip().upper() not in cats:
        raise InvalidInput(f"unknown service_code {body.service_code!r}",
                           f"service_code“{body.service_code}”不存在：请使用 {PREFIX}/services.json 中的编码。")
    by = intake.Reporter(source, "system", system.name, "open311", external_source=source)
    eid, replayed = intake.submit_once(scoped, rep, by)
    if replayed:
        return {"service_request_id": str(eid), "service_notice": "重复提交：返回第一次受理的编号。",
                "account_id": None}, True
    return {"service_request_id": str(eid), "service_notice": "已受理，将按事件类别的处置时限办理。",
            "account_id": None}, False


@router.post("/requests.json", status_code=201, summary="提交诉求（form 或 JSON）")
async def create(request: Request, idempotency_key: Annotated[str | None, Header(max_length=64)] = None):
    body = await _body(request)
    out, replayed = await run_in_threadpool(_create, request, body, idempotency_key)
    return JSONResponse([out], status_code=200 if replayed else 201,
                        headers={"Idempotent-Replayed": "true"} if replayed else None)


def _iso(t: dt.datetime | None) -> str | None:
    return t.astimezone(TZ).isoformat() if t else None


def _out(r: dict) -> dict:
    iso = _iso
    return {"service_request_id": str(r["id"]), "status": "open" if r["is_open"] else "closed",
            "status_notes": STATUS_LABELS.get(r["status"], r["status"]), "service_name": r["category"],
            "service_code": r["category_code"], "description": r["description"],
            "agency_responsible": r["team"] or r["department"], "service_notice": None,
            "requested_datetime": iso(r["reported_at"]), "updated_datetime": iso(r["updated_at"]),
            "expected_datetime": iso(r["due_at"]), "address": r["address"], "address_id": None, "zipcode": None,
            "lat": round(r["lat"], 6), "long": round(r["lon"], 6), "media_url": None}


def _date(value: str | None, name: str) -> dt.datetime | None:
    if not value:
        return None
    try:
        t = dt.datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        raise InvalidInput(f"{name} {value!r} is not an ISO 8601 time",
                           f"{name}“{value}”不是 ISO 8601 时间（例如 2026-11-28T00:00:00+08:00）。") from None
    return t if t.tzinfo else t.replace(tzinfo=TZ)


def _list(request: Request, api_key: str | None, ids: list[int] | None, service_code: str | None,
          start: str | None, end: str | None, status: str | None) -> list[dict]:
    system = terminals.client(_pool(request), api_key)
    if status not in (None, "", "open", "closed"):
        raise InvalidInput(f"status {status!r}", "status 应为 open 或 closed。")
    start_at, end_at = _date(start, "start_date"), _date(end, "end_date")
    if ids is None and start_at is None and end_at is None:     # the standard's default window: 90 days
        start_at = dt.datetime.now(TZ) - dt.timedelta(days=90)
    rows = query(_scoped(request, system), "open311_requests", {
        "source": f"open311:{system.code}", "ids": ids, "category": (service_code or "").strip().upper() or None,
        "start": start_at, "end": end_at, "open": None if not status else status == "open", "limit": MAX_RESULTS})
    return [_out(r) for r in rows]


def _ids(value: str | None) -> list[int] | None:
    if not value:
        return None
    parts = [p.strip() for p in value.split(",") if p.strip()]
    if not parts or not all(p.isascii() and p.isdigit() and len(p) < 19 for p in parts):
        raise InvalidInput(f"service_request_id {value!r}", "service_request_id 应为逗号分隔的数字编号。")
    return [int(p) for p in parts]


@router.get("/requests.json", summary="查询本系统提交的诉求及办理状态")
def requests(request: Request, api_key: str | None = None,
             service_request_id: Annotated[str | None, Query(max_length=2000)] = None,
             service_code: str | None = None, start_date: str | None = None, end_date: str | None = None,
             status: str | None = None):
    return _list(request, api_key, _ids(service_request_id), service_code, start_date, end_date, status)


@router.get("/requests/{request_id}.json", summary="查询一件诉求")
def one(request: Request, request_id: str, api_key: str | None = None):
    rows = _list(request, api_key, _ids(request_id), None, None, None, None)
    if not rows:
        raise NotFound(f"no request {request_id} from this system", f"本系统没有编号为 {request_id} 的诉求。")
    return rows
