"""数据导入 (admin): upload a file, choose its kind, see every problem in a table and on the map,
then confirm. Nothing is written until the file passes; the import is one transaction."""
from __future__ import annotations

import hashlib
import tempfile
from pathlib import Path

import pandas as pd
import streamlit as st

from dashboard.ui import data, maps, nav, panels
from dashboard.ui.errors import show_error, user_errors
from dashboard.ui.labels import labels
from dashboard.ui.layout import header
from geo.status import ADDRESS_MATCH_LABELS
from loaders.importer import addresses, grids, points

KINDS = {"grids": "网格（面）", "staff": "网格员/警员名册", "chem-sites": "危化品企业", "resources": "应急资源",
         "events": "事件（终端/12345 导出）", "address-roads": "标准地址：道路（线，含门牌号范围）",
         "address-points": "标准地址：门牌、小区、楼栋、地名（点）"}
EVENT_SOURCES = {"grid_app": "网格员移动终端", "12345": "12345 热线", "police": "网格警员", "inspection": "巡查"}
CRS_CHOICES = {None: "自动（读取文件中的坐标系）", "EPSG:4490": "CGCS2000 经纬度（EPSG:4490）",
               "EPSG:4549": "CGCS2000 3度带 120°E，不带带号（EPSG:4549）",
               "EPSG:4528": "CGCS2000 3度带 第40带，带带号（EPSG:4528）",
               "EPSG:4510": "CGCS2000 6度带 117°E，不带带号（EPSG:4510）",
               "EPSG:4499": "CGCS2000 6度带 第21带，带带号（EPSG:4499）", "EPSG:4326": "WGS84 经纬度（EPSG:4326）",
               "gcj02": "GCJ-02（高德、腾讯等网络地图、手机导出）", "bd09": "BD-09（百度地图）"}
UPLOAD_DIR = Path(tempfile.gettempdir()) / "jiangyin-uploads"


def _saved(upload) -> Path:
    """The upload as a file on disk (readers need a path; zip and GeoPackage are read in place)."""
    digest = hashlib.sha256(upload.getvalue()).hexdigest()[:16]
    folder = UPLOAD_DIR / digest
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / Path(upload.name).name
    if not path.exists():
        path.write_bytes(upload.getvalue())
    return path


def _problems_frame(report) -> pd.DataFrame:
    return pd.DataFrame([{"行号": p.row or "", "编码": p.code or "", "问题": p.problem_zh,
                          "处理建议": p.hint_zh, "类型": "拒绝" if p.fatal else "提示"} for p in report.problems])


def _progress_bar(path: Path, verb: str):
    """A progress bar for an event import and the callback that moves it (rows of about `total`)."""
    from loaders.importer.events import rows_estimate

    total = rows_estimate(path) or 0
    bar = st.progress(0.0, text=f"{verb}：准备中…")

    def moved(rows: int, stage: str) -> None:
        if stage == "reading":                 # an XLSX being read (a child process); each call may end the run
            bar.progress(0.0, text=f"{verb}：读取工作簿…")
            return
        share = min(rows / total, 1.0) if total else 0.0
        text = "写入数据库…" if stage == "checked" and share >= 1.0 else f"已{verb} {rows:,} / 约 {total:,} 行"
        bar.progress(1.0 if stage == "written" else share * 0.95, text=f"{verb}：{text}" if stage != "written" else "写入完成")
    return bar, moved


EVENT_DATUMS = {None: None, "EPSG:4490": "wgs84", "EPSG:4326": "wgs84", "gcj02": "gcj02", "bd09": "bd09"}
DATUM_COLORS = {"wgs84": [30, 110, 220, 200], "gcj02": [220, 60, 40, 200], "bd09": [40, 160, 70, 200]}


