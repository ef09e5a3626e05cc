"""Background jobs: off the caller's thread, in order, reported through the bus only; a failing job is
reported, logged with its traceback, and the worker starts over with a fresh connection."""
from __future__ import annotations

import logging
import queue
import threading

import pytest

from kiosk.core.clock import FakeClock
from kiosk.core.errors import Refusal, message_of
from kiosk.core.events import EventBus
from kiosk.core.jobs import BackgroundJobs


class Seen:
    def __init__(self, bus: EventBus) -> None:
        self.q: queue.Queue = queue.Queue()
        bus.subscribe("*", lambda e: self.q.put(e))

    def until(self, kind: str, **match) -> list:
        out = []
        while True:
            event = self.q.get(timeout=5)
            out.append(event)
            if event.kind == kind and all(event.data.get(k) == v for k, v in match.items()):
                return out


def jobs_on(bus: EventBus, **extra) -> BackgroundJobs:
    clock, waited = FakeClock(), []
    return BackgroundJobs(bus, monotonic=clock.monotonic,
                          wait=lambda s: (waited.append(s), clock.advance(s)), **extra)


def test_jobs_run_in_order_off_the_submitting_thread_with_progress():
    bus = EventBus()
    seen = Seen(bus)
    threads = []

    def export(progress):
        threads.append(threading.current_thread())
        for step in range(4):
            progress(step / 4, f"part {step}")
        progress(7.0)  # out of range: clamped
        return "files"

    jobs = jobs_on(bus).start()
    try:
        first = jobs.submit("export", export)
        second = jobs.submit("export", lambda progress: 42)
        events = seen.until("export.finished", job=second)
    finally:
        jobs.stop()
    mine = [(e.kind, e.data.get("job")) for e in events if e.kind.startswith("export.")]
    assert mine[0] == ("export.started", first) and ("export.finished", first) in mine
    assert mine.index(("export.finished", first)) < mine.index(("export.started", second)), "one at a time, in order"
    fractions = [e.data["fraction"] for e in events if e.kind == "export.progress"]
    assert fractions == [0.0, 0.25, 0.5, 0.75, 1.0]
    finished = {e.data["job"]: e.data["result"] for e in events if e.kind == "export.finished"}
    assert finished == {first: "files", second: 42}
    assert threads and threads[0] is not threading.current_thread()


def test_a_keyed_job_is_never_stacked_up():
    bus = EventBus()
    seen = Seen(bus)
    gate = threading.Event()
    jobs = jobs_on(bus).start()
    try:
        number = jobs.submit("housekeeping", lambda progress: gate.wait(5), key="housekeeping")
        assert number is not None
        assert jobs.submit("housekeeping", lambda progress: None, key="housekeeping") is None, "already pending"
        assert jobs.submit("export", lambda progress: None) is not None, "other jobs still queue"
        gate.set()
        seen.until("housekeeping.finished", job=number)
        again = jobs.submit("housekeeping", lambda progress: "again", key="housekeeping")
        assert seen.until("housekeeping.finished", job=again)[-1].data["result"] == "again"
    finally:
        jobs.stop()


class Refused(Refusal):
    def __init__(self) -> None:
        super().__init__("Not enough stock for {sku}", "quantity", sku="W-500")


def test_a_crashing_job_restarts_the_worker_and_a_refused_one_is_only_reported(caplog):
    bus = EventBus()
    seen = Seen(bus)
    closed = []
    jobs = jobs_on(bus, on_thread_exit=lambda: closed.append(threading.current_thread().name)).start()
    with caplog.at_level(logging.ERROR):
        try:
            bad = jobs.submit("export", lambda progress: (_ for _ in ()).throw(Refused()))
            crash = jobs.submit("export", lambda progress: 1 / 0)
            good = jobs.submit("export", lambda progress: "fine")
            events = seen.until("export.finished", job=good)
        finally:
            jobs.stop()
    failed = {e.data["job"]: e.data for e in events if e.kind == "export.failed"}
    assert isinstance(failed[bad]["exception"], Refused) and failed[bad]["error"] == "Not enough stock for W-500"
    assert message_of(failed[bad]["exception"], "en") == "Not enough stock for W-500"
    assert isinstance(failed[crash]["exception"], ZeroDivisionError)
    assert failed[crash]["error"].startswith("ZeroDivisionError")
    restarts = [e.data for e in events if e.kind == "worker.state" and e.data["state"] == "restarting"]
    assert [r["restarts"] for r in restarts] == [1] and restarts[0]["name"] == "jobs", "a refusal breaks nothing"
    assert "ZeroDivisionError" in restarts[0]["detail"]
    assert len(closed) >= 1, "the crashed run's connection is closed before the worker starts over"
    logged = [r for r in caplog.records if r.message.startswith("background job export")]
    assert len(logged) == 1 and logged[0].exc_info, "the crash is logged with its traceback"


@pytest.mark.parametrize("kind", ["", "export.csv"])
def test_a_job_kind_is_one_word(kind):
    with pytest.raises(ValueError):
        BackgroundJobs(EventBus()).submit(kind, lambda progress: None)


def test_stop_wakes_an_idle_worker_at_once():
    import time
    jobs = BackgroundJobs(EventBus()).start()
    began = time.monotonic()
    jobs.stop(timeout=5)
    assert not jobs.supervisor.alive and time.monotonic() - began < 0.9


def test_a_failing_bus_handler_is_reported_and_the_others_still_run():
    bus = EventBus()
    reported, ran = [], []
    bus.set_error_handler(lambda kind, exc: reported.append((kind, type(exc).__name__)))
    bus.subscribe("printer.state", lambda e: 1 / 0)
    bus.subscribe("printer.state", lambda e: ran.append(e.data))
    bus.publish("printer.state", state="ok")
    assert reported == [("printer.state", "ZeroDivisionError")] and ran == [{"state": "ok"}]
    bus.set_error_handler(lambda kind, exc: 1 / 0)  # a broken reporter must not raise into the publisher
    bus.publish("printer.state", state="ok")
    assert len(ran) == 2
