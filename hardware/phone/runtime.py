"""The phone's tracker thread: detector events in, "call.*" events out on the bus, then the call log.

Detector threads put DetectorEvents on a queue; one phone thread feeds the tracker (with ticks when
the line is quiet), publishes "call.*" events on the bus first (the prompt must appear fast), then
appends them to the call log with its own database connection (unless built with ``log_calls=False``,
as ``kiosk phone watch`` does). The thread runs under kiosk.core.supervisor. hardware.devices builds
the service and its detector from the configuration.
"""
from __future__ import annotations

import logging
import queue
import threading
from dataclasses import asdict

from hardware.phone.detectors import DetectorState, SerialDetector
from kiosk.core.context import Context
from kiosk.core.db import connect
from kiosk.core.supervisor import Supervisor
from kiosk.phone import calllog
from kiosk.phone.tracker import CallTracker, DetectorEvent, settings_from_config

log = logging.getLogger(__name__)
TICK = 0.05
ALARM_AFTER = 10.0   # seconds not watching the line before the red banner and its sound


class PhoneService:
    """The tracker's thread. Feed it with `put`; staff answers arrive as 'call.staff_answered'."""

    def __init__(self, ctx: Context, detector_kind: str, *, phone_config: dict | None = None,
                 log_calls: bool = True) -> None:
        self.ctx, self.detector_kind, self.log_calls = ctx, detector_kind, log_calls
        self.tracker = CallTracker(settings_from_config(phone_config or ctx.config.section("phone")))
        self.events: queue.Queue[DetectorEvent | None] = queue.Queue()
        self.supervisor = Supervisor("phone.tracker", self._run, publish=ctx.bus.publish,
                                     monotonic=ctx.clock.monotonic)
        self._call_ids: dict[int, int] = {}
        self._unsubscribe = ctx.bus.subscribe("call.staff_answered", lambda e: self.put(
            DetectorEvent("staff_answered", ctx.clock.monotonic())))
        self.detector: SerialDetector | None = None
        self._state, self._state_since = "off", ctx.clock.now()
        # Not watching the line since (wall, monotonic, state, detail); None while connected.
        self._unwatched: tuple | None = None
        self.alarm = False
        # A simulated phone (demo mode) also gets a `simulator` attribute: its pty line.
        self._extra: list = []  # more things to stop with the service (simulator, demo timer)

    def put(self, event: DetectorEvent) -> None:
        self.events.put(event)

    def on_state(self, state: DetectorState, detail: str) -> None:
        """From the detector's thread: published at once, and queued for the gap bookkeeping."""
        shown = "simulated" if self.detector_kind == "simulated" and state == DetectorState.CONNECTED else state.value
        now, mono = self.ctx.clock.now(), self.ctx.clock.monotonic()
        changed = state.value != self._state
        if changed:
            self._state, self._state_since = state.value, now
        self.ctx.bus.publish("phone.state", state=shown, detail=detail, since=self._state_since.isoformat(timespec="seconds"),
                             watching=state == DetectorState.CONNECTED)
        if changed:
            self.events.put(("state", state.value, detail, now, mono))  # type: ignore[arg-type]

    def add_closer(self, thing) -> None:
        """Stop (or close, or cancel) thing when the service stops."""
        self._extra.append(thing)

    def start(self) -> "PhoneService":
        self.supervisor.start()
        return self

    def stop(self) -> None:
        self._unsubscribe()
        for thing in [self.detector] + self._extra:
            if thing is not None:
                try:
                    (getattr(thing, "stop", None) or getattr(thing, "close", None) or thing.cancel)()
                except Exception:  # stopping one part must not keep the rest running
                    log.exception("stopping %r failed", thing)
        self.supervisor.stopping.set()
        self.events.put(None)
        self.supervisor.stop(3)

    def _run(self, stop: threading.Event) -> None:
        db = connect(self.ctx.db_path) if self.log_calls else None
        clock = self.ctx.clock
        try:
            while not stop.is_set():
                try:
                    event = self.events.get(timeout=TICK)
                except queue.Empty:
                    event = DetectorEvent("tick", clock.monotonic())
                if event is None:
                    continue
                if isinstance(event, tuple):
                    self._line_state(db, *event[1:])
                    continue
                self._check_alarm(db, event.t)
                try:
                    # every event of this moment reaches the screen before any of them reaches the disk
                    published = [self._publish(db, call_event) for call_event in self.tracker.feed(event)]
                    for call_event in published:
                        self._write(db, call_event)
                except Exception:  # the phone thread must outlive any one bad event
                    log.exception("phone event %r failed", event)
        finally:
            if db is not None:
                db.close()

    def _line_state(self, db, state: str, detail: str, now, mono: float) -> None:
        """Bookkeeping of the times the line is not watched: the alarm and the call log's gap."""
        if state == "connected":
            gap, self._unwatched = self._unwatched, None
            if gap is not None and self.alarm:
                self.alarm = False
                self.ctx.bus.publish("phone.alarm", active=False, since=gap[0].isoformat(timespec="seconds"),
                                     until=now.isoformat(timespec="seconds"), state=gap[2])
                if db is not None:
                    try:
                        calllog.record_gap(db, gap[0], now, gap[2], gap[3], self.detector_kind)
                    except Exception:  # the disk must not stop the phone
                        log.exception("could not log the line's gap")
        elif self._unwatched is None:
            self._unwatched = (now, mono, state, detail)
        else:
            self._unwatched = self._unwatched[:2] + (state, detail)

    def _check_alarm(self, db, mono: float) -> None:
        gap = self._unwatched
        if gap is not None and not self.alarm and mono - gap[1] >= ALARM_AFTER:
            self.alarm = True
            self.ctx.bus.publish("phone.alarm", active=True, since=gap[0].isoformat(timespec="seconds"),
                                 state=gap[2], detail=gap[3])

    def start_unwatched(self) -> None:
        """The line is not watched until the detector first connects (counted from now)."""
        self._unwatched = (self.ctx.clock.now(), self.ctx.clock.monotonic(), "reconnecting", "starting")

    def _handle(self, db, event) -> None:
        """Publish, then write the call log."""
        self._write(db, self._publish(db, event))

    def _publish(self, db, event):
        """On the bus (a prompt must be quick: only reads before it); returns the event as published."""
        data = asdict(event)
        del data["kind"]  # the bus event's own name says it
        call_id = self._call_ids.get(event.call_no)
        if db is not None and event.kind in ("started", "callerid") and event.number:
            if not event.name:
                name = calllog.known_caller(db, event.number)
                if name:
                    data["name"] = name
                    self.tracker.known_name(event.call_no, name)   # the prompt and the log row carry it
                    event = type(event)(**{**asdict(event), "name": name})
            data["times"], data["last"] = calllog.caller_history(db, event.number, call_id)
        data["call_id"] = call_id
        self.ctx.bus.publish(f"call.{event.kind}", **data)   # the screen first; the disk's fsync after
        return event

    def _write(self, db, event) -> None:
        """Append the event to the call log (a new call gets its row first)."""
        call_id = self._call_ids.get(event.call_no)
        if db is not None:
            try:
                if event.kind == "started":
                    call_id = self._call_ids[event.call_no] = calllog.start_call(db, self.ctx.clock, self.detector_kind)
                if call_id is not None:
                    calllog.record_event(db, self.ctx.clock, call_id, event)
            except Exception:  # a busy or full disk must not stop ring detection
                log.exception("could not log call event %s", event.kind)
        if event.kind == "ended":
            self._call_ids.pop(event.call_no, None)


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
