"""The call log: every call and its history, 5W1H notes, callbacks, and the desk's phone figures."""
from __future__ import annotations

import unicodedata
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
from kiosk.core.privacy import normalise_phone

CATEGORIES = ("inquiry", "complaint", "repair", "other")
CATEGORY_LABELS = {"inquiry": "Inquiry", "complaint": "Complaint", "repair": "Repair", "other": "Other"}  # msgids
OUTCOMES = ("answered", "missed", "unknown")
# How a promised callback went: stored as the code, shown and exported in the reader's language.
CALLBACK_RESULTS = {"reached": "Reached the caller", "no_answer": "No answer", "left_message": "Left a message"}
_RESULT_BY_WORDING = {wording: code for code, wording in CALLBACK_RESULTS.items()}   # rows stored before codes
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


def record_event(db: sqlite_utils.Database, clock: Clock, call_id: int, event: CallEvent,
                 actor: Actor | None = None) -> None:
    """Append what the tracker said about a call. `actor`: the staff member whose word it is (an
    'answered' from the prompt or from the visitor banner after their PIN) — stored and audited."""
    with write(db):
        event_id = db.execute(
            "INSERT INTO call_events (call_id, at, kind, rings, outcome, source, seconds_to_answer, duration, number,"
            " name, actor_id, actor) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            # "gap" (unknown: the line was not watched during the call) is stored as NULL: the column's
            # CHECK allows offhook/staff/heuristic only, and _rows reads an unknown with no source as gap.
            (call_id, utc_iso(clock.now()), event.kind, event.rings, event.outcome or None,
             None if event.source == "gap" else event.source or None,
             event.seconds_to_answer, event.duration, event.number or None, event.name or None,
             None if actor is None else actor.id, "system" if actor is None else actor.name)).lastrowid
        if actor is not None:
            audit.record(db, clock, actor, f"call.{event.kind}", "calls", call_id, None,
                         {"event": event_id, "rings": event.rings, "source": event.source or None})


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


def outcome_of(db: sqlite_utils.Database, call_id: int) -> str | None:
    """A call's outcome now (answered, missed, unknown; 'ringing' before it ended; None: no such call)."""
    return _outcome(db, call_id)


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
    # Full-width digits (a Chinese IME's) are folded to ASCII, so the number is found by its digits.
    number = unicodedata.normalize("NFKC", _clean(caller_number, "number", "caller_number", limit=30))
    if number and not all(ch in "0123456789+-() " for ch in number):
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
    """Record that a promised callback was made. `result` is a code of CALLBACK_RESULTS (the screen's one
    tap) or a few words staff typed; the English wording of a code is stored as its code."""
    result = _RESULT_BY_WORDING.get(result.strip(), result.strip()) if isinstance(result, str) else result
    with write(db):
        row = db.execute("SELECT callback_due FROM call_notes WHERE id = ?", (note_id,)).fetchone()
        if row is None or row[0] is None:
            raise CallLogError("no callback was promised on that note")
        if db.execute("SELECT 1 FROM callbacks_done WHERE note_id = ?", (note_id,)).fetchone():
            raise CallLogError("that callback is already done")
        db.execute("INSERT INTO callbacks_done (note_id, at, actor_id, actor, result) VALUES (?, ?, ?, ?, ?)",
                   (note_id, utc_iso(clock.now()), actor.id, actor.name, _clean(result, "result", "result")))
        audit.record(db, clock, actor, "call.callback_done", "call_notes", note_id, None,
                     {"result": result} if result in CALLBACK_RESULTS else None)


def callback_result_msgid(stored: str) -> str:
    """What to show for a stored callback result: the msgid of its code (English wording stored before
    codes counts as its code), or the staff's own words as they are."""
    code = _RESULT_BY_WORDING.get(stored, stored)
    return CALLBACK_RESULTS.get(code, stored)


def open_callbacks(db: sqlite_utils.Database, limit: int | None = None) -> list[dict]:
    """Promised callbacks not yet made, soonest due first (the newest `limit` of them when given).

    Read through callbacks_open (kept by triggers, migration 0018): the cost follows the callbacks
    still open, never every note ever written."""
    sql = ("SELECT n.* FROM callbacks_open o CROSS JOIN call_notes n ON n.id = o.note_id ORDER BY o.due, o.note_id"
           + (" LIMIT ?" if limit is not None else ""))
    return list(db.query(sql, (max(0, int(limit)),) if limit is not None else ()))


def callback_counts(db: sqlite_utils.Database, clock: Clock) -> tuple[int, int]:
    """(open, overdue) promised callbacks: two counts over the open-callbacks index."""
    now = utc_iso(clock.now())
    open_count = db.execute("SELECT COUNT(*) FROM callbacks_open").fetchone()[0]
    overdue = db.execute("SELECT COUNT(*) FROM callbacks_open WHERE due < ?", (now,)).fetchone()[0]
    return int(open_count), int(overdue)


