"""Hostile text in every column, read back as a person would: openpyxl, LibreOffice headless, our CSV, and
the PDF drawn to PNG with pdftoppm.

The rows are written straight into the tables (the services refuse most of this text at the keyboard;
an export must still be safe for whatever a database holds: an import, an older version, a tool)."""
from __future__ import annotations

import csv
import shutil
import subprocess
from datetime import date, datetime, timezone
from pathlib import Path

import openpyxl
import pytest

from kiosk.core.audit import SYSTEM, Actor
from kiosk.core.db import write
from kiosk.reports import export
from kiosk.reports.files import is_formula, neutralise

TZ = "Asia/Shanghai"
DAY = date(2026, 11, 23)
LONG = "长" * 1990 + "末尾0123456"               # 2,000 characters, kept whole
HOSTILE = ["=1+1", "＝1+1", "+cmd|' /C calc'!A0", "＋1+1", "－1+1", "＠SUM(A1)", "@SUM(A1)", "-2+3",
           "\t=1+1", "\r=1+1", "nul\x00byte", "bell\x07\x1b[31mred", "emoji 😀👍🏽", "ｆｕｌｌ　ｗｉｄｔｈ", LONG,
           "\u202etxt.exe", "zero\u200bwidth"]
PHONES = ["+86 138 0013 8000", "+8613800138000", "＋86 138 0013 8000", "-1", "010-8888 6666"]


@pytest.fixture
def hostile_day(db, clock):
    from kiosk.visitors import service as visitors
    clock.set(datetime(2026, 11, 23, 9, 0, tzinfo=timezone.utc))   # 17:00 in Shanghai
    visitors.seed_demo(db, clock)
    host = db.execute("SELECT id FROM hosts LIMIT 1").fetchone()[0]
    at = datetime(2026, 11, 23, 2, 0, tzinfo=timezone.utc)
    with write(db):
        for i, text in enumerate(HOSTILE):
            phone = PHONES[i % len(PHONES)]
            db.execute(
                "INSERT INTO visits (signed_in_at, name, phone, organisation, host_id, host_name, purpose, party_size,"
                " registered_by, actor_id, actor, id_type, id_number, privacy_accepted, signout_code)"
                " VALUES (?, ?, ?, ?, ?, ?, 'meeting', 1, 'self', NULL, ?, '', '', 1, ?)",
                (at.replace(minute=i).isoformat(timespec="microseconds"), text, phone, text, host, text, text,
                 f"H{i:04d}"))
            db.execute("INSERT INTO audit (at, actor_id, actor, action, record_table, record_id, before, after)"
                       " VALUES (?, NULL, ?, ?, 'visits', ?, ?, ?)",
                       (at.replace(minute=i).isoformat(timespec="microseconds"), text, text, str(i), text, text))
    return clock


def _export(db, clock, tmp_path, lang="zh_CN"):
    return export.run_export(db, clock, first=DAY, last=DAY, tz_name=TZ, destination=tmp_path, lang=lang,
                             actor=Actor("王经理", None, "manager"))


def _clean(text: str) -> str:
    from kiosk.core.text import printable
    return printable(text)


def test_hostile_text_in_csv_is_whole_clean_and_guarded_only_where_a_spreadsheet_would_run_it(db, hostile_day,
                                                                                               tmp_path):
    result = _export(db, hostile_day, tmp_path)
    with open(result.folder / "visitors.csv", encoding="utf-8-sig", newline="") as fh:
        rows = list(csv.DictReader(fh))
    assert len(rows) == len(HOSTILE)
    for row, text in zip(rows, HOSTILE):
        clean = _clean(text)
        assert "\x00" not in row["姓名"] and "\x1b" not in row["姓名"] and "\u202e" not in row["姓名"]
        assert row["姓名"] == neutralise(clean)
        assert row["姓名"].startswith("'") == is_formula(clean)
        assert (row["事由"], row["事由(代码)"]) == ("会议", "meeting")
        assert (row["登记方式"], row["登记方式(代码)"]) == ("自助登记", "self")
    assert rows[HOSTILE.index(LONG)]["单位"] == LONG                       # 2,000 characters, not cut
    phones = [r["电话"] for r in rows]
    # A phone number with a sign and spaces is an expression to Excel (+86 138 is #NULL!): guarded. One
    # number after a sign is that number; a landline as written stays text (its 0 kept), with no guard.
    assert phones[:5] == ["'+86 138 0013 8000", "'+86 138 0013 8000", "'＋86 138 0013 8000", "-1", "010-8888 6666"]
    by_text = {text: row["姓名"] for text, row in zip(HOSTILE, rows)}
    assert by_text["＝1+1"] == "'＝1+1" and by_text["＋1+1"] == "'＋1+1" and by_text["-2+3"] == "'-2+3"
    assert by_text["\t=1+1"] == "' =1+1" and by_text["\r=1+1"] == "'\n=1+1"
    assert by_text["emoji 😀👍🏽"] == "emoji 😀👍🏽" and by_text["ｆｕｌｌ　ｗｉｄｔｈ"] == "ｆｕｌｌ　ｗｉｄｔｈ"


