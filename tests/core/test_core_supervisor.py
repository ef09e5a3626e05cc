"""The one supervisor every worker runs under: killed with exceptions again and again, it restarts the
worker with back-off and publishes each state. Back-off is waited out on a FakeClock, never for real."""
from __future__ import annotations

import logging
import queue
import threading

import pytest

from kiosk.core.clock import FakeClock
from kiosk.core.events import EventBus
from kiosk.core.supervisor import WORKER_STATE, Supervisor, WorkerState


class States:
    """Collects "worker.state" events from the bus (immediate delivery: on the worker's thread)."""

    def __init__(self, bus: EventBus) -> None:
        self.q: queue.Queue = queue.Queue()
        bus.subscribe(WORKER_STATE, lambda e: self.q.put(e.data))

    def next(self) -> dict:
        return self.q.get(timeout=5)

    def until(self, state: str) -> list[dict]:
        seen = []
        while not seen or seen[-1]["state"] != state:
            seen.append(self.next())
        return seen


def fake_wait(clock: FakeClock, delays: list[float]):
    """Waits out a back-off by moving the FakeClock: the test never sleeps."""
    def wait(seconds: float) -> None:
        delays.append(seconds)
        clock.advance(seconds)
    return wait


def test_a_worker_killed_repeatedly_restarts_with_doubling_back_off_and_says_so(caplog):
    bus, clock, delays = EventBus(), FakeClock(), []
    states = States(bus)
    runs = []
    healthy = threading.Event()

    def body(stop: threading.Event) -> None:
        runs.append(1)
        if len(runs) <= 6:
            raise RuntimeError(f"boom {len(runs)}")
        healthy.set()
        stop.wait()

    supervisor = Supervisor("printer", body, publish=bus.publish, first_delay=1, max_delay=8,
                            monotonic=clock.monotonic, wait=fake_wait(clock, delays))
    with caplog.at_level(logging.ERROR, logger="kiosk.core.supervisor"):
        supervisor.start()
        assert healthy.wait(5)
    seen = states.until("running")  # the first start
    for n in range(1, 7):
        restarting = states.next()
        assert (restarting["name"], restarting["state"], restarting["restarts"]) == ("printer", "restarting", n)
        assert restarting["detail"] == f"RuntimeError: boom {n}"
        assert states.next()["state"] == "running"
    assert delays == [1, 2, 4, 8, 8, 8], "doubles, then stays at the cap"
    assert supervisor.restarts == 6 and supervisor.state == WorkerState.RUNNING and supervisor.alive
    died = [r for r in caplog.records if r.message == "worker printer died"]
    assert len(died) == 6 and all(r.exc_info and "boom" in str(r.exc_info[1]) for r in died), "logged with traceback"
    supervisor.stop()
    assert states.next()["state"] == "stopped" and not supervisor.alive
    assert seen[0]["restarts"] == 0


def test_back_off_starts_over_after_a_healthy_run():
    bus, clock, delays = EventBus(), FakeClock(), []
    runs = []
    done = threading.Event()

    def body(stop: threading.Event) -> None:
        runs.append(1)
        if len(runs) == 3:
            clock.advance(120)  # this run was fine for two minutes before it died
        if len(runs) >= 5:
            done.set()
            stop.wait()
            return
        raise OSError("gone")

    supervisor = Supervisor("jobs", body, publish=bus.publish, first_delay=1, max_delay=60, healthy_after=60,
                            monotonic=clock.monotonic, wait=fake_wait(clock, delays)).start()
    assert done.wait(5)
    supervisor.stop()
    assert delays == [1, 2, 1, 2]


def test_a_body_that_returns_by_itself_counts_as_a_death():
    bus, clock, delays = EventBus(), FakeClock(), []
    states = States(bus)
    runs = []

    def body(stop: threading.Event) -> None:
        runs.append(1)
        if len(runs) > 2:
            stop.wait()

    supervisor = Supervisor("phone.tracker", body, publish=bus.publish, monotonic=clock.monotonic,
                            wait=fake_wait(clock, delays)).start()
    seen = [states.next() for _ in range(5)]
    supervisor.stop()
    assert [s["state"] for s in seen] == ["running", "restarting", "running", "restarting", "running"]
    assert seen[1]["detail"] == "ended by itself"


def test_a_listener_that_raises_does_not_take_the_worker_down():
    clock, delays = FakeClock(), []
    calls = []
    started = threading.Event()

    def publish(kind, **data):
        calls.append(data["state"])
        raise RuntimeError("bad listener")

    def body(stop: threading.Event) -> None:
        started.set()
        stop.wait()

    supervisor = Supervisor("jobs", body, publish=publish, monotonic=clock.monotonic,
                            wait=fake_wait(clock, delays)).start()
    assert started.wait(5)
    supervisor.stop()
    assert calls == ["running", "stopped"] and supervisor.restarts == 0


def test_stop_during_back_off_ends_at_once_and_never_reruns():
    bus = EventBus()
    states = States(bus)
    runs = []

    def body(stop: threading.Event) -> None:
        runs.append(1)
        raise ValueError("always")

    # The real wait (the stop flag's) with an hour's back-off: stop() must cut it short.
    supervisor = Supervisor("printer", body, publish=bus.publish, first_delay=3600, max_delay=3600).start()
    assert [states.next()["state"] for _ in range(2)] == ["running", "restarting"]
    supervisor.stop(timeout=5)
    assert states.next()["state"] == "stopped"
    assert not supervisor.alive and runs == [1]


def test_start_is_idempotent_and_stop_before_start_is_harmless():
    Supervisor("jobs", lambda stop: None).stop()
    ran = []

    def body(stop):
        ran.append(1)
        stop.wait()
    supervisor = Supervisor("jobs", body)
    supervisor.start(), supervisor.start()
    supervisor.stop()
    assert ran == [1]


@pytest.mark.parametrize("first,most", [(-1, 5), (10, 5)])
def test_nonsense_back_off_is_refused(first, most):
    with pytest.raises(ValueError):
        Supervisor("x", lambda stop: None, first_delay=first, max_delay=most)
