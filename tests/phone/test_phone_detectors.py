"""Ring detectors through real pseudo-terminals (closing the pty master is an unplug)."""
from __future__ import annotations

import threading
import time
from datetime import datetime

import pytest

from hardware.phone.detectors import ATParser, DetectorState, LineProtocolParser, RIBurstGrouper, SerialDetector
from hardware.phone.simulator import ModemResponder, PtyLine
from kiosk.phone.tracker import CADENCES, CallTracker, DetectorEvent, TrackerSettings
from tests.waiting import wait_until


class Recorder:
    def __init__(self) -> None:
        self.events: list[DetectorEvent] = []
        self.states: list[tuple[DetectorState, str]] = []
        self.lock = threading.Lock()

    def event(self, event: DetectorEvent) -> None:
        with self.lock:
            self.events.append(event)

    def state(self, state: DetectorState, detail: str) -> None:
        with self.lock:
            self.states.append((state, detail))

    def kinds(self) -> list[str]:
        with self.lock:
            return [e.kind for e in self.events]


# --- parsers -------------------------------------------------------------------------------------
@pytest.mark.parametrize("sep", ["=", " = ", "= ", " ="])
def test_at_caller_id_with_or_without_spaces(sep):
    parser = ATParser(now=lambda: datetime(2026, 11, 23, 9, 0))
    data = f"\r\nDATE{sep}1123\r\nTIME{sep}0915\r\nNMBR{sep}13800138000\r\nNAME{sep}WANG XM\r\n\r\nRING\r\n".encode()
    events = parser.feed(data, 1.0)
    assert [e.kind for e in events] == ["callerid", "ring"]
    assert (events[0].number, events[0].name, events[0].when) == ("13800138000", "WANG XM", "2026-11-23T09:15")


def test_at_private_and_unavailable_and_missing_year():
    parser = ATParser(now=lambda: datetime(2027, 1, 1, 0, 5))
    [cid] = parser.feed(b"DATE=1231\r\nTIME=2359\r\nNMBR=P\r\nNAME=O\r\n", 0.0)
    assert (cid.number, cid.name) == ("private", "unavailable")
    assert cid.when == "2026-12-31T23:59", "a call from New Year's Eve read after midnight is last year's"


def test_at_number_without_name_is_flushed_by_the_next_ring():
    parser = ATParser()
    assert parser.feed(b"NMBR = 01065529988\r\n", 0.0) == []
    events = parser.feed(b"RING\r\n", 0.1)
    assert [(e.kind, e.number) for e in events] == [("callerid", "01065529988"), ("ring", "")]


def test_garbage_is_ignored_never_fatal():
    parser = LineProtocolParser()
    junk = bytes(range(256)) + b"\n" + b"X" * 5000 + b"\n" + b"\xff\xfe\x00RING_ON\n" + b"BOGUS 12\n"
    events = parser.feed(junk + b"RING_ON\nCID 13912345678 Li Lei\nRING_OFF\nOFFHOOK\nONHOOK\nCID P\n", 2.0)
    assert [e.kind for e in events] == ["ring_on", "callerid", "ring_off", "offhook", "onhook", "callerid"]
    assert (events[1].number, events[1].name) == ("13912345678", "Li Lei")
    assert events[-1].number == "private"
    assert parser.lines.dropped >= 2 and parser.ignored >= 1


@pytest.mark.parametrize("gap,bursts", [(0.2, 2), (0.5, 4)])
def test_ri_pulses_group_into_bursts_and_uk_double_ring_counts_once(gap, bursts):
    grouper = RIBurstGrouper(quiet=0.3)
    events = []
    t = 0.0

    def pulses(duration: float, hz: float = 25.0) -> None:
        nonlocal t
        end = t + duration
        level = False
        while t < end:
            level = not level
            events.extend(grouper.sample(t, level))
            t += 1 / (2 * hz)

    def quiet(duration: float) -> None:
        nonlocal t
        end = t + duration
        while t < end:
            events.extend(grouper.sample(t, False))   # a quiet board rests inactive
            t += 0.005

    for _ in range(2):  # two UK rings: 0.4 on, 0.2 off, 0.4 on, 2.0 off
        pulses(0.4); quiet(gap); pulses(0.4); quiet(2.0)
    # 300 ms of quiet ends a burst: a 0.2 s gap stays inside one burst, a 0.5 s gap splits it.
    assert [e.kind for e in events].count("ring_on") == bursts
    tracker = CallTracker(TrackerSettings(cadence=CADENCES["UK"], offhook_sensing=True))
    rings = [e.rings for ev in events for e in tracker.feed(ev) if e.kind == "ring"]
    assert rings == [1, 2], "the double ring counts once"


