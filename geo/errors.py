"""One small hierarchy of domain errors.

Every error carries an English message (CLI, logs) and a Chinese one (UI). dashboard/ui/errors.py is
the one place that turns them into what a user sees.
"""
from __future__ import annotations


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
