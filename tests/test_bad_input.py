"""Hostile and broken input gets a clear message and writes nothing (issue 19's list): an XLSX or
zip that would unpack to gigabytes, NUL and other control characters in a report, report times in
1900 or 2099 — through one report (pages, API) and the bulk import, which share the rules."""
from __future__ import annotations

import datetime as dt
import io
import subprocess
import tempfile
import time
import zipfile
from pathlib import Path

import pandas as pd
import pytest

from geo.errors import IntakeRefused, InvalidInput
from geo.intake import Report
from loaders.importer import events as event_import
from loaders.importer.read import read
from tests.fixtures import point_in, report_events, row_counts


def bomb(path, megabytes: int = 300):
    """A valid-looking workbook of 0.3 MB whose one sheet unpacks to `megabytes`."""
    buf = io.BytesIO()
    pd.DataFrame({"类别编码": ["HW01"], "经度": ["120.28"], "纬度": ["31.9"]}).to_excel(buf, index=False)
    src = zipfile.ZipFile(io.BytesIO(buf.getvalue()))
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as out:
        for info in src.infolist():
            data = src.read(info.filename)
            if info.filename == "xl/worksheets/sheet1.xml":
                data = data.replace(b"</sheetData>", b"<row r='3'><c r='A3' t='inlineStr'><is><t>"
                                    + b"A" * (megabytes << 20) + b"</t></is></c></row></sheetData>")
            out.writestr(info, data)
    return path


def test_an_xlsx_bomb_is_refused_before_it_is_unpacked(work_conn, tmp_path):
    path = bomb(tmp_path / "events.xlsx")
    assert path.stat().st_size < 1 << 20
    before = row_counts(work_conn)
    with pytest.raises(InvalidInput) as err:
        event_import.load(work_conn, path, dry_run=False)
    assert "疑似损坏或恶意文件" in err.value.message_zh
    assert row_counts(work_conn) == before
    with pytest.raises(InvalidInput) as err:          # the importer of grids, staff, sites, resources
        read(tmp_path / "events.xlsx")
    assert "解压后达" in err.value.message_zh


def test_a_zipped_shapefile_bomb_is_refused(tmp_path):
    path = tmp_path / "grids.zip"
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as out:
        out.writestr("grids.shp", b"\0" * (1100 << 20))
    with pytest.raises(InvalidInput) as err:
        read(path)
    assert "解压后达" in err.value.message_zh


def test_a_damaged_xlsx_says_so(tmp_path):
    path = tmp_path / "broken.xlsx"
    path.write_bytes(b"PK\x03\x04 not really a workbook")
    with pytest.raises(InvalidInput) as err:
        read(path)
    assert "不是有效的 XLSX" in err.value.message_zh


@pytest.mark.parametrize("field, report, message", [
    ("description", dict(description="门口\x00垃圾"), "控制字符"),
    ("address", dict(description="垃圾", address="澄江街道\x1b[31m"), "控制字符"),
    ("reported_at", dict(description="垃圾", reported_at=dt.datetime(1900, 1, 1, tzinfo=dt.timezone.utc)),
     "超出合理范围"),
    ("reported_at", dict(description="垃圾", reported_at=dt.datetime(2099, 1, 1, tzinfo=dt.timezone.utc)),
     "超出合理范围"),
    ("reported_at", dict(description="垃圾", reported_at=dt.datetime(2026, 11, 1, 9, 30)), "缺少时区"),
    ("address", dict(description="垃圾", address="路" * 201), "地址不能超过200字"),
])
def test_a_report_with_bad_text_or_time_is_refused(work_conn, field, report, message):
    lon, lat = point_in(work_conn, "320281001002002")
    before = row_counts(work_conn)
    with pytest.raises(IntakeRefused) as err:
        report_events(work_conn, [Report("HW01", lon=lon, lat=lat, **report)])
    assert [p.field for p in err.value.problems] == [field]
    assert message in err.value.problems[0].message_zh
    assert row_counts(work_conn) == before


