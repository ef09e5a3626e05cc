"""Taking complaints and service requests, and everything that happens to one, as new records.

A complaint row is what was taken (who, what, where, class, deadlines fixed at that moment with the
calendar then in force); everything after is a ``complaint_events`` row: started, escalated (a staff
proposal that it is major), major accepted or declined (a manager), resolved (what was done, and
whether and by when the customer is to be called back), the callback with its outcome, closed
(a manager for a major complaint). Nothing is edited; the status is the newest relevant event.
"""
from __future__ import annotations

import unicodedata
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Callable
from zoneinfo import ZoneInfo

import sqlite_utils

from kiosk.complaints import dueindex
from kiosk.complaints import rules as R
from kiosk.complaints.topics import topic_key  # noqa: F401 (the grouping key, also service.topic_key)
from kiosk.complaints.workdays import (BASIS_MANUAL, BASIS_ESTIMATED, add_working_days, add_working_minutes,
                                      worst_basis)
from kiosk.core import audit
from kiosk.core.audit import Actor
from kiosk.core.clock import Clock, parse_iso, utc_iso
from kiosk.core.db import write
from kiosk.core.errors import Refusal
from kiosk.core.series import next_number
from kiosk.core.text import clean_text

MAX_WHAT = 1000
STATUSES = ("open", "started", "resolved", "closed")
STATUS_LABELS = {"open": "Waiting to start", "started": "Being handled", "resolved": "Resolved", "closed": "Closed"}

# The privacy inventory entry of this register: personal columns and how long they are kept.
PERSONAL_DATA = {"table": "complaints", "columns": ("customer_name", "customer_contact", "what"),
                 "retention_setting": "complaint_retention_days", "anonymised_column": "anonymised_at"}


class ComplaintError(Refusal, ValueError):
    """A refused complaint change (a Refusal); `field` names the argument it is about."""


def _clean(text: str | None, label: str, field: str, *, required: bool = False, limit: int = 200,
           multiline: bool = False) -> str:
    return clean_text(text, label, required=required, limit=limit, multiline=multiline,
                      refuse=lambda message, _label: ComplaintError(message, field=field))


def _choice(value: str, choices: tuple[str, ...], field: str) -> str:
    if value not in choices:
        raise ComplaintError("{field} must be one of {choices}", field=field, choices=", ".join(choices))
    return value


def _customer_key(c: "Complaint | _Matter") -> str:
    """Who complained, for "five or more customers": the contact's digits, else the name; unknown ones are
    each their own customer (a desk often takes a complaint without a name)."""
    digits = "".join(ch for ch in unicodedata.normalize("NFKC", c.customer_contact or "") if ch.isdigit())
    if len(digits) >= 5:
        return "tel:" + digits[-11:]
    name = "".join(unicodedata.normalize("NFKC", c.customer_name or "").casefold().split())
    return "name:" + name if name else f"id:{c.id}"


@dataclass(frozen=True)
class Complaint:
    """One complaint as the desk sees it now (its row plus what its events say)."""

    id: int
    ref: str
    taken_at: str
    kind: str
    category: str
    responsibility: str
    customer_name: str
    customer_contact: str
    what: str
    place: str
    topic: str
    call_note_id: int | None
    status: str
    major: bool               # accepted as major by a manager
    major_proposed: bool      # escalated, waiting for a manager
    major_reason: str | None
    start_due: str
    resolve_due: str
    started_at: str | None
    resolved_at: str | None
    outcome: str | None
    callback_required: bool
    callback_due: str | None
    callback_at: str | None
    callback_outcome: str | None
    closed_at: str | None
    calendar_source: str
    anonymised: bool
    declined: tuple[str, ...] = ()  # the reasons a manager declined as major (not proposed again for them)
    deadline_basis: str = "package"  # the least certain basis of its deadlines (workdays.BASES)
    major_since: str | None = None   # when it became major: proposed (or taken as major); its 2 working days run from then

    @property
    def estimated(self) -> bool:
        """True when a deadline spans a year with no holiday data (weekends only): say so on screen."""
        return self.deadline_basis == BASIS_ESTIMATED


