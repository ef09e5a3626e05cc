"""The shared text check (kiosk.core.text.clean_text) and its users' messages."""
from __future__ import annotations

import pytest

from kiosk.core import i18n
from kiosk.core.text import clean_text, invisible, printable
from kiosk.counter.sales import TEXT_LIMITS


class Refused(Exception):
    def __init__(self, message: str, field: str) -> None:
        super().__init__(message)
        self.field = field


def check(value, **kw):
    return clean_text(value, "payer", limit=kw.pop("limit", 10), refuse=Refused, **kw)


def test_trims_normalises_and_accepts_ordinary_text():
    assert check("  王小明 ") == "王小明"
    assert check("e\u0301") == "é" and check(None) == "" and check("") == ""
    assert check("x" * 10) == "x" * 10


@pytest.mark.parametrize("value,message", [
    ("", "payer is required"), ("   ", "payer is required"),
    ("x" * 11, "payer is too long (at most 10 characters)"),
    ("a\x00b", "payer has control characters"), ("a\x1bp", "payer has control characters"),
    ("a\u200bb", "payer has control characters"), ("a\u202eb", "payer has control characters"),
    ("a\x85b", "payer has control characters"), ("a\nb", "payer has control characters"),
])
def test_refusals_name_the_field(value, message):
    with pytest.raises(Refused) as err:
        check(value, required=True)
    assert str(err.value) == message
    assert err.value.field == "payer"


def test_multiline_fields_keep_breaks_and_tabs_only():
    assert check("a\nb\tc", multiline=True) == "a\nb\tc"
    with pytest.raises(Refused):
        check("a\rb", multiline=True)


def test_a_hundred_thousand_characters_are_refused_quickly():
    with pytest.raises(Refused, match="too long"):
        check("王" * 100_000)


def test_invisible_and_printable_agree():
    for code in [*range(0x00, 0x20), 0x7F, *range(0x80, 0xA0), 0x200B, 0x200D, 0x2060, 0xFEFF, 0xE000]:
        ch = chr(code)
        if ch not in "\n\t\r\x0b\x0c\x85":
            assert invisible(ch) and printable(ch) == "", hex(code)


@pytest.mark.parametrize("field,limit", sorted(TEXT_LIMITS.items()))
def test_the_counters_text_messages_are_translated(field, limit):
    catalogue = i18n.catalogue("zh_CN")
    for message in (f"{field} is too long (at most {limit} characters)", f"{field} has control characters"):
        assert message in catalogue, message
