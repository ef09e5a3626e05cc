"""Exceptions nobody caught on the UI thread: logged with their traceback, shown to staff, app kept up.

Kivy hands every exception that escapes its loop (a button handler, a Clock callback, a kv rule) to
``ExceptionManager``; ``DeskExceptionHandler`` answers PASS so the loop carries on. Only
KeyboardInterrupt, SystemExit and their kin are let through: they are how the app is meant to stop.
"""
from __future__ import annotations

import logging
import time
from typing import Callable

from kivy.base import ExceptionHandler, ExceptionManager

from kiosk.core.errors import message_of

log = logging.getLogger(__name__)
REPEAT_WINDOW = 10.0   # seconds: the same failure again within this is counted, not logged in full
MAX_REMEMBERED = 50    # distinct failures kept for that count (bounded memory)




def failure_text(app, exc: BaseException) -> str:
    """What staff read: a refusal's own translated message; a storage fault (SQLite or the disk) as the
    sentence naming the file and what to do (kiosk.core.storage); otherwise a translated notice naming the
    kind of error (never its raw text, which may hold personal data)."""
    from kiosk.core import storage
    fault = storage.classify(exc) if not isinstance(exc, OSError) else None
    return message_of(fault or exc, app.lang)


class DeskExceptionHandler(ExceptionHandler):
    """Logs an escaped exception (once in full per REPEAT_WINDOW), reports it, answers PASS."""

    def __init__(self, report: Callable[[BaseException], None], *,
                 monotonic: Callable[[], float] = time.monotonic) -> None:
        self.report = report
        self.monotonic = monotonic
        self._seen: dict[tuple[str, str], tuple[float, int]] = {}

    def handle_exception(self, inst: BaseException):
        if not isinstance(inst, Exception):
            return ExceptionManager.RAISE
        try:
            if self._first_in_window(inst):
                log.error("unhandled exception on the UI thread; the app carries on", exc_info=inst)
                self.report(inst)
        except Exception:  # the handler must never raise into Kivy's loop
            log.exception("handling an exception failed")
        return ExceptionManager.PASS

    def _first_in_window(self, inst: Exception) -> bool:
        """False for a repeat of the same failure within REPEAT_WINDOW (a callback failing every frame
        would otherwise fill the disk with tracebacks and the screen with toasts)."""
        key = (type(inst).__name__, str(inst)[:200])
        now = self.monotonic()
        last, count = self._seen.get(key, (None, 0))
        if last is not None and now - last < REPEAT_WINDOW:
            self._seen[key] = (last, count + 1)
            return False
        if count:
            log.warning("%s repeated %d more times", key[0], count)
        if len(self._seen) >= MAX_REMEMBERED:
            self._seen.clear()
        self._seen[key] = (now, 0)
        return True
