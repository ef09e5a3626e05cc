"""A detector that is never deaf: unplug/replug cycles on real ptys, retargeted by-id symlinks,
the heartbeat on a quiet port, no stale descriptors, and the alarm and gap on the desk."""
from __future__ import annotations

import os
import random
import threading
import time

import pytest

from hardware.phone.detectors import DetectorState, SerialDetector
from hardware.phone.runtime import ALARM_AFTER, PhoneService
from hardware.phone.simulator import ModemResponder, PtyLine, pts_fds
from kiosk.phone import calllog
from tests.phone.test_phone_detectors import Recorder
from tests.waiting import wait_until

REOPEN_LIMIT = 2.0


def no_stale_fds(line: PtyLine) -> None:
    """Only the current slave is held: once by the simulator, at most once by the detector."""
    current = os.path.realpath(line.path)
    held = [t for t in pts_fds() if t != current]
    mine = [t for t in pts_fds() if t == current]
    assert not [t for t in held if t in STALE], f"stale descriptors on {held}"
    assert len(mine) <= 2, f"{current} held {len(mine)} times"


STALE: set[str] = set()


@pytest.fixture
def line(tmp_path):
    pty = PtyLine(tmp_path / "by-id")
    yield pty
    pty.close()


def test_ten_unplug_replug_cycles_lose_no_call_and_hold_no_dead_port(line):
    """Random unplug windows (scaled into 0-0.8 s here; bench/phone_soak.py plays 0-5 s for 100
    cycles), alternating the same node and a new tty behind the by-id symlink; after each replug a
    call of random length with caller ID on its first ring."""
    rnd = random.Random(15)
    modem = ModemResponder(line).start()
    rec = Recorder()
    detector = SerialDetector("at", line.path, rec.event, rec.state, init="ATZ;AT+VCID=1").start()
    reopen_times = []
    try:
        wait_until(lambda: detector.state == DetectorState.CONNECTED)
        for cycle in range(10):
            old = os.path.realpath(line.path)
            line.unplug()
            # As udev does, the by-id link goes with the device: a dangling link could meanwhile name
            # another process's pty (/dev/pts numbers are shared by every test run on this machine).
            line.link.unlink(missing_ok=True)
            wait_until(lambda: detector.state != DetectorState.CONNECTED, timeout=3)
            time.sleep(rnd.uniform(0.0, 0.8))
            connects = detector.connects
            line.plug(new_node=cycle % 2 == 1)
            plugged = time.monotonic()
            if os.path.realpath(line.path) != old:
                STALE.add(old)
            # The reconnect is the port open again (within 2 s); the init exchange after it takes what
            # the simulated modem's thread takes, which a loaded test machine can stretch.
            wait_until(lambda: detector.connects > connects, timeout=REOPEN_LIMIT + 1)
            reopen_times.append(time.monotonic() - plugged)
            wait_until(lambda: detector.state == DetectorState.CONNECTED, timeout=6)
            no_stale_fds(line)
            rings = rnd.randint(1, 4)
            number = f"1380013{cycle:04d}"
            before = len(rec.kinds())
            line.write(f"\r\nNMBR = {number}\r\n\r\n".encode() + b"RING\r\n" * rings)
            wait_until(lambda: rec.kinds()[before:].count("ring") == rings, timeout=3)
            got = rec.events[before:]
            assert got[0].kind == "callerid" and got[0].number == number, "the number belongs to this call"
        assert max(reopen_times) < REOPEN_LIMIT, reopen_times
        assert detector.connects >= 11   # a replug seen mid-way (the spare node of a new tty) may add a reopen
    finally:
        detector.stop()
        modem.stop()
    assert detector.state == DetectorState.OFF
    assert os.path.realpath(line.path) not in [t for t in pts_fds() if pts_fds().count(t) > 1]


