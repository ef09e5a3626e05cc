"""Shifts and the day at the counters: the opening float and count, cash handovers to finance, the
close with counted against expected cash and a numbered end-of-day report.

Expected cash = float + cash sales + cash fees − cash voids/refunds − voided cash fees − handovers.
Every figure is integer fen; every step is a new record with an audit row.
"""
from __future__ import annotations

import json
from datetime import datetime, timedelta

import sqlite_utils

from kiosk.core import audit
from kiosk.counter import stockcount
from kiosk.core.audit import Actor
from kiosk.core.clock import Clock, utc_iso
from kiosk.counter.errors import CounterError
from kiosk.counter.sales import counter_text
from kiosk.counter.shift_state import Shift, current, require_open  # noqa: F401 - the shift API lives here too
from kiosk.core.db import write
from kiosk.counter.stockcount import CountLine


# An open shift owns everything from its opening on (the close takes the write lock, so nothing can
# land after it inside the same transaction); records stamped in the same instant still count.
OPEN_END = "9999-12-31T23:59:59Z"


# Net takings by method are sales + fees - sale voids/refunds - voided fees, each in [start, end).
_PAYMENT_PARTS = {
    "sales": "SELECT p.method, SUM(p.amount_fen) FROM payments p JOIN sales s ON s.id = p.sale_id"
             " WHERE s.at >= ? AND s.at < ? GROUP BY p.method",
    "fees": "SELECT method, SUM(amount_fen) FROM fee_collections WHERE at >= ? AND at < ? GROUP BY method",
    "reversals": "SELECT method, SUM(amount_fen) FROM sale_reversals WHERE at >= ? AND at < ? GROUP BY method",
    "fee_voids": "SELECT c.method, SUM(c.amount_fen) FROM fee_voids v JOIN fee_collections c"
                 " ON c.id = v.collection_id WHERE v.at >= ? AND v.at < ? GROUP BY c.method",
}
METHODS = ("cash", "card", "mobile")


def payment_parts(db: sqlite_utils.Database, start: datetime | str, end: datetime | str) -> dict[str, dict[str, int]]:
    """Per method: sales, fees, reversals, fee_voids and the net of them, in fen."""
    span = tuple(t if isinstance(t, str) else utc_iso(t) for t in (start, end))
    table = {m: {part: 0 for part in _PAYMENT_PARTS} for m in METHODS}
    for part, sql in _PAYMENT_PARTS.items():
        for method, amount in db.execute(sql, span):
            table[method][part] = int(amount or 0)
    for figures in table.values():
        figures["net"] = figures["sales"] + figures["fees"] - figures["reversals"] - figures["fee_voids"]
    return table


def payment_totals(db: sqlite_utils.Database, start: datetime | str, end: datetime | str) -> dict[str, int]:
    """Net takings in [start, end) by method: sales + fees − voids/refunds − voided fees (fen)."""
    return {method: figures["net"] for method, figures in payment_parts(db, start, end).items()}


def listing_since(db: sqlite_utils.Database, clock: Clock, terminal_id: str) -> str:
    """Where the counter's 'today' lists start: the open shift, or the last 24 hours when none is open."""
    shift = current(db, terminal_id)
    return shift.opened_at if shift else utc_iso(clock.now() - timedelta(days=1))


def open_shift(db: sqlite_utils.Database, clock: Clock, actor: Actor, terminal_id: str, *, float_fen: int,
               counts: list[CountLine] = ()) -> Shift:
    """Open the day: the cash float counted and entered, yesterday's goods counted.

    Each accepted difference becomes a stock adjustment with its reason (see kiosk.counter.stockcount).
    """
    if not isinstance(float_fen, int) or float_fen < 0:
        raise CounterError("the float must be an amount of money", field="float")
    stockcount.check_lines(db, counts)
    with write(db):
        if current(db, terminal_id) is not None:
            raise CounterError("the counter is already open")
        shift_id = db.execute("INSERT INTO shifts (terminal_id, opened_at, float_fen, actor_id, actor)"
                              " VALUES (?, ?, ?, ?, ?)", (terminal_id, utc_iso(clock.now()), float_fen, actor.id,
                                                          actor.name)).lastrowid
        count_id = stockcount.record(db, clock, actor, "opening", counts, shift_id=shift_id) if counts else None
        audit.record(db, clock, actor, "shift.open", "shifts", shift_id, None,
                     {"float_fen": float_fen, "count_id": count_id})
    return current(db, terminal_id)


# A shift's handovers are found along the `at` index from the shift's opening (the same window its sales
# and fees are counted in): by shift_id alone SQLite walked every handover ever made (issue 18).
HANDOVERS_OF = "shift_id = ?1 AND at >= (SELECT opened_at FROM shifts WHERE id = ?1)"


def handovers(db: sqlite_utils.Database, shift_id: int) -> list[dict]:
    """The shift's cash handovers, in the order they were made."""
    rows = list(db.query(f"SELECT * FROM cash_handovers WHERE {HANDOVERS_OF}", (shift_id,)))
    return sorted(rows, key=lambda row: row["id"])


def expected_cash(db: sqlite_utils.Database, shift: Shift, until: str = OPEN_END) -> int:
    """What the drawer should hold now: float + net cash takings − handovers."""
    handed = db.execute(f"SELECT COALESCE(SUM(amount_fen), 0) FROM cash_handovers WHERE {HANDOVERS_OF}",
                        (shift.id,)).fetchone()[0]
    return shift.float_fen + payment_totals(db, shift.opened_at, until)["cash"] - handed


def hand_over(db: sqlite_utils.Database, clock: Clock, actor: Actor, terminal_id: str, *, amount_fen: int,
              received_by: str, note: str = "") -> int:
    """Cash handed to finance during the day or at close: amount, handed by (the actor), received by."""
    received_by = (received_by or "").strip()
    if not received_by:
        raise CounterError("who received the cash?", field="received_by")
    received_by, note = counter_text(received_by, "received by"), counter_text(note, "note")
    if not isinstance(amount_fen, int) or amount_fen <= 0:
        raise CounterError("the amount must be more than zero", field="amount")
    with write(db):
        shift = require_open(db, terminal_id)
        now = utc_iso(clock.now())
        if amount_fen > expected_cash(db, shift):
            raise CounterError("that is more cash than the drawer should hold", field="amount")
        handover_id = db.execute(
            "INSERT INTO cash_handovers (shift_id, at, amount_fen, received_by, note, actor_id, actor)"
            " VALUES (?, ?, ?, ?, ?, ?, ?)",
            (shift.id, now, amount_fen, received_by, (note or "").strip(), actor.id, actor.name)).lastrowid
        audit.record(db, clock, actor, "cash.handover", "cash_handovers", handover_id, None,
                     {"amount_fen": amount_fen, "received_by": received_by})
    return handover_id


def stored_report(db: sqlite_utils.Database, close_id: int) -> dict:
    """The end-of-day report exactly as it was stored at the close."""
    return json.loads(db.execute("SELECT report FROM shift_closes WHERE id = ?", (close_id,)).fetchone()[0])
