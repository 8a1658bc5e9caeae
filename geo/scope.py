"""The viewer's scope: the whole city, one town/street, or one village/community.

Every query function in geo/ takes a Scope and filters by it in SQL; log-in (a later feature) only
decides which Scope a viewer gets.
"""
from __future__ import annotations

import re
from dataclasses import dataclass

from geo.errors import InvalidInput

_TOWN = re.compile(r"^\d{9}$")
_VILLAGE = re.compile(r"^\d{12}$")


@dataclass(frozen=True)
class Scope:
    town: str | None = None
    village: str | None = None

    def __post_init__(self):
        if self.town is not None and not _TOWN.match(self.town):
            raise InvalidInput(f"town code {self.town!r} must be 9 digits",
                               f"镇街编码“{self.town}”格式不对，应为9位数字。")
        if self.village is not None:
            if not _VILLAGE.match(self.village):
                raise InvalidInput(f"village code {self.village!r} must be 12 digits",
                                   f"村社区编码“{self.village}”格式不对，应为12位数字。")
            if self.town is None:
                object.__setattr__(self, "town", self.village[:9])
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
