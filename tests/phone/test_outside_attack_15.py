"""Outside attack on issue 15 (the phone line that never goes deaf).

Real ptys (PtyLine) and a real SQLite file; no mocks of the serial layer. Each failing test is a
defect; its docstring says what a person at the desk would see. Passing tests document what held.
"""
from __future__ import annotations

import os
import sqlite3
import threading
import time

import pytest

from hardware.phone.detectors import ATParser, DetectorState, SerialDetector
from hardware.phone.runtime import PhoneService
from hardware.phone.simulator import ModemResponder, PtyLine
from kiosk.phone import callerid, calllog
from kiosk.phone.tracker import DetectorEvent
from tests.phone.test_phone_detectors import Recorder
from tests.waiting import wait_until


@pytest.fixture
def line(tmp_path):
    pty = PtyLine(tmp_path / "by-id")
    yield pty
    pty.close()


def _states(rec: Recorder) -> list[DetectorState]:
    with rec.lock:
        return [s for s, _ in rec.states]


# --- a hung board / modem from power-on ------------------------------------------------------------
@pytest.mark.parametrize("kind, init", [("line", ""), ("at", "")])
def test_a_board_that_never_said_a_word_is_not_reported_connected(line, kind, init):
    """A ring board (or an AT modem configured without an init string) that is hung at power-on —
    USB enumerated, nothing answers — is shown to staff as CONNECTED ("watching the line") for the
    whole heartbeat interval (30 s by default, 32 s with the probe's timeout). The 10 s red banner
    never rises in that time and a call ringing then is silently unheard.
    Cause: hardware/phone/detectors.py:381/418 SerialDetector._run/_session: `_needs_proof` is only set
    after a failed heartbeat, so the first connect (and any replug not preceded by a DEAF) sets CONNECTED
    without any answer from the device (HOOK is sent, its answer is not waited for)."""
    modem = ModemResponder(line)
    modem.mute = True
    modem.start()
    rec = Recorder()
    detector = SerialDetector(kind, line.path, rec.event, rec.state, init=init, probe_after=30.0).start()
    try:
        time.sleep(1.5)
        assert DetectorState.CONNECTED not in _states(rec), \
            f"a mute {kind} device is reported connected: {_states(rec)}"
    finally:
        detector.stop()
        modem.stop()


@pytest.mark.parametrize("init", ["", "ATZ;AT+VCID=1|AT#CID=1"])
def test_a6adf10_holds_for_at_modems_a_mute_modem_stays_deaf_across_reopens(line, init):
    """(Held.) After a failed heartbeat an AT modem is not reported connected again while it stays
    mute — with and without an init string — and is connected again once it answers."""
    modem = ModemResponder(line).start()
    rec = Recorder()
    detector = SerialDetector("at", line.path, rec.event, rec.state, init=init,
                              probe_after=0.3, probe_timeout=0.3).start()
    try:
        wait_until(lambda: detector.state == DetectorState.CONNECTED, timeout=4)
        connects = detector.connects
        modem.mute = True
        wait_until(lambda: DetectorState.DEAF in _states(rec), timeout=4)
        n = _states(rec).index(DetectorState.DEAF)
        # reopened at least twice after the failed heartbeat (with the init chain each reopen takes
        # ~3.6 s of unanswered commands), and still mute
        wait_until(lambda: detector.connects >= connects + 3, timeout=10)
        assert DetectorState.CONNECTED not in _states(rec)[n:]
        modem.mute = False
        wait_until(lambda: detector.state == DetectorState.CONNECTED, timeout=6)
    finally:
        detector.stop()
        modem.stop()


# --- a port full of noise is never probed ----------------------------------------------------------
@pytest.mark.parametrize("kind", ["line", "at"])
def test_a_port_spewing_noise_is_probed_and_found_deaf(line, kind):
    """A board at the wrong baud rate, or a USB adapter picking up line noise, streams bytes that
    never make a single valid line. Staff see "connected" forever and no banner, while no ring can
    ever be heard: every byte resets the heartbeat's quiet timer, so the probe is never sent.
    Cause: hardware/phone/detectors.py:428-429 SerialDetector._session: `last_heard = now` on any data
    (`if data:`), not on a parsed line/event; the heartbeat only runs after `probe_after` of silence."""
    rec = Recorder()
    stop = threading.Event()

    def noise():
        while not stop.is_set():
            line.write(b"\xff\xfe\x80\x00\x9c\xe0")   # framing garbage: 115200 read at 9600
            stop.wait(0.05)

    # The device answers the connect's proof of life, then only noise comes (nothing answers the probe).
    modem = ModemResponder(line).start()
    detector = SerialDetector(kind, line.path, rec.event, rec.state, init="", probe_after=0.5,
                              probe_timeout=0.3).start()
    spewer = threading.Thread(target=noise, daemon=True)
    try:
        wait_until(lambda: detector.state == DetectorState.CONNECTED, timeout=3)
        modem.mute = True
        spewer.start()
        time.sleep(3.0)   # six heartbeat intervals of noise, no PING/AT answered (nothing is there)
        assert DetectorState.DEAF in _states(rec) or detector.connects > 1, \
            "a port that gave only noise for 3 s (probe_after 0.5 s) is still 'connected', never probed"
    finally:
        stop.set()
        if spewer.is_alive():
            spewer.join(1)
        detector.stop()
        modem.stop()


