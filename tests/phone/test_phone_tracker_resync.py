"""Issue 15 re-test: a lost ONHOOK never makes the tracker deaf; caller ID stays on its own call.

Time is a FakeClock advanced in 50 ms ticks (the phone thread's pace); nothing sleeps."""
from __future__ import annotations

from kiosk.core.clock import FakeClock
from kiosk.phone.tracker import CallTracker, DetectorEvent as D, TrackerSettings


class Line:
    """A tracker driven by a FakeClock: `at(t, kind, ...)` feeds an event at t, ticking up to it."""

    def __init__(self, settings: TrackerSettings) -> None:
        self.clock, self.tracker, self.out = FakeClock(), CallTracker(settings), []
        self.t0 = self.clock.monotonic()

    @property
    def t(self) -> float:
        return round(self.clock.monotonic() - self.t0, 3)

    def until(self, t: float) -> None:
        while self.t + 0.05 <= t + 1e-9:
            self.clock.advance(0.05)
            self.out += self.tracker.feed(D("tick", self.t))

    def at(self, t: float, kind: str, **kw) -> list:
        self.until(t)
        got = self.tracker.feed(D(kind, t, **kw))
        self.out += got
        return got

    def ring(self, t: float, *, modem: bool = False) -> None:
        if modem:
            self.at(t, "ring")
        else:
            self.at(t, "ring_on")
            self.at(t + 1.0, "ring_off")

    def calls(self) -> list:
        return [e for e in self.out if e.kind == "ended"]


def test_a_lost_onhook_does_not_swallow_the_next_calls():
    line = Line(TrackerSettings(offhook_sensing=True))
    line.ring(0)
    line.at(2, "offhook")                   # answered; the ONHOOK is lost (cable pulled, board reset)
    for base in (60, 120, 180):
        for r in range(6):
            line.ring(base + 5 * r)
    line.until(240)
    ended = line.calls()
    assert [(e.call_no, e.outcome, e.source) for e in ended] == [
        (1, "answered", "offhook"), (2, "missed", "offhook"), (3, "missed", "offhook"), (4, "missed", "offhook")]
    assert ended[0].t == 60                 # the old call ends when the new one rings
    assert sum(1 for e in line.out if e.kind == "prompt") == 3


def test_rings_within_the_cadence_after_an_answer_stay_in_the_call():
    """The exchange's ring already in flight when the handset is lifted is no new call."""
    line = Line(TrackerSettings(offhook_sensing=True))
    line.ring(0)
    line.at(1.5, "offhook")
    line.ring(5)                            # 4 s after ring 1's end: within the longest silence + margin
    line.at(30, "onhook")
    line.until(40)
    assert [(e.call_no, e.outcome) for e in line.calls()] == [(1, "answered")]
    assert not [e for e in line.out if e.kind == "started" and e.call_no == 2]


def test_an_offhook_call_without_onhook_ends_after_the_bound():
    line = Line(TrackerSettings(offhook_sensing=True, max_call_seconds=120))
    line.ring(0)
    line.at(2, "offhook")
    line.until(121)
    assert line.tracker.active
    line.until(122.1)
    assert [(e.outcome, e.source) for e in line.calls()] == [("answered", "offhook")]
    assert not line.tracker.active


def test_a_modem_line_answered_by_staff_then_a_new_call():
    line = Line(TrackerSettings())
    line.ring(0, modem=True)
    line.at(3, "staff_answered")
    line.until(20)
    line.ring(30, modem=True)
    line.until(40)
    assert [(e.call_no, e.outcome) for e in line.calls()] == [(1, "answered"), (2, "unknown")]


def test_caller_id_late_in_the_silence_goes_to_the_next_call():
    """China: DTMF caller ID before ring 1 of call B, heard while call A waits for 'ringing stopped'."""
    line = Line(TrackerSettings())
    line.at(-0.5 + 0.5, "callerid", number="13900001111")
    line.ring(0.5, modem=True)              # A rings once
    line.at(5.0, "callerid", number="13922223333")
    for r in range(4):
        line.ring(7.0 + 5 * r, modem=True)
    line.until(40)
    ended = line.calls()
    assert [(e.call_no, e.number) for e in ended] == [(1, "13900001111"), (2, "13922223333")]
    assert all(e.number != "13922223333" for e in line.out if e.call_no == 1)


def test_caller_id_late_in_the_silence_of_a_numberless_call_stays_if_it_rings_again():
    line = Line(TrackerSettings())
    line.ring(0, modem=True)
    line.at(4.0, "callerid", number="13800138000")
    line.ring(5, modem=True)
    line.until(20)
    assert [(e.call_no, e.number) for e in line.calls()] == [(1, "13800138000")]


def test_caller_id_late_in_the_silence_of_a_one_ring_call_is_the_closing_calls_and_the_next_ones():
    """China sends FSK in the silence after ring 1: a one-ring call that stops keeps a number heard
    late in that silence (an abandoned call must be callable back; outside attack 15). It may as well
    be the next call's DTMF sent before its ring 1, so a call ringing within cid_window gets it too."""
    line = Line(TrackerSettings())
    line.ring(0, modem=True)
    line.at(4.0, "callerid", number="13800138000")
    line.until(6)
    assert [e.number for e in line.calls()] == ["13800138000"]   # call 1 ended at 5.8 with the number
    line.ring(7.5, modem=True)              # the next call's ring 1 (within cid_window of its CID)
    line.until(20)
    assert [(e.call_no, e.number) for e in line.calls()] == [(1, "13800138000"), (2, "13800138000")]


def test_caller_id_right_after_ring_one_is_the_one_ring_calls():
    """FSK after ring 1 / a GSM +CLIP after its RING: a one-ring call keeps its number."""
    line = Line(TrackerSettings())
    line.ring(0, modem=True)
    line.at(1.8, "callerid", number="13800138000")
    line.until(20)
    assert [(e.call_no, e.number) for e in line.calls()] == [(1, "13800138000")]


def test_a_different_number_never_overwrites_and_a_new_number_drops_the_old_name():
    line = Line(TrackerSettings())
    line.at(0, "callerid", number="", name="王芳")       # a name with no number
    line.ring(0.2, modem=True)
    line.at(1.0, "callerid", number="13800138000")
    line.at(1.2, "callerid", number="13911112222")     # another number: the next call's, not this one's
    line.until(12)
    events = [e for e in line.out if e.call_no == 1 and e.kind == "callerid"]
    assert events[-1].number == "13800138000" and events[-1].name == ""
    assert [e.number for e in line.calls()] == ["13800138000"]
