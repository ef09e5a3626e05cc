"""Every time the line is not watched is logged with its length; the banner still waits 10 s.
And the caller-history lookup that runs on every ringing call uses its index (migration 0022)."""
from __future__ import annotations

import threading
import time

import pytest

from hardware.phone.detectors import DetectorState
from hardware.phone.runtime import ALARM_AFTER, PhoneService
from kiosk.phone import calllog
from kiosk.phone.tracker import CallEvent
from tests.waiting import wait_until


def gaps(db, clock):
    start, end = calllog.day_bounds(clock, "Asia/Shanghai")
    return calllog.gaps_between(db, start, end)


@pytest.fixture
def service(ctx):
    alarms: list[dict] = []
    lock = threading.Lock()

    def seen(event) -> None:
        with lock:
            alarms.append(dict(event.data))
    ctx.bus.subscribe("phone.alarm", seen)
    svc = PhoneService(ctx, "at", phone_config=ctx.config.section("phone") | {"detector": "at"})
    svc.alarms = alarms
    yield svc
    svc.stop()


def count(db) -> int:
    return db.execute("SELECT COUNT(*) FROM phone_line_gaps").fetchone()[0]


def test_a_two_second_replug_is_logged_with_its_length_but_raises_no_banner(service, clock, db):
    service.start_unwatched()
    service.start()
    service.on_state(DetectorState.CONNECTED, "port")
    time.sleep(0.1)
    for seconds in (2.0, 0.3, 9.5):
        service.on_state(DetectorState.RECONNECTING, "unplugged")
        clock.advance(seconds)
        time.sleep(0.12)    # the tracker thread looks at the alarm on every tick
        service.on_state(DetectorState.CONNECTED, "port")
    wait_until(lambda: count(db) == 3, timeout=3)
    assert [round(g.seconds, 3) for g in gaps(db, clock)] == [2.0, 0.3, 9.5]
    assert service.alarms == [], "no banner below 10 s"
    assert count(db) == 3, "the start-up wait before the first connect is no gap"


def test_a_start_up_that_never_finds_the_detector_is_a_gap_once_the_banner_rose(service, clock, db):
    service.start_unwatched()
    service.start()
    clock.advance(ALARM_AFTER + 2)
    wait_until(lambda: service.alarms and service.alarms[-1]["active"], timeout=3)
    service.on_state(DetectorState.CONNECTED, "port")
    wait_until(lambda: count(db) == 1, timeout=3)
    [gap] = gaps(db, clock)
    assert gap.seconds == pytest.approx(ALARM_AFTER + 2) and gap.state == "reconnecting"


def test_stopping_while_the_line_is_not_watched_logs_the_gap_so_far(ctx, clock, db):
    svc = PhoneService(ctx, "at", phone_config=ctx.config.section("phone") | {"detector": "at"}).start()
    svc.on_state(DetectorState.CONNECTED, "port")
    svc.on_state(DetectorState.DEAF, "no answer to AT")
    time.sleep(0.15)
    clock.advance(4)
    svc.stop()
    [gap] = gaps(db, clock)
    assert gap.state == "deaf" and gap.seconds == pytest.approx(4, abs=0.01)


def test_a_line_that_goes_deaf_just_before_stop_still_logs_its_gap(ctx, clock, db):
    """The phone thread's loop ends on stop, with state changes perhaps still queued: they are drained,
    so a stop at once after the line went deaf (no time for the thread to look) still logs the gap."""
    for n in range(1, 6):
        svc = PhoneService(ctx, "at", phone_config=ctx.config.section("phone") | {"detector": "at"}).start()
        svc.on_state(DetectorState.CONNECTED, "port")
        svc.on_state(DetectorState.DEAF, "no answer to AT")
        clock.advance(2)
        svc.stop()
        assert len(gaps(db, clock)) == n


def test_the_caller_history_lookup_uses_its_index_not_a_scan(db, clock):
    from kiosk.core.db import write
    with write(db):   # one transaction: nested writes join it as savepoints
        _calls(db, clock)
    db.execute("ANALYZE")
    for before in (None, 250):
        plan = " | ".join(row[3] for row in db.execute("EXPLAIN QUERY PLAN " + calllog.HISTORY_SQL,
                                                        ("13800000007", before, before)))
        assert "call_events_number" in plan, plan
        assert "SCAN e" not in plan and "SCAN call_events" not in plan, plan
    assert calllog.caller_history(db, "13800000007")[0] == 8
    assert calllog.caller_history(db, "13800000007", 250)[0] == 7


def _calls(db, clock) -> None:
    for n in range(300):
        call_id = calllog.start_call(db, clock, "at")
        calllog.record_event(db, clock, call_id, CallEvent("ring", 0, n, rings=1))
        calllog.record_event(db, clock, call_id, CallEvent("callerid", 0, n, rings=1, number=f"13800{n % 40:06d}"))


