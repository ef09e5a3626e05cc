"""The print worker: one thread takes stored jobs in order and sends each original at most once.

Lifecycle (kiosk.printing.queue): a job is marked 'sending' and committed before its first byte
goes out; then 'printed' when the printer confirms, 'unconfirmed' when it took bytes but did not
confirm (never sent again as an original: one marked copy is queued at once, without the drawer
pulse), a failed attempt when a
transient fault (off, paper out, cover open, refused) stopped it before any byte went out (tried
again after a back-off, held after `attempts` tries), 'held' at once for any other failure. A held
job never blocks the jobs after it. A job found 'sending' at start was caught by a crash or power
cut between send and mark: it is resolved as unconfirmed.

It owns its own database connection, never touches widgets, and tells the rest of the app what is
going on through "printer.state" events on the bus. Anything that escapes the loop (a locked or
broken database) is published as state "error" and re-raised: kiosk.core.supervisor logs the
traceback and runs the loop again after a pause, with a fresh connection. The idle worker sleeps on
kiosk.printing.queue.waker (set when a job is queued), not on a poll of the history.
"""
from __future__ import annotations

import logging
import threading
import time

from hardware.printer.connections import TRANSIENT, Printer, PrinterError
from hardware.printer.escpos import PrinterProfile, render
from kiosk.core import db as db_mod
from kiosk.core.context import Context
from kiosk.core.supervisor import Supervisor
from kiosk.printing import queue as printqueue

log = logging.getLogger(__name__)
POLL_SECONDS = 5.0   # idle look for jobs queued by another process (the CLI); in-process jobs wake it
MAX_BACKOFF = 30.0
ATTEMPTS = 5
EXPECT_SECONDS = 2.0  # after a wake-up, how long to look for the job's commit before sleeping again
PROBE_SECONDS = 30.0  # while idle, ask a printer that answers DLE EOT how it is (paper near end, cover)
# Why the printer shows "error" (msgids, translated on the status bar in the screen's language).
def _(msgid: str) -> str:
    """Marks a msgid for the catalogue check; the status bar translates it."""
    return msgid


REASON_CRASH = _("printing stopped on an error and restarts")
REASON_HELD = _("a job could not be printed and is held")
REASON_SEND = _("the printer connection failed; the job was not confirmed")


