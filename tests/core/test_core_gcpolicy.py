"""kiosk.core.gcpolicy: bulk loads pause the collector and freeze what they made, so no later pass walks it
(issue 18: one generation-2 pass over the pinyin index stood the screen still for 594 ms during a call)."""
from __future__ import annotations

import gc
import threading
import weakref

import pytest

from kiosk.core import gcpolicy


@pytest.fixture
def managed():
    was_enabled = gc.isenabled()
    gc.enable()
    gcpolicy.manage()
    yield
    gcpolicy.manage(False)
    gc.unfreeze()   # hand every frozen object back to the ordinary collector (the rest of the test process)
    gc.collect()
    if not was_enabled:
        gc.disable()


class Node:
    """A cyclic object: only the collector (never reference counting) frees it."""

    def __init__(self) -> None:
        self.me = self


def _in_young_generations(obj) -> bool:
    return any(o is obj for gen in (0, 1, 2) for o in gc.get_objects(generation=gen))


def test_unmanaged_process_keeps_the_ordinary_collector() -> None:
    gcpolicy.manage(False)
    frozen = gc.get_freeze_count()
    with gcpolicy.bulk_load("test"):
        assert gc.isenabled()
        kept = [Node() for _ in range(100)]
    assert gc.get_freeze_count() == frozen
    assert gcpolicy.settle() == frozen and gcpolicy.collect_when_quiet() == 0.0
    assert _in_young_generations(kept[0])


def test_bulk_load_pauses_collection_and_freezes_what_it_made(managed) -> None:
    with gcpolicy.bulk_load("an index"):
        assert not gc.isenabled()
        index = {i: (Node(), [i]) for i in range(20_000)}
    assert gc.isenabled()
    assert gc.get_freeze_count() >= 40_000
    assert not _in_young_generations(index[123][0])   # never walked by a later pass
    gc.collect()
    assert index[123][0].me is index[123][0]          # and of course still alive


def test_overlapping_loads_on_two_threads_resume_collection_once_both_end(managed) -> None:
    inside, release = threading.Event(), threading.Event()

    def other() -> None:
        with gcpolicy.bulk_load("other"):
            inside.set()
            release.wait(10)
    thread = threading.Thread(target=other)
    thread.start()
    assert inside.wait(10)
    with gcpolicy.bulk_load("mine"):
        pass
    assert not gc.isenabled()     # the other load is still running
    assert gcpolicy.collect_when_quiet() == 0.0   # and no full pass meanwhile
    release.set()
    thread.join(10)
    assert gc.isenabled()


def test_a_collector_switched_off_before_stays_off(managed) -> None:
    gc.disable()
    with gcpolicy.bulk_load("test"):
        pass
    assert not gc.isenabled()
    gc.enable()


def test_an_exception_inside_the_load_still_resumes_collection(managed) -> None:
    with pytest.raises(ValueError):
        with gcpolicy.bulk_load("broken"):
            raise ValueError("cache unreadable")
    assert gc.isenabled()


def test_the_quiet_collection_frees_garbage_that_was_frozen(managed) -> None:
    garbage = Node()
    probe = weakref.ref(garbage)
    gcpolicy.settle()
    del garbage
    gc.collect()
    assert probe() is not None     # frozen: the ordinary passes never free it
    seconds = gcpolicy.collect_when_quiet()
    assert probe() is None and seconds > 0
    assert gc.get_freeze_count() > 0   # what lives is frozen again


def test_settle_waits_for_a_running_load(managed) -> None:
    before = gc.get_freeze_count()
    with gcpolicy.bulk_load("test"):
        made = [Node() for _ in range(1000)]
        assert gcpolicy.settle() == before
    assert gc.get_freeze_count() >= before + 1000 and made


def test_release_hands_frozen_objects_back_and_a_load_ending_after_it_freezes_nothing(managed) -> None:
    inside, release = threading.Event(), threading.Event()
    made: list = []

    def loader() -> None:
        with gcpolicy.bulk_load("late"):
            inside.set()
            release.wait(10)
            made.extend(Node() for _ in range(100))
    thread = threading.Thread(target=loader)
    thread.start()
    assert inside.wait(10)
    gcpolicy.release()   # the app stops while the index is still loading
    release.set()
    thread.join(10)
    assert gc.get_freeze_count() == 0 and gc.isenabled() and not gcpolicy.managed()
    assert _in_young_generations(made[0])


def test_a_pause_works_unmanaged_and_freezes_nothing() -> None:
    gcpolicy.manage(False)
    frozen = gc.get_freeze_count()
    with gcpolicy.paused("an export"):
        assert not gc.isenabled()
        cells = [Node() for _ in range(100)]
    assert gc.isenabled() and gc.get_freeze_count() == frozen and _in_young_generations(cells[0])


def test_an_export_overlapping_the_index_load_shares_one_count(managed) -> None:
    """An export's pause ending inside a bulk load must not turn collection back on; the load still freezes."""
    inside, release = threading.Event(), threading.Event()

    def export() -> None:
        with gcpolicy.paused("an export"):
            inside.set()
            release.wait(10)
    thread = threading.Thread(target=export)
    with gcpolicy.bulk_load("the index"):
        thread.start()
        assert inside.wait(10)
        index = [Node() for _ in range(1000)]
        release.set()
        thread.join(10)
        assert not gc.isenabled(), "the export's end resumed collection inside the load"
    assert gc.isenabled() and not _in_young_generations(index[0])
    with gcpolicy.paused("a later export"):   # a pause alone freezes nothing
        later = [Node() for _ in range(10)]
    assert _in_young_generations(later[0])



def test_collect_now_frees_what_is_not_frozen_only_while_managed_and_outside_a_bulk_load(managed) -> None:
    gcpolicy.manage(False)
    assert gcpolicy.collect_now() == 0.0
    gcpolicy.manage()
    with gcpolicy.bulk_load("test"):
        assert gcpolicy.collect_now() == 0.0   # a load in progress: its objects are frozen when it ends
    node = Node()
    ref = weakref.ref(node)
    del node
    assert gcpolicy.collect_now() >= 0.0 and ref() is None, "a cycle made since the freeze is collected"
