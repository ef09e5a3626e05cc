"""The desk's own timed jobs, run by the app every minute (and by `kiosk visitors housekeeping`):
automatic sign-out at the configured time of day, and the daily anonymisation of old visits.

Both are idempotent: running them again the same minute or the same day does nothing more.
"""
from __future__ import annotations

import logging
import sqlite3
from dataclasses import dataclass
from typing import Callable

import sqlite_utils

from kiosk.core import retention as retention_mod
from kiosk.core import settings
from kiosk.visitors import service as visitors
from kiosk.core.audit import SYSTEM
from kiosk.core.clock import Clock, local_now

LAST_RETENTION_KEY = "visitor_retention_last_day"
log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Done:
    signed_out: int = 0
    anonymised: int | None = None   # None: the retention job had already run today (or was not due)
    retention: retention_mod.Status | None = None  # its status after this run (None: it did not run)


def run_due(db: sqlite_utils.Database, clock: Clock, tz: str,
            progress: Callable[[int], None] | None = None, *, scrub_wait: float | None = None) -> Done:
    """Run whatever is due now; returns what it did. Run it off the UI thread (the app's background
    jobs): a retention catch-up after an upgrade works through its backlog in batches, and a run
    killed halfway is taken up again by the next one (the day is marked done only at the end).
    `progress(anonymised so far)` is called after each batch.

    A retention run that does not get through (the database locked, a row that cannot be blanked, the
    file scrub kept from finishing) is never marked done: it is recorded as blocked
    (kiosk.core.retention), retried with a back-off and shown to the manager until a run succeeds."""
    from kiosk.core import erasure
    signed_out = visitors.auto_sign_out(db, clock, tz)
    today = local_now(clock, tz).date().isoformat()
    if settings.get(db, LAST_RETENTION_KEY) == today:
        return Done(signed_out)
    previous = retention_mod.status(db)
    if not retention_mod.due(previous, clock):
        return Done(signed_out, None, previous)
    try:
        anonymised = visitors.apply_retention(db, clock, progress=progress, scrub=False)
        erased = erasure.apply_retention(db, clock, scrub=False)
        # A scrub left over from a blocked run is owed even when nothing new was blanked today.
        owed = bool(anonymised or erased) or (previous is not None and not previous.ok)
        scrubbed = erasure.scrub_files(db, wait=scrub_wait) if owed else True
    except (sqlite3.Error, OSError) as exc:
        log.warning("retention blocked: %s", exc)
        status = retention_mod.blocked(previous, clock, retention_mod.problem_of(exc), str(exc))
        retention_mod.save(db, clock, status)
        return Done(signed_out, None, status)
    if not scrubbed:
        log.warning("retention: the file scrub was blocked by another reader; retrying later")
        status = retention_mod.blocked(previous, clock, "scrub")
        retention_mod.save(db, clock, status)
        return Done(signed_out, anonymised, status)
    status = retention_mod.Status(True, clock.now())
    retention_mod.save(db, clock, status)
    settings.put(db, clock, SYSTEM, LAST_RETENTION_KEY, today)
    return Done(signed_out, anonymised, status)
