"""综合评价: on-time rate, mean handling time and return rate per town, village, department or category,
for the events reported in a period. It also feeds the rankings and the CSV/XLSX exports."""
from __future__ import annotations

import datetime as dt
import io

from geo import metrics
from geo.db import dicts
from geo.errors import InvalidInput
from geo.scope import Scope
from geo.sqlfiles import load

GROUPS = {"town": "镇街", "village": "村社区", "department": "责任部门", "category": "事件类别"}
# Columns in order; their labels come from the figure catalogue (geo/metrics.py) with the period.
FIGURE_COLUMNS = ("reported", "closed", "closed_on_time", "on_time_rate", "mean_close_hours", "returned",
                  "return_rate", "urged", "open", "overdue")


def default_group(scope: Scope) -> str:
    """A town leader answers for the villages; the city for the towns (and a village for itself)."""
    return "town" if scope.town is None else "village"


def default_period(today: dt.date, days: int = metrics.DEFAULT_DAYS) -> tuple[dt.date, dt.date]:
    """The period every page's 近N天 figures cover: the last N local days including today."""
    return today - dt.timedelta(days=days - 1), today


def period_text(start: dt.date, end: dt.date, today: dt.date) -> str:
    if end == today and (start, end) == default_period(today, metrics.period_days(start, end)):
        return metrics.period_label(metrics.period_days(start, end))
    return f"{start:%m-%d}至{end:%m-%d}"


def columns(start: dt.date, end: dt.date, today: dt.date) -> dict[str, str]:
    """Figure key -> column label, e.g. 按期办结率（近30天）; 在办 and 超期 are "now"."""
    per = period_text(start, end, today)
    return {k: (f"{metrics.FIGURES[k].name}（{per}）" if metrics.FIGURES[k].periodic else metrics.label(k))
            for k in FIGURE_COLUMNS}


def evaluate(pool, scope: Scope, group: str, start: dt.date, end: dt.date) -> list[dict]:
    """One row per town / department / category: the catalogue's figures over [start, end]."""
    if group not in GROUPS:
        raise InvalidInput(f"unknown grouping {group!r}", f"未知的统计口径“{group}”。")
    if end < start:
        raise InvalidInput("the period ends before it starts", "结束日期早于开始日期。")
    if (end - start).days > 3660:
        raise InvalidInput("the period is longer than ten years", "统计区间不能超过十年。")
    with pool.connection() as conn:
        cur = conn.execute(load("evaluation"), {**scope.params(), "group": group, "start": start,
                                                "end": end + dt.timedelta(days=1)})
        rows = dicts(cur)
    for r in rows:
        r["on_time_rate"] = metrics.rate(r["closed_on_time"], r["closed"])
        r["mean_close_hours"] = metrics.mean_hours(r["close_seconds"], r["closed"])
        r["return_rate"] = metrics.rate(r["events_returned"], r["reported"])
    # worst on-time rate first, as in the rankings
    rows.sort(key=lambda r: (r["on_time_rate"] is None, r["on_time_rate"] or 0, -r["reported"], r["key"] or ""))
    return rows


def to_frame(rows: list[dict], group: str, labels: dict[str, str]):
    import pandas as pd

    df = pd.DataFrame([{GROUPS[group]: r["name"], **{labels[k]: r[k] for k in FIGURE_COLUMNS}} for r in rows],
                      columns=[GROUPS[group], *labels.values()])
    for k in ("on_time_rate", "return_rate"):
        df[labels[k]] = (df[labels[k]].astype(float) * 100).round(1)
    df[labels["mean_close_hours"]] = df[labels["mean_close_hours"]].astype(float).round(1)
    return df


def to_xlsx(df, sheet: str = "综合评价") -> bytes:
    buf = io.BytesIO()
    df.to_excel(buf, index=False, sheet_name=sheet, engine="openpyxl")
    return buf.getvalue()


def to_csv(df) -> bytes:
    # UTF-8 with BOM so that Excel on Chinese Windows opens it with the right encoding.
    return df.to_csv(index=False).encode("utf-8-sig")