def test_hostile_text_in_the_workbook_is_typed_text_with_no_visible_guard(db, hostile_day, tmp_path):
    result = _export(db, hostile_day, tmp_path)
    path = next(p for p, _ in result.files if p.suffix == ".xlsx")
    book = openpyxl.load_workbook(path)
    sheet = book["访客登记"]
    header = [c.value for c in sheet[1]]
    for r, text in enumerate(HOSTILE, start=2):
        name = sheet.cell(row=r, column=header.index("姓名") + 1)
        phone = sheet.cell(row=r, column=header.index("电话") + 1)
        assert name.data_type == "s" and name.value == _clean(text)          # no formula, no apostrophe
        assert phone.data_type == "s" and phone.value == PHONES[(r - 2) % len(PHONES)]
        when = sheet.cell(row=r, column=header.index("到访时间") + 1)
        assert isinstance(when.value, datetime) and when.is_date
    assert sheet.cell(row=2 + HOSTILE.index(LONG), column=header.index("单位") + 1).value == LONG
    summary = book["汇总"]
    money = [row for row in summary.iter_rows(min_row=3) if row[2].value is not None]
    for row in money:
        assert isinstance(row[2].value, (int, float)) and "¥" in row[2].number_format


@pytest.mark.skipif(shutil.which("soffice") is None, reason="LibreOffice is not installed")
def test_libreoffice_reads_the_workbook_with_types_intact(db, hostile_day, tmp_path):
    """LibreOffice headless converts every sheet to CSV: formula-looking text stays text (=1+1 is not 2),
    phone numbers keep their +, dates are dates and money is a number."""
    result = _export(db, hostile_day, tmp_path / "out" if (tmp_path / "out").mkdir() is None else tmp_path)
    path = next(p for p, _ in result.files if p.suffix == ".xlsx")
    out = tmp_path / "lo"
    out.mkdir()
    # UTF-8 (76), cells as shown (token 9: a number with its format, so ¥ proves a formatted number),
    # one CSV per sheet (token 12 = -1, LibreOffice 7.2+).
    subprocess.run(["soffice", "--headless", "--norestore", f"-env:UserInstallation=file://{out}/profile",
                    "--convert-to", "csv:Text - txt - csv (StarCalc):44,34,76,1,,0,false,true,true,false,false,-1",
                    "--outdir", str(out), str(path)], check=True, capture_output=True, timeout=300)
    sheets = {p.name: p for p in out.glob("*.csv")}
    visitors = next(p for n, p in sheets.items() if "访客登记" in n)
    with open(visitors, encoding="utf-8", newline="") as fh:
        rows = list(csv.reader(fh))
    header = rows[0]
    names = [r[header.index("姓名")] for r in rows[1:]]
    assert names[HOSTILE.index("=1+1")] == "=1+1" and names[HOSTILE.index("＝1+1")] == "＝1+1"
    assert names[HOSTILE.index(LONG)] == LONG
    phones = [r[header.index("电话")] for r in rows[1:]]
    assert phones[:5] == PHONES
    assert rows[1][header.index("到访时间")].startswith("2026-11-23 10:00")
    summary = next(p for n, p in sheets.items() if "汇总" in n)
    with open(summary, encoding="utf-8", newline="") as fh:
        lines = list(csv.reader(fh))
    money = {r[0]: r[2] for r in lines[2:] if len(r) > 5 and r[5] in ("cash", "card", "mobile")}
    assert money and all(v == "¥0.00" for v in money.values()), money       # numbers, in the currency format
    counts = {r[0]: r[1] for r in lines[2:]}
    assert counts["访客"] == str(len(HOSTILE))


