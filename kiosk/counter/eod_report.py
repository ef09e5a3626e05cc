"""The end-of-day report (built at the close, stored as JSON, printed in its own series) and the
month-end stocktake summary.

Sales by payment method, by product and by category; fees by type; voids and refunds with who
approved them; drawer openings without a sale; stock adjustments; the cash count and its variance.
"""
from __future__ import annotations

import sqlite_utils

from kiosk.counter import shifts
from kiosk.counter.receipts import METHOD_LABELS, header_lines
from kiosk.core.i18n import gettext
from kiosk.printing.documents import Pair, Receipt, Rule, Text, local_time, money
from kiosk.counter.shifts import METHODS


def _rows(db, sql: str, start: str, end: str) -> list[dict]:
    return list(db.query(sql, {"start": start, "end": end}))


_PRODUCTS_SQL = """
SELECT p.sku, p.name_zh, p.name_en, p.category, SUM(x.quantity) AS quantity, SUM(x.total_fen) AS total_fen FROM (
    SELECT l.product_id, l.quantity, l.total_fen FROM sale_lines l JOIN sales s ON s.id = l.sale_id
     WHERE s.at >= :start AND s.at < :end
    UNION ALL
    SELECT l.product_id, -x.quantity, -x.total_fen FROM reversal_lines x JOIN sale_lines l ON l.id = x.sale_line_id
      JOIN sale_reversals r ON r.id = x.reversal_id WHERE r.at >= :start AND r.at < :end
) x JOIN products p ON p.id = x.product_id GROUP BY p.id ORDER BY p.category, p.sku"""

_FEES_SQL = """
SELECT t.code, t.name_zh, t.name_en, SUM(x.n) AS count, SUM(x.amount_fen) AS total_fen FROM (
    SELECT fee_type_id, 1 AS n, amount_fen FROM fee_collections WHERE at >= :start AND at < :end
    UNION ALL
    SELECT c.fee_type_id, -1, -c.amount_fen FROM fee_voids v JOIN fee_collections c ON c.id = v.collection_id
     WHERE v.at >= :start AND v.at < :end
) x JOIN fee_types t ON t.id = x.fee_type_id GROUP BY t.id ORDER BY t.code"""

_REVERSALS_SQL = """
SELECT r.receipt_no, s.receipt_no AS original, r.kind, r.amount_fen, r.method, r.approver AS approved_by, r.reason, r.actor, r.at
  FROM sale_reversals r JOIN sales s ON s.id = r.sale_id WHERE r.at >= :start AND r.at < :end
UNION ALL
SELECT v.receipt_no, c.receipt_no, 'feevoid', c.amount_fen, c.method, v.approver, v.reason, v.actor, v.at
  FROM fee_voids v JOIN fee_collections c ON c.id = v.collection_id WHERE v.at >= :start AND v.at < :end
ORDER BY 9"""

_NO_SALE_SQL = """SELECT at, actor, reason FROM drawer_kicks WHERE reason LIKE 'no sale:%'
                  AND at >= :start AND at < :end ORDER BY at"""

_ADJUSTMENTS_SQL = """
SELECT m.at, p.sku, p.name_zh, p.name_en, m.quantity, m.kind, m.reason, m.actor FROM stock_movements m
  JOIN products p ON p.id = m.product_id
 WHERE m.kind IN ('adjustment', 'opening', 'stocktake') AND m.at >= :start AND m.at < :end ORDER BY m.at, p.sku"""


