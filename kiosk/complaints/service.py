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
from zoneinfo import ZoneInfo

import sqlite_utils

from kiosk.complaints import rules as R
from kiosk.complaints.workdays import add_working_days, add_working_minutes
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
PERSONAL_DATA = {"table": "complaints", "columns": ("customer_name", "customer_contact"),
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


def topic_key(text: str) -> str:
    """The grouping form of a topic: NFKC, case-folded, inner spaces removed (全角 and 半角 agree)."""
    return "".join(unicodedata.normalize("NFKC", text or "").casefold().split())


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


def take(db: sqlite_utils.Database, clock: Clock, actor: Actor, tz: str, *, kind: str, category: str,
         responsibility: str, what: str, customer_name: str = "", customer_contact: str = "", place: str = "",
         topic: str = "", call_note_id: int | None = None, major_reason: str | None = None) -> int:
    """Take a complaint or service request; its start and resolution deadlines are fixed now."""
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
    start_minutes = rules["request_start_minutes"] if kind == "request" else rules["start_minutes"]
    start_due = add_working_minutes(now, int(start_minutes), rules.calendar, rules.hours, tz)
    if kind == "request":
        resolve_due = add_working_days(now, int(rules["request_resolve_days"]), rules.calendar, rules.hours, tz)
    else:
        resolve_due = add_working_minutes(now, int(rules["general_resolve_minutes"]), rules.calendar, rules.hours, tz)
    source = rules.calendar.source(now.astimezone(ZoneInfo(tz)).date())
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
            " actor_id, actor) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (ref, utc_iso(now), "call" if call_note_id is not None else "counter", call_note_id, kind, category,
             responsibility, name, contact, what, place, topic, int(major_reason is not None), major_reason,
             utc_iso(start_due), utc_iso(resolve_due), source, actor.id, actor.name)).lastrowid
        if major_reason is not None:
            _event(db, clock, actor, cid, "escalated", reason=major_reason)
        audit.record(db, clock, actor, "complaint.take", "complaints", cid, None,
                     {"ref": ref, "kind": kind, "category": category, "responsibility": responsibility,
                      "call_note_id": call_note_id, "major_reason": major_reason})
    return cid


def _event(db, clock: Clock, actor: Actor, cid: int, kind: str, *, note: str = "", outcome: str | None = None,
           reason: str | None = None, resolve_due: str | None = None, callback_due: str | None = None,
           callback_required: int | None = None) -> int:
    return db.execute(
        "INSERT INTO complaint_events (complaint_id, at, kind, note, outcome, reason, resolve_due, callback_due,"
        " callback_required, actor_id, actor) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        (cid, utc_iso(clock.now()), kind, note, outcome, reason, resolve_due, callback_due, callback_required,
         actor.id, actor.name)).lastrowid


def get(db: sqlite_utils.Database, complaint_id: int) -> Complaint:
    """The complaint now; ComplaintError when there is none."""
    rows = list(db.query("SELECT * FROM complaints WHERE id = ?", (complaint_id,)))
    if not rows:
        raise ComplaintError("no such complaint", field="complaint_id")
    events = list(db.query("SELECT * FROM complaint_events WHERE complaint_id = ? ORDER BY id", (complaint_id,)))
    return _view(rows[0], events)


def _view(row: dict, events: list[dict]) -> Complaint:
    last = {}
    major = proposed = False
    reason = row["major_reason"]
    resolve_due = row["resolve_due"]
    for ev in events:
        last[ev["kind"]] = ev
        if ev["kind"] == "escalated":
            proposed, reason = True, ev["reason"]
        elif ev["kind"] == "major_accepted":
            major, proposed, resolve_due = True, False, ev["resolve_due"] or resolve_due
        elif ev["kind"] == "major_declined":
            proposed = False
    status = ("closed" if "closed" in last else "resolved" if "resolved" in last
              else "started" if "started" in last else "open")
    resolved, callback = last.get("resolved"), last.get("callback")
    return Complaint(
        id=row["id"], ref=row["ref"], taken_at=row["taken_at"], kind=row["kind"], category=row["category"],
        responsibility=row["responsibility"], customer_name=row["customer_name"],
        customer_contact=row["customer_contact"], what=row["what"], place=row["place"], topic=row["topic"],
        call_note_id=row["call_note_id"], status=status, major=major, major_proposed=proposed,
        major_reason=reason if (major or proposed) else None, start_due=row["start_due"], resolve_due=resolve_due,
        started_at=last["started"]["at"] if "started" in last else None,
        resolved_at=resolved["at"] if resolved else None, outcome=resolved["outcome"] if resolved else None,
        callback_required=bool(resolved and resolved["callback_required"]),
        callback_due=resolved["callback_due"] if resolved else None,
        callback_at=callback["at"] if callback else None, callback_outcome=callback["outcome"] if callback else None,
        closed_at=last["closed"]["at"] if "closed" in last else None, calendar_source=row["calendar_source"],
        anonymised=row["anonymised_at"] is not None)


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
    rows = list(db.query("SELECT * FROM complaints c WHERE NOT EXISTS (SELECT 1 FROM complaint_events e"
                         " WHERE e.complaint_id = c.id AND e.kind = 'closed') ORDER BY c.id"))
    return _views(db, rows)


