"""Photos of events: 处置前 (sent with the report) and 处置后 (sent when the task is handled).

Each upload is checked before anything is stored: it must be a JPEG or PNG that Pillow can decode
(the declared type is not trusted), at most MAX_BYTES, and not a decompression bomb (more than
MAX_PIXELS pixels is refused before decoding). EXIF DateTimeOriginal and GPS are read when present; a
photo whose GPS lies further than JY_PHOTO_FAR_M from its event is stored but flagged (核查 sees it).
Rows go in the caller's transaction, with the event or the action they belong to (migration 015
says why the bytes live in PostgreSQL).
"""
from __future__ import annotations

import datetime as dt
import hashlib
import io
import warnings
from dataclasses import dataclass

from PIL import Image, UnidentifiedImageError

from geo import db
from geo.errors import InvalidInput, TooLarge
from geo.settings import settings
from geo.status import PHOTO_STAGE_LABELS as STAGES

MAX_BYTES = 10 * 1024 * 1024
MAX_PHOTOS = 9
MAX_PIXELS = 50_000_000          # 50 MP: beyond any phone camera; a bigger header is a bomb
FORMATS = {"JPEG": "image/jpeg", "PNG": "image/png"}
TZ = dt.timezone(dt.timedelta(hours=8))

_EXIF_IFD, _GPS_IFD = 0x8769, 0x8825
_DATETIME_ORIGINAL, _DATETIME = 36867, 306


@dataclass(frozen=True)
class Photo:
    content: bytes
    mime: str
    width: int
    height: int
    sha256: str
    taken_at: dt.datetime | None
    lon: float | None           # EXIF GPS (WGS84, as phones write it)
    lat: float | None


def check(content: bytes, name: str = "") -> Photo:
    """A validated photo, or InvalidInput saying what is wrong with this file."""
    check_size(content, name)
    label = f"照片“{name}”" if name else "照片"
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(io.BytesIO(content)) as img:
                fmt, (width, height) = img.format, img.size
                if width * height > MAX_PIXELS:
                    raise InvalidInput(f"photo {name!r} claims {width}x{height} pixels (a decompression bomb?)",
                                       f"{label}的像素尺寸 {width}×{height} 过大（超过 {MAX_PIXELS // 1_000_000} 百万像素），"
                                       "不像手机照片，已拒收。")
                if fmt not in FORMATS:
                    raise InvalidInput(f"photo {name!r} is {fmt}, not JPEG or PNG",
                                       f"{label}的格式是 {fmt}，只接受 JPEG 或 PNG。")
                exif = img.getexif()
                img.load()                  # decodes every pixel: a truncated or corrupt file fails here
    except (Image.DecompressionBombError, Image.DecompressionBombWarning):
        raise InvalidInput(f"photo {name!r} is a decompression bomb (too many pixels)",
                           f"{label}的像素尺寸过大（超过 {MAX_PIXELS // 1_000_000} 百万像素），不像手机照片，已拒收。") from None
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError) as exc:
        raise InvalidInput(f"photo {name!r} is not a readable image ({exc.__class__.__name__})",
                           f"{label}不是可识别的图片（或文件已损坏）：请上传 JPEG 或 PNG 照片。") from None
    taken_at, lon, lat = _exif(exif)
    return Photo(content, FORMATS[fmt], width, height, hashlib.sha256(content).hexdigest(), taken_at, lon, lat)


def check_size(content: bytes, name: str = "") -> None:
    label = f"照片“{name}”" if name else "照片"
    if not content:
        raise InvalidInput(f"photo {name!r} is empty", f"{label}是空文件。")
    if len(content) > MAX_BYTES:
        raise TooLarge(f"photo {name!r} is more than 10 MB", f"{label}超过 10 MB：请压缩后再上传。")


def check_all(files: list[tuple[str, bytes]]) -> list[Photo]:
    if len(files) > MAX_PHOTOS:
        raise InvalidInput(f"{len(files)} photos, at most {MAX_PHOTOS}", f"每次最多上传 {MAX_PHOTOS} 张照片。")
    return [check(content, name) for name, content in files]