@pytest.mark.skipif(shutil.which("pdftoppm") is None, reason="poppler-utils is not installed")
def test_the_pdf_is_bounded_and_draws_chinese(db, hostile_day, tmp_path):
    """The PDF shows a sample of each log with a note of how many rows there are; its pages draw (PNG)."""
    from pypdf import PdfReader
    result = _export(db, hostile_day, tmp_path)
    pdf = next(p for p, _ in result.files if p.suffix == ".pdf")
    pages = len(PdfReader(pdf).pages)
    assert 1 <= pages <= 20
    text = subprocess.run(["pdftotext", "-enc", "UTF-8", str(pdf), "-"], capture_output=True, check=True).stdout
    flat = text.decode("utf-8").replace(" ", "").replace("\n", "")
    assert "访客登记" in flat and "仅列出前20行" in flat
    from tests.uikit import ARTIFACTS
    target = ARTIFACTS / "screenshots"
    target.mkdir(parents=True, exist_ok=True)
    for page in (1, 2):
        subprocess.run(["pdftoppm", "-png", "-r", "60", "-f", str(page), "-l", str(page), str(pdf),
                        str(target / f"export_pdf_zh_p{page}")], check=True)
    drawn = sorted(target.glob("export_pdf_zh_p*.png"))
    assert drawn and all(p.stat().st_size > 5_000 for p in drawn)


def test_a_full_stick_under_the_rust_engine_reads_as_a_full_stick(db, hostile_day, tmp_path, monkeypatch):
    """The Rust engine's OSError has no errno; the export recovers it from the text, so the screen says
    the stick is full (translated), not a generic failure."""
    import rustpy_xlsxwriter

    from kiosk.reports.files import ExportError

    def full(self):
        raise OSError("Failed to save workbook: No space left on device (os error 28)")
    monkeypatch.setattr(rustpy_xlsxwriter.FastExcel, "save", full)
    with pytest.raises(ExportError) as caught:
        _export(db, hostile_day, tmp_path)
    message = caught.value.message("zh_CN")
    assert "已满" in message and "No space" not in message, message
    assert "腾出空间" in message, message                    # a full stick is not asked whether it was pulled
    assert not [p for p in tmp_path.iterdir() if "kiosk-export" in p.name], "nothing of the failed export is left"


def test_both_workbook_engines_write_the_same_typed_cells(db, hostile_day, tmp_path):
    """rustpy-xlsxwriter (the default) and xlsxwriter (the fallback where its wheel is missing) describe the
    same sheets: every cell read back by openpyxl is equal, with the same type and number format family."""
    from kiosk.reports import logs as export_logs
    from kiosk.reports import summary as summary_mod
    from kiosk.reports.xlsx_out import write_xlsx
    start, end = summary_mod.range_bounds(date(2026, 11, 22), DAY, TZ)
    ready, missing = export_logs.split_available(db)
    data = export.collect(db, ready, start, end, TZ, "zh_CN")
    summary = summary_mod.build(db, hostile_day, date(2026, 11, 22), DAY, TZ)
    books = {}
    for engine in ("rustpy-xlsxwriter", "xlsxwriter"):
        path = tmp_path / f"{engine}.xlsx"
        write_xlsx(path, data, summary, missing, "zh_CN", engine=engine)
        books[engine] = openpyxl.load_workbook(path)
    rust, xw = books["rustpy-xlsxwriter"], books["xlsxwriter"]
    assert rust.sheetnames == xw.sheetnames and "每日明细" in rust.sheetnames
    for name in rust.sheetnames:
        a, b = rust[name], xw[name]
        assert a.freeze_panes == b.freeze_panes, name
        rows_a = list(a.iter_rows(values_only=True))
        rows_b = list(b.iter_rows(values_only=True))
        assert len(rows_a) == len(rows_b), name
        for ra, rb in zip(rows_a, rows_b):
            for va, vb in zip(ra, rb):
                if va is None or vb is None:
                    assert va in (None, "") and vb in (None, ""), (name, ra, rb)
                elif isinstance(va, (int, float)):
                    assert isinstance(vb, (int, float)) and abs(va - vb) < 1e-9, (name, va, vb)
                else:
                    assert type(va) is type(vb) and va == vb, (name, va, vb)
    days = rust["每日明细"]
    assert [c.value for c in days["A"]][1:] == [datetime(2026, 11, 22), datetime(2026, 11, 23)]
    assert days["A2"].is_date and days["B3"].value == len(HOSTILE)
