"""One way for worker threads to reach the UI: publish events; a delivery function runs handlers.

The core never knows about Kivy. The UI installs a delivery that hops to its main thread
(``Clock.schedule_once``); tests and the CLI use the default, which runs handlers at once.
"""
from __future__ import annotations

import logging
import threading
from dataclasses import dataclass, field
from typing import Any, Callable

log = logging.getLogger(__name__)

Handler = Callable[["Event"], None]
Delivery = Callable[[Callable[[], None]], None]
ErrorHandler = Callable[[str, Exception], None]


@dataclass(frozen=True)
class Event:
    """Something that happened: ``kind`` names it ("phone.state", "call.prompt", "printer.state"...)."""

    kind: str
    data: dict[str, Any] = field(default_factory=dict)


def _immediate(fn: Callable[[], None]) -> None:
    fn()


class EventBus:
    """Thread-safe publish/subscribe. Handlers run through the installed delivery function."""

    def __init__(self, delivery: Delivery = _immediate) -> None:
        self._handlers: dict[str, list[Handler]] = {}
        self._lock = threading.Lock()
        self._delivery = delivery
        self._on_error: ErrorHandler | None = None

    def set_error_handler(self, on_error: ErrorHandler | None) -> None:
        """Also tell someone (the UI shows staff a message) when a handler raises; it is logged anyway."""
        self._on_error = on_error

    def set_delivery(self, delivery: Delivery) -> None:
        """Install how handlers are run (the UI passes its main-thread scheduler)."""
        self._delivery = delivery

    def subscribe(self, kind: str, handler: Handler) -> Callable[[], None]:
        """Run handler for events of this kind ("*" for all); returns an unsubscribe function."""
        with self._lock:
            self._handlers.setdefault(kind, []).append(handler)

        def unsubscribe() -> None:
            with self._lock:
                if handler in self._handlers.get(kind, []):
                    self._handlers[kind].remove(handler)
        return unsubscribe

    def publish(self, kind: str, **data: Any) -> None:
        """Publish from any thread; handlers run via the delivery function."""
        event = Event(kind, data)
        with self._lock:
            handlers = list(self._handlers.get(kind, [])) + list(self._handlers.get("*", []))
        if not handlers:
            return

        def run() -> None:
            for handler in handlers:
                try:
                    handler(event)
                except Exception as exc:  # one bad handler must not starve the others
                    log.exception("event handler failed for %s", kind)
                    self._report(kind, exc)
        self._delivery(run)

    def _report(self, kind: str, exc: Exception) -> None:
        on_error = self._on_error
        if on_error is None:
            return
        try:
            on_error(kind, exc)
        except Exception:  # the error path itself must never raise into a worker
            log.exception("error handler failed for %s", kind)
