"""Receipts as data: a document built by the core from stored records, rendered elsewhere.

Renderers (hardware/escpos_render.py for ESC/POS bytes, hardware/png_render.py for the virtual
printer) turn a Receipt into paper. A Receipt serialises to JSON so a print job can be stored before
it is sent and re-rendered for a reprint.
"""
from __future__ import annotations

import json
import unicodedata
from dataclasses import asdict, dataclass, field, replace
from typing import Any, Union

import sqlite_utils

from kiosk.core import series
from kiosk.core import settings
from kiosk.core.clock import parse_iso
from kiosk.core.money import format_fen

# One gapless series per kind; the code goes into the number: T01-S-000042.
KIND_CODES = {
    "sale": "S", "refund": "R", "void": "V", "fee": "F", "feevoid": "W", "eod": "E", "stocktake": "K",
    "badge": "B", "onsite": "O", "lftag": "L", "lfclaim": "C", "lfhandover": "H", "test": "T",
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


Block = Union[Text, Pair, Item, Rule, QR, Barcode, Feed]
_BLOCK_TYPES = {cls.__name__: cls for cls in (Text, Pair, Item, Rule, QR, Barcode, Feed)}


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

    def as_reprint(self) -> "Receipt":
        """The same slip marked as a reprint."""
        return replace(self, reprint=True)

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
def char_width(ch: str) -> int:
    """Columns a character takes on a receipt printer: CJK and full-width forms take two."""
    return 2 if unicodedata.east_asian_width(ch) in ("W", "F") else 1


def text_width(text: str) -> int:
    """Display width of a string in printer columns."""
    return sum(char_width(ch) for ch in text)


def wrap(text: str, columns: int) -> list[str]:
    """Wrap by display width: English at spaces where possible, CJK anywhere."""
    lines: list[str] = []
    for paragraph in text.split("\n"):
        line, width = "", 0
        for word in _words(paragraph):
            w = text_width(word)
            if width + w > columns and line:
                lines.append(line.rstrip())
                line, width = "", 0
                word = word.lstrip()
                w = text_width(word)
            while w > columns:  # a single word longer than the paper
                cut, cw = "", 0
                for ch in word:
                    if cw + char_width(ch) > columns:
                        break
                    cut, cw = cut + ch, cw + char_width(ch)
                lines.append(cut)
                word, w = word[len(cut):], w - cw
            line, width = line + word, width + w
        lines.append(line.rstrip())
    return lines


def _words(text: str) -> list[str]:
    """Split into wrap units: runs of Latin letters with their leading space, single CJK chars."""
    units, current = [], ""
    for ch in text:
        if char_width(ch) == 2:
            if current:
                units.append(current)
                current = ""
            units.append(ch)
        elif ch == " ":
            if current:
                units.append(current)
            current = " "
        else:
            current += ch
    if current:
        units.append(current)
    return units


def pair_line(left: str, right: str, columns: int) -> list[str]:
    """Left text and right-aligned value on one line (the left side wraps if it must)."""
    room = columns - text_width(right) - 1
    parts = wrap(left, max(room, 1)) or [""]
    last = parts[-1]
    gap = columns - text_width(last) - text_width(right)
    return parts[:-1] + [last + " " * max(gap, 1) + right]


def item_lines(item: Item, columns: int) -> list[str]:
    """Two-line layout of a sold item: name, then '  2 x ¥3.50        ¥7.00'."""
    detail = f"  {item.quantity} x {money(item.unit_fen)}"
    return wrap(item.name, columns) + pair_line(detail, money(item.total_fen), columns)


def layout(receipt: Receipt, columns: int) -> list[tuple[str, Block | None]]:
    """The printable lines of a receipt (text blocks laid out; QR/barcode/feed passed through).

    Returns (line, block) pairs; renderers use the block for style, alignment and graphics.
    """
    from kiosk.core.i18n import gettext
    out: list[tuple[str, Block | None]] = []
    if receipt.reprint:
        out.append(("*** " + gettext("REPRINT", receipt.lang) + " ***", Text("", align="center", bold=True)))
    for line in receipt.header:
        out += [(part, Text(line, align="center")) for part in wrap(line, columns)]
    title = Text(receipt.title, align="center", bold=True, size=2)
    out += [(part, title) for part in wrap(receipt.title, columns // 2)]
    if receipt.number:
        out.append((gettext("No.", receipt.lang) + " " + receipt.number, Text("", align="center")))
    out.append(("-" * columns, Rule()))
    for block in receipt.blocks:
        if isinstance(block, Text):
            width = columns // 2 if block.size == 2 else columns
            out += [(part, block) for part in wrap(block.text, width)]
        elif isinstance(block, Pair):
            out += [(part, block) for part in pair_line(block.left, block.right, columns)]
        elif isinstance(block, Item):
            out += [(part, block) for part in item_lines(block, columns)]
        elif isinstance(block, Rule):
            out.append((block.char * columns, block))
        else:
            out.append(("", block))
    if receipt.footer:
        out.append(("-" * columns, Rule()))
        for line in receipt.footer:
            out += [(part, Text(line, align="center")) for part in wrap(line, columns)]
    if receipt.reprint:
        out.append(("*** " + gettext("REPRINT", receipt.lang) + " ***", Text("", align="center", bold=True)))
    return out
