"""Issue 19 item 4 (a month in <= 10 s): the export's fast paths give what the careful ones give.

Each shortcut taken for speed is checked against the long way on real files and a real database: the
collector paused only while an export runs (and restored whatever happens), the summary's per-hour counts
by UTC minute across a DST change, the workbook engine fed column by column (numbers in text columns, an
over-long cell), CSV text columns passed through untouched only when no cell may start a formula, and the
per-day table built from the summary's one read of the calls.
"""
from __future__ import annotations

import csv
import gc
import io
import threading
from datetime import date, datetime, timedelta, timezone
from zoneinfo import ZoneInfo

import openpyxl
import pytest
from hypothesis import given, settings, strategies as st

from kiosk.core.audit import Actor
from kiosk.core.clock import parse_iso, utc_iso
from kiosk.demo import seed
from kiosk.reports import csv_out, export, per_day, summary, xlsx_out
from kiosk.reports.files import ExportError
from kiosk.reports.logs import DATETIME, INT, MONEY

MANAGER = Actor("经理", None, "manager")
TZ = "Asia/Shanghai"


@pytest.fixture
def seeded(db, clock):
    """Two days of a small site, written by the demo seeder through the services."""
    clock.set(datetime(2026, 11, 23, 2, 0, tzinfo=timezone.utc))
    seed.seed(db, clock, days=2, tz_name=TZ, visitors=40, calls=15, sales=10, end_day=date(2026, 11, 22))
    return db


def test_the_collector_is_paused_while_an_export_runs_and_restored_after(seeded, clock, tmp_path):
    seen = []
    export.run_export(seeded, clock, first=date(2026, 11, 21), last=date(2026, 11, 22), tz_name=TZ,
                      destination=tmp_path, actor=MANAGER, progress=lambda f, step: seen.append(gc.isenabled()))
    assert seen and not any(seen), "the cyclic collector ran during the export"
    assert gc.isenabled(), "the collector was left off after the export"


def test_a_failed_export_restores_the_collector_and_one_already_off_stays_off(seeded, clock, tmp_path):
    def fail(fraction, step):
        if step.startswith("csv:"):
            raise OSError(5, "Input/output error")

    with pytest.raises((ExportError, OSError)):
        export.run_export(seeded, clock, first=date(2026, 11, 22), last=date(2026, 11, 22), tz_name=TZ,
                          destination=tmp_path, actor=MANAGER, progress=fail)
    assert gc.isenabled()
    gc.disable()
    try:
        export.run_export(seeded, clock, first=date(2026, 11, 22), last=date(2026, 11, 22), tz_name=TZ,
                          destination=tmp_path, actor=MANAGER)
        assert not gc.isenabled(), "an export turned on a collector its caller had turned off"
    finally:
        gc.enable()


def test_two_exports_at_once_leave_the_collector_on_when_both_are_done(seeded, db_path, clock, tmp_path):
    """Threads overlap: the first to finish must not turn the collector back on under the other's feet
    (nor leave it off once both are done)."""
    from kiosk.core import db as db_mod
    inside = threading.Event()
    release = threading.Event()
    states = []

    def slow(fraction, step):
        if step.startswith("csv:"):
            inside.set()
            release.wait(60)

    def other() -> None:
        conn = db_mod.connect(db_path)
        try:
            export.run_export(conn, clock, first=date(2026, 11, 22), last=date(2026, 11, 22), tz_name=TZ,
                              destination=tmp_path / "a", actor=MANAGER, progress=slow)
        finally:
            conn.close()
    (tmp_path / "a").mkdir()
    (tmp_path / "b").mkdir()
    worker = threading.Thread(target=other)
    worker.start()
    assert inside.wait(120)
    export.run_export(seeded, clock, first=date(2026, 11, 21), last=date(2026, 11, 21), tz_name=TZ,
                      destination=tmp_path / "b", actor=MANAGER)
    states.append(gc.isenabled())       # the other export is still inside its CSV files
    release.set()
    worker.join(120)
    assert states == [False] and gc.isenabled()


def _per_hour_slowly(times, tz):
    hours = [0] * 24
    for text in times:
        hours[parse_iso(text).astimezone(tz).hour] += 1
    return hours


@settings(max_examples=150, deadline=2000)
@given(seconds=st.lists(st.integers(0, 3 * 86400), min_size=1, max_size=60),
       form=st.sampled_from(["utc", "naive", "shanghai", "micro"]), zone=st.sampled_from(["Europe/London", TZ]))
def test_visitors_per_hour_by_utc_minute_equal_a_full_parse_across_a_dst_change(seconds, form, zone):
    base = datetime(2026, 10, 24, 22, 59, 30, tzinfo=timezone.utc)   # London leaves summer time on the 25th
    moments = [base + timedelta(seconds=s) for s in seconds]
    texts = {"utc": [utc_iso(m) for m in moments],
             "naive": [m.replace(tzinfo=None).isoformat() for m in moments],
             "shanghai": [m.astimezone(ZoneInfo(TZ)).isoformat() for m in moments],
             "micro": [(m + timedelta(microseconds=123)).isoformat() for m in moments]}[form]
    tz = ZoneInfo(zone)
    assert summary._per_hour(texts, tz) == _per_hour_slowly(texts, tz)


