"""Panels shared by the command views: KPI row, trend, categories, rankings and event tables.

Tables are selectable: choosing a row drills down (the same as clicking the area on the map).
"""
from __future__ import annotations

import copy
import datetime as dt
import functools

import pandas as pd
import pyarrow as pa
import streamlit as st

from dashboard.ui.maps import fmt_rate
from geo import metrics
from geo.overview import Kpis
from geo.roles import STAFF_LABELS
from geo.status import CLOSED_STATUSES, LEVEL_LABELS, PRIORITY_LABELS, STATUS_LABELS
from geo.worktime import TZ

ROLE_LABELS = STAFF_LABELS


def _hours(h: float | None) -> str:
    return "—" if h is None else f"{h:.1f} 小时"


KPI_KEYS = ("reports_today", "open", "overdue", "on_time_rate", "mean_close_hours")


def _kpi_text(k: Kpis, key: str) -> str:
    v = k.value(key)
    if key == "on_time_rate":
        return fmt_rate(v)
    if key == "mean_close_hours":
        return _hours(v)
    return f"{v:,}"


def _delta(k: Kpis, key: str, compare: Kpis | None, peers: int, peer_label: str, parent_label: str):
    """The difference to the parent's average area (counts) or to the parent as a whole (rates,
    hours): computed and labelled as a difference, e.g. "+2.4（与全市镇街平均之差）"."""
    if compare is None:
        return None
    mine, theirs = k.value(key), compare.value(key)
    if mine is None or theirs is None:
        return None
    if key == "on_time_rate":
        return f"{(mine - theirs) * 100:+.1f} 个百分点（与{parent_label}之差）"
    if key == "mean_close_hours":
        return f"{mine - theirs:+.1f} 小时（与{parent_label}之差）"
    return f"{mine - theirs / max(peers, 1):+.1f}（与{peer_label}平均之差）"


def kpi_pairs(k: Kpis) -> list[tuple[str, str]]:
    """The headline figures as (label with its period, value text): what kpi_row shows, for an
    exported map's figures panel."""
    return [(metrics.FIGURES[key].label(k.period_days), _kpi_text(k, key)) for key in KPI_KEYS]


def kpi_row(k: Kpis, compare: Kpis | None = None, peer_label: str = "", parent_label: str = "",
            peers: int = 1, drill_key: str | None = None) -> str | None:
    """Five headline figures (labels, periods and definitions from geo/metrics.py); with `compare`
    (the parent's totals over `peers` areas) each shows its difference to the parent's average
    area. With drill_key, a button under each figure opens exactly the events it counts; returns
    the figure key clicked."""
    cols = st.columns(5)
    clicked = None
    for col, key in zip(cols, KPI_KEYS):
        fig = metrics.FIGURES[key]
        help_ = fig.definition
        if key in ("on_time_rate", "mean_close_hours"):
            help_ += f"（近{k.period_days}天结案 {k.closed_period} 件，其中按期 {k.closed_on_time} 件）"
        col.metric(fig.label(k.period_days), _kpi_text(k, key), border=True, help=help_,
                   delta=_delta(k, key, compare, peers, peer_label, parent_label),
                   delta_color="off" if key == "reports_today" else
                   ("normal" if key == "on_time_rate" else "inverse"))
        if drill_key is not None:
            n = k.closed_period if key in ("on_time_rate", "mean_close_hours") else k.value(key)
            what = "结案事件" if key in ("on_time_rate", "mean_close_hours") else "事件"
            if col.button(f"查看这 {n:,} 件{what}", key=f"{drill_key}_kpi_{key}", type="tertiary"):
                clicked = key
    return clicked


def _day_label(d) -> str:
    return f"{d.month}月{d.day}日"


_WEEKDAYS = "一二三四五六日"


def trend_chart(rows: list[dict], height: int = 240, dark: bool = False) -> None:
    """Reported and closed per day; dates as 11月28日, tooltips in Chinese (周六). Today is a part of a
    day: its label says so (截至 HH:MM), so its lower count does not read as a drop."""
    if not rows:
        st.info("暂无数据")
        return
    now = dt.datetime.now(TZ)
    key = tuple((r["day"], r["reported"], r["closed"]) for r in rows)
    st.vega_lite_chart(spec=copy.deepcopy(_trend_spec(key, height, dark, f"{now:%H:%M}")), width="stretch",
                       theme=None if dark else "streamlit")