def _datum_choice(check, key: str) -> str | None:
    """自动 could not tell: the sample placed under each coordinate system on the map, with the share
    that falls inside the county's grids, and the choice left to the user (never a guess)."""
    from geo.coords import to_wgs84
    from loaders.importer.events import DATUM_NAMES

    st.warning("文件未注明坐标系，自动识别不作猜测。下图为抽样点分别按三种坐标系换算后的位置，"
               "表中为落在江阴市网格内的比例；请对照实际地点选择。")
    panels.table([{"坐标系": DATUM_NAMES[d], "落在网格内": f"{v:.1%}"} for d, v in check.datum_shares.items()],
                  hide_index=True)
    lon = [x for x, _ in check.datum_sample]
    lat = [y for _, y in check.datum_sample]
    layers = [maps.outline_layer(data.county_outline(), "county")]
    for d in DATUM_NAMES:
        x, y = to_wgs84(lon, lat, d)
        layers.append(maps.points_layer([{"lon": float(a), "lat": float(b), "name": DATUM_NAMES[d]} for a, b in zip(x, y)],
                                        f"sample_{d}", "name", lambda _p: "抽样点", lambda _p: "",
                                        lambda _p, d=d: DATUM_COLORS[d], radius_px=3))
    st.pydeck_chart(maps.deck(layers, maps.CITY_VIEW, height=420), key="imp_datum_map")
    st.caption("蓝：按 WGS-84/CGCS2000；红：按 GCJ-02（高德、腾讯）；绿：按 BD-09（百度）。")
    return st.radio("请选择文件的坐标系", list(DATUM_NAMES), format_func=DATUM_NAMES.get, index=None,
                    horizontal=True, key=key)


def _datum_label(check) -> str:
    from loaders.importer.events import DATUM_NAMES
    return "逐行（文件中的坐标系列）" if check.datum == "per row" else DATUM_NAMES.get(check.datum or "", check.datum or "")


def events_import(path: Path, crs_opt: str | None, encoding: str | None) -> None:
    """An event export: every row checked (nothing written), then loaded on confirmation; rows the
    source sent before are counted as unchanged or changed, never loaded twice. 坐标系 自动 reads the
    file's 坐标系 column or its column names, and otherwise asks."""
    source = st.selectbox("来源系统", list(EVENT_SOURCES), format_func=labels(EVENT_SOURCES), placeholder="请选择",
                          key="imp_source")
    keep = st.checkbox("保留文件中的其他列（没有对应事件字段的列作为事件的附加属性保存）", key="imp_keep")
    if crs_opt not in EVENT_DATUMS:
        st.error(f"事件的坐标应为经纬度：请选择“自动”、WGS-84/CGCS2000 经纬度、GCJ-02 或 BD-09，"
                 f"而不是 {CRS_CHOICES[crs_opt]}。")
        st.stop()
    asked_key = f"imp_ev_datum_{path.parent.name}"       # a choice belongs to one file (its digest)
    datum = EVENT_DATUMS[crs_opt] or st.session_state.get(asked_key)
    # The check (every row, nothing written) once per file and options, not on every rerun of the page:
    # a 200,000-row export takes seconds to check. The upload's folder is its content's digest.
    asked = (str(path), source, datum, encoding, keep)
    kept = st.session_state.get("imp_ev_check")
    if kept and kept[0] == asked:
        check = kept[1]
    else:
        bar, moved = _progress_bar(path, "校验")
        check = data.import_events(path, source, datum, encoding, dry_run=True, progress=moved, keep_columns=keep)
        bar.empty()
        st.session_state["imp_ev_check"] = (asked, check)
    if check.datum_shares:
        if _datum_choice(check, asked_key):
            st.rerun()
        st.stop()
    if check.datum_from:
        st.caption(f"坐标系：{_datum_label(check)}（依据：{check.datum_from}）")
    if check.ignored:
        st.caption(("以下列作为事件的附加属性保存：" if keep else "以下列未导入（没有对应的事件字段；勾选“保留文件中的其他列”可保存）：")
                   + "、".join(check.ignored))
    m = st.columns(5)
    for col, (label, value) in zip(m, (("行数", check.rows), ("将新增", check.inserted), ("未变", check.unchanged),
                                        ("有变更（不重复导入）", len(check.changed)), ("拒绝的问题", len(check.refused)))):
        col.metric(label, f"{value:,}")
    if check.refused:
        st.markdown("#### 校验报告")
        panels.table(_problems_frame(check), height=360)
    else:
        st.success(f"校验通过：{check.rows:,} 行均可导入" + (f"（其中 {check.queued:,} 行地址待核，导入时转入待核地址）。"
                                                          if check.queued else "。"))
    if check.changed:
        st.caption("以下编号此前已导入、内容不同：未重复导入，请核对。" + "、".join(e for _, e, _ in check.changed[:30]))
    if check.matches:
        _match_report(check)
    if st.button("确认导入", type="primary", disabled=bool(check.refused) or not check.inserted, key="imp_ev_go"):
        bar, moved = _progress_bar(path, "导入")
        done = data.import_events(path, source, datum, encoding, dry_run=False, progress=moved, keep_columns=keep)
        bar.empty()
        st.session_state.pop("imp_ev_check", None)       # the database changed: check again next time
        if done.written:
            st.success(f"导入完成：新增 {done.inserted:,} 件，未变 {done.unchanged:,} 件，有变更 {len(done.changed):,} 件"
                       + (f"；{done.queued:,} 条地址未能可靠匹配，已转入调度台的“待核地址”。" if done.queued else "。"))
        else:
            st.error("导入未完成：文件在导入时未通过校验，数据库未作任何修改。")



