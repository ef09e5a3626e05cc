"""The CSV formula guard, as a property: whatever the text, a spreadsheet runs nothing from our CSV cell,
and text that computes nothing is left exactly as it was."""
from __future__ import annotations

import csv
import io

from hypothesis import given, settings, strategies as st

from kiosk.core.text import printable
from kiosk.reports.csv_out import write_rows
from kiosk.reports.files import FORMULA_CHARS, is_formula, neutralise

STARTS = sorted(FORMULA_CHARS) + [" ", "\n", "\u3000", "'", "1", "王"]
TEXT = st.builds(lambda head, tail: head + tail, st.sampled_from(STARTS + [""]), st.text(max_size=40))


def _runs_in_a_spreadsheet(cell: str) -> bool:
    """An oracle written apart from the code: what Excel/WPS/LibreOffice would take as a formula. After
    leading blanks, = or @ (ASCII or full-width), a tab or CR, or a sign followed by anything but one
    number (digits, at most one decimal point): Excel evaluates -1-1, +86-138-0013-8000 and -(5)."""
    head = cell.lstrip(" \n\u3000")
    if not head:
        return False
    if head[0] in "=@\uff1d\uff20\t\r":
        return True
    if head[0] in "+-\uff0b\uff0d":
        number = head[1:].replace("．", ".")
        whole, _dot, cents = number.partition(".")
        digits = "0123456789０１２３４５６７８９"
        return not (whole and all(ch in digits for ch in whole)
                    and (not _dot or (cents and all(ch in digits for ch in cents))))
    return False


@settings(max_examples=400, deadline=200)
@given(TEXT)
def test_a_guarded_cell_never_runs_and_a_harmless_one_is_unchanged(text):
    clean = printable(text)
    cell = neutralise(clean)
    assert not _runs_in_a_spreadsheet(cell)                      # the apostrophe makes it text
    assert is_formula(clean) == _runs_in_a_spreadsheet(clean)
    if not is_formula(clean):
        assert cell == clean                                      # only where needed
    else:
        assert cell == "'" + clean


@settings(max_examples=200, deadline=200)
@given(st.from_regex(r"[+＋]?861[3-9][0-9]{9}|0[0-9]{2,3}-[0-9]{7,8}|-[0-9]{1,6}(\.[0-9]{1,2})?|0[0-9]{2,3} [0-9]{4} [0-9]{4}",
                     fullmatch=True))
def test_phone_numbers_and_plain_numbers_are_never_guarded(number):
    assert neutralise(number) == number


def test_a_sign_before_an_expression_is_guarded():
    """Outside test (issue 19): Excel and WPS compute these from a CSV (-1-1 is -2, the phone is -8065)."""
    for text in ("-1-1", "+86-138-0013-8000", "-(5)", "+86 138 0013 8000", "＋1＋1", "-5%", "+1e5", "-", "+.5"):
        assert neutralise(text) == "'" + text, text
    for text in ("-5", "+3.5", "＋８６１３８００１３８０００", "-0.01"):
        assert neutralise(text) == text, text


def test_csv_phone_numbers_stay_text_with_every_digit():
    """Outside test (issue 19): 01088886666 opened as the number 1088886666. Grouped, it stays text."""
    from kiosk.reports.csv_out import phone_text
    assert phone_text("01088886666") == "010 8888 6666"
    assert phone_text("075588886666") == "0755 8888 6666"
    assert phone_text("13800138000") == "138 0013 8000"
    assert phone_text("+85291234567") == "+852 9123 4567"
    assert phone_text("+8613800138000") == "+86 138 0013 8000"
    assert neutralise(phone_text("+85291234567")) == "'+852 9123 4567"   # text, the + and every digit kept
    for kept in ("8001", "", "打前台", "1380013800012345678901", "+", "+86 138", "+1"):
        assert phone_text(kept) == kept


@settings(max_examples=100, deadline=500)
@given(texts=st.lists(TEXT, min_size=1, max_size=5))
def test_csv_rows_read_back_as_the_guarded_cells(tmp_path_factory, texts):
    path = tmp_path_factory.mktemp("csv") / "x.csv"
    cleaned = [printable(t) for t in texts]
    write_rows(path, ["=head"], ["text"], [[t] for t in cleaned])
    with open(path, encoding="utf-8-sig", newline="") as fh:
        rows = list(csv.reader(io.StringIO(fh.read())))
    assert rows[0] == ["'=head"]
    assert [r[0] for r in rows[1:]] == [neutralise(t) for t in cleaned]
