"""The phone's tracker thread: detector events in, "call.*" events out on the bus, then the call log.

Detector threads put DetectorEvents on a queue; one phone thread feeds the tracker (with ticks when
the line is quiet) and publishes "call.*" events on the bus (the prompt must appear fast); the call
log's writes (calls, their events, the line's gaps) go on an ordered queue that a writer thread of
its own drains with its own connection, retrying each while the database is busy, so a locked or
slow disk neither delays the screen nor drops a call (none of it with ``log_calls=False``, as
``kiosk phone watch`` runs). The tracker thread runs under kiosk.core.supervisor. hardware.devices
builds the service and its detector from the configuration.
"""
from __future__ import annotations

import collections
import logging
import queue
import sqlite3
import threading
import time
from dataclasses import asdict, dataclass, replace
from datetime import datetime, timedelta
from typing import Callable

from hardware.phone.detectors import DetectorState, SerialDetector
from kiosk.core.audit import Actor
from kiosk.core.context import Context
from kiosk.core.db import connect
from kiosk.core.storage import StorageFault
from kiosk.core.supervisor import Supervisor
from kiosk.phone import calllog
from kiosk.phone.tracker import CallTracker, DetectorEvent, settings_from_config

log = logging.getLogger(__name__)
TICK = 0.05
ALARM_AFTER = 10.0   # seconds not watching the line before the red banner and its sound
# Errors a later attempt can get past: another writer's lock, a full or briefly failing disk.
TRANSIENT = (sqlite3.OperationalError, StorageFault, OSError)
Job = Callable[[object], None]   # one call-log write, given the writer's connection


@dataclass(frozen=True)
class _At:
    """A clock stopped at the moment an event happened: a write that waited for the disk still
    stamps the event's own time, not the time the disk took it."""

    wall: datetime
    mono: float

    def now(self) -> datetime:
        return self.wall

    def monotonic(self) -> float:
        return self.mono


