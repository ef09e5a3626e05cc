"""Receipts to pictures: the virtual printer's PNGs and the raster lines for printers without a
Chinese font. Drawn on the printer's own grid (12×24-dot cells, CJK two cells wide) at 203 dpi."""
from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

from PIL import Image, ImageDraw, ImageFont

from kiosk.core import fonts
from kiosk.printing.documents import (QR, Barcode, Block, Feed, Picture, Receipt, Rule, Text, clusters, layout,
                                      picture_bytes, text_width)

CELL_W, CELL_H, LINE_GAP = 12, 24, 6


@dataclass(frozen=True)
class Paper:
    """A paper width: columns of 12-dot cells and the printable width in dots."""

    mm: int
    columns: int
    pixels: int


PAPERS = {58: Paper(58, 32, 384), 80: Paper(80, 48, 576)}


@lru_cache(maxsize=8)
def _font(size: int, bold: bool) -> ImageFont.FreeTypeFont:
    return ImageFont.truetype(str(fonts.sc_mono_font_path(bold=bold)), size)


def _style(block: Block | None) -> tuple[int, bool, str]:
    if isinstance(block, Text):
        return block.size, block.bold, block.align
    return 1, bool(getattr(block, "bold", False)), "left"


def line_image(line: str, block: Block | None, paper: Paper) -> Image.Image:
    """One printed line as a 1-bit picture the width of the paper."""
    scale, bold, align = _style(block)
    cell_w, cell_h = CELL_W * scale, CELL_H * scale
    image = Image.new("1", (paper.pixels, cell_h + LINE_GAP), 1)
    width_px = text_width(line) * cell_w
    x = {"center": (paper.pixels - width_px) // 2, "right": paper.pixels - width_px}.get(align, 0)
    for cluster in clusters(line):
        w = text_width(cluster) * cell_w
        if w and not cluster.isspace():
            image.paste(_glyph(cluster, scale, bold), (x, 0))
        x += w
    return image


@lru_cache(maxsize=8192)
def _glyph(cluster: str, scale: int, bold: bool) -> Image.Image:
    """A character with its combining marks, centred in its cells (one or two) and cut to them, so
    no glyph ever inks a neighbour or the margin; drawn once, then pasted (fonts render slowly)."""
    cell_w, cell_h = CELL_W * scale, CELL_H * scale
    w = text_width(cluster) * cell_w
    image = Image.new("1", (w, cell_h + LINE_GAP), 1)
    size = int(cell_h * 0.95)
    # Noto CJK's em box runs 0.88 above the baseline and 0.12 below: the cell holds it whole.
    baseline = LINE_GAP // 2 + (cell_h - size) // 2 + int(size * 0.88)
    ImageDraw.Draw(image).text((w / 2, baseline), cluster, font=_font(size, bold), fill=0, anchor="ms")
    return image


def _qr_image(block: QR, paper: Paper) -> Image.Image:
    import qrcode
    code = qrcode.QRCode(border=2, box_size=max(1, block.size), error_correction=qrcode.constants.ERROR_CORRECT_M)
    code.add_data(block.data)
    code.make(fit=True)
    return _centered(code.make_image(fill_color="black", back_color="white").get_image().convert("1"), paper)


def _barcode_image(block: Barcode, paper: Paper) -> Image.Image:
    from barcode import Code128
    from barcode.writer import ImageWriter
    picture = Code128(block.data, writer=ImageWriter()).render(
        {"module_width": 0.25, "module_height": 10, "font_size": 0, "quiet_zone": 2, "dpi": 203, "write_text": False})
    picture = picture.convert("1")
    if picture.width > paper.pixels:
        picture = picture.resize((paper.pixels, picture.height))
    text = line_image(block.data, Text(block.data, align="center"), paper)
    out = Image.new("1", (paper.pixels, picture.height + text.height), 1)
    out.paste(picture, ((paper.pixels - picture.width) // 2, 0))
    out.paste(text, (0, picture.height))
    return out


def _centered(picture: Image.Image, paper: Paper) -> Image.Image:
    out = Image.new("1", (paper.pixels, picture.height), 1)
    out.paste(picture, (max(0, (paper.pixels - picture.width) // 2), 0))
    return out


def picture_image(block: Picture, paper: Paper) -> Image.Image:
    """A Picture block (a signature) as black ink on white, centred on the paper's width; scaled down
    when the paper is narrower than the picture (the layout has already dropped invalid ones)."""
    data = picture_bytes(block)
    if data is None:
        return Image.new("1", (paper.pixels, 1), 1)
    # Stored 1 = ink; Pillow's 1-bit mode has 1 = white: flip every byte (padding bits are never shown).
    picture = Image.frombytes("1", (block.width, block.height), bytes(b ^ 0xFF for b in data))
    if picture.width > paper.pixels:
        picture = picture.resize((paper.pixels, max(1, picture.height * paper.pixels // picture.width)))
    return _centered(picture, paper)


def block_image(line: str, block: Block | None, paper: Paper) -> Image.Image:
    """A laid-out line or a graphic block as a picture."""
    if isinstance(block, Picture):
        return picture_image(block, paper)
    if isinstance(block, QR):
        return _qr_image(block, paper)
    if isinstance(block, Barcode):
        return _barcode_image(block, paper)
    if isinstance(block, Feed):
        return Image.new("1", (paper.pixels, (CELL_H + LINE_GAP) * block.lines), 1)
    if isinstance(block, Rule):
        image = Image.new("1", (paper.pixels, CELL_H + LINE_GAP), 1)
        ImageDraw.Draw(image).line((0, image.height // 2, paper.pixels, image.height // 2), fill=0, width=2)
        return image
    return line_image(line, block, paper)


def render_png(receipt: Receipt, paper_mm: int = 80) -> Image.Image:
    """The whole receipt as the paper would look, with a torn-edge margin."""
    paper = PAPERS[paper_mm]
    parts = [block_image(line, block, paper) for line, block in layout(receipt, paper.columns)]
    margin = 16
    total = sum(p.height for p in parts) + 2 * margin + 3 * (CELL_H + LINE_GAP)  # the printer's feed
    sheet = Image.new("L", (paper.pixels + 2 * margin, total), 255)
    y = margin
    for part in parts:
        sheet.paste(part.convert("L"), (margin, y))
        y += part.height
    return sheet
