"""The phone's tracker thread: detector events in, "call.*" events out on the bus, then the call log.

Detector threads put DetectorEvents on a queue; one phone thread feeds the tracker (with ticks when
the line is quiet), publishes "call.*" events on the bus first (the prompt must appear fast), then
appends them to the call log with its own database connection (unless built with ``log_calls=False``,
as ``kiosk phone watch`` does). The thread runs under kiosk.core.supervisor. hardware.devices builds
the service and its detector from the configuration.
"""
from __future__ import annotations

import collections
import logging
import queue
import threading
from dataclasses import asdict, replace

from hardware.phone.detectors import DetectorState, SerialDetector
from kiosk.core.audit import Actor
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
        cfg = phone_config or ctx.config.section("phone")
        self.tracker = CallTracker(settings_from_config(cfg))
        # A flapping cable (gone 9 s, back 0.5 s, again and again) never stays away 10 s at a time: the
        # alarm also rises when the unwatched time summed over a sliding window passes a bound.
        self.flap_limit = float(cfg.get("unwatched_alarm_seconds") or 60.0)
        self.flap_window = float(cfg.get("unwatched_window_seconds") or 120.0)
        self._past_gaps: collections.deque[tuple] = collections.deque()   # (mono start, mono end, wall start)
        self._gap_calls: set[int] = set()     # calls during which the line was not watched
        self._names: dict[int, str] = {}      # call_no -> the name looked up for it (events of one batch)
        self.events: queue.Queue[DetectorEvent | None] = queue.Queue()
        self.supervisor = Supervisor("phone.tracker", self._run, publish=ctx.bus.publish,
                                     monotonic=ctx.clock.monotonic)
        self._call_ids: dict[int, int] = {}
        self._unsubscribe = ctx.bus.subscribe("call.staff_answered", self._on_staff_answered)
        self._answered_by: dict[int, tuple[int | None, str, str]] = {}   # call_no -> (id, name, role) of a staff answer
        self.detector: SerialDetector | None = None
        self._state, self._state_since = "off", ctx.clock.now()
        # Not watching the line since (wall, monotonic, state, detail); None while connected.
        self._unwatched: tuple | None = None
        self.alarm = False
        self._alarm_kind = ""        # "gap" (one gap over 10 s) or "flapping" (the window's sum)
        self._watched_once = False   # the wait for the first connect is not a gap in the watching
        # A simulated phone (demo mode) also gets a `simulator` attribute: its pty line.
        self._extra: list = []  # more things to stop with the service (simulator, demo timer)

    def put(self, event: DetectorEvent) -> None:
        self.events.put(event)

    def _on_staff_answered(self, event) -> None:
        """Staff said they answered (the prompt's button, or the visitor banner after a staff PIN): the
        tracker hears it as staff_answered; who it was goes into the call's row and the audit log."""
        data = event.data
        self.events.put(("staff", data.get("call_no"), data.get("call_id"), data.get("actor_id"),  # type: ignore[arg-type]
                         str(data.get("actor") or ""), str(data.get("actor_role") or "staff"), self.ctx.clock.monotonic()))

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
                if isinstance(event, tuple) and event[0] == "staff":
                    _, call_no, call_id, actor_id, actor, role, t = event
                    if call_no is not None and call_no != self.tracker.call_no:
                        # That call ended while staff typed their PIN: their word confirms its outcome.
                        self._confirm_late(db, call_id, Actor(actor, actor_id, role) if actor else None)
                        continue
                    if actor and self.tracker.call_no is not None:
                        self._answered_by[self.tracker.call_no] = (actor_id, actor, role)
                    event = DetectorEvent("staff_answered", t)
                elif isinstance(event, tuple):
                    self._line_state(db, *event[1:])
                    continue
                self._check_alarm(db, event.t)
                try:
                    # every event of this moment reaches the screen before any of them reaches the disk
                    published = [self._publish(db, self._honest(call_event)) for call_event in self.tracker.feed(event)]
                    for call_event in published:
                        self._write(db, call_event)
                except Exception:  # the phone thread must outlive any one bad event
                    log.exception("phone event %r failed", event)
        finally:
            if db is not None:
                if self.supervisor.stopping.is_set():   # a restart after a crash keeps the gap open
                    self._close_gap(db)
                db.close()

    def _honest(self, event):
        """A call the line was not watched during cannot have been sensed missed: it may have been
        answered in the gap. Its outcome is unknown, resting on the gap."""
        if event.kind == "started" and self._unwatched is not None:
            self._gap_calls.add(event.call_no)
        if event.kind == "ended":
            gapped = event.call_no in self._gap_calls
            self._gap_calls.discard(event.call_no)
            if gapped and event.outcome == "missed":
                return replace(event, outcome="unknown", source="gap")
        return event

    def _close_gap(self, db) -> None:
        """Stopping while the line is not watched: the gap so far goes into the log (up to now)."""
        gap = self._unwatched
        if gap is None or not (self._watched_once or self.alarm):
            return
        self._unwatched = None
        try:
            calllog.record_gap(db, gap[0], self.ctx.clock.now(), gap[2], gap[3], self.detector_kind)
        except Exception:  # stopping must finish
            log.exception("could not log the line's gap at stop")

    def _confirm_late(self, db, call_id: int | None, actor: Actor | None) -> None:
        """A staff answer for a call that has already ended: recorded as the staff's confirmation
        (as the call row's "I picked up" would), if the line could not tell its outcome."""
        if db is None or call_id is None or actor is None:
            return
        try:
            if calllog.outcome_of(db, call_id) in ("unknown", "ringing"):
                calllog.confirm_outcome(db, self.ctx.clock, actor, call_id, "answered")
                self.ctx.bus.publish("call.confirmed", call_id=call_id, outcome="answered")
        except Exception:  # the phone thread must outlive a bad write
            log.exception("could not confirm call %s", call_id)

    def _line_state(self, db, state: str, detail: str, now, mono: float) -> None:
        """Bookkeeping of the times the line is not watched: the alarm and the call log's gap."""
        if state == "off":
            # The detector stopped: the desk is shutting down (or its reader restarts at once). That is
            # no gap by itself; a gap already open keeps what caused it and is logged at stop.
            return
        if state == "connected":
            gap, self._unwatched = self._unwatched, None
            if gap is None:
                self._watched_once = True
                return
            if self._watched_once:   # the wait for the first connect is no flapping
                self._past_gaps.append((gap[1], mono, gap[0]))
            alarmed = self.alarm
            # A flapping line keeps its alarm while the window still holds too much unwatched time (else
            # it would flash on and off with every short reconnect); one long gap's alarm ends now.
            self.alarm = alarmed and self._alarm_kind == "flapping" and self.unwatched_recently(mono) >= self.flap_limit
            if alarmed and not self.alarm:
                self.ctx.bus.publish("phone.alarm", active=False, since=gap[0].isoformat(timespec="seconds"),
                                     until=now.isoformat(timespec="seconds"), state=gap[2])
            # Every gap is logged with its length, however short (the banner waits 10 s, the log does
            # not). The wait before the first connect at start-up is logged only if it raised the alarm:
            # the line was never watched before it, so it is no gap in the watching.
            starting, self._watched_once = not self._watched_once, True
            if db is not None and (alarmed or not starting):
                try:
                    calllog.record_gap(db, gap[0], now, gap[2], gap[3], self.detector_kind)
                except Exception:  # the disk must not stop the phone
                    log.exception("could not log the line's gap")
        elif self._unwatched is None:
            self._unwatched = (now, mono, state, detail)
            if self.tracker.call_no is not None:
                self._gap_calls.add(self.tracker.call_no)
        else:
            self._unwatched = self._unwatched[:2] + (state, detail)

    def unwatched_recently(self, mono: float) -> float:
        """Seconds the line was not watched within the last flap_window (the open gap included)."""
        start = mono - self.flap_window
        while self._past_gaps and self._past_gaps[0][1] < start:
            self._past_gaps.popleft()
        spans = [g[:2] for g in self._past_gaps] + ([(self._unwatched[1], mono)] if self._unwatched is not None else [])
        return sum(max(0.0, end - max(begin, start)) for begin, end in spans)

    def _flap_since(self) -> str:
        """When the oldest gap still in the window began (the banner's 'since')."""
        return self._past_gaps[0][2].isoformat(timespec="seconds") if self._past_gaps else ""

    def _check_alarm(self, db, mono: float) -> None:
        gap = self._unwatched
        if gap is None and self.alarm and self.unwatched_recently(mono) < self.flap_limit:
            # A flapping line's alarm (raised while connected) ends once the window has calmed down.
            self.alarm = False
            self.ctx.bus.publish("phone.alarm", active=False, since=self._flap_since(),
                                 until=self.ctx.clock.now().isoformat(timespec="seconds"), state="flapping")
            return
        if gap is not None and not self.alarm and (mono - gap[1] >= ALARM_AFTER
                                                   or self.unwatched_recently(mono) >= self.flap_limit):
            self.alarm = True
            self._alarm_kind = "gap" if mono - gap[1] >= ALARM_AFTER else "flapping"
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
                    self._names[event.call_no] = (event.number, name)
                    event = type(event)(**{**asdict(event), "name": name})
            data["times"], data["last"] = calllog.caller_history(db, event.number, call_id)
        elif not event.name and event.number and self._names.get(event.call_no, ("", ""))[0] == event.number:
            # An event built in the same batch as the lookup (the ring beside 'started') carries it too.
            event = replace(event, name=self._names[event.call_no][1])
            data["name"] = event.name
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
                    who = self._answered_by.pop(event.call_no, None) if event.kind == "answered" else None
                    calllog.record_event(db, self.ctx.clock, call_id, event,
                                         actor=None if who is None else Actor(who[1], who[0], who[2]))
            except Exception:  # a busy or full disk must not stop ring detection
                log.exception("could not log call event %s", event.kind)
        if event.kind == "ended":
            self._names.pop(event.call_no, None)
            self._call_ids.pop(event.call_no, None)
            self._answered_by.pop(event.call_no, None)


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
