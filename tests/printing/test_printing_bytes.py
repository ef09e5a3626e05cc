"""Exact ESC/POS bytes for what the kiosk prints (python-escpos Dummy underneath)."""
from __future__ import annotations

import pytest

from hardware.printer.escpos import PrinterProfile, drawer_kick_bytes, encode_text, render
from kiosk.printing.documents import Pair, Receipt, receipt_number, text_width
from tests import receipt_samples
from tests.escpos_decoder import decode

GB = PrinterProfile(80, "gb18030")
RASTER = PrinterProfile(58, "raster")


def test_yen_and_chinese_are_encoded_deliberately():
    # ¥ is 0x9D in PC437 (never GB18030's 4-byte form); every run sets its mode: FS . before
    # single-byte text, FS & before GB18030, and a line never ends in Chinese mode.
    assert encode_text("¥12.50") == b"\x1c.\x9d12.50"
    assert encode_text("合计 ¥6.00") == b"\x1c&" + "合计".encode("gb18030") + b"\x1c." + b" \x9d6.00"
    assert encode_text("现金") == b"\x1c&\xcf\xd6\xbd\xf0\x1c."


def test_minimal_receipt_exact_bytes():
    receipt = Receipt(kind="fee", lang="en", title="Fee", blocks=(Pair("Amount", "¥5.00", bold=True),))
    profile = PrinterProfile(58, "gb18030", drawer_pin=5, drawer_pulse_ms=120)
    assert render(receipt, profile, kick=True) == (
        b"\x1b@\x1bt\x00\x1c."                                    # init, PC437, Chinese mode off
        + b"\x1ba\x01\x1bE\x01\x1d!\x11" + b"\x1c.Fee\n" + b"\x1bE\x00\x1d!\x00"   # title: centre, bold, double
        + b"\x1ba\x00\x1bE\x00\x1d!\x00" + b"\x1c." + b"-" * 32 + b"\n"      # rule
        + b"\x1ba\x00\x1bE\x01\x1d!\x00" + b"\x1c.Amount" + b" " * 21 + b"\x9d5.00\n" + b"\x1bE\x00\x1d!\x00"
        + b"\x1ba\x00\x1bE\x00\x1d!\x00"                               # back to plain
        + b"\x1bp\x01\x3c\x78"                                       # drawer pin 5, 120 ms
        + b"\x1bd\x06\x1dV\x00"                                      # feed and full cut
    )


def test_drawer_kick_pins_and_pulse():
    assert drawer_kick_bytes(PrinterProfile(drawer_pin=2, drawer_pulse_ms=100)) == b"\x1bp\x00\x32\x64"
    assert drawer_kick_bytes(PrinterProfile(drawer_pin=5, drawer_pulse_ms=600)) == b"\x1bp\x01\xff\xff"
    assert render(None, GB, kick=True) == b"\x1b@\x1bt\x00\x1c.\x1bp\x00\x32\x64"  # no-sale: no paper, no cut


@pytest.mark.parametrize("kind", sorted(receipt_samples.SAMPLES))
@pytest.mark.parametrize("lang", ["zh_CN", "en"])
def test_each_receipt_kind_reads_back_in_text_mode(kind, lang):
    receipt = receipt_samples.SAMPLES[kind](lang)
    data = render(receipt, GB)
    paper = decode(data)
    assert paper.cuts == 1 and data.endswith(b"\x1bd\x06\x1dV\x00")
    assert paper.find(receipt.number).align == "center"
    title = paper.find(receipt.title)
    assert (title.bold, title.size, title.align) == (True, 2, "center")
    assert not paper.images, "text mode prints no pictures"
    for line in paper.lines:  # nothing runs off the paper (double size takes two columns a cell)
        assert text_width(line.text) * line.size <= GB.columns, line.text
    if lang == "en":
        assert not paper.chinese_runs or all(run in ("前台服务中心",) for run in paper.chinese_runs)


def test_sale_receipt_reads_as_a_person_would():
    paper = decode(render(receipt_samples.sale("zh_CN"), GB, kick=True))
    assert paper.find("合计").bold and paper.find("合计").text.endswith("¥202.50")
    assert paper.find("找零").text.endswith("¥97.50")
    assert paper.find("矿泉水 550ml").text == "矿泉水 550ml"
    assert paper.find("2 x ¥3.00").text.endswith("¥6.00")
    assert paper.qr == ["T01-S-000042"] and paper.barcodes == ["T01-S-000042"]
    assert paper.kicks == [(0, 50, 100)]
    assert paper.events.index("kick") < paper.events.index("cut")
    # Columns line up: every amount ends in the last column (48 for 80 mm).
    for needle in ("合计", "现金", "找零", "2 x ¥3.00"):
        line = paper.find(needle).text
        assert text_width(line) == 48


def test_raster_mode_prints_chinese_lines_as_pictures_at_paper_width():
    paper = decode(render(receipt_samples.sale("zh_CN"), RASTER))
    assert paper.images and all(width == 384 for width, _ in paper.images)
    assert not paper.chinese_runs, "no GB18030 for a printer without a Chinese font"
    assert any(line.text.strip().endswith("¥97.50") for line in paper.lines) is False  # 找零 line is a picture
    assert paper.find("2 x ¥3.00").text.endswith("¥6.00")  # plain lines stay text
    assert paper.qr == ["T01-S-000042"]


