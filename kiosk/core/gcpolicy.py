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
_pause_no = 0            # which pause the overdue timer belongs to (a later pause has its own)
_overdue: threading.Timer | None = None
_freeze_wanted = False   # whether a bulk load (not only pauses) ran in the current pause
# The longest collection stays paused however long a load takes (a cold index build is tens of seconds on a Pi):
# a load hung on a stalled SD card had kept it off for good (attack 18: +213 MB an hour of a busy day).
MAX_PAUSE_S = 120.0


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
def paused(what: str = "") -> Iterator[None]:
    """Run work that makes millions of short-lived, acyclic objects (an export's cells) with automatic
    collection paused: reference counting frees them, and the collector's passes over them found nothing
    (a tenth of a month export's CPU). Active in every process, managed or not; nothing is frozen after.

    Pauses and bulk loads share one count: collection resumes when the last of them ends (or after
    MAX_PAUSE_S), and only if it was on before the first began (a test that switched it off keeps it off)."""
    _begin_pause()
    try:
        yield
    finally:
        _end_pause(freeze=False, what=what)


@contextmanager
def bulk_load(what: str = "") -> Iterator[None]:
    """Run a load of long-lived data with automatic collection paused, then freeze what it made.

    Counted with :func:`paused`; the heap is frozen when the last pause ends if any of them was a bulk load.
    A no-op in a process the app does not manage."""
    if not _managed:
        yield
        return
    _begin_pause()
    try:
        yield
    finally:
        _end_pause(freeze=True, what=what)


def _begin_pause() -> None:
    global _paused, _was_enabled, _pause_no, _overdue, _freeze_wanted
    with _lock:
        if _paused == 0:
            _was_enabled = gc.isenabled()
            _freeze_wanted = False
            gc.disable()
            _pause_no += 1
            _overdue = threading.Timer(MAX_PAUSE_S, _resume_overdue, args=(_pause_no,))
            _overdue.daemon = True
            _overdue.start()
        _paused += 1


def _end_pause(*, freeze: bool, what: str) -> None:
    global _paused, _overdue, _freeze_wanted
    with _lock:
        _paused -= 1
        _freeze_wanted = _freeze_wanted or freeze
        if _paused:
            return
        if _overdue is not None:
            _overdue.cancel()
            _overdue = None
        if _managed and _freeze_wanted:   # (released meanwhile: the app stopped; nothing more is frozen)
            _freeze()
        if _was_enabled:
            gc.enable()
        if _freeze_wanted and log.isEnabledFor(logging.DEBUG):   # the count walks every frozen object
            log.debug("heap frozen after %s: %d objects permanent", what or "a bulk load", gc.get_freeze_count())


def _freeze() -> None:
    """gc.freeze, then a pass over what is left (nothing much: cheap). The pass matters: the automatic full
    pass waits until a quarter of the objects its last one counted have been promoted since, and a freeze
    leaves that count as it was - after the nightly pass over the whole heap, dropped screens piled up all
    day (attack 18: 40,619 of 58,000 uncollected, 126 with this pass)."""
    gc.freeze()
    gc.collect()


def _resume_overdue(number: int) -> None:
    """The pause `number` has lasted MAX_PAUSE_S: collection resumes although a load is still running."""
    with _lock:
        if _paused and number == _pause_no and _was_enabled:
            gc.enable()
            log.warning("a bulk load has run %.0f s: automatic collection resumed meanwhile", MAX_PAUSE_S)


def settle() -> int:
    """Freeze what exists now (after start-up: modules, kv rules, the first screens); returns the count.
    A no-op while a bulk load is running (it freezes when it ends)."""
    with _lock:
        if _managed and _paused == 0:
            _freeze()
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
        _freeze()
        return time.perf_counter() - started


def collect_now() -> float:
    """A full pass over what is not frozen, now, while nobody touches the screen: the seconds it took.

    The section pool builds a few hundred thousand long-lived objects (its blank screens) after start-up's
    freeze; once they are a quarter of the heap the collector's automatic full pass is due, and it came in a
    staff member's first tap (bench: Reports' first open, 100 ms of it one pass). Run when the pool is full,
    the pass is spent on an idle moment and the next one is a quarter of the heap away. Unlike
    :func:`collect_when_quiet` it walks only what is not frozen (tens of ms)."""
    with _lock:
        if not _managed or _paused:
            return 0.0
        started = time.perf_counter()
        gc.collect()
        return time.perf_counter() - started