def _rust_book(path, sheet):
    sheet.headers = xlsx_out._unique(sheet.headers)
    sheet.widths = xlsx_out._widths(sheet)
    xlsx_out._write_rust(path, [sheet], None)
    return openpyxl.load_workbook(path).worksheets[0]


def test_the_engine_fed_by_column_types_every_cell_as_written(tmp_path):
    long_note = "很长的备注" * 7000                       # 35,000 characters: over Excel's cell limit
    moment = datetime(2026, 11, 22, 8, 30, 5)
    rows = [(1, moment, 1999, "=1+1", 17, None), (2, None, None, "+86 138 0013 8000", None, long_note),
            (3, moment + timedelta(hours=1), -1, "", 0, "王芳")]
    sheet = xlsx_out.Sheet("Log", ["No.", "Time", "Amount", "Text", "Record", "Notes"],
                           [INT, DATETIME, MONEY, "text", "text", "text"], rows,
                           cols=[list(c) for c in zip(*rows)])
    ws = _rust_book(tmp_path / "by_column.xlsx", sheet)
    got = list(ws.iter_rows(min_row=2, values_only=True))
    assert got[0][:5] == (1, moment, 19.99, "=1+1", 17) and ws["D2"].data_type == "s"
    assert got[1][0] == 2 and got[1][1] in (None, "") and got[1][3] == "+86 138 0013 8000"
    assert len(got[1][5]) == xlsx_out.EXCEL_TEXT_LIMIT and got[1][5].endswith("…")
    assert got[2][2] == -0.01 and got[2][4] == 0 and got[2][5] == "王芳"
    assert ws["B2"].is_date and ws["C2"].number_format == xlsx_out.MONEY_FORMAT


@settings(max_examples=100, deadline=2000)
@given(cells=st.lists(st.one_of(st.none(), st.integers(-5, 10**6),
                                st.text(alphabet=st.sampled_from("=+-@ \u3000＝a王1.\n"), max_size=6)),
                      min_size=1, max_size=30))
def test_csv_text_columns_are_guarded_cell_by_cell_whatever_the_mix(tmp_path_factory, cells):
    """A column passes untouched only when no cell may start a formula; a number among the texts (a record
    id) or one formula-looking cell anywhere sends the column the careful way."""
    path = tmp_path_factory.mktemp("csv") / "t.csv"
    csv_out.write_rows(path, ["t"], ["text"], [(c,) for c in cells])
    back = [r[0] if r else "" for r in csv.reader(io.StringIO(path.read_text(encoding="utf-8-sig")))][1:]
    expected = ["" if c is None else str(c) if not isinstance(c, str) else
                ("'" + c if export_guard(c) else c) for c in cells]
    assert back == expected


def export_guard(text: str) -> bool:
    from kiosk.reports.files import is_formula
    return is_formula(text)


def test_the_per_day_table_from_the_summarys_calls_is_the_one_it_reads_itself(seeded, clock):
    from kiosk.phone import calllog
    first, last = date(2026, 11, 21), date(2026, 11, 22)
    start, end = summary.range_bounds(first, last, TZ)
    calls = calllog.calls_between(seeded, start, end)
    assert len(calls) >= 20
    assert per_day.build(seeded, first, last, TZ, calls=calls) == per_day.build(seeded, first, last, TZ)
    built = summary.build(seeded, clock, first, last, TZ)
    assert built.per_day == per_day.build(seeded, first, last, TZ)
    assert built.calls == calllog.figures(seeded, clock, start, end)
    assert sum(d.calls for d in built.per_day.rows) == len([c for c in calls if c.outcome != "ringing"])


@pytest.mark.skipif(__import__("shutil").which("pdftotext") is None, reason="needs pdftotext (poppler-utils)")
def test_a_pdf_alone_reads_the_first_rows_and_counts_them_all(seeded, clock, tmp_path):
    """A PDF alone reads each log's first rows and counts the rest: its counts, its sample rows and the
    manifest are those of a full export of the same days."""
    import json
    import subprocess
    first, last = date(2026, 11, 21), date(2026, 11, 22)
    (tmp_path / "all").mkdir()
    (tmp_path / "pdf").mkdir()
    full = export.run_export(seeded, clock, first=first, last=last, tz_name=TZ, destination=tmp_path / "all",
                             actor=MANAGER)
    alone = export.run_export(seeded, clock, first=first, last=last, tz_name=TZ, destination=tmp_path / "pdf",
                              formats=("pdf",), actor=MANAGER)
    assert alone.rows == full.rows and full.rows["visitors"] == 80 and full.rows["audit"] > 20
    manifest = json.loads((alone.folder / "manifest.json").read_text("utf-8"))
    assert manifest["rows"] == full.rows and [f["name"] for f in manifest["files"]] == [alone.folder.name + ".pdf"]

    def text(folder):
        pdf = folder / f"{folder.name}.pdf"
        return subprocess.run(["pdftotext", "-layout", str(pdf), "-"], capture_output=True, text=True,
                              check=True).stdout
    a, b = text(full.folder), text(alone.folder)
    assert "仅列出前20行（共80行）" in "".join(a.split()), "the visitors' count is all 80 rows, not the sample's"
    assert a == b, "the PDF of a PDF-alone export differs from the full export's"
