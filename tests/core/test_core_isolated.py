"""A long service call in a child process (kiosk.core.isolated, issue 18): progress, result and refusals come
back; a child that dies is reported, never waited on for ever; and its work never stalls this process."""
from __future__ import annotations

import threading
import time
from datetime import timedelta

import pytest

from kiosk.core import db as db_mod
from kiosk.core import isolated
from kiosk.core.clock import FakeClock
from kiosk.reports.files import ExportError

T = "tests.core.isolated_targets:"


@pytest.fixture
def database(tmp_path):
    path = tmp_path / "数据 ｄｂ" / "kiosk.db"
    db_mod.connect(path).conn.close()
    return path


def test_progress_from_two_threads_and_the_result_come_back(database):
    clock = FakeClock()
    seen = []
    text = "进度🙂\x1bＦＵＬＬ" * 200
    result = isolated.run_with_db(T + "work", database, clock, lambda f, s: seen.append((f, s)), steps=400, text=text)
    assert result["text"] == text and result["sites"] >= 0
    assert abs(result["now"] - clock.now()) < timedelta(seconds=30)    # the caller's time, not the machine's
    assert sorted(int(s.rsplit(":", 1)[1]) for _, s in seen) == list(range(400))  # none lost, none torn


def test_a_refusal_keeps_its_type_and_words(database):
    with pytest.raises(ExportError) as caught:
        isolated.run_with_db(T + "refuse", database, FakeClock(), None, folder="/media/U盘")
    assert caught.value.params["name"] == "日志.csv" and caught.value.params["folder"] == "/media/U盘"


def test_an_exception_that_cannot_travel_is_named(database):
    with pytest.raises(RuntimeError, match="Odd: odd"):
        isolated.run_with_db(T + "unpicklable", database, FakeClock(), None)


def test_a_child_that_dies_is_reported(database):
    seen = []
    started = time.monotonic()
    with pytest.raises(isolated.ChildDied, match="exit code 3"):
        isolated.run_with_db(T + "die", database, FakeClock(), lambda f, s: seen.append(s))
    assert seen == ["half"] and time.monotonic() - started < 30


def test_a_missing_database_is_refused_in_the_child(tmp_path):
    # A storage fault does not rebuild from a pickle: it comes back named, as a RuntimeError
    with pytest.raises(RuntimeError, match="StorageFault"):
        isolated.run_with_db(T + "work", tmp_path / "gone.db", FakeClock(), None, steps=1, text="")
    assert not (tmp_path / "gone.db").exists()


def _longest_gap_while(run) -> float:
    """The longest gap between this thread's 2 ms naps while `run` works on another thread."""
    worker = threading.Thread(target=run)
    gaps, last = [], time.perf_counter()
    worker.start()
    while worker.is_alive():
        time.sleep(0.002)
        now = time.perf_counter()
        gaps.append(now - last)
        last = now
    worker.join()
    return max(gaps)


def test_the_childs_work_never_holds_this_process(database):
    n = 60_000_000
    in_thread = _longest_gap_while(lambda: sum(range(n)))
    in_child = _longest_gap_while(lambda: isolated.run_with_db(T + "burn", database, FakeClock(), None, n=n))
    assert in_thread > 0.3, "the control: one C call on a thread holds this process's interpreter lock"
    assert in_child < in_thread / 3, (in_child, in_thread)
