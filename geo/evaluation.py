"""综合评价: on-time rate, mean handling time and return rate per town, department or category,
for the events reported in a period. It also feeds the rankings and the CSV/XLSX exports."""
from __future__ import annotations

import datetime as dt
import io

from geo.errors import InvalidInput
from geo.scope import Scope
from geo.sqlfiles import load
from geo.db import dicts

GROUPS = {"town": "镇街", "department": "责任部门", "category": "事件类别"}
COLUMNS = {"name": "名称", "reported": "上报", "closed": "结案", "closed_on_time": "按期结案",
           "on_time_rate": "按期办结率", "mean_close_hours": "平均办结用时（小时）",
           "returned": "退回次数", "return_rate": "退回率", "open": "在办", "overdue_open": "超期在办"}


def evaluate(pool, scope: Scope, group: str, start: dt.date, end: dt.date) -> list[dict]:
    if group not in GROUPS:
        raise InvalidInput(f"unknown grouping {group!r}", f"未知的统计口径“{group}”。")
    if end < start:
        raise InvalidInput("the period ends before it starts", "结束日期早于开始日期。")
    if (end - start).days > 3660:
        raise InvalidInput("the period is longer than ten years", "统计区间不能超过十年。")
    with pool.connection() as conn:
        cur = conn.execute(load("evaluation"), {**scope.params(), "group": group, "start": start,
                                                "end": end + dt.timedelta(days=1)})
        return dicts(cur)


def to_frame(rows: list[dict], group: str):
    import pandas as pd

    df = pd.DataFrame(rows, columns=["key", *COLUMNS])
    df = df.drop(columns="key").rename(columns={**COLUMNS, "name": GROUPS[group]})
    for col in ("按期办结率", "退回率"):
        df[col] = (df[col].astype(float) * 100).round(1)
    df["平均办结用时（小时）"] = df["平均办结用时（小时）"].astype(float).round(1)
    return df


def to_xlsx(df, sheet: str = "综合评价") -> bytes:
    buf = io.BytesIO()
    df.to_excel(buf, index=False, sheet_name=sheet, engine="openpyxl")
    return buf.getvalue()


def to_csv(df) -> bytes:
    # UTF-8 with BOM so that Excel on Chinese Windows opens it with the right encoding.
    return df.to_csv(index=False).encode("utf-8-sig")
