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
               "lf_handover": "Hand over to admin", "complaint_decide": "A manager decides: major or not",
               "complaint_close": "A manager closes it"}


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


def _complaint_duties(db, now_iso: str, soon_iso: str, limit: int | None = None, *, kinds: tuple[str, ...] = (),
                      until: str | None = None, since: str | None = None) -> list[Duty]:
    """The open complaints' duties from their index (migration 0040, kiosk.complaints.dueindex): soonest due
    first, at most `limit`; an index range, whatever the number of complaints left open. An unstarted
    complaint's resolution is listed only once it is due soon."""
    complaints.ensure_index(db)
    where, params = ["NOT (d.only_soon = 1 AND d.due >= ?)"], [soon_iso]
    if kinds:
        where.append(f"d.kind IN ({','.join('?' * len(kinds))})")
        params += list(kinds)
    if since is not None:
        where.append("d.due >= ?")
        params.append(since)
    if until is not None:
        where.append("d.due <= ?")
        params.append(until)
    sql = ("SELECT d.complaint_id, d.kind, d.due, d.major, c.ref, substr(c.what, 1, 80) FROM complaint_duties d"
           " CROSS JOIN complaints c ON c.id = d.complaint_id WHERE " + " AND ".join(where)
           + " ORDER BY d.due, d.kind, d.complaint_id")
    if limit is not None:
        sql += " LIMIT ?"
        params.append(int(limit))
    return [Duty(kind, "complaints", cid, ref, what or "", due, due < now_iso, now_iso <= due < soon_iso, bool(major))
            for cid, kind, due, major, ref, what in db.execute(sql, params)]


def today(db: sqlite_utils.Database, clock: Clock, limit: int | None = None, open_list: list | None = None) -> list[Duty]:
    """Everything open, overdue first then by due time (only the first `limit` when given: promised
    callbacks are then read soonest-due first up to the limit, not every one still open)."""
    rules = R.load(db)
    now = clock.now()
    now_iso, soon_iso = utc_iso(now), utc_iso(now + timedelta(minutes=int(rules["soon_minutes"])))
    # open_list is accepted for older callers and not needed: the duties come from their index
    duties = _complaint_duties(db, now_iso, soon_iso, limit)
    # Soonest due first is also overdue first: the first `limit` callbacks are all the list can show.
    for note in calllog.open_callbacks(db, limit=limit):
        due = note["callback_due"]
        duties.append(Duty("call_callback", "call_notes", note["id"], note["caller_number"] or "", note["what"][:80],
                           due, due < now_iso, now_iso <= due < soon_iso))
    days = int(settings.get(db, "lostfound_handover_days"))
    # Only items whose handover falls before `soon` or today (UTC date, as below) can be listed: read those.
    horizon = max(parse_iso(soon_iso), parse_iso(now_iso[:10] + "T00:00:00+00:00") + timedelta(days=1))
    # Handovers come due in registration order: with a limit, the oldest `limit` are all the list can show.
    for item in lostfound.held_created_before(db, utc_iso(horizon - timedelta(days=days)), limit=limit):
        due = utc_iso(parse_iso(item.created_at) + timedelta(days=days))
        if due < soon_iso or due[:10] <= now_iso[:10]:
            duties.append(Duty("lf_handover", "lf_items", item.id, item.ref, item.description[:80], due,
                               due < now_iso, now_iso <= due < soon_iso))
    ordered = sorted(duties, key=lambda d: (not d.overdue, d.due_at, d.kind, d.record_id))
    return ordered if limit is None else ordered[:limit]


@dataclass(frozen=True)
class Check:
    """The background duty check's answer: the prompts for staff at the desk, and how many deadlines need
    staff now (the count the signed-out home screen shows)."""
    prompts: list
    waiting: int


WAITING_CAP = 99  # the home screen says a number, not a report: counting stops here (an index range)


def waiting(db: sqlite_utils.Database, clock: Clock, cap: int = WAITING_CAP) -> int:
    """Complaint starts and resolutions about to be missed or already missed: what needs staff at the desk
    now. A missed deadline still needs them, so it keeps counting until the complaint is started or
    resolved (outside tester, issue 12: the notice went dark the minute a start was missed)."""
    now_iso = utc_iso(clock.now())
    complaints.ensure_index(db)
    (late,) = db.execute("SELECT COUNT(*) FROM (SELECT 1 FROM complaint_duties WHERE kind IN (?, ?) AND due < ?"
                         " LIMIT ?)", ["complaint_start", "complaint_resolve", now_iso, int(cap)]).fetchone()
    return min(int(cap), int(late) + len(prompts(db, clock)))


def check(db: sqlite_utils.Database, clock: Clock) -> Check:
    """Both answers of the background duty check (`prompts`, `waiting`)."""
    return Check(prompts(db, clock), waiting(db, clock))


def prompts(db: sqlite_utils.Database, clock: Clock, duties: list[Duty] | None = None) -> list[Duty]:
    """Complaint starts and resolutions about to be missed (within the warning minutes, not yet past)."""
    rules = R.load(db)
    now = clock.now()
    now_iso = utc_iso(now)
    warn = {"complaint_start": utc_iso(now + timedelta(minutes=int(rules["warn_start_minutes"]))),
            "complaint_resolve": utc_iso(now + timedelta(minutes=int(rules["warn_resolve_minutes"])))}
    if duties is None:  # only complaints can be prompted: callbacks and handovers are not read at all
        soon_iso = utc_iso(now + timedelta(minutes=int(rules["soon_minutes"])))
        # only what falls due inside the longest warning: an index range of the next few minutes
        duties = _complaint_duties(db, now_iso, soon_iso, kinds=tuple(warn), since=now_iso, until=max(warn.values()))
    return [d for d in duties if d.kind in warn and now_iso <= d.due_at <= warn[d.kind]]
