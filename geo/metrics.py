"""The figure catalogue: every figure the dashboard, the wall, 综合评价, 调度台 and the exports show,
defined once — its label, period, definition, and the event filter that lists exactly the events it
counts (a click on a figure opens those rows).

Definitions (drills — 演练 — are never counted; the SQL reads `NOT is_drill`):
- 今日上报      events reported since local midnight (Asia/Shanghai) today.
- 在办          open events now: status neither 结案 (closed) nor 不予立案 (rejected). No period.
- 超期          open events now whose deadline (due_at) has passed. No period.
- 上报（期间）   events reported on the local days of the period.
- 结案（期间）   events closed on the local days of the period (whenever reported).
- 按期办结率     of the events closed in the period, the share closed by their deadline.
- 平均办结用时   of the events closed in the period, the mean clock time from report to closure.
- 退回率        of the events reported in the period, the share returned (退回) at least once.
- 退回次数      return actions on the events reported in the period.
- 在线网格员    grid workers whose terminal sent a fix in the last 5 minutes (staff.location_at). Now.
- 巡查覆盖率    of the third-level grids (admin and dedicated), the share with at least one 巡查打卡
                check-in on the local days of the period (今日, 近7天).
- 巡查项目覆盖率 (本周) of the third-level grids, the share with at least one patrol check (any item of the
                159, 正常 or 发现问题) since Monday 00:00 local time; 巡查项次 and 巡查发现问题 count them.

A period of N days is the last N local days including today (the pre-aggregated stats tables of
migration 005 are per local day); 综合评价 takes any [start, end] of local days with the same rules,
so its default (the last 30 days) equals every page's 近30天.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

DEFAULT_DAYS = 30
ONLINE_MINUTES = 5       # 在线: the terminal's latest fix is at most this old
PATROL_WEEK_DAYS = 7     # 巡查覆盖率（近7天）


@dataclass(frozen=True)
class Figure:
    key: str
    name: str            # the label without period
    periodic: bool       # True: the label names the period (近30天 / the chosen dates)
    definition: str      # shown as the figure's help text
    unit: str = ""

    def label(self, days: int | None = DEFAULT_DAYS) -> str:
        if not self.periodic or days is None:
            return self.name
        return f"{self.name}（{period_label(days)}）"


def period_label(days: int) -> str:
    return "今日" if days == 1 else f"近{days}天"


FIGURES = {f.key: f for f in (
    Figure("reports_today", "今日上报", False, "今天（北京时间0时起）上报的事件数，不含演练。", "件"),
    Figure("open", "在办事件", False, "当前未结案、未不予立案的事件数（不限上报时间），不含演练。", "件"),
    Figure("overdue", "超期事件", False, "在办事件中已超过处置时限的事件数（不限上报时间），不含演练。", "件"),
    Figure("reported", "上报", True, "期间内每天上报的事件数之和，不含演练。", "件"),
    Figure("closed", "结案", True, "期间内结案的事件数（不论何时上报），不含演练。", "件"),
    Figure("closed_on_time", "按期结案", True, "期间内结案且在时限内结案的事件数。", "件"),
    Figure("on_time_rate", "按期办结率", True, "期间内结案的事件中，在时限内结案的比例。"),
    Figure("mean_close_hours", "平均办结用时", True,
           "期间内结案的事件从上报到结案的平均时长（自然时间，小时）。", "小时"),
    Figure("returned", "退回次数", True, "期间内上报的事件被退回的次数。", "次"),
    Figure("return_rate", "退回率", True, "期间内上报的事件中，曾被退回的事件所占比例。"),
    Figure("urged", "催办次数", True, "期间内对事件发出的催办与督办次数（按事件所在镇街、责任部门或类别）。", "次"),
    # 一张图 (geo/onemap.py): people on duty and the patrol
    Figure("on_duty", "在岗", False,
           "人员名册中今日当班的人员（排班），不论移动终端此刻是否在线；“在线”另见在线网格员。", "人"),
    Figure("online_workers", "在线网格员", False,
           f"当前在线的网格员人数：移动终端最近一次定位在{ONLINE_MINUTES}分钟以内。", "人"),
    Figure("online_police", "在线网格警员", False,
           f"当前在线的网格警员人数：移动终端最近一次定位在{ONLINE_MINUTES}分钟以内。", "人"),
    Figure("grids_visited", "已巡查网格", True,
           "期间内至少有一次巡查打卡的三级网格（含专属网格）数；一个网格一天只计一次。", "个"),
    Figure("patrol_coverage", "巡查覆盖率", True,
           "期间内至少有一次巡查打卡的三级网格（含专属网格）占全部三级网格的比例。"),
    # 铁脚板 (geo/patrols.py): patrol checks by item; 本周 = Monday 00:00 Beijing time until now
    Figure("patrol_item_coverage", "巡查项目覆盖率", False,
           "本周（北京时间周一0时起）至少有一条巡查项目记录（正常或发现问题）的三级网格（含专属网格）"
           "占全部三级网格的比例。"),
    Figure("patrol_checks", "巡查项次", False, "本周终端提交的巡查项目记录条数（每检查一个项目计一次）。", "次"),
    Figure("patrol_fails", "巡查发现问题", False, "本周巡查记录中“发现问题”的条数；每条已自动生成一件事件。", "次"),
)}


def label(key: str, days: int | None = DEFAULT_DAYS) -> str:
    return FIGURES[key].label(days)


def help_text(key: str) -> str:
    return FIGURES[key].definition


def rate(part: int | float | None, whole: int | float | None) -> float | None:
    """A share (0..1) or None when there is nothing to divide by — the one rate rule."""
    return part / whole if whole and part is not None else None


def mean_hours(seconds: float | None, n: int | None) -> float | None:
    return seconds / n / 3600.0 if n and seconds is not None else None


def period_days(start: dt.date, end: dt.date) -> int:
    return (end - start).days + 1


# What each figure's click lists (URL parameters of the event list, geo.events.EventFilter): the
# events counted, with no hidden default period. `days` is the figure's period.
def drill_params(key: str, days: int = DEFAULT_DAYS) -> dict[str, str]:
    return {
        "reports_today": {"days": "today"},
        "open": {"open": "1", "days": "all"},
        "overdue": {"overdue": "1", "days": "all"},
        "reported": {"days": str(days)},
        "closed": {"closed": str(days), "days": "all"},
        "closed_on_time": {"closed": str(days), "days": "all"},
        "on_time_rate": {"closed": str(days), "days": "all"},
        "mean_close_hours": {"closed": str(days), "days": "all"},
    }[key]


# The dispatcher's counts are a subset (his level's waiting list): their labels say so.
QUEUE_LABEL = "本级待办"
QUEUE_OVERDUE_LABEL = "本级待办中超期"
