"""Open311 GeoReport v2 for other systems (12345 hotline, 最江阴 app): their service codes are the
event categories; a request becomes an event like any other (same intake rules, same workflow).

Every method answers in XML (the standard's required format) and JSON: `.xml` or `.json` at the end
of the path; the discovery document is `/open311/discovery.{xml,json}`. Each system has its own key
(`python -m loaders create-api-key CODE NAME`), sent as `api_key`, needed to post. Reads: with the key
a system reads the requests it filed, in full; without a key anyone reads the public view of all
Open311 requests (number, service, status, agency, times, a place rounded to ~100 m — never the
description, address, reporter or photos; database function jy_open311_public). Coordinates are
WGS84 as the standard says; a system with GCJ-02 or BD-09 sends `datum` (an extension). A photo comes
as the `media` file of a multipart post (the media extension), ≤ 10 MB. Retry-safe like the terminals'
API: `Idempotency-Key` header or `external_id` (extension) returns the first request. `page` and
`page_size` (≤ 1000) page the lists. Errors are the standard's list of {code, description}: 400 for a
request it cannot take, 403 for a wrong key, 404 (api/errors.py).
"""
from __future__ import annotations

import datetime as dt
import uuid
from typing import Annotated

from fastapi import APIRouter, Header, Path, Query, Request
from fastapi.responses import JSONResponse, Response
from pydantic import BaseModel, Field, ValidationError
from starlette.concurrency import run_in_threadpool
from starlette.datastructures import UploadFile

from api import forms, xmlout
from geo import access, db, intake, overview, photos, terminals
from geo.errors import InvalidInput, NotFound
from geo.scope import Scope
from geo.sqlfiles import query
from geo.status import STATUS_LABELS

PREFIX = "/open311/v2"
TZ = dt.timezone(dt.timedelta(hours=8))
MAX_RESULTS = 1000
MEDIA_FIELD = "media"
CHANGESET = "2026-12-05T00:00:00+08:00"       # when this endpoint's behaviour last changed
FORMATS = ("json", "xml")
router = APIRouter(prefix=PREFIX, tags=["Open311 GeoReport v2（其他系统接入）"])
discovery_router = APIRouter(prefix="/open311", tags=["Open311 GeoReport v2（其他系统接入）"])


def _format(fmt: str) -> str:
    if fmt not in FORMATS:
        raise NotFound(f"format {fmt!r}", "格式应为 .json 或 .xml（例如 services.xml）。")
    return fmt


def _answer(fmt: str, root: str, item: str | None, value, status: int = 200, headers=None) -> Response:
    """The same answer as JSON or as the standard's XML (<root><item>…</item></root>)."""
    if fmt == "xml":
        return Response(xmlout.document(root, item, value), status_code=status, media_type=xmlout.MEDIA_TYPE,
                        headers=headers)
    return JSONResponse(value, status_code=status, headers=headers)


def _pool(request: Request):
    return request.app.state.pool


def _scoped(request: Request, system: terminals.Client) -> access.ScopedPool:
    """A system files anywhere in the county (city scope); reads are limited to its own requests."""
    return access.ScopedPool(_pool(request), credential=access.client(system.key), scope=Scope.city())


class RequestIn(BaseModel):
    api_key: str = Field(min_length=1, max_length=100, description="本系统的接口密钥")
    service_code: str = Field(min_length=1, max_length=60, description="事件类别编码（services.json）")
    lat: float | None = Field(None, description="纬度（WGS84）；不给坐标时按 address_string 匹配标准地址库", allow_inf_nan=False)
    long: float | None = Field(None, description="经度（WGS84）", allow_inf_nan=False)
    description: str = Field(min_length=1, max_length=2000, description="诉求内容")
    address_string: str | None = Field(None, max_length=200, description="地址")
    first_name: str | None = Field(None, max_length=20, description="诉求人名")
    last_name: str | None = Field(None, max_length=20, description="诉求人姓")
    datum: str = Field("wgs84", description="扩展：坐标系 wgs84、gcj02、bd09")
    external_id: str | None = Field(None, min_length=1, max_length=64, description="扩展：本系统的工单编号（重试安全）")


def _services(request: Request) -> list[dict]:
    return [{"service_code": c["code"], "service_name": c["name"], "description": f"{c['name']}（处置时限 "
             f"{float(c['limit_value']):g} {'工作日' if c['limit_unit'] == 'workday' else '小时'}）",
             "metadata": False, "type": "realtime", "keywords": c["name"], "group": c.get("class_name") or ""}
            for c in overview.catalogue(_pool(request), "event_categories")]


