"""Area codes: the one rule for their shape. A town/street (镇街) code has 9 digits, a village/
community (村社区) 12, a grid (网格) 15; each extends its parent's code (GB/T 2260 + 3 + 3 digits).
"""
from __future__ import annotations

import re

LENGTH = {1: 9, 2: 12, 3: 15}                     # level -> digits
LEVEL_OF_LENGTH = {n: level for level, n in LENGTH.items()}
LEVEL_NAMES = {1: "镇街", 2: "村社区", 3: "网格"}
_DIGITS = re.compile(r"^\d+$")


def length(level: int) -> int:
    return LENGTH[level]


def level_of(code: str | None) -> int | None:
    """The level a code's shape says (None: not an area code)."""
    if not code or not _DIGITS.match(code):
        return None
    return LEVEL_OF_LENGTH.get(len(code))


def is_code(code: str | None, level: int) -> bool:
    return level_of(code) == level


def ancestor(code: str, level: int) -> str:
    """The code of the area at `level` that contains `code` (its own code at its own level)."""
    return code[:LENGTH[level]]


def parent(code: str) -> str | None:
    """The parent's code (None for a town)."""
    level = level_of(code)
    return ancestor(code, level - 1) if level and level > 1 else None
