"""The counters: atomic sales, payments, stock as movements, reversals, fees, and totals to the fen."""
from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings as hsettings, strategies as st

from kiosk.core import audit
from kiosk.counter import sales as counter
from kiosk.counter import fees
from kiosk.printing import queue as printqueue
from kiosk.counter import shifts
from kiosk.core.audit import Actor
from kiosk.counter.sales import CounterError, Payment
from kiosk.core.db import connect

STAFF = Actor("Li Na", None, "staff")
MANAGER = Actor("Zhou Min", None, "manager")


@pytest.fixture
def catalogue(db, clock):
    counter.seed_demo(db, clock)
    fees.seed_demo(db, clock)
    shifts.open_shift(db, clock, STAFF, "T01", float_fen=0)  # selling and fees need an open counter
    return {p.sku: p for p in counter.products(db)}


def test_cash_sale_commits_lines_stock_receipt_job_kick_and_audit(db, clock, catalogue):
    water, balls = catalogue["DRK-001"], catalogue["GLF-001"]
    result = counter.sell(db, clock, STAFF, "T01", {water.id: 2, balls.id: 1}, Payment("cash", tendered_fen=20000))
    assert (result.receipt_no, result.total_fen, result.change_fen) == ("T01-S-000001", 13400, 6600)
    assert counter.product(db, water.id).stock == water.stock - 2
    job = printqueue.get(db, result.job_id)
    assert job.kick_drawer and job.receipt.number == "T01-S-000001"
    texts = [getattr(b, "left", getattr(b, "name", "")) + getattr(b, "right", "") for b in job.receipt.blocks]
    assert "找零¥66.00" in texts and "现金¥134.00" in texts
    assert [e["action"] for e in audit.entries(db, table="sales")] == ["sale"]


def test_a_failure_mid_sale_leaves_nothing_and_uses_no_number(db, clock, catalogue, monkeypatch):
    water = catalogue["DRK-001"]

    def printer_queue_broken(*args, **kwargs):
        raise RuntimeError("disk full")
    monkeypatch.setattr(printqueue, "enqueue", printer_queue_broken)
    with pytest.raises(RuntimeError):
        counter.sell(db, clock, STAFF, "T01", {water.id: 1}, Payment("cash", tendered_fen=500))
    assert db.execute("SELECT COUNT(*) FROM sales").fetchone()[0] == 0
    assert counter.product(db, water.id).stock == water.stock
    monkeypatch.undo()
    assert counter.sell(db, clock, STAFF, "T01", {water.id: 1}, Payment("card", reference="884213")).receipt_no \
        == "T01-S-000001"


@pytest.mark.parametrize("cart,payment,message", [
    ({}, Payment("cash", 100), "the cart is empty"),
    ("water", Payment("cash", 100), "cash tendered is less"),
    ("water", Payment("card"), "terminal or transaction reference"),
    ("water", Payment("cheque", 1000), "choose how"),
])
def test_refused_sales_change_nothing(db, clock, catalogue, cart, payment, message):
    cart = {catalogue["DRK-001"].id: 1} if cart == "water" else cart
    with pytest.raises(CounterError, match=message):
        counter.sell(db, clock, STAFF, "T01", cart, payment)
    assert db.execute("SELECT COUNT(*) FROM sales").fetchone()[0] == 0


def test_void_and_refund_are_reversing_records_with_a_manager(db, clock, catalogue):
    glove = catalogue["GLF-003"]
    sale = counter.sell(db, clock, STAFF, "T01", {glove.id: 2}, Payment("mobile", reference="WX20261123"))
    with pytest.raises(CounterError, match="manager must approve"):
        counter.reverse(db, clock, STAFF, STAFF, "T01", sale.sale_id, kind="void", reason="x", same_day=True)
    with pytest.raises(CounterError, match="reason is required"):
        counter.reverse(db, clock, STAFF, MANAGER, "T01", sale.sale_id, kind="void", reason=" ", same_day=True)
    with pytest.raises(CounterError, match="only today's whole sales"):
        counter.reverse(db, clock, STAFF, MANAGER, "T01", sale.sale_id, kind="void", reason="x", same_day=False)
    rid = counter.reverse(db, clock, STAFF, MANAGER, "T01", sale.sale_id, kind="refund", reason="wrong size",
                          same_day=False)
    assert counter.product(db, glove.id).stock == glove.stock
    slip = printqueue.for_record(db, "sale_reversals", rid)[0].receipt
    assert slip.kind == "refund" and slip.number == "T01-R-000001"
    with pytest.raises(CounterError, match="already"):
        counter.reverse(db, clock, STAFF, MANAGER, "T01", sale.sale_id, kind="void", reason="again", same_day=True)


