"""Page sections used by several views (they combine data, panels and navigation)."""
from __future__ import annotations

import pandas as pd
import streamlit as st

from dashboard.ui import data, exports, maps, nav, panels
from dashboard.ui.filters import describe, event_filter
from geo import metrics
from geo.places import Path

LIST_LIMIT = 300


def events_section(path: Path, title: str, key: str, grid: str | None = None,
                   clicked_event: str | None = None) -> None:
    """Filters (state in the URL), the matching events, and a click through to event detail."""
    st.markdown(f"#### {title}")
    flt = event_filter(key, grid=grid)
    rows, total = data.list_events(path.scope(), flt, LIST_LIMIT)
    more = f"，显示最新 {LIST_LIMIT} 件" if total > LIST_LIMIT else ""
    st.caption(f"共 {total:,} 件符合条件（{describe(flt)}）{more}。点击行查看详情。")
    ev = panels.events_table(rows, key=f"{key}_events") or (int(clicked_event) if clicked_event else None)
    if ev:
        nav.go("event", event=ev, **nav.params_for(path))


def drill_map(deck, figures: list[dict], key: str, label: str, caption: str,
              on_pick, height: int = maps.MAP_H) -> None:
    """The map of the areas one level down (click one; `deck` usually from a maps.shared_map builder)
    beside their ranking (pick a row, or a figure: its events); either calls on_pick(code, figure key
    or None), which navigates down."""
    left, right = st.columns([3, 2])
    with left:
        clicked = st.pydeck_chart(deck, width="stretch", height=height,
                                  key=f"{key}_map", on_select="rerun", selection_mode="single-object")
        st.caption(caption)
    with right:
        st.markdown(f"#### {label}排名（点击名称进入，点击数字查看这些事件）")
        picked = panels.area_ranking(figures, key=f"{key}_ranking", label=label)
    code = maps.selected_code(clicked)
    if code:
        on_pick(code, None)
    elif picked:
        on_pick(*picked)


def kpis_with_drill(k, key: str, **compare) -> None:
    """The KPI row; a click on a figure's button opens exactly its events in this page's list."""
    clicked = panels.kpi_row(k, drill_key=key, **compare)
    if clicked:
        nav.show_events(key, metrics.drill_params(clicked, k.period_days))


def figure_params(figure: str | None) -> dict[str, str]:
    """URL parameters of an area page that list a figure's events (nothing for a plain drill-down)."""
    return metrics.drill_params(figure) if figure else {}


def map_download(title: str, subtitle: str, shapes: list[dict], figures: list[dict], child_label: str,
                 k, sites: list[dict], key: str) -> None:
    """导出地图: this area's map as one offline HTML file (exports.map_file), its areas carrying
    their figures, the KPI row in the panel. Built only when clicked (from the rows this run read)."""
    by = {f["code"]: f for f in figures}
    keys = ("open", "overdue", "reports_today")
    areas = [{**s, **{f: (by.get(s["code"]) or {}).get(f) or 0 for f in keys}} for s in shapes]
    fields = (("name", child_label),) + tuple((f, metrics.label(f)) for f in keys)
    demo = bool((data.dataset_info() or {}).get("is_demo"))
    table = ([child_label] + [metrics.label(f) for f in keys],
             [[a["name"]] + [a[f] for f in keys] for a in sorted(areas, key=lambda a: -a["open"])])

    def build() -> bytes:
        return exports.map_file(title, subtitle, areas, child_label, panels.kpi_pairs(k), demo,
                                sites=sites, area_fields=fields, table=table, table_title=f"各{child_label}")
    st.download_button("导出地图（离线网页，可打印）", build, file_name=exports.file_name(title), mime="text/html",
                       key=f"{key}_export", on_click="ignore", help="一个文件：地图、各区域数字与统计，无需联网即可打开，可按 A4 横向打印。")


def warnings_section(scope, key: str, expanded: bool = True) -> None:
    """铁脚板's early warnings of the last 7 days in the viewer's area (geo/warning.py): level, kind,
    place, the reason in words and the events behind it (each opens its event page)."""
    from geo.warning import KINDS, LEVELS, PATTERNS
    rows = data.early_warnings(scope)
    title = f"预警（近7天，{len(rows)} 条）"
    with st.expander(title, expanded=expanded and bool(rows)):
        st.caption("由预警任务每5分钟计算：新兴热点（热点分析与趋势检验，按事件大类、每周）、"
                   "突增（与该网格近8周同期水平相比概率极低）、重复发生（同一地点50米内近30天同类事件≥3次）。"
                   "红色为警报，橙色为预警，蓝色为关注。")
        if not rows:
            st.info("近7天本辖区没有预警。")
            return
        frame = pd.DataFrame([{
            "级别": LEVELS[w["level"]], "类型": PATTERNS.get(w["pattern"] or "", KINDS[w["kind"]]),
            "镇街": w["town_name"] or "", "村社区": w["village_name"] or "", "网格": w["grid_name"],
            "说明": w["reason"], "事件数": w["events"], "日期": f"{w['window_end']:%m-%d}",
            "首个事件": f"/event?event={w['event_ids'][0]}" if w["event_ids"] else None,
        } for w in rows])
        st.dataframe(frame, hide_index=True, width="stretch", height=min(420, 38 + 35 * len(rows)), key=f"{key}_warnings",
                     column_config={"首个事件": st.column_config.LinkColumn(display_text=r"event=(\d+)"),
                                    "说明": st.column_config.TextColumn(width="large")})
