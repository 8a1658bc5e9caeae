"""Read a data file into a (Geo)DataFrame, whatever its format.

GeoJSON, Shapefile (.shp with .dbf/.prj/.cpg beside it, or all of them in a .zip), GeoPackage (one
layer; `layer` chooses it when there are several), CSV and XLSX (a longitude/latitude or x/y column
pair makes points). Any failure to read is an InvalidInput that says what is wrong with the file.
"""
from __future__ import annotations

import io
import zipfile
from dataclasses import dataclass
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from geo.errors import InvalidInput
from loaders.importer.checks import japanese_bytes

VECTOR = {".geojson", ".json", ".shp", ".zip", ".gpkg"}
TABLE = {".csv", ".xlsx"}
X_NAMES = ("经度", "lon", "lng", "longitude", "x", "X", "横坐标", "东坐标")
Y_NAMES = ("纬度", "lat", "latitude", "y", "Y", "纵坐标", "北坐标")
WKT_NAMES = ("wkt", "geometry", "geom", "几何", "空间信息", "shape")


@dataclass
class Source:
    frame: gpd.GeoDataFrame
    crs: object | None          # pyproj CRS from the file, or None
    kind: str                   # 'vector' or 'table'


def bad(msg: str, zh: str) -> InvalidInput:
    return InvalidInput(msg, zh)


MAX_UNZIPPED = 1 << 30        # 1 GB unpacked: far above any county's export, far below a zip bomb
MAX_RATIO = 200               # XML and DBF compress 10-30x; a bomb compresses thousands of times


def check_zip(path: Path, what: str) -> None:
    """Refuse a zip container (an XLSX workbook or a zipped Shapefile) whose members would unpack
    to more than MAX_UNZIPPED or at an implausible ratio, from its directory alone, before any
    reader inflates it (a 2 MB XLSX bomb took 6.2 GB of memory in openpyxl)."""
    try:
        with zipfile.ZipFile(path) as zf:
            infos = zf.infolist()
    except (zipfile.BadZipFile, OSError) as exc:
        raise bad(f"{path.name} is not a valid {what} (not a zip container)",
                  f"“{path.name}”不是有效的 {what} 文件（文件已损坏或扩展名不符）。") from exc
    total = sum(i.file_size for i in infos)
    worst = max((i.file_size / max(i.compress_size, 1) for i in infos if i.file_size > 1 << 20), default=0)
    if total > MAX_UNZIPPED or worst > MAX_RATIO:
        raise bad(f"{path.name} would unpack to {total / 2**20:,.0f} MB (ratio up to {worst:,.0f}:1); refused as "
                  "damaged or hostile — export it again",
                  f"“{path.name}”解压后达 {total / 2**20:,.0f} MB（压缩比异常），疑似损坏或恶意文件，已拒绝；请重新导出后再导入。")


def read(path: Path, layer: str | None = None, encoding: str | None = None) -> Source:
    suffix = path.suffix.lower()
    if not path.is_file():
        raise bad(f"{path} does not exist or is not a file", f"文件“{path.name}”不存在。")
    if suffix not in VECTOR | TABLE:
        raise bad(f"{path.name}: unknown format {suffix or '(none)'}; use GeoJSON, a zipped or plain "
                  "Shapefile, GeoPackage, CSV or XLSX",
                  f"“{path.name}”的格式无法识别；请使用 GeoJSON、Shapefile（可压缩为 zip）、GeoPackage、CSV 或 XLSX。")
    try:
        if suffix in TABLE:
            return _table(path, encoding)
        return _vector(path, layer, encoding)
    except InvalidInput:
        raise
    except Exception as exc:  # noqa: BLE001 - any reader failure becomes one clear message
        raise bad(f"{path.name} cannot be read as {suffix[1:].upper()}: {exc.__class__.__name__}: "
                  f"{str(exc)[:200]}. Check that the file is complete and of the format its name says",
                  f"无法读取“{path.name}”：文件可能已损坏、不完整，或与扩展名不符。") from exc


