"""Panels shared by the command views: KPI row, trend, categories, rankings and event tables.

Tables are selectable: choosing a row drills down (the same as clicking the area on the map).
"""
from __future__ import annotations

import pandas as pd
import streamlit as st

from dashboard.ui.maps import fmt_rate
from geo import masking
from geo.overview import Kpis
from geo.status import LEVEL_LABELS, PRIORITY_LABELS, STATUS_LABELS

ROLE_LABELS = {"grid_worker": "网格员", "police": "网格警员", "grid_leader": "网格长",
               "dispatcher": "调度员", "dept_officer": "部门人员"}


def _hours(h: float | None) -> str:
    return "—" if h is None else f"{h:.1f} 小时"


def kpi_row(k: Kpis, compare: Kpis | None = None, compare_label: str = "", peers: int = 1) -> None:
    """Five headline figures; with `compare`, each shows the difference to the parent's average
    per area (`peers` areas), e.g. a town against the average town of the city."""
    def delta(value, other, pct=False):
        if compare is None or value is None or other is None:
            return None
        d = value - other
        return f"{d * 100:+.1f} 个百分点（{compare_label}）" if pct else f"{d:+,.1f}（{compare_label}）"

    avg = (lambda v: None if v is None else v / peers) if compare is not None else (lambda v: None)
    cols = st.columns(5)
    cols[0].metric("今日上报", f"{k.reports_today:,}", border=True,
                   delta=delta(k.reports_today, avg(compare.reports_today) if compare else None),
                   delta_color="off")
    cols[1].metric("在办事件", f"{k.open:,}", border=True,
                   delta=delta(k.open, avg(compare.open) if compare else None), delta_color="inverse")
    cols[2].metric("超期事件", f"{k.overdue:,}", border=True,
                   delta=delta(k.overdue, avg(compare.overdue) if compare else None), delta_color="inverse")
    cols[3].metric(f"按期办结率（近{k.period_days}天）", fmt_rate(k.on_time_rate), border=True,
                   delta=delta(k.on_time_rate, compare.on_time_rate if compare else None, pct=True),
                   help=f"近{k.period_days}天结案 {k.closed_period} 件，其中在时限内结案 {k.closed_on_time} 件")
    cols[4].metric(f"平均办结用时（近{k.period_days}天）", _hours(k.mean_close_hours), border=True,
                   delta=None if compare is None or k.mean_close_hours is None or compare.mean_close_hours is None
                   else f"{k.mean_close_hours - compare.mean_close_hours:+.1f} 小时（{compare_label}）",
                   delta_color="inverse", help="从上报到结案的平均时长（自然时间）")


def trend_chart(rows: list[dict], height: int = 240) -> None:
    if not rows:
        st.info("暂无数据")
        return
    df = pd.DataFrame(rows).rename(columns={"day": "日期", "reported": "上报", "closed": "结案"})
    st.line_chart(df.set_index("日期")[["上报", "结案"]], height=height, color=["#c0392b", "#2e86c1"])


def category_chart(rows: list[dict], height: int = 240) -> None:
    if not rows:
        st.info("暂无数据")
        return
    df = pd.DataFrame(rows).rename(columns={"class_name": "类别", "reported": "近30天上报",
                                            "open": "在办", "overdue": "超期"})
    st.bar_chart(df.set_index("类别")[["近30天上报"]], height=height, horizontal=True, color="#c0392b")


def area_ranking(figures: list[dict], key: str, label: str) -> str | None:
    """Ranking of areas (worst first); returns the code of the row the user picked."""
    if not figures:
        st.info("暂无数据")
        return None
    df = pd.DataFrame([{
        "code": f["code"], label: f["name"], "在办": f["open"], "超期": f["overdue"],
        "今日上报": f["reports_today"],
        "按期办结率": None if f["on_time_rate"] is None else round(f["on_time_rate"] * 100, 1),
    } for f in figures]).sort_values(["超期", "在办", "code"], ascending=[False, False, True])
    df = df.reset_index(drop=True)
    picked = st.dataframe(df.drop(columns="code"), hide_index=True, width="stretch", height=420,
                          on_select="rerun", selection_mode="single-row", key=key,
                          column_config={"按期办结率": st.column_config.NumberColumn(format="%.1f%%")})
    rows = picked.selection.rows if picked else []
    return df.loc[rows[0], "code"] if rows else None


def events_frame(rows: list[dict]) -> pd.DataFrame:
    return pd.DataFrame([{
        "编号": r["id"],
        "上报时间": r["reported_at"].strftime("%m-%d %H:%M"),
        "类别": r["category"],
        "状态": STATUS_LABELS.get(r["status"], r["status"]),
        "紧急程度": PRIORITY_LABELS.get(r["priority"], ""),
        "层级": LEVEL_LABELS.get(r.get("handling_level"), "") if r.get("handling_level") else "",
        "时限": ("已超期" if r.get("overdue") else "") if "overdue" in r else "",
        "网格": r.get("grid_name", ""),
        "描述": r.get("description", ""),
    } for r in rows])


def events_table(rows: list[dict], key: str, height: int = 380) -> int | None:
    """Selectable event table; returns the picked event id."""
    if not rows:
        st.info("没有符合条件的事件")
        return None
    df = events_frame(rows)
    picked = st.dataframe(df, hide_index=True, width="stretch", height=height, on_select="rerun",
                          selection_mode="single-row", key=key,
                          column_config={"编号": st.column_config.NumberColumn(format="%d")})
    sel = picked.selection.rows if picked else []
    return int(df.loc[sel[0], "编号"]) if sel else None


def staff_frame(rows: list[dict], mask_names: bool = False) -> pd.DataFrame:
    """Phones are always masked here; names too on screens for many eyes (mask_names)."""
    return pd.DataFrame([{
        "姓名": masking.mask_name(r["name"]) if mask_names else r["name"], "角色": ROLE_LABELS.get(r["role"], r["role"]),
        "在岗": "在岗" if r["on_duty"] else "不在岗", "网格": r["grid_name"],
        "终端": r["terminal_id"] or "", "电话": masking.mask_phone(r["phone"]),
    } for r in rows])


def staff_summary_text(rows: list[dict]) -> str:
    if not rows:
        return "无人员"
    return "；".join(f"{ROLE_LABELS.get(r['role'], r['role'])} {r['total']} 人（在岗 {r['on_duty']}）"
                    for r in rows)


def ranking_frame(rows: list[dict], highlight: str | None = None) -> pd.DataFrame:
    """The city's towns side by side (aggregates only), sorted by open events; ▶ marks `highlight`."""
    df = pd.DataFrame([{
        "镇街": ("▶ " if r["town_code"] == highlight else "") + r["town_name"],
        "在办": r["open_events"], "超期": r["overdue_events"], "今日上报": r["reports_today"],
        "近30天结案": r["closed"], "按期办结率": fmt_rate(r["on_time_rate"]),
    } for r in rows])
    if df.empty:
        return df
    df = df.sort_values("在办", ascending=False)
    df.insert(0, "排名", range(1, len(df) + 1))
    return df