def test_reprint_is_marked_on_paper():
    paper = decode(render(receipt_samples.fee("zh_CN").as_reprint(), GB))
    assert paper.lines[0].text == "*** 重印 ***" and paper.lines[0].bold
    paper = decode(render(receipt_samples.fee("en").as_reprint(), GB))
    assert paper.text.count("*** REPRINT ***") == 2


def test_receipt_json_round_trip():
    for make in receipt_samples.SAMPLES.values():
        receipt = make("zh_CN")
        assert Receipt.from_json(receipt.to_json()) == receipt


def test_receipt_numbers_are_gapless_per_kind_with_terminal_prefix(db):
    from kiosk.core.db import write
    with write(db):
        assert receipt_number(db, "T01", "sale") == "T01-S-000001"
        assert receipt_number(db, "T01", "sale") == "T01-S-000002"
        assert receipt_number(db, "T01", "fee") == "T01-F-000001"
    with pytest.raises(ZeroDivisionError):
        with write(db):
            receipt_number(db, "T01", "sale")
            1 / 0
    with write(db):
        assert receipt_number(db, "T01", "sale") == "T01-S-000003"


# --- Chinese mode set explicitly (FS . / FS &) ------------------------------------------------------
def test_every_run_sets_its_mode_and_lines_end_out_of_chinese_mode():
    assert encode_text("Total ¥9.00") == b"\x1c.Total \x9d9.00"
    assert encode_text("合计¥6.00现金") == (b"\x1c&" + "合计".encode("gb18030") + b"\x1c.\x9d6.00"
                                          + b"\x1c&" + "现金".encode("gb18030") + b"\x1c.")
    assert encode_text("") == b""
    assert encode_text("Café ±1") == b"\x1c.Caf\x82 \xf11"          # PC437 letters stay single-byte
    assert encode_text("王😀") == b"\x1c&" + "王？".encode("gb18030") + b"\x1c."  # no 4-byte GB18030
    assert encode_text("q\u0301") == b"\x1c.q"                         # a lone mark has no cell
    assert encode_text("Σ→") == b"\x1c.\xe4\x1c&" + "→".encode("gb18030") + b"\x1c."


@pytest.mark.parametrize("kind", sorted(receipt_samples.SAMPLES))
@pytest.mark.parametrize("lang", ["zh_CN", "en"])
def test_a_printer_that_powers_up_in_chinese_mode_prints_the_same(kind, lang):
    data = render(receipt_samples.SAMPLES[kind](lang), GB)
    assert data.startswith(b"\x1b@\x1bt\x00\x1c.")
    normal, stuck = decode(data), decode(data, chinese_at_start=True)
    assert [line.text for line in stuck.lines] == [line.text for line in normal.lines]
    assert "¥" in normal.text or kind in ("badge",)


def test_a_printer_without_a_chinese_font_gets_no_fs_commands():
    receipt = Receipt(kind="fee", lang="en", title="Fee", blocks=(Pair("Amount", "¥5.00"),))
    assert render(receipt, PrinterProfile(58, "raster")) == (
        b"\x1b@\x1bt\x00"
        + b"\x1ba\x01\x1bE\x01\x1d!\x11" + b"Fee\n" + b"\x1bE\x00\x1d!\x00"
        + b"\x1ba\x00\x1bE\x00\x1d!\x00" + b"-" * 32 + b"\n"
        + b"\x1ba\x00\x1bE\x00\x1d!\x00" + b"Amount" + b" " * 21 + b"\x9d5.00\n"
        + b"\x1ba\x00\x1bE\x00\x1d!\x00" + b"\x1bd\x06\x1dV\x00")
    mixed = Receipt(kind="fee", lang="zh_CN", title="收费收据", blocks=(Pair("合计", "¥5.00"), Pair("Card", "ref 884213")))
    chinese = render(mixed, PrinterProfile(58, "raster"))
    paper = decode(chinese)
    assert len(paper.images) == 2 and not paper.chinese_runs  # the title and the 合计 line
    assert paper.find("ref 884213").text.startswith("Card")  # a plain line stays text: raster only for CJK
    assert b"\x1c" not in _outside_images(chinese)


def _outside_images(data: bytes) -> bytes:
    """The bytes with every GS v 0 picture cut out (a picture's dots may hold any byte)."""
    out, i = bytearray(), 0
    while True:
        j = data.find(b"\x1dv0", i)
        if j < 0:
            return bytes(out + data[i:])
        out += data[i:j]
        width, rows = data[j + 4] + 256 * data[j + 5], data[j + 6] + 256 * data[j + 7]
        i = j + 8 + width * rows


def test_a_stored_rule_of_wide_characters_still_fits():
    from kiosk.printing.documents import Rule
    receipt = Receipt(kind="test", lang="en", title="", blocks=(Rule("＝"), Rule(""), Rule("\u0301")))
    paper = decode(render(receipt, GB))
    assert [line.text for line in paper.lines if line.text][-3:] == ["＝" * 24, "-" * 48, "-" * 48]
