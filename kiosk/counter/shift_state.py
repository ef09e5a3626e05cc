"""Which shift is open on a terminal, and the desk rule built on it: no sale or fee outside a shift.

A sale or fee taken with no open shift would fall into no end-of-day report, so the services refuse
it themselves (kiosk.counter.sales.sell, kiosk.counter.fees.collect) instead of trusting every caller
to check first. Kept apart from kiosk.counter.shifts, which imports the stock count (and through it
the sales module), so that sales can ask without an import loop.
"""
from __future__ import annotations

from dataclasses import dataclass

import sqlite_utils

from kiosk.counter.errors import CounterError

NO_SHIFT = "open the counter first"  # msgid


@dataclass(frozen=True)
class Shift:
    id: int
    terminal_id: str
    opened_at: str
    float_fen: int
    opened_by: str


def current(db: sqlite_utils.Database, terminal_id: str) -> Shift | None:
    """The open shift of this counter, if any."""
    row = db.execute("SELECT s.id, s.terminal_id, s.opened_at, s.float_fen, s.actor FROM shifts s"
                     " WHERE s.terminal_id = ? AND NOT EXISTS (SELECT 1 FROM shift_closes c WHERE c.shift_id = s.id)"
                     " ORDER BY s.id DESC LIMIT 1", (terminal_id,)).fetchone()
    return Shift(*row) if row else None


def require_open(db: sqlite_utils.Database, terminal_id: str) -> Shift:
    """The open shift of this counter, or CounterError("open the counter first")."""
    shift = current(db, terminal_id)
    if shift is None:
        raise CounterError(NO_SHIFT)
    return shift
