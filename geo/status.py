"""Event status codes and their Chinese labels (the national digital-city-management pattern)."""
from __future__ import annotations

STATUS_LABELS = {
    "reported": "上报",
    "accepted": "立案",
    "dispatched": "派遣",
    "in_progress": "处置中",
    "handled": "处置完成",
    "verified": "核查",
    "closed": "结案",
    "rejected": "不予立案",
    "returned": "退回",
}
CLOSED_STATUSES = ("closed", "rejected")
OPEN_STATUSES = tuple(s for s in STATUS_LABELS if s not in CLOSED_STATUSES)
PRIORITY_LABELS = {1: "特急", 2: "紧急", 3: "一般"}
LEVEL_LABELS = {"city": "市级", "town": "镇街", "village": "村社区"}
HAZARD_LEVEL_LABELS = {1: "一级重大危险源", 2: "二级重大危险源", 3: "三级重大危险源", 4: "四级重大危险源"}


def status_label(code: str) -> str:
    return STATUS_LABELS.get(code, code)