def test_a_by_id_symlink_pointing_at_a_new_tty_is_followed_even_if_the_old_one_lives_on(line, tmp_path):
    """The dead-but-open case: the old pty is still there (nothing errors), the path names another."""
    board = ModemResponder(line).start()   # answers PING on whichever pty is plugged now
    board.hook = None
    rec = Recorder()
    detector = SerialDetector("line", line.path, rec.event, rec.state, probe_after=60).start()
    old_master = line.master
    try:
        wait_until(lambda: detector.state == DetectorState.CONNECTED)
        old = os.path.realpath(line.path)
        # Keep the old pty alive and open a new one behind the same symlink.
        line.master = line._slave = None
        line.plug(new_node=True)
        assert os.path.realpath(line.path) != old
        t0 = time.monotonic()
        wait_until(lambda: detector.connects == 2 and detector.state == DetectorState.CONNECTED, timeout=3)
        assert time.monotonic() - t0 < REOPEN_LIMIT
        wait_until(lambda: pts_fds().count(old) <= 1, timeout=1)   # only the simulator's own slave remains
        line.write(b"RING_ON\n")
        wait_until(lambda: rec.kinds() == ["ring_on"])
    finally:
        detector.stop()
        board.stop()
        os.close(old_master)


@pytest.mark.parametrize("kind", ["at", "line"])
def test_a_quiet_port_is_probed_and_a_mute_one_is_reopened(line, kind):
    modem = ModemResponder(line).start()
    rec = Recorder()
    detector = SerialDetector(kind, line.path, rec.event, rec.state, init="AT" if kind == "at" else "",
                              probe_after=0.3, probe_timeout=0.3).start()
    try:
        wait_until(lambda: detector.state == DetectorState.CONNECTED)
        probe = "AT" if kind == "at" else "PING"
        wait_until(lambda: modem.commands.count(probe) >= 3, timeout=4)
        assert DetectorState.DEAF not in [s for s, _ in rec.states], "an answered heartbeat keeps it connected"
        connects = detector.connects
        modem.mute = True
        wait_until(lambda: DetectorState.DEAF in [s for s, _ in rec.states], timeout=3)
        modem.mute = False
        wait_until(lambda: detector.connects > connects and detector.state == DetectorState.CONNECTED, timeout=3)
        line.write(b"RING\r\n" if kind == "at" else b"RING_ON\n")
        wait_until(lambda: rec.kinds()[-1:] == ["ring" if kind == "at" else "ring_on"])
    finally:
        detector.stop()
        modem.stop()


def test_no_port_at_start_is_watched_for_and_opened_within_two_seconds(tmp_path):
    rec = Recorder()
    link = tmp_path / "by-id" / "late"
    detector = SerialDetector("line", str(link), rec.event, rec.state, max_backoff=10).start()
    try:
        time.sleep(0.5)   # several seconds of absence must not grow a long back-off
        assert detector.state == DetectorState.RECONNECTING
        pty = PtyLine(tmp_path / "by-id", name="late")
        board = ModemResponder(pty).start()
        t0 = time.monotonic()
        wait_until(lambda: detector.state == DetectorState.CONNECTED, timeout=3)
        assert time.monotonic() - t0 < REOPEN_LIMIT
        board.stop()
        pty.close()
    finally:
        detector.stop()