def for_call_note(db: sqlite_utils.Database, note_id: int) -> int | None:
    """The complaint opened from this call note (the link back from the call log)."""
    row = db.execute("SELECT id FROM complaints WHERE call_note_id = ?", (note_id,)).fetchone()
    return row[0] if row else None


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
        audit.record(db, clock, actor, "complaint.escalate", "complaints", complaint_id, None, {"reason": reason})


def _manager(actor: Actor) -> None:
    if not actor.is_manager:
        raise ComplaintError("a manager must do this")


def decide_major(db: sqlite_utils.Database, clock: Clock, actor: Actor, tz: str, complaint_id: int, accept: bool,
                 note: str = "") -> None:
    """A manager accepts a proposed major complaint (2 working days from now to resolve it) or declines it."""
    _manager(actor)
    note = _clean(note, "complaint note", "note", limit=500, multiline=True)
    rules = R.load(db)
    with write(db):
        c = _open_for_change(db, complaint_id)
        if not c.major_proposed:
            raise ComplaintError("that complaint is not waiting for a manager")
        if accept:
            due = add_working_days(clock.now(), int(rules["major_resolve_days"]), rules.calendar, rules.hours, tz)
            _event(db, clock, actor, complaint_id, "major_accepted", note=note, reason=c.major_reason,
                   resolve_due=utc_iso(due))
        else:
            _event(db, clock, actor, complaint_id, "major_declined", note=note)
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
        if c.kind == "request":
            days = rules["request_callback_days"]
        elif c.responsibility == "company":
            days = rules["callback_days"]
        elif c.responsibility == "assisted" and _assisted_needs_sample(db, now, tz, float(rules["assisted_callback_share"])):
            days = rules["assisted_callback_days"]
        due = utc_iso(add_working_days(now, int(days), rules.calendar, rules.hours, tz)) if days is not None else None
        if not c.started_at:  # resolving at once is also starting
            _event(db, clock, actor, complaint_id, "started")
        _event(db, clock, actor, complaint_id, "resolved", note=done, outcome=outcome, callback_due=due,
               callback_required=int(due is not None))
        audit.record(db, clock, actor, "complaint.resolve", "complaints", complaint_id, None,
                     {"outcome": outcome, "callback_due": due})


def _assisted_needs_sample(db, now: datetime, tz: str, share: float) -> bool:
    """True when this assisted complaint must be called back to keep the month at the target share."""
    first = now.astimezone(ZoneInfo(tz)).replace(day=1, hour=0, minute=0, second=0, microsecond=0)
    row = db.execute(
        "SELECT COUNT(*), COALESCE(SUM(e.callback_required), 0) FROM complaint_events e JOIN complaints c"
        " ON c.id = e.complaint_id WHERE e.kind = 'resolved' AND c.responsibility = 'assisted' AND c.kind = 'complaint'"
        " AND e.at >= ?", (utc_iso(first),)).fetchone()
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
        if c.callback_at and c.callback_outcome != "unreachable":
            raise ComplaintError("the callback is already recorded")
        _event(db, clock, actor, complaint_id, "callback", note=note, outcome=outcome)
        if not c.major and outcome != "unreachable":
            _event(db, clock, actor, complaint_id, "closed")
        audit.record(db, clock, actor, "complaint.callback", "complaints", complaint_id, None, {"outcome": outcome})


