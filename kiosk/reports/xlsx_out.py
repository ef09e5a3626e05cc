"""One workbook: a summary sheet, a per-day sheet for a range, then a sheet per log, every cell typed.

Dates are real Excel dates, money a number in yuan with a currency format, counts numbers, shares a
percentage, and text a string cell: a string cell is never evaluated, so phone numbers (+86…) and
formula-looking text are written as they are, with no visible guard (CSV is where a guard is needed;
see kiosk.reports.files.neutralise). Every code value appears in the reader's language with the raw
code in the next column (kiosk.reports.codes).

The sheets are described once (:class:`Sheet`) and written by one of two engines: rustpy-xlsxwriter
(Rust's rust_xlsxwriter; a month of a busy site in about a sixth of xlsxwriter's time, measured in
bench/xlsx_engines.py) or, where that wheel is not installed, xlsxwriter in constant-memory mode.
Both write the same cells; tests read both back with openpyxl.
"""
from __future__ import annotations

import importlib.util
import os
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Iterable

from kiosk.core.i18n import gettext as _
from kiosk.reports.logs import DATETIME, INT, MONEY

MAX_WIDTH = 60
SAMPLE_ROWS = 300
EXCEL_TEXT_LIMIT = 32_767   # characters in one cell; longer text is cut with an ellipsis (CSV keeps it whole)
MONEY_FORMAT = '"¥"#,##0.00;-"¥"#,##0.00'
DATETIME_FORMAT = "yyyy-mm-dd hh:mm:ss"
DATE_FORMAT = "yyyy-mm-dd"
SHARE_FORMAT = "0%"
DATE, SHARE, TEXT = "date", "share", "text"
Progress = Callable[[float, str], None]


@dataclass
class Sheet:
    """One worksheet: headers, a kind per column (text/int/money_fen/datetime/date/share), rows."""

    name: str
    headers: list[str]
    kinds: list[str]
    rows: list
    title: str = ""                                   # a line above the header (the summary sheet)
    widths: list[float] = field(default_factory=list)
    cols: list | None = None                          # the same cells by column, when the caller has them


def _width(text: str) -> float:
    # CJK characters take two columns in Excel's default font.
    return sum(2 if ord(ch) > 0x2E80 else 1 for ch in text[:MAX_WIDTH])


def _widths(sheet: Sheet) -> list[float]:
    widths = [_width(h) + 2 for h in sheet.headers]
    for i, kind in enumerate(sheet.kinds):
        if kind == DATETIME:
            widths[i] = max(widths[i], 20)
        elif kind in (MONEY, INT, DATE, SHARE):
            widths[i] = max(widths[i], 12)
    for row in sheet.rows[:SAMPLE_ROWS]:
        for i, (kind, value) in enumerate(zip(sheet.kinds, row)):
            if kind == TEXT and value:
                widths[i] = max(widths[i], min(_width(str(value)) + 2, MAX_WIDTH))   # str: a number in a text column
    return [min(w, MAX_WIDTH) for w in widths]


def _unique(headers: list[str]) -> list[str]:
    """Header texts made unique (the Rust engine keys cells by header)."""
    seen: dict[str, int] = {}
    out = []
    for header in headers:
        n = seen.get(header, 0)
        seen[header] = n + 1
        out.append(header if n == 0 else f"{header} ({n + 1})")
    return out


def _sheet_names(names: Iterable[str]) -> list[str]:
    """Excel's rules: at most 31 characters, none of []:*?/\\, unique regardless of case."""
    out, used = [], set()
    for name in names:
        clean = "".join("_" if ch in "[]:*?/\\" else ch for ch in name)[:31] or "Sheet"
        candidate, n = clean, 1
        while candidate.lower() in used:
            n += 1
            candidate = f"{clean[:27]} ({n})"
        used.add(candidate.lower())
        out.append(candidate)
    return out


def sheets(data: list, summary, missing: list, lang: str) -> list[Sheet]:
    """Describe the workbook: summary, per day (ranges), one sheet per log."""
    from kiosk.reports.summary import figures, zone_name
    heading = f"{_('Front desk daily log', lang)} · {summary.label} ({zone_name(summary.tz, lang)})"
    rows = []
    for fig in figures(summary, lang):
        note = fig.text or (_("not available yet", lang) if fig.missing else "")
        rows.append([fig.label, fig.count, fig.fen, fig.share, note, fig.code])
    for item in data:
        rows.append([item.log.title(lang), getattr(item, "count", len(item.rows)), None, None, _("rows", lang),
                     item.log.name])
    for pending in missing:
        rows.append([pending.title(lang), None, None, None, _("not available yet", lang), pending.name])
    out = [Sheet(_("Summary", lang), [_("Figure", lang), _("Count", lang), _("Amount (yuan)", lang),
                                      _("Share", lang), _("Remark", lang), _("Code", lang)],
                 [TEXT, INT, MONEY, SHARE, TEXT, TEXT], rows, title=heading)]
    per_day = getattr(summary, "per_day", None)
    if per_day is not None:
        out.append(per_day_sheet(per_day, lang))
    for item in data:
        out.append(Sheet(item.log.title(lang), [col.title(lang) for col in item.columns],
                         [col.kind if col.kind in (DATETIME, MONEY, INT) else TEXT for col in item.columns],
                         item.rows, cols=item.by_column()))
    return out


