"""One real receipt of every kind, made by the services and the area receipt builders from stored
records, and tools to put hostile text into every text field of a receipt.

The property tests take these shapes (which blocks, in which order, with which styles) and replace
the text, so they test what the kiosk really prints without a database round trip per example.
"""
from __future__ import annotations

import io
from dataclasses import replace
from typing import Callable, Iterator

from PIL import Image, ImageDraw

from kiosk.core.audit import Actor
from kiosk.core.clock import FakeClock
from kiosk.core.db import connect
from kiosk.counter import closing, fees, shifts, stockcount
from kiosk.counter import sales as counter
from kiosk.counter.sales import Payment
from kiosk.counter.stockcount import CountLine
from kiosk.lostfound import receipts as lf_receipts
from kiosk.lostfound import service as lostfound
from kiosk.printing import queue as printqueue
from kiosk.printing.documents import QR, Barcode, Item, Pair, Receipt, Rule, Text
from kiosk.visitors import receipts as visitor_receipts
from kiosk.visitors import service as visitors

STAFF = Actor("Li Na", None, "staff")
MANAGER = Actor("Zhou Min", None, "manager")
TZ = "Asia/Shanghai"
KINDS = ("sale", "refund", "void", "fee", "feevoid", "badge", "onsite", "lftag", "lfclaim", "lfhandover", "eod",
         "stocktake")


def _signature() -> bytes:
    image = Image.new("L", (300, 100), 255)
    ImageDraw.Draw(image).line([(10, 80), (80, 20), (150, 70), (290, 30)], fill=0, width=3)
    out = io.BytesIO()
    image.save(out, "PNG")
    return out.getvalue()


def _all_counted(db) -> list[CountLine]:
    return [CountLine(p.id, p.stock) for p in counter.products(db)]


def every_kind(db_path, lang: str = "zh_CN", *, long_text: str | None = None) -> dict[str, Receipt]:
    """Make one record of every kind through the services; return {kind: receipt as built from it}.

    long_text, when given, goes into every free-text field the services accept (a realistic worst case).
    """
    db = connect(db_path)
    clock = FakeClock()
    text = long_text
    try:
        counter.seed_demo(db, clock)
        fees.seed_demo(db, clock)
        visitors.seed_demo(db, clock)
        shifts.open_shift(db, clock, STAFF, "T01", float_fen=50000, counts=_all_counted(db))
        water, *others = counter.products(db)
        cash = counter.sell(db, clock, STAFF, "T01", {water.id: 2, others[0].id: 1}, Payment("cash", tendered_fen=100000),
                            lang=lang)
        card = counter.sell(db, clock, STAFF, "T01", {water.id: 1, others[1].id: 2},
                            Payment("card", reference=(text or "884213")[:60]), lang=lang)
        counter.reverse(db, clock, STAFF, MANAGER, "T01", cash.sale_id, kind="refund", reason=(text or "damaged")[:200],
                        same_day=True, quantities=None)
        counter.reverse(db, clock, STAFF, MANAGER, "T01", card.sale_id, kind="void", reason=(text or "wrong item")[:200],
                        same_day=True)
        green = fees.fee_types(db)[0]
        collection, _, _ = fees.collect(db, clock, STAFF, "T01", fee_type_id=green.id, payer=(text or "王小明")[:60],
                                        payment=Payment("cash", tendered_fen=10_000_000), member_no=(text or "M-1")[:40],
                                        period=(text or "2026-11")[:20], lang=lang)
        fees.void(db, clock, STAFF, MANAGER, "T01", collection, reason=(text or "typed twice")[:200], lang=lang)
        hosts = visitors.find_hosts(db, "Li")
        visitors.sign_in(db, clock, visitors.Visitor(name="王小明", phone="13800138000", host_id=hosts[0]["id"],
                                                     purpose="meeting", party_size=2, organisation="星河科技",
                                                     privacy_accepted=True))
        visit_id = db.execute("SELECT MAX(id) FROM visits").fetchone()[0]
        item = lostfound.register_item(db, clock, STAFF, TZ, category="bag", description=(text or "黑色双肩包")[:200],
                                       found_place=(text or "大堂")[:200], handed_in_kind="customer",
                                       handed_in_name=(text or "张先生")[:60], storage=(text or "A1 架")[:60],
                                       features=(text or "")[:200], value_fen=500000)
        second = lostfound.register_item(db, clock, STAFF, TZ, category="umbrella", description="雨伞",
                                         found_place="门口", handed_in_kind="staff", handed_in_name="李娜",
                                         storage="A2")
        lostfound.claim(db, clock, STAFF, "T01", item.id, claimant_name=(text or "王芳")[:60],
                        contact="13800138000", id_type="id_card", id_number="11010519491231002X",
                        described_features=(text or "黑色")[:200], described_quantity=1, identity_checked=True,
                        signature_png=_signature(), lang=lang)
        clock.advance(16 * 24 * 3600)
        lostfound.hand_over(db, clock, STAFF, "T01", [second.id], received_by=(text or "行政部 周女士")[:60],
                            note=(text or "")[:200], lang=lang)
        stockcount.stocktake(db, clock, MANAGER, "T01", _all_counted(db)[:-1] +
                             [CountLine(counter.products(db)[-1].id, 0, reason=(text or "lost")[:200])], lang=lang)
        closing.close_shift(db, clock, MANAGER, "T01", counted_fen=123456, lang=lang)
        out = {job.kind: job.receipt for job in reversed(printqueue.recent(db, limit=100)) if job.receipt}
        out["badge"] = visitor_receipts.badge(db, visit_id, lang, TZ)
        out["onsite"] = visitor_receipts.onsite_list(visitors.on_site(db), db, lang, TZ)
        out["lftag"] = lf_receipts.item_tag(db, item.id, lang)
        missing = set(KINDS) - set(out)
        assert not missing, f"no receipt of kind {missing}"
        return {kind: out[kind] for kind in KINDS}
    finally:
        db.close()


# --- text in every field ---------------------------------------------------------------------------
TEXT_FIELDS = {Text: ("text",), Pair: ("left", "right"), Item: ("name",), Rule: ("char",), QR: ("data",),
               Barcode: ("data",)}


def text_slots(receipt: Receipt) -> int:
    """How many text fields the receipt has (title, number, header and footer lines, block fields)."""
    return 2 + len(receipt.header) + len(receipt.footer) + sum(len(TEXT_FIELDS.get(type(b), ())) for b in receipt.blocks)


def fill(receipt: Receipt, texts: Callable[[int, str], str]) -> Receipt:
    """The receipt with every text field replaced by texts(slot index, old value)."""
    counter_ = iter(range(10**9))

    def new(old: str) -> str:
        return texts(next(counter_), old)

    blocks = []
    for block in receipt.blocks:
        names = TEXT_FIELDS.get(type(block), ())
        blocks.append(replace(block, **{name: new(getattr(block, name)) for name in names}) if names else block)
    return replace(receipt, title=new(receipt.title), number=new(receipt.number),
                   header=tuple(new(h) for h in receipt.header), footer=tuple(new(f) for f in receipt.footer),
                   blocks=tuple(blocks))


def texts_of(receipt: Receipt) -> Iterator[str]:
    """Every text field's value (for asserting what went in)."""
    yield receipt.title
    yield receipt.number
    yield from receipt.header
    yield from receipt.footer
    for block in receipt.blocks:
        for name in TEXT_FIELDS.get(type(block), ()):
            yield getattr(block, name)