def _match_report(check) -> None:
    """Each address-only row: what the register made of it (the unclear ones go to the review queue)."""
    clear = sum(1 for m in check.matches if m[2] == "clear")
    st.markdown("#### 地址匹配")
    st.caption(f"{len(check.matches):,} 行只有地址：{clear:,} 行在标准地址库中可靠匹配并定位；"
               f"{len(check.matches) - clear:,} 行不作猜测，导入时转入“待核地址”由人工确定位置。")
    frame = pd.DataFrame([{"行号": r, "地址": a, "结果": ADDRESS_MATCH_LABELS.get(s, s), "匹配地址": lb or "—",
                           "匹配度": round(sc, 2), "网格": g or "—"} for r, a, s, lb, sc, g in check.matches])
    st.dataframe(frame, hide_index=True, width="stretch", height=min(360, 38 + 35 * len(frame)))
    st.download_button("下载地址匹配报告（CSV）", frame.to_csv(index=False).encode("utf-8-sig"), "地址匹配报告.csv",
                       "text/csv", on_click="ignore", key="imp_match_csv")


def review_note() -> None:
    """The queue of unclear addresses is the dispatchers' (调度台 · 待核地址): say how many wait there."""
    n = data.address_count()
    if n:
        st.info(f"待核地址 {n} 条：事件导入中地址未能可靠匹配的行，由调度员在调度台“待核地址”中确定位置后立案。")
        nav.link("dispatch", label="前往调度台")

