"""Closing the counter for the day: counted against expected cash, the end-of-day report stored and printed.

Sits above both shifts (the figures) and the report builder, so neither imports the other's caller.
"""
from __future__ import annotations

import json
from dataclasses import dataclass

import sqlite_utils

from kiosk.core import audit
from kiosk.core.audit import Actor
from kiosk.core.clock import Clock, utc_iso
from kiosk.core.db import write
from kiosk.counter import shifts
from kiosk.counter.eod_report import build_report, eod_receipt
from kiosk.counter.errors import CounterError
from kiosk.printing import queue as printqueue
from kiosk.printing.documents import receipt_number


@dataclass(frozen=True)
class CloseResult:
    close_id: int
    report_no: str
    expected_fen: int
    counted_fen: int
    variance_fen: int
    report: dict



def close_shift(db: sqlite_utils.Database, clock: Clock, actor: Actor, terminal_id: str, *, counted_fen: int,
                lang: str = "zh_CN") -> CloseResult:
    """Close the day: counted cash against expected, the variance recorded, the report stored and printed."""
    if not isinstance(counted_fen, int) or counted_fen < 0:
        raise CounterError("the counted cash must be an amount of money", field="counted")
    with write(db):
        shift = shifts.require_open(db, terminal_id)
        now = utc_iso(clock.now())
        expected = shifts.expected_cash(db, shift)
        report_no = receipt_number(db, terminal_id, "eod")
        report = build_report(db, shift, shifts.OPEN_END, counted_fen=counted_fen, expected_fen=expected)
        report["closed_at"] = now
        close_id = db.execute(
            "INSERT INTO shift_closes (shift_id, at, expected_fen, counted_fen, variance_fen, report_no, report,"
            " actor_id, actor) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (shift.id, now, expected, counted_fen, counted_fen - expected, report_no,
             json.dumps(report, ensure_ascii=False), actor.id, actor.name)).lastrowid
        audit.record(db, clock, actor, "shift.close", "shift_closes", close_id, None,
                     {"report_no": report_no, "expected_fen": expected, "counted_fen": counted_fen})
        printqueue.enqueue(db, clock, actor, eod_receipt(db, report, report_no, now, actor.name, lang),
                           record_table="shift_closes", record_id=close_id)
    return CloseResult(close_id, report_no, expected, counted_fen, counted_fen - expected, report)