# --- a power blip makes the modem forget its caller-ID setting -------------------------------------
class ForgetfulModem:
    """An AT modem whose caller ID is on only after AT+VCID=1 (or another CID command) since its last
    reset; `reset()` is a power blip on its own supply (the USB/RS-232 side stays)."""

    CID = ("AT+VCID=1", "AT#CID=1", "AT%CCID=1", "AT+CLIP=1")

    def __init__(self, line: PtyLine) -> None:
        self.line = line
        self.cid_on = False
        self.commands: list[str] = []
        self._stop = threading.Event()
        self._buf = b""
        self._t = threading.Thread(target=self._run, daemon=True)

    def start(self):
        self._t.start()
        return self

    def stop(self):
        self._stop.set()
        self._t.join(2)

    def reset(self):
        self.cid_on = False

    def _run(self):
        while not self._stop.is_set():
            data = self.line.read_available(0.02)
            self._buf += data
            while b"\r" in self._buf:
                raw, self._buf = self._buf.split(b"\r", 1)
                cmd = raw.decode("ascii", "replace").strip().upper()
                if not cmd:
                    continue
                self.commands.append(cmd)
                if cmd == "ATZ":
                    self.cid_on = False
                if cmd in self.CID:
                    self.cid_on = True
                self.line.write(b"\r\nOK\r\n")

    def ring(self, number: str):
        if self.cid_on:
            self.line.write(f"\r\nDATE = 1203\r\nTIME = 1215\r\nNMBR = {number}\r\n".encode())
        self.line.write(b"\r\nRING\r\n")


def test_a_modem_reset_by_a_power_blip_gets_its_caller_id_back(line):
    """An external modem on its own power supply blips (the serial port stays open, nothing errors):
    it answers AT with OK as before, but it has forgotten AT+VCID=1. Every later call shows
    "Unknown caller" — abandoned calls cannot be called back — while the desk shows "connected".
    Cause: hardware/phone/detectors.py:413/444 SerialDetector._session: the init string is sent only on
    (re)open; the heartbeat is a bare `AT` (any modem answers OK), nothing checks or re-sends the
    caller-ID command (e.g. `AT+VCID?` or re-running the init chain on the heartbeat)."""
    modem = ForgetfulModem(line).start()
    rec = Recorder()
    detector = SerialDetector("at", line.path, rec.event, rec.state, init="ATZ;AT+VCID=1",
                              probe_after=0.3, probe_timeout=0.5).start()
    try:
        wait_until(lambda: detector.state == DetectorState.CONNECTED and modem.cid_on, timeout=4)
        modem.ring("13800138000")
        wait_until(lambda: "callerid" in rec.kinds(), timeout=3)
        modem.reset()   # the blip
        time.sleep(2.5)   # several heartbeats (AT -> OK) pass
        before = len(rec.kinds())
        modem.ring("13900139000")
        wait_until(lambda: "ring" in rec.kinds()[before:], timeout=3)
        time.sleep(0.5)
        with rec.lock:
            numbers = [e.number for e in rec.events[before:] if e.kind == "callerid"]
        assert numbers == ["13900139000"], \
            f"after the blip caller ID stays off while 'connected' (AT+VCID=1 sent {modem.commands.count('AT+VCID=1')}x)"
    finally:
        detector.stop()
        modem.stop()


# --- the call log under a locked database ---------------------------------------------------------
def _phone(ctx, kind="at"):
    return PhoneService(ctx, kind, phone_config=ctx.config.section("phone") | {"detector": kind}).start()


def _collect(ctx):
    events, lock = [], threading.Lock()

    def on(e):
        if e.kind.startswith("call."):
            with lock:
                events.append((e.kind, dict(e.data), time.monotonic()))
    ctx.bus.subscribe("*", on)

    def kinds():
        with lock:
            return [k for k, _, _ in events]
    return events, kinds


