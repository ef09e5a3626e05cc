"""One CSV per log: UTF-8 with BOM (Excel and WPS then read Chinese), header in the chosen language."""
from __future__ import annotations

import csv
from datetime import datetime
from pathlib import Path

from kiosk.reports.logs import DATETIME, MONEY
from kiosk.core.money import fen_to_decimal

DATETIME_FORMAT = "%Y-%m-%d %H:%M:%S"


def write_csv(path: Path, data, lang: str) -> None:
    """Write one log (kiosk.export.LogData) to path; text cells arrive already neutralised."""
    formats = [(i, _FORMATTERS[col.kind]) for i, col in enumerate(data.log.columns) if col.kind in _FORMATTERS]
    with open(path, "w", encoding="utf-8-sig", newline="") as fh:
        writer = csv.writer(fh)
        writer.writerow([col.title(lang) for col in data.log.columns])
        for row in data.rows:
            cells = list(row)
            for i, fmt in formats:
                if cells[i] is not None:
                    cells[i] = fmt(cells[i])
            writer.writerow(cells)  # None is written as an empty cell


def _datetime(value) -> str:
    return value.isoformat(" ", "seconds") if isinstance(value, datetime) else str(value)  # = DATETIME_FORMAT


def _money(fen: int) -> str:
    return str(fen_to_decimal(fen))  # exact yuan with two decimals, never a float


_FORMATTERS = {DATETIME: _datetime, MONEY: _money}
