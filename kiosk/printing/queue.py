"""The print queue: jobs stored before they are sent, status as an append-only history.

`enqueue` runs inside the caller's transaction, so a sale and its print job commit together.
The worker (hardware/printer/worker.py) takes pending jobs in order and records the outcome.
"""
from __future__ import annotations

from dataclasses import dataclass

import sqlite_utils

from kiosk.core import audit
from kiosk.core.audit import Actor
from kiosk.core.clock import Clock, utc_iso
from kiosk.core.db import write
from kiosk.printing.documents import Receipt

PENDING = ("queued", "failed")


@dataclass(frozen=True)
class Job:
    """A stored print job with its latest status."""

    id: int
    kind: str
    receipt: Receipt | None
    kick_drawer: bool
    status: str
    detail: str
    attempts: int
    record_table: str | None = None
    record_id: str | None = None
    receipt_no: str | None = None
    reprint_of: int | None = None


def enqueue(db: sqlite_utils.Database, clock: Clock, actor: Actor, receipt: Receipt | None, *,
            record_table: str | None, record_id, kick_drawer: bool = False, kind: str | None = None,
            reprint_of: int | None = None) -> int:
    """Store a print job (and log a drawer opening with it) inside the caller's transaction."""
    with write(db):
        now = utc_iso(clock.now())
        job_id = db.execute(
            "INSERT INTO print_jobs (created_at, kind, record_table, record_id, receipt_no, document, kick_drawer,"
            " reprint_of, actor_id, actor) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (now, kind or (receipt.kind if receipt else "drawer"), record_table,
             None if record_id is None else str(record_id), receipt.number if receipt else None,
             receipt.to_json() if receipt else None, int(kick_drawer), reprint_of, actor.id, actor.name),
        ).lastrowid
        db.execute("INSERT INTO print_job_events (job_id, at, status) VALUES (?, ?, 'queued')", (job_id, now))
        if kick_drawer:
            reason = (receipt.kind if receipt else "drawer")
            _log_kick(db, clock, actor, reason, record_table, record_id, job_id)
    return job_id


def kick_drawer(db: sqlite_utils.Database, clock: Clock, actor: Actor, reason: str,
                record_table: str | None = None, record_id=None) -> int:
    """Open the drawer without a sale ("no sale"); logged and audited. Returns the job id."""
    reason = (reason or "").strip()
    if not reason:
        raise ValueError("a reason is needed to open the drawer without a sale")
    with write(db):
        # A bare drawer job: the worker only sends the kick (kind 'drawer' always kicks).
        job_id = enqueue(db, clock, actor, None, record_table=record_table, record_id=record_id, kind="drawer")
        _log_kick(db, clock, actor, f"no sale: {reason}", record_table, record_id, job_id)
        audit.record(db, clock, actor, "drawer.open", "drawer_kicks", job_id, None, {"reason": reason})
    return job_id


def _log_kick(db, clock, actor: Actor, reason: str, record_table, record_id, job_id: int) -> None:
    db.execute(
        "INSERT INTO drawer_kicks (at, actor_id, actor, reason, record_table, record_id, job_id)"
        " VALUES (?, ?, ?, ?, ?, ?, ?)",
        (utc_iso(clock.now()), actor.id, actor.name, reason, record_table,
         None if record_id is None else str(record_id), job_id),
    )


def mark(db: sqlite_utils.Database, clock: Clock, job_id: int, status: str, detail: str = "") -> None:
    """Record an outcome of a print attempt."""
    with write(db):
        db.execute("INSERT INTO print_job_events (job_id, at, status, detail) VALUES (?, ?, ?, ?)",
                   (job_id, utc_iso(clock.now()), status, detail[:500]))


_JOB_SQL = """
SELECT j.*, e.status, e.detail,
       (SELECT COUNT(*) FROM print_job_events f WHERE f.job_id = j.id AND f.status = 'failed') AS attempts
FROM print_jobs j
JOIN print_job_events e ON e.id = (SELECT MAX(id) FROM print_job_events WHERE job_id = j.id)
"""


def _job(row: dict) -> Job:
    return Job(id=row["id"], kind=row["kind"], receipt=Receipt.from_json(row["document"]) if row["document"] else None,
               kick_drawer=bool(row["kick_drawer"]) or row["kind"] == "drawer", status=row["status"],
               detail=row["detail"], attempts=row["attempts"], record_table=row["record_table"],
               record_id=row["record_id"], receipt_no=row["receipt_no"], reprint_of=row["reprint_of"])


def pending(db: sqlite_utils.Database, limit: int = 50) -> list[Job]:
    """Jobs still to print, oldest first (receipts come out in the order they were made)."""
    rows = db.query(_JOB_SQL + " WHERE e.status IN ('queued', 'failed') ORDER BY j.id LIMIT ?", (limit,))
    return [_job(row) for row in rows]


def get(db: sqlite_utils.Database, job_id: int) -> Job:
    """One job with its latest status."""
    rows = list(db.query(_JOB_SQL + " WHERE j.id = ?", (job_id,)))
    if not rows:
        raise KeyError(f"no print job {job_id}")
    return _job(rows[0])


def recent(db: sqlite_utils.Database, limit: int = 30) -> list[Job]:
    """The latest jobs, newest first (for the reprint list)."""
    return [_job(row) for row in db.query(_JOB_SQL + " ORDER BY j.id DESC LIMIT ?", (limit,))]


def for_record(db: sqlite_utils.Database, record_table: str, record_id) -> list[Job]:
    """Every job printed for one record (original first, then reprints)."""
    rows = db.query(_JOB_SQL + " WHERE j.record_table = ? AND j.record_id = ? ORDER BY j.id",
                    (record_table, str(record_id)))
    return [_job(row) for row in rows]


def reprint(db: sqlite_utils.Database, clock: Clock, actor: Actor, job_id: int) -> int:
    """Queue a copy of a past receipt, marked REPRINT on paper; audited. Drawer is not opened."""
    original = get(db, job_id)
    if original.receipt is None:
        raise ValueError("a drawer opening cannot be reprinted")
    with write(db):
        new_id = enqueue(db, clock, actor, original.receipt.as_reprint(), record_table=original.record_table,
                         record_id=original.record_id, kind=original.kind, reprint_of=original.reprint_of or job_id)
        audit.record(db, clock, actor, "receipt.reprint", "print_jobs", new_id, None,
                     {"of": job_id, "receipt_no": original.receipt_no})
    return new_id


def queued_count(db: sqlite_utils.Database) -> int:
    """How many jobs wait for the printer."""
    return db.execute(
        "SELECT COUNT(*) FROM print_jobs j WHERE (SELECT status FROM print_job_events WHERE job_id = j.id "
        "ORDER BY id DESC LIMIT 1) IN ('queued', 'failed')").fetchone()[0]