# --- the desk's side: alarm after 10 s, the gap in the call log and figures -----------------------
def test_ten_seconds_unwatched_raise_the_alarm_and_the_gap_is_logged(ctx, clock, db):
    seen = []
    lock = threading.Lock()
    ctx.bus.subscribe("phone.alarm", lambda e: (lock.acquire(), seen.append(dict(e.data)), lock.release()))
    service = PhoneService(ctx, "at", phone_config=ctx.config.section("phone") | {"detector": "at"}).start()
    try:
        service.on_state(DetectorState.CONNECTED, "port")
        service.on_state(DetectorState.RECONNECTING, "lost /dev/ttyUSB0")
        clock.advance(ALARM_AFTER - 0.5)
        time.sleep(0.2)
        assert not seen, "no alarm before 10 s"
        clock.advance(1.0)
        wait_until(lambda: seen and seen[-1]["active"], timeout=3)
        service.on_state(DetectorState.DEAF, "no answer to the heartbeat")
        clock.advance(170)
        service.on_state(DetectorState.CONNECTED, "port")
        wait_until(lambda: len(seen) == 2 and not seen[-1]["active"], timeout=3)
        wait_until(lambda: db.execute("SELECT COUNT(*) FROM phone_line_gaps").fetchone()[0] == 1, timeout=3)
    finally:
        service.stop()
    start, end = calllog.day_bounds(clock, "Asia/Shanghai")
    [gap] = calllog.gaps_between(db, start, end)
    assert gap.state == "deaf" and "heartbeat" in gap.detail
    figures = calllog.figures(db, clock, start, end)
    assert figures.unwatched_seconds == pytest.approx(180.5, abs=0.2)
    assert any("not watched" in msgid for msgid, _ in figures.basis)
    with pytest.raises(Exception):
        db.execute("DELETE FROM phone_line_gaps")


def test_the_init_chain_keeps_the_caller_id_command_that_answered(line):
    modem = ModemResponder(line, refuse=("AT+VCID=1", "AT#CID=1")).start()
    rec = Recorder()
    detector = SerialDetector("at", line.path, rec.event, rec.state,
                              init="ATZ;AT+VCID=1|AT#CID=1|AT%CCID=1|AT+CLIP=1").start()
    try:
        wait_until(lambda: detector.state == DetectorState.CONNECTED)
        assert detector.init_used == ["ATZ", "AT%CCID=1"]
        assert "AT+CLIP=1" not in modem.commands, "the chain stops at the first OK"
    finally:
        detector.stop()
        modem.stop()


def test_a_known_caller_is_named_on_every_event_and_in_the_log(ctx, clock, db):
    from kiosk.core import auth
    from kiosk.core.audit import Actor
    from kiosk.phone.tracker import DetectorEvent
    from kiosk.core.audit import SYSTEM
    user = auth.add_user(db, clock, SYSTEM, "Wang", "staff", "2580")
    calllog.add_note(db, clock, Actor(user.name, user.id, "staff"), call_id=None, category="inquiry", what="parking",
                     caller_name="张伟 (物业)", caller_number="13800138000")
    events = []
    ctx.bus.subscribe("*", lambda e: events.append((e.kind, dict(e.data))) if e.kind.startswith("call.") else None)
    service = PhoneService(ctx, "at", phone_config=ctx.config.section("phone") | {"detector": "at"}).start()
    try:
        t = clock.monotonic()
        service.put(DetectorEvent("callerid", t, number="13800138000"))
        service.put(DetectorEvent("ring", t + 0.5))
        for n in range(1, 4):
            clock.advance(5)
            service.put(DetectorEvent("ring", clock.monotonic()))
        clock.advance(10)
        wait_until(lambda: any(k == "call.ended" for k, _ in events), timeout=5)
    finally:
        service.stop()
    named = {k: d.get("name") for k, d in events}
    assert named["call.started"] == named["call.prompt"] == named["call.ended"] == "张伟 (物业)"
    start, end = calllog.day_bounds(clock, "Asia/Shanghai")
    [row] = calllog.calls_between(db, start, end)
    assert (row.name, row.number, row.rings) == ("张伟 (物业)", "13800138000", 4)
    started = next(d for k, d in events if k == "call.started")
    assert started["times"] == 0


def test_a_modem_that_answers_nothing_is_deaf_never_connected(line):
    modem = ModemResponder(line)
    modem.mute = True
    modem.start()
    rec = Recorder()
    detector = SerialDetector("at", line.path, rec.event, rec.state, init="ATZ").start()
    try:
        wait_until(lambda: DetectorState.DEAF in [s for s, _ in rec.states], timeout=4)
        assert DetectorState.CONNECTED not in [s for s, _ in rec.states]
        modem.mute = False   # the modem comes to its senses: connected on the next open
        wait_until(lambda: detector.state == DetectorState.CONNECTED, timeout=4)
    finally:
        detector.stop()
        modem.stop()