def take(db: sqlite_utils.Database, clock: Clock, actor: Actor, tz: str, *, kind: str, category: str,
         responsibility: str, what: str, customer_name: str = "", customer_contact: str = "", place: str = "",
         topic: str = "", call_note_id: int | None = None, major_reason: str | None = None) -> int:
    """Take a complaint or service request; its start and resolution deadlines are fixed now, counted from
    now or, opened from a call note, from the note's time (when the customer complained)."""
    _choice(kind, R.KINDS, "kind")
    _choice(category, R.CATEGORIES, "category")
    _choice(responsibility, R.RESPONSIBILITIES, "responsibility")
    if major_reason is not None:
        _choice(major_reason, R.MAJOR_REASONS, "major_reason")
    what = _clean(what, "complaint details", "what", required=True, limit=1000, multiline=True)  # MAX_WHAT
    name = _clean(customer_name, "customer name", "customer_name", limit=60)
    contact = _clean(customer_contact, "customer contact", "customer_contact", limit=60)
    place = _clean(place, "complaint place", "place", limit=120)
    topic = _clean(topic, "topic", "topic", limit=60) or place
    rules = R.load(db)
    now = clock.now()
    since = _complained_at(db, call_note_id, now)
    calendar = rules.calendar_for(kind)
    start_minutes = rules["request_start_minutes"] if kind == "request" else rules["start_minutes"]
    start_due = add_working_minutes(since, int(start_minutes), calendar, rules.hours, tz)
    if kind == "request":
        resolve_due = add_working_days(since, int(rules["request_resolve_days"]), calendar, rules.hours, tz)
    else:
        resolve_due = add_working_minutes(since, int(rules["general_resolve_minutes"]), calendar, rules.hours, tz)
    # Judged from every day the deadlines span, not the day taken (31 December's deadline is in January).
    local = ZoneInfo(tz)
    basis = calendar.basis(since.astimezone(local), start_due.astimezone(local), resolve_due.astimezone(local))
    source = "fallback" if basis in (BASIS_MANUAL, BASIS_ESTIMATED) else "package"
    with write(db):
        if call_note_id is not None:
            if db.execute("SELECT 1 FROM call_notes WHERE id = ?", (call_note_id,)).fetchone() is None:
                raise ComplaintError("no such call note", field="call_note_id")
            if db.execute("SELECT 1 FROM complaints WHERE call_note_id = ?", (call_note_id,)).fetchone():
                raise ComplaintError("that call note already has a complaint", field="call_note_id")
        ref = f"TS{now.astimezone(ZoneInfo(tz)):%y%m}-{next_number(db, 'complaint'):05d}"
        cid = db.execute(
            "INSERT INTO complaints (ref, taken_at, channel, call_note_id, kind, category, responsibility, customer_name,"
            " customer_contact, what, place, topic, major, major_reason, start_due, resolve_due, calendar_source,"
            " deadline_basis, actor_id, actor) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (ref, utc_iso(now), "call" if call_note_id is not None else "counter", call_note_id, kind, category,
             responsibility, name, contact, what, place, topic, int(major_reason is not None), major_reason,
             utc_iso(start_due), utc_iso(resolve_due), source, basis, actor.id, actor.name)).lastrowid
        if major_reason is not None:
            _event(db, clock, actor, cid, "escalated", reason=major_reason)
        _sync(db, cid, tz)
        audit.record(db, clock, actor, "complaint.take", "complaints", cid, None,
                     {"ref": ref, "kind": kind, "category": category, "responsibility": responsibility,
                      "call_note_id": call_note_id, "major_reason": major_reason})
    return cid


def _complained_at(db, call_note_id: int | None, now: datetime) -> datetime:
    """When the customer complained: the time of the call note it is opened from (the desk took it on the
    phone; opening it from the note hours later does not restart its deadlines), else now."""
    row = None if call_note_id is None else \
        db.execute("SELECT at FROM call_notes WHERE id = ?", (call_note_id,)).fetchone()
    return min(parse_iso(row[0]), now) if row else now


def _event(db, clock: Clock, actor: Actor, cid: int, kind: str, *, note: str = "", outcome: str | None = None,
           reason: str | None = None, resolve_due: str | None = None, callback_due: str | None = None,
           callback_required: int | None = None, basis: str | None = None) -> int:
    return db.execute(
        "INSERT INTO complaint_events (complaint_id, at, kind, note, outcome, reason, resolve_due, callback_due,"
        " callback_required, deadline_basis, actor_id, actor) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        (cid, utc_iso(clock.now()), kind, note, outcome, reason, resolve_due, callback_due, callback_required,
         basis, actor.id, actor.name)).lastrowid


def _sync(db, complaint_id: int, tz: str | None = None) -> None:
    """Rewrite the complaint's duties in the index (dueindex), inside the caller's transaction."""
    from kiosk.core import settings
    dueindex.sync(db, get(db, complaint_id), R.load(db), tz or settings.site_timezone(db))


def ensure_index(db: sqlite_utils.Database, tz: str | None = None) -> int:
    """Fill the duty index for open complaints it does not cover yet (after migration 0040 or a repair);
    one indexed probe when there are none. Returns how many were filled."""
    from kiosk.core import settings
    if db.execute("SELECT 1 FROM complaints_open WHERE next_due IS NULL LIMIT 1").fetchone() is None:
        return 0
    load = lambda ids: _views(db, _rows_by_id(db, ids))  # noqa: E731
    return dueindex.backfill(db, load, R.load(db), tz or settings.site_timezone(db))


def _rows_by_id(db, ids: list[int]) -> list[dict]:
    rows: list[dict] = []
    for start in range(0, len(ids), 500):
        part = ids[start:start + 500]
        rows += list(db.query(f"SELECT * FROM complaints WHERE id IN ({','.join('?' * len(part))})", part))
    order = {i: n for n, i in enumerate(ids)}
    return sorted(rows, key=lambda r: order[r["id"]])


def open_count(db: sqlite_utils.Database) -> int:
    """How many complaints are not closed (a count of the open index's keys)."""
    return db.execute("SELECT COUNT(*) FROM complaints_open").fetchone()[0]


def open_page(db: sqlite_utils.Database, limit: int = 100, offset: int = 0) -> list[Complaint]:
    """One page of the open complaints, the soonest (most overdue) deadline first: an index range of
    `limit` rows, whatever the number of complaints left open."""
    ensure_index(db)
    ids = [r[0] for r in db.execute("SELECT complaint_id FROM complaints_open ORDER BY next_due, complaint_id"
                                    " LIMIT ? OFFSET ?", (max(0, int(limit)), max(0, int(offset))))]
    return _views(db, _rows_by_id(db, ids))