def _vector(path: Path, layer: str | None, encoding: str | None) -> Source:
    import pyogrio

    target = str(path)
    if path.suffix.lower() == ".zip":
        target = _zip_target(path)
    elif path.suffix.lower() == ".shp":
        for ext in (".dbf", ".shx"):
            if not path.with_suffix(ext).exists() and not path.with_suffix(ext.upper()).exists():
                raise bad(f"{path.name}: the {ext} file beside it is missing; a Shapefile needs .shp, "
                          ".shx and .dbf (and .prj for its coordinate system)",
                          f"Shapefile 缺少 {ext} 文件：请把 .shp、.shx、.dbf、.prj（及 .cpg）一起上传，或打包为 zip。")
    layers = [name for name, _ in pyogrio.list_layers(target)]
    if not layers:
        raise bad(f"{path.name} holds no layer", f"“{path.name}”中没有图层。")
    if layer is None:
        if len(layers) > 1:
            raise bad(f"{path.name} has several layers ({', '.join(layers)}); choose one with --layer",
                      f"“{path.name}”包含多个图层（{'、'.join(layers)}），请选择一个。")
        layer = layers[0]
    elif layer not in layers:
        raise bad(f"{path.name} has no layer {layer!r}; it has {', '.join(layers)}",
                  f"“{path.name}”中没有图层“{layer}”；现有图层：{'、'.join(layers)}。")
    kwargs = {"encoding": encoding} if encoding else {}
    frame = gpd.read_file(target, layer=layer, engine="pyogrio", **kwargs)
    if encoding is None and _is_shapefile(target) and _garbled(frame):
        # A DBF without a .cpg is read as Latin-1; Chinese counties write GBK. Try it, keep it if clean.
        retry = gpd.read_file(target, layer=layer, engine="pyogrio", encoding="GBK")
        if not _garbled(retry):
            frame = retry
    return Source(frame, frame.crs, "vector")


def _is_shapefile(target: str) -> bool:
    return target.lower().endswith(".shp")


def _garbled(frame) -> bool:
    from loaders.importer.checks import looks_mojibake

    for col in frame.columns:
        if col == frame.geometry.name or frame[col].dtype.kind not in "OSU" and str(frame[col].dtype) != "str":
            continue
        if any(looks_mojibake(v) for v in frame[col].head(200) if isinstance(v, str)):
            return True
    return False


def _zip_target(path: Path) -> str:
    check_zip(path, "zip")
    try:
        with zipfile.ZipFile(path) as zf:
            names = [n for n in zf.namelist() if not n.endswith("/") and "__MACOSX" not in n]
            bad_member = zf.testzip()
    except zipfile.BadZipFile as exc:
        raise bad(f"{path.name} is not a valid zip archive", f"“{path.name}”不是有效的 zip 压缩包。") from exc
    if bad_member:
        raise bad(f"{path.name}: member {bad_member} is damaged", f"压缩包中的“{bad_member}”已损坏。")
    shps = [n for n in names if n.lower().endswith(".shp")]
    others = [n for n in names if n.lower().endswith((".gpkg", ".geojson", ".json"))]
    if len(shps) + len(others) != 1:
        raise bad(f"{path.name} must hold exactly one .shp (with its .dbf/.shx/.prj), .gpkg or .geojson; "
                  f"it holds {len(shps) + len(others)}",
                  "zip 压缩包中应恰好包含一个 Shapefile（含 .dbf/.shx/.prj）、GeoPackage 或 GeoJSON。")
    member = (shps or others)[0]
    if shps:
        stem = member[:-4]
        for ext in (".dbf", ".shx"):
            if not any(n.lower() == (stem + ext).lower() for n in names):
                raise bad(f"{path.name}: {Path(member).name} has no {ext} beside it in the zip",
                          f"压缩包中缺少与 {Path(member).name} 配套的 {ext} 文件。")
    return f"/vsizip/{path}/{member}"


