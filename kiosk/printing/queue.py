"""The print queue: jobs stored before they are sent, a lifecycle with an end.

A job goes queued -> sending -> printed | unconfirmed | held | cancelled (see docs/design.md,
"The print pipeline"). ``print_jobs`` keeps what was to be printed and ``print_job_events`` every
step (both records); ``print_queue`` holds where each job stands now (state), with a partial index
over the live jobs, so `next_job` costs the same with a million printed jobs as with none.

`enqueue` runs inside the caller's transaction, so a sale and its print job commit together, and
wakes the print worker once that transaction commits (`waker`).
The worker (hardware/printer/worker.py) is the only writer of 'sending', 'printed', 'unconfirmed'.
"""
from __future__ import annotations

import contextlib
import threading
from dataclasses import dataclass
from typing import Iterator

import sqlite_utils

from kiosk.core import audit
from kiosk.core.audit import Actor
from kiosk.core.clock import Clock, utc_iso
from kiosk.core.db import write
from kiosk.core.errors import Refusal
from kiosk.printing.documents import Receipt

LIVE = ("queued", "sending")
ATTENTION = ("held", "unconfirmed")
FINAL = ("printed", "unconfirmed", "held", "cancelled")
# Each status as the printer screen and `kiosk printer queue` say it (msgids, printing.po).
STATUS_TEXT = {"queued": "waiting", "sending": "printing", "printed": "printed", "failed": "failed, will retry",
               "cancelled": "cancelled", "held": "held: retry or cancel",
               "unconfirmed": "not confirmed: a copy was queued"}
PENDING = LIVE  # kept for callers of the old name
MAX_REASON = 200


class PrintRefusal(Refusal):
    """Why staff cannot do this to a print job (shown in the screen's language)."""


class Waker:
    """Wakes the idle print worker when a job is queued, instead of the worker polling history.

    Within one process an Event does it; the worker still looks every `idle_check` seconds, for jobs
    queued by another process (the CLI).
    """

    def __init__(self) -> None:
        self.event = threading.Event()

    def wake(self) -> None:
        self.event.set()

    def wait(self, timeout: float) -> bool:
        woke = self.event.wait(timeout)
        self.event.clear()
        return woke


waker = Waker()


@dataclass(frozen=True)
class Job:
    """A stored print job with where it stands now."""

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
    created_at: str = ""

    @property
    def is_copy(self) -> bool:
        """A reprint or a resend: never opens the drawer."""
        return self.reprint_of is not None


_batch = threading.local()


@contextlib.contextmanager
def printed_here() -> Iterator[None]:
    """Jobs queued inside are printed by the caller itself (the demo seed marks them as the worker
    would): no wake-up per job. A timer thread per job cost the seed a third of its time."""
    _batch.depth = getattr(_batch, "depth", 0) + 1
    try:
        yield
    finally:
        _batch.depth -= 1


def _after_commit(db: sqlite_utils.Database) -> None:
    """Wake the worker now if no transaction is open, else when the outer one commits."""
    if getattr(_batch, "depth", 0):
        return
    conn = db.conn
    if not conn.in_transaction:
        waker.wake()
        return
    # sqlite3 has no commit hook: the worker also wakes on its own within idle_check seconds, and
    # a short timer wakes it just after a typical transaction (a sale) has committed.
    timer = threading.Timer(0.002, waker.wake)
    timer.daemon = True
    timer.start()


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
        db.execute("INSERT INTO print_queue (job_id, status, updated_at) VALUES (?, 'queued', ?)", (job_id, now))
        if kick_drawer:
            reason = (receipt.kind if receipt else "drawer")
            _log_kick(db, clock, actor, reason, record_table, record_id, job_id)
    _after_commit(db)
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


def mark(db: sqlite_utils.Database, clock: Clock, job_id: int, status: str, detail: str = "", *,
         attempts: int | None = None) -> None:
    """Record a step of a job: an event (history) and its current state, in one transaction.

    status 'failed' is a failed attempt that will be tried again: the job stays queued.
    """
    now = utc_iso(clock.now())
    state = "queued" if status in ("failed", "retry") else status
    with write(db):
        db.execute("INSERT INTO print_job_events (job_id, at, status, detail) VALUES (?, ?, ?, ?)",
                   (job_id, now, status, detail[:500]))
        if attempts is None:
            db.execute("UPDATE print_queue SET status = ?, detail = ?, updated_at = ? WHERE job_id = ?",
                       (state, detail[:500], now, job_id))
        else:
            db.execute("UPDATE print_queue SET status = ?, detail = ?, updated_at = ?, attempts = ? WHERE job_id = ?",
                       (state, detail[:500], now, attempts, job_id))
        if status == "printed":
            # A marked copy on paper resolves its unconfirmed original: it needs no attention now.
            db.execute("UPDATE print_queue SET resolved_by = ? WHERE resolved_by IS NULL AND status = 'unconfirmed'"
                       " AND job_id = (SELECT reprint_of FROM print_jobs WHERE id = ?)", (job_id, job_id))


