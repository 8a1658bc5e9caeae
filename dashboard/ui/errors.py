"""The one place where domain errors become messages for users. No traceback reaches a user."""
from __future__ import annotations

import logging
from contextlib import contextmanager

import psycopg
import streamlit as st

from geo.errors import DataUnavailable, DomainError

log = logging.getLogger("jiangyin.dashboard")


def show_error(exc: BaseException) -> None:
    if isinstance(exc, DomainError):
        st.error(f"{exc.zh_prefix}：{exc.message_zh}")
    elif isinstance(exc, psycopg.OperationalError):
        show_error(DataUnavailable(str(exc), "数据库暂时无法连接，请稍后刷新；如持续出现，请联系管理员。"))
    else:
        log.exception("unexpected error in a page", exc_info=exc)
        st.error("系统出现意外错误，已记录日志。请刷新页面重试；如持续出现，请联系管理员。")


@contextmanager
def user_errors():
    """Wrap a page body: domain errors show their Chinese message, anything else a generic one."""
    # Streamlit's rerun/stop signals derive from BaseException and pass through untouched.
    try:
        yield
    except Exception as exc:  # noqa: BLE001 - this is the one catch-all, by design
        show_error(exc)