def _exif(exif) -> tuple[dt.datetime | None, float | None, float | None]:
    taken_at = None
    try:
        raw = exif.get_ifd(_EXIF_IFD).get(_DATETIME_ORIGINAL) or exif.get(_DATETIME)
        if raw:
            taken_at = dt.datetime.strptime(str(raw).strip("\x00 "), "%Y:%m:%d %H:%M:%S").replace(tzinfo=TZ)
    except (ValueError, TypeError, KeyError):
        taken_at = None
    lon = lat = None
    try:
        gps = exif.get_ifd(_GPS_IFD)
        if gps and 2 in gps and 4 in gps:
            lat = _degrees(gps[2]) * (-1 if str(gps.get(1, "N")).upper().startswith("S") else 1)
            lon = _degrees(gps[4]) * (-1 if str(gps.get(3, "E")).upper().startswith("W") else 1)
            if not (-180 <= lon <= 180 and -90 <= lat <= 90) or (lon == 0 and lat == 0):
                lon = lat = None
    except (ValueError, TypeError, ZeroDivisionError, KeyError):
        lon = lat = None
    return taken_at, lon, lat


def _degrees(dms) -> float:
    d, m, s = (float(v) for v in dms)
    return d + m / 60 + s / 3600


_INSERT = """
INSERT INTO event_photos (event_id, stage, mime, content, sha256, width, height, taken_at, taken_location,
                          distance_m, far_from_event, uploaded_by, is_demo)
SELECT e.id, %(stage)s, %(mime)s, %(content)s, %(sha)s, %(w)s, %(h)s, %(taken)s, p.pt,
       ST_Distance(p.pt::geography, e.location::geography),
       coalesce(ST_Distance(p.pt::geography, e.location::geography) > %(far)s, false), %(by)s, e.is_demo
  FROM events e
  LEFT JOIN LATERAL (SELECT CASE WHEN %(lon)s::float8 IS NOT NULL
                                 THEN ST_SetSRID(ST_MakePoint(%(lon)s, %(lat)s), 4490) END AS pt) p ON true
 WHERE e.id = %(event)s
ON CONFLICT (event_id, stage, sha256) DO NOTHING
"""


def attach(conn, event_id: int, stage: str, photos: list[Photo], uploaded_by: str) -> int:
    """Store the photos of one event at one stage in the caller's transaction; the same photo sent
    twice is stored once. Returns how many rows were written."""
    if stage not in STAGES:
        raise InvalidInput(f"unknown photo stage {stage!r}", f"照片阶段“{stage}”无法识别。")
    n = 0
    for p in photos:     # at most nine rows of up to 10 MB: one statement each keeps memory flat
        cur = conn.execute(_INSERT, {"event": event_id, "stage": stage, "mime": p.mime, "content": p.content,
                                     "sha": p.sha256, "w": p.width, "h": p.height, "taken": p.taken_at,
                                     "lon": p.lon, "lat": p.lat, "far": settings().jy_photo_far_m,
                                     "by": uploaded_by})
        n += cur.rowcount
    return n


_LIST = """
SELECT id, event_id, stage, mime, width, height, octet_length(content) AS bytes, taken_at,
       round(distance_m) AS distance_m, far_from_event, uploaded_by, uploaded_at
  FROM event_photos WHERE event_id = %(event)s ORDER BY stage DESC, uploaded_at, id
"""


def list_for(pool, event_id: int) -> list[dict]:
    """The photos of an event (no bytes), 处置前 first."""
    return db.rows(pool, _LIST, {"event": event_id})


def content(pool, photo_id: int) -> tuple[str, bytes] | None:
    """(mime, bytes) of one photo the caller's scope may see."""
    row = db.one(pool, "SELECT mime, content FROM event_photos WHERE id = %(id)s", {"id": photo_id})
    return (row["mime"], bytes(row["content"])) if row else None


def contents(pool, photo_ids: list[int]) -> dict[int, bytes]:
    """The bytes of these photos (the caller's scope), by id."""
    return {r["id"]: bytes(r["content"]) for r in
            db.rows(pool, "SELECT id, content FROM event_photos WHERE id = ANY (%(ids)s)", {"ids": list(photo_ids)})}