def get(db: sqlite_utils.Database, complaint_id: int) -> Complaint:
    """The complaint now; ComplaintError when there is none."""
    rows = list(db.query("SELECT * FROM complaints WHERE id = ?", (complaint_id,)))
    if not rows:
        raise ComplaintError("no such complaint", field="complaint_id")
    events = list(db.query("SELECT * FROM complaint_events WHERE complaint_id = ? ORDER BY id", (complaint_id,)))
    return _view(rows[0], events)


def _view(row: dict, events: list[dict]) -> Complaint:
    last = {}
    declined: list[str] = []
    major = proposed = False
    since = None
    reason = row["major_reason"]
    resolve_due = row["resolve_due"]
    # rows before migration 0030 have no basis: their stored source says package or weekends-only
    bases = [row.get("deadline_basis") or ("estimated" if row["calendar_source"] == "fallback" else "package")]
    for ev in events:
        last[ev["kind"]] = ev
        if ev.get("deadline_basis"):
            bases.append(ev["deadline_basis"])
        if ev["kind"] == "escalated":
            proposed, reason, since = True, ev["reason"], ev["at"]
        elif ev["kind"] == "major_accepted":
            major, proposed, resolve_due = True, False, ev["resolve_due"] or resolve_due
        elif ev["kind"] == "major_declined":
            proposed = False
            declined.append(ev["reason"] or reason or "")
    # "Not resolved" is an attempt, not a resolution: the complaint stays being handled (a real resolution
    # can follow, the month rule still watches it, no callback is owed yet, it never counts as on time).
    attempt, callback = last.get("resolved"), last.get("callback")
    resolved = attempt if attempt is not None and attempt["outcome"] != "not_resolved" else None
    status = ("closed" if "closed" in last else "resolved" if resolved is not None
              else "started" if "started" in last else "open")
    return Complaint(
        id=row["id"], ref=row["ref"], taken_at=row["taken_at"], kind=row["kind"], category=row["category"],
        responsibility=row["responsibility"], customer_name=row["customer_name"],
        customer_contact=row["customer_contact"], what=row["what"], place=row["place"], topic=row["topic"],
        call_note_id=row["call_note_id"], status=status, major=major, major_proposed=proposed,
        major_reason=reason if (major or proposed) else None, start_due=row["start_due"], resolve_due=resolve_due,
        started_at=last["started"]["at"] if "started" in last else None,
        resolved_at=resolved["at"] if resolved else None, outcome=attempt["outcome"] if attempt else None,
        callback_required=bool(resolved and resolved["callback_required"]),
        callback_due=resolved["callback_due"] if resolved else None,
        callback_at=callback["at"] if callback else None, callback_outcome=callback["outcome"] if callback else None,
        closed_at=last["closed"]["at"] if "closed" in last else None, calendar_source=row["calendar_source"],
        anonymised=row["anonymised_at"] is not None, declined=tuple(declined), deadline_basis=worst_basis(*bases),
        major_since=since if (major or proposed) else None)


EVENT_LABELS = {"started": "Handling started", "escalated": "Proposed as major", "major_accepted": "Accepted as major",
                "major_declined": "Not major", "resolved": "Resolution recorded", "callback": "Customer called back",
                "closed": "Closed"}  # msgids


def history(db: sqlite_utils.Database, complaint_id: int, limit: int = 50) -> list[dict]:
    """What happened to a complaint after it was taken, oldest first: when, what, who, the note and the
    outcome (the records themselves: resolution and callback are events, never edits)."""
    return list(db.query("SELECT at, kind, actor, note, outcome, reason FROM complaint_events WHERE complaint_id = ?"
                         " ORDER BY id LIMIT ?", (complaint_id, limit)))


def all_between(db: sqlite_utils.Database, start_iso: str, end_iso: str) -> list[Complaint]:
    """Complaints taken in [start, end), oldest first."""
    rows = list(db.query("SELECT * FROM complaints WHERE taken_at >= ? AND taken_at < ? ORDER BY id",
                         (start_iso, end_iso)))
    return _views(db, rows)


def _views(db, rows: list[dict]) -> list[Complaint]:
    if not rows:
        return []
    ids = [r["id"] for r in rows]
    events: dict[int, list[dict]] = {i: [] for i in ids}
    for chunk in range(0, len(ids), 500):  # bounded IN lists
        part = ids[chunk:chunk + 500]
        for ev in db.query(f"SELECT * FROM complaint_events WHERE complaint_id IN ({','.join('?' * len(part))})"
                           " ORDER BY id", part):
            events[ev["complaint_id"]].append(ev)
    return [_view(r, events[r["id"]]) for r in rows]


def open_complaints(db: sqlite_utils.Database) -> list[Complaint]:
    """Complaints not closed (a resolved one stays open until its callback or close), oldest first."""
    # Through complaints_open (kept by triggers, migration 0018): the duty prompt's timer reads this on the
    # UI thread, so it must cost the open complaints, not every complaint ever taken.
    rows = list(db.query("SELECT c.* FROM complaints_open o CROSS JOIN complaints c ON c.id = o.complaint_id ORDER BY o.complaint_id"))
    return _views(db, rows)


def for_call_note(db: sqlite_utils.Database, note_id: int) -> int | None:
    """The complaint opened from this call note (the link back from the call log)."""
    row = db.execute("SELECT id FROM complaints WHERE call_note_id = ?", (note_id,)).fetchone()
    return row[0] if row else None


