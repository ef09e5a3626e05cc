"""The call tracker on scripted timelines for each cadence (no real time passes)."""
from __future__ import annotations

import pytest

from kiosk.phone.tracker import CADENCES, CallTracker, DetectorEvent, TrackerSettings


def rings(cadence: str, count: int, start: float = 0.0, *, modem: bool = False) -> list[DetectorEvent]:
    """Detector events for `count` rings: modem RINGs, or ring_on/ring_off bursts (UK: double)."""
    c = CADENCES[cadence]
    events = []
    for n in range(count):
        t = start + n * c.cycle
        if modem:
            events.append(DetectorEvent("ring", t))
        elif cadence == "UK":
            events += [DetectorEvent("ring_on", t), DetectorEvent("ring_off", t + 0.4),
                       DetectorEvent("ring_on", t + 0.6), DetectorEvent("ring_off", t + 1.0)]
        else:
            events += [DetectorEvent("ring_on", t), DetectorEvent("ring_off", t + c.on)]
    return events


def run(settings: TrackerSettings, events: list[DetectorEvent], until: float, step: float = 0.1):
    """Feed events merged with ticks every `step` seconds up to `until`; return the call events."""
    tracker = CallTracker(settings)
    timeline = sorted(events + [DetectorEvent("tick", round(i * step, 3)) for i in range(int(until / step) + 1)],
                      key=lambda e: (e.t, e.kind == "tick"))
    out = []
    for event in timeline:
        out += tracker.feed(event)
    return out


def kinds(out) -> list[str]:
    return [e.kind for e in out]


@pytest.mark.parametrize("cadence", ["CN", "US", "UK"])
@pytest.mark.parametrize("answered_on", [1, 2, 3])
def test_answered_within_three_rings_never_prompts(cadence, answered_on):
    c = CADENCES[cadence]
    pickup = (answered_on - 1) * c.cycle + 0.5
    out = run(TrackerSettings(cadence=c, offhook_sensing=True),
              rings(cadence, answered_on) + [DetectorEvent("offhook", pickup), DetectorEvent("onhook", pickup + 60)],
              until=pickup + 61)
    assert "prompt" not in kinds(out)
    answered = next(e for e in out if e.kind == "answered")
    assert answered.rings == answered_on and answered.source == "offhook"
    assert answered.seconds_to_answer == pytest.approx(pickup)
    ended = out[-1]
    assert (ended.kind, ended.outcome, ended.source) == ("ended", "answered", "offhook")
    assert ended.duration == pytest.approx(pickup + 60)


@pytest.mark.parametrize("cadence", ["CN", "US", "UK"])
def test_without_offhook_sensing_prompt_fires_at_the_start_of_ring_4(cadence):
    c = CADENCES[cadence]
    out = run(TrackerSettings(cadence=c), rings(cadence, 6, modem=True), until=6 * c.cycle + 10)
    prompt = next(e for e in out if e.kind == "prompt")
    assert prompt.rings == 4 and prompt.t == pytest.approx(3 * c.cycle)
    assert kinds(out).count("prompt") == 1
    ended = out[-1]
    assert (ended.outcome, ended.source, ended.rings) == ("unknown", "heuristic", 6)
    # A modem only hears ring starts: the last ring ended 'on' after its RING, then the longest silence
    # plus the margin passed.
    assert ended.t == pytest.approx(5 * c.cycle + c.on + c.off + c.stop_margin, abs=0.11)


@pytest.mark.parametrize("cadence", ["CN", "US", "UK"])
def test_with_offhook_sensing_prompt_fires_after_ring_3_plus_grace(cadence):
    c = CADENCES[cadence]
    settings = TrackerSettings(cadence=c, offhook_sensing=True, grace=1.0)
    out = run(settings, rings(cadence, 6), until=40)
    prompt = next(e for e in out if e.kind == "prompt")
    ring3_end = 2 * c.cycle + (1.0 if cadence == "UK" else c.on)
    assert prompt.rings == 3 and prompt.t == pytest.approx(ring3_end + 1.0, abs=0.11)
    assert prompt.t < 3 * c.cycle, "earlier than ring 4: off-hook sensing makes it certain sooner"
    assert out[-1].outcome == "missed" and out[-1].source == "offhook"


def test_picked_up_during_grace_does_not_prompt():
    c = CADENCES["CN"]
    ring3_end = 2 * c.cycle + c.on
    out = run(TrackerSettings(cadence=c, offhook_sensing=True, grace=1.0),
              rings("CN", 3) + [DetectorEvent("offhook", ring3_end + 0.5)], until=30)
    assert "prompt" not in kinds(out) and next(e for e in out if e.kind == "answered").rings == 3


def test_abandoned_after_three_rings_is_missed_without_prompt_for_a_modem():
    c = CADENCES["CN"]
    out = run(TrackerSettings(cadence=c), rings("CN", 3, modem=True), until=30)
    assert "prompt" not in kinds(out)
    assert (out[-1].outcome, out[-1].rings) == ("unknown", 3)


def test_uk_double_ring_counts_once():
    out = run(TrackerSettings(cadence=CADENCES["UK"], offhook_sensing=True), rings("UK", 2), until=12)
    assert [e.rings for e in out if e.kind == "ring"] == [1, 2]


