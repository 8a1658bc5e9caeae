"""考核: monthly scores of towns, villages/communities and grid workers from measurable inputs — on-time
rate, return rate, patrol coverage, reports per grid worker, 催办 received — weighted as
data/reference/assessment.json says. Each score explains itself: its inputs, their raw counts,
the part each scores and its weight (`explain`).

The rule, once: part = min(value / target, 1) for an input where higher is better, and
max(0, 1 - value / target) where lower is better; score = 100 × Σ weight × part / Σ weight over the
inputs that have a value this month (an input without one — no event closed, say — is left out and
the explanation says so).
"""
from __future__ import annotations

import calendar
import datetime as dt
import io
import json
import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from geo import db, metrics
from geo.errors import InvalidInput
from geo.scope import Scope
from geo.sqlfiles import query

WEIGHTS_FILE = Path(__file__).resolve().parent.parent / "data" / "reference" / "assessment.json"
UNITS = {"town": "镇街", "village": "村社区", "worker": "网格员"}


@dataclass(frozen=True)
class Input:
    key: str
    label: str
    weight: float
    better: str        # "higher" | "lower"
    target: float
    unit: str

    def part(self, value: float | None) -> float | None:
        if value is None:
            return None
        if self.better == "higher":
            return min(value / self.target, 1.0)
        return max(0.0, 1.0 - value / self.target)


@lru_cache(maxsize=1)
def inputs() -> tuple[Input, ...]:
    raw = json.loads(WEIGHTS_FILE.read_text(encoding="utf-8"))["inputs"]
    out = []
    for key, v in raw.items():
        if v["better"] not in ("higher", "lower") or float(v["target"]) <= 0 or float(v["weight"]) < 0:
            raise InvalidInput(f"assessment.json: input {key} needs better higher/lower, target > 0, weight >= 0",
                               f"考核权重文件中“{key}”的设置不正确。")
        out.append(Input(key, v["label"], float(v["weight"]), v["better"], float(v["target"]), v.get("unit", "")))
    return tuple(out)


def parse_month(text: str | None, today: dt.date) -> dt.date:
    """'2026-11' -> its first day; None -> this month. Months after this one are refused."""
    if text is None:
        return today.replace(day=1)
    first = None
    if re.fullmatch(r"[0-9]{4}-[0-9]{2}", text):
        try:
            first = dt.date(int(text[:4]), int(text[5:]), 1)
        except ValueError:
            first = None
    if first is None:
        raise InvalidInput(f"month {text!r} is not YYYY-MM", f"月份“{text}”格式不对，应为 2026-11 这样的年月。")
    if first > today.replace(day=1):
        raise InvalidInput(f"month {text} is in the future", f"{first.year}年{first.month}月尚未开始。")
    return first


def month_period(first: dt.date, today: dt.date) -> tuple[dt.date, dt.date]:
    """The local days of the month counted so far: [first, last] (last is today in the current month)."""
    last = first.replace(day=calendar.monthrange(first.year, first.month)[1])
    return first, min(last, today)


def period_label(first: dt.date, today: dt.date) -> str:
    start, end = month_period(first, today)
    whole = end.day == calendar.monthrange(first.year, first.month)[1]
    return f"{first.year}年{first.month}月" + ("" if whole else f"（1日至{end.day}日）")


def values(row: dict, unit: str, days: int) -> dict[str, float | None]:
    """The inputs' values from the raw counts of one unit (geo/sql/assessment.sql)."""
    patrol_whole = days if unit == "worker" else row["grids"] * days
    workers = 1 if unit == "worker" else row["workers"]
    return {
        "on_time_rate": metrics.rate(row["closed_on_time"], row["closed"]),
        "return_rate": metrics.rate(row["returned_events"], row["reported"]),
        "patrol_coverage": metrics.rate(row["patrol_units"], patrol_whole),
        "reports_per_worker": row["worker_reports"] / workers * 30 / days if workers else None,   # per 30 days
        "urges_per_100": 100.0 * row["urges"] / row["reported"] if row["reported"] else None,
    }


def score(vals: dict[str, float | None]) -> float | None:
    used = [(i, i.part(vals.get(i.key))) for i in inputs() if vals.get(i.key) is not None and i.weight > 0]
    total = sum(i.weight for i, _ in used)
    if not total:
        return None
    return 100.0 * sum(i.weight * (p or 0.0) for i, p in used) / total


def assess(pool, scope: Scope, unit: str, first: dt.date, today: dt.date) -> list[dict]:
    """Every unit of the kind in the scope with its inputs and score, best first; rank 1 is the best."""
    if unit not in UNITS:
        raise InvalidInput(f"unknown unit {unit!r}", f"未知的考核对象“{unit}”。")
    start, end = month_period(first, today)
    rows = query(pool, "assessment", {**scope.params(), "unit": unit, "start": start,
                                      "end": end + dt.timedelta(days=1)})
    return _ranked(rows, unit, (end - start).days + 1)


def _ranked(rows: list[dict], unit: str, days: int) -> list[dict]:
    for r in rows:
        r["values"] = values(r, unit, days)
        r["score"] = score(r["values"])
    rows.sort(key=lambda r: (r["score"] is None, -(r["score"] or 0), r["key"]))
    for i, r in enumerate(rows, start=1):
        r["rank"] = i
    return rows


