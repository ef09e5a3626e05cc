"""CSV files: one per log, plus the summary and (for a range) the per-day breakdown.

UTF-8 with BOM (Excel and WPS then read Chinese), header in the chosen language. Money is a plain
decimal number in yuan (18136.00: no symbol, no grouping, so every spreadsheet reads a number), times
are local ``YYYY-MM-DD HH:MM:SS``, code values are in the chosen language with the raw code in the next
column. Text that a spreadsheet would run as a formula gets a leading apostrophe, and only that text
(kiosk.reports.files.neutralise: ASCII and full-width starts, a leading tab or CR; a phone number such
as +86 138 0013 8000 is left as it is).
"""
from __future__ import annotations

import csv
import operator
import re
from itertools import islice
from datetime import datetime
from pathlib import Path

from kiosk.reports.files import FORMULA_CHARS, neutralise
from kiosk.reports.logs import DATETIME, INT, MONEY, PHONE

DATETIME_FORMAT = "%Y-%m-%d %H:%M:%S"


def write_csv(path: Path, data, lang: str) -> None:
    """Write one log (kiosk.reports.export.LogData) to path."""
    columns = data.columns
    write_rows(path, [col.title(lang) for col in columns], [col.kind for col in columns], data.rows,
               data.by_column())


CHUNK_ROWS = 256  # rows a C call writes before the GIL can pass to the UI thread


def write_rows(path: Path, headers: list[str], kinds: list[str], rows, columns: list | None = None) -> None:
    """Write typed rows, formatted column by column (one comprehension per column, not a call per cell)."""
    if columns is None:
        rows = list(rows)
        columns = list(zip(*rows)) if rows else []
    formatted = [_format_column(kind, values) for kind, values in zip(kinds, columns)]
    with open(path, "w", encoding="utf-8-sig", newline="") as fh:
        writer = csv.writer(fh)
        writer.writerow([neutralise(h) for h in headers])
        out = zip(*formatted)
        # In slices: one writerows over a whole day is a single C loop that never lets go of the GIL, and
        # the screen waited on it for 100+ ms (issue 18). Between slices the UI thread gets its turn.
        while chunk := list(islice(out, CHUNK_ROWS)):
            writer.writerows(chunk)  # None is written as an empty cell


_MAY_START_FORMULA = FORMULA_CHARS | set(" \n\u3000")
_first = operator.itemgetter(0)


def _format_column(kind: str, values) -> list:
    if kind == INT:
        return values
    if kind == DATETIME:  # inlined: a month has 400,000 times, and a call each was a second of the export
        iso, stamp = datetime.isoformat, datetime
        return [None if v is None else iso(v, " ", "seconds") if v.__class__ is stamp else _datetime(v)
                for v in values]
    if kind == MONEY:  # inlined like the times (a month has 150,000 amounts); a negative one goes the long way
        return [None if v is None else f"{v // 100}.{v % 100:02d}" if v >= 0 else _money(v) for v in values]
    if kind == PHONE:
        values = [v if v is None else phone_text(v) for v in values]
    fmt = _FORMATTERS.get(kind)
    if fmt is not None:
        return [None if v is None else fmt(v) for v in values]
    trigger = _MAY_START_FORMULA
    try:   # the first characters of every cell in one C pass: a column none of whose cells may start a formula
        if trigger.isdisjoint(map(_first, filter(None, values))):
            return values
    except TypeError:   # a number in a text column: cell by cell
        pass
    return [v if v.__class__ is not str or not v or v[0] not in trigger else neutralise(v) for v in values]


def write_summary(path: Path, summary, data: list, missing: list, lang: str) -> None:
    """The summary figures as a CSV: figure, count, amount (yuan), share, note, code."""
    from kiosk.reports.xlsx_out import sheets
    sheet = sheets(data, summary, missing, lang)[0]
    write_rows(path, sheet.headers, sheet.kinds, sheet.rows)


def write_per_day(path: Path, per_day, lang: str) -> None:
    """The per-day breakdown of a range as a CSV (the same columns as the workbook's sheet)."""
    from kiosk.reports.xlsx_out import per_day_sheet
    sheet = per_day_sheet(per_day, lang)
    write_rows(path, sheet.headers, sheet.kinds, sheet.rows)


_DIGITS = re.compile(r"[0-9]{5,20}\Z")


def phone_text(value: str) -> str:
    """A stored phone number as a CSV cell a spreadsheet keeps as text, every digit kept.

    Stored numbers are digits only (01088886666), which Excel, WPS and LibreOffice open as the number
    1088886666: the area code's 0 is lost. Grouped as people write them (138 0013 8000, 010 8888 6666,
    0755 8888 6666) they are text to every spreadsheet, with no guard character to show. Anything else
    (an extension, +852..., words) is left as it is (the formula guard still applies to it)."""
    if value[:1] == "+" and _DIGITS.match(value[1:]):
        # +85291234567 opens as the number 85291234567 (the + gone). Grouped, it is text; its leading +
        # then takes the formula guard's apostrophe (a sign before more than one number), every digit kept.
        digits = value[1:]
        country = 2 if digits[:2] in ("86", "44", "49", "33", "61", "81", "82", "65", "60", "66") else (
            1 if digits[0] in "17" else 3)
        rest = digits[country:]
        if digits[:2] == "86" and len(rest) == 11 and rest[0] == "1":
            return f"+86 {rest[:3]} {rest[3:7]} {rest[7:]}"
        return " ".join(["+" + digits[:country]] + [rest[i:i + 4] for i in range(0, len(rest), 4)])
    if not _DIGITS.match(value):
        return value
    if value[0] == "1" and len(value) == 11:                      # a mainland mobile: 3-4-4
        return f"{value[:3]} {value[3:7]} {value[7:]}"
    if value[0] == "0":
        area = 3 if value[1] in "12" else 4                       # 010, 020-029; else 0xxx
        rest = value[area:]
        return " ".join([value[:area]] + [rest[i:i + 4] for i in range(0, len(rest), 4)])
    return value


def _datetime(value) -> str:
    return value.isoformat(" ", "seconds") if isinstance(value, datetime) else str(value)  # = DATETIME_FORMAT


def _money(fen: int) -> str:
    """Exact yuan with two decimals from integer fen, never through a float (-1 fen is -0.01)."""
    sign = "-" if fen < 0 else ""
    whole, cents = divmod(abs(fen), 100)
    return f"{sign}{whole}.{cents:02d}"


def _share(value: float) -> str:
    return f"{value:.4f}"


_FORMATTERS = {DATETIME: _datetime, MONEY: _money, "date": str, "share": _share}