class CallLogWriter:
    """The call log's own thread and connection. Jobs run in the order queued; a job refused by a
    transient error is retried (backing off to 1 s) until it succeeds, so the jobs after it wait
    behind it and the log keeps its order. Only close() gives up, after its deadline."""

    def __init__(self, db_path: str, name: str = "phone.calllog") -> None:
        self.db_path = db_path
        self._jobs: queue.Queue[Job | None] = queue.Queue()
        self._deadline: float | None = None   # set by close(): retry no longer than this
        self._thread = threading.Thread(target=self._run, name=name, daemon=True)

    def start(self) -> "CallLogWriter":
        self._thread.start()
        return self

    def put(self, job: Job) -> None:
        self._jobs.put(job)

    def close(self, timeout: float = 3.0) -> None:
        """Finish the queued writes (retrying for up to timeout while the disk refuses), then stop."""
        self._deadline = time.monotonic() + timeout
        self._jobs.put(None)
        if self._thread.is_alive():
            self._thread.join(timeout + 2)

    def _run(self) -> None:
        db = None
        try:
            while (job := self._jobs.get()) is not None:
                db = self._attempt(job, db)
        finally:
            if db is not None:
                db.close()

    def _attempt(self, job: Job, db):
        """Run job until it succeeds (or close's deadline passes); returns the connection to keep."""
        pause, warned = 0.05, False
        while True:
            try:
                db = db or connect(self.db_path)
                job(db)
                return db
            except TRANSIENT as exc:
                if self._deadline is not None and time.monotonic() >= self._deadline:
                    log.error("a call log write is lost at stop: the database stayed busy (%s)", exc)
                    return db
                if not warned:   # once a job: a long lock must not flood the log
                    log.warning("call log busy (%s): retrying", exc)
                    warned = True
                time.sleep(pause)
                pause = min(pause * 2, 1.0)
            except Exception:  # not the disk's moment but a bad write: retrying cannot help
                log.exception("a call log write failed and is dropped")
                return db


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
        # call_no -> its row: set by the writer, read by the tracker thread for what it publishes.
        self._call_ids: dict[int, int] = {}
        self.writer = CallLogWriter(ctx.db_path) if log_calls else None
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
        if self.writer is not None:
            self.writer.start()
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
        if self.writer is not None:   # after the tracker: its last writes (the open gap) are queued
            self.writer.close()

    def _log(self, job: Job) -> None:
        """Queue a call-log write (nothing is logged with log_calls=False)."""
        if self.writer is not None:
            self.writer.put(job)

    def _stamp(self, t: float | None = None) -> _At:
        """Now, or the wall time of monotonic moment t (an event's own, however late it is handled)."""
        now, mono = self.ctx.clock.now(), self.ctx.clock.monotonic()
        lag = 0.0 if t is None else mono - t
        # a t from some other clock (not the context's) must not shift the log by hours: now, then
        return _At(now - timedelta(seconds=lag), mono - lag) if 0 <= lag < 3600 else _At(now, mono)

    def _run(self, stop: threading.Event) -> None:
        # The tracker's own connection only reads (a caller's name and history; WAL: never waits for
        # a writer); every write goes to self.writer.
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
                        self._confirm_late(call_no, call_id, Actor(actor, actor_id, role) if actor else None)
                        continue
                    if actor and self.tracker.call_no is not None:
                        self._answered_by[self.tracker.call_no] = (actor_id, actor, role)
                    event = DetectorEvent("staff_answered", t)
                elif isinstance(event, tuple):
                    self._line_state(*event[1:])
                    continue
                self._check_alarm(event.t)
                try:
                    # every event of this moment reaches the screen before any of them is queued for the disk
                    published = [self._publish(db, self._honest(call_event)) for call_event in self.tracker.feed(event)]
                    for call_event in published:
                        self._write(call_event)
                except Exception:  # the phone thread must outlive any one bad event
                    log.exception("phone event %r failed", event)
        finally:
            if db is not None:
                db.close()
            if self.supervisor.stopping.is_set():   # a restart after a crash keeps the gap open
                self._drain_line_states()
                self._close_gap()

    def _drain_line_states(self) -> None:
        """At stop, the line's state changes still queued (the loop ends on `stop`, not on an empty queue):
        a line that went deaf just before the desk shut down still logs its gap."""
        while True:
            try:
                event = self.events.get_nowait()
            except queue.Empty:
                return
            if isinstance(event, tuple) and event[0] == "state":
                self._line_state(*event[1:])

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

    def _close_gap(self) -> None:
        """Stopping while the line is not watched: the gap so far goes into the log (up to now)."""
        gap = self._unwatched
        if gap is None or not (self._watched_once or self.alarm):
            return
        self._unwatched = None
        self._log_gap(gap, self.ctx.clock.now())

    def _log_gap(self, gap: tuple, until: datetime) -> None:
        started, state, detail, kind = gap[0], gap[2], gap[3], self.detector_kind
        self._log(lambda db: calllog.record_gap(db, started, until, state, detail, kind))

    def _confirm_late(self, call_no: int | None, call_id: int | None, actor: Actor | None) -> None:
        """A staff answer for a call that has already ended: recorded as the staff's confirmation
        (as the call row's "I picked up" would), if the line could not tell its outcome. Queued behind
        the call's own writes; its row is found by call_no if the screen never learnt its id."""
        if actor is None:
            return
        at = self._stamp()

        def confirm(db) -> None:
            row = call_id if call_id is not None else self._call_ids.get(call_no)  # type: ignore[arg-type]
            if row is not None and calllog.outcome_of(db, row) in ("unknown", "ringing"):
                calllog.confirm_outcome(db, at, actor, row, "answered")
                self.ctx.bus.publish("call.confirmed", call_id=row, outcome="answered")
        self._log(confirm)

    def _line_state(self, state: str, detail: str, now, mono: float) -> None:
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
            if alarmed or not starting:
                self._log_gap(gap, now)
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

    def _check_alarm(self, mono: float) -> None:
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

    def _write(self, event) -> None:
        """Queue the event for the call log (a new call gets its row first, as a job of its own so a
        retry never makes a second row)."""
        who = self._answered_by.pop(event.call_no, None) if event.kind in ("answered", "ended") else None
        actor = None if who is None or event.kind != "answered" else Actor(who[1], who[0], who[2])
        at, call_no, kind = self._stamp(event.t), event.call_no, self.detector_kind
        if event.kind == "ended":
            self._names.pop(call_no, None)
        if event.kind == "started":
            self._log(lambda db: self._started(call_no, calllog.start_call(db, at, kind)))

        def record(db) -> None:
            call_id = self._call_ids.get(call_no)
            if call_id is not None:   # None only if its row's write was dropped as bad
                calllog.record_event(db, at, call_id, event, actor=actor)
        self._log(record)

    def _started(self, call_no: int, call_id: int) -> None:
        """The writer made the call's row: later events (and a late staff answer) find it by call_no.
        The last few calls are kept; a confirmation comes within a PIN's typing of a call's end."""
        self._call_ids[call_no] = call_id
        while len(self._call_ids) > 16:
            self._call_ids.pop(next(iter(self._call_ids)))


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