def test_a_call_that_starts_while_the_database_is_busy_is_still_logged(ctx, clock, db, monkeypatch):
    """Another writer (a backup, the nightly compaction, a long report export) holds the database's
    write lock a little longer than the busy timeout just as ring 1 arrives. The prompt appears and
    the call rings 4 times, but the call is missing from the call log and from the day's figures for
    good — the very call staff must call back. Every later event of that call is dropped too.
    Cause: hardware/phone/runtime.py:274-280 PhoneService._write: `start_call` failing leaves `call_id` None,
    and with it every later record_event is skipped; nothing retries or spools the call."""
    monkeypatch.setenv("KIOSK_BUSY_TIMEOUT_MS", "300")
    events, kinds = _collect(ctx)
    service = _phone(ctx)
    blocker = sqlite3.connect(ctx.db_path, timeout=0)
    try:
        time.sleep(0.3)   # the phone thread has its connection
        blocker.execute("BEGIN IMMEDIATE")   # holds the write lock (WAL: readers still read)
        service.put(DetectorEvent("ring", clock.monotonic()))
        wait_until(lambda: "call.started" in kinds(), timeout=3)
        time.sleep(0.6)   # the write has waited its 300 ms and given up
        blocker.rollback()   # the lock is gone ~1 s later; the call rings on
        for _ in range(3):
            clock.advance(5)
            service.put(DetectorEvent("ring", clock.monotonic()))
        clock.advance(10)
        wait_until(lambda: "call.ended" in kinds(), timeout=5)
        time.sleep(0.3)
    finally:
        service.stop()
        blocker.close()
    start, end = calllog.day_bounds(clock, "Asia/Shanghai")
    rows = calllog.calls_between(db, start, end)
    assert len(rows) == 1 and rows[0].rings == 4, f"the call that rang 4 times and prompted is logged as {rows}"


def test_a_line_gap_that_ends_while_the_database_is_busy_is_still_logged(ctx, clock, db, monkeypatch):
    """The line was not watched for 3 minutes; it comes back while another writer holds the lock.
    The gap ("line not watched 14:02-14:05") never reaches the call log or the day's figures, which
    then claim the line was watched all day.
    Cause: hardware/phone/runtime.py:199-203 PhoneService._line_state: record_gap failing is only logged
    (`log.exception("could not log the line's gap")`); the gap is dropped, not retried."""
    monkeypatch.setenv("KIOSK_BUSY_TIMEOUT_MS", "300")
    service = _phone(ctx)
    blocker = sqlite3.connect(ctx.db_path, timeout=0)
    try:
        service.on_state(DetectorState.CONNECTED, "port")
        service.on_state(DetectorState.RECONNECTING, "lost /dev/ttyUSB0")
        clock.advance(180)
        time.sleep(0.3)
        blocker.execute("BEGIN IMMEDIATE")   # holds the write lock (WAL: readers still read)
        service.on_state(DetectorState.CONNECTED, "port")
        time.sleep(0.8)
        blocker.rollback()
        clock.advance(5)
        time.sleep(0.5)
    finally:
        service.stop()
        blocker.close()
    start, end = calllog.day_bounds(clock, "Asia/Shanghai")
    assert len(calllog.gaps_between(db, start, end)) == 1, "the 3-minute gap is not in the log"


def test_the_prompt_is_not_held_back_by_a_busy_database(ctx, clock, db, monkeypatch):
    """A line board with off-hook sensing: the prompt is due 1 s after ring 3 ends. Another writer
    holds the database's lock: the prompt appears only once ring 3's log write has given up (the
    busy timeout: 5 s by default, 2 s here), i.e. seconds late — the issue's target is ring -> event
    within 2 ms. The tracker thread writes to the disk between events, so every prompt, ring count
    and "ringing stopped" waits behind a slow disk.
    Cause: hardware/phone/runtime.py:129-131 PhoneService._run: `self._write(db, ...)` runs on the same thread
    as tracker.feed/_publish (no separate writer queue)."""
    monkeypatch.setenv("KIOSK_BUSY_TIMEOUT_MS", "2000")
    events, kinds = _collect(ctx)
    service = _phone(ctx, "line")
    blocker = sqlite3.connect(ctx.db_path, timeout=0)
    try:
        for n in range(2):
            service.put(DetectorEvent("ring_on", clock.monotonic()))
            clock.advance(1)
            service.put(DetectorEvent("ring_off", clock.monotonic()))
            clock.advance(4)
        wait_until(lambda: kinds().count("call.ring") == 2, timeout=3)
        time.sleep(0.3)   # rings 1 and 2 are on disk
        blocker.execute("BEGIN IMMEDIATE")
        service.put(DetectorEvent("ring_on", clock.monotonic()))
        wait_until(lambda: kinds().count("call.ring") == 3, timeout=3)
        clock.advance(1)
        service.put(DetectorEvent("ring_off", clock.monotonic()))
        clock.advance(1.2)   # the prompt is due now (ring 3's end + 1 s grace)
        due = time.monotonic()
        wait_until(lambda: "call.prompt" in kinds(), timeout=5)
        late = [t for k, _, t in events if k == "call.prompt"][0] - due
    finally:
        blocker.rollback()
        blocker.close()
        service.stop()
    assert late < 0.5, f"the prompt appeared {late:.2f} s after it was due (waiting for the disk)"