def category_chart(rows: list[dict], height: int = 240, dark: bool = False, days: int = 30) -> None:
    """Reports per category class in the period; every class labelled."""
    if not rows:
        st.info("暂无数据")
        return
    key = tuple((r["class_name"], r["reported"], r["open"], r["overdue"]) for r in rows)
    st.vega_lite_chart(spec=copy.deepcopy(_category_spec(key, height, dark, days)), width="stretch",
                       theme=None if dark else "streamlit")


def _inline(chart) -> dict:
    """The chart's Vega-Lite spec, its datasets already as the Arrow bytes Streamlit sends (given rows,
    st.vega_lite_chart turns them into a pandas frame and then Arrow on every run)."""
    from streamlit import dataframe_util

    spec = chart.to_dict()
    spec["datasets"] = {name: dataframe_util.convert_anything_to_arrow_bytes(pd.DataFrame(rows))
                        for name, rows in spec.get("datasets", {}).items()}
    return spec


# Altair builds and validates the spec against the Vega-Lite schema on every call: half of a city
# page run (profile 2026-11-28). The spec of the same rows is the same for every viewer: built once
# per process, keyed by the rows as a tuple (hashed in C; st.cache_data's hashing of the rows cost
# more than the chart). Callers get a copy.
@functools.lru_cache(maxsize=512)
def _trend_spec(rows: tuple, height: int, dark: bool, clock: str = "") -> dict:
    import altair as alt

    today = dt.datetime.now(TZ).date()
    df = pd.DataFrame([{"日期": f"今日截至{clock}" if day == today and clock else _day_label(day),
                        "星期": "周" + _WEEKDAYS[day.weekday()],
                        "order": i, "上报": reported, "结案": closed} for i, (day, reported, closed) in enumerate(rows)])
    long = df.melt(id_vars=["日期", "星期", "order"], value_vars=["上报", "结案"], var_name="类型",
                   value_name="件数")
    fg = "#e8eef5" if dark else "#31333f"
    lines = alt.Chart(long).mark_line(point=True).encode(
        x=alt.X("日期:N", sort=alt.SortField("order"), title=None,
                axis=alt.Axis(labelAngle=0, labelOverlap=True, labelColor=fg, labelFontSize=20 if dark else 11)),
        y=alt.Y("件数:Q", title="件数", axis=alt.Axis(labelColor=fg, titleColor=fg, titleFontSize=20 if dark else 11,
                                                     labelFontSize=20 if dark else 11)),
        color=alt.Color("类型:N", scale=alt.Scale(domain=["上报", "结案"], range=["#e74c3c", "#3498db"]),
                        legend=alt.Legend(title=None, orient="top", labelColor=fg,
                                          labelFontSize=20 if dark else 12)),
        tooltip=[alt.Tooltip("日期:N"), alt.Tooltip("星期:N"), alt.Tooltip("类型:N"), alt.Tooltip("件数:Q")],
    )
    if rows and rows[-1][0] == today and clock:
        # today's point is a part of a day: said beside the point, whatever labels the axis thins out
        note = alt.Chart(long[(long["order"] == len(rows) - 1) & (long["类型"] == "上报")]).mark_text(
            align="right", dx=-8, dy=-14, fontSize=20 if dark else 11, color=fg).encode(
            x=alt.X("日期:N", sort=alt.SortField("order")), y="件数:Q", text=alt.value(f"今日截至{clock}"))
        return _inline(alt.layer(lines, note).properties(height=height, background="transparent"))
    return _inline(lines.properties(height=height, background="transparent"))


