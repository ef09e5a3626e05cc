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