def for_calls(db: sqlite_utils.Database, call_ids: list[int]) -> dict[int, tuple[int, str]]:
    """The complaints opened from notes of these calls, {call id: (complaint id, ref)}: the phone screen's
    link to them (the first complaint of a call when its notes opened several). Indexed, chunked lookups."""
    out: dict[int, tuple[int, str]] = {}
    ids = sorted({int(i) for i in call_ids})
    for start in range(0, len(ids), 500):
        part = ids[start:start + 500]
        for call_id, cid, ref in db.execute(
                "SELECT n.call_id, c.id, c.ref FROM call_notes n JOIN complaints c ON c.call_note_id = n.id"
                f" WHERE n.call_id IN ({','.join('?' * len(part))}) ORDER BY c.id", part).fetchall():
            out.setdefault(call_id, (cid, ref))
    return out


def call_of(db: sqlite_utils.Database, note_id: int | None) -> dict | None:
    """The call behind a complaint's note (when it started, the caller's number, the note's category),
    for the complaint's own screen: None for a complaint taken at the counter or a note without a call."""
    if note_id is None:
        return None
    rows = list(db.query("SELECT n.id AS note_id, n.category, n.at AS noted_at, n.caller_number, c.id AS call_id,"
                         " c.started_at FROM call_notes n LEFT JOIN calls c ON c.id = n.call_id WHERE n.id = ?",
                         (note_id,)))
    return rows[0] if rows else None


def from_call_note(db: sqlite_utils.Database, note_id: int) -> dict:
    """What a call note already says, to fill a new complaint's form (complaint or repair notes)."""
    rows = list(db.query("SELECT * FROM call_notes WHERE id = ?", (note_id,)))
    if not rows:
        raise ComplaintError("no such call note", field="call_note_id")
    note = rows[0]
    if note["category"] not in ("complaint", "repair"):
        raise ComplaintError("only a complaint or repair note opens a complaint", field="call_note_id")
    repair = note["category"] == "repair"
    return {"call_note_id": note_id, "kind": "request" if repair else "complaint",
            "category": "repair" if repair else "service", "customer_name": note["caller_name"] or "",
            "customer_contact": note["caller_number"] or "", "what": note["what"], "place": note["place"] or ""}


def _open_for_change(db, complaint_id: int) -> Complaint:
    c = get(db, complaint_id)
    if c.status == "closed":
        raise ComplaintError("that complaint is closed")
    return c


def start(db: sqlite_utils.Database, clock: Clock, actor: Actor, complaint_id: int, note: str = "") -> None:
    """Handling has begun (the 10-minute deadline)."""
    note = _clean(note, "complaint note", "note", limit=500, multiline=True)
    with write(db):
        c = _open_for_change(db, complaint_id)
        if c.started_at:
            raise ComplaintError("handling has already started")
        _event(db, clock, actor, complaint_id, "started", note=note)
        _sync(db, complaint_id)
        audit.record(db, clock, actor, "complaint.start", "complaints", complaint_id)


def escalate(db: sqlite_utils.Database, clock: Clock, actor: Actor, complaint_id: int, reason: str,
             note: str = "") -> None:
    """Propose that a complaint is major (for a manager to accept or decline)."""
    _choice(reason, R.MAJOR_REASONS, "reason")
    note = _clean(note, "complaint note", "note", limit=500, multiline=True)
    with write(db):
        c = _open_for_change(db, complaint_id)
        if c.major or c.major_proposed:
            raise ComplaintError("that complaint is already major or waiting for a manager")
        _event(db, clock, actor, complaint_id, "escalated", note=note, reason=reason)
        _sync(db, complaint_id)
        audit.record(db, clock, actor, "complaint.escalate", "complaints", complaint_id, None, {"reason": reason})


def _manager(actor: Actor) -> None:
    if not actor.is_manager:
        raise ComplaintError("a manager must do this")


def decide_major(db: sqlite_utils.Database, clock: Clock, actor: Actor, tz: str, complaint_id: int, accept: bool,
                 note: str = "") -> None:
    """A manager accepts a proposed major complaint or declines it. Its 2 working days run from when it became
    major (taken as major, or proposed), not from the manager's decision: a late decision does not buy time."""
    _manager(actor)
    note = _clean(note, "complaint note", "note", limit=500, multiline=True)
    rules = R.load(db)
    with write(db):
        c = _open_for_change(db, complaint_id)
        if not c.major_proposed:
            raise ComplaintError("that complaint is not waiting for a manager")
        if accept:
            calendar, since = rules.calendar_for(c.kind), parse_iso(c.major_since or c.taken_at)
            due = add_working_days(since, int(rules["major_resolve_days"]), calendar, rules.hours, tz)
            local = ZoneInfo(tz)
            _event(db, clock, actor, complaint_id, "major_accepted", note=note, reason=c.major_reason,
                   resolve_due=utc_iso(due), basis=calendar.basis(since.astimezone(local), due.astimezone(local)))
        else:
            # the reason declined is kept so that the kiosk does not propose it again for the same reason
            _event(db, clock, actor, complaint_id, "major_declined", note=note, reason=c.major_reason)
        _sync(db, complaint_id, tz)
        audit.record(db, clock, actor, "complaint.major", "complaints", complaint_id, None, {"accepted": accept})


