"""Caller-ID frames and lines, decoded in plain Python (no hardware).

- Bell 202 / V.23 FSK frames as a caller-ID chip (HT9032, CMX602) hands them over, and as modems show
  them hex-encoded in a ``MESG`` line: SDMF (type 0x04) and MDMF (type 0x80). China's YDN 069 uses the
  same two layouts. The last byte makes the sum of all bytes 0 modulo 256.
- GSM modules' ``+CLIP: "13800138000",129,"",,"NAME",0``.
- DTMF caller ID (an MT8870 on the line): ``A`` or ``D`` then digits then ``C`` (``D`` + ``1``/``2``/``3``
  marks private/unavailable on some exchanges).
"""
from __future__ import annotations

import re
from dataclasses import dataclass

MAX_FRAME = 258          # type + length + 255 + checksum
MAX_NAME = 40            # characters of a caller's name kept (MDMF allows 255 bytes; the screen shows ~20)
PRIVATE = {"P": "private", "O": "unavailable"}


@dataclass(frozen=True)
class CallerID:
    """What a caller-ID message said. ``when`` is MMDDHHMM as sent (the year is not sent)."""

    number: str = ""
    name: str = ""
    when: str = ""


class FrameError(ValueError):
    """The bytes are not a whole, valid caller-ID frame."""


def _text(raw: bytes) -> str:
    # Only printable ASCII is kept: a frame is data from the line, never trusted text.
    return "".join(chr(b) for b in raw if 32 <= b < 127).strip()


def _name(raw: bytes) -> str:
    """A name field: ASCII, else GB18030 (the superset of the GB2312 Chinese exchanges send). Only
    printable characters are kept (no control bytes, direction overrides or undecodable bytes), and
    at most MAX_NAME of them: the bytes come from the line, never trusted text."""
    if all(b < 0x80 for b in raw):
        text = _text(raw)
    else:
        text = "".join(ch for ch in raw.decode("gb18030", "replace") if ch.isprintable() and ch != "\ufffd").strip()
    return text[:MAX_NAME].rstrip()


def decode_frame(frame: bytes) -> CallerID:
    """One SDMF or MDMF frame (with its checksum byte) to a CallerID; FrameError if it is not one."""
    if len(frame) < 3 or len(frame) > MAX_FRAME:
        raise FrameError("frame length")
    kind, length = frame[0], frame[1]
    if len(frame) != length + 3:
        raise FrameError("frame length does not match its header")
    if sum(frame) % 256:
        raise FrameError("checksum")
    body = frame[2:2 + length]
    if kind == 0x04:   # SDMF: MMDDHHMM then the number (or O / P)
        when, number = _text(body[:8]), _text(body[8:])
        return CallerID(PRIVATE.get(number, number), "", when if when.isdigit() and len(when) == 8 else "")
    if kind != 0x80:
        raise FrameError(f"unknown message type 0x{kind:02x}")
    fields: dict[int, bytes] = {}
    i = 0
    while i + 2 <= len(body):     # bounded: every step moves i forward by at least 2
        ptype, plen = body[i], body[i + 1]
        fields[ptype] = body[i + 2:i + 2 + plen]
        i += 2 + plen
    when = _text(fields.get(0x01, b""))
    number = _text(fields.get(0x02, b"")) or PRIVATE.get(_text(fields.get(0x04, b"")), "")
    name = _name(fields.get(0x07, b"")) or PRIVATE.get(_text(fields.get(0x08, b"")), "")
    return CallerID(PRIVATE.get(number, number), PRIVATE.get(name, name) if len(name) == 1 else name,
                    when if when.isdigit() and len(when) == 8 else "")


def decode_hex(text: str) -> CallerID:
    """A frame written as hex (a modem's MESG line, the sketch's ``FSK`` line); spaces allowed."""
    digits = re.sub(r"\s+", "", text)
    if len(digits) > 2 * MAX_FRAME or len(digits) % 2 or not re.fullmatch(r"[0-9A-Fa-f]*", digits):
        raise FrameError("not hex")
    return decode_frame(bytes.fromhex(digits))


def build_frame(kind: int, body: bytes) -> bytes:
    """An SDMF/MDMF frame with its checksum (for tests, the simulator and the bench)."""
    head = bytes([kind, len(body)]) + body
    return head + bytes([(-sum(head)) % 256])


def mdmf(when: str = "", number: str = "", name: str = "", *, number_absent: str = "", name_absent: str = "") -> bytes:
    """An MDMF frame from its parts."""
    body = b""
    for ptype, value in ((0x01, when), (0x02, number), (0x04, number_absent), (0x07, name), (0x08, name_absent)):
        if value:
            raw = value.encode("gb18030" if ptype == 0x07 else "ascii")   # a name may be Chinese
            body += bytes([ptype, len(raw)]) + raw
    return build_frame(0x80, body)


def sdmf(when: str, number: str) -> bytes:
    """An SDMF frame: MMDDHHMM and the number."""
    return build_frame(0x04, (when + number).encode("ascii"))


_CLIP = re.compile(r'^\+CLIP:\s*"([^"]*)"\s*(?:,\s*(\d+))?(?:\s*,\s*"[^"]*"\s*,\s*\d*\s*,\s*"([^"]*)")?')


def parse_clip(line: str) -> CallerID | None:
    """A GSM module's ``+CLIP:`` line, or None if it is not one."""
    match = _CLIP.match(line.strip())
    if not match:
        return None
    number = _text(match.group(1).encode("ascii", "ignore"))
    name = _text((match.group(3) or "").encode("ascii", "ignore"))
    return CallerID(number or "unavailable", name)


def parse_dtmf(digits: str) -> CallerID | None:
    """DTMF caller ID as an MT8870 hears it: A<digits>C or D<digits>C; None if incomplete."""
    digits = digits.strip().upper()
    if len(digits) < 2 or digits[0] not in "AD" or digits[-1] != "C":
        return None
    body = digits[1:-1]
    if digits[0] == "D" and body in ("1", "01", "2", "02", "3", "03"):
        return CallerID("private" if body.endswith("1") or body.endswith("3") else "unavailable")
    if not body.isdigit():
        return None
    return CallerID(body)
