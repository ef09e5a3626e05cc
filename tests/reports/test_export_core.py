"""Exports read back (csv, openpyxl, pypdf) and checked against the database; both languages;
formula injection stays inert; a stick pulled mid-export leaves nothing claiming to be complete."""
from __future__ import annotations

import csv
import io
import json
from datetime import date, datetime, timezone
from pathlib import Path

import openpyxl
import pytest
from pypdf import PdfReader

from kiosk.phone import calllog
from kiosk.reports import export
from kiosk.reports import logs as export_logs
from kiosk.printing import queue as printqueue
from kiosk.core.audit import Actor
from kiosk.phone.tracker import CallEvent
from kiosk.reports.files import ExportError
from kiosk.reports.summary import RangeError, range_bounds

TZ = "Asia/Shanghai"
DAY = date(2026, 11, 23)
STAFF = Actor("王芳", None, "staff")
NASTY = ["=HYPERLINK(\"http://x\",\"click\")", "+1+2", "-3+4", "@SUM(A1)", "\tcmd", "\rcmd",
         "＝1+1", "＋cmd|' /C calc'!A0", "－2+3", "＠SUM(A1)", "\t=1+1", "\r=1+1", " =1+1", "\u3000＝1"]
# What each becomes in a CSV: the one sanitiser turns a tab into a space and a CR into a line break;
# whatever a spreadsheet would then run as a formula gets the apostrophe, and nothing else does.
NASTY_CSV = {"=HYPERLINK(\"http://x\",\"click\")": "'=HYPERLINK(\"http://x\",\"click\")", "+1+2": "'+1+2",
             "-3+4": "'-3+4", "@SUM(A1)": "'@SUM(A1)", "\tcmd": " cmd", "\rcmd": "\ncmd", "＝1+1": "'＝1+1",
             "＋cmd|' /C calc'!A0": "'＋cmd|' /C calc'!A0", "－2+3": "'－2+3", "＠SUM(A1)": "'＠SUM(A1)",
             "\t=1+1": "' =1+1", "\r=1+1": "'\n=1+1", " =1+1": "' =1+1", "\u3000＝1": "'\u3000＝1"}


def _call(db, clock, *, rings: int, answered: bool, number: str = "13800138000") -> int:
    call_id = calllog.start_call(db, clock, "simulated")
    for r in range(1, rings + 1):
        calllog.record_event(db, clock, call_id, CallEvent("ring", 0, 1, rings=r, number=number))
        clock.advance(5)
    if answered:
        calllog.record_event(db, clock, call_id, CallEvent("answered", 0, 1, rings=rings, source="offhook",
                                                           seconds_to_answer=5.0 * rings))
        clock.advance(60)
    calllog.record_event(db, clock, call_id, CallEvent("ended", 0, 1, rings=rings,
                                                       outcome="answered" if answered else "missed",
                                                       source="offhook", duration=60.0 + 5 * rings))
    return call_id


@pytest.fixture
def busy(db, clock):
    """A day of calls, notes (with formula-like text), a callback and a drawer opening, via the services."""
    # 00:30 local on the 23rd (16:30 UTC on the 22nd): inside the local day.
    clock.set(datetime(2026, 11, 22, 16, 30, tzinfo=timezone.utc))
    early = _call(db, clock, rings=2, answered=True)
    clock.set(datetime(2026, 11, 23, 2, 0, tzinfo=timezone.utc))
    late = _call(db, clock, rings=5, answered=True)
    missed = _call(db, clock, rings=6, answered=False)
    for i, text in enumerate(NASTY):
        calllog.add_note(db, clock, STAFF, call_id=late, category="inquiry", what=text, caller_name=text,
                         caller_number="13800138000", needs_callback=(i == 0))
    note = calllog.add_note(db, clock, STAFF, call_id=early, category="complaint", what="空调太冷",
                            caller_name="李娜", caller_number="010-8888", needs_callback=True)
    calllog.complete_callback(db, clock, STAFF, note, "已处理")
    printqueue.kick_drawer(db, clock, STAFF, "换零钱")
    # Outside the day: 15:59 UTC on the 22nd is 23:59 local on the 22nd; 16:00 UTC on the 23rd is the 24th.
    clock.set(datetime(2026, 11, 22, 15, 59, tzinfo=timezone.utc))
    _call(db, clock, rings=1, answered=True)
    clock.set(datetime(2026, 11, 23, 16, 0, tzinfo=timezone.utc))
    _call(db, clock, rings=1, answered=True)
    return {"calls": [early, late, missed], "note": note}


MANAGER = __import__("kiosk.core.audit", fromlist=["Actor"]).Actor("王经理", None, "manager")


