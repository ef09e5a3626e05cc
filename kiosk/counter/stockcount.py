"""Stock counts: the morning count of yesterday's goods and the month-end stocktake.

A count stores what was expected and what was counted for each product. A difference that the
person accepts (with a reason) becomes a stock movement; one left unaccepted is kept on record and
changes nothing, so a miscount can be recounted.
"""
from __future__ import annotations

from dataclasses import dataclass

import sqlite_utils

from kiosk.core import audit
from kiosk.counter import sales as counter
from kiosk.printing import queue as printqueue
from kiosk.core.audit import Actor
from kiosk.core.clock import Clock, utc_iso
from kiosk.counter.errors import CounterError
from kiosk.core.db import write
from kiosk.counter.receipts import header_lines
from kiosk.core.i18n import gettext
from kiosk.printing.documents import Pair, Receipt, Rule, Text, receipt_number

MAX_COUNT = 100_000  # more than this of one item at a front desk is a typing slip


@dataclass(frozen=True)
class CountLine:
    product_id: int
    counted: int
    accept: bool = True
    reason: str = ""


def check_lines(db: sqlite_utils.Database, lines) -> None:
    """Refuse impossible counts and accepted differences without a reason, before anything is written."""
    seen = set()
    for line in lines:
        if not isinstance(line.counted, int) or not 0 <= line.counted <= MAX_COUNT:
            raise CounterError("a count must be a whole number from 0 to 100000")
        if line.product_id in seen:
            raise CounterError("a product is counted twice")
        seen.add(line.product_id)
        item = counter.product(db, line.product_id)
        if line.accept and line.counted != item.stock and not line.reason.strip():
            raise CounterError("give a reason for the difference in {sku}", sku=item.sku)
        counter.counter_text(line.reason, "reason")


def record(db: sqlite_utils.Database, clock: Clock, actor: Actor, kind: str, lines, *, shift_id: int | None = None,
           report_no: str | None = None) -> int:
    """Store a count and move stock for accepted differences (inside the caller's transaction)."""
    with write(db):
        now = utc_iso(clock.now())
        adjusted_lines = 0
        count_id = db.execute("INSERT INTO stock_counts (kind, at, shift_id, report_no, actor_id, actor) VALUES (?, ?, ?, ?, ?, ?)",
                              (kind, now, shift_id, report_no, actor.id, actor.name)).lastrowid
        for line in lines:
            expected = counter.product(db, line.product_id).stock
            difference = line.counted - expected
            adjusted = bool(line.accept and difference)
            db.execute("INSERT INTO stock_count_lines (count_id, product_id, expected, counted, adjusted, reason)"
                       " VALUES (?, ?, ?, ?, ?, ?)",
                       (count_id, line.product_id, expected, line.counted, int(adjusted), line.reason.strip()))
            if adjusted:
                adjusted_lines += 1
                counter.move_stock(db, clock, actor, line.product_id, difference, kind, "stock_counts", count_id,
                                   line.reason.strip())
        audit.record(db, clock, actor, f"stock.{kind}", "stock_counts", count_id, None,
                     {"lines": len(lines), "adjusted": adjusted_lines})
    return count_id


def stocktake(db: sqlite_utils.Database, clock: Clock, actor: Actor, terminal_id: str, lines: list[CountLine],
              lang: str = "zh_CN") -> tuple[int, str]:
    """Month-end stocktake: every active item counted, differences adjusted, the summary printed."""
    check_lines(db, lines)
    missing = {p.id for p in counter.products(db)} - {ln.product_id for ln in lines}
    if missing:
        raise CounterError("count every item before finishing the stocktake")
    with write(db):
        number = receipt_number(db, terminal_id, "stocktake")
        count_id = record(db, clock, actor, "stocktake", lines, report_no=number)
        printqueue.enqueue(db, clock, actor, stocktake_receipt(db, count_id, lang), record_table="stock_counts",
                           record_id=count_id)
    return count_id, number


def count_lines(db: sqlite_utils.Database, count_id: int) -> list[dict]:
    """A stored count with product names, for reports and receipts."""
    return list(db.query("SELECT l.*, p.sku, p.name_zh, p.name_en FROM stock_count_lines l JOIN products p"
                         " ON p.id = l.product_id WHERE l.count_id = ? ORDER BY p.category, p.sku", (count_id,)))


def stocktake_receipt(db: sqlite_utils.Database, count_id: int, lang: str) -> Receipt:
    """The month-end stocktake summary: every item's expected and counted stock, differences marked."""
    _ = lambda s: gettext(s, lang)  # noqa: E731
    count = next(db.query("SELECT * FROM stock_counts WHERE id = ?", (count_id,)))
    lines = count_lines(db, count_id)
    blocks: list = [Text(_("Item: expected / counted"), bold=True)]
    for line in lines:
        diff = line["counted"] - line["expected"]
        mark = f"  {diff:+d}" if diff else ""
        blocks.append(Pair((line["name_zh"] if lang == "zh_CN" else line["name_en"]), f"{line['expected']} / {line['counted']}{mark}"))
        if diff and line["reason"]:
            blocks.append(Text(f"  {line['reason']}"))
    blocks += [Rule(), Pair(_("Items counted"), str(len(lines))),
               Pair(_("Items with a difference"), str(sum(1 for ln in lines if ln["counted"] != ln["expected"])))]
    return Receipt(kind="stocktake", lang=lang, title=_("Stocktake"), number=count["report_no"] or "",
                   header=header_lines(db, lang, count["at"], count["actor"]), blocks=tuple(blocks))