def resolve(db: sqlite_utils.Database, clock: Clock, actor: Actor, tz: str, complaint_id: int, outcome: str,
            what_was_done: str) -> None:
    """What was done; sets whether and by when the customer is called back.

    Every company-responsibility complaint and every request gets a callback; assisted ones are sampled
    so that at least the configured share (30 %) of the month's resolved assisted complaints get one.
    """
    _choice(outcome, R.RESOLVE_OUTCOMES, "outcome")
    done = _clean(what_was_done, "what was done", "what_was_done", required=True, limit=1000, multiline=True)  # MAX_WHAT
    rules = R.load(db)
    now = clock.now()
    with write(db):
        c = _open_for_change(db, complaint_id)
        if c.resolved_at:
            raise ComplaintError("that complaint is already resolved")
        if c.major_proposed:
            raise ComplaintError("a manager must first decide whether it is major")
        days = None
        if outcome == "not_resolved":
            pass  # nothing to call back about yet: the callback follows the real resolution
        elif c.kind == "request":
            days = rules["request_callback_days"]
        elif c.responsibility == "company":
            days = rules["callback_days"]
        elif c.responsibility == "assisted" and _assisted_needs_sample(db, c.taken_at, tz,
                                                                       float(rules["assisted_callback_share"])):
            days = rules["assisted_callback_days"]
        calendar, local, basis, due = rules.calendar_for(c.kind), ZoneInfo(tz), None, None
        if days is not None:
            moment = add_working_days(now, int(days), calendar, rules.hours, tz)
            due, basis = utc_iso(moment), calendar.basis(now.astimezone(local), moment.astimezone(local))
        if not c.started_at:  # resolving at once is also starting (and so is trying)
            _event(db, clock, actor, complaint_id, "started")
        _event(db, clock, actor, complaint_id, "resolved", note=done, outcome=outcome, callback_due=due,
               callback_required=int(due is not None), basis=basis)
        # Nothing more is owed on a resolved or referred one that needs no callback: it closes now, or it
        # would stay open forever (a major one is closed by a manager; an unresolved one stays in sight).
        if due is None and not c.major and outcome != "not_resolved":  # a "not resolved" stays open, in sight
            _event(db, clock, actor, complaint_id, "closed")
        _sync(db, complaint_id, tz)
        audit.record(db, clock, actor, "complaint.resolve", "complaints", complaint_id, None,
                     {"outcome": outcome, "callback_due": due})


def _assisted_needs_sample(db, taken_at: str, tz: str, share: float) -> bool:
    """True when this assisted complaint must be called back to keep its month at the target share.

    The month is the one the complaint was *taken* in, the population the monthly report measures
    (a complaint taken on the 30th and resolved on the 2nd counts in the month it was taken)."""
    local = ZoneInfo(tz)
    first = parse_iso(taken_at).astimezone(local).replace(day=1, hour=0, minute=0, second=0, microsecond=0)
    following = (first + timedelta(days=32)).replace(day=1)
    row = db.execute(
        "SELECT COUNT(*), COALESCE(SUM(e.callback_required), 0) FROM complaint_events e JOIN complaints c"
        " ON c.id = e.complaint_id WHERE e.kind = 'resolved' AND e.outcome != 'not_resolved'"
        " AND c.responsibility = 'assisted' AND c.kind = 'complaint'"
        " AND c.taken_at >= ? AND c.taken_at < ?", (utc_iso(first), utc_iso(following))).fetchone()
    resolved, sampled = row
    return sampled < share * (resolved + 1) - 1e-9


def record_callback(db: sqlite_utils.Database, clock: Clock, actor: Actor, complaint_id: int, outcome: str,
                    note: str = "") -> None:
    """The customer was called back (or could not be reached); a general complaint then closes."""
    _choice(outcome, R.CALLBACK_OUTCOMES, "outcome")
    note = _clean(note, "complaint note", "note", limit=500, multiline=True)
    with write(db):
        c = _open_for_change(db, complaint_id)
        if not c.resolved_at:
            raise ComplaintError("resolve the complaint before calling back")
        if c.major_proposed:  # closing would bypass the manager's decision (a callback closes a general one)
            raise ComplaintError("a manager must first decide whether it is major")
        if c.callback_at and c.callback_outcome != "unreachable":
            raise ComplaintError("the callback is already recorded")
        _event(db, clock, actor, complaint_id, "callback", note=note, outcome=outcome)
        if not c.major and outcome != "unreachable":
            _event(db, clock, actor, complaint_id, "closed")
        _sync(db, complaint_id)
        audit.record(db, clock, actor, "complaint.callback", "complaints", complaint_id, None, {"outcome": outcome})


CALLBACK_OWED = "the customer must be called back first; a manager may close it if they cannot be reached"  # msgid
CLOSE_WHY = "say why the customer cannot be called back"  # msgid


def callback_owed(c: Complaint) -> bool:
    """Whether the customer is still to be called back (none recorded yet, or only "unreachable" tries)."""
    return c.callback_required and not (c.callback_at and c.callback_outcome != "unreachable")