def test_low_stock_is_flagged_at_the_reorder_level(db, clock, catalogue):
    marker = catalogue["GLF-004"]  # 3 in stock, reorder at 5
    assert marker.low and marker.sku in [p.sku for p in counter.low_stock(db)]
    assert counter.by_barcode(db, "6901234567892").sku == "DRK-001"
    with pytest.raises(CounterError, match="no product with code"):
        counter.by_barcode(db, "0000")


def test_fees_fixed_amount_member_number_own_series_and_void(db, clock, catalogue):
    types = {f.code: f for f in fees.fee_types(db)}
    with pytest.raises(CounterError, match="fixed amount"):
        fees.collect(db, clock, STAFF, "T01", fee_type_id=types["GREEN18"].id, payer="Wang", amount_fen=100,
                     payment=Payment("cash", 100))
    with pytest.raises(CounterError, match="member or account number"):
        fees.collect(db, clock, STAFF, "T01", fee_type_id=types["LOCKER"].id, payer="Wang",
                     payment=Payment("card", reference="1"))
    cid, number, change = fees.collect(db, clock, STAFF, "T01", fee_type_id=types["GREEN18"].id, payer="王小明",
                                       payment=Payment("cash", tendered_fen=70000))
    assert (number, change) == ("T01-F-000001", 2000)
    fees.void(db, clock, STAFF, MANAGER, "T01", cid, "charged twice")
    start, end = "2000-01-01", "2100-01-01"
    assert shifts.payment_totals(db, start, end) == {"cash": 0, "card": 0, "mobile": 0}


operations = st.lists(st.tuples(st.sampled_from(["sale", "fee", "refund", "feevoid"]),
                                st.sampled_from(["cash", "card", "mobile"]),
                                st.integers(min_value=1, max_value=4), st.integers(min_value=0, max_value=11)),
                      min_size=1, max_size=25)


@hsettings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(ops=operations)
def test_random_days_reconcile_to_the_fen(tmp_path_factory, clock, ops):
    db = connect(tmp_path_factory.mktemp("day") / "k.db")
    counter.seed_demo(db, clock)
    fees.seed_demo(db, clock)
    products = counter.products(db)
    fee = fees.fee_types(db)[0]
    shifts.open_shift(db, clock, STAFF, "T01", float_fen=0)
    opening = {p.id: p.stock for p in products}
    expected = {"cash": 0, "card": 0, "mobile": 0}
    sold = {p.id: 0 for p in products}
    sales, collections = [], []
    for kind, method, qty, pick in ops:
        pay = Payment(method, tendered_fen=10_000_000 if method == "cash" else None, reference="ref")
        if kind == "sale":
            product = products[pick]
            result = counter.sell(db, clock, STAFF, "T01", {product.id: qty}, pay)
            sales.append((result.sale_id, product.id, qty, method, result.total_fen))
            expected[method] += result.total_fen
            sold[product.id] += qty
        elif kind == "fee":
            cid, _, _ = fees.collect(db, clock, STAFF, "T01", fee_type_id=fee.id, payer="P", payment=pay)
            collections.append((cid, method))
            expected[method] += fee.default_fen
        elif kind == "refund" and sales:
            sale_id, product_id, q, m, total = sales.pop(pick % len(sales))
            counter.reverse(db, clock, STAFF, MANAGER, "T01", sale_id, kind="refund", reason="r", same_day=True)
            expected[m] -= total
            sold[product_id] -= q
        elif kind == "feevoid" and collections:
            cid, m = collections.pop(pick % len(collections))
            fees.void(db, clock, STAFF, MANAGER, "T01", cid, "v")
            expected[m] -= fee.default_fen
    assert shifts.payment_totals(db, "2000-01-01", "2100-01-01") == expected
    for product in counter.products(db):
        assert product.stock == opening[product.id] - sold[product.id], "stock moved only by records"
    numbers = [r[0] for r in db.execute("SELECT receipt_no FROM sales ORDER BY id")]
    assert numbers == [f"T01-S-{n:06d}" for n in range(1, len(numbers) + 1)], "gapless"
    db.close()


