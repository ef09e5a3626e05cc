"""The goods counter: catalogue, stock as the sum of its movements, sales with payments, voids and
refunds as reversing records approved by a manager.

A sale, its lines, its stock movements, its receipt number, its print job (and drawer kick for
cash) and its audit row commit in one transaction or not at all.
"""
from __future__ import annotations

from dataclasses import dataclass

import sqlite_utils

from kiosk.core import audit
from kiosk.counter import barcode
from kiosk.printing import queue as printqueue
from kiosk.core.audit import Actor
from kiosk.core.clock import Clock, utc_iso
from kiosk.core.db import write
from kiosk.core.text import clean_text
from kiosk.counter.errors import CounterError  # noqa: F401 - callers catch sales.CounterError
from kiosk.counter.shift_state import require_open
from kiosk.printing.documents import receipt_number

METHODS = ("cash", "card", "mobile")


# Length limits of the counter's typed fields (characters): enough for any real value, small
# enough that a pasted page or a runaway scanner is refused at the counter with a clear message.
TEXT_LIMITS = {"payer": 60, "member number": 40, "period": 20, "transaction reference": 60, "reason": 200,
               "received by": 60, "note": 200, "SKU": 30, "product name": 60, "category": 30, "barcode": 64,
               "fee code": 30, "fee name": 60}
# The catalogue's own fields (a product's, a fee type's) by the same rules: what a receipt and a CSV
# export will carry must not hold control characters or a pasted page.
CATALOGUE_FIELDS = {"sku": "SKU", "name_zh": "product name", "name_en": "product name", "category": "category",
                    "barcode": "barcode"}


def check_catalogue_text(values: dict, labels: dict[str, str] | None = None) -> None:
    """Refuse a catalogue field with invisible characters or longer than its limit (values as given)."""
    for key, label in (labels or CATALOGUE_FIELDS).items():
        if isinstance(values.get(key), str):
            counter_text(values[key], label, key)


def counter_text(value: str | None, field: str, key: str | None = None) -> str:
    """A typed counter field (payer, reference, reason…) checked by the shared rules of
    kiosk.core.text: trimmed, at most TEXT_LIMITS[field] characters, no invisible characters.
    `key` is the service argument a refusal marks (default: the label with underscores)."""
    return clean_text(value, field, limit=TEXT_LIMITS[field],
                      refuse=lambda message, _field: CounterError(message, field=key or field.replace(" ", "_")))


@dataclass(frozen=True)
class Product:
    id: int
    sku: str
    name_zh: str
    name_en: str
    price_fen: int
    barcode: str | None
    category: str
    reorder_level: int
    active: bool
    stock: int

    def name(self, lang: str) -> str:
        return self.name_zh if lang == "zh_CN" else self.name_en

    @property
    def low(self) -> bool:
        return self.stock <= self.reorder_level


@dataclass(frozen=True)
class Payment:
    """How the customer pays: cash (tendered), card or mobile QR (a transaction reference)."""

    method: str
    tendered_fen: int | None = None
    reference: str = ""


@dataclass(frozen=True)
class SaleResult:
    sale_id: int
    receipt_no: str
    total_fen: int
    change_fen: int
    job_id: int


def payment_change(payment: Payment, amount_fen: int) -> int | None:
    """Check a payment against the amount due; the change for cash, None for card and mobile."""
    if payment.method not in METHODS:
        raise CounterError("choose how the customer pays", field="method")
    if payment.method == "cash":
        if payment.tendered_fen is None or payment.tendered_fen < amount_fen:
            raise CounterError("cash tendered is less than the total", field="tendered")
        return payment.tendered_fen - amount_fen
    if not counter_text(payment.reference, "transaction reference"):
        raise CounterError("enter the terminal or transaction reference", field="transaction_reference")
    return None


# Stock on hand is the running balance a trigger keeps from the movements (migration 0009).
_PRODUCT_SQL = """SELECT p.*, COALESCE(l.quantity, 0) AS stock
                  FROM products p LEFT JOIN stock_levels l ON l.product_id = p.id"""


