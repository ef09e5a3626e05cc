"""Identity documents checked by their real rules (GB 11643 check digit, a real birth date, permit and
passport formats) and masked per type; phone numbers and names normalised for matching."""
from __future__ import annotations

from datetime import date

import pytest
from hypothesis import given, settings, strategies as st

from kiosk.core import privacy
from kiosk.core.privacy import IdDocumentError, check_id_document, mask_document

TODAY = date(2026, 12, 1)


def valid_id(first17: str) -> str:
    return first17 + privacy.gb11643_check_char(first17)


def test_published_resident_id_examples_pass_and_one_wrong_digit_fails():
    # GB 11643-1999's own example number and the test ID used across this suite.
    assert check_id_document("id_card", "11010519491231002X", today=TODAY) == "11010519491231002X"
    assert check_id_document("id_card", "110101199003071233", today=TODAY) == "110101199003071233"
    with pytest.raises(IdDocumentError, match="check digit") as err:
        check_id_document("id_card", "110105194912310021", today=TODAY)
    assert err.value.field == "id_number"


@pytest.mark.parametrize("number,message", [
    ("abc", "18 characters"),
    ("", "id_number is required"),
    ("11010519491231002", "18 characters"),              # 17
    ("1101051949123100211", "18 characters"),            # 19
    ("11010519490230002X", "not a real date"),           # 30 February
    ("110105189912310020", "not a real date"),           # 1899
    ("110105203012310020", "not a real date"),           # born in 2030
    ("11010519491231002Ｘ\x00", "18 characters"),
    ("😀" * 18, "18 characters"),
])
def test_resident_id_refusals_say_what_is_wrong(number, message):
    with pytest.raises(IdDocumentError, match=message):
        check_id_document("id_card", number, today=TODAY)


def test_full_width_spaced_and_lower_x_numbers_are_the_same_number():
    assert check_id_document("id_card", "１１０１０５ １９４９１２３１ ００２ｘ", today=TODAY) == "11010519491231002X"
    assert check_id_document("id_card", "110105-19491231-002x", today=TODAY) == "11010519491231002X"


@settings(max_examples=300, deadline=None)
@given(st.integers(1900, 2025), st.integers(1, 12), st.integers(1, 28), st.text("0123456789", min_size=9, max_size=9),
       st.integers(0, 16), st.text("0123456789", min_size=1, max_size=1))
def test_any_single_digit_change_of_a_valid_number_is_caught(year, month, day, rest, position, digit):
    number = valid_id(f"{rest[:6]}{year:04d}{month:02d}{day:02d}{rest[6:]}")
    assert check_id_document("id_card", number, today=TODAY) == number
    changed = number[:position] + digit + number[position + 1:]
    if changed != number:
        with pytest.raises(IdDocumentError):
            check_id_document("id_card", changed, today=TODAY)


@pytest.mark.parametrize("kind,good,bad", [
    ("hk_macao", ["H12345678", "M1234567890", "C12345678", "CA1234567", "ｈ１２３４５６７８"], ["H1234567", "X12345678", "abc"]),
    ("taiwan", ["12345678", "1234567890"], ["1234567", "A1234567", "12345678901"]),
    ("passport", ["E12345678", "EA1234567", "G1234567", "123456789", "AB12345"], ["ab", "ABCDEFGH", "E123456789", "E1234%67"]),
    ("other", ["AB1234", "1234"], ["ab", "A" * 31, "12_34"]),
])
def test_permits_and_passports_by_their_formats(kind, good, bad):
    for number in good:
        check_id_document(kind, number, today=TODAY)
    for number in bad:
        with pytest.raises(IdDocumentError):
            check_id_document(kind, number, today=TODAY)
    with pytest.raises(IdDocumentError, match="type of identity document"):
        check_id_document("library_card", good[0])


def test_masks_per_type():
    assert mask_document("id_card", "11010519491231002X") == "110105********002X"
    assert mask_document("passport", "E12345678") == "*****5678", "a passport keeps its last 4, not its first 2"
    assert mask_document("hk_macao", "H12345678") == "*****5678"
    assert mask_document("other", "123") == "***"
    assert privacy.mask_id_number("abc") == "***", "an unknown short number shows nothing"


def test_phone_numbers_and_names_are_normalised_for_matching():
    same = ["13800138000", "138 0013 8000", "138-0013-8000", "+86 138 0013 8000", "008613800138000",
            "１３８００１３８０００", "+86（138）00138000"]
    assert {privacy.normalise_phone(p) for p in same} == {"13800138000"}
    assert privacy.normalise_phone("+44 20 7946 0958") == "+442079460958"
    assert {privacy.fold_name(n) for n in ["王小明", "王 小明", "王　小明", " 王小明 "]} == {"王小明"}
    assert privacy.fold_name("ANNA Lee") == privacy.fold_name("anna lee") == privacy.fold_name("Ａｎｎａ　Ｌｅｅ")
