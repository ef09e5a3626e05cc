"""Caller ID bound to its call: every format, at every position in a call, on one-ring calls."""
from __future__ import annotations

from datetime import datetime

import pytest
from hypothesis import given, settings, strategies as st

from hardware.phone.detectors import ATParser, LineProtocolParser
from kiosk.phone import callerid
from kiosk.phone.tracker import CADENCES, CallTracker, DetectorEvent, TrackerSettings

# The Bell 202 SDMF example (Sept 30, 12:24, 609-555-1212), checksum 0x51, as printed in the spec.
BELL_SDMF = bytes.fromhex("041230393330313232343630393535353132313251")
NUMBER, NAME = "13800138000", "WANG XM"


def test_sdmf_byte_vector_and_checksum():
    assert callerid.decode_frame(BELL_SDMF) == callerid.CallerID("6095551212", "", "09301224")
    with pytest.raises(callerid.FrameError):
        callerid.decode_frame(BELL_SDMF[:-1] + b"\x52")
    with pytest.raises(callerid.FrameError):
        callerid.decode_frame(BELL_SDMF[:-2])


def test_mdmf_with_name_private_and_unavailable():
    frame = callerid.mdmf("11231405", NUMBER, NAME)
    assert frame[0] == 0x80 and sum(frame) % 256 == 0
    assert callerid.decode_frame(frame) == callerid.CallerID(NUMBER, NAME, "11231405")
    private = callerid.decode_frame(callerid.mdmf("11231405", number_absent="P", name_absent="O"))
    assert (private.number, private.name) == ("private", "unavailable")
    assert callerid.decode_frame(callerid.sdmf("11231405", "O")).number == "unavailable"


@settings(max_examples=300, deadline=None)
@given(st.binary(max_size=300))
def test_any_bytes_decode_or_refuse_never_crash(data):
    try:
        cid = callerid.decode_frame(data)
    except callerid.FrameError:
        return
    assert all(32 <= ord(ch) < 127 for ch in cid.number + cid.name)


def test_clip_and_dtmf():
    assert callerid.parse_clip('+CLIP: "13800138000",129') == callerid.CallerID(NUMBER)
    assert callerid.parse_clip('+CLIP: "+8613800138000",145,"",,"Li Lei",0').name == "Li Lei"
    assert callerid.parse_clip("+CLIP: garbage") is None
    assert callerid.parse_dtmf("A13800138000C").number == NUMBER
    assert callerid.parse_dtmf("D1C").number == "private"
    assert callerid.parse_dtmf("A1380") is None


# --- AT lines: every layout -------------------------------------------------------------------
AT_BLOCKS = {
    "spaces": f"DATE = 1123\r\nTIME = 0915\r\nNMBR = {NUMBER}\r\nNAME = {NAME}\r\n",
    "tight": f"DATE=1123\r\nTIME=0915\r\nNMBR={NUMBER}\r\nNAME={NAME}\r\n",
    "number_only": f"DATE = 1123\r\nTIME = 0915\r\nNMBR = {NUMBER}\r\n",
    "mesg_mdmf": f"MESG = {callerid.mdmf('11230915', NUMBER, NAME).hex().upper()}\r\n",
    "mesg_sdmf": f"MESG = {callerid.sdmf('11230915', NUMBER).hex()}\r\n",
    "clip": f'+CLIP: "{NUMBER}",129\r\n',
}


def feed_call(block: str, position: str, rings: int, kind: str = "at") -> list:
    """Rings of a CN call with a caller-ID block before ring 1 or between rings 1 and 2, then quiet."""
    parser = ATParser(now=lambda: datetime(2026, 11, 23, 9, 20))
    tracker = CallTracker(TrackerSettings(cadence=CADENCES["CN"]))
    out = []
    t = 10.0

    def feed(data: bytes) -> None:
        for event in parser.feed(data, t):
            out.extend(tracker.feed(event))

    def tick(until: float) -> None:
        nonlocal t
        while t < until:
            t = round(t + 0.05, 3)
            for event in parser.poll(t):
                out.extend(tracker.feed(event))
            out.extend(tracker.feed(DetectorEvent("tick", t)))

    if position == "before":
        feed(block.encode()); tick(t + 0.5)
    for n in range(rings):
        feed(b"\r\nRING\r\n")
        if position == "between" and n == 0:
            tick(t + 1.5); feed(block.encode())
        tick(t + 5.0 - (1.5 if position == "between" and n == 0 else 0))
    tick(t + 8)
    return out


