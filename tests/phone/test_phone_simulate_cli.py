"""`kiosk phone simulate` plays its scenarios one after another: each must be its own call at the desk
(the next call waits until the desk has decided the last one stopped ringing)."""
from __future__ import annotations

import pytest

from hardware.phone.simulator import SCENARIOS, scenario
from kiosk.cli.phone import _ringing_tail
from kiosk.phone.tracker import CADENCES, CallTracker, DetectorEvent, TrackerSettings


@pytest.mark.parametrize("cadence", ["CN", "US", "UK"])
def test_scenarios_played_in_turn_are_separate_calls(cadence):
    tracker = CallTracker(TrackerSettings(cadence=CADENCES[cadence]))
    offset, events = 0.0, []
    names = [n for n in SCENARIOS if n != "unplug_mid_call"]   # an unplug is the detector's business
    for name in names:
        steps = scenario(name, cadence)
        events += [DetectorEvent("ring", offset + s.t) for s in steps if s.action == "ring"]
        offset += max(s.t for s in steps) + _ringing_tail(steps, cadence) + 0.0   # --pause 0: the worst case
    timeline = sorted(events + [DetectorEvent("tick", i / 20) for i in range(int((offset + 1) * 20))],
                      key=lambda e: (e.t, e.kind == "tick"))
    out = [c for e in timeline for c in tracker.feed(e)]
    assert sum(c.kind == "started" for c in out) == len(names)
    assert sum(c.kind == "ended" for c in out) == len(names)