def close(db: sqlite_utils.Database, clock: Clock, actor: Actor, complaint_id: int, note: str = "") -> None:
    """Close a resolved complaint; a major one only by a manager."""
    note = _clean(note, "complaint note", "note", limit=500, multiline=True)
    with write(db):
        c = _open_for_change(db, complaint_id)
        if not c.resolved_at:
            raise ComplaintError("resolve the complaint before closing it")
        if c.major:
            _manager(actor)
        _event(db, clock, actor, complaint_id, "closed", note=note)
        audit.record(db, clock, actor, "complaint.close", "complaints", complaint_id)


@dataclass(frozen=True)
class Proposal:
    """The kiosk proposes escalation: which complaints, and why."""

    reason: str
    complaint_ids: tuple[int, ...]
    topic: str


def escalation_proposals(db: sqlite_utils.Database, clock: Clock) -> list[Proposal]:
    """Five open complaints on one topic within a day, or one open for a month, not yet major or proposed."""
    rules = R.load(db)
    now = clock.now()
    candidates = [c for c in open_complaints(db) if c.kind == "complaint" and not c.major and not c.major_proposed
                  and c.status != "resolved"]
    out: list[Proposal] = []
    groups: dict[str, list[Complaint]] = {}
    for c in candidates:
        if topic_key(c.topic):
            groups.setdefault(topic_key(c.topic), []).append(c)
    window = timedelta(hours=int(rules["same_topic_hours"]))
    need = int(rules["same_topic_count"])
    for members in groups.values():
        times = [parse_iso(c.taken_at) for c in members]
        for i in range(len(members)):  # any window of `same_topic_hours` holding `need` of them
            inside = [m for m, t in zip(members, times) if times[i] <= t < times[i] + window]
            if len(inside) >= need:
                out.append(Proposal("five_customers", tuple(m.id for m in members), members[0].topic))
                break
    month = timedelta(days=int(rules["unresolved_major_days"]))
    for c in candidates:
        if now - parse_iso(c.taken_at) >= month:
            out.append(Proposal("unresolved_month", (c.id,), c.topic))
    return out


def set_calendar(db: sqlite_utils.Database, clock: Clock, actor: Actor, holidays: list[str],
                 makeup_days: list[str]) -> None:
    """A manager edits the fallback holiday and make-up day lists (ISO dates; audited as a setting)."""
    from datetime import date
    from kiosk.core import settings
    _manager(actor)
    cleaned = {}
    for key, days in (("holidays", holidays), ("makeup_days", makeup_days)):
        out = set()
        for text in days:
            try:
                out.add(date.fromisoformat(str(text).strip()).isoformat())
            except ValueError:
                raise ComplaintError("a date looks like 2027-10-01", field=key) from None
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
    return list(db.query("SELECT id, ref, taken_at, customer_name, customer_contact FROM complaints"
                         " WHERE anonymised_at IS NULL AND (customer_name LIKE ? ESCAPE '\\'"
                         " OR customer_contact LIKE ? ESCAPE '\\') ORDER BY id LIMIT ?", (like, like, limit)))


def _anonymise(db, clock: Clock, where: str, params: tuple) -> int:
    return db.execute("UPDATE complaints SET customer_name = '', customer_contact = '', anonymised_at = ?"
                      f" WHERE anonymised_at IS NULL AND {where}", (utc_iso(clock.now()), *params)).rowcount


def apply_retention(db: sqlite_utils.Database, clock: Clock, days: int | None = None) -> int:
    """Blank name and contact of complaints taken longer ago than the retention period (logged)."""
    from kiosk.core import settings
    days = int(settings.get(db, "complaint_retention_days") if days is None else days)
    cutoff = utc_iso(clock.now() - timedelta(days=days))
    with write(db):
        count = _anonymise(db, clock, "taken_at < ?", (cutoff,))
        if count:
            audit.record(db, clock, audit.SYSTEM, "complaint.retention", "complaints", None, None,
                         {"anonymised": count, "older_than_days": days})
    return count


def erase(db: sqlite_utils.Database, clock: Clock, actor: Actor, complaint_id: int) -> None:
    """A manager erases a person's details from one complaint at their request (audited)."""
    _manager(actor)
    with write(db):
        get(db, complaint_id)
        if not _anonymise(db, clock, "id = ?", (complaint_id,)):
            raise ComplaintError("those details are already erased")
        audit.record(db, clock, actor, "complaint.erase", "complaints", complaint_id)
