"""Problems found in a file, one per feature and defect, and the checks shared by every kind."""
from __future__ import annotations

import re

import numpy as np
import shapely
from shapely.validation import explain_validity, make_valid

from geo.errors import Problem  # noqa: F401 - the one problem type, used by every importer

_CJK = re.compile(r"[\u4e00-\u9fff]")
_LATIN1_HIGH = re.compile(r"[\u00c0-\u00ff]")


def looks_mojibake(text: str | None) -> str | None:
    """'gbk-as-utf8', 'utf8-as-gbk' or None. GBK bytes read as UTF-8 leave U+FFFD or Latin-1
    letters (e.g. 'ÍøÂç'); UTF-8 bytes read as GBK give odd CJK that re-encodes to valid UTF-8."""
    if not text or not isinstance(text, str):
        return None
    if "\ufffd" in text:
        return "gbk-as-utf8"
    if _LATIN1_HIGH.search(text):
        try:
            if _CJK.search(text.encode("latin-1").decode("gbk")):
                return "gbk-as-utf8"
        except (UnicodeEncodeError, UnicodeDecodeError):
            pass
    if len(_CJK.findall(text)) >= 2:
        try:
            fixed = text.encode("gbk").decode("utf-8")
            if fixed != text and _CJK.search(fixed):
                return "utf8-as-gbk"
        except (UnicodeEncodeError, UnicodeDecodeError):
            pass
    return None


MOJIBAKE_HINT = {
    "gbk-as-utf8": ("the text is GBK read as UTF-8: import with --encoding gbk (or add a .cpg file "
                    "saying GBK)", "文字为 GBK 编码却按 UTF-8 读取：请选择编码 GBK（或在 Shapefile 旁放 .cpg 注明 GBK）。"),
    "utf8-as-gbk": ("the text is UTF-8 read as GBK: import with --encoding utf-8",
                    "文字为 UTF-8 编码却按 GBK 读取：请选择编码 UTF-8。"),
}


def text_problems(rows, codes, columns: dict[str, list]) -> list[Problem]:
    out = []
    for name, values in columns.items():
        for row, code, value in zip(rows, codes, values):
            kind = looks_mojibake(value)
            if kind:
                hint, hint_zh = MOJIBAKE_HINT[kind]
                out.append(Problem(row, code, f"{name} {value!r} looks garbled (mojibake)",
                                   f"{name}“{value}”为乱码", hint, hint_zh))
    return out


def polygon_problems(rows, codes, geoms: np.ndarray, fix: bool) -> tuple[np.ndarray, list[Problem]]:
    """Empty/NULL, wrong type, invalid (repaired with fix). Returns (geoms to use, problems)."""
    out: list[Problem] = []
    geoms = geoms.copy()
    for i, (row, code, g) in enumerate(zip(rows, codes, geoms)):
        if g is None or g.is_empty:
            out.append(Problem(row, code, "empty or missing geometry", "几何为空",
                               "draw the polygon or remove the feature", "请补绘面要素或删除该要素。"))
            geoms[i] = None
            continue
        if g.geom_type not in ("Polygon", "MultiPolygon"):
            out.append(Problem(row, code, f"geometry is a {g.geom_type}, not a polygon",
                               f"几何类型为 {g.geom_type}，应为面（Polygon）", "export the grid layer as polygons",
                               "请导出为面图层。"))
            geoms[i] = None
            continue
        if not g.is_valid:
            reason = explain_validity(g)
            if fix:
                repaired = _polygonal(make_valid(g))
                if repaired is None or repaired.is_empty:
                    out.append(Problem(row, code, f"invalid geometry ({reason}) that cannot be repaired",
                                       f"几何无效（{reason}），无法自动修复", "redraw the polygon", "请重新绘制该面。"))
                    geoms[i] = None
                else:
                    out.append(Problem(row, code, f"invalid geometry ({reason}) repaired (--fix)",
                                       f"几何无效（{reason}），已自动修复", fatal=False))
                    geoms[i] = repaired
            else:
                out.append(Problem(row, code, f"invalid geometry: {reason}",
                                   f"几何无效（自相交、未闭合或环过短）：{reason}",
                                   "fix the polygon in GIS, or import with --fix to repair it",
                                   "请在 GIS 软件中修正，或勾选“自动修复几何”后重新校验。"))
                geoms[i] = None
    return geoms, out


def _polygonal(g):
    if g.geom_type in ("Polygon", "MultiPolygon"):
        return shapely.MultiPolygon([g]) if g.geom_type == "Polygon" else g
    parts = [p for p in getattr(g, "geoms", []) if p.geom_type in ("Polygon", "MultiPolygon")]
    if not parts:
        return None
    u = shapely.union_all(parts)
    return shapely.MultiPolygon([u]) if u.geom_type == "Polygon" else u


def as_multi(g):
    return shapely.MultiPolygon([g]) if g is not None and g.geom_type == "Polygon" else g


def duplicate_problems(rows, codes) -> list[Problem]:
    seen: dict[str, int] = {}
    out = []
    for row, code in zip(rows, codes):
        if not code:
            continue
        if code in seen:
            out.append(Problem(row, code, f"duplicate code (also on row {seen[code]})",
                               f"编码重复（与第 {seen[code]} 行相同）", "give each feature its own code",
                               "每个要素的编码必须唯一。"))
        else:
            seen[code] = row
    return out


_KANA = re.compile(r"[\u3041-\u3096\u30a1-\u30fa]")


def japanese_bytes(raw: bytes) -> bool:
    """Shift-JIS text decodes as GBK without an error (as mojibake), so GBK cannot be told from it by
    decoding: bytes that decode as Shift-JIS into kana (at least 3, and 5 % of the non-ASCII
    characters) are Japanese. GBK Chinese almost never does (its lead bytes rarely fall on kana)."""
    try:
        text = raw.decode("shift_jis")
    except UnicodeDecodeError:
        return False
    kana = len(_KANA.findall(text))
    wide = sum(1 for ch in text if ord(ch) > 127)
    return kana >= 3 and kana >= 0.05 * wide