_JOB_SQL = """
SELECT j.*, q.status, q.detail, q.attempts
FROM print_jobs j JOIN print_queue q ON q.job_id = j.id
"""
_ATTENTION_SQL = """
SELECT j.*, q.status, q.detail, q.attempts
FROM print_queue q INDEXED BY print_queue_attention JOIN print_jobs j ON j.id = q.job_id
"""


def _job(row: dict) -> Job:
    return Job(id=row["id"], kind=row["kind"], receipt=Receipt.from_json(row["document"]) if row["document"] else None,
               kick_drawer=bool(row["kick_drawer"]) or row["kind"] == "drawer", status=row["status"],
               detail=row["detail"], attempts=row["attempts"], record_table=row["record_table"],
               record_id=row["record_id"], receipt_no=row["receipt_no"], reprint_of=row["reprint_of"],
               created_at=row["created_at"])


def next_job(db: sqlite_utils.Database) -> Job | None:
    """The oldest queued job (receipts come out in the order they were made); held ones are skipped.

    Goes through the partial index print_queue_live: history never gets scanned.
    """
    rows = list(db.query("SELECT job_id FROM print_queue INDEXED BY print_queue_live"
                         " WHERE status IN ('queued', 'sending') AND status = 'queued' ORDER BY job_id LIMIT 1"))
    return get(db, rows[0]["job_id"]) if rows else None


def pending(db: sqlite_utils.Database, limit: int = 50) -> list[Job]:
    """Jobs still to print, oldest first."""
    rows = db.query(_JOB_SQL + " WHERE q.status IN ('queued', 'sending') ORDER BY q.job_id LIMIT ?", (limit,))
    return [_job(row) for row in rows]


def attention(db: sqlite_utils.Database, limit: int = 50) -> list[Job]:
    """Jobs staff must look at: held (retry or cancel) and unconfirmed (resend as a copy)."""
    # An unconfirmed original whose marked copy has printed is resolved (resolved_by): left out.
    rows = db.query(_ATTENTION_SQL + " WHERE q.status IN ('held', 'unconfirmed')"
                    " AND q.resolved_by IS NULL ORDER BY q.job_id DESC LIMIT ?", (limit,))
    return [_job(row) for row in rows]


def resolve_interrupted(db: sqlite_utils.Database, clock: Clock) -> list[int]:
    """At the worker's start: a job left 'sending' was caught between send and mark (crash, power
    cut). Its bytes may be on paper, so it is unconfirmed, never sent again as an original."""
    ids = [r[0] for r in db.execute("SELECT job_id FROM print_queue INDEXED BY print_queue_live"
                                     " WHERE status IN ('queued', 'sending') AND status = 'sending'").fetchall()]
    for job_id in ids:
        unconfirmed(db, clock, job_id, "interrupted while sending (restart or power cut)")
    return ids


def unconfirmed(db: sqlite_utils.Database, clock: Clock, job_id: int, detail: str) -> int | None:
    """The printer may have printed this job but did not confirm it: mark it unconfirmed and, for an
    original, queue one marked copy in the same transaction (a copy is never resent by itself, so a
    printer that never confirms gets each receipt at most twice: the original and one copy).
    Returns the copy's job id, or None."""
    with write(db):
        mark(db, clock, job_id, "unconfirmed", detail)
        job = get(db, job_id)
        if job.is_copy or job.receipt is None:
            return None
        return resend_copy(db, clock, None, job_id)


def get(db: sqlite_utils.Database, job_id: int) -> Job:
    """One job with where it stands."""
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


def _local(db, clock: Clock, tz: str | None) -> str:
    from kiosk.printing.documents import local_time
    return local_time(db, utc_iso(clock.now()), "%Y-%m-%d %H:%M", tz)


