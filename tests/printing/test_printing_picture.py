"""The receipt model's picture block (the claimant's signature on the claim slip): bounded, sanitised,
stored as JSON with the job, drawn the same by the PNG renderer and as a GS v 0 raster by ESC/POS."""
from __future__ import annotations

import base64
import io
import struct
import zlib

import pytest
from PIL import Image, ImageDraw

from hardware.printer.escpos import PrinterProfile, render
from hardware.printer.png import PAPERS, picture_image, render_png
from kiosk.printing.documents import (PICTURE_MAX_HEIGHT, PICTURE_MAX_WIDTH, Picture, Receipt, Text, layout,
                                      picture_bytes, picture_from_png)


def png(size=(760, 220), *, mode="L", draw=True, fmt="PNG") -> bytes:
    image = Image.new(mode, size, 255 if mode == "L" else (0, 0, 0, 0))
    if draw:
        ImageDraw.Draw(image).line([(20, size[1] - 30), (size[0] // 3, 20), (size[0] - 20, size[1] // 2)],
                                   fill=0 if mode == "L" else (0, 0, 0, 255), width=5)
    out = io.BytesIO()
    image.save(out, fmt)
    return out.getvalue()


def test_a_signature_becomes_a_bounded_picture_cropped_to_its_ink():
    picture = picture_from_png(png((1600, 900)))
    assert picture is not None and picture.width <= PICTURE_MAX_WIDTH and picture.height <= PICTURE_MAX_HEIGHT
    data = picture_bytes(picture)
    assert data is not None and any(data)
    small = picture_from_png(png((120, 40)))  # never scaled up: a small signature stays its size
    assert small.width <= 120 and small.height <= 40
    # A transparent pad (ink on alpha) is ink on paper, not a black square.
    clear = picture_from_png(png((400, 150), mode="RGBA"))
    ink = picture_bytes(clear)
    assert clear is not None and 0 < sum(bin(b).count("1") for b in ink) < clear.width * clear.height // 3


@pytest.mark.parametrize("bad", [b"", b"\x89PNG\r\n\x1a\n" + b"\x00" * 40, b"not a picture at all",
                                 png(draw=False), png(fmt="JPEG"), png(fmt="BMP"), b"\x00" * 3_000_000])
def test_what_is_not_a_signature_gives_no_picture(bad):
    assert picture_from_png(bad) is None


def test_a_png_that_unpacks_to_gigapixels_is_refused_without_decoding():
    # A valid header claiming 60000 × 60000 with a tiny body (a decompression bomb's shape).
    def chunk(kind, body):
        return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body))
    bomb = (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", 60000, 60000, 1, 0, 0, 0, 0))
            + chunk(b"IDAT", zlib.compress(b"\x00" * 1000)) + chunk(b"IEND", b""))
    assert picture_from_png(bomb) is None


@pytest.mark.parametrize("picture", [
    Picture(PICTURE_MAX_WIDTH + 1, 10, base64.b64encode(b"\xff" * 49 * 10).decode()),
    Picture(8, PICTURE_MAX_HEIGHT + 1, base64.b64encode(b"\xff" * (PICTURE_MAX_HEIGHT + 1)).decode()),
    Picture(16, 2, base64.b64encode(b"\xff" * 3).decode()),          # too few bytes for 16 × 2
    Picture(16, 2, base64.b64encode(b"\xff" * 400).decode()),        # too many
    Picture(16, 2, "!!!! not base64 \x1b@ \x1dV"),                  # printer commands in the bits
    Picture(0, 0, ""), Picture(-8, 2, "AAAA"), Picture(8, 2, "A" * 10_000_000),
])
def test_a_picture_out_of_bounds_or_broken_is_left_out_of_the_layout(picture):
    receipt = Receipt("lfclaim", "zh_CN", "认领", blocks=(Text("上"), picture, Text("下")))
    laid = layout(receipt, 32)
    assert not any(isinstance(block, Picture) for _, block in laid)
    assert [line for line, block in laid if isinstance(block, Text)][-2:] == ["上", "下"]
    assert b"\x1b@\x1dV" not in render(receipt, PrinterProfile(paper_mm=58))


def test_the_picture_survives_the_stored_job_and_prints_the_same_dots_both_ways():
    picture = picture_from_png(png((300, 120)), caption="signature\x1b\x07")  # narrower than either paper
    receipt = Receipt.from_json(Receipt("lfclaim", "zh_CN", "认领", blocks=(Text("签名："), picture)).to_json())
    assert receipt.blocks[1].bits == picture.bits
    [(_, laid)] = [(line, block) for line, block in layout(receipt, 48) if isinstance(block, Picture)]
    assert laid.caption == "signature"  # the sanitiser took the control bytes out of the caption
    for paper_mm in (58, 80):
        paper = PAPERS[paper_mm]
        image = picture_image(laid, paper)
        assert image.width == paper.pixels and image.height == picture.height
        left = (paper.pixels - picture.width) // 2  # centred
        if left:
            assert image.convert("L").crop((0, 0, left, image.height)).getextrema() == (255, 255)
        assert image.convert("L").crop((left, 0, left + picture.width, image.height)).getextrema() == (0, 255)
        out = render(receipt, PrinterProfile(paper_mm=paper_mm))
        head = b"\x1dv0\x00" + struct.pack("<HH", paper.pixels // 8, picture.height)
        assert head in out, paper_mm
        raster = out[out.index(head) + len(head):][: paper.pixels // 8 * picture.height]
        expected = bytes(b ^ 0xFF for b in image.tobytes())  # ESC/POS: 1 = a black dot
        assert raster == expected
        sheet = render_png(receipt, paper_mm)
        assert sheet.convert("L").getextrema()[0] == 0  # ink on the virtual printer's paper


def test_the_claim_slip_carries_the_claimants_signature(tmp_path):
    from tests.printing.every_kind import every_kind
    receipts = every_kind(tmp_path / "kiosk.db", "zh_CN")
    claim = receipts["lfclaim"]
    [picture] = [b for b in claim.blocks if isinstance(b, Picture)]
    assert picture_bytes(picture) is not None
    texts = [getattr(b, "text", "") for b in claim.blocks]
    assert texts.index("本人已领回上述物品，物品与本人所述相符，确认为本人所有。") < list(claim.blocks).index(picture)
