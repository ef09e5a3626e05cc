"""Hostile cases beside the fixes for outside attack 15: the call log's writer under a busy database,
caller ID of a one-ring call, rings after a staff "Answered", Chinese caller names, and the visitor
banner's "Not now"."""
from __future__ import annotations

import sqlite3
import time

import pytest

from hardware.phone.detectors import ATParser
from hardware.phone.runtime import CallLogWriter, PhoneService
from kiosk.core import auth
from kiosk.core.audit import SYSTEM
from kiosk.core.clock import utc_iso
from kiosk.phone import callerid
from kiosk.phone.tracker import CADENCES, CallTracker, DetectorEvent as D, TrackerSettings
from tests.uikit import app_test, find, kiosk_app_factory, settle, tap
from tests.waiting import wait_until


# --- the call log's writer ------------------------------------------------------------------------
def _phone(ctx, kind="at"):
    return PhoneService(ctx, kind, phone_config=ctx.config.section("phone") | {"detector": kind}).start()


class _OtherWriter:
    """Another connection (a backup, an export) that takes the database's write lock; WAL: readers
    still read."""

    def __init__(self, path) -> None:
        self.conn = sqlite3.connect(path, timeout=0)

    def hold(self) -> None:
        time.sleep(0.3)   # the phone's threads have opened their connections
        self.conn.execute("BEGIN IMMEDIATE")

    def release(self) -> None:
        if self.conn.in_transaction:
            self.conn.rollback()


@pytest.fixture
def other_writer(ctx, monkeypatch):
    monkeypatch.setenv("KIOSK_BUSY_TIMEOUT_MS", "150")
    writer = _OtherWriter(ctx.db_path)
    yield writer
    writer.release()
    writer.conn.close()


def _kinds(db):
    return [r[0] for r in db.execute("SELECT kind FROM call_events ORDER BY id")]


def test_a_whole_call_under_a_lock_lands_once_in_order_with_its_own_times(ctx, clock, db, other_writer):
    """The lock is held from before ring 1 to after the call ended (a long export): once it goes,
    the call is written once (no second row from a retried start), its events in order, and its
    start stamped with ring 1's time, not the moment the disk took it."""
    service = _phone(ctx)
    try:
        other_writer.hold()
        rang_at = clock.now()
        for n in range(5):
            service.put(D("ring", clock.monotonic()))
            clock.advance(CADENCES["CN"].cycle)
            time.sleep(0.1)
        clock.advance(10)
        time.sleep(0.8)   # several failed attempts
        assert db.execute("SELECT COUNT(*) FROM calls").fetchone()[0] == 0
        other_writer.release()
        wait_until(lambda: "ended" in _kinds(db), timeout=6)
    finally:
        service.stop()
    assert db.execute("SELECT COUNT(*) FROM calls").fetchone()[0] == 1
    assert _kinds(db) == ["started", "ring", "ring", "ring", "ring", "prompt", "ring", "ended"]
    started = db.execute("SELECT started_at FROM calls").fetchone()[0]
    assert started == utc_iso(rang_at)


def test_the_writer_retries_in_order_and_drops_only_a_bad_write(ctx):
    """A job refused twice by a lock is retried before the next runs; a job that is simply wrong (a
    bug, not the disk) is dropped and cannot block the queue."""
    done: list[str] = []
    tries = {"n": 0}

    def busy_twice(db):
        tries["n"] += 1
        if tries["n"] < 3:
            raise sqlite3.OperationalError("database is locked")
        done.append("first")

    def broken(db):
        raise ValueError("a bug")

    writer = CallLogWriter(ctx.db_path).start()
    try:
        for job in (busy_twice, broken, lambda db: done.append("second")):
            writer.put(job)
        wait_until(lambda: len(done) == 2, timeout=3)
    finally:
        writer.close()
    assert done == ["first", "second"] and tries["n"] == 3


def test_stopping_while_the_database_stays_locked_does_not_hang(ctx, clock, other_writer):
    """The desk shuts down during someone else's long write: the phone stops within its deadline
    (the writes still queued are logged as lost), it does not wait for the lock for ever."""
    service = _phone(ctx)
    other_writer.hold()
    service.put(D("ring", clock.monotonic()))
    time.sleep(0.3)
    t0 = time.monotonic()
    service.stop()
    took = time.monotonic() - t0
    assert took < 8, f"stop took {took:.1f} s"