def plain_table(path: Path, encoding: str | None = None) -> pd.DataFrame:
    """A CSV (UTF-8 or GBK, refused when neither) or XLSX sheet with no geometry, every cell as text;
    the same size, expansion and encoding rules as the spatial files."""
    if not path.is_file():
        raise bad(f"{path} does not exist or is not a file", f"文件“{path.name}”不存在。")
    if path.suffix.lower() not in TABLE:
        raise bad(f"{path.name}: expected a CSV or XLSX table", f"“{path.name}”不是 CSV 或 XLSX 表格。")
    try:
        return _frame(path, encoding)
    except InvalidInput:
        raise
    except Exception as exc:  # noqa: BLE001 - any reader failure becomes one clear message
        raise bad(f"{path.name} cannot be read as a table: {exc.__class__.__name__}: {str(exc)[:200]}",
                  f"无法读取“{path.name}”：文件可能已损坏、不完整，或与扩展名不符。") from exc


def _frame(path: Path, encoding: str | None) -> pd.DataFrame:
    if path.suffix.lower() == ".xlsx":
        from loaders.importer import xlsx  # bounded child process; it imports check_zip from here
        with xlsx.as_csv(path) as csv_path:
            df = pd.read_csv(csv_path, dtype=str, keep_default_na=False, encoding="utf-8")
    else:
        raw = path.read_bytes()
        text = None
        for enc in ([encoding] if encoding else ["utf-8-sig", "gbk"]):
            try:
                text = raw.decode(enc)
            except (UnicodeDecodeError, LookupError):
                continue
            if not encoding and enc == "gbk" and japanese_bytes(raw[:1_000_000]):
                raise bad(f"{path.name} looks like Japanese (Shift-JIS) text, not UTF-8 or GBK; save it as UTF-8 CSV",
                          f"“{path.name}”似乎是日文（Shift-JIS）编码，不是 UTF-8 或 GBK：请另存为 UTF-8 的 CSV。")
            break
        if text is None:
            raise bad(f"{path.name} is neither UTF-8 nor GBK text; save it as UTF-8 CSV",
                      f"“{path.name}”不是 UTF-8 或 GBK 编码的文本，请另存为 UTF-8 的 CSV。")
        df = pd.read_csv(io.StringIO(text), dtype=str, keep_default_na=False)
    df.columns = [str(c).strip() for c in df.columns]
    return df


def _table(path: Path, encoding: str | None) -> Source:
    df = _frame(path, encoding)
    wkt = next((c for c in df.columns if c.lower() in WKT_NAMES), None)
    if wkt is not None:
        geoms = []
        for v in df[wkt]:
            try:
                geoms.append(None if is_missing(v) else shapely.from_wkt(str(v)))
            except shapely.errors.GEOSException:
                geoms.append(None)        # reported as an empty geometry on that row
        return Source(gpd.GeoDataFrame(df.drop(columns=[wkt]), geometry=geoms, crs=None), None, "table")
    xcol = next((c for c in X_NAMES if c in df.columns), None)
    ycol = next((c for c in Y_NAMES if c in df.columns), None)
    if xcol is None or ycol is None:
        raise bad(f"{path.name}: no coordinate columns; name them 经度/纬度 (lon/lat) or x/y, or give the "
                  "shapes as WKT in a column named WKT",
                  f"“{path.name}”缺少坐标列：请命名为“经度”“纬度”（或 lon/lat、x/y），或在“WKT”列中给出几何。")
    x = pd.to_numeric(df[xcol].astype(str).str.strip(), errors="coerce")
    y = pd.to_numeric(df[ycol].astype(str).str.strip(), errors="coerce")
    geoms = [None if (pd.isna(a) or pd.isna(b)) else shapely.Point(a, b) for a, b in zip(x, y)]
    frame = gpd.GeoDataFrame(df.drop(columns=[xcol, ycol]), geometry=geoms, crs=None)
    return Source(frame, None, "table")