def per_day_sheet(per_day, lang: str) -> Sheet:
    """Local days as rows: visitors, calls (answered, missed), takings by method and in total, lost items."""
    from kiosk.reports import codes
    headers = [_("Day", lang), _("Visitors", lang), _("Calls", lang), _("Answered", lang), _("Missed calls", lang)]
    headers += [_("Payment: {method}", lang).format(method=codes.label("method", m, lang)) for m in per_day.methods]
    headers += [_("Takings", lang), _("Lost items received", lang)]
    kinds = [DATE, INT, INT, INT, INT] + [MONEY] * len(per_day.methods) + [MONEY, INT]
    rows = []
    for day in per_day.rows:
        takings = day.takings
        rows.append([day.day, day.visitors, day.calls, day.answered, day.missed]
                    + [None if takings is None else takings.get(m, 0) for m in per_day.methods]
                    + [day.takings_fen, day.lost_received])
    return Sheet(_("Per day", lang), headers, kinds, rows)


def engine_name() -> str:
    """'rustpy-xlsxwriter' when its wheel is installed, else 'xlsxwriter'."""
    return "rustpy-xlsxwriter" if importlib.util.find_spec("rustpy_xlsxwriter") else "xlsxwriter"


def write_xlsx(path: Path, data: list, summary, missing: list, lang: str, progress: Progress | None = None,
               engine: str | None = None) -> None:
    """Write the workbook to path (a temp name; the caller renames it)."""
    book = sheets(data, summary, missing, lang)
    for sheet, name in zip(book, _sheet_names(s.name for s in book)):
        sheet.name = name
        sheet.headers = _unique(sheet.headers)
        sheet.widths = _widths(sheet)
    engine = engine or engine_name()
    if engine == "rustpy-xlsxwriter":
        _write_rust(path, book, progress)
    else:
        _write_xlsxwriter(path, book, progress)


def _text(value: str) -> str:
    return value if len(value) <= EXCEL_TEXT_LIMIT else value[:EXCEL_TEXT_LIMIT - 1] + "…"


def _engine_column(kind: str, values) -> list:
    """One column as the engine writes it: money in yuan (a double holds any till's takings to the cent),
    text within Excel's cell limit, the rest as it is."""
    if kind == MONEY:
        return [None if v is None else v / 100 for v in values]
    if kind == TEXT:
        # One C pass finds the longest cell; only a column holding an over-long one is walked in Python.
        try:
            if len(max(filter(None, values), key=len, default="")) <= EXCEL_TEXT_LIMIT:
                return values
        except TypeError:   # a number in a text column (a record id): the engine writes it as it is
            pass
        return [v if v.__class__ is not str or len(v) <= EXCEL_TEXT_LIMIT else _text(v) for v in values]
    return values


class _Kind:
    """A column's dtype as the engine asks for it: 'O' (object) makes it type each cell as the records path does."""

    kind = "O"


class _ColumnFrame:
    """One sheet's cells column by column, in the shape rustpy-xlsxwriter reads a pandas DataFrame in:
    ``columns``, ``dtypes`` (each with a ``kind``), ``frame[name].tolist()`` and ``len(frame)``.

    The engine then takes each column's list once and writes row by row from them, typing every cell as it
    does a record's values (int and float as numbers, datetime as a date, str as text, None as an empty
    cell). Handing it a dict per row instead cost 333,000 dicts for a month (0.4 s holding the GIL) and the
    engine's per-row dict walk (bench/export_bench.py)."""

    def __init__(self, keys: list[str], columns: list[list]) -> None:
        self.columns = list(keys)
        self.dtypes = [_Kind()] * len(keys)
        self._by_key = dict(zip(keys, columns))
        self._len = len(columns[0]) if columns else 0

    def __getitem__(self, key: str) -> "_ColumnFrame._Column":
        return self._Column(self._by_key[key])

    def __len__(self) -> int:
        return self._len

    class _Column:
        def __init__(self, values) -> None:
            self._values = values

        def tolist(self) -> list:
            values = self._values
            return values if values.__class__ is list else list(values)