def build_report(db: sqlite_utils.Database, shift, until: str, *, counted_fen: int, expected_fen: int) -> dict:
    """Every figure of the shift [opened_at, until), as plain data (stored as JSON, printed as is)."""
    start, end = shift.opened_at, until
    handed = [{k: v for k, v in row.items() if k != "id"} for row in sorted(db.query(
        "SELECT id, at, amount_fen, actor AS handed_by, received_by FROM cash_handovers"
        f" WHERE {shifts.HANDOVERS_OF}", (shift.id,)), key=lambda row: row["id"])]
    products = _rows(db, _PRODUCTS_SQL, start, end)
    categories: dict[str, dict] = {}
    for row in products:
        cat = categories.setdefault(row["category"], {"category": row["category"], "quantity": 0, "total_fen": 0})
        cat["quantity"] += row["quantity"]
        cat["total_fen"] += row["total_fen"]
    by_method = shifts.payment_parts(db, start, end)
    return {
        "terminal": shift.terminal_id, "opened_at": start, "closed_at": end, "opened_by": shift.opened_by,
        "by_method": by_method,
        "products": products,
        "categories": list(categories.values()),
        "fees": _rows(db, _FEES_SQL, start, end),
        "reversals": _rows(db, _REVERSALS_SQL, start, end),
        "no_sale_opens": _rows(db, _NO_SALE_SQL, start, end),
        "stock_adjustments": _rows(db, _ADJUSTMENTS_SQL, start, end),
        "handovers": handed,
        "cash": {"float_fen": shift.float_fen, "net_cash_fen": by_method["cash"]["net"],
                 "handed_over_fen": sum(h["amount_fen"] for h in handed), "expected_fen": expected_fen,
                 "counted_fen": counted_fen, "variance_fen": counted_fen - expected_fen},
    }


def _name(row: dict, lang: str) -> str:
    return row["name_zh"] if lang == "zh_CN" else row["name_en"]


def report_blocks(db: sqlite_utils.Database, report: dict, lang: str) -> list:
    """The report as receipt blocks (the close screen shows the same receipt)."""
    _ = lambda s: gettext(s, lang)  # noqa: E731
    heading = lambda s: Text(s, bold=True)  # noqa: E731
    blocks: list = [heading(_("Takings by payment method"))]
    for method in METHODS:
        figures = report["by_method"][method]
        blocks.append(Pair(_(METHOD_LABELS[method]), money(figures["net"])))
    blocks.append(Pair(_("Total"), money(sum(f["net"] for f in report["by_method"].values())), bold=True))
    blocks += [Rule(), heading(_("Goods by product"))]
    blocks += [Pair(f"{_name(r, lang)} x{r['quantity']}", money(r["total_fen"])) for r in report["products"]]
    blocks += [heading(_("Goods by category"))]
    blocks += [Pair(f"{r['category']} x{r['quantity']}", money(r["total_fen"])) for r in report["categories"]]
    blocks += [Rule(), heading(_("Fees by type"))]
    blocks += [Pair(f"{_name(r, lang)} x{r['count']}", money(r["total_fen"])) for r in report["fees"]]
    blocks += [Rule(), heading(_("Voids and refunds"))]
    kinds = {"void": _("Void"), "refund": _("Refund"), "feevoid": _("Fee void")}
    for r in report["reversals"]:
        blocks.append(Pair(f"{kinds[r['kind']]} {r['original']}", money(-r["amount_fen"])))
        blocks.append(Text(f"  {_('Approved by')} {r['approved_by']}: {r['reason']}"))
    if not report["reversals"]:
        blocks.append(Text(_("None")))
    blocks += [heading(_("Drawer opened without a sale"))]
    blocks += [Text(f"{local_time(db, r['at'], '%H:%M')} {r['actor']}: {r['reason'][len('no sale: '):]}")
               for r in report["no_sale_opens"]] or [Text(_("None"))]
    blocks += [heading(_("Stock adjustments"))]
    blocks += [Text(f"{_name(r, lang)} {r['quantity']:+d} ({r['reason']})") for r in report["stock_adjustments"]] \
        or [Text(_("None"))]
    cash = report["cash"]
    blocks += [Rule(), heading(_("Cash")), Pair(_("Opening float"), money(cash["float_fen"])),
               Pair(_("Net cash takings"), money(cash["net_cash_fen"])),
               Pair(_("Handed over"), money(-cash["handed_over_fen"]))]
    blocks += [Text(f"  {money(h['amount_fen'])} {h['handed_by']} → {h['received_by']}") for h in report["handovers"]]
    blocks += [Pair(_("Expected cash"), money(cash["expected_fen"]), bold=True),
               Pair(_("Counted cash"), money(cash["counted_fen"]), bold=True),
               Pair(_("Variance"), money(cash["variance_fen"]), bold=True)]
    return blocks


def eod_receipt(db: sqlite_utils.Database, report: dict, report_no: str, at: str, actor: str, lang: str) -> Receipt:
    """The printed end-of-day report."""
    return Receipt(kind="eod", lang=lang, title=gettext("End-of-day report", lang), number=report_no,
                   header=header_lines(db, lang, at, actor),
                   blocks=tuple(report_blocks(db, report, lang)))
