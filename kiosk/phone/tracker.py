"""The call tracker: detector events in, call events out. Pure: it never reads the clock.

Rule of the desk: every call is answered within three rings. The prompt fires at the first moment
it is certain that the call rang three times unanswered:
- without off-hook sensing, at the start of ring 4 (a modem only hears rings; ring 4 proves it);
- with off-hook sensing, at the end of ring 3 plus a short grace while the line is still on-hook.
A call answered on rings 1-3 never prompts.
"""
from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class Cadence:
    """A country's ring cadence: seconds on, the longest silence between rings, how close bursts merge
    into one ring, and the region's default margin for "ringing has stopped"."""

    name: str
    on: float
    off: float         # the cadence's longest silence (a ring's end to the next ring's start)
    merge_gap: float   # bursts closer than this are one ring (the UK's double ring)
    stop_margin: float = 0.8   # slack on the longest silence: exchanges and modems jitter by ~0.2 s

    @property
    def cycle(self) -> float:
        return self.on + self.off


CADENCES = {
    "CN": Cadence("CN", on=1.0, off=4.0, merge_gap=1.0),
    "US": Cadence("US", on=2.0, off=4.0, merge_gap=1.0),
    # UK: 0.4 on, 0.2 off, 0.4 on, 2.0 off — one double ring every 3 s; the longest silence is 2.0 s.
    "UK": Cadence("UK", on=1.0, off=2.0, merge_gap=0.8),
}


@dataclass(frozen=True)
class TrackerSettings:
    """What the tracker needs to know about the line and the desk's rule."""

    cadence: Cadence = CADENCES["CN"]
    rings_before_prompt: int = 3
    offhook_sensing: bool = False
    grace: float = 1.0          # after the end of ring 3, with off-hook sensing
    stop_margin: float | None = None   # None: the cadence's own (config [phone] stop_margin_seconds)
    # An off-hook call whose ONHOOK never comes (a cable pulled during the call, a garbled line, a
    # board reset) ends as answered after this long, so the tracker can never stay stuck on it.
    max_call_seconds: float = 7200.0

    @property
    def margin(self) -> float:
        return self.cadence.stop_margin if self.stop_margin is None else self.stop_margin

    @property
    def stop_after_silence(self) -> float:
        """Ringing has stopped once the line was silent this long after a ring ended: the cadence's
        longest silence plus the margin (CN and US 4.8 s, UK 2.8 s with the default margin)."""
        return self.cadence.off + self.margin

    @property
    def stop_timeout(self) -> float:
        """The same rule measured from a ring's start, for detectors that only hear starts (a modem's
        RING): the ring's end is taken as its start plus the cadence's 'on' time."""
        return self.cadence.on + self.stop_after_silence

    @property
    def cid_attach(self) -> float:
        """Caller ID heard up to this long after a ring's end belongs to the ringing call (FSK sent in
        the silence after ring 1, a GSM +CLIP after its RING); later in the silence it may be the next
        call's (China's DTMF caller ID comes before ring 1), so it waits for the next ring."""
        return min(2.5, self.stop_after_silence / 2)

    @property
    def cid_window(self) -> float:
        """How long caller ID heard before ring 1 waits for its ring (FSK comes <= 2 s before it)."""
        return min(self.cadence.off, 4.0)


@dataclass(frozen=True)
class DetectorEvent:
    """What a detector saw, stamped with monotonic time t (seconds).

    kind: ring (an AT modem's RING), ring_on, ring_off, offhook, onhook, callerid,
    staff_answered (the staff pressed Answered), tick (time passes).
    """

    kind: str
    t: float
    number: str = ""
    name: str = ""
    when: str = ""      # caller ID's own date and time (ISO, year supplied), if it sent one


@dataclass(frozen=True)
class CallEvent:
    """What happened to a call: started, ring, callerid, prompt, answered, ended."""

    kind: str
    t: float
    call_no: int
    rings: int = 0
    number: str = ""
    name: str = ""
    outcome: str = ""        # answered | missed | unknown (on 'ended')
    source: str = ""         # offhook | staff | heuristic
    seconds_to_answer: float | None = None
    duration: float | None = None


@dataclass
class _Call:
    no: int
    started: float
    rings: int = 0
    ringing: bool = False          # inside a ring burst (ring_on seen, ring_off not yet)
    last_ring_start: float = 0.0
    last_ring_end: float | None = None
    number: str = ""
    name: str = ""
    prompted: bool = False
    prompt_due: float | None = None
    answered_at: float | None = None
    answer_source: str = ""
    offhook: bool = False

    def ring_end_at(self, on: float) -> float:
        """When the last ring ended: sensed (ring_off), or its start plus the cadence's 'on' time
        when the detector only reports starts (RING)."""
        if self.last_ring_end is not None and self.last_ring_end >= self.last_ring_start:
            return self.last_ring_end
        return self.last_ring_start + on


