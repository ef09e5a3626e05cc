"""The monthly complaints report as files (CSV, XLSX, PDF) and its export record.

Ready from the 1st for the month before; the manager's screen reminds until it is exported, and
says it is late after the report day (the 5th). The workbook holds the figures, the major
complaints and the month's complaints log (with every deadline), so finance and the admin
department read one file.
"""
from __future__ import annotations

from kiosk.core.errors import os_reason

import contextlib
from datetime import timedelta
from pathlib import Path
from zoneinfo import ZoneInfo
from typing import Iterable

import sqlite_utils

from kiosk.complaints import monthly
from kiosk.complaints import rules as R
from kiosk.complaints.monthly import MonthReport
from kiosk.core import audit
from kiosk.core.audit import Actor
from kiosk.core.clock import Clock, utc_iso
from kiosk.core.db import write
from kiosk.core.i18n import gettext as _
from kiosk.core.text import printable
from kiosk.reports.files import ExportError, atomic_path, check_writable, neutralise
from dataclasses import replace as _replace

from kiosk.reports.logs import COMPLAINTS as _ALL_COLUMNS

# The monthly report is statistics: its list of complaints carries no customer and none of their words (the
# daily export, for the desk's own follow-up, has them; the privacy rules cover both).
MONTH_UNLISTED = ("customer_name", "customer_contact", "what", "what_was_done")
COMPLAINTS = _replace(_ALL_COLUMNS, columns=tuple(c for c in _ALL_COLUMNS.columns if c.key not in MONTH_UNLISTED))

FORMATS = ("csv", "xlsx", "pdf")
FOLLOW_UP_LABELS = {"due": "Callback due", "not_required": "No callback needed"}  # msgids


def _pct(share: float | None) -> str:
    return "-" if share is None else f"{share * 100:.1f}%"


def _label(key: str, lang: str) -> str:
    for table in (R.KIND_LABELS, R.CATEGORY_LABELS, R.RESPONSIBILITY_LABELS, R.OUTCOME_LABELS, FOLLOW_UP_LABELS):
        if key in table:
            return _(table[key], lang)
    return _("Open", lang) if key == "open" else key


def sections(report: MonthReport, lang: str) -> list[tuple[str, list[tuple[str, str]]]]:
    """The report as titled sections of (label, value) rows; the screen, CSV, XLSX and PDF all use it."""
    def counts(d: dict[str, int]) -> list[tuple[str, str]]:
        return [(_label(k, lang), str(v)) for k, v in sorted(d.items(), key=lambda kv: (-kv[1], kv[0]))]
    rates = [(_("Started within the deadline", lang), f"{report.start.on_time}/{report.start.due} {_pct(report.start.share)}"),
             (_("Resolved within the deadline", lang),
              f"{report.resolve.on_time}/{report.resolve.due} {_pct(report.resolve.share)}"),
             (_("Called back within the deadline", lang),
              f"{report.callback.on_time}/{report.callback.due} {_pct(report.callback.share)}"),
             (_("Assisted complaints called back", lang),
              f"{report.assisted_called_back}/{report.assisted_resolved} {_pct(report.assisted_share)}"
              f" ({_('target', lang)} {_pct(report.assisted_target)})")]
    majors = [(c.ref, f"{_(R.MAJOR_LABELS.get(c.major_reason or '', 'Major'), lang)}"
                      f" · {_label(c.outcome or 'open', lang)}") for c in report.majors]
    return [(_("Totals", lang), [(_("Complaints and requests", lang), str(report.total))] + counts(report.by_kind)),
            (_("By category", lang), counts(report.by_category)),
            (_("By responsibility", lang), counts(report.by_responsibility)),
            (_("By outcome", lang), counts(report.by_outcome)),
            (_("Follow-up", lang), counts(report.by_follow_up)),
            (_("On time", lang), rates),
            (_("Major complaints", lang), majors or [(_("none", lang), "")])]


def _cell(text: str) -> str:
    return neutralise(printable(text, multiline=False))


