"""One workbook: a summary sheet, then a sheet per log with typed cells.

Dates are real Excel dates, money is a number in yuan with a two-decimal format, the header row is
frozen and column widths follow the content. xlsxwriter in constant-memory mode streams rows.
"""
from __future__ import annotations

from pathlib import Path

from kiosk.reports.logs import DATETIME, INT, MONEY
from kiosk.core.i18n import gettext as _

MAX_WIDTH = 60
SAMPLE_ROWS = 300


def _width(text: str) -> float:
    # CJK characters take two columns in Excel's default font.
    return sum(2 if ord(ch) > 0x2E80 else 1 for ch in text)


def write_xlsx(path: Path, data: list, summary, missing: list, lang: str) -> None:
    """Write the workbook to path (a temp name; the caller renames it)."""
    import xlsxwriter

    from kiosk.reports.summary import tiles

    book = xlsxwriter.Workbook(str(path), {"constant_memory": True, "strings_to_formulas": False,
                                           "strings_to_numbers": False, "strings_to_urls": False})
    try:
        bold = book.add_format({"bold": True, "bg_color": "#DDE7F0", "border": 1})
        money = book.add_format({"num_format": "#,##0.00"})
        when = book.add_format({"num_format": "yyyy-mm-dd hh:mm:ss"})
        sheet = book.add_worksheet(_("Summary", lang)[:31])
        sheet.write_string(0, 0, _("Front desk daily log", lang), bold)
        sheet.write_string(0, 1, summary.label, bold)
        sheet.freeze_panes(1, 0)
        row = 1
        for label, value in tiles(summary, lang):
            sheet.write_string(row, 0, label)
            sheet.write_string(row, 1, value)
            row += 1
        for item in data:
            sheet.write_string(row, 0, item.log.title(lang))
            sheet.write_number(row, 1, len(item.rows))
            row += 1
        for pending in missing:
            sheet.write_string(row, 0, pending.title(lang))
            sheet.write_string(row, 1, _("not available yet", lang))
            row += 1
        sheet.set_column(0, 0, 34)
        sheet.set_column(1, 1, 24)
        used = set()
        for item in data:
            name = item.log.title(lang)[:31]
            if name in used:
                name = item.log.name[:31]
            used.add(name)
            _log_sheet(book.add_worksheet(name), item, lang, bold, money, when)
    finally:
        book.close()


def _log_sheet(sheet, item, lang: str, bold, money, when) -> None:
    columns = item.log.columns
    widths = [_width(col.title(lang)) + 2 for col in columns]
    for i, col in enumerate(columns):
        if col.kind == DATETIME:
            widths[i] = max(widths[i], 20)
        elif col.kind in (MONEY, INT):
            widths[i] = max(widths[i], 10)
    for row in item.rows[:SAMPLE_ROWS]:
        for i, (col, value) in enumerate(zip(columns, row)):
            if col.kind not in (DATETIME, MONEY, INT) and value:
                widths[i] = max(widths[i], min(_width(value) + 2, MAX_WIDTH))
    # Widths must be set before rows in constant-memory mode.
    for i, width in enumerate(widths):
        sheet.set_column(i, i, min(width, MAX_WIDTH))
    sheet.freeze_panes(1, 0)
    for i, col in enumerate(columns):
        sheet.write_string(0, i, col.title(lang), bold)
    write_string, write_number, write_datetime = sheet.write_string, sheet.write_number, sheet.write_datetime
    kinds = [col.kind for col in columns]
    for r, row in enumerate(item.rows, start=1):
        for c, (kind, value) in enumerate(zip(kinds, row)):
            if value is None:
                continue
            if kind == DATETIME:
                write_datetime(r, c, value, when)
            elif kind == MONEY:
                write_number(r, c, value / 100, money)  # Excel numbers are doubles; fen/100 is exact to the cent
            elif kind == INT:
                write_number(r, c, value)
            else:
                write_string(r, c, value)
    if item.rows:
        sheet.autofilter(0, 0, len(item.rows), len(columns) - 1)
