"""Receipts as data: a document built by the core from stored records, rendered elsewhere.

Renderers (hardware/printer/escpos.py for ESC/POS bytes, hardware/printer/png.py for the virtual
printer) turn a Receipt into paper, both through `layout`, which sanitises every field first. A Receipt serialises to JSON so a print job can be stored before
it is sent and re-rendered for a reprint.
"""
from __future__ import annotations

import base64
import binascii
import io
import json
import unicodedata
from dataclasses import asdict, dataclass, field, replace
from functools import lru_cache
from typing import Any, Union

import sqlite_utils

from kiosk.core import series
from kiosk.core import settings
from kiosk.core.clock import parse_iso
from kiosk.core.money import format_fen
from kiosk.core.text import printable

# One gapless series per kind; the code goes into the number: T01-S-000042.
KIND_CODES = {
    "sale": "S", "refund": "R", "void": "V", "fee": "F", "feevoid": "W", "eod": "E", "stocktake": "K",
    "badge": "B", "onsite": "O", "lftag": "L", "lfclaim": "C", "lfhandover": "H", "test": "T",
    "complaint": "Q",  # the complaint slip (kiosk.complaints.slips), its own series
}


@dataclass(frozen=True)
class Text:
    """A paragraph, wrapped to the paper; size 2 is double width and height."""

    text: str
    align: str = "left"   # left | center | right
    bold: bool = False
    size: int = 1


@dataclass(frozen=True)
class Pair:
    """A label on the left and a value (usually money) on the right."""

    left: str
    right: str
    bold: bool = False


@dataclass(frozen=True)
class Item:
    """A sold line: name, then quantity × unit price and the line total."""

    name: str
    quantity: int
    unit_fen: int
    total_fen: int


@dataclass(frozen=True)
class Rule:
    """A separator across the paper."""

    char: str = "-"


@dataclass(frozen=True)
class QR:
    """A QR code (sign-out codes, item references)."""

    data: str
    size: int = 6


@dataclass(frozen=True)
class Barcode:
    """A CODE128 barcode."""

    data: str


@dataclass(frozen=True)
class Feed:
    """Blank lines."""

    lines: int = 1


# A picture's bounds in printer dots (203 dpi): the width of 58 mm paper, so it fits on either paper
# unscaled, and a signature's height; the stored bits are bounded by both.
PICTURE_MAX_WIDTH, PICTURE_MAX_HEIGHT = 384, 160
PNG_MAX_BYTES = 2_000_000        # a signature pad's PNG is tens of KB; anything this big is refused
PNG_MAX_PIXELS = 4_000_000       # decoded size bound (a small PNG can unpack to gigapixels)


@dataclass(frozen=True)
class Picture:
    """A 1-bit picture (the claimant's signature): ``bits`` is base64 of the rows, each padded to a
    whole byte, most significant bit first, 1 = ink. Printed centred, at most PICTURE_MAX_WIDTH ×
    PICTURE_MAX_HEIGHT dots; one that breaks the bounds or does not decode is left out by the layout."""

    width: int
    height: int
    bits: str
    caption: str = ""  # what it is, for readers of the stored document and logs


def picture_bytes(picture: Picture) -> bytes | None:
    """The packed rows of a valid picture, or None (wrong size, over the bounds, not base64)."""
    if not (isinstance(picture.width, int) and isinstance(picture.height, int)
            and 0 < picture.width <= PICTURE_MAX_WIDTH and 0 < picture.height <= PICTURE_MAX_HEIGHT):
        return None
    expected = (picture.width + 7) // 8 * picture.height
    if not isinstance(picture.bits, str) or len(picture.bits) > 4 * (expected + 2) // 3 + 4:
        return None
    try:
        data = base64.b64decode(picture.bits, validate=True)
    except (binascii.Error, ValueError):
        return None
    return data if len(data) == expected else None


