"""The command line's own value types: days, whole numbers and numbers, refused in the site's language.

click's INT, FLOAT, IntRange and DateTime say "'x' is not a valid integer" (the type's English name
inside the sentence) and "does not match the format '%Y-%m-%d'"; worse, a day such as 0001-01-01 parses
and then overflows when the site's local day is turned into UTC. These types refuse every such value up
front, as a click usage error (exit status 2) whose text is a msgid of data/locale/zh_CN/LC_MESSAGES/cli.po.
"""
from __future__ import annotations

import math
import re
from datetime import date

import click

from kiosk.cli.words import say

_DAY = re.compile(r"(\d{4})-(\d{2})-(\d{2})", re.ASCII)
_WHOLE = re.compile(r"[+-]?\d{1,30}", re.ASCII)           # 30 digits: past any bound, short of int()'s limit
_NUMBER = re.compile(r"[+-]?(\d{1,15}(\.\d{0,6})?|\.\d{1,6})", re.ASCII)   # no exponents, no nan/inf


def shown(value: object) -> str:
    """A typed value as an error quotes it: repr() escapes control bytes (no terminal escapes echoed)
    and a long value is cut, so one line stays one line."""
    text = value if isinstance(value, str) else str(value)
    return repr(text if len(text) <= 40 else text[:40] + "…")


def parse_day(text: str) -> date:
    """A local day typed as YYYY-MM-DD within the days a kiosk keeps (FIRST_DAY..LAST_DAY).

    Raises ValueError with the translated sentence (the caller decides how to say it)."""
    from kiosk.core.localday import FIRST_DAY, LAST_DAY   # lazy: `kiosk` alone starts the UI, light
    found = _DAY.fullmatch(text.strip()) if isinstance(text, str) else None
    if not found:
        raise ValueError(say("{value} is not a date; use YYYY-MM-DD", value=shown(text)))
    year, month, day = (int(part) for part in found.groups())
    if not FIRST_DAY.year <= year <= LAST_DAY.year:   # year 0000 is not even a Python date: out of range too
        raise ValueError(say("{value} is outside the days a kiosk keeps records for ({first} to {last})",
                             value=shown(text), first=FIRST_DAY, last=LAST_DAY))
    try:
        return date(year, month, day)
    except ValueError:   # 2026-02-30, month 13
        raise ValueError(say("{value} is not a date; use YYYY-MM-DD", value=shown(text))) from None


class Day(click.ParamType):
    """YYYY-MM-DD, a day between FIRST_DAY and LAST_DAY; converts to a ``datetime.date``."""

    name = "YYYY-MM-DD"

    def convert(self, value, param, ctx) -> date:  # noqa: D102  (click's hook)
        if isinstance(value, date):
            value = value.isoformat()
        try:
            return parse_day(value)
        except ValueError as exc:
            self.fail(str(exc), param, ctx)


class Whole(click.ParamType):
    """A whole number from low to high (ASCII digits only: no '1e3', no '²', no 400-digit numbers)."""

    name = "N"

    def __init__(self, low: int, high: int) -> None:
        self.low, self.high = low, high

    def convert(self, value, param, ctx) -> int:  # noqa: D102  (click's hook)
        if isinstance(value, bool) or not isinstance(value, (int, str)):
            self.fail(say("{value} is not a whole number", value=shown(value)), param, ctx)
        if isinstance(value, str):
            if not _WHOLE.fullmatch(value.strip()):
                too_long = re.fullmatch(r"[+-]?\d+", value.strip(), re.ASCII) is not None
                self.fail(say("{value} is not a whole number from {low} to {high}", value=shown(value),
                              low=self.low, high=self.high) if too_long
                          else say("{value} is not a whole number", value=shown(value)), param, ctx)
            value = int(value.strip())
        if not self.low <= value <= self.high:
            self.fail(say("{value} is not a whole number from {low} to {high}", value=shown(value),
                          low=self.low, high=self.high), param, ctx)
        return value


class Number(click.ParamType):
    """A decimal number from low to high (no exponent, no nan or infinity)."""

    name = "X"

    def __init__(self, low: float, high: float) -> None:
        self.low, self.high = low, high

    def convert(self, value, param, ctx) -> float:  # noqa: D102  (click's hook)
        if isinstance(value, (int, float)) and not isinstance(value, bool):
            number = float(value)
        elif isinstance(value, str) and _NUMBER.fullmatch(value.strip()):
            number = float(value.strip())
        else:
            self.fail(say("{value} is not a number", value=shown(value)), param, ctx)
        if not math.isfinite(number) or not self.low <= number <= self.high:
            self.fail(say("{value} is not a number from {low} to {high}", value=shown(value), low=self.low,
                          high=self.high), param, ctx)
        return number


def control_character(args: list[str]) -> str | None:
    """The first argument holding a control character (NUL, escape, newline, DEL, C1), or None.

    No value of any kiosk command holds one (a name, a reference, a day, a path), and each would go wrong
    its own way: a NUL in a path is a ValueError deep in os.stat, an escape echoed in an error plays to
    the terminal. So the command line refuses them all before any option is read."""
    for arg in args:
        if any(ord(ch) < 32 or 0x7F <= ord(ch) < 0xA0 for ch in str(arg)):
            return str(arg)
    return None


class FilePath(click.Path):
    """click.Path whose word for the thing ("file", "directory", "path") is said in the command's language:
    click sets it once, in English, when the option is declared, and puts it in front of its sentences."""

    @property
    def name(self) -> str:  # noqa: D102
        from kiosk.cli.words import click_gettext
        return click_gettext(self._english_name)

    @name.setter
    def name(self, value: str) -> None:
        self._english_name = value
