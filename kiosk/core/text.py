"""Text at the edges: one sanitiser for text that becomes bytes, one checker for text people type.

`printable` is the boundary between stored text and a device (the receipt layout calls it on every
field before any renderer sees it): line breaks are normalised, and C0/C1 controls, DEL, format
characters (zero-width, bidi, BOM, soft hyphen…), surrogates, private-use and unassigned code
points never get through, so a field can never smuggle a printer command (ESC p opens the drawer,
GS V cuts).

`clean_text` is the shared input check the areas use for a typed field: trimmed, NFC, required or
not, at most `limit` characters, no invisible characters. Each area raises its own refusal type
through `refuse`, so the messages stay the area's (and its translations).
"""
from __future__ import annotations

import unicodedata
from typing import Callable

# Line breaks the layout understands as "\n" (CR LF, CR, NEL, VT, FF, line/paragraph separators).
_BREAKS = {"\r\n": "\n", "\r": "\n", "\x85": "\n", "\x0b": "\n", "\x0c": "\n", "\u2028": "\n", "\u2029": "\n"}
# Unicode categories that never print: controls, format, surrogates, private use, unassigned.
_NON_PRINTING = frozenset({"Cc", "Cf", "Cs", "Co", "Cn"})


def _cleaned_char(ch: str) -> str:
    if ch == "\t":
        return " "  # a tab is a gap on paper, not a command
    return "" if unicodedata.category(ch) in _NON_PRINTING else ch


def printable(text: object, *, multiline: bool = True) -> str:
    """Text safe to hand to a renderer: NFC, breaks as "\\n" (or spaces), nothing non-printing.

    Never raises: anything that is not a str is turned into one first (a stored None prints as "").
    """
    if text is None:
        return ""
    text = str(text)
    if text.isprintable() and unicodedata.is_normalized("NFC", text):
        return text  # nothing to do (the common case): no control, format or separator character
    for old, new in _BREAKS.items():
        text = text.replace(old, new)
    text = "".join("\n" if ch == "\n" else _cleaned_char(ch) for ch in text)
    text = unicodedata.normalize("NFC", text)
    # NFC never creates a control, but it can reorder marks; one more pass keeps the promise cheap.
    text = "".join(ch for ch in text if ch == "\n" or unicodedata.category(ch) not in _NON_PRINTING)
    return text if multiline else text.replace("\n", " ")


def invisible(ch: str, *, multiline: bool = False) -> bool:
    """True for a character nobody can see or type on purpose: controls, format characters and the like."""
    if multiline and ch in "\n\t":
        return False
    return unicodedata.category(ch) in _NON_PRINTING


Refuse = Callable[[str, str], Exception]


def _value_error(message: str, field: str) -> Exception:
    return ValueError(message)


def clean_text(value: str | None, field: str, *, required: bool = False, limit: int, multiline: bool = False,
               refuse: Refuse = _value_error, control_message: str = "{field} has control characters") -> str:
    """A typed field, checked: trimmed and NFC; refused when required and empty, longer than `limit`
    characters, or holding an invisible character (a control, a zero-width or bidi mark…).

    `refuse(message, field)` builds the area's refusal from the English message (its msgid).
    """
    text = unicodedata.normalize("NFC", (value or "").strip())
    if required and not text:
        raise refuse(f"{field} is required", field)
    if len(text) > limit:
        raise refuse(f"{field} is too long (at most {limit} characters)", field)
    if any(invisible(ch, multiline=multiline) for ch in text):
        raise refuse(control_message.format(field=field), field)
    return text