@dataclass
class CallTracker:
    """Feed it detector events in time order; it returns the call events they cause."""

    settings: TrackerSettings = field(default_factory=TrackerSettings)
    _call: _Call | None = None
    _pending_cid: DetectorEvent | None = None   # caller ID that came before ring 1 (UK style)
    _held_cid: DetectorEvent | None = None      # heard late in a call's silence: this call's or the next's
    _count: int = 0

    @property
    def active(self) -> bool:
        return self._call is not None

    @property
    def call_no(self) -> int | None:
        """The number of the call ringing now (None between calls)."""
        return None if self._call is None else self._call.no

    def feed(self, event: DetectorEvent) -> list[CallEvent]:
        handler = getattr(self, f"_on_{event.kind}", None)
        if handler is None:
            raise ValueError(f"unknown detector event {event.kind!r}")
        # A ring or caller ID is judged after time has passed up to it: a call whose ringing stopped
        # ends first, so the event can never join a call that is already over.
        early = self._on_tick(event) if event.kind in ("ring", "ring_on", "callerid") else []
        out = early + handler(event)
        return out + self._on_tick(event) if event.kind != "tick" else out

    # --- helpers ---------------------------------------------------------------------------------
    def _ev(self, kind: str, t: float, **extra) -> CallEvent:
        call = self._call
        return CallEvent(kind, t, call.no, rings=call.rings, number=call.number, name=call.name, **extra)

    def _start(self, t: float) -> list[CallEvent]:
        self._count += 1
        self._call = _Call(self._count, started=t)
        pending, self._pending_cid = self._pending_cid, None
        if pending is not None and t - pending.t <= self.settings.cid_window:
            # Caller ID before ring 1 (UK, FSK before the first ring): it belongs to this call.
            self._call.number, self._call.name = pending.number, pending.name
        return [self._ev("started", t)] + ([self._ev("callerid", pending.t)] if self._call.number or self._call.name else [])

    def _apply_cid(self, event: DetectorEvent) -> list[CallEvent]:
        call = self._call
        if call.number and event.number and event.number != call.number:
            # A different number never overwrites the call's own: it is the next call's caller ID.
            self._pending_cid = event
            return []
        if (call.number, call.name) == (event.number, event.name or call.name) and call.number:
            return []   # the same number again (a GSM module repeats +CLIP after every RING)
        if event.number and event.number != call.number:
            # A new number: a name looked up (or sent) for none must not stay on it.
            call.number, call.name = event.number, event.name
        else:
            call.name = event.name or call.name
        return [self._ev("callerid", event.t)]

    def known_name(self, call_no: int, name: str) -> None:
        """The desk knows this caller (earlier notes, visitors, hosts): later events carry the name."""
        if self._call is not None and self._call.no == call_no and not self._call.name:
            self._call.name = name

    def _new_ring(self, t: float) -> list[CallEvent]:
        out = [] if self._call else self._start(t)
        call = self._call
        held, self._held_cid = self._held_cid, None
        if held is not None and call.rings:
            out += self._apply_cid(held)   # the call rang again: the caller ID heard in its silence is its own
        call.rings += 1
        call.last_ring_start = t
        out.append(self._ev("ring", t))
        rule = self.settings.rings_before_prompt
        if not self.settings.offhook_sensing and call.rings == rule + 1 and not call.prompted and call.answered_at is None:
            call.prompted = True
            out.append(self._ev("prompt", t))
        if self.settings.offhook_sensing and call.rings == rule and call.prompt_due is None:
            # Without a ring_off (a modem's RING), ring 3 ends one 'on' period after it started.
            call.prompt_due = t + self.settings.cadence.on + self.settings.grace
        return out

    # --- detector events -------------------------------------------------------------------------
    def _after_answered(self, event: DetectorEvent) -> list[CallEvent] | None:
        """A ring while the call is answered: [] to ignore it (off-hook: the tail of the ring the
        pick-up cut), None when it is the same call ringing on (staff said "Answered" but nobody
        lifted the handset: counted like any ring), or the old call's end when this ring is a new
        call's (a line cannot ring off-hook in the same call; its ONHOOK was lost)."""
        call = self._call
        if event.t - call.ring_end_at(self.settings.cadence.on) <= self.settings.stop_after_silence:
            return [] if call.offhook else None
        source = "offhook" if call.offhook else call.answer_source
        return self._end(event.t, "answered", source)

    def _on_ring(self, event: DetectorEvent) -> list[CallEvent]:
        call = self._call
        if call and call.answered_at is not None:
            out = self._after_answered(event)
            if out is not None:
                return out + self._new_ring(event.t) if out else []
        if call and event.t - call.last_ring_start < self.settings.cadence.merge_gap:
            return []   # a modem that prints RING for each burst of a UK double ring: still one ring
        return self._new_ring(event.t)

    def _on_ring_on(self, event: DetectorEvent) -> list[CallEvent]:
        call = self._call
        if call and call.answered_at is not None:
            out = self._after_answered(event)
            if out == []:
                return []
            if out:
                out += self._new_ring(event.t)
                self._call.ringing = True
                return out
        if call and call.last_ring_end is not None and event.t - call.last_ring_end < self.settings.cadence.merge_gap:
            call.ringing = True  # second burst of a double ring: the same ring
            return []
        out = self._new_ring(event.t)
        self._call.ringing = True
        return out

    def _on_ring_off(self, event: DetectorEvent) -> list[CallEvent]:
        call = self._call
        if call is None or not call.ringing:
            return []
        call.ringing = False
        call.last_ring_end = event.t
        if self.settings.offhook_sensing and call.rings == self.settings.rings_before_prompt:
            call.prompt_due = event.t + self.settings.grace
        return []

    def _on_callerid(self, event: DetectorEvent) -> list[CallEvent]:
        call = self._call
        if call is None:
            self._pending_cid = event   # arrives before ring 1 in the UK (and in China, DTMF)
            return []
        if (call.answered_at is None and not call.ringing and call.rings
                and event.t - call.ring_end_at(self.settings.cadence.on) > self.settings.cid_attach):
            # Late in the silence after a ring: if the call rings again it is this call's number; if
            # ringing stops it is the next call's (sent before its ring 1), and a one-ring call's (_end).
            self._held_cid = event
            return []
        return self._apply_cid(event)

    def _answer(self, t: float, source: str) -> list[CallEvent]:
        call = self._call
        if call is None or call.answered_at is not None:
            return []
        call.answered_at, call.answer_source = t, source
        call.ringing = False
        return [self._ev("answered", t, source=source, seconds_to_answer=round(t - call.started, 3))]

    def _on_offhook(self, event: DetectorEvent) -> list[CallEvent]:
        if self._call is None:
            return []  # an outgoing call: not ours to track
        self._call.offhook = True
        return self._answer(event.t, "offhook")

    def _on_staff_answered(self, event: DetectorEvent) -> list[CallEvent]:
        return self._answer(event.t, "staff")

    def _on_onhook(self, event: DetectorEvent) -> list[CallEvent]:
        call = self._call
        if call is None or not call.offhook:
            return []
        return self._end(event.t, "answered", "offhook")

    def _on_tick(self, event: DetectorEvent) -> list[CallEvent]:
        call, t = self._call, event.t
        if self._pending_cid is not None and t - self._pending_cid.t > self.settings.cid_window:
            self._pending_cid = None   # no ring followed: it must not carry into the next call
        if call is None:
            return []
        out: list[CallEvent] = []
        if call.answered_at is not None and t - call.answered_at >= self.settings.max_call_seconds:
            # Off-hook (or answered) for longer than any desk call: the ONHOOK was lost.
            return self._end(t, "answered", "offhook" if call.offhook else call.answer_source)
        if (call.prompt_due is not None and not call.prompted and call.answered_at is None
                and not call.offhook and t >= call.prompt_due):
            call.prompted = True
            out.append(self._ev("prompt", t))
        # A burst that never ends (a board stuck at its ringing level, a cable pulled mid-ring) counts as
        # silence after two whole cycles: a call must end, or every later ring would join it.
        stuck = call.ringing and t - call.last_ring_start >= 2 * self.settings.cadence.cycle + self.settings.margin
        silent = stuck or (not call.ringing
                           and t - call.ring_end_at(self.settings.cadence.on) >= self.settings.stop_after_silence)
        if call.answered_at is None and silent:
            # Ringing stopped: the caller hung up, or someone picked up a phone we cannot hear.
            if self.settings.offhook_sensing:
                out += self._end(t, "missed", "offhook")
            else:
                out += self._end(t, "unknown", "heuristic")
        elif call.answered_at is not None and not call.offhook and call.answer_source == "staff" \
                and silent:
            out += self._end(t, "answered", "staff")   # no off-hook sense: the call ends when rings stop
        return out

    def _end(self, t: float, outcome: str, source: str) -> list[CallEvent]:
        call = self._call
        held, self._held_cid = self._held_cid, None
        out: list[CallEvent] = []
        if held is not None and call.rings == 1 and not call.number and held.number:
            # China sends FSK in the silence after ring 1 only: a one-ring call with no number of its
            # own keeps it, so the abandoned call can be called back. It may instead be the next call's
            # DTMF, sent before its ring 1: that call still gets it too (below).
            out = self._apply_cid(held)
        out.append(self._ev("ended", t, outcome=outcome, source=source, duration=round(t - call.started, 3),
                            seconds_to_answer=None if call.answered_at is None else round(call.answered_at - call.started, 3)))
        self._call = None
        if held is not None:
            self._pending_cid = held   # waits for the next call's ring 1 (cid_window from its arrival)
        return out


def settings_from_config(phone_cfg: dict) -> TrackerSettings:
    """Tracker settings from the [phone] section of the box configuration."""
    return TrackerSettings(cadence=CADENCES[phone_cfg["cadence"]], rings_before_prompt=phone_cfg["rings_before_prompt"],
                           offhook_sensing=bool(phone_cfg["offhook_line"]) or phone_cfg["detector"] in ("line", "simulated"),
                           grace=float(phone_cfg["grace_seconds"]),
                           stop_margin=None if phone_cfg.get("stop_margin_seconds") is None
                           else float(phone_cfg["stop_margin_seconds"]),
                           max_call_seconds=float(phone_cfg.get("max_call_seconds") or 7200.0))
