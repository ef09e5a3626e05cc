"""Lost-and-found slips: the item tag, the claim receipt and the handover list for signing."""
from __future__ import annotations


import sqlite_utils

from datetime import date

from kiosk.core import settings
from kiosk.core.i18n import gettext
from kiosk.core.privacy import mask_phone
from kiosk.printing.documents import QR, Feed, Pair, Receipt, Rule, Text, local_time, picture_from_png

# What the owner confirms by signing: shown above the signature pad and printed on the claim slip (msgid).
CLAIM_CONFIRMATION = ("I have received the item above, as I described it, and confirm that it is mine.")


def _header(db, lang: str) -> tuple[str, ...]:
    return (settings.localized(db, "site_name", lang),)


def item_tag(db: sqlite_utils.Database, item_id: int, lang: str) -> Receipt:
    """Stuck on the item in storage: the reference as QR and big text."""
    row = db.execute("SELECT * FROM lf_items WHERE id = ?", (item_id,)).fetchone()
    cols = [d[0] for d in db.execute("SELECT * FROM lf_items LIMIT 0").description]
    item = dict(zip(cols, row))
    # The register as corrected: a tag reprinted after a move to the safe says where it is now.
    for field in ("description", "storage"):
        amended = db.execute("SELECT after FROM lf_amendments WHERE item_id = ? AND field = ? ORDER BY id DESC LIMIT 1",
                             (item_id, field)).fetchone()
        if amended:
            item[field] = amended[0]
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
    """Given to the owner: what was returned, how the owner described it next to the register, to whom
    (contact masked), checked against which document, and the sentence the owner signed."""
    claim = next(db.query("SELECT c.*, i.ref, i.description, i.quantity FROM lf_claims c JOIN lf_items i"
                          " ON i.id = c.item_id WHERE c.id = ?", (claim_id,)))
    # The description as it stood when the owner signed: a later correction never rewrites signed paper.
    amended = db.execute("SELECT after FROM lf_amendments WHERE item_id = ? AND field = 'description'"
                         " AND at <= ? ORDER BY id DESC LIMIT 1", (claim["item_id"], claim["at"])).fetchone()
    _ = lambda s: gettext(s, lang)  # noqa: E731
    # The owner's signature as drawn on the pad, printed under the sentence they signed (bounded in size
    # by the receipt model); a stored picture that cannot be read leaves the hash line alone.
    signature = picture_from_png(claim["signature_png"], caption="signature")
    return Receipt(
        kind="lfclaim", lang=lang, title=_("Lost property returned"), header=_header(db, lang), number=number,
        blocks=(Pair(_("Reference"), claim["ref"]), Pair(_("Item"), amended[0] if amended else claim["description"]),
                Pair(_("Quantity"), str(claim["quantity"])),
                Pair(_("Register says"), claim["register_features"] or "—"),
                Pair(_("Owner described"), claim["described_features"]),
                Pair(_("Quantity described"), str(claim["described_quantity"])), Rule(),
                Pair(_("Returned to"), claim["claimant_name"]), Pair(_("Contact"), mask_phone(claim["contact"])),
                Pair(_("Document"), claim["id_number"]),
                Pair(_("Time"), local_time(db, claim["at"])), Pair(_("Handled by"), claim["actor"]), Rule(),
                Text(_(CLAIM_CONFIRMATION)), *((signature,) if signature is not None else ()),
                Text(_("Signed on the touchscreen; signature kept with the record.")),
                Text(_("Signature record") + " " + claim["signature_sha256"][:16]), Feed()),
    )


def handover_list(db: sqlite_utils.Database, handover_id: int, lang: str, number: str) -> Receipt:
    """For the admin department to sign: every item handed over with when it was found, where it was
    kept and how many days it was held, then full-width signature lines."""
    handover = next(db.query("SELECT * FROM lf_handovers WHERE id = ?", (handover_id,)))
    items = list(db.query(
        "SELECT i.ref, COALESCE((SELECT a.after FROM lf_amendments a WHERE a.item_id = i.id AND a.field = 'description'"
        " ORDER BY a.id DESC LIMIT 1), i.description) AS description, i.quantity, i.found_at, COALESCE((SELECT a.after FROM lf_amendments a"
        " WHERE a.item_id = i.id AND a.field = 'storage' ORDER BY a.id DESC LIMIT 1), i.storage) AS storage"
        " FROM lf_handover_items h JOIN lf_items i ON i.id = h.item_id WHERE h.handover_id = ? ORDER BY i.id",
        (handover_id,)))
    _ = lambda s: gettext(s, lang)  # noqa: E731
    handed_on = date.fromisoformat(local_time(db, handover["at"], "%Y-%m-%d"))
    blocks = [Pair(_("Time"), local_time(db, handover["at"])), Pair(_("Handed over by"), handover["actor"]),
              Pair(_("Received by"), handover["received_by"]), Rule()]
    for item in items:
        found_on = local_time(db, item["found_at"], "%Y-%m-%d")
        held = (handed_on - date.fromisoformat(found_on)).days
        blocks.append(Pair(item["ref"], f"x{item['quantity']}"))
        blocks.append(Text("  " + item["description"]))
        blocks.append(Text("  " + _("found {date}, kept at {place}, held {days} days").format(
            date=found_on, place=item["storage"], days=held)))
    blocks += [Rule(), Pair(_("Items"), str(len(items))),
               Feed(2), Text(_("Received (signature):")), Feed(2), Rule("_"),
               Feed(2), Text(_("Handed over (signature):")), Feed(2), Rule("_")]
    return Receipt(kind="lfhandover", lang=lang, title=_("Unclaimed items handover"), header=_header(db, lang),
                   number=number, blocks=tuple(blocks))
