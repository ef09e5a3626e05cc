"""GS1 check digits, the scan buffer, and by_barcode's answers for misreads and UPC-A/EAN-13."""
from __future__ import annotations

import pytest
from hypothesis import given, settings, strategies as st

from kiosk.counter import sales as counter
from kiosk.counter.barcode import (MAX_CODE, ScanBuffer, alternatives, check_digit_ok, gs1_check_digit, normalise,
                                   upc_e_to_upc_a)
from kiosk.counter.sales import CounterError


@pytest.mark.parametrize("code", ["4006381333931", "036000291452", "96385074", "6901234567892", "0036000291452"])
def test_real_codes_check(code):
    assert check_digit_ok(code)


@settings(max_examples=300, deadline=1000)
@given(body=st.text("0123456789", min_size=7, max_size=12).filter(lambda b: len(b) in (7, 11, 12)),
       position=st.integers(0, 12), wrong=st.integers(1, 9))
def test_any_single_wrong_digit_is_caught(body, position, wrong):
    code = body + str(gs1_check_digit(body))
    assert check_digit_ok(code)
    position %= len(code)
    bad = code[:position] + str((int(code[position]) + wrong) % 10) + code[position + 1:]
    # an 8-digit code starting 0/1 may also be a valid UPC-E (same shape as EAN-8): that reading is allowed
    assert not check_digit_ok(bad) or (len(bad) == 8 and upc_e_to_upc_a(bad) is not None)


def test_other_shapes_are_not_judged_and_input_is_cleaned():
    assert check_digit_ok("DRK-001") and check_digit_ok("12345")
    assert normalise("６９０１ 2\x00\u200b3\n") == "690123"
    assert len(normalise("9" * 10_000)) == MAX_CODE
    assert alternatives("036000291452") == ("0036000291452",) and alternatives("0036000291452") == ("036000291452",)


def test_the_buffer_takes_a_burst_and_forgets_stray_keys():
    buf = ScanBuffer(max_gap=0.3)
    for i, ch in enumerate("123"):
        buf.feed(ch, 10.0 + i)  # a second apart: each starts over
    for i, ch in enumerate("4006381333931"):
        buf.feed(ch, 20.0 + i * 0.01)
    assert buf.enter(20.2) == "4006381333931"
    buf.feed("7", 30.0)
    assert buf.enter(31.0) is None, "Enter long after a stray key is not a scan"
    assert buf.enter(32.0) is None
    for _ in range(1000):
        buf.feed("9", 40.0)
    assert buf.enter(40.0) == "9" * MAX_CODE


def test_by_barcode_tells_a_misread_from_an_unknown_code(db, clock):
    counter.seed_demo(db, clock)
    assert counter.by_barcode(db, "6901234567902").sku == "GLF-003", "a code on file sells, check digit or not"
    with pytest.raises(CounterError, match="check digit") as bad:
        counter.by_barcode(db, "6901234567891")
    assert bad.value.field == "barcode" and bad.value.params["code"] == "6901234567891"
    with pytest.raises(CounterError, match="no product with code"):
        counter.by_barcode(db, "4006381333931")
    with pytest.raises(CounterError, match="scan a barcode"):
        counter.by_barcode(db, " \x00 ")
    assert counter.by_barcode(db, "６９０１２３４５６７８９２").sku == "DRK-001"



@pytest.mark.parametrize("e_body, a_body", [
    ("0425261", "04210000526"),   # the outside tester's gum (last digit 1: manufacturer 42100, product 00526)
    ("0123456", "01234500006"),   # 5-9: manufacturer 12345, product 0000 + the last digit
    ("0123454", "01234000005"),   # 4: manufacturer 12340, product 00005
    ("0123453", "01230000045"),   # 3: manufacturer 12300, product 00045
    ("0123452", "01220000345"),   # 0-2: manufacturer 12200, product 00345
    ("1987650", "19800000765"),   # number system 1
])
def test_upc_e_expands_to_its_upc_a(e_body, a_body):
    check = str(gs1_check_digit(a_body))  # a UPC-E carries its UPC-A's check digit
    upc_e, upc_a = e_body + check, a_body + check
    assert upc_e_to_upc_a(upc_e) == upc_a and check_digit_ok(upc_e) and check_digit_ok(upc_a)
    assert alternatives(upc_e) == (upc_a, "0" + upc_a)
    wrong = e_body + str((int(check) + 1) % 10)
    assert upc_e_to_upc_a(wrong) is None


def test_a_upc_e_scan_finds_its_upc_a_product_and_a_misread_one_is_refused(db, clock):
    counter.seed_demo(db, clock)
    product = counter.products(db)[0]
    db.execute("UPDATE products SET barcode = '042100005264' WHERE id = ?", (product.id,))
    assert counter.by_barcode(db, "04252614").id == product.id
    assert counter.by_barcode(db, "０４２５２６１４").id == product.id  # full-width from a Chinese IME
    with pytest.raises(CounterError, match="check digit"):
        counter.by_barcode(db, "04252615")
    assert upc_e_to_upc_a("24252614") is None and upc_e_to_upc_a("0425261") is None and upc_e_to_upc_a("") is None