def overdue_callbacks(db: sqlite_utils.Database, clock: Clock) -> list[dict]:
    """Open callbacks past their due time."""
    return list(db.query("SELECT n.* FROM callbacks_open o CROSS JOIN call_notes n ON n.id = o.note_id WHERE o.due < ?"
                         " ORDER BY o.due, o.note_id", (utc_iso(clock.now()),)))


_CALLS_SQL = """
SELECT c.id, c.started_at,
  (SELECT COALESCE(MAX(rings), 0) FROM call_events e WHERE e.call_id = c.id) AS rings,
  (SELECT number FROM call_events e WHERE e.call_id = c.id AND number IS NOT NULL ORDER BY id DESC LIMIT 1) AS number,
  (SELECT name FROM call_events e WHERE e.call_id = c.id AND name IS NOT NULL ORDER BY id DESC LIMIT 1) AS name,
  (SELECT outcome || '|' || COALESCE(source, '') FROM call_events e WHERE e.call_id = c.id AND kind IN ('ended', 'confirmed')
     ORDER BY id DESC LIMIT 1) AS outcome,
  EXISTS (SELECT 1 FROM call_events e WHERE e.call_id = c.id AND kind = 'prompt') AS prompted,
  (SELECT seconds_to_answer FROM call_events e WHERE e.call_id = c.id AND kind = 'answered' ORDER BY id LIMIT 1) AS sta,
  (SELECT rings FROM call_events e WHERE e.call_id = c.id AND kind = 'answered' ORDER BY id LIMIT 1) AS rta,
  EXISTS (SELECT 1 FROM call_notes n WHERE n.call_id = c.id) AS has_note
FROM calls c
"""


def calls_between(db: sqlite_utils.Database, start: datetime, end: datetime, limit: int | None = None) -> list[CallRow]:
    """Calls that started in [start, end), newest first (only the newest `limit` when given: a list
    on screen reads what it shows, not a week of calls to throw most of them away)."""
    sql = _CALLS_SQL + " WHERE c.started_at >= ? AND c.started_at < ? ORDER BY c.started_at DESC, c.id DESC"
    params: tuple = (utc_iso(start), utc_iso(end))
    if limit is not None:
        sql, params = sql + " LIMIT ?", params + (max(0, int(limit)),)
    return _rows(db.query(sql, params))


def call_row(db: sqlite_utils.Database, call_id: int) -> CallRow | None:
    """One call as the list shows it (a call event updates its own row, not the whole list)."""
    rows = _rows(db.query(_CALLS_SQL + " WHERE c.id = ?", (call_id,)))
    return rows[0] if rows else None


def _rows(rows) -> list[CallRow]:
    out = []
    for row in rows:
        outcome, _, source = (row["outcome"] or "ringing|").partition("|")
        if outcome == "unknown" and not source:
            source = "gap"   # stored as NULL (the schema's CHECK predates it): the line was not watched
        rta = row["rta"]
        if rta is None and outcome == "answered":
            rta = row["rings"]  # confirmed by staff: answered after the rings we heard
        out.append(CallRow(row["id"], row["started_at"], row["rings"], row["number"] or "", row["name"] or "",
                           outcome, source, bool(row["prompted"]), row["sta"], rta, bool(row["has_note"])))
    return out


_PREFIXES = ("", "+86", "+86 ", "+86-", "0086", "0086 ", "86", "(+86)", "(+86) ")
_SEPARATORS = (" ", "-", ".")


def phone_forms(number: str) -> tuple[str, ...]:
    """Every way the desk writes this number that an equality lookup must find: as sent, its digits
    (normalise_phone: +86/0086, spaces, dashes dropped), and those digits with the prefixes and the
    groupings people type (138 0013 8000, 138-0013-8000, 010 8888 6666, +86 138…). Stored rows keep
    what was typed; comparing against this set keeps every lookup on the column's index (no migration,
    no scan). Both sides compare by digits: a note typed '138 0013 8000' is found by a caller ID
    '+8613800138000'."""
    digits = normalise_phone(number)
    if not digits:
        return ()
    bodies = [digits]
    if digits.isdigit():
        if len(digits) == 11 and digits.startswith("1"):          # a mobile: 3-4-4
            cuts = [(3, 7)]
        elif digits.startswith("0") and len(digits) >= 10:         # a landline: area code, then 4-4 or 3-4
            cuts = [(3,), (4,), (3, 7), (4, 8), (4, 7)]
        else:
            cuts = [(3,), (4,)] if len(digits) >= 7 else []
        for cut in cuts:
            parts, start = [], 0
            for end in cut + (len(digits),):
                parts.append(digits[start:end])
                start = end
            bodies += [sep.join(parts) for sep in _SEPARATORS]
    forms = [number.strip(), digits]
    for body in bodies:
        # A landline's trunk 0 is never written after +86 (that form is another canonical: known gap).
        forms += [prefix + body for prefix in _PREFIXES if not (prefix and body.startswith("0"))]
    return tuple(dict.fromkeys(f for f in forms if f))


