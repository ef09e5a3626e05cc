"""Receipts to ESC/POS bytes through python-escpos (collected on its Dummy printer).

Text is encoded deliberately rather than through python-escpos' automatic encoder (which switches a
whole string to GB18030 and mangles symbols such as ¥):
- ASCII and ¥ print in code page PC437 (¥ is 0x9D there);
- Chinese runs print either in the printer's Chinese mode as GB18030 (FS & ... FS .) or, for
  printers without a Chinese font, as raster pictures of the whole line (GS v 0).
"""
from __future__ import annotations

import contextlib
import io
from dataclasses import dataclass

from escpos.printer import Dummy

from hardware.printer.png import PAPERS, line_image
from kiosk.printing.documents import QR, Barcode, Feed, Item, Pair, Receipt, Rule, Text, layout

ESC, GS, FS = b"\x1b", b"\x1d", b"\x1c"
INIT = ESC + b"@"
CODEPAGE_PC437 = ESC + b"t\x00"
CHINESE_ON, CHINESE_OFF = FS + b"&", FS + b"."
ALIGN = {"left": ESC + b"a\x00", "center": ESC + b"a\x01", "right": ESC + b"a\x02"}
BOLD = {False: ESC + b"E\x00", True: ESC + b"E\x01"}
SIZE = {1: GS + b"!\x00", 2: GS + b"!\x11"}
_PC437_EXTRA = {"¥": b"\x9d"}


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
    return ch < "\x80" or ch in _PC437_EXTRA


def encode_text(line: str, chinese: bool = True) -> bytes:
    """Encode one line: plain runs in PC437, other runs in Chinese mode as GB18030."""
    out, run, run_plain = bytearray(), "", True
    for ch in line + "\0":
        plain = _is_plain(ch)
        if run and (plain != run_plain or ch == "\0"):
            if run_plain:
                out += b"".join(_PC437_EXTRA.get(c) or c.encode("ascii") for c in run)
            else:
                out += CHINESE_ON + run.encode("gb18030", errors="replace") + CHINESE_OFF
            run = ""
        run_plain = plain
        run += ch if ch != "\0" else ""
    return bytes(out)


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
    raw(INIT + CODEPAGE_PC437)
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
    text_block = block if isinstance(block, Text) else None
    align = text_block.align if text_block else "left"
    bold = bool(getattr(block, "bold", False))
    size = text_block.size if text_block else 1
    if isinstance(block, Rule):
        line = block.char * profile.columns
    if profile.chinese == "raster" and not all(_is_plain(ch) for ch in line):
        # No Chinese font in this printer: print the line as a picture at the paper's width.
        raw(ALIGN["left"])
        printer.image(line_image(line, block, PAPERS[profile.paper_mm]), impl="bitImageRaster",
                      high_density_vertical=True, high_density_horizontal=True, center=False)
        return
    raw(ALIGN[align] + BOLD[bold] + SIZE[size] + encode_text(line) + b"\n")
    if bold or size != 1:
        raw(BOLD[False] + SIZE[1])


__all__ = ["PrinterProfile", "render", "encode_text", "drawer_kick_bytes", "Item", "Pair"]
