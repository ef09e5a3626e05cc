"""One CSV per log: UTF-8 with BOM (Excel and WPS then read Chinese), header in the chosen language."""
from __future__ import annotations

import csv
from datetime import datetime
from pathlib import Path

from kiosk.export_logs import DATETIME, MONEY
from kiosk.money import fen_to_decimal

DATETIME_FORMAT = "%Y-%m-%d %H:%M:%S"


def write_csv(path: Path, data, lang: str) -> None:
    """Write one log (kiosk.export.LogData) to path; text cells arrive already neutralised."""
    kinds = [col.kind for col in data.log.columns]
    with open(path, "w", encoding="utf-8-sig", newline="") as fh:
        writer = csv.writer(fh)
        writer.writerow([col.title(lang) for col in data.log.columns])
        for row in data.rows:
            writer.writerow([_cell(kind, value) for kind, value in zip(kinds, row)])


def _cell(kind: str, value) -> str | int:
    if value is None:
        return ""
    if kind == DATETIME:
        return value.strftime(DATETIME_FORMAT) if isinstance(value, datetime) else str(value)
    if kind == MONEY:
        return str(fen_to_decimal(value))  # exact yuan with two decimals, never a float
    return value
