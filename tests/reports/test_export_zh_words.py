"""A Chinese export has no English in it: every log of a day, every code value each column can hold.

Two layers, both over every log in kiosk.reports.logs.LOGS (a new log is covered the day it is added):
- a real day on a Chinese site, made by the demo seed and the services (including the rarer paths: every
  line-gap state, every callback result, a no-sale drawer opening, a lost item claimed), exported in
  zh_CN: no cell or header of any CSV file or workbook sheet holds an English word;
- every code each code column's vocabulary knows (and the two actors that are no person), put through the
  export's conversion and SQL functions in zh_CN: none comes out in English.
Excepted, and named here: raw columns (kiosk.reports.logs._raw and each code column's "(代码)" twin, whose
Chinese title must say "(代码)" or "原始") and identifier columns (receipt numbers, references, phone
numbers: letters there are part of a number, not words).
"""
from __future__ import annotations

import csv
import re
from datetime import date, datetime, timedelta, timezone
from pathlib import Path

import openpyxl
import pytest

from kiosk.core.audit import Actor
from kiosk.demo import seed
from kiosk.phone import calllog
from kiosk.printing import queue as printqueue
from kiosk.reports import codes, export
from kiosk.reports import logs as export_logs

TZ = "Asia/Shanghai"
DAY = date(2026, 11, 23)
_LATIN = re.compile(r"[A-Za-z]{2,}")
# Terms Chinese writes in Latin letters ("AT调制解调器", "RI引脚"): not English words.
TERMS = {"AT", "RI", "USB", "PIN", "ID", "SPF", "ml", "kg", "cm", "CSV", "Excel"}   # 防晒霜 SPF50, 矿泉水 550ml


class ENGLISH:  # noqa: N801 - reads as the pattern it stands for
    @staticmethod
    def search(text: str):
        return [w for w in _LATIN.findall(text) if w not in TERMS]
# Identifier columns: their letters belong to a number (T01-S-000001, LF-2026-0001, SKU codes, phone numbers).
IDENTIFIERS = {"ref", "sku", "receipt_no", "original", "report_no", "reference", "member_no", "terminal_id",
               "record_id", "number", "phone", "caller_number", "customer_contact", "id_number", "claimant_id",
               "call_note_id"}
MANAGER = Actor("王经理", None, "manager")
STAFF = Actor("李娜", None, "staff")


def _raw_keys(log) -> set[str]:
    return {c.key for c in export.output_columns(log) if c.raw or c.key.endswith("_code")}


def _excepted(log) -> set[str]:
    return _raw_keys(log) | IDENTIFIERS


def test_every_raw_column_says_so_in_its_chinese_title_and_no_title_is_english():
    for log in export_logs.LOGS:
        assert not ENGLISH.search(log.zh), log.name
        for col in export.output_columns(log):
            assert not ENGLISH.search(col.zh), (log.name, col.zh)
            if col.key in _raw_keys(log):
                assert "(代码)" in col.zh or "原始" in col.zh, (log.name, col.key, col.zh)


def _every_code_rows(log) -> list[tuple]:
    """Fetched rows for log where each code column runs through its whole vocabulary (and beyond: None)."""
    longest = max([len(codes.vocabulary(c.codes or c.words)) for c in log.columns if c.codes or c.words] + [1])
    rows = []
    for i in range(longest + 1):
        row = []
        for col in log.columns:
            vocab = col.codes or col.words
            if vocab:
                keys = list(codes.vocabulary(vocab))
                row.append(keys[i] if i < len(keys) else None)
            elif col.kind == export_logs.DATETIME:
                row.append(f"2026-11-23T0{i % 10}:00:00.000000+00:00")
            elif col.kind in (export_logs.INT, export_logs.MONEY):
                row.append(i)
            else:
                row.append("前台记录" if col.key not in IDENTIFIERS else f"T01-S-{i:06d}")
        rows.append(tuple(row))
    return rows


@pytest.mark.parametrize("log", export_logs.LOGS, ids=lambda log: log.name)
def test_every_code_value_of_every_column_is_chinese(log, tmp_path):
    rows = _every_code_rows(log)
    typed = export.convert_columns(log, [list(c) for c in zip(*rows)], __import__("zoneinfo").ZoneInfo(TZ),
                                   "zh_CN", timedelta(hours=8))
    data = export.LogData(log, export.ColumnRows(typed), cols=typed)
    from kiosk.reports.csv_out import write_csv
    write_csv(tmp_path / "log.csv", data, "zh_CN")
    _assert_chinese_csv(tmp_path / "log.csv", log)


def test_the_sql_word_functions_give_chinese_for_every_code(db):
    export_logs.register_functions(db, "zh_CN")
    for name in codes.names():
        for code, msgid in codes.vocabulary(name).items():
            for stored in (code, msgid):   # older rows stored the English words themselves
                [got] = db.execute("SELECT kiosk_label(?, ?)", (name, stored)).fetchone()
                assert not ENGLISH.search(got), (name, stored, got)
    for reason in ("sale", "fee", "refund", "void", "feevoid", "drawer", "no sale: 换零钱"):
        [got] = db.execute("SELECT kiosk_drawer_reason(?)", (reason,)).fetchone()
        assert got and not ENGLISH.search(got), (reason, got)
    for status, detail in (("held", "stored at 前台柜 A1"), ("claimed", "claim 3 by 王芳"),
                           ("handed_over", "handover 2 to 行政部刘洋"), ("disposed", "donated, authorised by 张经理"),
                           ("disposed", "returned_to_finder, authorised by 张经理")):
        [got] = db.execute("SELECT kiosk_lf_detail(?, ?)", (status, detail)).fetchone()
        assert not ENGLISH.search(got), (status, detail, got)
    [got] = db.execute("SELECT kiosk_labelled('note_category', 'other', '停车')").fetchone()
    assert got == "其他：停车"
    [got] = db.execute("SELECT kiosk_pick('储物柜', 'Locker')").fetchone()
    assert got == "储物柜"
    export_logs.register_functions(db, "en")
    assert db.execute("SELECT kiosk_pick('储物柜', 'Locker'), kiosk_drawer_reason('no sale: change')").fetchone() == (
        "Locker", "No sale: change")


