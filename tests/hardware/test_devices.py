"""hardware.devices: the one builder the app and the CLI share. A simulated line (the pty simulator)
and the virtual printer stand in for the desk's devices; the workers it starts are supervised."""
from __future__ import annotations

import json
import queue
import threading
import time

import pytest

from hardware import devices
from hardware.phone.detectors import DetectorState, SerialDetector
from hardware.phone.simulator import ModemResponder, PtyLine
from hardware.printer.worker import PrintWorker
from kiosk.core import config
from kiosk.core.audit import SYSTEM
from kiosk.core.context import Context
from kiosk.printing import queue as printqueue
from tests import receipt_samples
from tests.waiting import wait_until


class Events:
    def __init__(self, ctx: Context) -> None:
        self.q: queue.Queue = queue.Queue()
        self.all: list = []
        ctx.bus.subscribe("*", self._on)

    def _on(self, event) -> None:
        self.all.append(event)
        self.q.put(event)

    def wait(self, kind: str, timeout: float = 5.0, **match):
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            try:
                event = self.q.get(timeout=max(deadline - time.monotonic(), 0.01))
            except queue.Empty:
                break
            if event.kind == kind and all(event.data.get(k) == v for k, v in match.items()):
                return event
        raise AssertionError(f"no {kind} {match} (saw {[e.kind for e in self.all]})")


@pytest.fixture
def line(tmp_path):
    pty = PtyLine(tmp_path / "by-id")
    yield pty
    pty.close()


@pytest.fixture
def board(line):
    """A ring board on the line that answers PING (one that answers nothing never reads connected)."""
    responder = ModemResponder(line)
    responder.hook = None   # an older sketch: no hook-state answer, so the tests see only their own lines
    yield responder.start()
    responder.stop()


def ctx_with(db_path, clock, **sections) -> Context:
    return Context(config=config.validate(sections), db_path=db_path, clock=clock)


# --- printer ---------------------------------------------------------------------------------------
def test_the_profile_comes_from_the_configuration_in_one_place():
    cfg = config.validate({"printer": {"paper_mm": 58, "chinese": "gb18030", "drawer_pin": 5,
                                       "drawer_pulse_ms": 250}}).section("printer")
    profile = devices.printer_profile(cfg)
    assert (profile.paper_mm, profile.chinese, profile.drawer_pin, profile.drawer_pulse_ms) == (58, "gb18030", 5, 250)


def test_virtual_printer_prints_through_the_supervised_worker(tmp_path, db_path, clock):
    ctx = ctx_with(db_path, clock, printer={"kind": "virtual", "output_dir": str(tmp_path / "out")})
    events = Events(ctx)
    printqueue.enqueue(ctx.db, clock, SYSTEM, receipt_samples.badge("en"), record_table="visits", record_id=1)
    handle = devices.start_printer(ctx, poll=0.05)
    try:
        assert isinstance(handle, PrintWorker) and handle.supervisor.alive
        events.wait("worker.state", name="printer", state="running")
        wait_until(lambda: printqueue.queued_count(ctx.db) == 0)
    finally:
        handle.stop()
    assert len(list((tmp_path / "out").glob("*.png"))) == 1
    events.wait("worker.state", name="printer", state="stopped")


def test_no_printer_configured_says_so_and_stops_quietly(db_path, clock):
    ctx = ctx_with(db_path, clock, printer={"kind": "none"})
    events = Events(ctx)
    handle = devices.start_printer(ctx)
    assert events.wait("printer.state").data == {"state": "off", "detail": "no printer configured", "queued": 0}
    handle.stop()


def test_a_print_worker_killed_by_its_database_restarts_and_prints(tmp_path, db_path, clock, monkeypatch):
    ctx = ctx_with(db_path, clock, printer={"kind": "virtual", "output_dir": str(tmp_path / "out")})
    events = Events(ctx)
    printqueue.enqueue(ctx.db, clock, SYSTEM, receipt_samples.badge("en"), record_table="visits", record_id=1)
    real_next, failures = printqueue.next_job, []

    def flaky(database):
        if len(failures) < 3:
            failures.append(1)
            raise RuntimeError("database disk image is malformed")
        return real_next(database)
    monkeypatch.setattr(printqueue, "next_job", flaky)
    handle = devices.start_printer(ctx, poll=0.05, max_backoff=0.05)
    try:
        for n in (1, 2, 3):
            restart = events.wait("worker.state", name="printer", state="restarting", restarts=n)
            assert "malformed" in restart.data["detail"]
        wait_until(lambda: printqueue.queued_count(ctx.db) == 0)
        # After each restart the status bar hears the printer's state again.
        assert sum(1 for e in events.all if e.kind == "printer.state") >= 4
        errors = [e for e in events.all if e.kind == "printer.state" and e.data["state"] == "error"]
        assert len(errors) == 3 and all("malformed" in e.data["detail"] for e in errors)
    finally:
        handle.stop()


