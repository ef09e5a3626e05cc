"""The retention job's own record: what it did last, and whether it is blocked.

Retention is the privacy promise on the visitor screen ("anonymised after {days} days"): a run that could
not finish — the database locked by another program, a row its guard would not let it blank, the file
scrub kept from checkpointing the WAL by a long reader — must never be marked done for the day. It is
recorded here as blocked (audited through kiosk.core.settings), retried with a back-off (5, 10, 20, 40,
then every 60 minutes) by the app's minute job, and shown on the manager's settings screen until a run
gets through. A status that cannot itself be written (the same lock) stays in the job's result, which
the app keeps and shows.
"""
from __future__ import annotations

import sqlite3
from dataclasses import dataclass
from datetime import datetime, timedelta

import sqlite_utils

from kiosk.core import settings
from kiosk.core.audit import SYSTEM
from kiosk.core.clock import Clock, parse_iso, utc_iso

KEY = "retention_status"
FIRST_RETRY_MIN, MAX_RETRY_MIN = 5, 60
# What blocked a run, as the manager's screen says it (msgids in core.po).
PROBLEMS = {
    "locked": "the database was busy (another program held it)",
    "scrub": "erased values not yet scrubbed from the file (another program is reading it)",
    "refused": "a record could not be blanked",
    "storage": "the storage failed",
}


@dataclass(frozen=True)
class Status:
    """The job's last word: ok, or blocked since ``since`` (``tries`` runs), next try ``next_try``."""

    ok: bool
    at: datetime | None = None
    problem: str = ""
    since: datetime | None = None
    tries: int = 0
    next_try: datetime | None = None
    detail: str = ""

    def to_json(self) -> dict:
        return {"ok": self.ok, "at": utc_iso(self.at) if self.at else None, "problem": self.problem,
                "since": utc_iso(self.since) if self.since else None, "tries": self.tries,
                "next_try": utc_iso(self.next_try) if self.next_try else None, "detail": self.detail[:200]}

    @classmethod
    def from_json(cls, data) -> "Status | None":
        if not isinstance(data, dict):
            return None
        try:
            when = lambda key: parse_iso(data[key]) if data.get(key) else None  # noqa: E731
            return cls(bool(data.get("ok")), when("at"), str(data.get("problem") or ""), when("since"),
                       int(data.get("tries") or 0), when("next_try"), str(data.get("detail") or ""))
        except (ValueError, TypeError, KeyError):
            return None


def status(db: sqlite_utils.Database) -> Status | None:
    """The recorded status (None before the first run)."""
    try:
        return Status.from_json(settings.get(db, KEY))
    except sqlite3.Error:
        return None


def problem_of(exc: BaseException) -> str:
    """Which PROBLEMS key an exception from a retention run is."""
    from kiosk.core import storage
    fault = storage.classify(exc) if isinstance(exc, (sqlite3.Error, OSError)) else None
    if fault is not None:
        return "locked" if fault.kind == "locked" else "storage"
    if isinstance(exc, sqlite3.OperationalError) and "locked" in str(exc):
        return "locked"
    return "refused" if isinstance(exc, sqlite3.IntegrityError) else "storage"


def blocked(previous: Status | None, clock: Clock, problem: str, detail: str = "") -> Status:
    """The status after a run that did not get through (the back-off doubles with each try)."""
    now = clock.now()
    tries = (previous.tries if previous is not None and not previous.ok else 0) + 1
    since = previous.since if previous is not None and not previous.ok and previous.since else now
    wait = min(FIRST_RETRY_MIN * 2 ** (tries - 1), MAX_RETRY_MIN)
    return Status(False, now, problem, since, tries, now + timedelta(minutes=wait), detail)


def due(previous: Status | None, clock: Clock) -> bool:
    """Whether a blocked job may try again now (an ok or unknown status: the daily rule decides)."""
    return previous is None or previous.ok or previous.next_try is None or clock.now() >= previous.next_try


def save(db: sqlite_utils.Database, clock: Clock, value: Status) -> bool:
    """Record the status (audited as a setting change by the system); False when it could not be written."""
    try:
        settings.put(db, clock, SYSTEM, KEY, value.to_json())
        return True
    except sqlite3.Error:
        return False