def stock_mismatches(db: sqlite_utils.Database) -> list[str]:
    """Products whose running balance disagrees with the sum of their movements (should be none); each an
    English line that `kiosk db check` says in the site's language (a config.Text)."""
    from kiosk.core.config import Text
    return [Text("{sku}: balance {balance}, movements {moved}", sku=r["sku"], balance=r["balance"], moved=r["moved"])
            for r in db.query(
        "SELECT p.sku, COALESCE(l.quantity, 0) AS balance,"
        " COALESCE((SELECT SUM(m.quantity) FROM stock_movements m WHERE m.product_id = p.id), 0) AS moved"
        " FROM products p LEFT JOIN stock_levels l ON l.product_id = p.id WHERE balance != moved")]


def _product(row: dict) -> Product:
    return Product(row["id"], row["sku"], row["name_zh"], row["name_en"], row["price_fen"], row["barcode"],
                   row["category"], row["reorder_level"], bool(row["active"]), row["stock"])


def products(db: sqlite_utils.Database, *, active_only: bool = True) -> list[Product]:
    sql = _PRODUCT_SQL + (" WHERE p.active = 1" if active_only else "") + " ORDER BY p.category, p.sku"
    return [_product(r) for r in db.query(sql)]


def product(db: sqlite_utils.Database, product_id: int) -> Product:
    rows = list(db.query(_PRODUCT_SQL + " WHERE p.id = ?", (product_id,)))
    if not rows:
        raise CounterError("no such product")
    return _product(rows[0])


def by_barcode(db: sqlite_utils.Database, code: str) -> Product:
    """What a keyboard-wedge scanner typed (barcode or SKU). A code on file always sells (old labels may
    carry a wrong check digit); otherwise an EAN/UPC with a wrong check digit is refused as a misread,
    and UPC-A and its EAN-13 form find each other."""
    code = barcode.normalise(code)
    if not code:
        raise CounterError("scan a barcode or type a code", field="barcode")
    for candidate in (code, *barcode.alternatives(code)):
        rows = list(db.query(_PRODUCT_SQL + " WHERE (p.barcode = ? OR p.sku = ?) AND p.active = 1",
                             (candidate, candidate)))
        if rows:
            return _product(rows[0])
        if candidate == code and not barcode.check_digit_ok(code):
            raise CounterError("the check digit of {code} is wrong: scan it again or type it carefully",
                               field="barcode", code=code)
    raise CounterError("no product with code {code}", field="barcode", code=code)


def by_sku(db: sqlite_utils.Database, sku: str) -> Product:
    rows = list(db.query(_PRODUCT_SQL + " WHERE p.sku = ?", ((sku or "").strip(),)))
    if not rows:
        raise CounterError("no product with code {code}", code=sku)
    return _product(rows[0])


def low_stock(db: sqlite_utils.Database) -> list[Product]:
    """At or below the reorder level: the reorder list."""
    return [p for p in products(db) if p.low]


def add_product(db: sqlite_utils.Database, clock: Clock, actor: Actor, *, sku: str, name_zh: str, name_en: str,
                price_fen: int, category: str, barcode: str | None = None, reorder_level: int = 0,
                opening_stock: int = 0) -> Product:
    """A manager adds a product (audited); opening stock is a movement like any other."""
    if not actor.is_manager:
        raise CounterError("only a manager can change the catalogue")
    if not (sku or "").strip() or not name_zh.strip() or not name_en.strip() or not category.strip():
        raise CounterError("SKU, both names and the category are required", field="sku")
    check_catalogue_text({"sku": sku, "name_zh": name_zh, "name_en": name_en, "category": category,
                          "barcode": barcode})
    if not isinstance(price_fen, int) or price_fen < 0:
        raise CounterError("price must be an amount of money", field="price")
    with write(db):
        if db.execute("SELECT 1 FROM products WHERE sku = ?", (sku.strip(),)).fetchone():
            raise CounterError("SKU {sku} already exists", field="sku", sku=sku)
        if (barcode or "").strip() and db.execute("SELECT 1 FROM products WHERE barcode = ?",
                                                  (barcode.strip(),)).fetchone():
            raise CounterError("barcode {barcode} belongs to another product", field="barcode", barcode=barcode)
        product_id = db.execute(
            "INSERT INTO products (sku, name_zh, name_en, price_fen, barcode, category, reorder_level, created_at)"
            " VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
            (sku.strip(), name_zh.strip(), name_en.strip(), price_fen, (barcode or "").strip() or None,
             category.strip(), reorder_level, utc_iso(clock.now()))).lastrowid
        if opening_stock:
            move_stock(db, clock, actor, product_id, opening_stock, "receipt", "products", product_id, "opening stock")
        audit.record(db, clock, actor, "product.add", "products", product_id, None,
                     {"sku": sku, "price_fen": price_fen, "stock": opening_stock})
    return product(db, product_id)