def _export(db, clock, tmp_path, lang="zh_CN", **kw):
    return export.run_export(db, clock, first=kw.pop("first", DAY), last=kw.pop("last", DAY), tz_name=TZ,
                             destination=tmp_path, lang=lang,
                             **({"actor": MANAGER} | kw))


def _csv(path: Path) -> list[list[str]]:
    raw = path.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf"), "CSV must start with a UTF-8 BOM for Excel/WPS"
    return list(csv.reader(io.StringIO(raw.decode("utf-8-sig"), newline="")))


def test_day_bounds_follow_the_site_time_zone():
    start, end = range_bounds(DAY, DAY, TZ)
    assert start == datetime(2026, 11, 22, 16, 0, tzinfo=timezone.utc)
    assert end == datetime(2026, 11, 23, 16, 0, tzinfo=timezone.utc)
    with pytest.raises(RangeError):
        range_bounds(DAY, date(2026, 11, 1), TZ)


def test_csv_rows_match_the_database(busy, db, clock, tmp_path):
    result = _export(db, clock, tmp_path, formats=["csv"])
    folder = result.folder
    calls = _csv(folder / "calls.csv")
    assert calls[0][:4] == ["来电编号", "来电时间", "检测方式", "检测方式(代码)"]
    assert [int(r[0]) for r in calls[1:]] == busy["calls"]          # local day only, both edges
    first = calls[1]
    assert first[1] == "2026-11-23 00:30:00"                          # shown in site time
    assert first[2:4] == ["模拟", "simulated"]                        # the code in Chinese, the raw code beside it
    header = calls[0]
    by_id = {int(r[0]): dict(zip(header, r)) for r in calls[1:]}
    assert (by_id[busy["calls"][2]]["结果"], by_id[busy["calls"][2]]["结果(代码)"]) == ("未接", "missed")
    assert by_id[busy["calls"][1]]["接听前响铃"] == "5"                # rings to answer
    notes = _csv(folder / "call_notes.csv")
    db_notes = db.execute("SELECT COUNT(*) FROM call_notes WHERE at >= ? AND at < ?",
                          ("2026-11-22T16:00", "2026-11-23T16:00")).fetchone()[0]
    assert len(notes) - 1 == db_notes == len(NASTY) + 1
    head = notes[0]
    done = [dict(zip(head, r)) for r in notes[1:] if dict(zip(head, r))["回电结果"] == "已处理"]
    assert len(done) == 1 and done[0]["已回电"]                        # callback done time filled
    drawer = _csv(folder / "drawer_openings.csv")
    assert drawer[1][3:5] == ["非销售开箱：换零钱", "no sale: 换零钱"]   # in words, the stored reason beside
    audit_rows = _csv(folder / "audit.csv")
    assert len(audit_rows) - 1 == db.execute(
        "SELECT COUNT(*) FROM audit WHERE at >= '2026-11-22T16:00' AND at < '2026-11-23T16:00'").fetchone()[0]
    assert result.rows["calls"] == 3


def test_formula_injection_is_inert_in_csv_and_excel(busy, db, clock, tmp_path):
    from kiosk.core import audit
    from kiosk.core import db as db_mod
    # The note service strips surrounding whitespace; the audit log keeps any text, tab and CR included.
    clock.set(datetime(2026, 11, 23, 3, 0, tzinfo=timezone.utc))
    with db_mod.write(db):
        for text in NASTY:
            audit.record(db, clock, Actor(text), text)
    result = _export(db, clock, tmp_path, formats=["csv", "xlsx"])
    from kiosk.core.text import printable
    notes = _csv(result.folder / "call_notes.csv")
    stored = [r["what"] for r in db.query("SELECT what FROM call_notes WHERE call_id = ?", (busy["calls"][1],))]
    whats = [dict(zip(notes[0], r))["事项"] for r in notes[1:]]
    # The note service trims what staff typed (" =1+1" is stored as "=1+1").
    trimmed = {"=1+1": "'=1+1", "cmd": "cmd", "＝1": "'＝1"}
    for text in stored:
        assert {**NASTY_CSV, **trimmed}.get(text, text) in whats, text
    actions = [r[3] for r in _csv(result.folder / "audit.csv")[1:]]
    for text in NASTY:
        assert NASTY_CSV[text] in actions, text
    # In the workbook every text is a string cell, never a formula, and carries no visible guard:
    # the cell shows what was stored (after the one sanitiser).
    book = openpyxl.load_workbook(result.folder / f"{export.folder_name(DAY, DAY)}.xlsx")
    audit_sheet = book["操作日志"]
    cells = [audit_sheet.cell(row=r, column=4) for r in range(2, audit_sheet.max_row + 1)]
    assert all(c.data_type == "s" for c in cells)
    assert {c.value for c in cells} >= {printable(t) for t in NASTY}
    sheet = book["电话记录与回电"]
    what_column = [c.value for c in sheet[1]].index("事项") + 1
    values = [sheet.cell(row=r, column=what_column) for r in range(2, sheet.max_row + 1)]
    assert all(cell.data_type == "s" for cell in values)
    assert {c.value for c in values} >= set(stored)


