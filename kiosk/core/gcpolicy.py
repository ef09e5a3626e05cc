"""The garbage collector kept off the screen's way (issue 18).

A collector pass holds the interpreter lock, whichever thread starts it, so one started by a loader thread
stands the UI still as surely as one started by the UI. Measured in bench/history_bench.py: while the pinyin
index unpickled on its own thread during a call, one generation-2 pass took 594 ms, and every later pass had
to walk the index's millions of objects again although none of them ever becomes garbage.

So long-lived bulk data (the pinyin index and its warmed results, the start-up's modules and kv rules) is
loaded with automatic collection paused and then *frozen* (:func:`gc.freeze`: moved to the permanent
generation, never walked again); ordinary collection goes on for everything made afterwards. Freezing keeps
any cycle that was garbage at that moment, so it is done only at these few points, and
:func:`collect_when_quiet` (a full pass, then freeze again) gives that memory back while nobody is at the desk.

All of it is off until the app calls :func:`manage` (the kiosk's own process); a test process that builds
many engines and apps keeps the interpreter's ordinary collector and frees each of them.
"""
from __future__ import annotations

import gc
import logging
import threading
import time
from contextlib import contextmanager
from typing import Iterator

log = logging.getLogger(__name__)
_lock = threading.Lock()
_paused = 0              # bulk loads in progress (they may overlap on several threads)
_was_enabled = True      # whether automatic collection was on when the first of them began
_managed = False         # set by the app (manage): elsewhere every function here is a no-op


def manage(on: bool = True) -> None:
    """Let this process's collector be managed as described above (the kiosk app, at start-up)."""
    global _managed
    _managed = on


def release() -> None:
    """Stop managing and hand every frozen object back to the ordinary collector (the app has stopped)."""
    with _lock:
        manage(False)
        gc.unfreeze()


def managed() -> bool:
    """Whether :func:`manage` is on."""
    return _managed


@contextmanager
def bulk_load(what: str = "") -> Iterator[None]:
    """Run a load of long-lived data with automatic collection paused, then freeze what it made.

    Nested and concurrent uses are counted: collection resumes (and the heap is frozen) when the last ends,
    and only if it was on before the first began (a test that switched it off keeps it off)."""
    global _paused, _was_enabled
    if not _managed:
        yield
        return
    with _lock:
        if _paused == 0:
            _was_enabled = gc.isenabled()
            gc.disable()
        _paused += 1
    try:
        yield
    finally:
        with _lock:
            _paused -= 1
            if _paused == 0:
                if _managed:   # (released meanwhile: the app stopped; nothing more is frozen)
                    gc.freeze()
                if _was_enabled:
                    gc.enable()
                log.debug("heap frozen after %s: %d objects permanent", what or "a bulk load", gc.get_freeze_count())


def settle() -> int:
    """Freeze what exists now (after start-up: modules, kv rules, the first screens); returns the count.
    A no-op while a bulk load is running (it freezes when it ends)."""
    with _lock:
        if _managed and _paused == 0:
            gc.freeze()
        return gc.get_freeze_count()


def collect_when_quiet() -> float:
    """A full collection of everything, frozen objects included, then freeze again: the seconds it took.

    Call it only when nobody is at the desk (it walks the whole heap: a few hundred ms on a Pi); it frees
    whatever was garbage when the heap was last frozen (screens dropped on sign-out, say)."""
    with _lock:
        if not _managed or _paused:
            return 0.0
        started = time.perf_counter()
        gc.unfreeze()
        gc.collect()
        gc.freeze()
        return time.perf_counter() - started
