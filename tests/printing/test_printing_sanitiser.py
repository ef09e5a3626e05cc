"""No field can put a byte of its own on the wire: every control byte (0x00–0x1F, 0x7F, 0x80–0x9F)
in every text field of every receipt kind, through both renderers; only the renderer's own commands
come out (told apart by the ESC/POS decoder)."""
from __future__ import annotations

import unicodedata

import pytest

from hardware.printer.escpos import PrinterProfile, render
from hardware.printer.png import render_png
from kiosk.core.text import printable
from kiosk.printing.documents import Receipt, layout
from tests.escpos_decoder import decode
from tests.printing.every_kind import KINDS, every_kind, fill, texts_of
from tests.printing.hostile_text import CONTROLS

BREAKS = "\n\r\x0b\x0c\x85\t"  # line breaks (the layout's business) and the tab (a space)
COMMANDS = {
    "drawer kick": "\x1bp\x00\x02\x02", "drawer kick (digits)": "\x1bp022", "cut": "\x1dV\x00", "reset": "\x1b@",
    "status query": "\x10\x04\x01", "Chinese mode on": "\x1c&", "raster": "\x1dv0\x00\x01\x00\x01\x00\xff",
    "C1 CSI": "\x9b2J",
}
PROFILES = [PrinterProfile(80, "gb18030"), PrinterProfile(58, "gb18030"), PrinterProfile(58, "raster")]


@pytest.fixture(scope="module")
def shapes(tmp_path_factory) -> dict[str, Receipt]:
    return every_kind(tmp_path_factory.mktemp("kinds") / "kinds.db", "zh_CN")


def _no_stray_bytes(data: bytes, profile: PrinterProfile) -> None:
    paper = decode(data)  # raises on any command the renderer does not emit
    assert paper.cuts == 1 and not paper.kicks and not paper.status_queries
    for text in [line.text for line in paper.lines] + paper.qr + paper.barcodes:
        assert not any(unicodedata.category(ch) in ("Cc", "Cf") for ch in text), repr(text)


@pytest.mark.parametrize("profile", PROFILES, ids=lambda p: f"{p.paper_mm}mm-{p.chinese}")
@pytest.mark.parametrize("kind", KINDS)
def test_every_control_in_every_field_prints_as_nothing(shapes, kind, profile):
    # Controls other than line breaks vanish without a trace: the bytes are exactly those of the
    # same receipt without them (Chinese and Latin text around them, so both runs are exercised).
    for ch in CONTROLS:
        if ch in BREAKS:
            continue
        dirty = fill(shapes[kind], lambda i, old: f"{ch}A{ch}失{ch}{old}{ch}")
        clean = fill(shapes[kind], lambda i, old: f"A失{old}")
        data = render(dirty, profile, kick=False)
        assert data == render(clean, profile, kick=False), f"U+{ord(ch):04X} changed the bytes of {kind}"
    _no_stray_bytes(data, profile)


@pytest.mark.parametrize("profile", PROFILES, ids=lambda p: f"{p.paper_mm}mm-{p.chinese}")
@pytest.mark.parametrize("kind", KINDS)
def test_line_breaks_and_tabs_never_reach_the_wire_raw(shapes, kind, profile):
    dirty = fill(shapes[kind], lambda i, old: f"a{BREAKS}b\r\nc\u2028d{old}")
    _no_stray_bytes(render(dirty, profile), profile)
    for line, _block in layout(dirty, profile.columns):
        assert not any(ch in line for ch in BREAKS + "\u2028\u2029")


@pytest.mark.parametrize("name,command", sorted(COMMANDS.items()))
@pytest.mark.parametrize("kind", ["fee", "sale", "lftag", "eod"])
def test_a_printer_command_in_a_field_is_only_text(shapes, kind, name, command):
    receipt = fill(shapes[kind], lambda i, old: old + command)
    for profile in PROFILES:
        _no_stray_bytes(render(receipt, profile), profile)
    render_png(receipt, 58)  # the virtual printer takes it too


def test_a_card_fee_whose_payer_holds_a_drawer_kick_opens_no_drawer(shapes):
    fee = fill(shapes["fee"], lambda i, old: old + "\x1bp\x00\x02\x02\x1dV\x00")
    paper = decode(render(fee, PROFILES[0], kick=False))
    assert not paper.kicks and paper.cuts == 1
    assert decode(render(fee, PROFILES[0], kick=True)).kicks == [(0, 50, 100)]  # only the renderer's own


def test_the_sanitiser_itself():
    assert printable("a\x00b\x1bc\x7fd\x85e\x9bf\u200bg\u202eh\ufeffi\ud800j\ue000k\U000e0001l") == "abc" + "d\ne" + "fghijkl"
    assert printable("x\r\ny\rz\u2028w\u2029v\tu") == "x\ny\nz\nw\nv u"
    assert printable("x\ny", multiline=False) == "x y"
    assert printable("e\u0301") == "é"  # NFC: one cell, printable in PC437
    assert printable(None) == "" and printable(42) == "42"
    assert all(printable(ch) == "" for ch in CONTROLS if ch not in BREAKS)


def test_every_field_of_every_kind_is_reached(shapes):
    # The fill helper really visits every field: a marker in each comes out of the layout (a rule's
    # character comes out as a rule, a QR's or barcode's data as its payload).
    for kind, receipt in shapes.items():
        marked = fill(receipt, lambda i, old: f"M{i}M")
        laid = layout(marked, 48)
        text = "\n".join(line for line, _ in laid)
        payloads = [b.data for _, b in laid if hasattr(b, "data")]
        rules = [line for line, b in laid if type(b).__name__ == "Rule" and line.startswith("M")]
        found = sum(1 for i, _ in enumerate(texts_of(marked)) if f"M{i}M" in text or f"M{i}M" in payloads)
        assert found + len(rules) == len(list(texts_of(marked))), kind