def close(db: sqlite_utils.Database, clock: Clock, actor: Actor, complaint_id: int, note: str = "") -> None:
    """Close a resolved complaint; a major one, or one resolved as "not resolved" (its end: closed as
    unresolved, the outcome kept on the close), only by a manager. One whose callback is owed is not closed
    by staff (the callback stays on today's duties); a manager closes it, the customer unreachable, only
    with the reason on the close (audited as a callback skipped)."""
    note = _clean(note, "complaint note", "note", limit=500, multiline=True)
    with write(db):
        c = _open_for_change(db, complaint_id)
        unresolved = c.resolved_at is None and c.outcome == "not_resolved"
        if not c.resolved_at and not unresolved:
            raise ComplaintError("resolve the complaint before closing it")
        if c.major_proposed:
            raise ComplaintError("a manager must first decide whether it is major")
        skipped = callback_owed(c)
        if skipped and not actor.is_manager:
            raise ComplaintError(CALLBACK_OWED)
        if skipped and not note:
            raise ComplaintError(CLOSE_WHY, field="note")
        if c.major or unresolved:
            _manager(actor)
        _event(db, clock, actor, complaint_id, "closed", note=note, outcome="not_resolved" if unresolved else None)
        _sync(db, complaint_id)
        audit.record(db, clock, actor, "complaint.close", "complaints", complaint_id, None,
                     {"unresolved": unresolved, **({"callback_skipped": True} if skipped else {})})


TOPIC_LOOKBACK_WINDOWS = 7   # "five on one matter" looks back this many windows (7 days by default)
PROPOSAL_SCAN = 2000          # ... at most this many open complaints of that week
MONTH_PROPOSALS = 100         # month-old complaints proposed at once (the rest are counted)


@dataclass(frozen=True)
class Proposal:
    """The kiosk proposes escalation: which complaints, and why."""

    reason: str
    complaint_ids: tuple[int, ...]
    topic: str


@dataclass(frozen=True)
class _Matter:
    """What the "five customers" rule reads of one open complaint: a few columns, not its whole view."""

    id: int
    taken_at: str
    category: str
    topic: str
    place: str
    customer_name: str
    customer_contact: str


def _matter(c: Complaint) -> _Matter:
    return _Matter(c.id, c.taken_at, c.category, c.topic, c.place, c.customer_name, c.customer_contact)


def _groupable(c: Complaint) -> bool:
    """May join a "five customers" proposal: not major, not waiting for a manager, not resolved."""
    return not c.major and not c.major_proposed and c.status in ("open", "started")


def _recent_matters(db, since_iso: str) -> tuple[list[_Matter], list[int]]:
    """The newest PROPOSAL_SCAN groupable open complaints taken since `since_iso`, in one statement that reads
    their rows and their duty index, never their events (a refresh used to build up to 2,000 full views here,
    most of the section's UI-thread refresh on a busy week). Groupable per the index (dueindex.duties_of): it
    owes its start or resolution, not a manager's decision, and its duty rows say major = 0. Also returned:
    the ids whose index is not computed yet (next_due NULL), for the caller to judge from their views."""
    rows = db.execute(
        "SELECT c.id, c.taken_at, c.category, c.topic, c.place, c.customer_name, c.customer_contact, o.next_due"
        " FROM complaints c CROSS JOIN complaints_open o ON o.complaint_id = c.id WHERE c.taken_at >= ? AND"
        " (o.next_due IS NULL OR (EXISTS (SELECT 1 FROM complaint_duties d WHERE d.complaint_id = c.id AND d.kind IN (?, ?))"
        " AND NOT EXISTS (SELECT 1 FROM complaint_duties d WHERE d.complaint_id = c.id AND (d.kind = ? OR d.major = 1))))"
        " ORDER BY c.taken_at DESC LIMIT ?",
        (since_iso, dueindex.START, dueindex.RESOLVE, dueindex.DECIDE, PROPOSAL_SCAN)).fetchall()
    matters: list[_Matter] = []
    unknown: list[int] = []
    for cid, taken, category, topic, place, name, contact, next_due in rows:
        if next_due is None:
            unknown.append(cid)
        else:
            matters.append(_Matter(cid, taken, category, topic or "", place or "", name or "", contact or ""))
    return matters, unknown


def _declined_five(db, ids: list[int]) -> set[int]:
    """Which of these complaints a manager declined as "five customers" (the service writes the proposal's
    reason on every decline). Indexed, chunked lookups."""
    out: set[int] = set()
    for start in range(0, len(ids), 500):
        part = ids[start:start + 500]
        out |= {r[0] for r in db.execute(
            "SELECT DISTINCT complaint_id FROM complaint_events WHERE kind = 'major_declined'"
            f" AND reason = 'five_customers' AND complaint_id IN ({','.join('?' * len(part))})", part)}
    return out


def _window_holds(members: list[_Matter], who: dict[int, str], need: int, window: timedelta,
                  declined: set[int]) -> bool:
    """True when some `window` from one member's moment holds `need` customers (`who`: each member's customer
    key) and one member a manager has not declined for it. One pass with two pointers over the group sorted
    by time, not a window per member (that was quadratic: one customer's 2,000 complaints took seconds)."""
    timed = sorted((parse_iso(m.taken_at), m.id, who[m.id]) for m in members)
    counts: dict[str, int] = {}
    fresh = right = 0
    for moment, cid, who in timed:
        while right < len(timed) and timed[right][0] < moment + window:
            _, added, key = timed[right]
            counts[key] = counts.get(key, 0) + 1
            fresh += added not in declined
            right += 1
        if len(counts) >= need and fresh:
            return True
        # a later start with the same moment sees a subset of this window: dropping this member loses nothing
        counts[who] -= 1
        if not counts[who]:
            del counts[who]
        fresh -= cid not in declined
    return False


