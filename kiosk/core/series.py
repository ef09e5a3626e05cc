"""Gapless numbered series (receipt numbers, lost-and-found references)."""
from __future__ import annotations

import sqlite_utils


def next_number(db: sqlite_utils.Database, name: str) -> int:
    """Take the next number of a series. Must run inside the caller's write transaction,
    so a rolled-back record gives its number back and the series stays gapless."""
    if not db.conn.in_transaction:
        raise RuntimeError("next_number must be called inside a write transaction")
    db.execute("INSERT INTO series (name, last) VALUES (?, 1) "
               "ON CONFLICT(name) DO UPDATE SET last = last + 1", (name,))
    return db.execute("SELECT last FROM series WHERE name = ?", (name,)).fetchone()[0]