EDITABLE = ("name_zh", "name_en", "price_fen", "barcode", "category", "reorder_level", "active")


def update_product(db: sqlite_utils.Database, clock: Clock, actor: Actor, product_id: int, **changes) -> Product:
    """A manager changes a product's details (audited with before and after); stock is never edited here."""
    if not actor.is_manager:
        raise CounterError("only a manager can change the catalogue")
    unknown = set(changes) - set(EDITABLE)
    if unknown:
        raise CounterError("cannot change {fields}", fields=", ".join(sorted(unknown)))
    if "price_fen" in changes and (not isinstance(changes["price_fen"], int) or changes["price_fen"] < 0):
        raise CounterError("price must be an amount of money", field="price")
    if "reorder_level" in changes and (not isinstance(changes["reorder_level"], int) or changes["reorder_level"] < 0):
        raise CounterError("the reorder level must be a whole number", field="reorder_level")
    for key in ("name_zh", "name_en", "category"):
        if key in changes and not str(changes[key]).strip():
            raise CounterError("SKU, both names and the category are required", field="sku")
    check_catalogue_text(changes)
    if "barcode" in changes:
        changes["barcode"] = (changes["barcode"] or "").strip() or None
    if "active" in changes:
        changes["active"] = int(bool(changes["active"]))
    def barcode_free(changed: dict) -> None:
        if changed.get("barcode") and db.execute("SELECT 1 FROM products WHERE barcode = ? AND id != ?",
                                                 (changed["barcode"], product_id)).fetchone():
            raise CounterError("barcode {barcode} belongs to another product", field="barcode", barcode=changed["barcode"])

    with write(db):
        if audit.update_changed(db, clock, actor, "product.change", "products", product_id, changes,
                                check=barcode_free) is None:
            raise CounterError("no such product")
    return product(db, product_id)


def adjust_stock(db: sqlite_utils.Database, clock: Clock, actor: Actor, product_id: int, quantity: int,
                 reason: str) -> None:
    """Goods received or written off: a movement with a reason, audited."""
    if not isinstance(quantity, int) or quantity == 0 or abs(quantity) > 100_000:
        raise CounterError("a quantity must be a whole number other than 0", field="quantity")
    if not (reason or "").strip():
        raise CounterError("a reason is required", field="reason")
    reason = counter_text(reason, "reason")
    with write(db):
        stock = product(db, product_id).stock
        if stock + quantity < 0:
            # A write-off larger than the shelf is a miscount: the stocktake is where that gets settled.
            raise CounterError("only {stock} in stock; cannot take out {quantity}", field="quantity", stock=stock, quantity=-quantity)
        move_stock(db, clock, actor, product_id, quantity, "receipt" if quantity > 0 else "adjustment",
                   "products", product_id, reason.strip())
        audit.record(db, clock, actor, "stock.adjust", "products", product_id, None,
                     {"quantity": quantity, "reason": reason.strip()})


def move_stock(db, clock: Clock, actor: Actor, product_id: int, quantity: int, kind: str, record_table: str | None,
          record_id: int | None, reason: str = "") -> None:
    db.execute("INSERT INTO stock_movements (product_id, at, quantity, kind, record_table, record_id, reason, actor_id,"
               " actor) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
               (product_id, utc_iso(clock.now()), quantity, kind, record_table, record_id, reason, actor.id, actor.name))