@functools.lru_cache(maxsize=512)
def _category_spec(rows: tuple, height: int, dark: bool, days: int) -> dict:
    import altair as alt

    col = metrics.label("reported", days)
    df = pd.DataFrame([{"类别": name, col: reported, "在办": open_, "超期": overdue}
                       for name, reported, open_, overdue in rows])
    fg = "#e8eef5" if dark else "#31333f"
    size = 20 if dark else 11
    row = 30 if dark else 18          # a 20 px label needs 30 px of bar: no two labels overlap
    return _inline(alt.Chart(df).mark_bar(color="#e74c3c").encode(
        y=alt.Y("类别:N", sort="-x", title=None,
                axis=alt.Axis(labelOverlap=False, labelLimit=400, labelColor=fg, labelFontSize=size)),
        x=alt.X(f"{col}:Q", title=col, axis=alt.Axis(labelColor=fg, titleColor=fg, labelFontSize=size,
                                                       titleFontSize=size)),
        tooltip=["类别", col, "在办", "超期"],
    ).properties(height=max(height, len(df) * row), background="transparent"))


RANKING_FIGURES = ("open", "overdue", "reports_today", "on_time_rate")


def _arrow(records: list[dict]) -> pa.Table:
    """Rows as the Arrow table Streamlit sends as it is (a pandas frame would be built, then converted
    to Arrow again on every run: a quarter of a city page's server time under load, py-spy 2026-12-03)."""
    return pa.Table.from_pylist(records)


def area_ranking(figures: list[dict], key: str, label: str, days: int = 30) -> tuple[str, str | None] | None:
    """Ranking of areas (worst first). A click on a row or an area's name picks the area
    (code, None); a click on a figure picks (code, figure key) — the events it counts."""
    if not figures:
        st.info("暂无数据")
        return None
    cols = {"open": metrics.label("open"), "overdue": metrics.label("overdue"),
            "reports_today": metrics.label("reports_today"), "on_time_rate": metrics.label("on_time_rate", days)}
    ranked = sorted(figures, key=lambda f: (-(f["overdue"] or 0), -(f["open"] or 0), f["code"]))
    table = _arrow([{
        label: f["name"], cols["open"]: f["open"], cols["overdue"]: f["overdue"],
        cols["reports_today"]: f["reports_today"],
        cols["on_time_rate"]: None if f["on_time_rate"] is None else round(f["on_time_rate"] * 100, 1),
    } for f in ranked])
    picked = st.dataframe(table, hide_index=True, width="stretch", height=420,
                          on_select="rerun", selection_mode=["single-row", "single-cell"], key=key,
                          column_config={cols["on_time_rate"]: st.column_config.NumberColumn(format="%.1f%%")})
    sel = picked.selection if picked else None
    if sel and sel.cells:
        row, column = sel.cells[0]
        by_label = {v: k for k, v in cols.items()}
        if 0 <= row < len(ranked):
            return ranked[row]["code"], by_label.get(column)
    if sel and sel.rows and 0 <= sel.rows[0] < len(ranked):
        return ranked[sel.rows[0]]["code"], None
    return None


def deadline_text(r: dict) -> str:
    """时限 of an event in a list: the due time of every open event (已超期 when passed), whether a
    closed one was closed in time, “—” when the row has no deadline."""
    due = r.get("due_at")
    if due is None:
        return "—"
    if r.get("status") in CLOSED_STATUSES:
        closed = r.get("closed_at")
        if r.get("status") == "closed" and closed is not None:
            return "按期办结" if closed <= due else "超期办结"
        return "—"
    return f"{'已超期，' if r.get('overdue') else ''}截止 {due.astimezone(TZ):%m-%d %H:%M}"


def _event_record(r: dict) -> dict:
    return {
        "编号": r["id"],
        "上报时间": r["reported_at"].strftime("%m-%d %H:%M"),
        "类别": r["category"],
        "状态": STATUS_LABELS.get(r["status"], r["status"]),
        "紧急程度": PRIORITY_LABELS.get(r["priority"], ""),
        "层级": LEVEL_LABELS.get(str(r.get("handling_level")), "") if r.get("handling_level") else "",
        "时限": deadline_text(r),
        "网格": r.get("grid_name", ""),
        "描述": r.get("description", ""),
    }