def picture_from_png(png: bytes, *, max_width: int = PICTURE_MAX_WIDTH, max_height: int = PICTURE_MAX_HEIGHT,
                     caption: str = "") -> Picture | None:
    """A signature pad's PNG as a printable picture: cropped to its ink, scaled down (never up) to fit
    the bounds, thresholded to 1 bit. None for something that is not a PNG with ink, or is too big."""
    if not isinstance(png, (bytes, bytearray)) or not png or len(png) > PNG_MAX_BYTES:
        return None
    from PIL import Image, ImageOps  # Pillow only here: the rest of the receipt model is plain data
    try:
        with Image.open(io.BytesIO(png)) as image:
            if image.format != "PNG" or image.width * image.height > PNG_MAX_PIXELS:
                return None
            grey = image.convert("RGBA")
            white = Image.new("RGBA", grey.size, (255, 255, 255, 255))
            grey = Image.alpha_composite(white, grey).convert("L")  # a transparent pad is paper, not ink
    except Exception:  # Pillow raises many kinds for a broken file; none of them is a signature
        return None
    ink = ImageOps.invert(grey).point(lambda v: 255 if v >= 96 else 0)
    box = ink.getbbox()
    if box is None:
        return None
    ink = ink.crop(box)
    scale = min(1.0, max_width / ink.width, max_height / ink.height)
    if scale < 1.0:
        ink = ink.resize((max(1, int(ink.width * scale)), max(1, int(ink.height * scale))), Image.LANCZOS)
    bitmap = ink.point(lambda v: 255 if v >= 64 else 0).convert("1")  # 1 = ink (inverted image: white)
    return Picture(bitmap.width, bitmap.height, base64.b64encode(bitmap.tobytes()).decode("ascii"), caption)


Block = Union[Text, Pair, Item, Rule, QR, Barcode, Feed, Picture]
_BLOCK_TYPES = {cls.__name__: cls for cls in (Text, Pair, Item, Rule, QR, Barcode, Feed, Picture)}


@dataclass(frozen=True)
class Receipt:
    """A whole slip: header (site, terminal, number, time), title, blocks, footer."""

    kind: str
    lang: str
    title: str
    header: tuple[str, ...] = ()
    blocks: tuple[Block, ...] = ()
    footer: tuple[str, ...] = ()
    number: str = ""
    reprint: bool = False
    meta: dict[str, Any] = field(default_factory=dict)
    mark: str = ""  # why this is not the original: who reprinted it and when, or an unconfirmed resend

    def as_reprint(self, by: str = "", at: str = "") -> "Receipt":
        """The same slip marked as a reprint, saying who reprinted it and when (local time)."""
        from kiosk.core.i18n import gettext
        mark = gettext("Reprinted by {name}, {time}", self.lang).format(name=by, time=at) if by or at else ""
        return replace(self, reprint=True, mark=mark)

    def as_copy(self, at: str) -> "Receipt":
        """The same slip resent after the printer did not confirm it: a marked copy, never an original."""
        from kiosk.core.i18n import gettext
        reason = gettext("resent, the printer did not confirm, {time}", self.lang).format(time=at)
        return replace(self, reprint=True, mark="副本 / COPY — " + reason)

    def to_json(self) -> str:
        data = asdict(self)
        data["blocks"] = [{"type": type(b).__name__, **asdict(b)} for b in self.blocks]
        return json.dumps(data, ensure_ascii=False, sort_keys=True)

    @classmethod
    def from_json(cls, text: str) -> "Receipt":
        data = json.loads(text)
        blocks = tuple(_BLOCK_TYPES[b.pop("type")](**b) for b in data.pop("blocks"))
        return cls(blocks=blocks, header=tuple(data.pop("header")), footer=tuple(data.pop("footer")), **data)


def receipt_number(db: sqlite_utils.Database, terminal_id: str, kind: str) -> str:
    """Take the next number of this kind's series (inside the caller's write transaction)."""
    code = KIND_CODES[kind]
    n = series.next_number(db, f"receipt:{kind}")
    return f"{terminal_id}-{code}-{n:06d}"


def local_time(db: sqlite_utils.Database, iso: str, fmt: str = "%Y-%m-%d %H:%M", tz: str | None = None) -> str:
    """A stored UTC moment as printed: local time in the site's time zone (or tz when given)."""
    from zoneinfo import ZoneInfo
    return parse_iso(iso).astimezone(ZoneInfo(tz or settings.site_timezone(db))).strftime(fmt)


def money(fen: int) -> str:
    """Money as printed: ¥1,234.50."""
    return format_fen(fen)


# --- layout helpers shared by the renderers -----------------------------------------------------
# What a receipt printer prints in one column: the printable characters of its single-byte code
# page (PC437, where ¥ is 0x9D). Everything else goes out in Chinese mode, where every character,
# even a Latin or Cyrillic letter, is a double-width cell; the raster renderer draws the same grid.
SINGLE_BYTE = frozenset(bytes([b]).decode("cp437") for b in (*range(0x20, 0x7F), *range(0x80, 0x100)))
MAX_FEED = 10  # blank lines one Feed may ask for
MIN_COLUMNS = 4  # the narrowest paper a layout accepts (double-size text needs two columns a cell)