@pytest.mark.parametrize("block", AT_BLOCKS)
@pytest.mark.parametrize("position", ["before", "between"])
@pytest.mark.parametrize("rings", [1, 2, 5])
def test_caller_id_stays_with_its_call(block, position, rings):
    out = feed_call(AT_BLOCKS[block], position, rings)
    ended = [e for e in out if e.kind == "ended"]
    assert len(ended) == 1 and ended[0].rings == rings
    assert ended[0].number == NUMBER, "a one-ring call keeps its number"
    if block in ("spaces", "tight", "mesg_mdmf"):
        assert ended[0].name == NAME
    assert sum(e.kind == "callerid" for e in out) == 1


def test_nothing_carries_into_the_next_call():
    """A one-ring call with a number, then a call without caller ID: the second is anonymous."""
    first = feed_call(AT_BLOCKS["number_only"], "between", 1)
    parser, tracker = ATParser(), CallTracker()
    # a stray number with no ring after it expires before the next call
    out = []
    for ev in parser.feed(f"NMBR = {NUMBER}\r\n".encode(), 0.0) + parser.poll(0.5):
        out += tracker.feed(ev)
    for t in range(1, 200):
        out += tracker.feed(DetectorEvent("tick", t / 10))
    out += tracker.feed(DetectorEvent("ring", 30.0))
    assert first[-1].number == NUMBER
    assert [e for e in out if e.kind == "started"][0].number == ""


def test_ring_is_matched_exactly():
    parser = ATParser()
    assert [e.kind for e in parser.feed(b"ring\r\nRINGING\r\nRING \r\nRING\r\n", 0.0)] == ["ring", "ring"]


def test_gsm_repeated_clip_after_every_ring_is_one_caller_id():
    parser, tracker = ATParser(), CallTracker()
    out = []
    for n in range(4):
        for ev in parser.feed(f'\r\nRING\r\n\r\n+CLIP: "{NUMBER}",129,"",,"",0\r\n'.encode(), n * 5.0):
            out += tracker.feed(ev)
    assert sum(e.kind == "callerid" for e in out) == 1
    assert [e for e in out if e.kind == "prompt"][0].number == NUMBER


def test_line_protocol_fsk_and_dtmf_lines():
    parser = LineProtocolParser()
    frame = callerid.mdmf("11230915", NUMBER, NAME).hex()
    events = parser.feed(f"FSK {frame}\nDTMF A13900001111C\nFSK 0102zz\nFSK {BELL_SDMF.hex()}\nPONG\n".encode(), 1.0)
    assert [(e.number, e.name) for e in events] == [(NUMBER, NAME), ("13900001111", ""), ("6095551212", "")]
    assert parser.ignored == 1 and parser.pongs == 1


@pytest.mark.parametrize("position", ["before", "between"])
def test_line_protocol_one_ring_call_keeps_its_number(position):
    tracker = CallTracker(TrackerSettings(offhook_sensing=True))
    parser = LineProtocolParser()
    out = []
    seq = [(0.0, f"CID {NUMBER}\n"), (1.0, "RING_ON\n"), (2.0, "RING_OFF\n")] if position == "before" else \
        [(0.0, "RING_ON\n"), (1.0, "RING_OFF\n"), (2.0, f"CID {NUMBER}\n")]
    for t, text in seq:
        for ev in parser.feed(text.encode(), t):
            out += tracker.feed(ev)
    for n in range(30, 150):
        out += tracker.feed(DetectorEvent("tick", n / 10))
    assert out[-1].kind == "ended" and out[-1].number == NUMBER and out[-1].rings == 1