def test_selling_and_collecting_refuse_with_no_open_shift_and_write_nothing(db, clock):
    """The rule is the service's, not the screen's: a CLI or any other caller is refused too."""
    counter.seed_demo(db, clock)
    fees.seed_demo(db, clock)
    water, fee = counter.products(db)[0], fees.fee_types(db)[0]
    tables = ("sales", "sale_lines", "payments", "fee_collections", "print_jobs")
    before = {t: db.execute(f"SELECT COUNT(*) FROM {t}").fetchone()[0] for t in tables}
    stock = counter.product(db, water.id).stock
    with pytest.raises(CounterError) as refused:
        counter.sell(db, clock, STAFF, "T01", {water.id: 1}, Payment("card", reference="x"))
    assert refused.value.msgid == "open the counter first" and refused.value.message("zh_CN") != refused.value.msgid
    with pytest.raises(CounterError, match="open the counter first"):
        fees.collect(db, clock, STAFF, "T01", fee_type_id=fee.id, payer="P", payment=Payment("card", reference="x"))
    # another terminal's open shift does not open this one
    shifts.open_shift(db, clock, STAFF, "T02", float_fen=0)
    with pytest.raises(CounterError, match="open the counter first"):
        counter.sell(db, clock, STAFF, "T01", {water.id: 1}, Payment("card", reference="x"))
    assert {t: db.execute(f"SELECT COUNT(*) FROM {t}").fetchone()[0] for t in tables} == before
    assert counter.product(db, water.id).stock == stock
    assert db.execute("SELECT last FROM series WHERE name = 'receipt:sale'").fetchone() in (None, (0,))
    # a closed shift is no shift either
    shifts.open_shift(db, clock, STAFF, "T01", float_fen=0)
    counter.sell(db, clock, STAFF, "T01", {water.id: 1}, Payment("card", reference="x"))
    from kiosk.counter import closing
    closing.close_shift(db, clock, STAFF, "T01", counted_fen=0)
    with pytest.raises(CounterError, match="open the counter first"):
        counter.sell(db, clock, STAFF, "T01", {water.id: 1}, Payment("card", reference="x"))


def test_refunds_and_fee_voids_refuse_with_no_open_shift_and_write_nothing(db, clock):
    """Money going back out of the drawer must land in an end-of-day report, like money coming in."""
    counter.seed_demo(db, clock)
    fees.seed_demo(db, clock)
    water, fee = counter.products(db)[0], fees.fee_types(db)[0]
    shifts.open_shift(db, clock, STAFF, "T01", float_fen=0)
    sale = counter.sell(db, clock, STAFF, "T01", {water.id: 2}, Payment("cash", tendered_fen=100000))
    cid, _, _ = fees.collect(db, clock, STAFF, "T01", fee_type_id=fee.id, payer="P",
                             payment=Payment("cash", tendered_fen=fee.default_fen or 1000),
                             amount_fen=fee.default_fen or 1000)
    from kiosk.counter import closing
    closing.close_shift(db, clock, STAFF, "T01", counted_fen=shifts_expected(db))
    tables = ("sale_reversals", "fee_voids", "stock_movements", "print_jobs")
    before = {t: db.execute(f"SELECT COUNT(*) FROM {t}").fetchone()[0] for t in tables}
    with pytest.raises(CounterError, match="open the counter first"):
        counter.reverse(db, clock, STAFF, MANAGER, "T01", sale.sale_id, kind="refund", reason="r", same_day=False)
    with pytest.raises(CounterError, match="open the counter first"):
        fees.void(db, clock, STAFF, MANAGER, "T01", cid, "charged twice")
    assert {t: db.execute(f"SELECT COUNT(*) FROM {t}").fetchone()[0] for t in tables} == before
    shifts.open_shift(db, clock, STAFF, "T01", float_fen=0)  # the next morning: now it goes into that day
    counter.reverse(db, clock, STAFF, MANAGER, "T01", sale.sale_id, kind="refund", reason="r", same_day=False)
    fees.void(db, clock, STAFF, MANAGER, "T01", cid, "charged twice")


def shifts_expected(db) -> int:
    return shifts.expected_cash(db, shifts.current(db, "T01"))