@router.get("/services.{fmt}", summary="服务目录（即事件类别），.json 或 .xml")
def services(request: Request, fmt: str):
    return _answer(_format(fmt), "services", "service", _services(request))


@router.get("/services/{service_code}.{fmt}", summary="服务定义（本系统的服务均无附加属性）")
def service_definition(request: Request, service_code: str, fmt: str):
    fmt = _format(fmt)
    if service_code.strip().upper() not in {c["service_code"] for c in _services(request)}:
        raise NotFound(f"no service {service_code!r}", f"没有编码为“{service_code}”的服务：见 {PREFIX}/services.{fmt}。")
    return _answer(fmt, "service_definition", None, {"service_code": service_code.strip().upper(), "attributes": []})


@discovery_router.get("/discovery.{fmt}", summary="服务发现文档")
def discovery(request: Request, fmt: str):
    fmt = _format(fmt)
    return _answer(fmt, "discovery", None, {
        "changeset": CHANGESET, "contact": "江阴市网格化社会治理联动指挥中心（系统管理员）",
        "key_service": "提交诉求需要接口密钥，由系统管理员发放（python -m loaders create-api-key）；查询公开信息无需密钥。",
        "endpoints": [{"specification": "http://wiki.open311.org/GeoReport_v2",
                       "url": str(request.base_url).rstrip("/") + PREFIX, "changeset": CHANGESET,
                       "type": "production", "formats": ["text/xml", "application/json"]}]})


async def _body(request: Request) -> tuple[RequestIn, list[tuple[str, bytes]]]:
    """The post's fields (JSON, a form, or multipart with one `media` photo) and its photo."""
    ctype = request.headers.get("content-type", "").lower()
    files: list[tuple[str, bytes]] = []
    try:
        if ctype.startswith("application/json"):
            return RequestIn.model_validate_json(await request.body() or b"null"), files
        form = await forms.parse_form(request, 1, 40, f"最多 40 个字段，每项不超过 64 KB；照片放在 {MEDIA_FIELD} 字段，一张。")
        fields: dict[str, str] = {}
        for name, value in form.multi_items():
            if isinstance(value, UploadFile):
                if name != MEDIA_FIELD:
                    raise InvalidInput(f"file field {name!r}", f"文件只能放在 {MEDIA_FIELD} 字段中（一张照片）。")
                data = await value.read(photos.MAX_BYTES + 1)
                photos.check_size(data, value.filename or "")
                files.append((value.filename or "media", data))
            else:
                fields[name] = value
        return RequestIn.model_validate(fields), files
    except ValidationError as exc:
        from fastapi.exceptions import RequestValidationError
        raise RequestValidationError(exc.errors()) from None


def _create(request: Request, body: RequestIn, files: list[tuple[str, bytes]], key: str | None) -> tuple[dict, bool]:
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
    checked = photos.check_all(files)               # the photo checked before anything is written
    by = intake.Reporter(source, "system", system.name, "open311", external_source=source)
    eid, replayed, _ = intake.submit_once(scoped, rep, by, photos=checked, raw_photos=files)
    if replayed:
        return {"service_request_id": str(eid), "service_notice": "重复提交：返回第一次受理的编号。",
                "account_id": None}, True
    return {"service_request_id": str(eid), "service_notice": "已受理，将按事件类别的处置时限办理。",
            "account_id": None}, False


@router.post("/requests.{fmt}", status_code=201, summary="提交诉求（form、JSON，或 multipart 带 media 照片）")
async def create(request: Request, fmt: str, idempotency_key: Annotated[str | None, Header(max_length=64)] = None):
    fmt = _format(fmt)
    body, files = await _body(request)
    out, replayed = await run_in_threadpool(_create, request, body, files, idempotency_key)
    return _answer(fmt, "service_requests", "request", [out], status=200 if replayed else 201,
                   headers={"Idempotent-Replayed": "true"} if replayed else None)


def _iso(t: dt.datetime | None) -> str | None:
    return t.astimezone(TZ).isoformat() if t else None