def sell(db: sqlite_utils.Database, clock: Clock, actor: Actor, terminal_id: str, cart: dict[int, int],
         payment: Payment, lang: str = "zh_CN") -> SaleResult:
    """Sell the cart {product_id: quantity}; everything commits together or not at all.

    Refuses ("open the counter first") when no shift is open on this terminal: such a sale would be in
    no end-of-day report. Checked first (the desk's first question) and again under the write lock.
    """
    require_open(db, terminal_id)
    if not cart or any(not isinstance(q, int) or q <= 0 for q in cart.values()):
        raise CounterError("the cart is empty")
    if payment.method not in METHODS:
        raise CounterError("choose how the customer pays", field="method")
    lines = []
    for product_id, quantity in cart.items():
        item = product(db, product_id)
        if not item.active:
            raise CounterError("{sku} is no longer sold", sku=item.sku)
        lines.append((item, quantity, item.price_fen * quantity))
    total = sum(line_total for _, _, line_total in lines)
    change = payment_change(payment, total) or 0
    from kiosk.counter.receipts import sale_receipt
    with write(db):
        require_open(db, terminal_id)  # again under the lock: the shift may have closed meanwhile
        number = receipt_number(db, terminal_id, "sale")
        sale_id = db.execute("INSERT INTO sales (at, receipt_no, total_fen, actor_id, actor) VALUES (?, ?, ?, ?, ?)",
                             (utc_iso(clock.now()), number, total, actor.id, actor.name)).lastrowid
        for item, quantity, line_total in lines:
            db.execute("INSERT INTO sale_lines (sale_id, product_id, name, unit_fen, quantity, total_fen)"
                       " VALUES (?, ?, ?, ?, ?, ?)", (sale_id, item.id, item.name(lang), item.price_fen, quantity,
                                                      line_total))
            move_stock(db, clock, actor, item.id, -quantity, "sale", "sales", sale_id)
        db.execute("INSERT INTO payments (sale_id, method, amount_fen, tendered_fen, change_fen, reference)"
                   " VALUES (?, ?, ?, ?, ?, ?)", (sale_id, payment.method, total, payment.tendered_fen,
                                                  change if payment.method == "cash" else None,
                                                  payment.reference.strip()))
        audit.record(db, clock, actor, "sale", "sales", sale_id, None, {"receipt_no": number, "total_fen": total,
                                                                         "method": payment.method})
        job = printqueue.enqueue(db, clock, actor, sale_receipt(db, sale_id, lang), record_table="sales",
                                 record_id=sale_id, kick_drawer=payment.method == "cash")
    return SaleResult(sale_id, number, total, change, job)


def recent_sales(db: sqlite_utils.Database, since_iso: str, limit: int = 100) -> list[dict]:
    """Sales since a moment, newest first, with how much of each was already reversed (fen)."""
    return list(db.query(
        "SELECT s.id, s.at, s.receipt_no, s.total_fen, s.actor, p.method,"
        " COALESCE((SELECT SUM(r.amount_fen) FROM sale_reversals r WHERE r.sale_id = s.id), 0) AS reversed_fen"
        " FROM sales s JOIN payments p ON p.sale_id = s.id WHERE s.at >= ? ORDER BY s.id DESC LIMIT ?",
        (since_iso, limit)))


def sold_lines(db: sqlite_utils.Database, sale_id: int) -> list[dict]:
    """A sale's lines with how many of each are still returnable (not yet voided or refunded)."""
    return list(db.query(
        "SELECT l.*, l.quantity - COALESCE((SELECT SUM(r.quantity) FROM reversal_lines r"
        " WHERE r.sale_line_id = l.id), 0) AS returnable FROM sale_lines l WHERE l.sale_id = ? ORDER BY l.id",
        (sale_id,)))


def reverse(db: sqlite_utils.Database, clock: Clock, actor: Actor, approver: Actor, terminal_id: str, sale_id: int,
            *, kind: str, reason: str, same_day: bool, quantities: dict[int, int] | None = None,
            lang: str = "zh_CN") -> int:
    """Void a whole sale (same day, before the close) or refund some or all of its lines.

    quantities maps sale line id -> how many to refund (None: everything still returnable). The
    reversal, its lines, stock back in, the audit row and the slip commit together.
    """
    if kind not in ("void", "refund"):
        raise CounterError("void or refund?")
    if not approver.is_manager:
        raise CounterError("a manager must approve")
    reason = (reason or "").strip()
    if not reason:
        raise CounterError("a reason is required", field="reason")
    reason = counter_text(reason, "reason")
    if kind == "void" and (not same_day or quantities is not None):
        raise CounterError("only today's whole sales can be voided; refund it instead")
    from kiosk.counter.receipts import reversal_slip
    with write(db):
        require_open(db, terminal_id)  # money going back out belongs in today's end-of-day report too
        sale = db.execute("SELECT at FROM sales WHERE id = ?", (sale_id,)).fetchone()
        if sale is None:
            raise CounterError("no such sale")
        lines = sold_lines(db, sale_id)
        already = any(line["returnable"] < line["quantity"] for line in lines)
        if kind == "void":
            if already:
                raise CounterError("this sale was already voided or refunded")
            closed = db.execute("SELECT MAX(at) FROM shift_closes").fetchone()[0]
            if closed and closed >= sale[0]:
                raise CounterError("the day is closed; refund it instead")
        taken = _returned(lines, quantities)
        amount = sum(line["unit_fen"] * qty for line, qty in taken)
        method = db.execute("SELECT method FROM payments WHERE sale_id = ?", (sale_id,)).fetchone()[0]
        number = receipt_number(db, terminal_id, kind)
        reversal_id = db.execute(
            "INSERT INTO sale_reversals (sale_id, kind, at, amount_fen, method, reason, approver_id, approver,"
            " actor_id, actor, receipt_no) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (sale_id, kind, utc_iso(clock.now()), amount, method, reason, approver.id, approver.name, actor.id,
             actor.name, number)).lastrowid
        for line, qty in taken:
            db.execute("INSERT INTO reversal_lines (reversal_id, sale_line_id, quantity, total_fen) VALUES (?, ?, ?, ?)",
                       (reversal_id, line["id"], qty, line["unit_fen"] * qty))
            move_stock(db, clock, actor, line["product_id"], qty, kind, "sale_reversals", reversal_id, reason)
        audit.record(db, clock, actor, f"sale.{kind}", "sales", sale_id, None,
                     {"reversal_id": reversal_id, "approved_by": approver.name, "reason": reason,
                      "amount_fen": amount})
        printqueue.enqueue(db, clock, actor, reversal_slip(db, reversal_id, lang), record_table="sale_reversals",
                           record_id=reversal_id, kick_drawer=method == "cash")
    return reversal_id


