"""The one place where the API turns errors into responses: JSON `{"code", "message"}` with the
Chinese message of geo.errors, the HTTP status its class means; a request body or parameter that does
not validate is a 422 naming the field; anything unexpected a 500 without a traceback."""
from __future__ import annotations

import json
import logging

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, Response
from starlette.exceptions import HTTPException

from api import xmlout
from geo import errors as e

STATUS = (  # most specific first
    (e.LoginFailed, 401, "unauthorized"), (e.TooLarge, 413, "too_large"), (e.OutsideCounty, 422, "outside_county"),
    (e.IntakeRefused, 422, "invalid_report"), (e.InvalidInput, 422, "invalid_input"),
    (e.PathError, 404, "not_found"), (e.NotFound, 404, "not_found"), (e.OutOfScope, 403, "out_of_scope"),
    (e.Forbidden, 403, "forbidden"), (e.StaleEvent, 409, "stale"),
    (e.IdempotencyConflict, 409, "idempotency_conflict"), (e.IllegalTransition, 409, "illegal_transition"),
    (e.Busy, 503, "busy"), (e.DataUnavailable, 503, "unavailable"), (e.DomainError, 400, "refused"),
)
FIELD_NAMES = {"lon": "经度", "lat": "纬度", "datum": "坐标系", "category": "事件类别", "description": "事件描述",
               "priority": "紧急程度", "address": "地址", "terminal_id": "终端编号", "password": "密码",
               "fixes": "定位点", "at": "时间", "accuracy_m": "定位精度",
               "action": "操作", "version": "版本号", "note": "说明", "place": "地点", "api_key": "接口密钥",
               "service_code": "service_code（事件类别）", "long": "经度", "address_string": "地址",
               "after": "after", "wait": "等待秒数"}
log = logging.getLogger("jiangyin.api")


def body(code: str, message: str, **extra) -> dict:
    return {"code": code, "message": message, **extra}


# GeoReport v2 names two error statuses: 400 for a request it cannot take, 403 for a wrong api_key
OPEN311_STATUS = {422: 400, 401: 403}


def open311_error(path: str, status: int, code: str, message: str) -> tuple[int, bytes, str]:
    """(status, body, media type) of an error on an Open311 path: the standard's list of {code,
    description} (code = the HTTP status) with the Chinese message, as XML when the path asks .xml."""
    status = OPEN311_STATUS.get(status, status)
    items = [{"code": status, "description": message, "error": code}]
    if path.endswith(".xml"):
        return status, xmlout.document("errors", "error", items), xmlout.MEDIA_TYPE
    return status, json.dumps(items, ensure_ascii=False).encode(), "application/json"


def respond(request: Request, status: int, code: str, message: str, headers: dict | None = None) -> Response:
    """The error response: {"code", "message"}; on the Open311 paths the standard's error list."""
    if request.url.path.startswith("/open311/"):
        status, content, media = open311_error(request.url.path, status, code, message)
        return Response(content, status_code=status, media_type=media, headers=headers)
    return JSONResponse(body(code, message), status_code=status, headers=headers)


def install(app: FastAPI) -> None:
    @app.exception_handler(e.DomainError)
    async def domain(request: Request, exc: e.DomainError):
        status, code = next((s, c) for cls, s, c in STATUS if isinstance(exc, cls))
        headers = {"WWW-Authenticate": "Bearer"} if status == 401 else \
            {"Retry-After": "1"} if isinstance(exc, e.Busy) else None
        return respond(request, status, code, exc.message_zh, headers)

    @app.exception_handler(RequestValidationError)
    async def invalid(request: Request, exc: RequestValidationError):
        problems = []
        for err in exc.errors():
            where = [str(x) for x in err.get("loc", ()) if x not in ("body", "query", "path", "header")]
            name = "、".join(FIELD_NAMES.get(w, w) for w in where) or "请求内容"
            problems.append(f"{name}：{_zh(err)}")
        return respond(request, 422, "invalid_input", "请求内容有误：" + "；".join(problems) + "。")

    @app.exception_handler(HTTPException)
    async def http(request: Request, exc: HTTPException):
        msg = {404: "没有这个接口。", 405: "该接口不支持此请求方法。"}.get(exc.status_code, "请求无法处理。")
        return respond(request, exc.status_code, "http_error", msg)

    @app.exception_handler(Exception)
    async def unexpected(request: Request, exc: Exception):
        log.exception("unhandled error on %s %s", request.method, request.url.path)
        return respond(request, 500, "internal_error", "服务器内部错误，请稍后重试；若持续出现请联系管理员。")


def _zh(err: dict) -> str:
    kind = err.get("type", "")
    if kind == "missing":
        return "缺少此项"
    if kind.startswith("float") or kind.startswith("int"):
        return "应为数字"
    if kind == "string_too_short":
        return "不能为空"
    if kind == "string_too_long":
        return f"过长（最多 {err.get('ctx', {}).get('max_length', '')} 字）"
    if kind in ("json_invalid", "model_attributes_type", "dict_type"):
        return "不是有效的 JSON 对象"
    return "格式不对"