def _write_rust(path: Path, book: list[Sheet], progress: Progress | None) -> None:
    from rustpy_xlsxwriter import FastExcel, Format

    formats = {MONEY: MONEY_FORMAT, DATETIME: DATETIME_FORMAT, DATE: DATE_FORMAT, SHARE: SHARE_FORMAT}
    header = Format().set_bold().set_background_color("#DDE7F0").set_border("thin")
    out = FastExcel(str(path))
    for n, sheet in enumerate(book):
        keys = sheet.headers
        if sheet.rows:
            by_column = sheet.cols if sheet.cols is not None else list(zip(*sheet.rows))
            columns = [_engine_column(kind, values) for kind, values in zip(sheet.kinds, by_column)]
            records = _ColumnFrame(keys, columns)
        else:
            records = [dict.fromkeys(keys)]   # the header row alone: an empty log still shows its columns
        column_formats = [Format().set_num_format(formats[k]) if k in formats else None for k in sheet.kinds]
        options = {}
        if sheet.title:
            options = {"header_row": 1, "merge_ranges": [(0, 0, 0, len(keys) - 1, sheet.title)]}
        out.sheet(sheet.name, records, column_formats=column_formats, column_widths=sheet.widths,
                  header_format=header, autofilter=bool(sheet.rows), **options)
        out.freeze(row=(2 if sheet.title else 1), sheet=sheet.name)
        if progress:   # handing a sheet over is quick: the engine writes and compresses every cell in save()
            progress(0.1 * (n + 1) / len(book), sheet.name)
    try:
        out.save()
        if progress:
            progress(1.0, "saved")
    except OSError as exc:
        # The Rust engine raises OSError without an errno ("... (os error 28)"): recover it, so a full or
        # pulled stick reads as what it is on the screen (kiosk.core.errors.os_reason).
        found = re.search(r"os error (\d+)", str(exc))
        if exc.errno is None and found:
            code = int(found.group(1))
            raise OSError(code, os.strerror(code)) from exc
        raise


def _write_xlsxwriter(path: Path, book: list[Sheet], progress: Progress | None) -> None:
    import xlsxwriter

    workbook = xlsxwriter.Workbook(str(path), {"constant_memory": True, "strings_to_formulas": False,
                                               "strings_to_numbers": False, "strings_to_urls": False})
    try:
        bold = workbook.add_format({"bold": True, "bg_color": "#DDE7F0", "border": 1})
        formats = {MONEY: workbook.add_format({"num_format": MONEY_FORMAT}),
                   DATETIME: workbook.add_format({"num_format": DATETIME_FORMAT}),
                   DATE: workbook.add_format({"num_format": DATE_FORMAT}),
                   SHARE: workbook.add_format({"num_format": SHARE_FORMAT})}
        for n, sheet in enumerate(book):
            write_sheet(workbook.add_worksheet(sheet.name), sheet, bold, formats)
            if progress:
                progress((n + 1) / (len(book) + 1), sheet.name)
    finally:
        workbook.close()


def write_sheet(ws, sheet: Sheet, bold, formats: dict) -> None:
    """One sheet through xlsxwriter (constant-memory: widths first, then rows in order)."""
    for i, width in enumerate(sheet.widths or _widths(sheet)):
        ws.set_column(i, i, width)
    top = 0
    if sheet.title:
        ws.write_string(0, 0, sheet.title, bold)
        top = 1
    ws.freeze_panes(top + 1, 0)
    for i, header in enumerate(sheet.headers):
        ws.write_string(top, i, header, bold)
    write_string, write_number, write_datetime = ws.write_string, ws.write_number, ws.write_datetime
    plan = []
    for kind in sheet.kinds:
        if kind in (DATETIME, DATE):
            plan.append((write_datetime, formats[kind], None))
        elif kind == MONEY:
            plan.append((write_number, formats[MONEY], lambda fen: fen / 100))
        elif kind == SHARE:
            plan.append((write_number, formats[SHARE], None))
        elif kind == INT:
            plan.append((write_number, None, None))
        else:
            plan.append((write_string, None, _text))
    for r, row in enumerate(sheet.rows, start=top + 1):
        for c, ((write, fmt, conv), value) in enumerate(zip(plan, row)):
            if value is None:
                continue
            if conv is not None:
                value = conv(value)
            if fmt is None:
                write(r, c, value)
            else:
                write(r, c, value, fmt)
    if sheet.rows:
        ws.autofilter(top, 0, top + len(sheet.rows), len(sheet.headers) - 1)


def _log_sheet(ws, item, lang: str, bold, money, when) -> None:
    """One log's sheet on an xlsxwriter workbook (the monthly complaints report's workbook)."""
    sheet = Sheet(item.log.title(lang), _unique([col.title(lang) for col in item.columns]),
                  [col.kind if col.kind in (DATETIME, MONEY, INT) else TEXT for col in item.columns], item.rows)
    write_sheet(ws, sheet, bold, {MONEY: money, DATETIME: when, DATE: when, SHARE: money})
