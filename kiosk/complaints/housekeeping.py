"""The complaints register's daily job: anonymise name and contact after the retention period."""
from __future__ import annotations

import sqlite_utils

from kiosk.complaints import service
from kiosk.core import settings
from kiosk.core.audit import SYSTEM
from kiosk.core.clock import Clock, local_now

LAST_RUN_KEY = "complaint_retention_last_day"


def run_due(db: sqlite_utils.Database, clock: Clock, tz: str) -> int | None:
    """Anonymise once a local day; None when it already ran today, else how many were anonymised."""
    today = local_now(clock, tz).date().isoformat()
    if settings.get(db, LAST_RUN_KEY) == today:
        return None
    count = service.apply_retention(db, clock)
    settings.put(db, clock, SYSTEM, LAST_RUN_KEY, today)
    return count