def test_a_late_pin_confirms_a_call_whose_id_the_screen_never_learnt(ctx, clock, db, other_writer):
    """A one-ring call rang and ended while the database was busy: every event reached the screen
    with no call id. The staff PIN typed afterwards still confirms that call (found by its number in
    the tracker), once the queued writes have landed."""
    user = auth.add_user(db, clock, SYSTEM, "Li Na", "staff", "2580")
    seen = []
    ctx.bus.subscribe("call.ended", seen.append)
    service = _phone(ctx)
    try:
        other_writer.hold()
        service.put(D("ring", clock.monotonic()))
        clock.advance(10)
        wait_until(lambda: seen, timeout=3)
        assert seen[0].data["call_id"] is None
        ctx.bus.publish("call.staff_answered", call_no=1, call_id=None, actor=user.name, actor_id=user.id)
        time.sleep(0.3)
        other_writer.release()
        wait_until(lambda: "confirmed" in _kinds(db), timeout=5)
    finally:
        service.stop()
    assert db.execute("SELECT outcome, actor FROM call_events WHERE kind = 'confirmed'").fetchall() == [("answered", user.name)]


# --- the tracker -----------------------------------------------------------------------------------
def _run(tracker: CallTracker, events: list[D], until: float) -> list:
    ticks = [D("tick", x / 20) for x in range(int(until * 20))]
    out = []
    for ev in sorted(events + ticks, key=lambda e: (e.t, e.kind == "tick")):
        out += tracker.feed(ev)
    return out


def _ended(out):
    return [(e.call_no, e.rings, e.number, e.outcome, e.source) for e in out if e.kind == "ended"]


def test_a_late_number_after_ring_two_is_not_given_to_the_closing_call():
    """FSK comes after ring 1 only: a number late in the silence after ring 2 of a call that stops is
    the next call's (DTMF before its ring 1), never the closing call's."""
    out = _run(CallTracker(), [D("ring", 0), D("ring", 5), D("callerid", 8.5, number="13800138000"),
                               D("ring", 12.0)], 30)
    assert _ended(out)[0][:3] == (1, 2, "")
    assert _ended(out)[1][:3] == (2, 1, "13800138000")


def test_a_one_ring_call_with_its_own_number_keeps_it_against_a_late_other_number():
    out = _run(CallTracker(), [D("ring", 0), D("callerid", 1.5, number="02161234567"),
                               D("callerid", 4.0, number="13800138000")], 20)
    assert [e[2] for e in _ended(out)] == ["02161234567"]


def test_rings_after_answered_then_a_real_next_call_are_two_calls():
    """Staff said "Answered" at ring 4, it rang on twice, stopped; 30 s later another caller: the
    first call has all its 6 rings (answered by staff), the second is a call of its own."""
    rings = [D("ring", 5.0 * n) for n in range(6)] + [D("ring", 60.0 + 5 * n) for n in range(2)]
    out = _run(CallTracker(), rings + [D("staff_answered", 15.5)], 90)
    assert [(c, r, o, s) for c, r, _, o, s in _ended(out)] == [(1, 6, "answered", "staff"), (2, 2, "unknown", "heuristic")]
    assert [e.rings for e in out if e.kind == "ring" and e.call_no == 1] == [1, 2, 3, 4, 5, 6]


def test_a_line_board_ringing_on_after_a_staff_answer_is_one_call():
    settings = TrackerSettings(offhook_sensing=False)
    events = [D(k, 5.0 * n + d) for n in range(7) for k, d in (("ring_on", 0), ("ring_off", 1.0))]
    out = _run(CallTracker(settings), events + [D("staff_answered", 12.0)], 60)
    assert [(c, r, o) for c, r, _, o, _ in _ended(out)] == [(1, 7, "answered")]


def test_a_ring_after_off_hook_is_still_the_cut_ring_and_not_counted():
    settings = TrackerSettings(offhook_sensing=True)
    events = [D("ring_on", 0), D("ring_off", 1), D("ring_on", 5), D("offhook", 5.5), D("ring_off", 5.6),
              D("ring_on", 6.0), D("ring_off", 6.2), D("onhook", 40)]
    out = _run(CallTracker(settings), events, 50)
    assert [(c, r, o, s) for c, r, _, o, s in _ended(out)] == [(1, 2, "answered", "offhook")]


