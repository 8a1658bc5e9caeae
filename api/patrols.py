"""铁脚板 on the terminals: the catalogues (versioned; an unchanged one is a 304), patrol checks and
collection records (geo/patrols.py). Both are retry-safe by the terminal's own number: `external_id`
or the `Idempotency-Key` header; a replay answers 200 with the first record and Idempotent-Replayed."""
from __future__ import annotations

import datetime as dt
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Header, Request, Response
from fastapi.responses import JSONResponse
from pydantic import BaseModel, Field
from starlette.concurrency import run_in_threadpool

from api import forms
from api.deps import datum, pool, scoped, worker
from geo import patrols, photos, terminals
from geo.errors import InvalidInput

PREFIX = "/api/v1"
router = APIRouter(prefix=PREFIX, tags=["巡查与采集（铁脚板）"])
Lon = Field(description="经度", allow_inf_nan=False)
Lat = Field(description="纬度", allow_inf_nan=False)


@router.get("/catalogue/{kind}", summary="采集目录（collection，170 项）或巡查目录（patrol，159 项）",
            description="返回 version（目录有变化时改变）与 items。带 If-None-Match: \"version\" 请求头时，目录未变返回 304。")
def catalogue(request: Request, kind: str, if_none_match: Annotated[str | None, Header(max_length=200)] = None):
    version, items = patrols.catalogue(pool(request), kind)
    tag = f'"{version}"'
    headers = {"ETag": tag, "Cache-Control": "public, max-age=300"}
    if if_none_match and tag in [t.strip() for t in if_none_match.split(",")]:
        return Response(status_code=304, headers=headers)
    body = {"kind": kind, "version": version, "count": len(items), "items": items}
    return JSONResponse(body, headers=headers)


class PatrolCheckIn(BaseModel):
    item_code: str = Field(min_length=1, max_length=20, description="巡查项目编码（巡查目录）")
    result: str = Field(description="ok（正常）或 fail（发现问题：自动生成事件）")
    lon: float = Lon
    lat: float = Lat
    datum: str = Field("wgs84", description="坐标系：wgs84、gcj02、bd09")
    at: dt.datetime | None = Field(None, description="巡查时间（ISO 8601，带时区）；缺省为收到时刻")
    note: str | None = Field(None, max_length=500, description="情况说明（发现问题时必填，作为事件描述）")
    external_id: str | None = Field(None, min_length=1, max_length=64, description="终端的记录编号（重试安全）")


def _number(body_id: str | None, header: str | None) -> str:
    number = body_id or header
    if not number:
        raise InvalidInput("no external_id or Idempotency-Key",
                           "请提供记录编号：external_id 字段或 Idempotency-Key 请求头（离线重发时保持不变）。")
    return number


def _answer(response: Response, row: dict) -> dict:
    if row.pop("replayed"):
        response.headers["Idempotent-Replayed"] = "true"
        response.status_code = 200
    return row


@router.post("/patrol-checks", status_code=201, summary="巡查记录：某巡查项目在某地点正常或发现问题",
             description="发现问题（result=fail）时在同一事务中生成事件（类别为该项目对应的事件类别），返回 event_id。"
                         "可用 multipart/form-data 附照片（字段 photos，仅发现问题时）。",
             openapi_extra=forms.openapi_body(PatrolCheckIn))
async def patrol_check(request: Request, response: Response, me: Annotated[terminals.Worker, Depends(worker)],
                       idempotency_key: Annotated[str | None, Header(max_length=64)] = None):
    body, files = await forms.read(request, PatrolCheckIn)

    def run() -> dict:
        checked = photos.check_all(files)
        row = patrols.record_check(scoped(request, me), me, body.item_code.strip().upper(), body.result.strip().lower(),
                                   body.lon, body.lat, datum(body.datum), body.at, body.note,
                                   _number(body.external_id, idempotency_key), photos=checked)
        row["result_label"] = patrols.RESULTS[row["result"]]
        return _answer(response, row)
    return await run_in_threadpool(run)


class CollectionIn(BaseModel):
    item_code: str = Field(min_length=1, max_length=20, description="采集项目编码（采集目录）")
    answers: dict[str, Any] = Field(description="按该项目表单填写的 {字段: 值}")
    lon: float = Lon
    lat: float = Lat
    datum: str = Field("wgs84", description="坐标系：wgs84、gcj02、bd09")
    at: dt.datetime | None = Field(None, description="采集时间（ISO 8601，带时区）；缺省为收到时刻")
    external_id: str | None = Field(None, min_length=1, max_length=64, description="终端的记录编号（重试安全）")


@router.post("/collections", status_code=201, summary="信息采集记录：按采集项目的表单填写",
             description="answers 按采集目录中该项目的 form 校验（类型、必填、选项、范围），有误时一次列出全部问题。")
def collection(request: Request, response: Response, body: CollectionIn,
               me: Annotated[terminals.Worker, Depends(worker)],
               idempotency_key: Annotated[str | None, Header(max_length=64)] = None):
    row = patrols.record_collection(scoped(request, me), me, body.item_code.strip().upper(), body.answers,
                                    body.lon, body.lat, datum(body.datum), body.at,
                                    _number(body.external_id, idempotency_key))
    return _answer(response, row)
