"""One supervisor for every worker thread: an exception is logged with its traceback, published as a
state the status bar shows, and the worker runs again after a back-off. Nothing dies silently.

Plain Python (no Kivy): the phone reader, the call tracker, the print worker and the background jobs
(housekeeping, exports) all run under it. States go out as "worker.state" events on the bus.
"""
from __future__ import annotations

import enum
import logging
import threading
import time
import weakref
from typing import Any, Callable

log = logging.getLogger(__name__)

Body = Callable[[threading.Event], None]
Publish = Callable[..., None]
WORKER_STATE = "worker.state"


_STARTED: "weakref.WeakSet[Supervisor]" = weakref.WeakSet()


def started() -> list["Supervisor"]:
    """Every supervisor started in this process and not yet garbage (the watchdog's list)."""
    return list(_STARTED)


class WorkerState(str, enum.Enum):
    IDLE = "idle"               # built, not started
    RUNNING = "running"
    RESTARTING = "restarting"   # died; waiting out the back-off before running again
    STOPPED = "stopped"


class Supervisor:
    """Runs ``body(stop)`` in a daemon thread and runs it again, with back-off, whenever it raises.

    ``body`` must return once ``stop`` is set; returning before that counts as a death too (a loop
    that ends by itself is a bug, and the desk must not lose its worker quietly). The delay doubles
    from ``first_delay`` up to ``max_delay`` and starts over after a run that lasted ``healthy_after``
    seconds. ``wait(seconds)`` is how the back-off is waited out (tests pass one that moves a FakeClock).
    """

    def __init__(self, name: str, body: Body, *, publish: Publish | None = None, first_delay: float = 1.0,
                 max_delay: float = 60.0, healthy_after: float = 60.0,
                 monotonic: Callable[[], float] = time.monotonic,
                 wait: Callable[[float], Any] | None = None) -> None:
        if first_delay < 0 or max_delay < first_delay:
            raise ValueError("back-off must satisfy 0 <= first_delay <= max_delay")
        self.name, self.body, self.publish = name, body, publish
        self.first_delay, self.max_delay, self.healthy_after = first_delay, max_delay, healthy_after
        self.monotonic = monotonic
        self._stop = threading.Event()
        self._wait = wait or self._stop.wait
        self._thread: threading.Thread | None = None
        self._lock = threading.Lock()
        self.state = WorkerState.IDLE
        self.restarts = 0
        self.last_error = ""

    @property
    def stopping(self) -> threading.Event:
        """Set when stop() was called; the body's loop watches it."""
        return self._stop

    @property
    def alive(self) -> bool:
        return self._thread is not None and self._thread.is_alive()

    def start(self) -> "Supervisor":
        """Start the thread (once)."""
        with self._lock:
            if self._thread is None:
                _STARTED.add(self)  # the watchdog (kiosk.core.notify) checks every started worker
                self._thread = threading.Thread(target=self._loop, name=self.name, daemon=True)
                self._thread.start()
        return self

    def stop(self, timeout: float = 5.0) -> None:
        """Ask the body to end and wait up to timeout seconds for the thread."""
        self._stop.set()
        thread = self._thread
        if thread is not None and thread is not threading.current_thread():
            thread.join(timeout)
            if thread.is_alive():
                log.warning("worker %s did not stop within %.1f s", self.name, timeout)

    def _set_state(self, state: WorkerState, detail: str = "", delay: float = 0.0) -> None:
        """The one place the state changes: logged and published."""
        self.state = state
        level = logging.WARNING if state == WorkerState.RESTARTING else logging.DEBUG
        log.log(level, "worker %s: %s %s", self.name, state.value, detail)
        if self.publish is None:
            return
        try:
            self.publish(WORKER_STATE, name=self.name, state=state.value, detail=detail,
                         restarts=self.restarts, delay=delay)
        except Exception:  # a broken listener must not take the worker down with it
            log.exception("publishing the state of worker %s failed", self.name)

    def _loop(self) -> None:
        delay = self.first_delay
        while not self._stop.is_set():
            self._set_state(WorkerState.RUNNING)
            began = self.monotonic()
            try:
                self.body(self._stop)
            except Exception as exc:
                log.exception("worker %s died", self.name)
                error = f"{type(exc).__name__}: {exc}"[:200]
            else:
                if self._stop.is_set():
                    break
                log.error("worker %s ended by itself", self.name)
                error = "ended by itself"
            if self.monotonic() - began >= self.healthy_after:
                delay = self.first_delay  # it had been fine for a while: not a crash loop
            self.restarts += 1
            self.last_error = error
            self._set_state(WorkerState.RESTARTING, error, delay)
            self._wait(delay)
            delay = min(max(delay * 2, self.first_delay), self.max_delay)
        self._set_state(WorkerState.STOPPED)