def _five_customers(matters: list[_Matter], declined_of: Callable[[list[int]], set[int]], need: int,
                    window: timedelta) -> list[Proposal]:
    """The "five customers on one matter" proposals: one per matter whose window holds `need` customers."""
    groups: dict[tuple, list[_Matter]] = {}
    # The matter is the topic typed, whatever category each clerk filed it under ("停水" as facilities, safety
    # or repair is one matter). A topic left empty defaulted to the place when taken: the place alone is not
    # a matter (five different complaints about one lobby), so those group only within one category.
    for m in sorted(matters, key=lambda m: m.id):
        key = topic_key(m.topic)
        if not key:
            continue
        typed = key != topic_key(m.place)
        groups.setdefault(("topic", key) if typed else ("place", m.category, key), []).append(m)
    out: list[Proposal] = []
    for members in groups.values():
        if len(members) < need:
            continue
        who = {m.id: _customer_key(m) for m in members}
        if len(set(who.values())) < need:  # too few customers in all: no window can hold them
            continue
        if _window_holds(members, who, need, window, declined_of([m.id for m in members])):
            out.append(Proposal("five_customers", tuple(m.id for m in members), members[0].topic))
    return out


def escalation_proposals(db: sqlite_utils.Database, clock: Clock, open_list: list | None = None) -> list[Proposal]:
    """Five open complaints on one topic within a day, or one open for a month, not yet major or proposed.

    A manager's decision holds: a topic declined as major is proposed again only when a complaint that
    was not part of the declined proposal joins the window; one declined after a month is not re-proposed.
    The topics are folded by :func:`kiosk.complaints.topics.topic_key` ("停水了" and "又停水了!!" are one).
    """
    rules = R.load(db)
    now = clock.now()
    window = timedelta(hours=int(rules["same_topic_hours"]))
    month = timedelta(days=int(rules["unresolved_major_days"]))
    if open_list is None:
        # Bounded reads (the banner refreshes with the screen, on the UI thread): the columns and due index of
        # the open complaints taken in the last few windows (a cluster older than that was proposed while it
        # formed), and the month-old ones (at most MONTH_PROPOSALS) from their index; full views only for
        # those and for any row whose index is not computed yet.
        ensure_index(db)
        matters, unknown = _recent_matters(db, utc_iso(now - window * TOPIC_LOOKBACK_WINDOWS))
        aged = [r[0] for r in db.execute(
            "SELECT complaint_id FROM complaints_open WHERE month_watch IS NOT NULL AND month_watch <= ?"
            " ORDER BY month_watch, complaint_id LIMIT ?", (utc_iso(now - month), MONTH_PROPOSALS))]
        views = _views(db, _rows_by_id(db, sorted(set(unknown) | set(aged))))
        unknown_ids = set(unknown)
        matters += [_matter(c) for c in views if c.id in unknown_ids and _groupable(c)]
        declined_of: Callable[[list[int]], set[int]] = lambda ids: _declined_five(db, ids)  # noqa: E731
    else:  # the open complaints, when the caller has already read them
        views = list(open_list)
        matters = [_matter(c) for c in views if _groupable(c)]
        refused = {c.id for c in views if "five_customers" in c.declined}
        declined_of = lambda ids: refused.intersection(ids)  # noqa: E731
    # Complaints and service requests alike: five residents reporting one leak are five on one matter.
    out = _five_customers(matters, declined_of, int(rules["same_topic_count"]), window)
    # A month unresolved: also one resolved as "not resolved" (dueindex.month_watched), never proposed again
    # once declined for it; at most MONTH_PROPOSALS (month_old_count says how many in all).
    aged_views = sorted((c for c in views if dueindex.month_watched(c) and now - parse_iso(c.taken_at) >= month),
                        key=lambda c: (c.taken_at, c.id))
    out += [Proposal("unresolved_month", (c.id,), c.topic) for c in aged_views[:MONTH_PROPOSALS]]
    return out


def month_old_count(db: sqlite_utils.Database, clock: Clock) -> int:
    """How many open complaints the month rule would propose (an index range count)."""
    rules = R.load(db)
    ensure_index(db)
    cutoff = utc_iso(clock.now() - timedelta(days=int(rules["unresolved_major_days"])))
    return db.execute("SELECT COUNT(*) FROM complaints_open WHERE month_watch IS NOT NULL AND month_watch <= ?",
                      (cutoff,)).fetchone()[0]


def set_calendar(db: sqlite_utils.Database, clock: Clock, actor: Actor, holidays: list[str],
                 makeup_days: list[str]) -> None:
    """A manager edits the fallback holiday and make-up day lists (ISO dates; audited as a setting)."""
    from datetime import date
    from kiosk.core import settings
    from kiosk.core.localday import FIRST_DAY, LAST_DAY
    _manager(actor)
    cleaned = {}
    for key, days in (("holidays", holidays), ("makeup_days", makeup_days)):
        out = set()
        for text in days:
            try:
                day = date.fromisoformat(str(text).strip())
            except ValueError:
                raise ComplaintError("a date looks like 2027-10-01", field=key) from None
            if not FIRST_DAY <= day <= LAST_DAY:   # 0001-01-01 would be stored, then overflow in deadline sums
                raise ComplaintError("{day} is outside the days a kiosk keeps records for ({first} to {last})",
                                     field=key, day=day, first=FIRST_DAY, last=LAST_DAY)
            out.add(day.isoformat())
        cleaned[key] = sorted(out)
    if set(cleaned["holidays"]) & set(cleaned["makeup_days"]):
        raise ComplaintError("a day cannot be both a holiday and a make-up working day", field="makeup_days")
    if len(cleaned["holidays"]) + len(cleaned["makeup_days"]) > 2000:
        raise ComplaintError("too many dates", field="holidays")
    settings.put(db, clock, actor, "complaint_calendar", cleaned)


