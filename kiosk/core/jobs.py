"""Background jobs: slow work (exports, housekeeping, anonymisation) off the UI thread.

One supervised thread runs submitted jobs in order. A job reports through the bus only:
"<kind>.started", "<kind>.progress" (fraction, step), then "<kind>.finished" (result) or
"<kind>.failed" (error text and the exception), each with the job's number. A job that raises is logged with
its traceback, reported as failed, and the thread starts over (the supervisor says so), so a broken
database connection is not reused; a Refusal is only reported (the request was refused, nothing broke).
"""
from __future__ import annotations

import itertools
import logging
import queue
import threading
from dataclasses import dataclass
from typing import Any, Callable

from kiosk.core.errors import Refusal
from kiosk.core.events import EventBus
from kiosk.core.supervisor import Supervisor

log = logging.getLogger(__name__)

Progress = Callable[[float, str], None]
JobFn = Callable[[Progress], Any]
POLL = 1.0  # an idle thread also looks at its stop flag this often (stop() wakes it at once)


@dataclass(frozen=True)
class Job:
    number: int
    kind: str
    fn: JobFn
    key: str | None


class JobFailed(Exception):
    """Raised into the supervisor after a job failed, so the worker starts over cleanly."""


class BackgroundJobs:
    """Submit from any thread (the UI's); jobs run one at a time in the worker thread.

    ``on_thread_exit`` runs in the worker thread each time a run ends (the app passes the context's
    ``close``, which closes that thread's database connection).
    """

    def __init__(self, bus: EventBus, *, name: str = "jobs", on_thread_exit: Callable[[], None] | None = None,
                 **supervisor_options: Any) -> None:
        self.bus = bus
        self._queue: queue.Queue[Job | None] = queue.Queue()
        self._numbers = itertools.count(1)
        self._keys: set[str] = set()   # keys queued or running: a periodic job is never stacked up
        self._lock = threading.Lock()
        self._on_thread_exit = on_thread_exit
        self.supervisor = Supervisor(name, self._body, publish=bus.publish, **supervisor_options)

    def start(self) -> "BackgroundJobs":
        self.supervisor.start()
        return self

    def stop(self, timeout: float = 5.0) -> None:
        """Finish the running job (waiting up to timeout seconds); queued jobs are dropped."""
        self.supervisor.stopping.set()
        self._queue.put(None)  # wake an idle thread
        self.supervisor.stop(timeout)

    def submit(self, kind: str, fn: JobFn, *, key: str | None = None) -> int | None:
        """Queue fn(progress); returns the job's number, or None when a job with this key is pending."""
        if not kind or "." in kind:
            raise ValueError(f"a job kind is one word, got {kind!r}")
        with self._lock:
            if key is not None:
                if key in self._keys:
                    return None
                self._keys.add(key)
            job = Job(next(self._numbers), kind, fn, key)
        self._queue.put(job)
        return job.number

    def pending(self) -> int:
        """Jobs waiting (not counting the one running)."""
        return self._queue.qsize()

    def _body(self, stop: threading.Event) -> None:
        try:
            while not stop.is_set():
                try:
                    job = self._queue.get(timeout=POLL)
                except queue.Empty:
                    continue
                if job is not None:
                    self._run(job)
        finally:
            if self._on_thread_exit is not None:
                self._on_thread_exit()

    def _run(self, job: Job) -> None:
        def progress(fraction: float, step: str = "") -> None:
            self.bus.publish(f"{job.kind}.progress", job=job.number, fraction=min(max(float(fraction), 0.0), 1.0),
                             step=step)
        try:
            self.bus.publish(f"{job.kind}.started", job=job.number)
            result = job.fn(progress)
        except Refusal as exc:  # a refused request (a range too long, no stick): not a broken worker
            log.info("background job %s #%d refused: %s", job.kind, job.number, exc)
            self.bus.publish(f"{job.kind}.failed", job=job.number, error=str(exc)[:300], exception=exc)
            return
        except Exception as exc:
            log.exception("background job %s #%d failed", job.kind, job.number)
            # The exception itself travels too: a screen shows a Refusal in its own language (message_of).
            self.bus.publish(f"{job.kind}.failed", job=job.number, error=f"{type(exc).__name__}: {exc}"[:300],
                             exception=exc)
            raise JobFailed(f"{job.kind} #{job.number}: {type(exc).__name__}: {exc}") from exc
        finally:
            self._release(job)
        self.bus.publish(f"{job.kind}.finished", job=job.number, result=result)

    def _release(self, job: Job) -> None:
        if job.key is not None:
            with self._lock:
                self._keys.discard(job.key)