def test_workbook_is_typed_with_summary_frozen_headers_and_widths(busy, db, clock, tmp_path):
    result = _export(db, clock, tmp_path, formats=["xlsx"])
    [(path, size)] = [f for f in result.files if f[0].suffix == ".xlsx"]
    assert size == path.stat().st_size
    book = openpyxl.load_workbook(path)
    assert book.sheetnames[0] == "汇总"
    assert set(book.sheetnames) >= {"来电记录", "电话记录与回电", "钱箱开启记录", "操作日志"}
    sheet = book["汇总"]
    assert sheet["A1"].value.startswith("前台工作日志") and sheet.freeze_panes == "A3"
    assert [c.value for c in sheet[2]] == ["项目", "数量", "金额（元）", "比例", "说明", "代码"]
    summary = {sheet.cell(row=r, column=1).value: sheet.cell(row=r, column=2).value
               for r in range(3, sheet.max_row + 1)}
    assert summary["未接来电"] == 1 and summary["访客登记"] == 0        # counts are numbers
    calls = book["来电记录"]
    assert calls.freeze_panes == "A2"
    assert isinstance(calls["B2"].value, datetime) and calls["B2"].value == datetime(2026, 11, 23, 0, 30)
    assert calls["B2"].is_date
    assert isinstance(calls["A2"].value, (int, float)) and calls["A2"].value == busy["calls"][0]
    assert calls.column_dimensions["B"].width >= 20


def _pdf_text(path: Path) -> str:
    """Text of a PDF via poppler's pdftotext.

    pypdf 7.1 reads fpdf2's CID-keyed CFF fonts (Noto CJK as .otf) byte by byte, because fpdf2 writes
    an embedded /Encoding CMap that pypdf does not parse; pdftotext follows the spec. pypdf still
    checks the document structure below.
    """
    import subprocess
    out = subprocess.run(["pdftotext", "-enc", "UTF-8", str(path), "-"], capture_output=True, check=True)
    return out.stdout.decode("utf-8")


def test_english_titles_and_pdf_text_in_both_languages(busy, db, clock, tmp_path):
    (tmp_path / "en").mkdir()
    en = _export(db, clock, tmp_path / "en", lang="en")
    assert _csv(en.folder / "calls.csv")[0][:2] == ["Call", "Started"]
    book = openpyxl.load_workbook(next(p for p, _ in en.files if p.suffix == ".xlsx"))
    assert book.sheetnames[:3] == ["Summary", "Visitors", "Calls"]
    pdf_en = next(p for p, _ in en.files if p.suffix == ".pdf")
    reader = PdfReader(pdf_en)
    assert len(reader.pages) >= 1 and reader.metadata.title == "Front desk daily log"
    assert "/MPDFAA+NotoSansCJKSC" in str(reader.pages[0]["/Resources"]["/Font"]["/F1"].get_object()["/BaseFont"]) \
        or "NotoSansCJKSC" in str(reader.pages[0]["/Resources"]["/Font"]["/F1"].get_object()["/BaseFont"])
    text_en = _pdf_text(pdf_en)
    for phrase in ("Front desk daily log", "Calls per hour", "Missed calls", "Visitors"):
        assert phrase in text_en, phrase
    (tmp_path / "zh").mkdir()
    zh = _export(db, clock, tmp_path / "zh", lang="zh_CN")
    text_zh = _pdf_text(next(p for p, _ in zh.files if p.suffix == ".pdf")).replace(" ", "").replace("\n", "")
    for phrase in ("前台工作日志", "未接来电", "每小时来电", "来电记录", "访客登记"):
        assert phrase in text_zh, phrase


def test_manifest_is_last_and_lists_every_file_and_missing_log(busy, db, clock, tmp_path):
    result = _export(db, clock, tmp_path)
    manifest_path, _ = result.files[-1]
    assert manifest_path.name == "manifest.json"
    manifest = json.loads(manifest_path.read_text("utf-8"))
    assert manifest["complete"] is True
    names = {f["name"] for f in manifest["files"]}
    assert names == {p.name for p, _ in result.files[:-1]}
    for entry in manifest["files"]:
        assert (result.folder / entry["name"]).stat().st_size == entry["bytes"]
    missing = {m["name"] for m in manifest["missing_logs"]}
    assert not missing, "every log's tables have landed; none is listed as missing"
    assert not list(result.folder.glob("*.partial")) and not list(result.folder.glob(".*partial"))


