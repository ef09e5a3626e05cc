"""Receipts for the counters, built from the stored records: sale, fee, void/refund slip."""
from __future__ import annotations


import sqlite_utils

from kiosk.core import settings
from kiosk.core.i18n import gettext
from kiosk.printing.documents import QR, Item, Pair, Receipt, Rule, Text, local_time, money

METHOD_LABELS = {"cash": "Cash", "card": "Bank card", "mobile": "Mobile payment"}  # msgids


def header_lines(db, lang: str, at: str, actor: str) -> tuple[str, ...]:
    """Site name, then local time and who served."""
    return (settings.localized(db, "site_name", lang), f"{local_time(db, at)}  {actor}")


def _payment_blocks(_, method: str, amount: int, tendered: int | None, change: int | None, reference: str):
    blocks = [Pair(_(METHOD_LABELS[method]), money(amount))]
    if method == "cash" and tendered is not None:
        blocks += [Pair(_("Tendered"), money(tendered)), Pair(_("Change"), money(change or 0))]
    elif reference:
        blocks.append(Pair(_("Transaction ref."), reference))
    return blocks


def sale_receipt(db: sqlite_utils.Database, sale_id: int, lang: str) -> Receipt:
    _ = lambda s: gettext(s, lang)  # noqa: E731
    sale = next(db.query("SELECT * FROM sales WHERE id = ?", (sale_id,)))
    pay = next(db.query("SELECT * FROM payments WHERE sale_id = ?", (sale_id,)))
    lines = [Item(r["name"], r["quantity"], r["unit_fen"], r["total_fen"])
             for r in db.query("SELECT * FROM sale_lines WHERE sale_id = ? ORDER BY id", (sale_id,))]
    blocks = lines + [Rule(), Pair(_("Total"), money(sale["total_fen"]), bold=True)]
    blocks += _payment_blocks(_, pay["method"], pay["amount_fen"], pay["tendered_fen"], pay["change_fen"],
                              pay["reference"])
    blocks += [QR(sale["receipt_no"])]
    return Receipt(kind="sale", lang=lang, title=_("Sales receipt"), number=sale["receipt_no"],
                   header=header_lines(db, lang, sale["at"], sale["actor"]), blocks=tuple(blocks),
                   footer=(_("Thank you"),))


def fee_receipt(db: sqlite_utils.Database, collection_id: int, lang: str) -> Receipt:
    _ = lambda s: gettext(s, lang)  # noqa: E731
    fee = next(db.query("SELECT c.*, t.name_zh, t.name_en FROM fee_collections c JOIN fee_types t"
                        " ON t.id = c.fee_type_id WHERE c.id = ?", (collection_id,)))
    blocks = [Pair(_("Payer"), fee["payer"])]
    if fee["member_no"]:
        blocks.append(Pair(_("Member no."), fee["member_no"]))
    blocks.append(Pair(_("Fee"), fee["name_zh"] if lang == "zh_CN" else fee["name_en"]))
    if fee["period"]:
        blocks.append(Pair(_("Period"), fee["period"]))
    blocks += [Rule(), Pair(_("Amount"), money(fee["amount_fen"]), bold=True)]
    blocks += _payment_blocks(_, fee["method"], fee["amount_fen"], fee["tendered_fen"], fee["change_fen"],
                              fee["reference"])
    return Receipt(kind="fee", lang=lang, title=_("Fee receipt"), number=fee["receipt_no"],
                   header=header_lines(db, lang, fee["at"], fee["actor"]), blocks=tuple(blocks),
                   footer=(_("Please keep this receipt"),))


def reversal_slip(db: sqlite_utils.Database, reversal_id: int, lang: str) -> Receipt:
    _ = lambda s: gettext(s, lang)  # noqa: E731
    rev = next(db.query("SELECT r.*, s.receipt_no AS sale_no FROM sale_reversals r JOIN sales s ON s.id = r.sale_id"
                        " WHERE r.id = ?", (reversal_id,)))
    lines = [Item(r["name"], r["quantity"], r["unit_fen"], r["total_fen"])
             for r in db.query("SELECT l.name, r.quantity, l.unit_fen, r.total_fen FROM reversal_lines r"
                               " JOIN sale_lines l ON l.id = r.sale_line_id WHERE r.reversal_id = ? ORDER BY r.id",
                               (reversal_id,))]
    title = _("Void slip") if rev["kind"] == "void" else _("Refund slip")
    blocks = [Pair(_("Original receipt"), rev["sale_no"])] + lines + [
        Rule(), Pair(_("Returned to the customer"), money(-rev["amount_fen"]), bold=True),
        Pair(_(METHOD_LABELS[rev["method"]]), money(-rev["amount_fen"])),
        Pair(_("Approved by"), rev["approver"]), Text(_("Reason:") + " " + rev["reason"])]
    return Receipt(kind=rev["kind"], lang=lang, title=title, number=rev["receipt_no"],
                   header=header_lines(db, lang, rev["at"], rev["actor"]), blocks=tuple(blocks))


def fee_void_slip(db: sqlite_utils.Database, void_id: int, lang: str) -> Receipt:
    _ = lambda s: gettext(s, lang)  # noqa: E731
    row = next(db.query("SELECT v.*, c.receipt_no AS fee_no, c.amount_fen, c.method, c.payer, t.name_zh, t.name_en"
                        " FROM fee_voids v JOIN fee_collections c ON c.id = v.collection_id"
                        " JOIN fee_types t ON t.id = c.fee_type_id WHERE v.id = ?", (void_id,)))
    blocks = [Pair(_("Original receipt"), row["fee_no"]), Pair(_("Payer"), row["payer"]),
              Pair(_("Fee"), row["name_zh"] if lang == "zh_CN" else row["name_en"]), Rule(),
              Pair(_("Returned to the customer"), money(-row["amount_fen"]), bold=True),
              Pair(_(METHOD_LABELS[row["method"]]), money(-row["amount_fen"])),
              Pair(_("Approved by"), row["approver"]), Text(_("Reason:") + " " + row["reason"])]
    return Receipt(kind="feevoid", lang=lang, title=_("Fee void slip"), number=row["receipt_no"],
                   header=header_lines(db, lang, row["at"], row["actor"]), blocks=tuple(blocks))