@lru_cache(maxsize=4096)
def char_width(ch: str) -> int:
    """Columns a character takes on a receipt printer: 1 for the single-byte code page, 0 for
    combining and zero-width characters, 2 for everything else (CJK, full-width forms, emoji and
    any letter the printer can only print in Chinese mode)."""
    if ch in SINGLE_BYTE:
        return 1
    if unicodedata.combining(ch) or unicodedata.category(ch) in ("Mn", "Me", "Cf", "Cc"):
        return 0
    return 2


def text_width(text: str) -> int:
    """Display width of a string in printer columns."""
    if text.isascii() and text.isprintable():
        return len(text)  # the common case, without a call per character
    return sum(char_width(ch) for ch in text)


def clusters(text: str) -> list[str]:
    """A character with the zero-width marks that follow it: the smallest piece a line may break at."""
    out: list[str] = []
    for ch in text:
        if out and char_width(ch) == 0:
            out[-1] += ch
        else:
            out.append(ch)
    return out


def _units(paragraph: str) -> list[str]:
    """Wrap units: runs of spaces, runs of narrow non-space characters (words), single wide characters."""
    units: list[str] = []
    kind_of_last = ""
    for cluster in clusters(paragraph):
        kind = "space" if cluster == " " else ("wide" if text_width(cluster) > 1 else "word")
        if units and kind == kind_of_last and kind != "wide":
            units[-1] += cluster
        else:
            units.append(cluster)
        kind_of_last = kind
    return units


def wrap(text: str, columns: int) -> list[str]:
    """Wrap by display width: words at spaces where possible, CJK anywhere, over-long words cut.

    Every line is at most `columns` wide when columns >= 2 (a wide character needs two); the loop
    takes at least one character per step, so it always ends. A paragraph gives at least one line.
    """
    lines: list[str] = []
    for paragraph in text.split("\n"):
        if text_width(paragraph) <= columns:
            lines.append(paragraph.rstrip())  # what the loop below gives for a line that fits
        else:
            lines += _wrap_paragraph(paragraph, max(columns, 1))
    return lines


def _wrap_paragraph(paragraph: str, columns: int) -> list[str]:
    lines: list[str] = []
    line, width = "", 0

    def flush() -> None:
        nonlocal line, width
        lines.append(line.rstrip())
        line, width = "", 0

    for unit in _units(paragraph):
        w = text_width(unit)
        if unit[0] == " " and unit.strip() == "":
            if width + w <= columns:
                line, width = line + unit, width + w
            elif line.strip():
                flush()  # break at the space; the spaces themselves vanish
            else:
                line, width = "", 0  # indentation wider than the paper
            continue
        if width + w <= columns:
            line, width = line + unit, width + w
            continue
        if line.strip() and w <= columns:
            flush()
            line, width = unit, w
            continue
        for cluster in clusters(unit):  # a word longer than what is left of the line: cut it
            cw = text_width(cluster)
            if width + cw > columns:
                if line.strip():
                    flush()
                else:
                    line, width = "", 0
            line, width = line + cluster, width + cw
    if line.strip() or not lines:
        lines.append(line.rstrip())
    return lines


def right_aligned(text: str, columns: int) -> str:
    """Text padded on the left to end in the last column (when it fits)."""
    return " " * max(columns - text_width(text), 0) + text