def test_progress_reports_fractions_up_to_one(busy, db, clock, tmp_path):
    seen = []
    _export(db, clock, tmp_path, progress=lambda f, step: seen.append((f, step)))
    fractions = [f for f, _ in seen]
    assert fractions == sorted(fractions) and fractions[0] == 0.0 and fractions[-1] == 1.0
    steps = {s.split(":")[0] for _, s in seen}
    assert {"read", "csv", "xlsx", "pdf", "manifest"} <= steps


def test_stick_pulled_mid_export_raises_and_leaves_no_complete_looking_file(busy, db, clock, tmp_path, monkeypatch):
    import kiosk.reports.xlsx_out as xlsx_mod

    real = xlsx_mod.write_xlsx

    def pulled(path, *args, **kwargs):
        real(path, *args, **kwargs)            # the temp file is there, then the stick goes
        raise OSError(5, "Input/output error")

    monkeypatch.setattr(xlsx_mod, "write_xlsx", pulled)
    with pytest.raises(ExportError, match="USB stick"):
        _export(db, clock, tmp_path)
    # Outside test (issue 19): nothing of a failed export is left, not even the CSVs written before it
    # failed (a manager could copy summary.csv to finance with no sign it belongs to a failed export).
    assert [p for p in tmp_path.iterdir() if not p.name.startswith("kiosk.db")] == []


def test_destination_removed_mid_export(busy, db, clock, tmp_path):
    import shutil

    stick = tmp_path / "stick"
    stick.mkdir()

    def pull(fraction, step):
        if step == "csv:call_notes":
            shutil.rmtree(stick)

    with pytest.raises(ExportError):
        _export(db, clock, stick, progress=pull)
    assert not stick.exists()


def test_a_failed_rerun_leaves_the_earlier_complete_export_whole(busy, db, clock, tmp_path, monkeypatch):
    import json
    first = _export(db, clock, tmp_path)
    before = {p.name: p.read_bytes() for p in first.folder.iterdir()}
    import kiosk.reports.pdf_out as pdf_mod

    monkeypatch.setattr(pdf_mod, "write_pdf", lambda *a, **k: (_ for _ in ()).throw(OSError(28, "No space left")))
    with pytest.raises(ExportError, match="free some space") as failed:
        _export(db, clock, tmp_path)
    assert "USB stick removed" not in str(failed.value) and "U 盘" in failed.value.message("zh_CN")
    exports = lambda: sorted(p.name for p in tmp_path.iterdir() if not p.name.startswith("kiosk.db"))  # noqa: E731
    assert exports() == [first.folder.name], "no work folder left behind"
    assert {p.name: p.read_bytes() for p in first.folder.iterdir()} == before
    manifest = json.loads((first.folder / "manifest.json").read_text("utf-8"))
    assert {f["name"] for f in manifest["files"]} == set(before) - {"manifest.json"}
    monkeypatch.undo()
    again = _export(db, clock, tmp_path)                       # a good rerun replaces it whole
    assert again.folder == first.folder and (again.folder / "manifest.json").exists()
    assert exports() == [first.folder.name]


def test_bad_destination_and_formats_are_clear(db, clock, tmp_path):
    with pytest.raises(ExportError, match="does not exist"):
        _export(db, clock, tmp_path / "nope")
    with pytest.raises(ExportError, match="unknown format"):
        export.parse_formats("csv,docx")
    assert export.parse_formats("PDF, csv") == ("pdf", "csv")


def test_missing_logs_are_reported_not_faked(db):
    ready, missing = export_logs.split_available(db)
    tables = export_logs.existing_tables(db)
    for log in ready:
        assert set(log.tables) <= tables
    for pending in missing:
        assert not set(pending.tables) <= tables or pending.name not in {l.name for l in export_logs.LOGS}
    assert {l.name for l in ready} >= {"calls", "call_notes", "audit"}


def test_a_day_after_today_is_refused_not_exported_empty(db, clock, tmp_path):
    """Outside test (issue 19): `kiosk export --date <tomorrow>` wrote an empty export and exited 0."""
    today = clock.now().astimezone(__import__("zoneinfo").ZoneInfo(TZ)).date()
    from datetime import timedelta
    with pytest.raises(ExportError) as refused:
        _export(db, clock, tmp_path, first=today + timedelta(days=1), last=today + timedelta(days=1))
    assert "还没有任何记录" in refused.value.message("zh_CN")
    assert list(tmp_path.glob("kiosk-export*")) == []
    assert _export(db, clock, tmp_path, first=today, last=today).folder.exists()   # today itself is fine
