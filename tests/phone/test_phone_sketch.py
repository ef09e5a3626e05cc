"""The reference sketch compiles for the board it names (Nano: ATmega328P, SoftwareSerial) and for
a board with Serial1 (Leonardo), with Debian's Arduino toolchain (arduino-mk + arduino-core-avr,
installed by scripts/bootstrap.sh); and it speaks only words the kiosk's parser knows."""
from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

import pytest

from hardware.phone.detectors import LineProtocolParser

SKETCH = Path(__file__).resolve().parents[2] / "hardware" / "phone" / "ring_detector.ino"
ARDUINO_MK = Path("/usr/share/arduino/Arduino.mk")
CORE = Path("/usr/share/arduino/hardware/arduino/avr/cores/arduino")
# Debian 12 builds the core with avr-gcc 5.4, whose <float.h> hides DECIMAL_DIG from C++ (WString.cpp).
MAKEFILE = """BOARD_TAG = {board}
{extra}
CPPFLAGS = -DDECIMAL_DIG=__DECIMAL_DIG__
include /usr/share/arduino/Arduino.mk
"""
BOARDS = {"nano": "BOARD_SUB = atmega328\nARDUINO_LIBS = SoftwareSerial", "leonardo": ""}


@pytest.mark.skipif(not (ARDUINO_MK.exists() and CORE.exists() and shutil.which("avr-gcc") and shutil.which("make")),
                    reason="Arduino toolchain missing: apt-get install arduino-mk arduino-core-avr (scripts/bootstrap.sh does)")
@pytest.mark.parametrize("board", BOARDS)
def test_sketch_compiles(board, tmp_path):
    folder = tmp_path / "ring_detector"
    folder.mkdir()
    shutil.copy(SKETCH, folder / "ring_detector.ino")
    (folder / "Makefile").write_text(MAKEFILE.format(board=board, extra=BOARDS[board]))
    result = subprocess.run(["make", "-s", "-j2"], cwd=folder, capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    assert list(folder.glob("build-*/*.hex")), "no firmware image"
    ours = [line for line in (result.stdout + result.stderr).splitlines() if "ring_detector.ino" in line]
    assert not ours, "the sketch compiles without warnings:\n" + "\n".join(ours)
    flash = re.search(r"Program:\s+(\d+) bytes", result.stdout)
    assert flash and int(flash.group(1)) < 28 * 1024


def test_sketch_speaks_only_what_the_parser_knows():
    text = SKETCH.read_text()
    words = set(re.findall(r'F\("([A-Z_]+)', text)) | set(re.findall(r'print\(F\("([A-Z_]+) ', text))
    known = set(LineProtocolParser.KINDS) | {"HELLO", "PONG", "FSK", "DTMF", "CID"}
    assert words and words <= known, words - known
    assert "Serial1" in text and "SoftwareSerial" in text and "noInterrupts()" in text
    assert "readStringUntil" not in text, "no blocking reads in the loop"


def test_sketch_resyncs_the_hook_state_and_needs_sustained_ringing():
    """Issue 15 re-test: HELLO carries the hook state, HOOK is answered, and a burst needs edges."""
    from hardware.phone.detectors import LineProtocolParser
    text = SKETCH.read_text()
    assert 'strcmp(cmd, "HOOK")' in text and 'F("HELLO 2.1 pulse ")' in text
    assert "burstEdges >= MIN_BURST_EDGES" in text and "MAX_HOLE_MS" in text
    parser = LineProtocolParser()
    for mode in ("pulse", "level"):
        for hook in ("onhook", "offhook"):
            assert [e.kind for e in parser.feed(f"HELLO 2.1 {mode} {hook}\r\n".encode(), 0.0)] == [hook]
    assert parser.feed(b"HELLO 2.0 level\n", 0.0) == [] and parser.ignored == 0
