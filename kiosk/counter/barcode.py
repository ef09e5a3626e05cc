"""What a barcode scanner types: GS1 check digits (EAN-13, UPC-A, EAN-8) and telling a scanner's burst
of keystrokes from a person typing.

A USB scanner is a keyboard: it types the code and Enter within a few milliseconds per character.
`ScanBuffer` is fed each character with its time and returns the code on Enter; a pause longer than
`max_gap` starts over, so stray key presses never join the next scan. `KeyRun` tells a scanner's burst
typed into a focused field from a person typing there, by the timing of the whole run. Plain Python,
given the time.
"""
from __future__ import annotations

import statistics
import unicodedata
from dataclasses import dataclass, field

GS1_LENGTHS = (8, 12, 13)  # EAN-8, UPC-A, EAN-13
MAX_CODE = 64              # no symbology a desk scans is longer; the buffer never grows past it


def normalise(code: str) -> str:
    """Full-width digits (a Chinese input method) to ASCII, spaces and control characters removed."""
    text = unicodedata.normalize("NFKC", code or "")
    return "".join(ch for ch in text if not ch.isspace() and unicodedata.category(ch)[0] != "C")[:MAX_CODE]


def gs1_check_digit(body: str) -> int:
    """The check digit for the digits before it (weights 3,1,3… from the right)."""
    total = sum(int(d) * (3 if i % 2 == 0 else 1) for i, d in enumerate(reversed(body)))
    return (10 - total % 10) % 10


def is_gs1_shaped(code: str) -> bool:
    """All digits and the length of EAN-8, UPC-A or EAN-13: its last digit must check."""
    return code.isascii() and code.isdigit() and len(code) in GS1_LENGTHS


def upc_e_to_upc_a(code: str) -> str | None:
    """The UPC-A a UPC-E code stands for (small packs: gum, cans; scanners send it as 8 digits by default),
    when its check digit — the UPC-A's — is right; None for anything else. 04252614 → 042100005264."""
    if not (code.isascii() and code.isdigit() and len(code) == 8 and code[0] in "01"):
        return None
    n, d, check = code[0], code[1:7], code[7]
    last = d[5]
    if last in "012":
        body = n + d[0:2] + last + "0000" + d[2:5]
    elif last == "3":
        body = n + d[0:3] + "00000" + d[3:5]
    elif last == "4":
        body = n + d[0:4] + "00000" + d[4]
    else:
        body = n + d[0:5] + "0000" + last
    return body + check if gs1_check_digit(body) == int(check) else None


def check_digit_ok(code: str) -> bool:
    """True for a GS1-shaped code whose check digit is right (and for codes of other shapes: SKUs). An
    8-digit code is right as an EAN-8 or as a UPC-E (whose check digit is its UPC-A's)."""
    if not is_gs1_shaped(code):
        return True
    return gs1_check_digit(code[:-1]) == int(code[-1]) or upc_e_to_upc_a(code) is not None


def alternatives(code: str) -> tuple[str, ...]:
    """The same article under its other spelling: UPC-A 036000291452 is EAN-13 0036000291452; a UPC-E is its
    UPC-A (and that one's EAN-13)."""
    if is_gs1_shaped(code) and len(code) == 12:
        return ("0" + code,)
    if is_gs1_shaped(code) and len(code) == 13 and code.startswith("0"):
        return (code[1:],)
    expanded = upc_e_to_upc_a(code) if is_gs1_shaped(code) and len(code) == 8 else None
    if expanded is not None:
        return (expanded, "0" + expanded)
    return ()


@dataclass
class ScanBuffer:
    """Characters typed while no text field has the keyboard; Enter ends a code."""

    max_gap: float = 0.3   # seconds between two keystrokes of one code (scanners: < 0.05)
    chars: list[str] = field(default_factory=list)
    last: float | None = None

    def feed(self, text: str, now: float) -> None:
        if self.last is not None and now - self.last > self.max_gap:
            self.chars.clear()
        self.last = now
        if len(self.chars) < MAX_CODE:
            self.chars.extend(text[:MAX_CODE - len(self.chars)])

    def enter(self, now: float) -> str | None:
        """Enter pressed: the code typed, or None when nothing was (or the last key was too long ago)."""
        stale = self.last is not None and now - self.last > self.max_gap
        code = "" if stale else "".join(self.chars)
        self.chars.clear()
        self.last = None
        code = normalise(code)
        return code or None


# A keyboard-wedge scanner types a key every 5-15 ms (a Bluetooth one up to ~30 ms), with an occasional
# hiccup of 40-80 ms (a USB hub, the radio, a busy Pi); a person, even a fast typist, 60 ms or more and
# mostly over 100 ms. So a pause inside one scan may reach SCAN_MAX_GAP without splitting it, and what tells
# the two apart is the run as a whole: its median gap (Enter's included) is a scanner's, and Enter follows
# the last key at once.
SCAN_MAX_GAP = 0.08
SCAN_TYPICAL_GAP = 0.035
SCAN_MIN_KEYS = 4
SHORT_CODE_KEYS = 8   # EAN-8 and longer: enough gaps for the median to tell a scanner from a person


@dataclass
class KeyRun:
    """Keys typed into a focused field, with their times, until Enter says whether they were a scan."""

    max_gap: float = SCAN_MAX_GAP          # a longer pause ends the run: the next key begins a new one
    typical_gap: float = SCAN_TYPICAL_GAP  # a scan's median gap is no longer than this
    min_keys: int = SCAN_MIN_KEYS          # fewer keys are typing (a key bounce, a pasted "100")
    chars: list[str] = field(default_factory=list)
    times: list[float] = field(default_factory=list)

    def key(self, text: str, now: float) -> bool:
        """One key (or one input event's text) at `now`; True when it begins a new run (the field then
        remembers what it held, so a burst can be taken out whole)."""
        new = not self.times or now - self.times[-1] > self.max_gap
        if new:
            self.chars.clear()
            self.times.clear()
        self.chars.extend(text[:MAX_CODE - len(self.chars)])
        self.times.append(now)
        del self.times[:-MAX_CODE - 1]  # bounded: a held-down key is not an unbounded list
        return new

    def enter(self, now: float) -> str | None:
        """Enter (or Tab) at `now`: the code when the run was a scanner's burst, else None. Either way the
        run is over."""
        chars, times = self.chars[:], self.times[:]
        self.chars.clear()
        self.times.clear()
        if not times or len(chars) < self.min_keys:
            return None
        gaps = [b - a for a, b in zip(times, times[1:])] + [now - times[-1]]
        if gaps[-1] > self.max_gap or statistics.median(gaps) > self.typical_gap:
            return None
        if len(chars) < SHORT_CODE_KEYS and max(gaps) > self.typical_gap:
            # A short run has too few gaps for a median to speak for it: two rolled-over pairs a person
            # typed 60 ms apart look like a scan by the median. A short code is a scan only without a pause.
            return None
        return normalise("".join(chars)) or None