def test_staff_answer_on_the_prompt_records_staff_as_source():
    c = CADENCES["CN"]
    events = rings("CN", 4, modem=True) + [DetectorEvent("staff_answered", 3 * c.cycle + 2)]
    out = run(TrackerSettings(cadence=c), events, until=40)
    answered = next(e for e in out if e.kind == "answered")
    assert answered.source == "staff" and answered.rings == 4
    assert (out[-1].kind, out[-1].outcome, out[-1].source) == ("ended", "answered", "staff")
    assert out[-1].seconds_to_answer == pytest.approx(3 * c.cycle + 2)


@pytest.mark.parametrize("before_ring_1", [True, False])
def test_caller_id_before_ring_1_or_between_rings_1_and_2(before_ring_1):
    cid_t = -0.5 if before_ring_1 else 2.5
    events = [DetectorEvent("callerid", cid_t + 1, number="13800138000", name="WANG")] + \
        [DetectorEvent(e.kind, e.t + 1) for e in rings("CN", 2, modem=True)]
    out = run(TrackerSettings(), events, until=20)
    cid = next(e for e in out if e.kind == "callerid")
    assert cid.number == "13800138000" and out[-1].number == "13800138000" and out[-1].name == "WANG"


def test_back_to_back_calls_are_separate():
    c = CADENCES["CN"]
    first = rings("CN", 2, modem=True)
    second = rings("CN", 5, start=30.0, modem=True)
    out = run(TrackerSettings(cadence=c), first + second, until=70)
    ended = [e for e in out if e.kind == "ended"]
    assert [(e.call_no, e.rings) for e in ended] == [(1, 2), (2, 5)]
    assert [e.call_no for e in out if e.kind == "prompt"] == [2]


@pytest.mark.parametrize("cadence", ["CN", "US", "UK"])
def test_ringing_stopped_is_decided_within_six_seconds_of_the_last_ring_ending(cadence):
    """The rule: a ring's end (sensed by the board) + the cadence's longest silence + the margin."""
    c = CADENCES[cadence]
    out = run(TrackerSettings(cadence=c), rings(cadence, 2), until=30, step=0.01)
    last_end = c.cycle + (1.0 if cadence == "UK" else c.on)
    ended = out[-1]
    assert ended.kind == "ended" and ended.rings == 2
    assert ended.t - last_end == pytest.approx(c.off + c.stop_margin, abs=0.02)
    assert ended.t - last_end <= 6.0
    # never before the next ring could still come: no call is split in two
    assert ended.t - last_end > c.off


@pytest.mark.parametrize("cadence", ["CN", "US", "UK"])
def test_a_ring_arriving_late_within_the_margin_stays_in_its_call(cadence):
    c = CADENCES[cadence]
    late = [DetectorEvent(e.kind, e.t + (0.6 if e.t >= c.cycle else 0)) for e in rings(cadence, 3)]
    late = [DetectorEvent(e.kind, e.t + (0.6 if e.t >= 2 * c.cycle + 0.6 else 0)) for e in late]
    out = run(TrackerSettings(cadence=c), late, until=40, step=0.01)
    assert kinds(out).count("started") == 1 and out[-1].rings == 3


def test_the_margin_comes_from_the_configuration():
    from kiosk.core import config
    from kiosk.phone.tracker import settings_from_config
    cfg = config.validate({"phone": {"cadence": "US", "stop_margin_seconds": 0.3}})
    settings = settings_from_config(cfg.section("phone"))
    assert settings.margin == 0.3 and settings.stop_after_silence == pytest.approx(4.3)
    default = settings_from_config(config.validate({"phone": {"cadence": "UK"}}).section("phone"))
    assert default.margin == CADENCES["UK"].stop_margin and default.stop_after_silence == pytest.approx(2.8)
    with pytest.raises(config.ConfigError, match="stop_margin_seconds"):
        config.validate({"phone": {"stop_margin_seconds": 9}})
    with pytest.raises(config.ConfigError, match="stop_margin_seconds"):
        config.validate({"phone": {"stop_margin_seconds": True}})


def test_a_burst_that_never_ends_still_ends_the_call():
    """A board stuck at its ringing level (or a cable pulled mid-ring) must not swallow later calls."""
    c = CADENCES["CN"]
    out = run(TrackerSettings(cadence=c), [DetectorEvent("ring_on", 0.0)], until=2 * c.cycle + 2)
    assert out[-1].kind == "ended" and out[-1].t == pytest.approx(2 * c.cycle + c.stop_margin, abs=0.11)


def test_a_modem_printing_ring_for_each_burst_of_a_uk_double_ring_counts_it_once():
    c = CADENCES["UK"]
    events = [DetectorEvent("ring", n * c.cycle + burst) for n in range(4) for burst in (0.0, 0.6)]
    out = run(TrackerSettings(cadence=c), events, until=4 * c.cycle + 6)
    assert [e.rings for e in out if e.kind == "ring"] == [1, 2, 3, 4]
    assert next(e for e in out if e.kind == "prompt").t == pytest.approx(3 * c.cycle)
