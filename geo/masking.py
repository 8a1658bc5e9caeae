"""Masking of personal data (names, phone numbers) for screens many people can see: the wall, and
every page a wall account opens."""
from __future__ import annotations


def mask_name(name: str | None) -> str:
    """张三丰 -> 张**, 李四 -> 李*; a non-Chinese name keeps its first letter."""
    if not name:
        return ""
    name = name.strip()
    return name[0] + "*" * max(len(name) - 1, 1)


def mask_phone(phone: str | None) -> str:
    """13812345678 -> 138****5678; anything shorter than 7 digits is hidden entirely."""
    if not phone:
        return ""
    digits = phone.strip()
    return digits[:3] + "****" + digits[-4:] if len(digits) >= 7 else "****"
