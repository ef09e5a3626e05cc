"""The customer's numbered slip for a complaint or request, in its own receipt series ("complaint")."""
from __future__ import annotations

import sqlite_utils

from kiosk.complaints import rules as R
from kiosk.complaints import service
from kiosk.complaints.workdays import add_working_days
from kiosk.core import settings
from kiosk.core.audit import Actor
from kiosk.core.clock import Clock, parse_iso, utc_iso
from kiosk.core.db import write
from kiosk.core.i18n import gettext
from kiosk.core.privacy import mask_name, mask_phone
from kiosk.printing import queue as printqueue
from kiosk.printing.documents import QR, Feed, Pair, Receipt, Rule, Text, local_time, receipt_number


def slip(db: sqlite_utils.Database, complaint_id: int, lang: str, number: str) -> Receipt:
    """What the customer keeps: the reference, what was taken, and by when the desk answers."""
    c = service.get(db, complaint_id)
    _ = lambda s: gettext(s, lang)  # noqa: E731
    blocks = [Text(c.ref, align="center", bold=True, size=2), QR(c.ref),
              Pair(_("Type"), _(R.KIND_LABELS[c.kind])), Pair(_("Category"), _(R.CATEGORY_LABELS[c.category])),
              Pair(_("Taken"), local_time(db, c.taken_at)), Pair(_("Taken by"), service_actor(db, complaint_id))]
    if c.customer_name:
        blocks.append(Pair(_("Customer"), mask_name(c.customer_name)))  # a slip can be lost: masked
    if c.customer_contact:
        blocks.append(Pair(_("Contact"), mask_phone(c.customer_contact) or "*"))
    # The matter, not the complaint's own words: the text names third parties, rooms and phone numbers
    # as often as not, and a slip can be lost (the full text stays in the register).
    blocks += [Rule(), Pair(_("Matter"), c.topic or c.place or "—"), Rule(),
               Pair(_("We start by"), local_time(db, c.start_due)),
               Pair(_("Resolved by"), local_time(db, _resolve_due(db, c)))]
    if c.major_proposed:  # the deadline it is held to once a manager accepts it, never the general 2 hours
        blocks.append(Text(_("Major complaint, a manager reviews it: resolved within {days} working days").format(
            days=R.load(db)["major_resolve_days"])))
    if c.estimated:
        blocks.append(Text(_("Deadlines estimated: no holiday data for a year they fall in (weekends only)")))
    blocks += [Text(_("Quote this number when you contact us.")), Feed()]
    return Receipt(kind="complaint", lang=lang, title=_("Complaint / request slip"),
                   header=(settings.localized(db, "site_name", lang),), number=number, blocks=tuple(blocks))


def _resolve_due(db: sqlite_utils.Database, c: service.Complaint) -> str:
    """By when the slip promises it resolved: a complaint waiting for a manager's major decision has the major
    deadline (working days from when it became major, as `service.decide_major` sets it), not the general one."""
    if not c.major_proposed:
        return c.resolve_due
    rules = R.load(db)
    due = add_working_days(parse_iso(c.major_since or c.taken_at), int(rules["major_resolve_days"]),
                           rules.calendar_for(c.kind), rules.hours, settings.site_timezone(db))
    return utc_iso(due)


def service_actor(db, complaint_id: int) -> str:
    """Who took the complaint, as stored."""
    return db.execute("SELECT actor FROM complaints WHERE id = ?", (complaint_id,)).fetchone()[0]


def print_slip(db: sqlite_utils.Database, clock: Clock, actor: Actor, terminal_id: str, complaint_id: int,
               lang: str = "zh_CN") -> int:
    """Queue the complaint's slip; returns the print job id. A complaint has one slip number, as a sale has one
    receipt: the first press numbers the slip; a press while a slip waits for the printer (a jam is retried)
    queues nothing more; a held one goes back in the queue; after that, a reprint marked with who and when,
    under the same number, in `lang` and as the complaint stands now."""
    with write(db):
        jobs = printqueue.for_record(db, "complaints", complaint_id)
        if not jobs:
            number = receipt_number(db, terminal_id, "complaint")
            return printqueue.enqueue(db, clock, actor, slip(db, complaint_id, lang, number),
                                      record_table="complaints", record_id=complaint_id)
        waiting = [j for j in jobs if j.status in printqueue.LIVE + ("held",)]
        if waiting:
            if waiting[-1].status == "held":
                printqueue.retry(db, clock, actor, waiting[-1].id)
            return waiting[-1].id
        return printqueue.reprint(db, clock, actor, jobs[0].id,
                                  receipt=slip(db, complaint_id, lang, jobs[0].receipt_no))
