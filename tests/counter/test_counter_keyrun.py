"""KeyRun: a scanner's burst typed into a focused field against a person typing there, by the timing of the
whole run (issue 13: one 45 ms hiccup used to split a scan in two). Times are given, as a FakeClock would."""
from __future__ import annotations

import random

from hypothesis import given, settings, strategies as st

from kiosk.counter.barcode import MAX_CODE, SCAN_MAX_GAP, KeyRun

WATER = "6901234567892"


def _type(run: KeyRun, text: str, gaps, enter_gap: float, start: float = 100.0) -> tuple[str | None, int]:
    """Feed `text` with `gaps` before each key after the first, then Enter; (code, runs begun)."""
    now, begun = start, 0
    for i, ch in enumerate(text):
        now += gaps[i - 1] if i else 0.0
        begun += run.key(ch, now)
    return run.enter(now + enter_gap), begun


def test_a_hiccup_of_45_to_80_ms_inside_a_scan_does_not_split_it():
    for hiccup in (0.045, 0.06, 0.075, SCAN_MAX_GAP):
        gaps = [0.008] * 12
        gaps[5] = hiccup
        code, begun = _type(KeyRun(), WATER, gaps, 0.01)
        assert (code, begun) == (WATER, 1), hiccup
    gaps = [0.01, 0.05, 0.01, 0.07, 0.01, 0.045, 0.01, 0.01, 0.06, 0.01, 0.01, 0.01]  # a Bluetooth scanner, bumpy
    assert _type(KeyRun(), WATER, gaps, 0.02)[0] == WATER


def test_a_person_is_typing_however_fast():
    rng = random.Random(5)
    for _ in range(200):
        gaps = [rng.uniform(0.06, 0.2) for _ in range(12)]
        assert _type(KeyRun(), WATER, gaps, rng.uniform(0.05, 0.3))[0] is None
    assert _type(KeyRun(), "1000", [0.1, 0.1, 0.1], 0.1)[0] is None
    assert _type(KeyRun(), "100", [0.005, 0.005], 0.005)[0] is None, "under the shortest code"
    assert _type(KeyRun(), WATER, [0.008] * 12, 0.4)[0] is None, "Enter pressed by a person after a pause"


def test_a_pause_longer_than_the_longest_hiccup_begins_a_new_run():
    gaps = [0.008] * 12
    gaps[8] = SCAN_MAX_GAP + 0.01
    code, begun = _type(KeyRun(), WATER, gaps, 0.01)
    assert begun == 2 and code == WATER[9:]  # the tail alone is judged: 4 keys at scanner speed
    run = KeyRun()
    _type(run, "12", [0.008], 0.01)
    assert run.chars == [] and run.times == [], "Enter ends the run whatever it was"


def test_bounded_and_cleaned():
    run = KeyRun()
    code, _ = _type(run, "\x00\x1b" + "9" * 10_000, [0.004] * 10_001, 0.004)
    assert code == "9" * (MAX_CODE - 2) and len(run.times) == 0
    assert _type(KeyRun(), "６９０１２３４５６７８９２", [0.006] * 12, 0.006)[0] == WATER  # full-width, an IME on


_SCANNER = st.lists(st.floats(0.003, 0.03), min_size=12, max_size=12)


@settings(deadline=200, max_examples=300)
@given(gaps=_SCANNER, hiccups=st.lists(st.tuples(st.integers(0, 11), st.floats(0.03, SCAN_MAX_GAP)), max_size=3),
       enter=st.floats(0.003, 0.05))
def test_any_scanner_burst_with_a_few_hiccups_is_one_scan(gaps, hiccups, enter):
    for i, gap in hiccups:
        gaps[i] = gap
    assert _type(KeyRun(), WATER, gaps, enter) == (WATER, 1)


@settings(deadline=200, max_examples=300)
@given(gaps=st.lists(st.floats(0.06, 0.5), min_size=3, max_size=20), quick=st.lists(st.floats(0.0, 0.03), max_size=4),
       enter=st.floats(0.0, 0.5))
def test_any_human_run_is_never_a_scan(gaps, quick, enter):
    """A person's keys are 60 ms or more apart; a few rolled-over pairs (two keys at once) do not make a scan
    while most gaps are a person's."""
    # Each rolled-over pair sits after a person's gap of its own: two keys at once, never a run of them (a
    # shuffle could line three 0 ms gaps up at the end, four keys in no time: a scanner, not a person).
    quick = quick[:max(0, (len(gaps) - 1) // 2 - 1)]
    after = set(random.Random(len(gaps)).sample(range(len(gaps)), len(quick)))
    extra = iter(quick)
    mixed = [g for i, gap in enumerate(gaps) for g in ((gap, next(extra)) if i in after else (gap,))]
    text = "1234567890" * 3
    assert _type(KeyRun(), text[:len(mixed) + 1], mixed, enter)[0] is None
