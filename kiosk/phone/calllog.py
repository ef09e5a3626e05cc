"""The call log: every call and its history, 5W1H notes, callbacks, and the desk's phone figures."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

import sqlite_utils

from kiosk.core import audit
from kiosk.core.text import clean_text
from kiosk.core import settings
from kiosk.core.audit import Actor
from kiosk.phone.tracker import CallEvent
from kiosk.core.clock import Clock, utc_iso
from kiosk.core.db import write
from kiosk.core.errors import Refusal

CATEGORIES = ("inquiry", "complaint", "repair", "other")
CATEGORY_LABELS = {"inquiry": "Inquiry", "complaint": "Complaint", "repair": "Repair", "other": "Other"}  # msgids
OUTCOMES = ("answered", "missed", "unknown")
MAX_TEXT = 500


class CallLogError(Refusal, ValueError):
    """A refused call-log change (a Refusal); `field` names the note field it is about."""


@dataclass(frozen=True)
class CallRow:
    """One call as the desk sees it."""

    id: int
    started_at: str
    rings: int
    number: str
    name: str
    outcome: str            # answered | missed | unknown | ringing
    source: str
    prompted: bool
    seconds_to_answer: float | None
    rings_to_answer: int | None
    has_note: bool


def start_call(db: sqlite_utils.Database, clock: Clock, detector: str) -> int:
    """A new call began ringing: stored at once, so an unplug cannot lose it."""
    with write(db):
        return db.execute("INSERT INTO calls (started_at, detector) VALUES (?, ?)",
                          (utc_iso(clock.now()), detector)).lastrowid


def record_event(db: sqlite_utils.Database, clock: Clock, call_id: int, event: CallEvent) -> None:
    """Append what the tracker said about a call."""
    with write(db):
        db.execute(
            "INSERT INTO call_events (call_id, at, kind, rings, outcome, source, seconds_to_answer, duration, number, name)"
            " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (call_id, utc_iso(clock.now()), event.kind, event.rings, event.outcome or None, event.source or None,
             event.seconds_to_answer, event.duration, event.number or None, event.name or None))


def confirm_outcome(db: sqlite_utils.Database, clock: Clock, actor: Actor, call_id: int, outcome: str) -> None:
    """Staff say what really happened to a call whose outcome the line could not tell."""
    if outcome not in ("answered", "missed"):
        raise CallLogError("outcome must be answered or missed", field="outcome")
    with write(db):
        before = _outcome(db, call_id)
        if before is None:
            raise CallLogError("no such call")
        rings = db.execute("SELECT COALESCE(MAX(rings), 0) FROM call_events WHERE call_id = ?", (call_id,)).fetchone()[0]
        db.execute("INSERT INTO call_events (call_id, at, kind, rings, outcome, source, actor_id, actor)"
                   " VALUES (?, ?, 'confirmed', ?, ?, 'staff', ?, ?)",
                   (call_id, utc_iso(clock.now()), rings, outcome, actor.id, actor.name))
        audit.record(db, clock, actor, "call.confirm", "calls", call_id, {"outcome": before}, {"outcome": outcome})


def _outcome(db, call_id: int) -> str | None:
    if db.execute("SELECT 1 FROM calls WHERE id = ?", (call_id,)).fetchone() is None:
        return None
    row = db.execute("SELECT outcome FROM call_events WHERE call_id = ? AND kind IN ('ended', 'confirmed')"
                     " ORDER BY id DESC LIMIT 1", (call_id,)).fetchone()
    return row[0] if row else "ringing"


def _clean(text: str, label: str, field: str, *, required: bool = False, limit: int = MAX_TEXT) -> str:
    """One note field by the shared rules (kiosk.core.text); notes may hold line breaks and tabs.
    `label` names it in the message (a msgid prefix), `field` is its argument."""
    return clean_text(text, label, required=required, limit=limit, multiline=True,
                      refuse=lambda message, _label: CallLogError(message, field=field))


def add_note(db: sqlite_utils.Database, clock: Clock, actor: Actor, *, call_id: int | None, category: str,
             what: str, caller_name: str = "", caller_number: str = "", place: str = "", why: str = "",
             how: str = "", follow_up: str = "", needs_callback: bool = False,
             callback_minutes: int | None = None) -> int:
    """Write a 5W1H note; a promised callback gets a due time (default: half a working day)."""
    if category not in CATEGORIES:
        raise CallLogError("category must be one of {choices}", field="category", choices=", ".join(CATEGORIES))
    what = _clean(what, "what", "what", required=True)
    number = _clean(caller_number, "number", "caller_number", limit=30)
    if number and not all(ch.isdigit() or ch in "+-() " for ch in number):
        raise CallLogError("number may only have digits, spaces and + - ( )", field="caller_number")
    if needs_callback and not number:
        raise CallLogError("a callback needs the caller's number", field="caller_number")
    minutes = callback_minutes if callback_minutes is not None else settings.get(db, "callback_due_minutes")
    due = utc_iso(clock.now() + timedelta(minutes=int(minutes))) if needs_callback else None
    with write(db):
        note_id = db.execute(
            "INSERT INTO call_notes (call_id, at, actor_id, actor, caller_name, caller_number, category, what, place,"
            " why, how, follow_up, callback_due) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (call_id, utc_iso(clock.now()), actor.id, actor.name, _clean(caller_name, "name", "caller_name", limit=60), number,
             category, what, _clean(place, "where", "place"), _clean(why, "why", "why"), _clean(how, "how", "how"),
             _clean(follow_up, "follow-up", "follow_up"), due)).lastrowid
        audit.record(db, clock, actor, "call.note", "call_notes", note_id, None,
                     {"call_id": call_id, "category": category, "callback_due": due})
    return note_id


def complete_callback(db: sqlite_utils.Database, clock: Clock, actor: Actor, note_id: int, result: str = "") -> None:
    """Record that a promised callback was made."""
    with write(db):
        row = db.execute("SELECT callback_due FROM call_notes WHERE id = ?", (note_id,)).fetchone()
        if row is None or row[0] is None:
            raise CallLogError("no callback was promised on that note")
        if db.execute("SELECT 1 FROM callbacks_done WHERE note_id = ?", (note_id,)).fetchone():
            raise CallLogError("that callback is already done")
        db.execute("INSERT INTO callbacks_done (note_id, at, actor_id, actor, result) VALUES (?, ?, ?, ?, ?)",
                   (note_id, utc_iso(clock.now()), actor.id, actor.name, _clean(result, "result", "result")))
        audit.record(db, clock, actor, "call.callback_done", "call_notes", note_id)


def open_callbacks(db: sqlite_utils.Database) -> list[dict]:
    """Promised callbacks not yet made, soonest due first."""
    return list(db.query(
        "SELECT n.* FROM call_notes n WHERE n.callback_due IS NOT NULL"
        " AND NOT EXISTS (SELECT 1 FROM callbacks_done d WHERE d.note_id = n.id) ORDER BY n.callback_due"))


def overdue_callbacks(db: sqlite_utils.Database, clock: Clock) -> list[dict]:
    """Open callbacks past their due time."""
    now = utc_iso(clock.now())
    return [row for row in open_callbacks(db) if row["callback_due"] < now]


_CALLS_SQL = """
SELECT c.id, c.started_at,
  (SELECT COALESCE(MAX(rings), 0) FROM call_events e WHERE e.call_id = c.id) AS rings,
  (SELECT number FROM call_events e WHERE e.call_id = c.id AND number IS NOT NULL ORDER BY id DESC LIMIT 1) AS number,
  (SELECT name FROM call_events e WHERE e.call_id = c.id AND name IS NOT NULL ORDER BY id DESC LIMIT 1) AS name,
  (SELECT outcome || '|' || source FROM call_events e WHERE e.call_id = c.id AND kind IN ('ended', 'confirmed')
     ORDER BY id DESC LIMIT 1) AS outcome,
  EXISTS (SELECT 1 FROM call_events e WHERE e.call_id = c.id AND kind = 'prompt') AS prompted,
  (SELECT seconds_to_answer FROM call_events e WHERE e.call_id = c.id AND kind = 'answered' ORDER BY id LIMIT 1) AS sta,
  (SELECT rings FROM call_events e WHERE e.call_id = c.id AND kind = 'answered' ORDER BY id LIMIT 1) AS rta,
  EXISTS (SELECT 1 FROM call_notes n WHERE n.call_id = c.id) AS has_note