def test_a_bare_token_without_a_line_end_is_a_line_after_a_short_idle():
    """`\r\nRING` (line end before the word): counted after TOKEN_IDLE, not at the next ring."""
    from hardware.phone.detectors import TOKEN_IDLE
    parser = ATParser()
    assert parser.feed(b"\r\nRING", 1.0) == [] and parser.poll(1.0 + TOKEN_IDLE / 2) == []
    assert [e.kind for e in parser.poll(1.0 + TOKEN_IDLE)] == ["ring"]
    assert parser.feed(b"\r\n", 2.0) == [], "the late line end is not a second ring"
    assert parser.feed(b"RIN", 3.0) == [] and parser.poll(4.0) == [], "half a word is not a token"


def test_only_valid_lines_count_as_heard():
    """Noise (wrong baud) and unknown lines are no proof that the device listens; PONG and OK are."""
    board, modem = LineProtocolParser(), ATParser()
    board.feed(b"\xff\xfe\x80" * 200 + b"\nWHAT\n\x9c\xe0\n", 0.0)
    modem.feed(b"\xff\xfe\r\nNONSENSE\r\n", 0.0)
    assert (board.heard, modem.heard) == (0, 0)
    board.feed(b"PONG\n", 0.1)
    modem.feed(b"\r\nOK\r\n", 0.1)
    assert (board.heard, modem.heard) == (1, 1)


# --- through a real pseudo-terminal --------------------------------------------------------------
@pytest.fixture
def line(tmp_path):
    pty = PtyLine(tmp_path / "by-id")
    yield pty
    pty.close()


def test_at_modem_init_with_fallback_ring_and_caller_id(line):
    modem = ModemResponder(line, refuse=("AT+VCID=1",)).start()
    rec = Recorder()
    detector = SerialDetector("at", line.path, rec.event, rec.state, init="ATZ;AT+VCID=1|AT#CID=1").start()
    try:
        wait_until(lambda: detector.state == DetectorState.CONNECTED)
        assert modem.commands == ["ATZ", "AT+VCID=1", "AT#CID=1"]
        line.write(b"\r\nRING\r\n\r\nDATE = 1123\r\nTIME = 0916\r\nNMBR = 13800138000\r\nNAME = WANG\r\n\r\nRING\r\n")
        wait_until(lambda: rec.kinds() == ["ring", "callerid", "ring"])
    finally:
        detector.stop()
        modem.stop()


def test_unplug_then_replug_at_the_same_path_reconnects_and_resends_init(line):
    modem = ModemResponder(line).start()
    rec = Recorder()
    detector = SerialDetector("at", line.path, rec.event, rec.state, init="AT+VCID=1", max_backoff=0.2).start()
    try:
        wait_until(lambda: detector.state == DetectorState.CONNECTED)
        line.write(b"RING\r\n")
        wait_until(lambda: rec.kinds() == ["ring"])
        line.unplug()
        wait_until(lambda: detector.state == DetectorState.RECONNECTING)
        time.sleep(0.3)  # a few failed reopen attempts while the cable is out
        line.plug()
        wait_until(lambda: detector.state == DetectorState.CONNECTED and detector.connects == 2)
        assert modem.commands == ["AT+VCID=1", "AT+VCID=1"], "caller ID re-enabled after the reconnect"
        line.write(b"RING\r\n")
        wait_until(lambda: rec.kinds() == ["ring", "ring"])
        states = [s for s, _ in rec.states]
        assert DetectorState.RECONNECTING in states and states[-1] == DetectorState.CONNECTED
    finally:
        detector.stop()
        modem.stop()


def test_line_protocol_over_pty_survives_binary_garbage(line):
    board = ModemResponder(line).start()   # answers PING: a board that answers nothing never reads connected
    board.hook = None
    rec = Recorder()
    detector = SerialDetector("line", line.path, rec.event, rec.state).start()
    try:
        wait_until(lambda: detector.state == DetectorState.CONNECTED)
        line.write(bytes(range(1, 256)) + b"\n" + b"\x00" * 600 + b"\nRING_ON\nRING_OFF\nOFFHOOK\n")
        wait_until(lambda: rec.kinds() == ["ring_on", "ring_off", "offhook"])
        assert detector.state == DetectorState.CONNECTED
    finally:
        detector.stop()
        board.stop()


def test_exclusive_open_refuses_a_second_reader(line):
    import serial
    board = ModemResponder(line).start()
    rec = Recorder()
    detector = SerialDetector("line", line.path, rec.event, rec.state).start()
    try:
        wait_until(lambda: detector.state == DetectorState.CONNECTED)
        with pytest.raises(serial.SerialException):
            serial.Serial(line.path, exclusive=True)
    finally:
        detector.stop()
        board.stop()


def test_missing_port_reports_reconnecting_not_a_crash(tmp_path):
    rec = Recorder()
    detector = SerialDetector("at", str(tmp_path / "no-such-port"), rec.event, rec.state, max_backoff=0.1).start()
    try:
        wait_until(lambda: len(rec.states) >= 1)
        time.sleep(0.5)   # five more looks for the path: the desk is told once, not five times
        assert [state for state, _ in rec.states] == [DetectorState.RECONNECTING]
        assert "waiting for" in rec.states[0][1]
    finally:
        detector.stop()