def test_a_japanese_file_is_refused_not_read_as_gbk(work_conn, tmp_path):
    """Shift-JIS decodes as GBK without an error (into mojibake); it is named, not loaded."""
    sjis = tmp_path / "施設.csv"
    sjis.write_bytes("名前,経度,緯度,説明\nテスト施設,120.28,31.90,ごみの不法投棄があります\n"
                     "サンプル,120.29,31.91,道路が壊れています\n".encode("shift_jis"))
    gbk = tmp_path / "网格.csv"
    gbk.write_bytes("名称,经度,纬度,说明\n测试设施,120.28,31.90,门口垃圾乱堆放\n".encode("gbk"))
    with pytest.raises(InvalidInput) as err:
        read(sjis)
    assert "日文（Shift-JIS）" in err.value.message_zh
    with pytest.raises(InvalidInput) as err:
        event_import.load(work_conn, sjis, dry_run=True)
    assert "日文（Shift-JIS）" in err.value.message_zh
    assert list(read(gbk).frame.columns[:1]) == ["名称"]          # Chinese GBK still reads


def crafted(path, rows: int, far: bool = True):
    """A small workbook whose sheet holds `rows` rows of three cells and, with `far`, one more cell in
    column XFD of every row (a reader that pads rows makes each 16,384 cells wide)."""
    buf = io.BytesIO()
    pd.DataFrame({"类别编码": ["HW01"], "经度": ["120.28"], "纬度": ["31.9"]}).to_excel(buf, index=False)
    src = zipfile.ZipFile(io.BytesIO(buf.getvalue()))
    extra = "<c r='XFD{r}' t='inlineStr'><is><t>x</t></is></c>" if far else ""
    body = "".join(f"<row r='{r}'><c r='A{r}' t='inlineStr'><is><t>HW01</t></is></c><c r='B{r}'><v>120.28</v></c>"
                   f"<c r='C{r}'><v>31.9</v></c>{extra.format(r=r)}</row>" for r in range(2, rows + 2))
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as out:
        for info in src.infolist():
            data = src.read(info.filename)
            if info.filename == "xl/worksheets/sheet1.xml":
                header_end = data.index(b"</row>") + len(b"</row>")     # keep the header row, replace the rest
                data = data[:header_end] + body.encode() + data[data.index(b"</sheetData>"):]
            out.writestr(info, data)
    return path


def test_a_workbook_padded_to_column_xfd_is_read_at_its_header_width(tmp_path):
    from loaders.importer import xlsx
    path = crafted(tmp_path / "wide.xlsx", 5000)
    with xlsx.as_csv(path) as csv_path:
        df = pd.read_csv(csv_path, dtype=str)
    assert list(df.columns) == ["类别编码", "经度", "纬度"]
    assert len(df) == 5000 and set(df["经度"]) == {"120.28"}


def test_a_workbook_too_slow_to_read_is_refused_and_its_reader_stopped(tmp_path, monkeypatch):
    """The reader runs under a CPU limit in its own process: past it, a clear message, nothing left running."""
    from loaders.importer import xlsx
    path = crafted(tmp_path / "slow.xlsx", 150_000)
    monkeypatch.setenv("JY_XLSX_SECONDS", "1")
    with pytest.raises(InvalidInput) as err:
        with xlsx.as_csv(path):
            pass
    assert "读取超过 1 秒" in err.value.message_zh and "CSV UTF-8" in err.value.message_zh
    with pytest.raises(InvalidInput) as err:          # the importers of grids, staff, sites: the same reader
        read(path)
    assert "读取超过 1 秒" in err.value.message_zh
    left = subprocess.run(["pgrep", "-f", f"loaders.importer.xlsx {path}"], capture_output=True, text=True)
    assert left.stdout == ""


def test_an_import_whose_session_ends_stops_reading_the_workbook(tmp_path):
    """The page's progress bar raises when the browser has gone: the reader is killed at once, its CSV removed."""
    from loaders.importer import xlsx
    path = crafted(tmp_path / "big.xlsx", 150_000)
    calls = []

    def gone():
        calls.append(time.monotonic())
        if len(calls) == 2:
            raise KeyboardInterrupt("session ended")
    made = set(Path(tempfile.gettempdir()).glob("jy-xlsx-*"))
    with pytest.raises(KeyboardInterrupt):
        with xlsx.as_csv(path, gone):
            pass
    assert len(calls) == 2
    left = subprocess.run(["pgrep", "-f", f"loaders.importer.xlsx {path}"], capture_output=True, text=True)
    assert left.stdout == ""
    assert set(Path(tempfile.gettempdir()).glob("jy-xlsx-*")) <= made
