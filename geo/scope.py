"""The viewer's scope: the whole city, one town/street, or one village/community.

Every query function in geo/ takes a Scope and filters by it in SQL; the signed-in account decides
which Scope a viewer gets (geo/access.py), and PostgreSQL enforces it (row-level security).
"""
from __future__ import annotations

from dataclasses import dataclass

from geo import codes
from geo.errors import InvalidInput


@dataclass(frozen=True)
class Scope:
    town: str | None = None
    village: str | None = None

    def __post_init__(self):
        if self.town is not None and not codes.is_code(self.town, 1):
            raise InvalidInput(f"town code {self.town!r} must be 9 digits",
                               f"镇街编码“{self.town}”格式不对，应为9位数字。")
        if self.village is not None:
            if not codes.is_code(self.village, 2):
                raise InvalidInput(f"village code {self.village!r} must be 12 digits",
                                   f"村社区编码“{self.village}”格式不对，应为12位数字。")
            if self.town is None:
                object.__setattr__(self, "town", codes.ancestor(self.village, 1))
            elif not self.village.startswith(self.town):
                raise InvalidInput(f"village {self.village} is not in town {self.town}",
                                   f"村社区 {self.village} 不属于镇街 {self.town}。")

    @classmethod
    def city(cls) -> "Scope":
        return cls()

    @property
    def level(self) -> str:
        return "village" if self.village else ("town" if self.town else "city")

    def params(self) -> dict[str, str | None]:
        """Bind parameters for the scope filter used in every geo/sql query."""
        return {"scope_town": self.town, "scope_village": self.village}
