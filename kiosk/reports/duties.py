"""Today's duties: one list for staff across complaints, promised callbacks and lost-and-found handovers.

It reads three areas, so it lives here (kiosk.reports sits above them in the layers). Each duty has a
due moment; the list is in deadline order, overdue first. :func:`prompts` picks the duties the desk
is quietly prompted about: a 10-minute start or a 2-hour resolution about to be missed.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

import sqlite_utils

from kiosk.complaints import rules as R
from kiosk.complaints import service as complaints
from kiosk.core import settings
from kiosk.core.clock import Clock, parse_iso, utc_iso
from kiosk.lostfound import service as lostfound
from kiosk.phone import calllog

# kinds, with their msgids
KIND_LABELS = {"complaint_start": "Start handling", "complaint_resolve": "Resolve",
               "complaint_callback": "Call the customer back", "call_callback": "Promised callback",
               "lf_handover": "Hand over to admin"}


@dataclass(frozen=True)
class Duty:
    """One thing the desk owes someone, and by when."""

    kind: str          # a KIND_LABELS key
    record_table: str
    record_id: int
    ref: str           # what staff recognise it by: complaint ref, caller number, item ref
    summary: str
    due_at: str        # UTC ISO
    overdue: bool
    soon: bool
    major: bool = False


def _complaint_duties(db, now_iso: str, soon_iso: str) -> list[Duty]:
    out = []
    for c in complaints.open_complaints(db):
        if c.status == "open":
            kind, due = "complaint_start", c.start_due
        elif c.status == "started":
            kind, due = "complaint_resolve", c.resolve_due
        elif c.callback_required and not (c.callback_at and c.callback_outcome != "unreachable"):
            kind, due = "complaint_callback", c.callback_due
        else:
            continue
        out.append(Duty(kind, "complaints", c.id, c.ref, c.what[:80], due, due < now_iso, now_iso <= due < soon_iso,
                        c.major))
        if c.status == "open" and c.resolve_due < soon_iso:  # an unstarted one can also be about to miss resolution
            out.append(Duty("complaint_resolve", "complaints", c.id, c.ref, c.what[:80], c.resolve_due,
                            c.resolve_due < now_iso, now_iso <= c.resolve_due < soon_iso, c.major))
    return out


def today(db: sqlite_utils.Database, clock: Clock) -> list[Duty]:
    """Everything open, overdue first then by due time."""
    rules = R.load(db)
    now = clock.now()
    now_iso, soon_iso = utc_iso(now), utc_iso(now + timedelta(minutes=int(rules["soon_minutes"])))
    duties = _complaint_duties(db, now_iso, soon_iso)
    for note in calllog.open_callbacks(db):
        due = note["callback_due"]
        duties.append(Duty("call_callback", "call_notes", note["id"], note["caller_number"] or "", note["what"][:80],
                           due, due < now_iso, now_iso <= due < soon_iso))
    days = int(settings.get(db, "lostfound_handover_days"))
    for item in lostfound.held_items(db):
        due = utc_iso(parse_iso(item.created_at) + timedelta(days=days))
        if due < soon_iso or due[:10] <= now_iso[:10]:
            duties.append(Duty("lf_handover", "lf_items", item.id, item.ref, item.description[:80], due,
                               due < now_iso, now_iso <= due < soon_iso))
    return sorted(duties, key=lambda d: (not d.overdue, d.due_at, d.kind, d.record_id))


def prompts(db: sqlite_utils.Database, clock: Clock, duties: list[Duty] | None = None) -> list[Duty]:
    """Complaint starts and resolutions about to be missed (within the warning minutes, not yet past)."""
    rules = R.load(db)
    now = clock.now()
    now_iso = utc_iso(now)
    warn = {"complaint_start": utc_iso(now + timedelta(minutes=int(rules["warn_start_minutes"]))),
            "complaint_resolve": utc_iso(now + timedelta(minutes=int(rules["warn_resolve_minutes"])))}
    return [d for d in (duties if duties is not None else today(db, clock))
            if d.kind in warn and now_iso <= d.due_at <= warn[d.kind]]
