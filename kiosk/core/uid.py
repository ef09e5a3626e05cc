"""Globally unique record ids made on the box: UUIDv7 (RFC 9562).

A UUIDv7 is 48 bits of Unix time in milliseconds, the version nibble 7, 12 bits, the variant bits
10 and 62 more bits. Ids made here sort by time, need no central counter, and let the same row be
recognised at every desk and site later. Within one millisecond this generator counts up in the 12
bits after the version (RFC 9562 §6.2, method 1) so ids made in a burst still sort in order; the
62 random bits keep two boxes (or two processes) from meeting.
"""
from __future__ import annotations

import os
import threading
import time
from datetime import datetime, timezone

_lock = threading.Lock()
_last_ms = -1
_seq = 0

MAX_MS = (1 << 48) - 1


def _format(ms: int, seq: int, rand62: int) -> str:
    value = (ms << 80) | (0x7 << 76) | (seq << 64) | (0b10 << 62) | rand62
    text = f"{value:032x}"
    return f"{text[:8]}-{text[8:12]}-{text[12:16]}-{text[16:20]}-{text[20:]}"


def uuid7_at(ms: int) -> str:
    """A UUIDv7 whose time field is ms (Unix milliseconds, clamped to 0..2**48-1); random otherwise."""
    ms = min(max(int(ms), 0), MAX_MS)
    rand = int.from_bytes(os.urandom(10), "big")
    return _format(ms, (rand >> 62) & 0xFFF, rand & ((1 << 62) - 1))


def uuid7(now_ms: int | None = None) -> str:
    """A new UUIDv7 for now, strictly increasing within this process."""
    global _last_ms, _seq
    ms = time.time_ns() // 1_000_000 if now_ms is None else int(now_ms)
    rand = int.from_bytes(os.urandom(8), "big") & ((1 << 62) - 1)
    with _lock:
        if ms <= _last_ms:
            # Same millisecond (or the wall clock stepped back): stay on the last time, count up.
            ms, _seq = _last_ms, _seq + 1
            if _seq > 0xFFF:           # 4096 ids in one ms: borrow the next millisecond
                ms, _seq = ms + 1, 0
        else:
            _seq = int.from_bytes(os.urandom(2), "big") & 0x3FF  # random start, room to count up
        _last_ms = ms
        seq = _seq
    return _format(min(ms, MAX_MS), seq, rand)


def uuid7_for(timestamp: str | None) -> str:
    """A UUIDv7 timed at a stored ISO-8601 timestamp or date (for rows made before ids existed).

    Unreadable or missing timestamps get the current time: the id must exist, its time is a hint.
    """
    try:
        moment = datetime.fromisoformat(str(timestamp).replace("Z", "+00:00"))
    except ValueError:
        return uuid7_at(time.time_ns() // 1_000_000)
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=timezone.utc)
    return uuid7_at(int(moment.timestamp() * 1000))


def time_ms(uid: str) -> int:
    """The Unix millisecond time a UUIDv7 carries."""
    return int(uid.replace("-", "")[:12], 16)