# --- phone -----------------------------------------------------------------------------------------
def test_line_detector_from_the_configuration_rings_through_to_the_bus_and_the_log(line, board, db_path, clock):
    ctx = ctx_with(db_path, clock, phone={"detector": "line", "port": line.path})
    events = Events(ctx)
    service = devices.start_phone(ctx)
    try:
        assert service.detector.kind == "line" and service.detector.port == line.path
        events.wait("phone.state", state="connected")
        line.write(b"CID 13800138000 WANG\nRING_ON\n")
        ring = events.wait("call.ring")
        # The screen hears the ring before the disk's write (the call's row id may follow it): the number
        # is on the event, and the call reaches the log.
        assert ring.data["number"] == "13800138000"
        wait_until(lambda: ctx.db.execute("SELECT COUNT(*) FROM calls").fetchone()[0] == 1)
        assert service.supervisor.alive and service.detector.supervisor.alive
    finally:
        service.stop()
    assert ctx.db.execute("SELECT COUNT(*) FROM calls").fetchone()[0] == 1


def test_watching_overrides_kind_and_port_and_writes_no_log(line, board, tmp_path, clock):
    db_path = tmp_path / "never.db"
    ctx = ctx_with(db_path, clock, phone={"detector": "none"})
    events = Events(ctx)
    service = devices.start_phone(ctx, kind="line", port=line.path, log_calls=False)
    try:
        events.wait("phone.state", state="connected")
        line.write(b"RING_ON\n")
        assert events.wait("call.ring").data["call_id"] is None
    finally:
        service.stop()
    assert not db_path.exists(), "watching the line must not create or write the desk's database"


def test_simulated_phone_gets_a_pty_line_and_can_ring_on_demand(db_path, clock):
    ctx = ctx_with(db_path, clock, phone={"detector": "simulated"})
    events = Events(ctx)
    service = devices.start_phone(ctx, demo_call_after=None)
    try:
        events.wait("phone.state", state="simulated")
        from hardware.phone.runtime import play_demo_call
        play_demo_call(service, "unanswered_6", speed=50)
        events.wait("call.ring")
    finally:
        service.stop()


def test_no_detector_configured_still_takes_staff_answers_but_starts_nothing(db_path, clock):
    ctx = ctx_with(db_path, clock, phone={"detector": "none"})
    events = Events(ctx)
    service = devices.start_phone(ctx)
    assert events.wait("phone.state").data["state"] == "off"
    assert service.detector is None and not service.supervisor.alive
    service.stop()


def test_a_phone_reader_whose_state_listener_raises_is_restarted(tmp_path, clock):
    """A bug outside a serial session (here: the state callback) used to end the reader thread."""
    from kiosk.core.events import EventBus
    bus = EventBus()
    restarts: queue.Queue = queue.Queue()
    bus.subscribe("worker.state", lambda e: restarts.put(e.data) if e.data["state"] == "restarting" else None)
    calls = []

    def on_state(state, detail):
        calls.append(state)
        if len(calls) <= 2:
            raise RuntimeError("listener bug")

    detector = SerialDetector("line", str(tmp_path / "no-such-port"), lambda e: None, on_state,
                              max_backoff=0.05, publish=bus.publish).start()
    try:
        first = restarts.get(timeout=5)
        assert first["name"] == "phone.reader" and "listener bug" in first["detail"]
        # the restarted reader watches again: its state reaches the (now quiet) listener
        wait_until(lambda: len(calls) >= 3 and calls[-1] == DetectorState.RECONNECTING)
        assert detector.supervisor.alive
    finally:
        detector.stop()
    assert detector.state == DetectorState.OFF


# --- both, as the app starts them --------------------------------------------------------------------
def test_one_device_failing_to_start_does_not_stop_the_other(tmp_path, db_path, clock, monkeypatch):
    ctx = ctx_with(db_path, clock, phone={"detector": "simulated"},
                   printer={"kind": "virtual", "output_dir": str(tmp_path / "out")})
    events = Events(ctx)

    def broken(ctx, **kwargs):
        raise OSError("no pseudo-terminals left")
    monkeypatch.setattr(devices, "start_phone", broken)
    handles = devices.start_devices(ctx)
    try:
        assert set(handles) == {"printer"}
        state = events.wait("phone.state", state="error")
        assert "pseudo-terminals" in state.data["detail"]
    finally:
        devices.stop_devices(handles)


def test_stop_devices_goes_on_past_a_handle_that_fails_to_stop():
    stopped = []

    class Bad:
        def stop(self):
            raise RuntimeError("stuck")

    class Good:
        def stop(self):
            stopped.append(1)
    devices.stop_devices({"phone": Bad(), "printer": Good()})
    assert stopped == [1]


def test_kiosk_phone_watch_uses_the_same_wiring(line, board, tmp_path, monkeypatch):
    """`kiosk phone watch` prints the desk's own events (state, callerid, ring) as JSON lines."""
    from click.testing import CliRunner
    from kiosk.cli.main import main
    monkeypatch.setenv("KIOSK_HOME", str(tmp_path / "home"))

    def ring_later():
        time.sleep(0.5)
        line.write(b"CID 13800138000 WANG\nRING_ON\n")
    threading.Thread(target=ring_later, daemon=True).start()
    result = CliRunner().invoke(main, ["phone", "watch", "--kind", "line", "--port", line.path, "--seconds", "1.5"])
    assert result.exit_code == 0, result.output
    records = [json.loads(text) for text in result.output.splitlines()]
    kinds = [r["event"] for r in records]
    assert kinds[0] == "state" and records[0]["state"] == "connected"
    assert "callerid" in kinds and "ring" in kinds and "started" in kinds
    assert all("call_id" not in r for r in records) and all("wall" in r and "mono" in r for r in records)
    assert not (tmp_path / "home" / "kiosk.db").exists(), "watching writes no call log"
