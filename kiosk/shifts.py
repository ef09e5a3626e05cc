"""Day figures for the counters: takings by payment method, reconciled to the fen.

(Opening counts, cash handovers and the close with its numbered end-of-day report are not built yet.)
"""
from __future__ import annotations

from datetime import datetime

import sqlite_utils

from kiosk.clock import utc_iso


def payment_totals(db: sqlite_utils.Database, start: datetime | str, end: datetime | str) -> dict[str, int]:
    """Net takings in [start, end) by method: sales + fees − voids/refunds − voided fees (fen)."""
    start_iso = start if isinstance(start, str) else utc_iso(start)
    end_iso = end if isinstance(end, str) else utc_iso(end)
    totals = {"cash": 0, "card": 0, "mobile": 0}
    queries = [
        ("SELECT p.method, SUM(p.amount_fen) FROM payments p JOIN sales s ON s.id = p.sale_id"
         " WHERE s.at >= ? AND s.at < ? GROUP BY p.method", 1),
        ("SELECT method, SUM(amount_fen) FROM fee_collections WHERE at >= ? AND at < ? GROUP BY method", 1),
        ("SELECT method, SUM(amount_fen) FROM sale_reversals WHERE at >= ? AND at < ? GROUP BY method", -1),
        ("SELECT c.method, SUM(c.amount_fen) FROM fee_voids v JOIN fee_collections c ON c.id = v.collection_id"
         " WHERE v.at >= ? AND v.at < ? GROUP BY c.method", -1),
    ]
    for sql, sign in queries:
        for method, amount in db.execute(sql, (start_iso, end_iso)):
            totals[method] += sign * int(amount or 0)
    return totals