# --- the tracker: caller ID of a one-ring call -----------------------------------------------------
def test_a_one_ring_call_keeps_a_number_sent_late_in_the_silence():
    """China: FSK caller ID is sent in the 4 s silence after ring 1. A caller who hangs up after one
    ring, with the modem's NMBR block arriving 2.8 s after the ring ended (still inside that silence,
    before ring 2 would have come): the abandoned call is logged with no number and can never be
    called back; the number is not given to anyone, it is simply dropped.
    Cause: kiosk/phone/tracker.py:269-273 CallTracker._on_callerid holds a CID later than cid_attach (2.4 s
    after the ring's end) and _end/_on_tick move it to _pending_cid and then discard it, instead of
    giving it to the call that just ended when no new ring follows."""
    from kiosk.phone.tracker import CallTracker
    tracker, parser = CallTracker(), ATParser()
    out = []
    for ev in parser.feed(b"\r\nRING\r\n", 0.0):
        out += tracker.feed(ev)
    # poll 0.35 s after the block (CID_QUIET is 0.3 s): at 3.8 the float 3.8 - 3.5 is 0.29999... and the
    # block would never be handed on, which tests the parser's float edge, not the tracker.
    for ev in parser.feed(b"\r\nDATE = 1203\r\nTIME = 1215\r\nNMBR = 13800138000\r\n\r\n", 3.5) + parser.poll(3.85):
        out += tracker.feed(ev)
    for t in range(39, 300):
        out += tracker.feed(DetectorEvent("tick", t / 10))
    [ended] = [e for e in out if e.kind == "ended"]
    numbers = {e.number for e in out if e.call_no == ended.call_no}
    assert "13800138000" in numbers, f"the one-ring call lost its number: {out}"


# --- modem output quirks ---------------------------------------------------------------------------
def test_a_ring_without_a_line_end_is_counted_when_it_comes(line):
    """A modem (or a cheap USB 'caller-ID box') that prints RING with the line end *before* it
    (`\\r\\nRING`, the next output starting with the terminator): each ring is only counted when the
    next byte arrives, i.e. one whole ring cycle (5 s) late; the fourth ring's prompt comes on ring 5
    and the last ring of every call is never counted.
    Cause: hardware/phone/detectors.py:57 LineSplitter.feed keeps a line until a CR/LF follows; no
    quiet-time flush of a complete-looking 'RING'."""
    modem = ModemResponder(line).start()
    rec = Recorder()
    detector = SerialDetector("at", line.path, rec.event, rec.state, init="").start()
    try:
        wait_until(lambda: detector.state == DetectorState.CONNECTED, timeout=3)
        line.write(b"\r\nRING")
        time.sleep(1.0)
        assert rec.kinds() == ["ring"], "the ring is not heard until the modem sends its next line"
    finally:
        detector.stop()
        modem.stop()


def test_an_mdmf_name_in_chinese_is_not_dropped():
    """A Chinese exchange (YDN 069 MDMF) or an HT9032 sends the caller's name as GB2312 bytes. The
    prompt and the call log show no name at all ("王小明" becomes ""), and a mixed name such as
    "WANG 王小明" is cut to "WANG".
    Cause: kiosk/phone/callerid.py:34 _text keeps printable ASCII bytes only (32 <= b < 127)."""
    name = "王小明".encode("gb2312")
    body = bytes([0x01, 8]) + b"12031215" + bytes([0x02, 11]) + b"13800138000" + bytes([0x07, len(name)]) + name
    cid = callerid.decode_frame(callerid.build_frame(0x80, body))
    assert cid.number == "13800138000"
    assert cid.name == "王小明", f"name decoded as {cid.name!r}"