def known_caller(db: sqlite_utils.Database, number: str) -> str:
    """A name for a number: from earlier call notes, then visitors' records, then the hosts' directory.
    The number is compared by its digits on both sides (phone_forms), each lookup by an index."""
    if not number or number in ("private", "unavailable"):
        return ""
    forms = phone_forms(number)
    if not forms:
        return ""
    marks = ", ".join("?" * len(forms))
    row = db.execute(f"SELECT caller_name FROM call_notes WHERE caller_number IN ({marks}) AND caller_name != ''"
                     " ORDER BY id DESC LIMIT 1", forms).fetchone()
    if row:
        return row[0]
    columns = {r[1] for r in db.execute("PRAGMA table_info(visits)")}
    if {"phone", "name"} <= columns:
        row = db.execute(f"SELECT name FROM visits WHERE phone IN ({marks}) AND name != '' ORDER BY rowid DESC LIMIT 1",
                         forms).fetchone()
        if row:
            return row[0]
    # Hosts (the people visitors come to see) are few and their phones typed freely: compared by digits.
    if {"phone", "name", "active"} <= {r[1] for r in db.execute("PRAGMA table_info(hosts)")}:
        wanted = normalise_phone(number)
        for name, phone in db.execute("SELECT name, phone FROM hosts WHERE active = 1 AND phone != '' ORDER BY id"):
            if normalise_phone(phone) == wanted and name:
                return name
    return ""


def caller_history(db: sqlite_utils.Database, number: str, before_call: int | None = None) -> tuple[int, str]:
    """How many earlier calls came from this number, and when the last one started (UTC ISO; '' if none)."""
    if not number or number in ("private", "unavailable"):
        return 0, ""
    forms = phone_forms(number)
    if not forms:
        return 0, ""
    row = db.execute(history_sql(len(forms)), (*forms, before_call, before_call)).fetchone()
    return int(row[0] or 0), row[1] or ""


def history_sql(count: int) -> str:
    """Runs on every ringing call before its name reaches the prompt: by the partial index
    call_events_number (migration 0022) on each of the number's forms, never a scan of the history."""
    return ("SELECT COUNT(DISTINCT e.call_id), MAX(c.started_at) FROM call_events e JOIN calls c ON c.id = e.call_id"
            f" WHERE e.number IN ({', '.join('?' * count)}) AND (? IS NULL OR e.call_id < ?)")


HISTORY_SQL = history_sql(1)   # the one-form query (kept for the index test)


@dataclass(frozen=True)
class LineGap:
    """A time the phone line was not watched (UTC ISO bounds)."""

    started_at: str
    ended_at: str
    state: str
    detail: str

    @property
    def seconds(self) -> float:
        """How long the line was not watched."""
        return (datetime.fromisoformat(self.ended_at) - datetime.fromisoformat(self.started_at)).total_seconds()


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


def figures(db: sqlite_utils.Database, clock: Clock, start: datetime, end: datetime, rings_rule: int = 3,
            calls: list[CallRow] | None = None) -> DeskFigures:
    """Share answered within three rings, missed calls, average rings to answer, open callbacks.

    calls: calls_between(db, start, end) when the caller has read it already (the export's summary reads a
    month's calls once for these figures and the per-day table)."""
    if calls is None:
        calls = calls_between(db, start, end)
    calls = [c for c in calls if c.outcome != "ringing"]
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
    open_count, overdue = callback_counts(db, clock)
    basis: list[tuple[str, dict]] = []
    in_gaps = sum(1 for c in calls if c.outcome == "unknown" and c.source == "gap")
    if unknown - in_gaps:
        basis.append(("{unknown} of {calls} calls unknown: answer sensing is not wired",
                      {"unknown": unknown - in_gaps, "calls": len(calls)}))
    if in_gaps:
        basis.append(("{unknown} of {calls} calls unknown: the line was not watched during them",
                      {"unknown": in_gaps, "calls": len(calls)}))
    if known:
        basis.append(("{share} rests on {known} calls with a sensed or confirmed outcome", {"known": known,
                      "share": f"{round(100 * within / known)}%"}))
    if gaps:
        basis.append(("line not watched for {minutes} min (gaps: {count})", {"minutes": max(0.1, round(unwatched / 60, 1)),
                      "count": len(gaps)}))
    return DeskFigures(
        calls=len(calls), answered=len(answered), missed=missed, unknown=unknown, within_three=within,
        share_within_three=round(within / known, 4) if known else None,
        average_rings_to_answer=round(sum(ring_counts) / len(ring_counts), 2) if ring_counts else None,
        open_callbacks=open_count, overdue_callbacks=overdue,
        gaps=tuple(gaps), unwatched_seconds=round(unwatched, 1), basis=tuple(basis))


def day_bounds(clock: Clock, tz_name: str, day: datetime | None = None) -> tuple[datetime, datetime]:
    """Start and end (UTC) of the site's local day containing `day` (default: today)."""
    from zoneinfo import ZoneInfo
    tz = ZoneInfo(tz_name)
    local = (day or clock.now()).astimezone(tz)
    start = local.replace(hour=0, minute=0, second=0, microsecond=0)
    return start, start + timedelta(days=1)

