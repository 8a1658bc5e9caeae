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


def for_viewer(rows: list[dict], sees_personal_data: bool, names: tuple[str, ...] = (),
               phones: tuple[str, ...] = ()) -> list[dict]:
    """The rows as this viewer may see them: the `names` fields masked unless the viewer sees
    personal data (geo/roles.py), the `phones` fields always masked (lists show no full number).
    The one place the read layer applies masking; pages show what they get."""
    if sees_personal_data and not phones:
        return rows
    out = []
    for r in rows:
        r = dict(r)
        for f in names if not sees_personal_data else ():
            if r.get(f):
                r[f] = mask_name(r[f])
        for f in phones:
            if f in r:
                r[f] = mask_phone(r[f])
        out.append(r)
    return out