def test_a_uk_double_ring_after_a_staff_answer_counts_once_a_cycle():
    """A modem printing RING for each burst of the UK's double ring: still one ring per cycle after
    "Answered" too."""
    settings = TrackerSettings(cadence=CADENCES["UK"])
    rings = [D("ring", 3.0 * n + d) for n in range(6) for d in (0, 0.6)]
    out = _run(CallTracker(settings), rings + [D("staff_answered", 9.5)], 40)
    assert [(c, r) for c, r, *_ in _ended(out)] == [(1, 6)]


# --- Chinese caller names --------------------------------------------------------------------------
def _mdmf_name(raw: bytes, absent: bytes = b"") -> callerid.CallerID:
    body = bytes([0x02, 11]) + b"13800138000" + bytes([0x07, len(raw)]) + raw
    if absent:
        body += bytes([0x08, len(absent)]) + absent
    return callerid.decode_frame(callerid.build_frame(0x80, body))


@pytest.mark.parametrize("raw, name", [
    ("WANG 王小明".encode("gb18030"), "WANG 王小明"),
    (b"\x07\x1b" + "王\u202e小明".encode("gb18030") + b"\x00\r\n", "王小明"),   # bell, escape, a direction override
    (b"\xff\xff" + "李".encode("gb2312"), "李"),                                # bytes no encoding has
    ("𠀀龘".encode("gb18030"), "𠀀龘"),                                           # four-byte GB18030
    (("王" * 120).encode("gb18030"), "王" * callerid.MAX_NAME),                 # the frame's most
])
def test_a_name_from_the_line_is_decoded_cleaned_and_bounded(raw, name):
    assert _mdmf_name(raw).name == name


def test_a_name_of_only_control_bytes_falls_back_to_the_reason_it_is_absent():
    assert _mdmf_name(b"\x01\x02\x80", absent=b"P").name == "private"


def test_a_chinese_name_in_a_modems_mesg_line_reaches_the_tracker():
    frame = callerid.mdmf(when="12031215", number="13800138000", name="王小明")
    events = ATParser().feed(f"\r\nMESG = {frame.hex().upper()}\r\n".encode(), 1.0)
    assert [(e.kind, e.number, e.name) for e in events] == [("callerid", "13800138000", "王小明")]


# --- the visitor banner's "Not now" ----------------------------------------------------------------
def _publish(app, kind: str, **data) -> None:
    from tests.phone.test_phone_ui import publish_call
    publish_call(app, kind, **data)


@app_test(kiosk_app_factory(lang="en"))
@pytest.mark.asyncio
async def test_a_banner_a_visitor_cleared_does_not_return_once_the_call_is_over(kivy_app):
    """The visitor's "Not now" clears the strip until the next ring; once the call ended (or staff
    answered it by PIN) nothing brings it back for that call."""
    app = kivy_app
    await settle(app)
    prompt = app.call_prompt
    _publish(app, "prompt", rings=4, number="13800138000")
    await settle(app)
    await tap(app, find(prompt.ids.banner, text="Not now"))
    await settle(app)
    assert prompt.parent is None
    _publish(app, "ring", rings=5, number="13800138000")
    await settle(app)
    assert prompt.parent is not None and prompt.rings == 5
    _publish(app, "answered", rings=5, source="staff")
    await settle(app)
    _publish(app, "ring", rings=6, number="13800138000")   # it rings on after the staff's "Answered"
    await settle(app)
    assert prompt.parent is None


@app_test(kiosk_app_factory(lang="en"))
@pytest.mark.asyncio
async def test_signed_in_staff_can_still_silence_the_prompt_for_the_call(kivy_app):
    app = kivy_app
    await settle(app)
    app.sign_in(auth.users(app.ctx.db, role="staff")[0])
    await settle(app)
    prompt = app.call_prompt
    _publish(app, "prompt", rings=4, number="13800138000")
    await settle(app)
    assert not prompt.banner
    await tap(app, find(prompt.ids.card, text="Not now"))
    await settle(app)
    for rings in (5, 6):
        _publish(app, "ring", rings=rings, number="13800138000")
        await settle(app)
    assert prompt.parent is None
