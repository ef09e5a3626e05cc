"""Ring boards as they are: pulse trains (17-60 Hz, rectified or not), held levels, transients,
aliasing, at China, North American and UK cadences, through RingBursts and the tracker."""
from __future__ import annotations

import math
import random

import pytest

from hardware.phone.detectors import RingBursts
from kiosk.phone.tracker import CADENCES, CallTracker, DetectorEvent, TrackerSettings

# (on, off) bursts of one ring cycle: CN 1/4, US 2/4, UK 0.4/0.2/0.4/2.0
BURSTS = {"CN": [(1.0, 4.0)], "US": [(2.0, 4.0)], "UK": [(0.4, 0.2), (0.4, 2.0)]}


def board(kind: str, hz: float, t: float, ringing: bool) -> bool:
    """The board's output at t: a held level, a square pulse train, or a rectified one (the opto
    conducts on both half-waves, dark only near the zero crossings)."""
    if not ringing:
        return False
    if kind == "level":
        return True
    phase = math.sin(2 * math.pi * hz * t)
    return phase > 0.2 if kind == "pulse" else abs(phase) > 0.3   # an opto's threshold


def play(kind: str, hz: float, cadence: str, rings: int, *, period: float = 0.005, jitter: bool = True,
         seed: int = 1) -> list[DetectorEvent]:
    rnd = random.Random(seed)
    spans, t = [], 0.3
    for _ in range(rings):
        for on, off in BURSTS[cadence]:
            spans.append((t, t + on))
            t += on + off
    end, grouper, out, now = t + 1, RingBursts(), [], 0.0
    while now < end:
        ringing = any(a <= now < b for a, b in spans)
        out += grouper.sample(now, board(kind, hz, now, ringing))
        now += rnd.uniform(0.003, 0.006) if jitter else period
    return out


@pytest.mark.parametrize("cadence", ["CN", "US", "UK"])
@pytest.mark.parametrize("kind,hz", [("pulse", 17), ("pulse", 25), ("pulse", 50), ("pulse", 60),
                                     ("rectified", 25), ("rectified", 50), ("level", 0)])
def test_each_ring_counts_once(cadence, kind, hz):
    events = play(kind, hz, cadence, rings=5)
    tracker = CallTracker(TrackerSettings(cadence=CADENCES[cadence], offhook_sensing=True))
    out = [c for e in events for c in tracker.feed(e)]
    assert [c.rings for c in out if c.kind == "ring"] == [1, 2, 3, 4, 5]
    # a UK double ring may come as one burst or two (300 ms of quiet ends a burst); the tracker merges them
    assert sum(e.kind == "ring_on" for e in events) in (5, 5 * len(BURSTS[cadence]))


def test_a_held_level_is_one_burst_not_two():
    grouper, out, t = RingBursts(), [], 0.0
    while t < 6:
        out += grouper.sample(t, 0.5 <= t < 1.5)
        t += 0.005
    assert [e.kind for e in out] == ["ring_on", "ring_off"]
    assert out[0].t == pytest.approx(0.5, abs=0.01) and out[1].t == pytest.approx(1.5, abs=0.01)
    assert grouper.suggestion() == "level"


@pytest.mark.parametrize("length", [0.0, 0.01, 0.05, 0.1])
def test_single_transients_never_count(length):
    grouper, out, t = RingBursts(min_burst=0.15), [], 0.0
    while t < 3:
        out += grouper.sample(t, 1.0 <= t <= 1.0 + length + 0.004)
        t += 0.005
    assert out == [] and grouper.rejected == 1


def test_a_phase_locked_sampler_would_alias_but_the_jittered_one_does_not():
    """200 Hz sampling of a 50 Hz train lands on the same phase every time: a fixed period may see
    nothing at all; the detector's jittered period (and the kernel's RI counter) cannot."""
    locked = play("pulse", 50, "CN", 3, period=0.01, jitter=False)   # every sample on a zero crossing
    assert sum(e.kind == "ring_on" for e in locked) == 0, "the trap this guards against"
    for seed in range(5):
        assert sum(e.kind == "ring_on" for e in play("pulse", 50, "CN", 3, seed=seed)) == 3


def test_pulse_board_suggests_pulse():
    grouper = RingBursts()
    t = 0.0
    while t < 3:
        grouper.sample(t, 0.5 <= t < 1.5 and int(t * 50) % 2 == 0)
        t += 0.0047
    assert grouper.suggestion() == "pulse"


# --- issue 15 re-test: spikes are not rings ------------------------------------------------------
def _feed_jittered(active, until: float, seed: int = 1):
    import random as _r
    from hardware.phone.detectors import RingBursts
    rng, bursts, t, events = _r.Random(seed), RingBursts(), 0.0, []
    while t < until:
        events += bursts.sample(t, active(t))
        t += rng.uniform(0.003, 0.006)
    return events, bursts.rejected


@pytest.mark.parametrize("gap", [0.16, 0.2, 0.25, 0.29])
def test_two_short_spikes_are_no_ring(gap):
    events, rejected = _feed_jittered(lambda t: 1.0 <= t < 1.005 or 1.0 + gap <= t < 1.005 + gap, 3)
    assert events == [] and rejected == 2


@pytest.mark.parametrize("spacing", [0.05, 0.07, 0.12])
def test_three_spikes_are_no_ring(spacing):
    events, rejected = _feed_jittered(lambda t: any(1 + k * spacing <= t < 1.004 + k * spacing for k in range(3)), 3)
    assert events == [] and rejected >= 1


@pytest.mark.parametrize("hz", [17, 25, 50, 60])
def test_a_short_real_pulse_train_still_rings(hz):
    """0.2 s of ringing (a UK half ring) at any ringing frequency is one burst."""
    half = 1 / (2 * hz)
    events, _ = _feed_jittered(lambda t: 1.0 <= t < 1.2 and int((t - 1.0) / half) % 2 == 0, 3)
    assert [e.kind for e in events] == ["ring_on", "ring_off"]
    assert abs(events[0].t - 1.0) < 0.01


def test_a_held_level_must_be_held():
    events, _ = _feed_jittered(lambda t: 1.0 <= t < 1.16, 3)
    assert [e.kind for e in events] == ["ring_on", "ring_off"]
    events, _ = _feed_jittered(lambda t: 1.0 <= t < 1.1, 3)
    assert events == []
