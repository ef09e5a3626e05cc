"""Receipts to ESC/POS bytes through python-escpos (collected on its Dummy printer).

Text is encoded deliberately rather than through python-escpos' automatic encoder (which switches a
whole string to GB18030 and mangles symbols such as ¥):
- the printable characters of code page PC437 (ASCII, ¥ = 0x9D, é, ±…) print as single bytes, each
  run preceded by FS . (cancel Chinese mode), so a printer that powers up in Chinese mode, or was
  left in it, never reads 0x9D as half of a Chinese character;
- every other run prints in the printer's Chinese mode as GB18030 double-byte characters, preceded
  by FS & and closed by FS .; a character the printer has no double-byte form for prints as ？
  (two columns, like the character it stands for) and a combining mark alone is left out (the
  layout gave it no column);
- a printer without a Chinese font (profile chinese = "raster") gets no FS commands at all: a line
  holding such characters prints as a raster picture (GS v 0), every other line as PC437 text.
The text reaching this module was sanitised by the layout (kiosk.printing.documents.layout), so no
field can put a command byte of its own on the wire.
"""
from __future__ import annotations

import contextlib
import io
from dataclasses import dataclass

from escpos.printer import Dummy

from hardware.printer.png import PAPERS, line_image, picture_image
from kiosk.printing.documents import (QR, SINGLE_BYTE, Barcode, Feed, Item, Pair, Picture, Receipt, Text, char_width,
                                      layout)

ESC, GS, FS = b"\x1b", b"\x1d", b"\x1c"
INIT = ESC + b"@"
CODEPAGE_PC437 = ESC + b"t\x00"
CHINESE_ON, CHINESE_OFF = FS + b"&", FS + b"."
ALIGN = {"left": ESC + b"a\x00", "center": ESC + b"a\x01", "right": ESC + b"a\x02"}
BOLD = {False: ESC + b"E\x00", True: ESC + b"E\x01"}
SIZE = {1: GS + b"!\x00", 2: GS + b"!\x11"}
REPLACEMENT = "？"  # full width, so a character the printer cannot show keeps its two columns
REPLACEMENT_NARROW = b"?"


@dataclass(frozen=True)
class PrinterProfile:
    """How one printer wants its bytes: paper width, Chinese handling, drawer wiring."""

    paper_mm: int = 80
    chinese: str = "gb18030"   # gb18030 | raster
    drawer_pin: int = 2
    drawer_pulse_ms: int = 100

    @property
    def columns(self) -> int:
        return PAPERS[self.paper_mm].columns


def _is_plain(ch: str) -> bool:
    """A character the printer prints as one byte of PC437."""
    return ch in SINGLE_BYTE


def _double_byte(ch: str) -> bytes:
    """A character in Chinese mode: its two GB18030 (GBK) bytes, or ？ when it has none (emoji,
    Thai…: four-byte GB18030 is not in a receipt printer's font), or nothing for a zero-width mark."""
    if char_width(ch) == 0:
        return b""
    encoded = ch.encode("gb18030", errors="replace")
    return encoded if len(encoded) == 2 else REPLACEMENT.encode("gb18030")


def encode_text(line: str, *, modes: bool = True) -> bytes:
    """Encode one line, setting the mode before every run: FS . + PC437 bytes for single-byte runs,
    FS & + GB18030 for the others; the line always ends out of Chinese mode.

    modes=False (a printer without a Chinese font) sends no FS command; the caller only passes lines
    that are all single-byte then (the others print as pictures).
    """
    out = bytearray()
    runs = _runs(line)
    for plain, run in runs:
        if plain:
            out += (CHINESE_OFF if modes else b"") + run.encode("cp437")
        elif modes:
            out += CHINESE_ON + b"".join(_double_byte(ch) for ch in run)
        else:
            out += REPLACEMENT_NARROW * sum(char_width(ch) for ch in run)
    if runs and not runs[-1][0] and modes:
        out += CHINESE_OFF
    return bytes(out)