def _assert_chinese_csv(path: Path, log=None) -> None:
    with open(path, encoding="utf-8-sig", newline="") as fh:
        table = list(csv.reader(fh))
    header, body = table[0], table[1:]
    for title in header:
        assert not ENGLISH.search(title), (path.name, title)
    if log is None:
        return
    keys = [c.key for c in export.output_columns(log)]
    skip = _excepted(log)
    for row in body:
        for key, cell in zip(keys, row):
            if key not in skip:
                assert not ENGLISH.search(cell), (path.name, key, cell)


@pytest.fixture
def zh_day(db, clock):
    """A Chinese site's day: the seed (zh free text) plus the rarer paths, through the services."""
    clock.set(datetime(2026, 11, 23, 10, 0, tzinfo=timezone.utc))   # 18:00 local: the day is nearly over
    seed.seed(db, clock, days=1, tz_name=TZ, visitors=40, calls=30, sales=20, end_day=DAY, lang="zh_CN")
    now = clock.now()
    for i, state in enumerate(codes.vocabulary("line_gap_state")):
        calllog.record_gap(db, now - timedelta(minutes=30 - i), now - timedelta(minutes=29 - i), state, "", "at")
    for result in ("reached", "No answer", "left_message"):
        note = calllog.add_note(db, clock, STAFF, call_id=None, category="other", what="询问停车",
                                caller_number="13800138000", needs_callback=True)
        calllog.complete_callback(db, clock, STAFF, note, result)
    printqueue.kick_drawer(db, clock, STAFF, "换零钱")
    from kiosk.lostfound import service as lostfound
    item = lostfound.register_item(db, clock, STAFF, TZ, category="phone", description="黑色华为手机",
                                   found_place="大堂", handed_in_kind="customer", handed_in_name="王芳",
                                   storage="前台柜 A1")
    lostfound.amend_item(db, clock, STAFF, item.id, field="features", value="屏幕有裂痕", reason="登记时漏写")
    return db


def test_a_chinese_days_export_has_no_english_word(zh_day, clock, tmp_path):
    result = export.run_export(zh_day, clock, first=DAY - timedelta(days=1), last=DAY, tz_name=TZ, destination=tmp_path,
                               lang="zh_CN", actor=MANAGER)
    by_name = {log.name: log for log in export_logs.LOGS}
    files = {p.stem: p for p, _ in result.files if p.suffix == ".csv"}
    assert set(by_name) <= set(files), "every log is in the export"
    for stem, path in files.items():
        _assert_chinese_csv(path, by_name.get(stem))
    assert {"summary", "per_day"} <= set(files)
    for name in ("summary", "per_day"):
        with open(files[name], encoding="utf-8-sig") as fh:
            for row in csv.reader(fh):
                for n, cell in enumerate(row):
                    if n != len(row) - 1 or name != "summary":   # the summary's last column is the raw code
                        assert not ENGLISH.search(cell), (name, row)
    assert result.rows["phone_line_gaps"] == 4 and result.rows["drawer_openings"] >= 1
    book = openpyxl.load_workbook(next(p for p, _ in result.files if p.suffix == ".xlsx"), read_only=True)
    titles = {log.zh[:31]: log for log in export_logs.LOGS}
    for ws in book.worksheets:
        log = titles.get(ws.title)
        rows = list(ws.iter_rows(values_only=True))
        assert not ENGLISH.search(ws.title)
        if log is None:   # the summary (its last column is the raw code) and the per-day sheet
            for row in rows:
                for cell in (row[:-1] if ws.title == "汇总" else row):
                    assert not (isinstance(cell, str) and ENGLISH.search(cell)), (ws.title, row)
            continue
        keys = [c.key for c in export.output_columns(log)]
        for title in rows[0]:
            assert title is None or not ENGLISH.search(str(title)), (ws.title, title)
        for row in rows[1:]:
            for key, cell in zip(keys, row):
                if key not in _excepted(log) and isinstance(cell, str):
                    assert not ENGLISH.search(cell), (ws.title, key, cell)


def test_the_chinese_pdf_has_no_english_word_and_no_raw_column(zh_day, clock, tmp_path):
    """Outside test (issue 19): the PDF's six sample columns were the first six, raw codes among them."""
    from pypdf import PdfReader
    result = export.run_export(zh_day, clock, first=DAY, last=DAY, tz_name=TZ, destination=tmp_path,
                               formats=("pdf", "csv"), lang="zh_CN", actor=MANAGER)
    pdf = next(p for p, _ in result.files if p.suffix == ".pdf")
    text = "\n".join(page.extract_text() for page in PdfReader(pdf).pages).replace("\x00", "")
    assert "访客登记" in text and "离开方式" in text
    assert "(代码)" not in text and "simulated" not in text and "meeting" not in text
    # identifiers (LF-2026-0001, T01-S-000012, DRK-001) are numbers, not words
    words = ENGLISH.search(re.sub(r"[A-Z]+[0-9]*(-[A-Z0-9]+)+", "", text))
    assert not words, words[:20]
    with open(next(p for p, _ in result.files if p.name == "visitors.csv"), encoding="utf-8-sig") as fh:
        phones = [row["电话"] for row in csv.DictReader(fh)]
    assert phones and all(re.fullmatch(r"1\d\d \d{4} \d{4}", p) for p in phones), phones[:3]
