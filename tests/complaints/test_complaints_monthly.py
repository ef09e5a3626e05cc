"""The monthly report: figures, on-time rates, majors, the reminder until exported by the 5th, and the
files read back (XLSX with openpyxl, CSV, PDF text)."""
from __future__ import annotations

import csv
import subprocess

import openpyxl
import pytest
from click.testing import CliRunner

from kiosk.complaints import monthly, service
from kiosk.core.audit import Actor
from kiosk.reports.complaints_month import export_month
from kiosk.reports.files import ExportError
from tests.complaints.common import SH, STAFF, TZ, set_local

MANAGER = Actor("Zhou Min", None, "manager")


@pytest.fixture
def november(db, clock):
    """November 2026: one on time, one late, one assisted, one major, one request left open."""
    set_local(clock, 2026, 11, 2, 10)
    a = service.take(db, clock, STAFF, TZ, kind="complaint", category="noise", responsibility="company",
                     what="噪音", customer_name="甲", customer_contact="1")
    service.start(db, clock, STAFF, a)
    clock.advance(1800)
    service.resolve(db, clock, STAFF, TZ, a, "resolved", "已处理")
    service.record_callback(db, clock, STAFF, a, "satisfied")
    set_local(clock, 2026, 11, 3, 10)
    b = service.take(db, clock, STAFF, TZ, kind="complaint", category="cleanliness", responsibility="company",
                     what="=1+1 走廊脏", topic="=1+1 走廊")  # the topic reaches the monthly file; the words do not
    clock.advance(3 * 3600)  # started late, resolved late
    service.resolve(db, clock, STAFF, TZ, b, "not_resolved", "待物业")
    set_local(clock, 2026, 11, 4, 10)
    c = service.take(db, clock, STAFF, TZ, kind="complaint", category="other", responsibility="assisted",
                     what="停水")
    service.resolve(db, clock, STAFF, TZ, c, "referred", "已联系水务")
    service.record_callback(db, clock, STAFF, c, "unsatisfied")
    set_local(clock, 2026, 11, 5, 10)
    d = service.take(db, clock, STAFF, TZ, kind="complaint", category="safety", responsibility="company",
                     what="电梯夹伤", major_reason="serious_loss")
    service.decide_major(db, clock, MANAGER, TZ, d, True)
    set_local(clock, 2026, 11, 6, 10)
    service.take(db, clock, STAFF, TZ, kind="request", category="repair", responsibility="company", what="灯坏了")
    set_local(clock, 2026, 12, 1, 9)
    return a, b, c, d


def test_figures_and_rates(db, clock, november):
    r = monthly.build(db, clock, 2026, 11, TZ)
    assert r.total == 5 and r.by_kind == {"complaint": 4, "request": 1}
    assert r.by_responsibility == {"company": 4, "assisted": 1}
    assert r.by_outcome == {"resolved": 1, "not_resolved": 1, "referred": 1, "open": 2}
    # b was "not resolved": no callback is owed until it is really resolved (outside finding w5 1)
    assert r.by_follow_up == {"satisfied": 1, "unsatisfied": 1}
    assert (r.start.on_time, r.start.due) == (2, 5)   # b started 3 h late; the request and the major never started
    assert (r.resolve.on_time, r.resolve.due) == (2, 5)
    assert (r.assisted_resolved, r.assisted_called_back, r.assisted_share) == (1, 1, 1.0)
    assert [c.id for c in r.majors] == [november[3]]


def test_reminder_from_the_first_until_exported_late_after_the_fifth(db, clock, november, tmp_path):
    rem = monthly.reminder(db, clock, TZ)
    assert (rem.year, rem.month, rem.overdue) == (2026, 11, False)
    set_local(clock, 2026, 12, 6, 9)
    assert monthly.reminder(db, clock, TZ).overdue
    with pytest.raises(ExportError):  # this month is not over
        export_month(db, clock, MANAGER, TZ, year=2026, month=12, destination=tmp_path)
    export_month(db, clock, MANAGER, TZ, year=2026, month=11, destination=tmp_path, formats=["csv"])
    assert monthly.reminder(db, clock, TZ) is None


@pytest.mark.parametrize("lang", ["zh_CN", "en"])
def test_files_read_back(db, clock, november, tmp_path, lang):
    files = export_month(db, clock, MANAGER, TZ, year=2026, month=11, destination=tmp_path, lang=lang)
    by_ext = {p.suffix: p for p in files}
    book = openpyxl.load_workbook(by_ext[".xlsx"], read_only=True)
    report, log = (book[name] for name in book.sheetnames)
    cells = {(row[0], row[1]) for row in report.iter_rows(values_only=True) if row and row[0]}
    total = "投诉与报修" if lang == "zh_CN" else "Complaints and requests"
    assert (total, 5) in cells
    noise = "噪音" if lang == "zh_CN" else "Noise"
    assert (noise, 1) in cells
    rows = list(log.iter_rows(values_only=True))
    # A string cell, never a formula, with no visible guard (kiosk.reports.xlsx_out).
    assert len(rows) == 6 and any(str(v).startswith("=1+1") for v in rows[2] if v)
    with open(by_ext[".csv"], encoding="utf-8-sig") as fh:
        assert len(list(csv.reader(fh))) > 10
    # poppler reads fpdf2's embedded CMap (pypdf does not; see tests/reports/test_export_core.py)
    text = subprocess.run(["pdftotext", "-enc", "UTF-8", str(by_ext[".pdf"]), "-"], capture_output=True,
                          check=True).stdout.decode()
    assert ("月度投诉报告" if lang == "zh_CN" else "Complaints monthly report") in text
    assert "2026-11" in text


def test_cli_month_and_export(db_path, db, clock, november, tmp_path, monkeypatch):
    from kiosk.cli.main import main
    runner = CliRunner()
    result = runner.invoke(main, ["complaints", "month", "--month", "2026-11", "--db", str(db_path)])
    assert result.exit_code == 0, result.output
    assert "投诉与报修: 5" in result.output          # in the site's language (the default site: zh_CN)
    english = runner.invoke(main, ["complaints", "month", "--month", "2026-11", "--lang", "en", "--db", str(db_path)])
    assert "Complaints and requests: 5" in english.output, english.output
    bad = runner.invoke(main, ["complaints", "month", "--month", "2026-13", "--db", str(db_path)])
    assert bad.exit_code != 0 and "YYYY-MM" in bad.output


def test_the_monthly_files_name_no_customer_and_quote_none_of_their_words(db, clock, november, tmp_path):
    set_local(clock, 2026, 11, 7, 10)
    service.take(db, clock, STAFF, TZ, kind="complaint", category="noise", responsibility="company",
                 what="1201 的李娜半夜装修", customer_name="欧阳娜娜", customer_contact="13800138000", topic="夜间装修")
    set_local(clock, 2026, 12, 1, 9)
    files = export_month(db, clock, MANAGER, TZ, year=2026, month=11, destination=tmp_path, lang="zh_CN",
                         formats=["csv", "xlsx"])
    by_ext = {p.suffix: p for p in files}
    text = by_ext[".csv"].read_text(encoding="utf-8-sig")
    book = openpyxl.load_workbook(by_ext[".xlsx"], read_only=True)
    cells = " ".join(str(v) for ws in book.worksheets for row in ws.iter_rows(values_only=True) for v in row if v)
    for secret in ("欧阳娜娜", "13800138000", "李娜", "已联系水务"):
        assert secret not in text and secret not in cells, secret
    assert "夜间装修" in cells  # the matter is there: the report still lists what happened
