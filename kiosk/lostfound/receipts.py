"""Lost-and-found slips: the item tag, the claim receipt and the handover list for signing."""
from __future__ import annotations


import sqlite_utils

from kiosk.core import settings
from kiosk.core.i18n import gettext
from kiosk.printing.documents import QR, Feed, Pair, Receipt, Rule, Text, local_time


def _header(db, lang: str) -> tuple[str, ...]:
    return (settings.localized(db, "site_name", lang),)


def item_tag(db: sqlite_utils.Database, item_id: int, lang: str) -> Receipt:
    """Stuck on the item in storage: the reference as QR and big text."""
    row = db.execute("SELECT * FROM lf_items WHERE id = ?", (item_id,)).fetchone()
    cols = [d[0] for d in db.execute("SELECT * FROM lf_items LIMIT 0").description]
    item = dict(zip(cols, row))
    _ = lambda s: gettext(s, lang)  # noqa: E731
    return Receipt(
        kind="lftag", lang=lang, title=_("Lost property"), header=_header(db, lang),
        blocks=(Text(item["ref"], align="center", bold=True, size=2), QR(item["ref"]),
                Pair(_("Item"), item["description"]), Pair(_("Found"), local_time(db, item["found_at"])),
                Pair(_("Where found"), item["found_place"]), Pair(_("Storage place"), item["storage"]),
                Pair(_("Received by"), item["actor"])) + ((Text(_("HIGH VALUE: keep in the safe"), bold=True),)
                                                               if item["high_value"] else ()),
    )


def claim_receipt(db: sqlite_utils.Database, claim_id: int, lang: str, number: str) -> Receipt:
    """Given to the owner: what was returned, to whom, checked against which document."""
    claim = next(db.query("SELECT c.*, i.ref, i.description, i.quantity FROM lf_claims c JOIN lf_items i"
                          " ON i.id = c.item_id WHERE c.id = ?", (claim_id,)))
    _ = lambda s: gettext(s, lang)  # noqa: E731
    return Receipt(
        kind="lfclaim", lang=lang, title=_("Lost property returned"), header=_header(db, lang), number=number,
        blocks=(Pair(_("Reference"), claim["ref"]), Pair(_("Item"), claim["description"]),
                Pair(_("Quantity"), str(claim["quantity"])), Rule(),
                Pair(_("Returned to"), claim["claimant_name"]), Pair(_("Document"), claim["id_number"]),
                Pair(_("Time"), local_time(db, claim["at"])), Pair(_("Handled by"), claim["actor"]),
                Text(_("Signed on the touchscreen; signature kept with the record.")), Feed()),
    )


def handover_list(db: sqlite_utils.Database, handover_id: int, lang: str, number: str) -> Receipt:
    """For the admin department to sign: every item handed over."""
    handover = next(db.query("SELECT * FROM lf_handovers WHERE id = ?", (handover_id,)))
    items = list(db.query("SELECT i.ref, i.description, i.quantity FROM lf_handover_items h JOIN lf_items i"
                          " ON i.id = h.item_id WHERE h.handover_id = ? ORDER BY i.id", (handover_id,)))
    _ = lambda s: gettext(s, lang)  # noqa: E731
    blocks = [Pair(_("Time"), local_time(db, handover["at"])), Pair(_("Handed over by"), handover["actor"]),
              Pair(_("Received by"), handover["received_by"]), Rule()]
    for item in items:
        blocks.append(Pair(item["ref"], f"x{item['quantity']}"))
        blocks.append(Text("  " + item["description"]))
    blocks += [Rule(), Pair(_("Items"), str(len(items))), Feed(2), Text(_("Received (signature):") + " ________"),
               Feed(2), Text(_("Handed over (signature):") + " ________")]
    return Receipt(kind="lfhandover", lang=lang, title=_("Unclaimed items handover"), header=_header(db, lang),
                   number=number, blocks=tuple(blocks))