def column(frame: pd.DataFrame, wanted: str | None, aliases: tuple[str, ...], what: str) -> str | None:
    """The column for a field: the option if given (must exist), else the first alias present."""
    cols = {c.lower(): c for c in frame.columns}
    if wanted:
        if wanted.lower() not in cols:
            raise InvalidInput(f"the file has no field {wanted!r} for the {what}; its fields: "
                               f"{', '.join(map(str, frame.columns))}",
                               f"文件中没有字段“{wanted}”；现有字段：{'、'.join(map(str, frame.columns))}。")
        return cols[wanted.lower()]
    return next((cols[a.lower()] for a in aliases if a.lower() in cols), None)


def is_missing(v) -> bool:
    """None, NaN, pandas' NA/NaT, or an empty/blank string."""
    if v is None or v is pd.NA or v is pd.NaT:
        return True
    if isinstance(v, (float, np.floating)) and not np.isfinite(v):
        return True
    return isinstance(v, str) and not v.strip()


def text_value(v) -> str | None:
    """A text field, trimmed; None when missing. (Not normalised: a garbled name must stay
    recognisable as garbled.)"""
    if is_missing(v):
        return None
    if isinstance(v, (float, np.floating)) and float(v).is_integer():
        v = int(v)
    s = str(v).strip()
    if s.endswith(".0") and s[:-2].isdigit():       # a code read as a number
        s = s[:-2]
    return s or None


class CodeProblem(ValueError):
    """A code that cannot be read as digits (with the reason, English and Chinese)."""

    def __init__(self, raw: str, msg: str, zh: str):
        super().__init__(msg)
        self.raw, self.msg, self.zh = raw, msg, zh


def code_value(v) -> str | None:
    """A grid/area code: digits only. Accepts numbers (320281001.0 from Excel, numeric DBF fields),
    full-width digits and spaces inside; refuses Excel's scientific notation (3.20281E+14 has lost
    its digits) and anything else with a CodeProblem."""
    import re
    from decimal import Decimal, InvalidOperation

    if is_missing(v):
        return None
    if isinstance(v, (int, np.integer)):
        return str(int(v))
    if isinstance(v, (float, np.floating)):
        if float(v).is_integer() and abs(float(v)) < 1e16:
            return str(int(v))
        raise CodeProblem(str(v), f"code {v!r} is not a whole number", f"编码“{v}”不是整数")
    import unicodedata

    s = unicodedata.normalize("NFKC", text_value(v) or "")      # full-width digits -> ASCII
    s = re.sub(r"\s+", "", s)
    if re.fullmatch(r"\d+(\.0+)?", s):
        return s.split(".")[0]
    if re.fullmatch(r"[\d.]+[eE][+]?\d+", s):
        try:
            digits = len(Decimal(s).normalize().as_tuple().digits)
        except InvalidOperation:
            digits = 0
        raise CodeProblem(s, f"code {s!r} is in scientific notation: Excel dropped its digits "
                             f"({digits} left); format the column as text and export again",
                          f"编码“{s}”为科学计数法，Excel 已丢失其中的数字：请把该列设为文本格式后重新导出")
    raise CodeProblem(s, f"code {s!r} is not made of digits", f"编码“{s}”不是纯数字")


LEVEL_WORDS = {"1": 1, "一": 1, "一级": 1, "镇": 1, "镇街": 1, "街道": 1, "乡镇": 1, "镇（街道）": 1,
               "2": 2, "二": 2, "二级": 2, "村": 2, "社区": 2, "村社区": 2, "村（社区）": 2,
               "3": 3, "三": 3, "三级": 3, "网格": 3, "三级网格": 3, "一般网格": 3}


def level_value(v) -> int | None:
    """A level given as 1/2/3 (or 1.0), 一级/二级/三级, or 镇街/村社区/网格; None when missing or unknown."""
    import unicodedata

    s = text_value(v)
    if s is None:
        return None
    s = unicodedata.normalize("NFKC", s)
    s = s.split(".")[0] if s.replace(".", "", 1).isdigit() else s
    s = s.replace("级网格", "级") if s not in LEVEL_WORDS else s
    return LEVEL_WORDS.get(s)
