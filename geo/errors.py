"""One small hierarchy of domain errors.

Every error carries an English message (CLI, logs) and a Chinese one (UI). dashboard/ui/errors.py is
the one place that turns them into what a user sees.
"""
from __future__ import annotations

from dataclasses import dataclass


class DomainError(Exception):
    """Base class: something the user or the data got wrong, with a way to fix it."""

    zh_prefix = "操作未完成"

    def __init__(self, message: str, message_zh: str | None = None):
        super().__init__(message)
        self.message = message
        self.message_zh = message_zh or message

    def __str__(self) -> str:
        return self.message


class InvalidInput(DomainError):
    """A value given by a user, a file or a URL is malformed."""

    zh_prefix = "输入有误"


class OutsideCounty(InvalidInput):
    """A coordinate lies outside the Jiangyin county boundary."""

    zh_prefix = "位置不在江阴市范围内"


class NotFound(DomainError):
    """A code or id names nothing in the database."""

    zh_prefix = "未找到"


class OutOfScope(DomainError):
    """The viewer's scope (city, town, village) does not include what was asked for."""

    zh_prefix = "无权查看"


class DataUnavailable(DomainError):
    """The database cannot be reached or is not set up."""

    zh_prefix = "数据暂不可用"


class Busy(DataUnavailable):
    """The server is past what it can serve quickly: the request was not started; retry shortly (the
    API answers 503 with Retry-After; a terminal retries with its Idempotency-Key)."""

    zh_prefix = "服务器繁忙"


class IllegalTransition(DomainError):
    """The event's current state does not allow the action."""

    zh_prefix = "不能执行该操作"


class Forbidden(DomainError):
    """The actor's role or area does not allow the action."""

    zh_prefix = "无权操作"


class StaleEvent(DomainError):
    """Someone else acted on the event since the actor looked at it."""

    zh_prefix = "事件已被他人处理"

    def __init__(self, message: str, message_zh: str, current: dict):
        super().__init__(message, message_zh)
        self.current = current


class IdempotencyConflict(DomainError):
    """A sender's report number (Idempotency-Key, external_id) used again for a different request."""

    zh_prefix = "上报编号重复"


class LoginFailed(DomainError):
    """Wrong name or password, a locked or disabled account (geo/auth.py)."""

    zh_prefix = "登录失败"


class BadSetting(DataUnavailable):
    """An environment variable holds a value that cannot be used (geo/settings.py)."""

    zh_prefix = "配置有误"


class PathError(NotFound):
    """A code in the URL is unknown or does not sit under the one before it; `valid` is the part of
    the path that was valid (geo/places.py)."""

    def __init__(self, message: str, message_zh: str, valid):
        super().__init__(message, message_zh)
        self.valid = valid


@dataclass(frozen=True)
class Problem:
    """One defect of one row or feature of what was sent (a form, a request, a file), with a fix."""
    row: int | None            # 1-based row or feature number; None for a single report or the whole file
    code: str | None           # the value or code the problem is about, as the sender wrote it
    problem: str
    problem_zh: str
    hint: str = ""
    hint_zh: str = ""
    fatal: bool = True         # False: reported (a repair, a note), not a refusal
    field: str | None = None   # which field (description, location, …)

    @property
    def message(self) -> str:
        return f"{self.problem} ({self.hint})" if self.hint else self.problem

    @property
    def message_zh(self) -> str:
        return f"{self.problem_zh}。{self.hint_zh}" if self.hint_zh else self.problem_zh

    def line(self) -> str:
        where = f"row {self.row}" + (f" ({self.code})" if self.code else "") if self.row else (self.code or "file")
        return f"{where}: {self.problem}" + (f" -> {self.hint}" if self.hint else "")


class IntakeRefused(InvalidInput):
    """One or more reports are invalid (each a Problem); nothing was written (geo/intake.py)."""

    def __init__(self, problems: list):
        self.problems = problems
        en = "; ".join(f"{'row ' + str(p.row) + ': ' if p.row else ''}{p.message}" for p in problems[:20])
        zh = "；".join(f"{'第' + str(p.row) + '行：' if p.row else ''}{p.message_zh}" for p in problems[:20])
        more = len(problems) - 20
        super().__init__(en + (f"; and {more} more" if more > 0 else ""),
                         zh + (f"；另有 {more} 处问题" if more > 0 else ""))


class TooLarge(InvalidInput):
    """A request, file or photo is bigger than accepted."""

    zh_prefix = "内容过大"