def export_month(db: sqlite_utils.Database, clock: Clock, actor: Actor, tz: str, *, year: int, month: int,
                 destination: Path, formats: Iterable[str] = FORMATS, lang: str = "zh_CN",
                 site_name: str = "") -> list[Path]:
    """Write the month's report into destination/kiosk-complaints-YYYY-MM and record the export."""
    if actor.role not in ("manager", "system"):  # a manager, or the configured export key (scheduled run)
        raise ExportError("a manager must approve the export", field="manager")
    formats = tuple(dict.fromkeys(f.strip().lower() for f in formats))
    if not formats or any(f not in FORMATS for f in formats):
        raise ExportError("unknown format {names}; choose from {choices}", field="formats",
                          names=", ".join(formats) or "(none)", choices=", ".join(FORMATS))
    start, end = monthly.month_bounds(year, month, tz)
    if clock.now() < end:
        raise ExportError("that month is not over yet", field="month")
    destination = Path(destination)
    check_writable(destination)
    report = monthly.build(db, clock, year, month, tz)
    parts = sections(report, lang)
    stem = f"kiosk-complaints-{report.label}"
    folder = destination / stem
    try:
        folder.mkdir(mode=0o700, exist_ok=True)
        with contextlib.suppress(OSError):  # owner only whatever the umask (FAT sticks have no modes)
            folder.chmod(0o700)
    except OSError as exc:
        raise ExportError("cannot create {folder}: {reason}", folder=str(folder), reason=os_reason(exc)) from exc
    from kiosk.reports.export import collect
    log = collect(db, [COMPLAINTS], start, end, tz, lang)[0]
    written: list[Path] = []
    if "csv" in formats:
        import csv
        target = folder / f"{stem}.csv"
        with atomic_path(target) as tmp:
            with open(tmp, "w", encoding="utf-8-sig", newline="") as fh:
                out = csv.writer(fh)
                out.writerow([_("Section", lang), _("Figure", lang), _("Value", lang)])
                for title, rows in parts:
                    for label, value in rows:
                        out.writerow([_cell(title), _cell(label), _cell(value)])
        written.append(target)
    if "xlsx" in formats:
        target = folder / f"{stem}.xlsx"
        with atomic_path(target) as tmp:
            _xlsx(tmp, report, parts, log, lang)
        written.append(target)
    if "pdf" in formats:
        target = folder / f"{stem}.pdf"
        with atomic_path(target) as tmp:
            _pdf(tmp, report, parts, lang, site_name)
        written.append(target)
    with write(db):
        export_id = db.execute("INSERT INTO complaint_report_exports (at, month, folder, actor_id, actor)"
                               " VALUES (?, ?, ?, ?, ?)", (utc_iso(clock.now()), report.label, str(folder),
                                                           actor.id, actor.name)).lastrowid
        audit.record(db, clock, actor, "complaint.report_export", "complaint_report_exports", export_id, None,
                     {"month": report.label, "first_day": str(start.astimezone(ZoneInfo(tz)).date()),
                      "last_day": str((end.astimezone(ZoneInfo(tz)) - timedelta(seconds=1)).date()),
                      "formats": list(formats), "destination": str(folder), "files": [p.name for p in written],
                      "rows": {"complaints": len(log.rows)}})
    return written


def _xlsx(path: Path, report: MonthReport, parts, log, lang: str) -> None:
    import xlsxwriter

    from kiosk.reports.xlsx_out import _log_sheet
    book = xlsxwriter.Workbook(str(path), {"constant_memory": True, "strings_to_formulas": False,
                                           "strings_to_numbers": False, "strings_to_urls": False})
    try:
        bold = book.add_format({"bold": True, "bg_color": "#DDE7F0", "border": 1})
        sheet = book.add_worksheet(_("Monthly report", lang)[:31])
        sheet.set_column(0, 0, 36)
        sheet.set_column(1, 1, 40)
        sheet.write_string(0, 0, _("Complaints monthly report", lang), bold)
        sheet.write_string(0, 1, report.label, bold)
        row = 2
        for title, rows in parts:
            sheet.write_string(row, 0, _cell(title), bold)
            row += 1
            for label, value in rows:
                sheet.write_string(row, 0, _cell(label))
                if value.isdigit():
                    sheet.write_number(row, 1, int(value))
                else:
                    sheet.write_string(row, 1, _cell(value))
                row += 1
            row += 1
        _log_sheet(book.add_worksheet(COMPLAINTS.title(lang)[:31]), log, lang, bold,
                   book.add_format({"num_format": "#,##0.00"}), book.add_format({"num_format": "yyyy-mm-dd hh:mm:ss"}))
    finally:
        book.close()


def _pdf(path: Path, report: MonthReport, parts, lang: str, site_name: str) -> None:
    from fpdf import FPDF

    from kiosk.core.fonts import sc_font_path
    pdf = FPDF(orientation="P", unit="mm", format="A4")
    pdf.set_auto_page_break(True, margin=15)
    from kiosk.reports.pdf_out import add_sc_font
    add_sc_font(pdf, str(sc_font_path()))
    pdf.add_page()
    pdf.set_font("sc", size=16)
    pdf.cell(0, 10, _("Complaints monthly report", lang) + f" {report.label}" + (f" · {site_name}" if site_name else ""),
             new_x="LMARGIN", new_y="NEXT")
    for title, rows in parts:
        pdf.set_font("sc", size=12)
        pdf.cell(0, 8, printable(title, multiline=False), new_x="LMARGIN", new_y="NEXT")
        pdf.set_font("sc", size=10)
        for label, value in rows:
            pdf.cell(90, 6, printable(label, multiline=False)[:60])
            pdf.cell(0, 6, printable(value, multiline=False)[:80], new_x="LMARGIN", new_y="NEXT")
        pdf.ln(2)
    pdf.output(str(path))
