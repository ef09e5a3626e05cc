"""The reorder list as an order: what is at or below its reorder level, and how many to order to bring
it up to its par level (the `reorder_par_percent` setting, a share of the reorder level), on paper."""
from __future__ import annotations

from dataclasses import dataclass

import sqlite_utils

from kiosk.core import settings
from kiosk.core.i18n import gettext
from kiosk.counter.sales import Product, low_stock
from kiosk.printing.documents import Pair, Receipt, Rule, Text


@dataclass(frozen=True)
class ReorderLine:
    product: Product
    par: int
    suggested: int


def par_level(reorder_level: int, percent: int) -> int:
    """The stock to order up to: `percent` of the reorder level, always above the level itself."""
    return max(reorder_level + 1, -(-reorder_level * percent // 100))


def reorder_plan(db: sqlite_utils.Database) -> list[ReorderLine]:
    """Every low product with its par level and the quantity that reaches it (stock below zero after
    an oversell is ordered back too)."""
    percent = int(settings.get(db, "reorder_par_percent"))
    out = []
    for product in low_stock(db):
        par = par_level(product.reorder_level, percent)
        out.append(ReorderLine(product, par, max(0, par - product.stock)))
    return out


def reorder_slip(db: sqlite_utils.Database, lang: str, plan: list[ReorderLine], when: str) -> Receipt:
    """The reorder list on paper: product, in stock, par, and the quantity to order."""
    _ = lambda s: gettext(s, lang)  # noqa: E731
    blocks: list = []
    for line in plan:
        blocks.append(Pair(f"{line.product.sku}  {line.product.name(lang)}", _("order {n}").format(n=line.suggested)))
        blocks.append(Text("    " + _("in stock {n} / reorder at {level} / par {par}").format(
            n=line.product.stock, level=line.product.reorder_level, par=line.par)))
    if not plan:
        blocks.append(Text(_("Nothing is low on stock"), align="center"))
    blocks += [Rule(), Pair(_("Items to order"), str(len(plan))),
               Pair(_("Units to order"), str(sum(line.suggested for line in plan)))]
    return Receipt(kind="reorder", lang=lang, title=_("Reorder list"),
                   header=(settings.localized(db, "site_name", lang), when), blocks=tuple(blocks))
