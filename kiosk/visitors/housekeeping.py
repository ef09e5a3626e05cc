"""The desk's own timed jobs, run by the app every minute (and by `kiosk visitors housekeeping`):
automatic sign-out at the configured time of day, and the daily anonymisation of old visits.

Both are idempotent: running them again the same minute or the same day does nothing more.
"""
from __future__ import annotations

from dataclasses import dataclass

import sqlite_utils

from kiosk.core import settings
from kiosk.visitors import service as visitors
from kiosk.core.audit import SYSTEM
from kiosk.core.clock import Clock, local_now

LAST_RETENTION_KEY = "visitor_retention_last_day"


@dataclass(frozen=True)
class Done:
    signed_out: int = 0
    anonymised: int | None = None   # None: the retention job had already run today


def run_due(db: sqlite_utils.Database, clock: Clock, tz: str) -> Done:
    """Run whatever is due now; returns what it did."""
    signed_out = visitors.auto_sign_out(db, clock, tz)
    today = local_now(clock, tz).date().isoformat()
    if settings.get(db, LAST_RETENTION_KEY) == today:
        return Done(signed_out)
    anonymised = visitors.apply_retention(db, clock)
    settings.put(db, clock, SYSTEM, LAST_RETENTION_KEY, today)
    return Done(signed_out, anonymised)

