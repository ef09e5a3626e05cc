"""Attack on issue 18's collector policy (kiosk.core.gcpolicy), by an outside tester.

Found: a bulk load that never ends (a cache read hung on a stalled SD card) kept automatic collection off for
good (+213 MB an hour of simulated desk churn); and after a freeze the automatic full pass waited for a quarter
of the heap its last pass had counted (the whole heap, after the nightly pass) to be promoted again, so dropped
screens piled up all day (40,619 of 58,000 uncollected). Also measured, by design and bounded: what other
threads drop while a load runs is frozen with it until the nightly pass."""
from __future__ import annotations

import gc
import threading
import weakref

import pytest

from kiosk.core import gcpolicy
from tests.core.test_core_gcpolicy import managed  # noqa: F401 - the fixture (manage, then hand everything back)


def _rss_mb() -> float:
    with open("/proc/self/statm") as handle:
        return int(handle.read().split()[1]) * 4096 / 2**20


class Screen:
    """A dropped screen: a cycle (only the collector frees it) holding 10 KB."""

    def __init__(self) -> None:
        self.me = self
        self.body = [bytearray(1000) for _ in range(10)]


class Node:
    """A small dropped screen: a cycle with a list."""

    def __init__(self) -> None:
        self.me = self
        self.items = [self]


def test_a_load_that_never_ends_does_not_keep_collection_off(managed, monkeypatch):
    monkeypatch.setattr(gcpolicy, "MAX_PAUSE_S", 0.2, raising=False)
    stuck, inside = threading.Event(), threading.Event()

    def hung_load() -> None:
        with gcpolicy.bulk_load("a cache on a stalled card"):
            inside.set()
            stuck.wait(30)
    loader = threading.Thread(target=hung_load, daemon=True)
    loader.start()
    try:
        assert inside.wait(10) and not gc.isenabled()
        probes = []
        start = _rss_mb()
        resumed = threading.Event()
        for _ in range(200):
            if resumed.wait(0.01):
                break
            if gc.isenabled():
                resumed.set()
        assert gc.isenabled(), "the collector stays off while the load hangs"
        for _ in range(20_000):   # a busy stretch of the day: 200 MB of dropped screens
            screen = Screen()
            probes.append(weakref.ref(screen))
            del screen
        gc.collect()
        assert sum(p() is not None for p in probes) == 0
        assert _rss_mb() - start < 100, "memory grew with the garbage"
    finally:
        stuck.set()
        loader.join(10)
    assert gc.isenabled() and gcpolicy.managed()


def test_the_automatic_full_pass_is_not_held_off_after_a_freeze(managed):
    """The nightly pass counts the whole heap (here 1.2 M long-lived objects, the index's size); dropped screens
    that lived through a few passes must be collected at the collector's ordinary cadence during the next day.
    Before the fix: no automatic full pass at all over 150,000 dropped screens, all of them left."""
    index = {i: (i, [i]) for i in range(600_000)}
    with gcpolicy.bulk_load("the index"):
        index[-1] = (0, [0])
    assert gcpolicy.collect_when_quiet() > 0
    full_passes = []

    def count(phase, info) -> None:
        if phase == "stop" and info["generation"] == 2:
            full_passes.append(1)
    gc.callbacks.append(count)
    try:
        probes, kept = [], []
        for _ in range(150_000):
            screen = Node()
            probes.append(weakref.ref(screen))
            kept.append(screen)
            if len(kept) > 2000:    # on screen for a while (promoted), then dropped
                kept.pop(0)
    finally:
        gc.callbacks.remove(count)
    uncollected = sum(p() is not None for p in probes) - len(kept)
    assert len(full_passes) >= 3, f"{len(full_passes)} automatic full passes over 150,000 dropped screens"
    assert uncollected < 150_000 * 0.4, f"{uncollected} dropped screens never collected"
    assert index[599_999] == (599_999, [599_999])


def test_garbage_dropped_by_another_thread_during_a_load_waits_for_the_night(managed):
    """Measured and by design: 7 s of a dropped screen a frame on the UI thread while the index builds: all 420
    frozen with the index (4.6 MB), freed by the nightly pass only."""
    go = threading.Event()

    def loader() -> None:
        with gcpolicy.bulk_load("cold index"):
            go.wait(30)
    thread = threading.Thread(target=loader)
    thread.start()
    probes = []
    for _ in range(420):
        screen = Screen()
        probes.append(weakref.ref(screen))
        del screen
    go.set()
    thread.join(10)
    gc.collect()
    assert sum(p() is not None for p in probes) == 420
    gcpolicy.collect_when_quiet()
    assert sum(p() is not None for p in probes) == 0


def test_many_apps_in_one_process_leave_nothing_frozen(managed):
    """The app started and stopped again and again in one process (manage, loads, settle, release)."""
    probes = []
    for _ in range(30):
        gcpolicy.manage()
        with gcpolicy.bulk_load("index"):
            made = [Screen() for _ in range(500)]
        probes.extend(weakref.ref(m) for m in made)
        gcpolicy.settle()
        del made
        gcpolicy.release()
        assert gc.get_freeze_count() == 0 and gc.isenabled()
    gc.collect()
    assert sum(p() is not None for p in probes) == 0
