"""The counter refuses over-long and invisible-character text at input, with a clear message, and
stores nothing (issue 11: a 100,000-character payer and a NUL were accepted)."""
from __future__ import annotations

import re

import pytest

from kiosk.core.audit import Actor
from kiosk.counter import fees, shifts
from kiosk.counter import sales as counter
from kiosk.counter.sales import CounterError, Payment
from kiosk.counter.stockcount import CountLine

STAFF = Actor("Li Na", None, "staff")
MANAGER = Actor("Zhou Min", None, "manager")


@pytest.fixture
def shop(db, clock):
    counter.seed_demo(db, clock)
    fees.seed_demo(db, clock)
    shifts.open_shift(db, clock, STAFF, "T01", float_fen=10000,
                      counts=[CountLine(p.id, p.stock) for p in counter.products(db)])
    return db


def _collect(db, clock, **extra):
    args = dict(fee_type_id=fees.fee_types(db)[0].id, payer="王小明", payment=Payment("card", reference="884213"))
    return fees.collect(db, clock, STAFF, "T01", **(args | extra))


@pytest.mark.parametrize("extra,message", [
    ({"payer": "王" * 100_000}, "payer is too long (at most 60 characters)"),
    ({"payer": "王\x00明"}, "payer has control characters"),
    ({"payer": "Wang\x1bp\x00\x02\x02"}, "payer has control characters"),
    ({"member_no": "M" * 41}, "member number is too long (at most 40 characters)"),
    ({"period": "2026-11\u202e"}, "period has control characters"),
    ({"payment": Payment("card", reference="\x1dV\x00884213")}, "transaction reference has control characters"),
    ({"payment": Payment("mobile", reference="9" * 61)}, "transaction reference is too long"),
])
def test_fee_fields_are_refused_and_nothing_is_stored(shop, clock, extra, message):
    with pytest.raises(CounterError, match=re.escape(message)):
        _collect(shop, clock, **extra)
    assert shop.execute("SELECT COUNT(*) FROM fee_collections").fetchone()[0] == 0
    assert shop.execute("SELECT COUNT(*) FROM print_jobs").fetchone()[0] == 0


def test_fields_at_their_limit_are_taken(shop, clock):
    _collect(shop, clock, payer="王" * 60, member_no="M" * 40, period="p" * 20,
             payment=Payment("card", reference="9" * 60))
    assert shop.execute("SELECT payer FROM fee_collections").fetchone()[0] == "王" * 60


def test_sale_reference_and_reasons(shop, clock):
    water = counter.products(shop)[0]
    with pytest.raises(CounterError, match="transaction reference is too long"):
        counter.sell(shop, clock, STAFF, "T01", {water.id: 1}, Payment("card", reference="1" * 61))
    sale = counter.sell(shop, clock, STAFF, "T01", {water.id: 1}, Payment("cash", tendered_fen=100000))
    with pytest.raises(CounterError, match="reason has control characters"):
        counter.reverse(shop, clock, STAFF, MANAGER, "T01", sale.sale_id, kind="void", reason="oops\x07",
                        same_day=True)
    with pytest.raises(CounterError, match="reason is too long"):
        counter.adjust_stock(shop, clock, MANAGER, water.id, 5, "r" * 201)
    with pytest.raises(CounterError, match="received by has control characters"):
        shifts.hand_over(shop, clock, STAFF, "T01", amount_fen=100, received_by="Finance\x1b@")
    collection, _, _ = _collect(shop, clock)
    with pytest.raises(CounterError, match="reason is too long"):
        fees.void(shop, clock, STAFF, MANAGER, "T01", collection, reason="x" * 201)


@pytest.mark.parametrize("field", ["sku", "name_zh", "name_en", "category", "barcode"])
def test_catalogue_fields_refuse_control_bytes_and_pasted_pages_in_chinese(db, clock, field):
    """A product name carries onto receipts and CSV exports: no ESC p, no NUL, no 3,000-character name."""
    from kiosk.counter.sales import CounterError, add_product
    good = dict(sku="T-1", name_zh="水", name_en="Water", price_fen=300, category="饮品", barcode="6901234567892")
    for bad in (good[field][:1] + "\x1bp\x00\x19", "W" * 3000):
        with pytest.raises(CounterError) as refused:
            add_product(db, clock, MANAGER, **{**good, field: bad})
        assert refused.value.field == field and refused.value.message("zh_CN") != refused.value.msgid
    assert db.execute("SELECT COUNT(*) FROM products").fetchone()[0] == 0
    add_product(db, clock, MANAGER, **{**good, field: good[field] + "  "})  # ordinary text still goes in


def test_fee_type_names_are_checked_too(db, clock):
    from kiosk.counter import fees
    from kiosk.counter.sales import CounterError
    for kwargs in ({"code": "X\x00"}, {"name_zh": "果岭\x1bp"}, {"name_en": "G" * 500}):
        with pytest.raises(CounterError) as refused:
            fees.add_fee_type(db, clock, MANAGER, **{"code": "GREEN", "name_zh": "果岭费", "name_en": "Green fee",
                                                     "default_fen": 100, **kwargs})
        assert refused.value.message("zh_CN") != refused.value.msgid
    fee_id = fees.add_fee_type(db, clock, MANAGER, code="GREEN", name_zh="果岭费", name_en="Green fee", default_fen=100)
    with pytest.raises(CounterError):
        fees.update_fee_type(db, clock, MANAGER, fee_id, name_en="Green\x07")
