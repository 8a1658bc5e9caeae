"""Request bodies that come as JSON or as multipart/form-data with photos (a terminal that sends
photos uses multipart; the fields are the same). The whole body is bounded while it streams
(api/limits.py: 40 MB multipart, 1 MB JSON); each photo is read up to one byte past its limit, so a
huge part is refused without holding it in memory."""
from __future__ import annotations

from fastapi import Request
from fastapi.exceptions import RequestValidationError
from pydantic import BaseModel, ValidationError
from starlette.datastructures import UploadFile
from starlette.exceptions import HTTPException
from starlette.formparsers import MultiPartException

from geo import photos
from geo.errors import InvalidInput

PHOTO_FIELD = "photos"


async def parse_form(request: Request, max_files: int, max_fields: int, hint_zh: str):
    """The request's form (multipart or urlencoded), each text field ≤ 64 KB; a body the parser
    refuses (too many parts, a field too long, broken multipart) is InvalidInput saying why."""
    try:
        return await request.form(max_files=max_files, max_fields=max_fields, max_part_size=64 * 1024)
    except (MultiPartException, HTTPException) as exc:     # starlette wraps the parser's error
        why = getattr(exc, "message", None) or getattr(exc, "detail", "")
        raise InvalidInput(f"form body refused: {why}", f"表单内容有误（{why}）：{hint_zh}") from None


async def read(request: Request, model: type[BaseModel]) -> tuple:
    """(validated model, [(file name, bytes)]) from a JSON or multipart body."""
    ctype = request.headers.get("content-type", "").lower()
    files: list[tuple[str, bytes]] = []
    try:
        if ctype.startswith(("multipart/form-data", "application/x-www-form-urlencoded")):
            form = await parse_form(request, photos.MAX_PHOTOS, 30,
                                    f"照片最多 {photos.MAX_PHOTOS} 张，文字字段每项不超过 64 KB。")
            fields: dict[str, str] = {}
            for name, value in form.multi_items():
                if isinstance(value, UploadFile):
                    if name != PHOTO_FIELD:
                        raise InvalidInput(f"file field {name!r}", f"文件只能放在 {PHOTO_FIELD} 字段中。")
                    data = await value.read(photos.MAX_BYTES + 1)
                    photos.check_size(data, value.filename or "")
                    files.append((value.filename or f"照片{len(files) + 1}", data))
                else:
                    fields[name] = value
            return model.model_validate(fields), files
        if ctype.startswith("application/json") or not ctype:
            return model.model_validate_json(await request.body() or b"null"), files
    except ValidationError as exc:
        raise RequestValidationError(exc.errors()) from None
    raise InvalidInput(f"content type {ctype!r}", "请求内容应为 JSON（application/json）、表单，或带照片的 multipart/form-data。")


def openapi_body(model: type[BaseModel]) -> dict:
    """The request body of an endpoint that takes JSON or multipart with photos, for the docs."""
    schema = model.model_json_schema(ref_template="#/components/schemas/{model}")
    multipart = {"type": "object", "properties": {
        **schema["properties"],
        PHOTO_FIELD: {"type": "array", "items": {"type": "string", "format": "binary"},
                      "description": f"照片（JPEG/PNG，每张 ≤ 10 MB，最多 {photos.MAX_PHOTOS} 张）"}},
        "required": schema.get("required", [])}
    return {"requestBody": {"required": True, "content": {
        "application/json": {"schema": schema},
        "multipart/form-data": {"schema": multipart}}}}