def _out(r: dict, media_base: str | None) -> dict:
    """One request as the standard spells it. `media_base` None is the public view: no description,
    address or photo, the place as jy_open311_public rounded it."""
    iso = _iso
    public = media_base is None
    media = f"{media_base}/{r['photo_id']}" if not public and r.get("photo_id") else None
    return {"service_request_id": str(r["id"]), "status": "open" if r["is_open"] else "closed",
            "status_notes": STATUS_LABELS.get(r["status"], r["status"]), "service_name": r["category"],
            "service_code": r["category_code"], "description": None if public else r["description"],
            "agency_responsible": r["team"] or r["department"], "service_notice": None,
            "requested_datetime": iso(r["reported_at"]), "updated_datetime": iso(r["updated_at"]),
            "expected_datetime": iso(r["due_at"]), "address": None if public else r["address"], "address_id": None,
            "zipcode": None, "lat": round(r["lat"], 6), "long": round(r["lon"], 6), "media_url": media}


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
          start: str | None, end: str | None, status: str | None, page: int = 1, page_size: int = MAX_RESULTS) -> list[dict]:
    """The system's own requests in full with its key; the public view of all Open311 requests without."""
    if status not in (None, "", "open", "closed"):
        raise InvalidInput(f"status {status!r}", "status 应为 open 或 closed。")
    start_at, end_at = _date(start, "start_date"), _date(end, "end_date")
    if ids is None and start_at is None and end_at is None:     # the standard's default window: 90 days
        start_at = dt.datetime.now(TZ) - dt.timedelta(days=90)
    args = {"ids": ids, "category": (service_code or "").strip().upper() or None, "start": start_at, "end": end_at,
            "open": None if not status else status == "open", "limit": page_size, "offset": (page - 1) * page_size}
    if not api_key:
        rows = db.rows(_pool(request), "SELECT * FROM jy_open311_public(%(ids)s, %(category)s, %(start)s, %(end)s, "
                                       "%(open)s, %(limit)s, %(offset)s)", args)
        return [_out(r, None) for r in rows]
    system = terminals.client(_pool(request), api_key)
    rows = query(_scoped(request, system), "open311_requests", {"source": f"open311:{system.code}", **args})
    return [_out(r, str(request.base_url).rstrip("/") + PREFIX + "/media") for r in rows]


def _ids(value: str | None) -> list[int] | None:
    if not value:
        return None
    parts = [p.strip() for p in value.split(",") if p.strip()]
    if not parts or not all(p.isascii() and p.isdigit() and len(p) < 19 for p in parts):
        raise InvalidInput(f"service_request_id {value!r}", "service_request_id 应为逗号分隔的数字编号。")
    return [int(p) for p in parts]


@router.get("/requests.{fmt}", summary="查询诉求：带 api_key 为本系统提交的诉求（完整），不带为公开信息")
def requests(request: Request, fmt: str, api_key: Annotated[str | None, Query(max_length=100)] = None,
             service_request_id: Annotated[str | None, Query(max_length=2000)] = None,
             service_code: Annotated[str | None, Query(max_length=60)] = None,
             start_date: Annotated[str | None, Query(max_length=40)] = None,
             end_date: Annotated[str | None, Query(max_length=40)] = None,
             status: Annotated[str | None, Query(max_length=10)] = None,
             page: Annotated[int, Query(ge=1, le=100_000)] = 1,
             page_size: Annotated[int, Query(ge=1, le=MAX_RESULTS)] = MAX_RESULTS):
    fmt = _format(fmt)
    rows = _list(request, api_key, _ids(service_request_id), service_code, start_date, end_date, status, page, page_size)
    return _answer(fmt, "service_requests", "request", rows)


@router.get("/requests/{request_id}.{fmt}", summary="查询一件诉求")
def one(request: Request, request_id: str, fmt: str, api_key: Annotated[str | None, Query(max_length=100)] = None):
    fmt = _format(fmt)
    rows = _list(request, api_key, _ids(request_id), None, None, None, None)
    if not rows:
        raise NotFound(f"no request {request_id}", f"没有编号为 {request_id} 的诉求（带 api_key 时只查本系统提交的）。")
    return _answer(fmt, "service_requests", "request", rows)


@router.get("/media/{photo_id}", summary="诉求的照片（提交该诉求的系统，带 api_key）",
            response_class=Response, responses={200: {"content": {"image/jpeg": {}, "image/png": {}}}})
def media(request: Request, photo_id: Annotated[int, Path(ge=1, le=2**62, description="照片编号")],
          api_key: Annotated[str | None, Query(max_length=100)] = None):
    system = terminals.client(_pool(request), api_key)
    found = photos.content(_scoped(request, system), photo_id)
    if found is None:
        raise NotFound(f"no photo {photo_id} of this system", f"本系统没有编号为 {photo_id} 的照片。")
    return Response(found[1], media_type=found[0], headers={"Cache-Control": "private, max-age=86400"})