FROM calls c
"""


def calls_between(db: sqlite_utils.Database, start: datetime, end: datetime) -> list[CallRow]:
    """Calls that started in [start, end), newest first."""
    rows = db.query(_CALLS_SQL + " WHERE c.started_at >= ? AND c.started_at < ? ORDER BY c.id DESC",
                    (utc_iso(start), utc_iso(end)))
    out = []
    for row in rows:
        outcome, _, source = (row["outcome"] or "ringing|").partition("|")
        rta = row["rta"]
        if rta is None and outcome == "answered":
            rta = row["rings"]  # confirmed by staff: answered after the rings we heard
        out.append(CallRow(row["id"], row["started_at"], row["rings"], row["number"] or "", row["name"] or "",
                           outcome, source, bool(row["prompted"]), row["sta"], rta, bool(row["has_note"])))
    return out


def known_caller(db: sqlite_utils.Database, number: str) -> str:
    """A name for a number from earlier notes (or a visitor's record when that register exists)."""
    if not number or number in ("private", "unavailable"):
        return ""
    row = db.execute("SELECT caller_name FROM call_notes WHERE caller_number = ? AND caller_name != ''"
                     " ORDER BY id DESC LIMIT 1", (number,)).fetchone()
    if row:
        return row[0]
    columns = {r[1] for r in db.execute("PRAGMA table_info(visits)")}
    if {"phone", "name"} <= columns:
        row = db.execute("SELECT name FROM visits WHERE phone = ? AND name != '' ORDER BY rowid DESC LIMIT 1",
                         (number,)).fetchone()
        if row:
            return row[0]
    return ""


def caller_history(db: sqlite_utils.Database, number: str, before_call: int | None = None) -> tuple[int, str]:
    """How many earlier calls came from this number, and when the last one started (UTC ISO; '' if none)."""
    if not number or number in ("private", "unavailable"):
        return 0, ""
    row = db.execute(
        "SELECT COUNT(DISTINCT call_id), MAX(c.started_at) FROM call_events e JOIN calls c ON c.id = e.call_id"
        " WHERE e.number = ? AND (? IS NULL OR c.id < ?)", (number, before_call, before_call)).fetchone()
    return int(row[0] or 0), row[1] or ""


@dataclass(frozen=True)
class LineGap:
    """A time the phone line was not watched (UTC ISO bounds)."""

    started_at: str
    ended_at: str
    state: str
    detail: str


def record_gap(db: sqlite_utils.Database, started: datetime, ended: datetime, state: str, detail: str,
               detector: str) -> None:
    """The line was not watched from started to ended (the detector's own record; no person acted)."""
    with write(db):
        db.execute("INSERT INTO phone_line_gaps (started_at, ended_at, state, detail, detector) VALUES (?, ?, ?, ?, ?)",
                   (utc_iso(started), utc_iso(max(started, ended)),
                    state if state in ("reconnecting", "deaf", "error", "off") else "error",
                    "".join(ch for ch in (detail or "")[:200] if ch.isprintable()), detector))


def gaps_between(db: sqlite_utils.Database, start: datetime, end: datetime) -> list[LineGap]:
    """Gaps overlapping [start, end), oldest first."""
    return [LineGap(r["started_at"], r["ended_at"], r["state"], r["detail"]) for r in db.query(
        "SELECT * FROM phone_line_gaps WHERE ended_at >= ? AND started_at < ? ORDER BY started_at",
        (utc_iso(start), utc_iso(end)))]


@dataclass(frozen=True)
class DeskFigures:
    """The measures the handbooks ask for, over one period, and what each rests on.

    A call counts as answered within three rings only when off-hook was sensed or staff confirmed
    it; an unknown outcome is never counted as missed (nor as answered).
    """

    calls: int
    answered: int
    missed: int
    unknown: int
    within_three: int
    share_within_three: float | None   # of calls with a known outcome
    average_rings_to_answer: float | None
    open_callbacks: int
    overdue_callbacks: int
    gaps: tuple[LineGap, ...] = ()
    unwatched_seconds: float = 0.0
    basis: tuple[tuple[str, dict], ...] = ()   # (msgid, params): what the figures rest on, for the screen


def figures(db: sqlite_utils.Database, clock: Clock, start: datetime, end: datetime, rings_rule: int = 3) -> DeskFigures:
    """Share answered within three rings, missed calls, average rings to answer, open callbacks."""
    calls = [c for c in calls_between(db, start, end) if c.outcome != "ringing"]
    # Answered counts only when the line sensed off-hook or staff said so (never a guess).
    answered = [c for c in calls if c.outcome == "answered" and c.source in ("offhook", "staff")]
    missed = sum(1 for c in calls if c.outcome == "missed")
    unknown = sum(1 for c in calls if c.outcome == "unknown" or c.outcome == "answered" and c.source not in ("offhook", "staff"))
    within = sum(1 for c in answered if c.rings_to_answer is not None and c.rings_to_answer <= rings_rule)
    known = len(answered) + missed
    ring_counts = [c.rings_to_answer for c in answered if c.rings_to_answer is not None]
    gaps = gaps_between(db, start, end)
    unwatched = sum(max(0.0, (min(datetime.fromisoformat(g.ended_at), end) - max(datetime.fromisoformat(g.started_at), start))
                        .total_seconds()) for g in gaps)
    basis: list[tuple[str, dict]] = []
    if unknown:
        basis.append(("{unknown} of {calls} calls unknown: answer sensing is not wired", {"unknown": unknown, "calls": len(calls)}))
    if known:
        basis.append(("{share} rests on {known} calls with a sensed or confirmed outcome", {"known": known,
                      "share": f"{round(100 * within / known)}%"}))
    if gaps:
        basis.append(("line not watched for {minutes} min in {count} gaps", {"minutes": round(unwatched / 60, 1),
                      "count": len(gaps)}))
    return DeskFigures(
        calls=len(calls), answered=len(answered), missed=missed, unknown=unknown, within_three=within,
        share_within_three=round(within / known, 4) if known else None,
        average_rings_to_answer=round(sum(ring_counts) / len(ring_counts), 2) if ring_counts else None,
        open_callbacks=len(open_callbacks(db)), overdue_callbacks=len(overdue_callbacks(db, clock)),
        gaps=tuple(gaps), unwatched_seconds=round(unwatched, 1), basis=tuple(basis))


def day_bounds(clock: Clock, tz_name: str, day: datetime | None = None) -> tuple[datetime, datetime]:
    """Start and end (UTC) of the site's local day containing `day` (default: today)."""
    from zoneinfo import ZoneInfo
    tz = ZoneInfo(tz_name)
    local = (day or clock.now()).astimezone(tz)
    start = local.replace(hour=0, minute=0, second=0, microsecond=0)
    return start, start + timedelta(days=1)