class PrintWorker:
    """Prints queued jobs; `stop()` ends the thread."""

    def __init__(self, ctx: Context, printer: Printer, profile: PrinterProfile, *, poll: float = POLL_SECONDS,
                 max_backoff: float = MAX_BACKOFF, attempts: int = ATTEMPTS, first_backoff: float = 1.0,
                 waker: printqueue.Waker | None = None, probe_every: float = PROBE_SECONDS) -> None:
        self.ctx, self.printer, self.profile = ctx, printer, profile
        self.poll, self.max_backoff, self.attempts = poll, max_backoff, max(1, attempts)
        self.first_backoff = min(first_backoff, max_backoff)
        self.waker = waker or printqueue.waker
        self.probe_every = probe_every
        self.supervisor = Supervisor("printer", self._run, publish=ctx.bus.publish,
                                     first_delay=min(1.0, max_backoff), max_delay=max_backoff,
                                     monotonic=ctx.clock.monotonic)
        self._stop = self.supervisor.stopping
        self._last_state: tuple[str, str, int, int] | None = None
        # Whether this printer has ever answered DLE EOT (state, not a record): one that has and
        # then says nothing after a job is offline, not a "no status" printer whose jobs count as
        # printed. StreamPrinter keeps the same flag itself and refuses to send to such a printer.
        self.answers_status = bool(getattr(printer, "answers_status", False))

    def start(self) -> "PrintWorker":
        self.supervisor.start()
        return self

    def stop(self, timeout: float = 5.0) -> None:
        self._stop.set()
        self.waker.wake()
        self.supervisor.stop(timeout)

    def _publish(self, state: str, detail: str, database, reason: str = "") -> None:
        queued, attention = printqueue.queued_count(database), printqueue.attention_count(database)
        if (state, detail, queued, attention) != self._last_state:
            self._last_state = (state, detail, queued, attention)
            log.info("printer %s: %s (%d queued, %d need attention)", state, detail, queued, attention)
            self.ctx.bus.publish("printer.state", state=state, detail=detail, queued=queued, attention=attention,
                                 reason=reason)

    def _run(self, stop: threading.Event) -> None:
        self._last_state = None  # after a restart the status bar hears the state again
        try:
            database = db_mod.connect(self.ctx.db_path)
        except Exception as exc:
            self._publish_error(exc)
            raise
        try:
            self._loop(database, stop)
        except Exception as exc:
            self._publish_error(exc)
            raise  # the supervisor logs the traceback and restarts after a pause
        finally:
            database.close()

    def _publish_error(self, exc: Exception) -> None:
        try:
            self.ctx.bus.publish("printer.state", state="error", detail=f"{type(exc).__name__}: {exc}"[:200],
                                 queued=0, attention=0, reason=REASON_CRASH)
        except Exception:
            log.exception("publishing the printer's error failed")

    def _loop(self, database, stop: threading.Event) -> None:
        idle_state = "virtual" if self.printer.virtual else "ok"
        for job_id in printqueue.resolve_interrupted(database, self.ctx.clock):
            log.warning("print job %s was interrupted while sending: unconfirmed", job_id)
        self._publish(idle_state, self.printer.name, database)
        backoff = self.first_backoff
        probed = time.monotonic()
        expect_until = 0.0
        while not stop.is_set():
            job = printqueue.next_job(database)
            if job is None:
                if time.monotonic() < expect_until:
                    # Woken for a job whose transaction has not committed yet (a sale commits its
                    # print job with everything else): look again soon (a poll costs microseconds).
                    stop.wait(0.005)
                    continue
                if time.monotonic() - probed >= self.probe_every:
                    probed = time.monotonic()
                    self._probe(database, idle_state)
                if self.waker.wait(min(self.poll, self.probe_every)):
                    expect_until = time.monotonic() + EXPECT_SECONDS
                continue
            expect_until = 0.0
            outcome = self._print(database, job)
            if outcome in TRANSIENT:
                # Keep the order: the same job goes first when the printer is back.
                self.waker.event.clear()
                stop.wait(backoff)
                backoff = min(backoff * 2, self.max_backoff)
                continue
            backoff = self.first_backoff
            if outcome not in ("error",):
                self._publish(outcome if outcome == "paper_low" else idle_state, self.printer.name, database)

    def _probe(self, database, idle_state: str) -> None:
        """The idle printer's state on the status bar (only printers that answer DLE EOT)."""
        probe = getattr(self.printer, "probe", None)
        if probe is None:
            return
        try:
            state = probe()
        except PrinterError as exc:
            self._publish(exc.state, exc.detail, database)
            return
        if state in (None, "ok"):
            self._publish(idle_state, self.printer.name, database)
        else:
            self._publish(state, self.printer.name, database)

    def _print(self, database, job: printqueue.Job) -> str:
        """Send one job and record how it ended; returns the printer state to show."""
        clock = self.ctx.clock
        try:
            # The drawer opens only with an original, and an original is only ever sent once.
            data = render(job.receipt, self.profile, kick=job.kick_drawer and not job.is_copy)
        except Exception as exc:
            log.exception("print job %s cannot be rendered", job.id)
            printqueue.mark(database, clock, job.id, "held", f"error: {type(exc).__name__}: {exc}")
            self._publish("error", f"job {job.id}: {exc}", database, REASON_HELD)
            return "error"
        # Committed before the first byte: a crash from here on leaves 'sending', resolved at start.
        printqueue.mark(database, clock, job.id, "sending")
        try:
            result = self.printer.send(data, job.receipt)
        except PrinterError as exc:
            return self._failed(database, job, exc)
        except Exception as exc:  # a bug in a connection: nothing says no byte went out
            log.exception("print job %s failed", job.id)
            printqueue.unconfirmed(database, clock, job.id, f"error: {type(exc).__name__}: {exc}")
            self._publish("error", str(exc), database, REASON_SEND)
            return "error"
        if not result.silent:
            self.answers_status = True
        elif self.answers_status:
            # It answered before and is silent now: what it took is not confirmed, and it is offline.
            detail = "sent; the printer answered status before and is silent now"
            printqueue.unconfirmed(database, clock, job.id, detail)
            self._publish("offline", f"{self.printer.name}: {detail}", database)
            return "error"
        if result.confirmed or result.silent:
            # A printer that never answers status cannot confirm anything: what it took is printed.
            printqueue.mark(database, clock, job.id, "printed", result.detail)
            return result.paper
        printqueue.unconfirmed(database, clock, job.id, result.detail)
        return "ok"

    def _failed(self, database, job: printqueue.Job, exc: PrinterError) -> str:
        clock = self.ctx.clock
        if exc.sent:
            # Part of it may be on paper: the original is spent; it is resent once, as a marked copy.
            printqueue.unconfirmed(database, clock, job.id, exc.detail)
            self._publish(exc.state, exc.detail, database)
            return exc.state if exc.state in TRANSIENT else "error"
        attempts = job.attempts + 1
        if exc.state in TRANSIENT and attempts < self.attempts:
            printqueue.mark(database, clock, job.id, "failed", exc.detail, attempts=attempts)
        else:
            printqueue.mark(database, clock, job.id, "held", f"{exc.detail} ({attempts} attempts)", attempts=attempts)
        self._publish(exc.state, exc.detail, database)
        return exc.state if exc.state in TRANSIENT else "error"