# --- privacy: search, retention, erasure ---------------------------------------------------------------------
def find_person(db: sqlite_utils.Database, text: str, limit: int = 50) -> list[dict]:
    """Complaints naming this person (name or contact); for the privacy search. Nothing for empty text."""
    text = (text or "").strip()
    if not text:
        return []
    like = "%" + text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
    # the place and topic too (a desk writes "张先生家漏水"), also of an anonymised row (what is left in them)
    return list(db.query("SELECT id, ref, taken_at, customer_name, customer_contact FROM complaints"
                         " WHERE ((anonymised_at IS NULL AND (customer_name LIKE ? ESCAPE '\\'"
                         " OR customer_contact LIKE ? ESCAPE '\\')) OR place LIKE ? ESCAPE '\\'"
                         " OR topic LIKE ? ESCAPE '\\') ORDER BY id LIMIT ?", (like, like, like, like, limit)))


def _anonymise(db, clock: Clock, where: str, params: tuple) -> int:
    # The free text goes with the name and contact: it names people as often as not (migration 0021);
    # so do the follow-up notes and the printed slip (migration 0028, inventory.TRAILS).
    from kiosk.core import erasure
    ids = [r[0] for r in db.execute(f"SELECT id FROM complaints WHERE anonymised_at IS NULL AND {where}", params)]
    if not ids:
        return 0
    count = 0
    for start in range(0, len(ids), 500):
        chunk = ids[start:start + 500]
        marks = ",".join("?" * len(chunk))
        _cut_from_matter(db, chunk)
        count += db.execute("UPDATE complaints SET customer_name = '', customer_contact = '', what = '',"
                            f" anonymised_at = ? WHERE anonymised_at IS NULL AND id IN ({marks})",
                            (utc_iso(clock.now()), *chunk)).rowcount
    erasure.blank_trails(db, "complaints", ids)
    return count


def _cut_from_matter(db, ids: list[int]) -> None:
    """Cut the complainant's own name and contact out of the place and topic ("欧阳娜娜家 5-1201"), which stay
    for the counts and the grouping (outside finding w5 2); inside an erasure guard (migration 0031)."""
    from kiosk.core import erasure
    from kiosk.core.uid import uuid7
    rows = db.execute(f"SELECT id, customer_name, customer_contact, place, topic FROM complaints WHERE id IN"
                      f" ({','.join('?' * len(ids))})", ids).fetchall()
    changes = []
    for cid, name, contact, place, topic in rows:
        needles = erasure.Needles.of([erasure.Person(phone=contact or "", name=name or "")])
        new_place, new_topic = needles.replace(place or ""), needles.replace(topic or "")
        if (new_place, new_topic) != (place, topic):
            changes.append((new_place, new_topic, cid))
    if not changes:
        return
    own = None if db.execute("SELECT 1 FROM privacy_erasing").fetchone() else \
        db.execute("INSERT INTO privacy_erasing (request) VALUES (?)", (uuid7(),)).lastrowid
    try:
        db.conn.executemany("UPDATE complaints SET place = ?, topic = ? WHERE id = ?", changes)
    finally:
        if own is not None:
            db.execute("DELETE FROM privacy_erasing WHERE id = ?", (own,))


def apply_retention(db: sqlite_utils.Database, clock: Clock, days: int | None = None) -> int:
    """Blank name, contact and the free text of complaints closed longer ago than the retention period
    (logged); one still owed a callback or any duty keeps them. Category, responsibility, outcome and
    every deadline stay for the monthly counts."""
    from kiosk.core import settings
    from kiosk.core.inventory import COMPLAINT_CLOSED_AT
    days = int(settings.get(db, "complaint_retention_days") if days is None else days)
    cutoff = utc_iso(clock.now() - timedelta(days=days))
    with write(db):
        count = _anonymise(db, clock, f"{COMPLAINT_CLOSED_AT} < ?", (cutoff,))
        if count:
            audit.record(db, clock, audit.SYSTEM, "complaint.retention", "complaints", None, None,
                         {"anonymised": count, "older_than_days": days})
    return count


def erase(db: sqlite_utils.Database, clock: Clock, actor: Actor, complaint_id: int) -> None:
    """A manager erases a person's details from one complaint at their request, and from what it shows of the
    call it was opened from (the call note, its callbacks, the call's caller ID: inventory.LINKED); audited
    with the rows changed, never the values."""
    from kiosk.core import erasure
    _manager(actor)
    with write(db):
        get(db, complaint_id)
        erased = _anonymise(db, clock, "id = ?", (complaint_id,))
        linked = erasure.blank_linked(db, "complaints", [complaint_id])
        if not erased and not linked:
            raise ComplaintError("those details are already erased")
        audit.record(db, clock, actor, "complaint.erase", "complaints", complaint_id, None,
                     {"complaint": erased, "linked": linked} if linked else None)