def town_standing(pool, town_code: str, first: dt.date, today: dt.date) -> tuple[dict | None, int]:
    """A town's own row of the month (score, rank) among all the towns, and how many there are: the
    same counts and scoring as the city's ranking, from every town's aggregates (jy_assessment_towns,
    no rows of another town)."""
    start, end = month_period(first, today)
    rows = db.rows(pool, "SELECT * FROM jy_assessment_towns(%(s)s, %(e)s)",
                   {"s": start, "e": end + dt.timedelta(days=1)})
    ranked = _ranked(rows, "town", (end - start).days + 1)
    return next((r for r in ranked if r["key"] == town_code), None), len(ranked)


def town_trend(pool, town_code: str, today: dt.date, months: int = 6) -> list[dict]:
    """The town's score and rank in each of the last `months` full months, oldest first."""
    out = []
    first = today.replace(day=1)
    for _ in range(months):
        first = (first - dt.timedelta(days=1)).replace(day=1)
        row, n = town_standing(pool, town_code, first, today)
        out.append({"month": first, "score": None if row is None else row["score"],
                    "rank": None if row is None else row["rank"], "towns": n})
    return out[::-1]


def fmt_value(inp: Input, value: float | None) -> str:
    if value is None:
        return "—"
    return f"{value * 100:.1f}%" if inp.unit == "%" else f"{value:.1f}{inp.unit}"


def explain(row: dict, unit: str, days: int) -> list[dict]:
    """One line per input: its raw counts, value, part, weight and points of the 100."""
    used_weight = sum(i.weight for i in inputs() if row["values"].get(i.key) is not None)
    raw = {
        "on_time_rate": f"结案 {row['closed']} 件，其中按期 {row['closed_on_time']} 件",
        "return_rate": f"上报 {row['reported']} 件，其中被退回过 {row['returned_events']} 件",
        "patrol_coverage": (f"{days} 天中有打卡 {row['patrol_units']} 天" if unit == "worker" else
                            f"{row['grids']} 个网格 × {days} 天中有打卡 {row['patrol_units']} 个网格日"),
        "reports_per_worker": (f"本人上报 {row['worker_reports']} 件 × 30 ÷ {days} 天" if unit == "worker" else
                               f"网格员上报 {row['worker_reports']} 件 ÷ 网格员 {row['workers']} 人 × 30 ÷ {days} 天"),
        "urges_per_100": f"被催办/督办 {row['urges']} 次 ÷ 上报 {row['reported']} 件 × 100",
    }
    out = []
    for i in inputs():
        v = row["values"].get(i.key)
        p = i.part(v)
        out.append({"input": i.label, "counts": raw[i.key], "value": fmt_value(i, v),
                    "rule": (f"越高越好，达到 {fmt_value(i, i.target)} 得满分" if i.better == "higher" else
                             f"越低越好，达到 {fmt_value(i, i.target)} 不得分"),
                    "part": None if p is None else round(p, 4), "weight": i.weight,
                    "points": None if p is None or not used_weight else round(100 * i.weight * p / used_weight, 2),
                    "note": "" if v is not None else "本月无数据，不计入（权重按其余指标折算）"})
    return out


def column(i: Input) -> str:
    """An input's column in the ranking: its label and weight."""
    return f"{i.label}（权重{i.weight:g}）"


def shown(df):
    """The ranking as the page shows it: shares with %, a missing value as “—” (the XLSX keeps numbers)."""
    out = df.copy().astype(object)
    for i in inputs():
        if i.unit == "%" and column(i) in out:
            out[column(i)] = [None if v is None or v != v else f"{v:.1f}%" for v in df[column(i)]]
    return out.where(out.notna(), "—")


def to_frame(rows: list[dict], unit: str):
    import pandas as pd

    recs = []
    for r in rows:
        rec = {"排名": r["rank"], UNITS[unit]: r["name"]}
        if unit != "town":
            rec["镇街"] = r["town_name"]
        rec["得分"] = None if r["score"] is None else round(r["score"], 1)
        for i in inputs():
            v = r["values"][i.key]
            rec[column(i)] = None if v is None else round(v * 100 if i.unit == "%" else v, 1)
        recs.append(rec)
    return pd.DataFrame(recs)


def to_xlsx(df, rows: list[dict], unit: str, days: int, label: str) -> bytes:
    """The ranking, and a sheet of every unit's explanation (inputs, counts, parts, weights)."""
    import pandas as pd

    lines = [{UNITS[unit]: r["name"], "得分": None if r["score"] is None else round(r["score"], 2),
              **{k: v for k, v in e.items()}} for r in rows for e in explain(r, unit, days)]
    weights = pd.DataFrame([{"指标": i.label, "权重": i.weight, "方向": "越高越好" if i.better == "higher" else "越低越好",
                             "目标值": fmt_value(i, i.target)} for i in inputs()])
    buf = io.BytesIO()
    with pd.ExcelWriter(buf, engine="openpyxl") as xw:
        df.to_excel(xw, index=False, sheet_name="排名")
        pd.DataFrame(lines).rename(columns={"input": "指标", "counts": "原始数据", "value": "指标值", "rule": "计分规则",
                                            "part": "得分率", "weight": "权重", "points": "得分", "note": "说明"}
                                   ).to_excel(xw, index=False, sheet_name="计分说明")
        weights.to_excel(xw, index=False, sheet_name=f"权重（{label}）"[:31])
    return buf.getvalue()