def _returned(lines: list[dict], quantities: dict[int, int] | None) -> list[tuple[dict, int]]:
    """Which lines go back and how many; refuses more than was sold (or is left after earlier refunds)."""
    if quantities is None:
        taken = [(line, line["returnable"]) for line in lines if line["returnable"] > 0]
    else:
        by_id = {line["id"]: line for line in lines}
        taken = []
        for line_id, qty in quantities.items():
            if line_id not in by_id:
                raise CounterError("that line is not part of this sale")
            if not isinstance(qty, int) or qty < 0:
                raise CounterError("quantities must be whole numbers", field="quantity")
            if qty > by_id[line_id]["returnable"]:
                raise CounterError("a refund cannot be larger than the sale")
            if qty:
                taken.append((by_id[line_id], qty))
    if not taken:
        raise CounterError("nothing left to refund on this sale")
    return taken


def seed_demo(db: sqlite_utils.Database, clock: Clock) -> list[str]:
    """Demo mode: a small catalogue in three categories."""
    if db.execute("SELECT COUNT(*) FROM products").fetchone()[0]:
        return []
    manager = Actor("system", None, "manager")
    catalogue = [
        ("DRK-001", "矿泉水 550ml", "Mineral water 550ml", 300, "6901234567892", "饮品", 20, 48),
        ("DRK-002", "运动饮料", "Sports drink", 600, "6901234567893", "饮品", 12, 24),
        ("DRK-003", "罐装咖啡", "Canned coffee", 800, "6901234567894", "饮品", 10, 9),
        ("DRK-004", "绿茶", "Green tea", 500, "6901234567895", "饮品", 12, 30),
        ("GLF-001", "高尔夫球（12 粒装）", "Golf balls (12 pack)", 12800, "6901234567900", "高尔夫", 5, 14),
        ("GLF-002", "球座（50 支）", "Tees (50)", 2500, "6901234567901", "高尔夫", 5, 20),
        ("GLF-003", "高尔夫手套", "Golf glove", 9800, "6901234567902", "高尔夫", 4, 6),
        ("GLF-004", "球标", "Ball marker", 1500, "6901234567903", "高尔夫", 5, 3),
        ("SUN-001", "防晒霜 SPF50", "Sunscreen SPF50", 6850, "6901234567910", "日用品", 4, 10),
        ("SUN-002", "遮阳帽", "Sun cap", 8800, "6901234567911", "日用品", 3, 8),
        ("SUN-003", "雨衣", "Rain poncho", 1800, "6901234567912", "日用品", 5, 15),
        ("SUN-004", "湿巾", "Wet wipes", 900, "6901234567913", "日用品", 10, 40),
    ]
    for sku, zh, en, price, code, category, reorder, stock in catalogue:
        add_product(db, clock, manager, sku=sku, name_zh=zh, name_en=en, price_fen=price, category=category,
                    barcode=code, reorder_level=reorder, opening_stock=stock)
    return ["goods catalogue"]