# --- random unplug/replug moments, including during the init exchange ----------------------------
def test_replugs_at_random_moments_during_the_init_exchange_end_connected_and_hold_no_dead_port(line):
    """(Held.) 40 replugs 0-250 ms apart, so many land while ATZ / AT+VCID=1 are in
    flight; then the modem stays: connected within 2 s plus the init, a call heard, no stale pts fd."""
    import random
    from hardware.phone.simulator import pts_fds
    rnd = random.Random(1515)
    modem = ModemResponder(line).start()
    rec = Recorder()
    detector = SerialDetector("at", line.path, rec.event, rec.state, init="ATZ;AT+VCID=1").start()
    seen = set()
    try:
        wait_until(lambda: detector.state == DetectorState.CONNECTED, timeout=3)
        for cycle in range(40):
            seen.add(os.path.realpath(line.path))
            line.unplug()
            line.link.unlink(missing_ok=True)
            time.sleep(rnd.uniform(0, 0.05))
            line.plug(new_node=cycle % 2 == 0)
            time.sleep(rnd.uniform(0, 0.25))
        current = os.path.realpath(line.path)
        t0 = time.monotonic()
        wait_until(lambda: detector.state == DetectorState.CONNECTED and detector._port is not None
                   and os.path.realpath(detector._port.port) == current, timeout=4)
        took = time.monotonic() - t0
        line.write(b"\r\nNMBR = 13800138000\r\n\r\nRING\r\n")
        wait_until(lambda: rec.kinds()[-2:] == ["callerid", "ring"], timeout=3)
        stale = [t for t in pts_fds() if t in seen and t != current]
        assert not stale, f"dead ports still held: {stale}"
        assert took < 3.0
    finally:
        detector.stop()
        modem.stop()


# --- the prompt as a stranger at the screen sees it ------------------------------------------------
from tests.uikit import app_test, find, kiosk_app_factory, settle, tap  # noqa: E402


@app_test(kiosk_app_factory(lang="en"))
@pytest.mark.asyncio
async def test_a_visitor_cannot_silence_the_staff_ringing_banner(kivy_app):
    """Visitor mode, nobody signed in: the phone rang 4 times and the red "Staff: phone ringing"
    strip shows on the visitor screen. Any visitor (or a child) taps its "Not now": the strip is gone
    for the rest of that call — rings 5, 6, 7 bring nothing back — and the staff member coming back to
    the counter sees no sign that the phone is ringing unanswered. Marking the call answered needs a
    staff PIN; silencing the only alert needs nothing.
    Cause: screens/phone/call_prompt.kv banner's "Not now" -> screens/phone/call_prompt.py
    CallPrompt.not_now (line 132) adds the call to `dismissed` with no staff check (unlike `answered`)."""
    from tests.phone.test_phone_ui import publish_call
    app = kivy_app
    await settle(app)
    assert app.visitor_mode and app.user is None
    publish_call(app, "prompt", rings=4, number="13800138000")
    await settle(app)
    prompt = app.call_prompt
    assert prompt.banner and prompt.parent is not None
    await tap(app, find(prompt.ids.banner, text="Not now"))
    await settle(app)
    for rings in (5, 6, 7):
        publish_call(app, "ring", rings=rings, number="13800138000")
        await settle(app)
    assert prompt.parent is not None, "a visitor's tap hid the staff's ringing banner for the whole call"


def test_a_call_that_keeps_ringing_after_answered_is_one_call_not_two():
    """AT modem (no off-hook sense), China cadence. The prompt comes at ring 4; staff tap "Answered"
    (meaning to pick up, or a tap by mistake) but nobody lifts the handset: the phone rings on,
    8 rings in all. The log shows two calls for that one caller — call 1 "answered by staff" with
    4 rings, then a call 2 of 3 rings "unknown" — ring 5 is not counted anywhere, and no prompt
    comes back although the phone rang 4 more times after "Answered". The desk figures count a
    phantom call.
    Cause: kiosk/phone/tracker.py:217-222 CallTracker._after_answered ignores a ring within
    stop_after_silence without updating last_ring_start, so _on_tick then sees 'silence' (ends the
    call answered/staff) and the next ring starts a new call."""
    from kiosk.phone.tracker import CallTracker
    tracker = CallTracker()
    rings = [DetectorEvent("ring", 5.0 * n) for n in range(8)]
    events = sorted(rings + [DetectorEvent("staff_answered", 15.5)]
                    + [DetectorEvent("tick", x / 10) for x in range(600)], key=lambda e: (e.t, e.kind == "tick"))
    out = []
    for ev in events:
        out += tracker.feed(ev)
    ended = [e for e in out if e.kind == "ended"]
    assert len(ended) == 1 and ended[0].rings == 8, \
        f"one caller ringing 8 times logged as {[(e.call_no, e.rings, e.outcome, e.source) for e in ended]}"
