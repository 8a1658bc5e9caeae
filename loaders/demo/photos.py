"""Generated photos for demo terminals (演示数据): small deterministic JPEGs — a coloured scene with
the label 演示 drawn as blocks, no font needed — optionally with EXIF time and GPS, as a phone writes them."""
from __future__ import annotations

import datetime as dt
import io
import random

from PIL import Image, ImageDraw

_GPS_IFD, _EXIF_IFD = 0x8825, 0x8769


def _dms(value: float) -> tuple[float, float, float]:
    d = int(value)
    m = int((value - d) * 60)
    return float(d), float(m), round((value - d - m / 60) * 3600, 4)


def make_jpeg(seed: int, lon: float | None = None, lat: float | None = None,
              taken_at: dt.datetime | None = None, size: tuple[int, int] = (320, 240)) -> bytes:
    rnd = random.Random(seed)
    img = Image.new("RGB", size, (rnd.randrange(90, 200), rnd.randrange(120, 200), rnd.randrange(90, 200)))
    draw = ImageDraw.Draw(img)
    w, h = size
    draw.rectangle((0, int(h * 0.62), w, h), fill=(110, 110, 105))            # the road
    for _ in range(6):                                                        # things on it
        x, y = rnd.randrange(w - 40), rnd.randrange(int(h * 0.55), h - 20)
        draw.ellipse((x, y, x + rnd.randrange(15, 45), y + rnd.randrange(10, 25)),
                     fill=(rnd.randrange(256), rnd.randrange(256), rnd.randrange(256)))
    draw.rectangle((8, 8, 80, 30), fill=(200, 30, 30))                        # the 演示 tag
    exif = Image.Exif()
    if taken_at is not None:
        exif[_EXIF_IFD] = {36867: taken_at.strftime("%Y:%m:%d %H:%M:%S")}
    if lon is not None and lat is not None:
        exif[_GPS_IFD] = {1: "N" if lat >= 0 else "S", 2: _dms(abs(lat)), 3: "E" if lon >= 0 else "W", 4: _dms(abs(lon))}
    out = io.BytesIO()
    img.save(out, "JPEG", quality=80, exif=exif)
    return out.getvalue()
