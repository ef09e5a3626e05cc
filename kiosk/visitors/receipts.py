"""Visitor slips: the badge (name, host, time in, sign-out code as QR and text) and the on-site list."""
from __future__ import annotations


import sqlite_utils

from kiosk.core import settings
from kiosk.core.i18n import gettext
from kiosk.core.privacy import mask_name
from kiosk.printing.documents import QR, Pair, Receipt, Rule, Text, local_time


def badge(db: sqlite_utils.Database, visit_id: int, lang: str, tz: str | None = None) -> Receipt:
    _ = lambda s: gettext(s, lang)  # noqa: E731
    visit = next(db.query("SELECT * FROM visits WHERE id = ?", (visit_id,)))
    return Receipt(
        kind="badge", lang=lang, title=_("VISITOR"), header=(settings.localized(db, "site_name", lang),),
        blocks=(Text(mask_name(visit["name"]) if len(visit["name"]) > 3 else visit["name"], align="center", bold=True,
                     size=2),
                Pair(_("Visiting"), visit["host_name"]), Pair(_("Time in"), local_time(db, visit["signed_in_at"], "%H:%M", tz)),
                Pair(_("Party size"), str(visit["party_size"])), QR(f"SO:{visit['signout_code']}"),
                Text(_("Sign-out code") + " " + visit["signout_code"], align="center", bold=True)),
        footer=(_("Please sign out when you leave"),),
    )


def onsite_list(rows: list[dict], db: sqlite_utils.Database, lang: str, tz: str | None = None) -> Receipt:
    """For the evacuation roll call: everyone signed in and not out."""
    _ = lambda s: gettext(s, lang)  # noqa: E731
    blocks = []
    for row in rows:
        blocks.append(Pair(("[x] " if row.get("located") else "[ ] ") + row["name"], local_time(db, row["signed_in_at"], "%H:%M", tz)))
        blocks.append(Text("    " + row["host_name"] + (f"  ({row['party_size']})" if row["party_size"] > 1 else "")))
    blocks += [Rule(), Pair(_("People on site"), str(sum(r["party_size"] for r in rows)))]
    return Receipt(kind="onsite", lang=lang, title=_("On site now"),
                   header=(settings.localized(db, "site_name", lang),), blocks=tuple(blocks))
