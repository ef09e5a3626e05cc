"""The print worker: one thread takes stored jobs in order and sends them, retrying with back-off.

It owns its own database connection, never touches widgets, and tells the rest of the app what is
going on through "printer.state" events on the bus. The thread runs under kiosk.core.supervisor: if
anything escapes the loop (a locked or broken database), it is logged and the loop starts over with a
fresh connection. hardware.devices builds and starts it from the configuration.
"""
from __future__ import annotations

import logging
import threading

from hardware.printer.connections import Printer, PrinterError
from hardware.printer.escpos import PrinterProfile, render
from kiosk.core import db as db_mod
from kiosk.core.context import Context
from kiosk.core.supervisor import Supervisor
from kiosk.printing import queue as printqueue

log = logging.getLogger(__name__)
POLL_SECONDS = 0.5
MAX_BACKOFF = 30.0


class PrintWorker:
    """Prints pending jobs; `stop()` ends the thread."""

    def __init__(self, ctx: Context, printer: Printer, profile: PrinterProfile, *, poll: float = POLL_SECONDS,
                 max_backoff: float = MAX_BACKOFF) -> None:
        self.ctx, self.printer, self.profile = ctx, printer, profile
        self.poll, self.max_backoff = poll, max_backoff
        self._wake = threading.Event()
        self.supervisor = Supervisor("printer", self._run, publish=ctx.bus.publish,
                                     first_delay=min(1.0, max_backoff), max_delay=max_backoff,
                                     monotonic=ctx.clock.monotonic)
        self._stop = self.supervisor.stopping
        self._last_state: tuple[str, str, int] | None = None

    def start(self) -> "PrintWorker":
        self.supervisor.start()
        return self

    def stop(self, timeout: float = 5.0) -> None:
        self._stop.set()
        self._wake.set()
        self.supervisor.stop(timeout)

    def _publish(self, state: str, detail: str, queued: int) -> None:
        if (state, detail, queued) != self._last_state:
            self._last_state = (state, detail, queued)
            log.info("printer %s: %s (%d queued)", state, detail, queued)
            self.ctx.bus.publish("printer.state", state=state, detail=detail, queued=queued)

    def _run(self, stop: threading.Event) -> None:
        database = db_mod.connect(self.ctx.db_path)
        self._last_state = None  # after a restart the status bar hears the state again
        idle_state = "virtual" if self.printer.virtual else "ok"
        backoff = 1.0
        try:
            self._publish(idle_state, self.printer.name, printqueue.queued_count(database))
            while not stop.is_set():
                jobs = printqueue.pending(database, limit=1)
                if not jobs:
                    self._wake.wait(self.poll)
                    self._wake.clear()
                    continue
                job = jobs[0]
                try:
                    data = render(job.receipt, self.profile, kick=job.kick_drawer)
                    result = self.printer.send(data, job.receipt)
                except PrinterError as exc:
                    printqueue.mark(database, self.ctx.clock, job.id, "failed", exc.detail)
                    self._publish(exc.state, exc.detail, printqueue.queued_count(database))
                    # Keep the order: the same job goes first when the printer is back.
                    self._stop.wait(backoff)
                    backoff = min(backoff * 2, self.max_backoff)
                    continue
                except Exception as exc:  # a bad document must not stop the queue forever
                    log.exception("print job %s failed", job.id)
                    printqueue.mark(database, self.ctx.clock, job.id, "failed", f"error: {exc}")
                    self._publish("error", str(exc), printqueue.queued_count(database))
                    self._stop.wait(backoff)
                    backoff = min(backoff * 2, self.max_backoff)
                    continue
                backoff = 1.0
                printqueue.mark(database, self.ctx.clock, job.id, "printed", result.detail)
                self._publish(idle_state, self.printer.name, printqueue.queued_count(database))
        finally:
            database.close()