with user_errors():
    data.viewer().require_admin()
    header("数据导入", "网格、人员名册、危化品企业、应急资源；先校验，全部通过后才写入（单一事务，按编码更新）")
    c1, c2, c3 = st.columns([2, 3, 2])
    kind = c1.selectbox("数据类型", list(KINDS), placeholder="请选择", format_func=labels(KINDS), key="imp_kind")
    upload = c2.file_uploader("文件（Shapefile 请打包为 zip；或 GeoJSON、GeoPackage、CSV、XLSX）",
                              type=["zip", "geojson", "json", "gpkg", "csv", "xlsx"], key="imp_file")
    crs_opt = c3.selectbox("坐标系", list(CRS_CHOICES), placeholder="请选择", format_func=labels(CRS_CHOICES), key="imp_crs")
    d1, d2, d3, d4 = st.columns(4)
    encoding = d1.selectbox("文字编码", [None, "gbk", "utf-8"], placeholder="请选择", key="imp_enc",
                            format_func=lambda e: {None: "自动", "gbk": "GBK", "utf-8": "UTF-8"}[e])
    layer = d2.text_input("图层（GeoPackage 有多个图层时）", key="imp_layer", max_chars=100).strip() or None
    level = d3.selectbox("网格层级", [None, 1, 2, 3], placeholder="请选择", key="imp_level", disabled=kind != "grids",
                         format_func=lambda v: {None: "按编码长度判断", 1: "镇街", 2: "村社区", 3: "网格"}[v])
    fix = d4.checkbox("自动修复无效几何", key="imp_fix", disabled=kind != "grids")
    if upload is None:
        if kind == "events":
            review_note()
        st.info("请选择数据类型并上传文件。字段可用中文名：网格编码、网格名称、上级编码、层级；"
                "名册：终端编号、姓名、角色、经度、纬度；企业：企业编码、名称、企业、经度、纬度；"
                "标准地址道路：道路编码、道路名称、单号起、单号止、双号起、双号止（线几何或 WKT 列）；"
                "标准地址点：编码、类型（门牌/小区/楼栋/地名）、名称、道路编码、门牌号、经度、纬度。")
        st.stop()
    path = _saved(upload)
    if kind == "events":
        events_import(path, crs_opt, encoding)
        review_note()
        st.stop()
    opts: grids.Options | points.Options | addresses.Options
    if kind.startswith("address-"):      # the standard address register (loaders/importer/addresses.py)
        kind, opts = "addresses", addresses.Options(kind=kind.removeprefix("address-"), crs=crs_opt, encoding=encoding,
                                                    layer=layer)
    else:
        opts = (grids.Options(level=level, crs=crs_opt, encoding=encoding, layer=layer, fix=fix) if kind == "grids"
                else points.Options(crs=crs_opt, encoding=encoding, layer=layer))
    try:
        report, _ = data.import_check(kind, path, opts)
    except Exception as exc:  # noqa: BLE001 - a file that cannot be read at all
        show_error(exc)
        st.stop()
    refused = report.refused
    m1, m2, m3 = st.columns(3)
    m1.metric("要素数", f"{report.features:,}")
    m2.metric("拒绝的问题", f"{len(refused):,}")
    m3.metric("坐标系", report.crs)
    if not refused:
        st.success(f"校验通过：{report.features} 个要素均可导入。")
    if report.problems:
        st.markdown("#### 校验报告")
        frame = _problems_frame(report)
        if len(frame) <= 200:     # a plain table: every line readable (and searchable) on the page
            st.table(frame.astype({"行号": str}).style.hide(axis="index"))
        else:
            st.dataframe(frame, hide_index=True, width="stretch", height=360)
    bad_rows = {p.row for p in refused if p.row}
    shapes = [s for s in report.shapes if s.get("geom") is not None]
    if shapes:
        import shapely
        bounds = shapely.total_bounds([s["geom"] for s in shapes])
        view = maps.fit_view(bounds, width=1300, height=480)
        st.pydeck_chart(maps.deck([maps.import_layer(shapes, bad_rows)], view, height=480), height=480)
        st.caption("红色为有问题的要素；悬停查看行号与编码。")
    if st.button("确认导入", type="primary", disabled=bool(refused), key="imp_go",
                 help="有被拒绝的问题时不能导入：请修正文件后重新上传。" if refused else None):
        result = data.import_run(kind, path, opts)
        if result.written:
            extra = f"，事件重新归属网格 {result.events_reassigned} 件" if kind == "grids" else ""
            st.success(f"导入完成：新增 {result.inserted}，更新 {result.updated}，未变 {result.unchanged}{extra}。")
        else:
            st.error("导入未完成：文件在导入时未通过校验，数据库未作任何修改。")