def events_table(rows: list[dict], key: str, height: int = 380) -> int | None:
    """Selectable event table; returns the picked event id."""
    if not rows:
        st.info("没有符合条件的事件")
        return None
    picked = st.dataframe(_arrow([_event_record(r) for r in rows]), hide_index=True, width="stretch",
                          height=height, on_select="rerun", selection_mode="single-row", key=key,
                          column_config={"编号": st.column_config.NumberColumn(format="%d")})
    sel = picked.selection.rows if picked else []
    return int(rows[sel[0]]["id"]) if sel and 0 <= sel[0] < len(rows) else None


def staff_frame(rows: list[dict]) -> list[dict]:
    """Staff rows as the read layer masked them (dashboard.ui.data.staff_list), as table records."""
    return [{
        "姓名": r["name"], "角色": ROLE_LABELS.get(r["role"], r["role"]),
        "在岗": "在岗" if r["on_duty"] else "不在岗", "网格": r["grid_name"],
        "终端": r["terminal_id"] or "", "电话": r["phone"] or "",
    } for r in rows]


def staff_summary_text(rows: list[dict]) -> str:
    if not rows:
        return "无人员"
    return ("；".join(f"{ROLE_LABELS.get(r['role'], r['role'])} {r['total']} 人（在岗 {r['on_duty']}）" for r in rows)
            + f"。在岗：{metrics.help_text('on_duty')}")


def ranking_frame(rows: list[dict], highlight: str | None = None, days: int = 30) -> list[dict]:
    """The city's towns side by side (aggregates only), sorted by open events; ▶ marks `highlight`."""
    ranked = sorted(rows, key=lambda r: -r["open"])          # stable: equal counts keep their order
    return [{
        "排名": i, "镇街": ("▶ " if r["town_code"] == highlight else "") + r["town_name"],
        metrics.label("open"): r["open"], metrics.label("overdue"): r["overdue"],
        metrics.label("reports_today"): r["reports_today"], metrics.label("closed", days): r["closed"],
        metrics.label("on_time_rate", days): fmt_rate(r["on_time_rate"]),
    } for i, r in enumerate(ranked, 1)]


def patrol_frame(rows: list[dict]) -> list[dict]:
    """铁脚板: this week's patrol coverage per village (or town), the columns named as the figures."""
    return [{"村社区" if len(r["code"]) > 9 else "镇街": r["name"], "三级网格": r["grids"], "已巡查网格": r["covered"],
             metrics.FIGURES["patrol_item_coverage"].name: fmt_rate(metrics.rate(r["covered"], r["grids"])),
             metrics.FIGURES["patrol_checks"].name: r["checks"], metrics.FIGURES["patrol_fails"].name: r["fails"]}
            for r in rows]


def zone_towns(rep) -> None:
    """Where a zone (ring, plume, drawn zone) lies, town by town; towns outside the viewer's area
    are aggregates only, and the page says the zone leaves the area."""
    towns = rep.by_town()
    if rep.leaves_area:
        outside = [t for t in towns if not t["own"]]
        st.warning(f"影响范围超出本辖区：另涉及 {len(outside)} 个镇街（" + "、".join(t["town"] for t in outside)
                   + f"），合计 {sum(t['grids'] for t in outside)} 个网格、约 {sum(t['people'] for t in outside):,.0f} 人。"
                   "上方合计已包含这些镇街；其明细仅显示汇总数字，请与市级指挥中心协同。")
    if len(towns) > 1 or rep.leaves_area:
        st.dataframe(pd.DataFrame([{"镇街": t["town"] + ("" if t["own"] else "（辖区外，仅汇总）"),
                                    "网格": t["grids"], "村社区": t["villages"], "估算人口": round(t["people"]),
                                    "敏感目标": t["sensitive"], "危化企业": t["sites"]} for t in towns]),
                     hide_index=True, width="stretch")


def table(df, empty: str = "无", **kwargs):
    """st.dataframe of a frame or of records (a list of dicts, sent as Arrow without pandas), or a
    Chinese note when there are no rows (the grid would say "empty")."""
    if df is None or len(df) == 0:
        st.caption(empty)
        return None
    if isinstance(df, list):
        df = _arrow(df)
    kwargs.setdefault("hide_index", True)
    kwargs.setdefault("width", "stretch")
    return st.dataframe(df, **kwargs)