def pair_line(left: str, right: str, columns: int) -> list[str]:
    """Left text and a right-aligned value on one line; the left side wraps if it must, and a
    value too wide to share a line goes under the label, right-aligned (wrapped if it must)."""
    right_w = text_width(right)
    room = columns - right_w - 1
    if room >= max(2, min(columns // 3, text_width(left))):
        parts = wrap(left, room)
        last = parts[-1]
        return parts[:-1] + [last + " " * (columns - text_width(last) - right_w) + right]
    lines = wrap(left, columns) if left.strip() else []
    values = wrap(right, columns)
    # One line of value ends in the last column like the others; a longer one reads as a paragraph.
    return lines + ([right_aligned(values[0], columns)] if len(values) == 1 else values)


def item_lines(item: Item, columns: int) -> list[str]:
    """Two-line layout of a sold item: name, then '  2 x ¥3.50        ¥7.00'."""
    detail = f"  {item.quantity} x {money(item.unit_fen)}"
    return wrap(item.name, columns) + pair_line(detail, money(item.total_fen), columns)


def rule_line(char: str, columns: int) -> str:
    """A separator of `char` as wide as the paper (a wide or empty char is handled)."""
    unit = next((c for c in clusters(char) if text_width(c) > 0), "-")
    return unit * (columns // text_width(unit))


def sanitised(receipt: Receipt) -> Receipt:
    """The receipt with every text field passed through the one sanitiser (kiosk.core.text.printable).

    Every renderer lays a receipt out through `layout`, which calls this first: no field can carry
    a control character (a printer command) to the wire, whatever was stored.
    """
    line = lambda s: printable(s, multiline=False)  # noqa: E731

    def block(b: Block) -> Block:
        if isinstance(b, Text):
            return replace(b, text=printable(b.text), size=2 if b.size == 2 else 1,
                           align=b.align if b.align in ("left", "center", "right") else "left")
        if isinstance(b, Pair):
            return replace(b, left=line(b.left), right=line(b.right))
        if isinstance(b, Item):
            return replace(b, name=printable(b.name))
        if isinstance(b, Rule):
            return replace(b, char=line(b.char))
        if isinstance(b, QR):
            return replace(b, data=line(b.data))
        if isinstance(b, Barcode):  # CODE128 set B: printable ASCII only
            return replace(b, data="".join(ch for ch in line(b.data) if " " <= ch <= "~"))
        if isinstance(b, Feed):
            return replace(b, lines=max(0, min(int(b.lines), MAX_FEED)))
        if isinstance(b, Picture):  # out of bounds or undecodable: an empty picture, which the layout drops
            ok = picture_bytes(b) is not None
            return replace(b, caption=line(str(b.caption))) if ok else Picture(0, 0, "", line(str(b.caption)))
        return b

    return replace(receipt, title=printable(receipt.title), number=line(receipt.number), mark=printable(receipt.mark),
                   header=tuple(printable(h) for h in receipt.header), footer=tuple(printable(f) for f in receipt.footer),
                   blocks=tuple(block(b) for b in receipt.blocks))


def layout(receipt: Receipt, columns: int) -> list[tuple[str, Block | None]]:
    """The printable lines of a receipt (text blocks laid out; QR/barcode/feed passed through).

    Returns (line, block) pairs; renderers use the block for style, alignment and graphics. Every
    field is sanitised first (see `sanitised`), and every text line fits `columns` (a double-size
    line takes two columns a cell). The blocks returned are the sanitised ones.
    """
    from kiosk.core.i18n import gettext
    if columns < MIN_COLUMNS:
        raise ValueError(f"a receipt needs at least {MIN_COLUMNS} columns, not {columns}")
    receipt = sanitised(receipt)
    out: list[tuple[str, Block | None]] = []
    centred = Text("", align="center")
    reprint = Text("", align="center", bold=True)
    if receipt.reprint:
        banner = gettext("COPY", receipt.lang) if receipt.mark.startswith("副本") else gettext("REPRINT", receipt.lang)
        out += [(part, reprint) for part in wrap("*** " + banner + " ***", columns)]
        if receipt.mark:
            out += [(part, reprint) for part in wrap(receipt.mark, columns)]
    for line in receipt.header:
        out += [(part, Text(line, align="center")) for part in wrap(line, columns)]
    title = Text(receipt.title, align="center", bold=True, size=2)
    out += [(part, title) for part in wrap(receipt.title, columns // 2)]
    if receipt.number:
        out += [(part, centred) for part in wrap(gettext("No.", receipt.lang) + " " + receipt.number, columns)]
    out.append((rule_line("-", columns), Rule()))
    for block in receipt.blocks:
        if isinstance(block, Text):
            width = columns // 2 if block.size == 2 else columns
            out += [(part, block) for part in wrap(block.text, width)]
        elif isinstance(block, Pair):
            out += [(part, block) for part in pair_line(block.left, block.right, columns)]
        elif isinstance(block, Item):
            out += [(part, block) for part in item_lines(block, columns)]
        elif isinstance(block, Rule):
            out.append((rule_line(block.char, columns), block))
        elif isinstance(block, (QR, Barcode)) and not block.data:
            continue  # nothing left to encode once the sanitiser is done
        elif isinstance(block, Picture) and not block.bits:
            continue  # a picture the sanitiser refused
        else:
            out.append(("", block))
    if receipt.footer:
        out.append((rule_line("-", columns), Rule()))
        for line in receipt.footer:
            out += [(part, Text(line, align="center")) for part in wrap(line, columns)]
    if receipt.reprint:
        banner = gettext("COPY", receipt.lang) if receipt.mark.startswith("副本") else gettext("REPRINT", receipt.lang)
        out += [(part, reprint) for part in wrap("*** " + banner + " ***", columns)]
        if receipt.mark:
            out += [(part, reprint) for part in wrap(receipt.mark, columns)]
    return out
