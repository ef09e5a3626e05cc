"""Wires a ring detector to the call tracker, the call log and the UI.

Detector threads put DetectorEvents on a queue; one phone thread feeds the tracker (with ticks when
the line is quiet), publishes "call.*" events on the bus first (the prompt must appear fast), then
appends them to the call log with its own database connection.
"""
from __future__ import annotations

import logging
import queue
import tempfile
import threading
from dataclasses import asdict
from pathlib import Path

from hardware.phone.detectors import DetectorState, SerialDetector
from kiosk.phone import calllog
from kiosk.phone.tracker import CallTracker, DetectorEvent, settings_from_config
from kiosk.core.context import Context
from kiosk.core.db import connect

log = logging.getLogger(__name__)
TICK = 0.05
DEMO_CALL_AFTER = 20.0


class PhoneService:
    """The tracker's thread. Feed it with `put`; staff answers arrive as 'call.staff_answered'."""

    def __init__(self, ctx: Context, detector_kind: str) -> None:
        self.ctx, self.detector_kind = ctx, detector_kind
        self.tracker = CallTracker(settings_from_config(ctx.config.section("phone")))
        self.events: queue.Queue[DetectorEvent | None] = queue.Queue()
        self._thread = threading.Thread(target=self._run, name="phone-tracker", daemon=True)
        self._call_ids: dict[int, int] = {}
        self._unsubscribe = ctx.bus.subscribe("call.staff_answered", lambda e: self.put(
            DetectorEvent("staff_answered", ctx.clock.monotonic())))
        self.detector: SerialDetector | None = None
        self._extra: list = []

    def put(self, event: DetectorEvent) -> None:
        self.events.put(event)

    def on_state(self, state: DetectorState, detail: str) -> None:
        shown = "simulated" if self.detector_kind == "simulated" and state == DetectorState.CONNECTED else state.value
        self.ctx.bus.publish("phone.state", state=shown, detail=detail)

    def start(self) -> "PhoneService":
        self._thread.start()
        return self

    def stop(self) -> None:
        self._unsubscribe()
        for thing in [self.detector] + self._extra:
            if thing is not None:
                thing.stop()
        self.events.put(None)
        self._thread.join(3)

    def _run(self) -> None:
        db = connect(self.ctx.db_path)
        clock = self.ctx.clock
        try:
            while True:
                try:
                    event = self.events.get(timeout=TICK)
                except queue.Empty:
                    event = DetectorEvent("tick", clock.monotonic())
                if event is None:
                    return
                try:
                    for call_event in self.tracker.feed(event):
                        self._handle(db, call_event)
                except Exception:  # the phone thread must outlive any one bad event
                    log.exception("phone event %r failed", event)
        finally:
            db.close()

    def _handle(self, db, event) -> None:
        data = asdict(event)
        del data["kind"]  # the bus event's own name says it
        if event.kind in ("started", "callerid") and event.number and not event.name:
            data["name"] = calllog.known_caller(db, event.number)
        if event.kind == "started":
            self._call_ids[event.call_no] = calllog.start_call(db, self.ctx.clock, self.detector_kind)
        call_id = self._call_ids.get(event.call_no)
        data["call_id"] = call_id
        self.ctx.bus.publish(f"call.{event.kind}", **data)   # the screen first: a prompt must be quick
        if call_id is not None:
            try:
                calllog.record_event(db, self.ctx.clock, call_id, event)
            except Exception:  # a busy or full disk must not stop ring detection
                log.exception("could not log call event %s", event.kind)
        if event.kind == "ended":
            self._call_ids.pop(event.call_no, None)


def start_phone(ctx: Context):
    """Start the configured detector (a simulated line in demo mode); returns a handle with stop()."""
    cfg = ctx.config.section("phone")
    kind = cfg["detector"]
    if kind == "none":
        ctx.bus.publish("phone.state", state="off", detail="no ring detector configured")
        return PhoneService(ctx, "none")  # still accepts staff answers; never started
    service = PhoneService(ctx, kind)
    if kind == "simulated":
        from hardware.phone.simulator import PtyLine
        link_dir = Path(tempfile.mkdtemp(prefix="kiosk-phone-"))
        line = PtyLine(link_dir)
        service.simulator = line
        service._extra.append(_Closer(line))
        port, detector_kind = line.path, "line"
        # Demo mode: the desk phone rings once shortly after start, so a newcomer sees the prompt.
        timer = threading.Timer(DEMO_CALL_AFTER, lambda: play_demo_call(service, "unanswered_6"))
        timer.daemon = True
        timer.start()
        service._extra.append(_Closer(timer))
    else:
        port, detector_kind = cfg["port"], kind
    service.detector = SerialDetector(detector_kind, port, service.put, service.on_state, baudrate=cfg["baudrate"],
                                      init=cfg["init"] if detector_kind == "at" else "",
                                      offhook_line=cfg["offhook_line"], monotonic=ctx.clock.monotonic)
    service.start()
    service.detector.start()
    return service


class _Closer:
    """Gives a simulator's line or a timer the stop() the service calls on shutdown."""

    def __init__(self, thing) -> None:
        self.thing = thing

    def stop(self) -> None:
        (getattr(self.thing, "close", None) or self.thing.cancel)()


def play_demo_call(service: PhoneService, scenario_name: str = "unanswered_6", speed: float = 1.0) -> threading.Thread:
    """Demo mode: ring the simulated line with a scenario in the background."""
    from hardware.phone.simulator import play, scenario
    line = getattr(service, "simulator", None)
    if line is None:
        raise RuntimeError("no simulated line (demo mode only)")
    cadence = service.ctx.config.get("phone", "cadence")
    thread = threading.Thread(target=play, args=(line, scenario(scenario_name, cadence), "line"),
                              kwargs={"cadence": cadence, "speed": speed}, daemon=True, name="demo-call")
    thread.start()
    return thread