def reprint(db: sqlite_utils.Database, clock: Clock, actor: Actor, job_id: int, *, tz: str | None = None,
            receipt: Receipt | None = None) -> int:
    """Queue a copy of a past receipt, marked REPRINT with who and when; audited. Never opens the drawer.
    `receipt` is the same document rendered again (same number), when the copy is to show the record as it
    stands now or in another language (a complaint slip); by default the stored original."""
    original = get(db, job_id)
    if original.receipt is None:
        raise PrintRefusal("A drawer opening cannot be reprinted")
    receipt = (receipt or original.receipt).as_reprint(actor.name, _local(db, clock, tz))
    with write(db):
        new_id = enqueue(db, clock, actor, receipt, record_table=original.record_table,
                         record_id=original.record_id, kind=original.kind, reprint_of=original.reprint_of or job_id)
        audit.record(db, clock, actor, "receipt.reprint", "print_jobs", new_id, None,
                     {"of": job_id, "receipt_no": original.receipt_no})
    return new_id


def resend_copy(db: sqlite_utils.Database, clock: Clock, actor: Actor | None, job_id: int, *,
                tz: str | None = None) -> int:
    """Resend an unconfirmed job as a marked copy ("副本 / COPY — resent, the printer did not
    confirm, <time>"), never as a second original and never with a drawer pulse; audited."""
    original = get(db, job_id)
    if original.status != "unconfirmed":
        raise PrintRefusal("Only a job the printer did not confirm can be resent", status=original.status)
    if original.receipt is None:
        raise PrintRefusal("A drawer opening cannot be reprinted")
    who = actor or Actor("system")
    receipt = original.receipt.as_copy(_local(db, clock, tz))
    with write(db):
        new_id = enqueue(db, clock, who, receipt, record_table=original.record_table, record_id=original.record_id,
                         kind=original.kind, reprint_of=original.reprint_of or job_id)
        audit.record(db, clock, who, "print.resend_copy", "print_jobs", new_id, None,
                     {"of": job_id, "receipt_no": original.receipt_no})
    return new_id


def retry(db: sqlite_utils.Database, clock: Clock, actor: Actor, job_id: int) -> None:
    """Put a held job back in the queue with its attempts counted from zero; audited."""
    job = get(db, job_id)
    if job.status != "held":
        raise PrintRefusal("Only a held job can be retried", status=job.status)
    with write(db):
        mark(db, clock, job_id, "retry", f"retried by {actor.name}", attempts=0)
        audit.record(db, clock, actor, "print.retry", "print_jobs", job_id, {"status": "held"}, {"status": "queued"})
    _after_commit(db)


def cancel(db: sqlite_utils.Database, clock: Clock, actor: Actor, job_id: int, reason: str) -> None:
    """Cancel a held, queued or unconfirmed job; needs a reason; audited."""
    import unicodedata
    from kiosk.core.text import invisible
    reason = unicodedata.normalize("NFC", (reason or "").strip())
    if not reason:
        raise PrintRefusal("Say why the job is cancelled", field="reason")
    if len(reason) > MAX_REASON:
        raise PrintRefusal("The reason is too long (at most {n} characters)", field="reason", n=MAX_REASON)
    if any(invisible(ch) for ch in reason):
        raise PrintRefusal("The reason has control characters", field="reason")
    job = get(db, job_id)
    if job.status not in ("held", "queued", "unconfirmed"):
        raise PrintRefusal("This job cannot be cancelled now", status=job.status)
    with write(db):
        mark(db, clock, job_id, "cancelled", f"{actor.name}: {reason}")
        audit.record(db, clock, actor, "print.cancel", "print_jobs", job_id, {"status": job.status},
                     {"status": "cancelled", "reason": reason})


def queued_count(db: sqlite_utils.Database) -> int:
    """How many jobs wait for the printer (through the partial index)."""
    return db.execute("SELECT COUNT(*) FROM print_queue INDEXED BY print_queue_live"
                      " WHERE status IN ('queued', 'sending')").fetchone()[0]


def attention_count(db: sqlite_utils.Database) -> int:
    """How many jobs are held, or unconfirmed and not resolved by a printed copy (partial index)."""
    return db.execute("SELECT COUNT(*) FROM print_queue INDEXED BY print_queue_attention"
                      " WHERE status IN ('held', 'unconfirmed') AND resolved_by IS NULL").fetchone()[0]