def test_a_normal_stop_logs_no_gap_and_a_deaf_line_at_stop_keeps_its_cause(ctx, clock, db, tmp_path):
    """Stopping the detector publishes 'off': that alone is no gap; an open gap keeps 'deaf'."""
    from hardware.phone.simulator import ModemResponder, PtyLine
    from hardware.phone.detectors import SerialDetector
    line = PtyLine(tmp_path / "by-id")
    modem = ModemResponder(line).start()
    svc = PhoneService(ctx, "at", phone_config=ctx.config.section("phone") | {"detector": "at"})
    svc.detector = SerialDetector("at", line.path, svc.put, svc.on_state, init="ATZ").start()
    svc.start_unwatched()
    svc.start()
    try:
        wait_until(lambda: svc.detector.state == DetectorState.CONNECTED, timeout=5)
        time.sleep(0.2)
    finally:
        svc.stop()
        modem.stop()
        line.close()
    assert count(db) == 0, "a normal stop is no gap in the watching"
    svc = PhoneService(ctx, "at", phone_config=ctx.config.section("phone") | {"detector": "at"}).start()
    svc.on_state(DetectorState.CONNECTED, "port")
    svc.on_state(DetectorState.DEAF, "no answer to AT")
    clock.advance(2)
    svc.on_state(DetectorState.OFF, "stopped")
    time.sleep(0.15)
    svc.stop()
    [gap] = gaps(db, clock)
    assert gap.state == "deaf" and gap.seconds == pytest.approx(2, abs=0.01)


# --- issue 15 re-test: a flapping cable, a call answered in a gap, the ring beside 'started' ------
def _settle(service) -> None:
    """Let the phone thread take what was queued (state changes are queued, not handled inline)."""
    wait_until(lambda: service.events.empty(), timeout=3)
    time.sleep(0.1)


def test_a_flapping_cable_raises_the_alarm_once_and_keeps_it_until_calm(ctx, clock, service):
    service.start_unwatched()
    service.start()
    service.on_state(DetectorState.CONNECTED, "port")
    _settle(service)
    for _ in range(7):                       # gone 9 s, back 0.5 s: never 10 s at a time
        service.on_state(DetectorState.RECONNECTING, "lost")
        _settle(service)
        clock.advance(9.0)
        time.sleep(0.12)
        service.on_state(DetectorState.CONNECTED, "port")
        _settle(service)
        clock.advance(0.5)
        time.sleep(0.06)
    active = [a for a in service.alarms if a["active"]]
    assert len(active) == 1, service.alarms        # 7 x 9 s = 63 s unwatched in 66.5 s
    assert service.alarm and not any(not a["active"] for a in service.alarms)
    assert service.unwatched_recently(clock.monotonic()) >= 60
    clock.advance(130)                              # the window calms down: the alarm ends
    wait_until(lambda: not service.alarm and not service.alarms[-1]["active"], timeout=3)
    assert len(service.alarms) == 2


def test_short_gaps_below_the_bound_raise_nothing(ctx, clock, service):
    service.start()
    service.on_state(DetectorState.CONNECTED, "port")
    _settle(service)
    for _ in range(5):                       # 5 x 9 s = 45 s in the window: under 60 s
        service.on_state(DetectorState.RECONNECTING, "lost")
        _settle(service)
        clock.advance(9.0)
        time.sleep(0.12)
        service.on_state(DetectorState.CONNECTED, "port")
        _settle(service)
        clock.advance(5)
        time.sleep(0.06)
    assert not service.alarms


def test_a_call_during_a_gap_is_unknown_not_missed(ctx, clock, db):
    from kiosk.phone.tracker import DetectorEvent
    ended = []
    ctx.bus.subscribe("call.ended", lambda e: ended.append(dict(e.data)))
    svc = PhoneService(ctx, "line", phone_config=ctx.config.section("phone") | {"detector": "line"}).start()
    try:
        svc.on_state(DetectorState.CONNECTED, "port")
        t = clock.monotonic()
        svc.put(DetectorEvent("ring_on", t))
        svc.put(DetectorEvent("ring_off", t + 1))
        svc.put(DetectorEvent("ring_on", t + 5))
        svc.put(DetectorEvent("ring_off", t + 6))
        _settle(svc)
        svc.on_state(DetectorState.RECONNECTING, "lost")   # staff pick up while the lead is out
        _settle(svc)
        clock.advance(8)
        time.sleep(0.1)
        svc.on_state(DetectorState.CONNECTED, "port")
        clock.advance(10)
        wait_until(lambda: ended, timeout=3)
    finally:
        svc.stop()
    assert (ended[0]["outcome"], ended[0]["source"]) == ("unknown", "gap")
    start, end = calllog.day_bounds(clock, "Asia/Shanghai")
    [row] = calllog.calls_between(db, start, end)
    assert row.outcome == "unknown"
    figures = calllog.figures(db, clock, start, end)
    assert figures.missed == 0 and figures.unknown == 1


def test_the_ring_beside_started_carries_the_looked_up_name(ctx, clock, db):
    from kiosk.core.audit import Actor
    from kiosk.phone.tracker import DetectorEvent
    calllog.add_note(db, clock, Actor("王芳", None, "staff"), call_id=None, category="inquiry", what="停车",
                     caller_name="张伟", caller_number="13800138000")
    rings = []
    ctx.bus.subscribe("call.ring", lambda e: rings.append(dict(e.data)))
    svc = PhoneService(ctx, "at", phone_config=ctx.config.section("phone") | {"detector": "at"}).start()
    try:
        t = clock.monotonic()
        svc.put(DetectorEvent("callerid", t, number="13800138000"))
        svc.put(DetectorEvent("ring", t + 0.3))
        wait_until(lambda: rings, timeout=3)
    finally:
        svc.stop()
    assert rings[0]["name"] == "张伟"