# --- issue 15 re-test: the hook state is resynced at every (re)connect ---------------------------
def test_the_line_board_is_asked_its_hook_state_at_every_connect(line):
    """A real pty: the detector sends HOOK on connect and after a replug; the answer is an event."""
    modem = ModemResponder(line).start()
    modem.hook = "OFFHOOK"
    rec = Recorder()
    detector = SerialDetector("line", line.path, rec.event, rec.state, probe_after=60).start()
    try:
        wait_until(lambda: rec.kinds() == ["offhook"], timeout=3)
        modem.hook = "ONHOOK"
        line.unplug()
        line.plug(new_node=True)
        wait_until(lambda: rec.kinds() == ["offhook", "onhook"], timeout=3)
        assert modem.commands.count("HOOK") == 2
    finally:
        detector.stop()
        modem.stop()


@pytest.mark.parametrize("hello, expected", [
    (b"HELLO 2.1 pulse onhook\n", ["onhook"]),
    (b"HELLO 2.1 level offhook\n", ["offhook"]),
    (b"HELLO 2.0 pulse\n", []),                 # an older sketch: no hook state, no event, no error
    (b"HELLO\n", []),
])
def test_hello_carries_the_hook_state_and_old_hellos_still_work(line, hello, expected):
    board = ModemResponder(line).start()
    board.hook = None   # an older sketch: only the HELLO tells the hook state
    rec = Recorder()
    detector = SerialDetector("line", line.path, rec.event, rec.state, probe_after=60).start()
    try:
        wait_until(lambda: detector.state == DetectorState.CONNECTED)
        line.write(hello + b"RING_ON\n")
        wait_until(lambda: rec.kinds() == expected + ["ring_on"], timeout=3)
    finally:
        detector.stop()
        board.stop()


def test_a_board_reset_during_an_answered_call_ends_it_and_the_next_call_is_heard(ctx, clock, db, line):
    """End to end on a pty: answered, the board resets (ONHOOK lost), HELLO onhook ends the call."""
    events = []
    lock = threading.Lock()
    ctx.bus.subscribe("*", lambda e: (lock.acquire(), events.append((e.kind, dict(e.data))), lock.release())
                      if e.kind.startswith("call.") else None)
    service = PhoneService(ctx, "line", phone_config=ctx.config.section("phone") | {"detector": "line"}).start()
    board = ModemResponder(line).start()
    board.hook = None   # the call's hook state comes from the lines below only
    rec_state = []
    detector = SerialDetector("line", line.path, service.put, lambda s, d: (rec_state.append(s), service.on_state(s, d)),
                              probe_after=60, monotonic=clock.monotonic).start()

    def kinds():
        with lock:
            return [k for k, _ in events]
    try:
        wait_until(lambda: detector.state == DetectorState.CONNECTED)
        line.write(b"RING_ON\n")
        wait_until(lambda: "call.ring" in kinds(), timeout=3)
        clock.advance(1)
        line.write(b"RING_OFF\nOFFHOOK\n")
        wait_until(lambda: "call.answered" in kinds(), timeout=3)
        clock.advance(30)
        line.write(b"\x00\xff\xfe garbage after a brown-out\nHELLO 2.1 pulse onhook\n")
        wait_until(lambda: "call.ended" in kinds(), timeout=3)
        with lock:
            ended = next(d for k, d in events if k == "call.ended")
        assert (ended["outcome"], ended["source"]) == ("answered", "offhook")
        clock.advance(60)
        line.write(b"RING_ON\n")
        wait_until(lambda: kinds().count("call.started") == 2, timeout=3)
    finally:
        detector.stop()
        board.stop()
        service.stop()