def _runs(line: str) -> list[tuple[bool, str]]:
    """The line cut into (single-byte?, text) runs. Zero-width marks are left out: PC437 has none,
    a Chinese font prints each as a cell of its own, and the layout gave them no column."""
    runs: list[tuple[bool, str]] = []
    for ch in line:
        if char_width(ch) == 0:
            continue
        plain = _is_plain(ch)
        if runs and runs[-1][0] == plain:
            runs[-1] = (plain, runs[-1][1] + ch)
        else:
            runs.append((plain, ch))
    return runs


def drawer_kick_bytes(profile: PrinterProfile) -> bytes:
    """ESC p m t1 t2: pulse the drawer solenoid (pin 2 → m=0, pin 5 → m=1), times in 2 ms units."""
    on = max(1, min(255, profile.drawer_pulse_ms // 2))
    return ESC + b"p" + bytes([0 if profile.drawer_pin == 2 else 1, on, min(255, on * 2)])


def render(receipt: Receipt | None, profile: PrinterProfile, *, kick: bool = False, cut: bool = True) -> bytes:
    """The exact bytes to send for one job."""
    printer = Dummy()
    # Tell python-escpos the paper width, so its image and barcode code knows the printable area.
    printer.profile.profile_data.setdefault("media", {}).setdefault("width", {})["pixels"] = PAPERS[profile.paper_mm].pixels
    raw = printer._raw
    raw(INIT + CODEPAGE_PC437 + (CHINESE_OFF if profile.chinese != "raster" else b""))
    if receipt is not None:
        for line, block in layout(receipt, profile.columns):
            _block(printer, line, block, profile)
        raw(ALIGN["left"] + BOLD[False] + SIZE[1])
    if kick:
        raw(drawer_kick_bytes(profile))
    if receipt is not None and cut:
        printer.cut()  # feeds past the tear bar, then a full cut
    return printer.output


def _block(printer: Dummy, line: str, block, profile: PrinterProfile) -> None:
    raw = printer._raw
    if isinstance(block, QR):
        raw(ALIGN["center"])
        printer.qr(block.data, native=True, size=max(1, min(16, block.size)))
        raw(ALIGN["left"])
        return
    if isinstance(block, Barcode):
        with contextlib.redirect_stdout(io.StringIO()):  # python-escpos prints which renderer it used
            printer.barcode("{B" + block.data, "CODE128", function_type="B", pos="BELOW", align_ct=True)
        raw(b"\n" + ALIGN["left"])
        return
    if isinstance(block, Feed):
        raw(b"\n" * block.lines)
        return
    if isinstance(block, Picture):
        # A raster bit image (GS v 0) the paper's width, the picture centred in it by the PNG renderer's
        # own drawing, so both renderers put the same dots in the same place.
        raw(ALIGN["left"])
        printer.image(picture_image(block, PAPERS[profile.paper_mm]), impl="bitImageRaster",
                      high_density_vertical=True, high_density_horizontal=True, center=False)
        return
    text_block = block if isinstance(block, Text) else None
    align = text_block.align if text_block else "left"
    bold = bool(getattr(block, "bold", False))
    size = text_block.size if text_block else 1
    if profile.chinese == "raster" and not all(_is_plain(ch) for ch in line):
        # No Chinese font in this printer: print the line as a picture at the paper's width.
        raw(ALIGN["left"])
        printer.image(line_image(line, block, PAPERS[profile.paper_mm]), impl="bitImageRaster",
                      high_density_vertical=True, high_density_horizontal=True, center=False)
        return
    raw(ALIGN[align] + BOLD[bold] + SIZE[size] + encode_text(line, modes=profile.chinese != "raster") + b"\n")
    if bold or size != 1:
        raw(BOLD[False] + SIZE[1])


__all__ = ["PrinterProfile", "render", "encode_text", "drawer_kick_bytes", "Item", "Pair"]
