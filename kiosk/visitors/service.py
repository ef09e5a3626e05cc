"""The visitor register: self sign-in at the touchscreen, registration at the counter, sign-out,
who is on site (fire roll call), search, the deny list and the retention job.

Functions a visitor's own screen calls never return another visitor's data.
"""
from __future__ import annotations

import re
import secrets
import time
import unicodedata
from dataclasses import dataclass, replace
from datetime import date, datetime, timedelta
from typing import Callable
from zoneinfo import ZoneInfo

import sqlite_utils

from kiosk.core import audit, idhash, namefold
from kiosk.core.text import clean_text as shared_clean_text
from kiosk.core import settings
from kiosk.core.audit import VISITOR, Actor
from kiosk.core.clock import Clock, utc_iso
from kiosk.core.db import write
from kiosk.core.errors import Refusal
from kiosk.input.learned import MAX_NAMES, NameCounts, count_name_characters
from kiosk.input.pinyin import COMPOUND_SURNAMES
from kiosk.core.privacy import (IdDocumentError, check_id_document,  # noqa: F401 (re-exported)
                                  fold_name, id_consistent, mask_document, normalise_phone)

PURPOSES = ("meeting", "interview", "delivery", "contractor", "other")
PURPOSE_LABELS = {"meeting": "Meeting", "interview": "Interview", "delivery": "Delivery", "contractor": "Contractor",
                  "other": "Other"}  # msgids
CODE_ALPHABET = "ACDEFGHJKMNPQRTUVWXY34679"  # no 0/O, 1/I/L, 2/Z, 5/S, 8/B: easy to read and type
_PHONE = re.compile(r"^\+?[0-9][0-9]{5,18}$")
ID_TYPES = {"id_card": "Resident ID", "hk_macao": "HK/Macao permit", "taiwan": "Taiwan permit",
            "passport": "Passport", "other": "Other"}  # what staff checked (msgids)
HOST_RESULTS = 5  # the directory answers with a few names, it is never a list to browse


class VisitorError(Refusal, ValueError):
    """A refused visitor change (a Refusal); `field` names the input so the screen marks it."""


class SeeTheDesk(Exception):
    """A deny-list match: the visitor only sees 'please see the desk'; staff get a discreet alert."""

    def __init__(self, entry: dict) -> None:
        self.entry = entry
        super().__init__("please see the desk")


@dataclass(frozen=True)
class Visitor:
    """What a visitor types or staff enter."""

    name: str
    phone: str
    host_id: int
    purpose: str
    party_size: int = 1
    organisation: str = ""
    privacy_accepted: bool = False
    id_type: str = ""
    id_number: str = ""
    # The code (or the badge's QR, "SO:<code>") of the visitor's own earlier badge: proof of who they are.
    # With it, an empty name/phone/organisation/purpose is taken from that visit, never shown back.
    pass_code: str = ""


@dataclass(frozen=True)
class SignedIn:
    visit_id: int
    code: str
    returning: bool
    expected: bool
    host_name: str
    host_phone: str = ""
    # an old mask-only deny-list entry consistent with the document: the reason, for staff to check it
    deny_check: str = ""


def _is_emoji(ch: str) -> bool:
    # the emoji planes end where the CJK extensions begin (U+20000): 𠮷 and 𪚥 are letters of names
    return unicodedata.category(ch) == "So" or 0x1F000 <= ord(ch) < 0x20000 or ord(ch) >= 0xE0000


def clean_text(value: str, field: str, *, required: bool, limit: int) -> str:
    """Trim and check a typed text: clear, field-specific messages; never half-stored."""
    value = shared_clean_text(value, field, required=required, limit=limit,
                              refuse=lambda message, name: VisitorError(message, field=name),
                              control_message="{field} has invisible control characters")
    if any(_is_emoji(ch) for ch in value):
        raise VisitorError(f"{field} cannot contain emoji", field=field)
    return value


def clean_phone(value: str) -> str:
    """A phone number in the one form it is stored and compared in (see privacy.normalise_phone)."""
    value = normalise_phone((value or "").strip())
    if not value:
        raise VisitorError("phone is required", field="phone")
    if not _PHONE.match(value):
        raise VisitorError("phone number may only have digits", field="phone")
    return value


def _validate(db, visitor: Visitor, *, self_service: bool) -> dict:
    values = {
        "name": clean_text(visitor.name, "name", required=True, limit=40),
        "phone": clean_phone(visitor.phone),
        "organisation": clean_text(visitor.organisation, "organisation", required=False, limit=60),
    }
    if visitor.purpose not in PURPOSES:
        raise VisitorError("choose the purpose of the visit", field="purpose")
    if not isinstance(visitor.party_size, int) or not 1 <= visitor.party_size <= 50:
        raise VisitorError("party size must be 1 to 50", field="party_size")
    host = db.execute("SELECT id, name FROM hosts WHERE id = ? AND active = 1", (visitor.host_id,)).fetchone()
    if host is None:
        raise VisitorError("choose whom you are visiting", field="host")
    values["host"] = host
    if self_service and not visitor.privacy_accepted:
        raise VisitorError("please read and accept the privacy notice", field="privacy")
    return values


def _deny_match(db, name: str = "", phone: str = "", id_number: str = "") -> dict | None:
    """The first entry in force that matches a phone (normalised), a name (kiosk.core.namefold: width,
    case, spaces, traditional characters, pinyin) or an identity number (its keyed hash: ``id_number`` is
    the full checked number; a mask alone never decides, many numbers share it).

    Compared in Python over the entries in force: the list is short, and stored entries written before
    normalisation (with spaces, +86, full-width digits) still match."""
    phone = normalise_phone(phone)
    for entry in deny_entries(db):
        if phone and entry["phone"] and normalise_phone(entry["phone"]) == phone:
            return entry
        if name and entry["name"] and namefold.same_name(entry["name"], name):
            return entry
        if id_number and entry.get("id_hash") and idhash.same_id(db, id_number, entry["id_hash"]):
            return entry
    return None


def _deny_possible(db, id_number: str) -> dict | None:
    """An entry written before the keyed hash (migration 0041) holds only the mask of its number. A mask
    alone cannot decide (a passport's last four are shared by one document in ten thousand: refusing
    them all would turn innocent visitors away), but letting a consistent one pass silently would make
    the old entry dead. So it never refuses: the sign-in goes on and the staff registering the visitor
    (identity numbers are only taken at the desk) are alerted to compare the document with the entry.
    Never for an entry whose hash exists (it decides, above)."""
    if not id_number or "*" in id_number:
        return None
    for entry in deny_entries(db):
        stored = entry.get("id_number") or ""
        if not entry.get("id_hash") and "*" in stored and id_consistent(stored, id_number):
            return {**entry, "match_basis": MASK_ONLY}
    return None


MASK_ONLY = "masked_id"   # a deny-list match by an old entry's masked number only: staff check the document


def deny_match_audit(entry: dict) -> dict | None:
    """What a deny-list match's audit row says beyond the entry: a mask-only match is marked so the staff
    alert reads it as possible, not certain."""
    return {"basis": MASK_ONLY} if entry.get("match_basis") == MASK_ONLY else None


def check_deny(db: sqlite_utils.Database, clock: Clock, *, name: str = "", phone: str = "",
               actor: Actor = VISITOR) -> None:
    """Checked as soon as a phone or a name is entered: a match is audited (the staff alert reads it) and
    raises SeeTheDesk, which tells the visitor only to see the desk."""
    entry = _deny_match(db, name, phone)
    if entry is not None:
        with write(db):
            audit.record(db, clock, actor, "visitor.deny_match", "deny_list", entry["id"])
        raise SeeTheDesk(entry)


def _new_code(db) -> str:
    """A badge or invitation code no visit and no invitation has had (one code proves one thing)."""
    while True:
        code = "".join(secrets.choice(CODE_ALPHABET) for _ in range(5))
        if not db.execute("SELECT 1 FROM visits WHERE signout_code = ?1 UNION ALL"
                          " SELECT 1 FROM expected_visitors WHERE invite_code = ?1", (code,)).fetchone():
            return code


def _last_visit(db, phone: str, name: str) -> dict | None:
    """The visitor's own last visit: the same phone AND the same name (folded). Proof of who they are is
    typing their own name; a phone number alone never finds anything."""
    wanted = fold_name(name)
    if not wanted:
        return None
    for row in db.query("SELECT name, organisation, purpose FROM visits WHERE phone = ? AND anonymised_at IS NULL"
                        " ORDER BY id DESC LIMIT 20", (phone,)):
        if fold_name(row["name"]) == wanted:
            return row
    return None


def _pass_code(code: object) -> str:
    """A typed or scanned badge code in its stored form ("SO:" from the badge's QR dropped, full width folded)."""
    text = unicodedata.normalize("NFKC", code if isinstance(code, str) else "").strip().upper()
    return text[3:].strip() if text.startswith("SO:") else text


BADGE_PROOF_HOURS = 12  # a badge's code proves its holder only while its visit is open, and this long at most


def details_by_pass(db: sqlite_utils.Database, code: str, clock: Clock) -> dict:
    """The visitor's own details from the code on their current badge (having the badge is the proof):
    name, phone, organisation and purpose of that visit, or {}. A code proves nothing once its visit is
    signed out (by the visitor, staff or the evening's automatic sign-out) or BADGE_PROOF_HOURS after it
    began: a badge left on a table, thrown away or photographed must not prove someone for weeks. An
    unknown, old or anonymised code tells nothing (the same {} whatever the reason)."""
    code = _pass_code(code)
    if not re.fullmatch(f"[{CODE_ALPHABET}]{{5}}", code):
        return {}
    since = utc_iso(clock.now() - timedelta(hours=BADGE_PROOF_HOURS))
    row = next(db.query("SELECT name, phone, organisation, purpose FROM visits v WHERE signout_code = ?"
                        " AND anonymised_at IS NULL AND signed_in_at >= ?"
                        " AND NOT EXISTS (SELECT 1 FROM visit_signouts s WHERE s.visit_id = v.id)",
                        (code, since)), None)
    return dict(row) if row and row["name"] else {}


def _invitation(db, clock: Clock, code: str, tz: str) -> dict:
    """Today's pre-registration with this invitation code: {"name", "phone"}, or {} (another day, unknown,
    or already used). An invitation code is single use: once the invitee has arrived (by the code, or by
    typing their phone and name) it proves nothing more - a forwarded or overheard code signs no one else
    in as them; they have their badge's code from then on."""
    code = _pass_code(code)
    if not re.fullmatch(f"[{CODE_ALPHABET}]{{5}}", code):
        return {}
    today = clock.now().astimezone(ZoneInfo(tz)).date().isoformat()
    row = next(db.query("SELECT e.name, e.phone FROM expected_visitors e WHERE e.invite_code = ? AND e.expected_on = ?"
                        " AND NOT EXISTS (SELECT 1 FROM visits v WHERE v.expected_id = e.id)",
                        (code, today)), None)
    return dict(row) if row and row["name"] else {}


PASS_TRIES = 10          # wrong badge codes the touchscreen takes...
PASS_WINDOW = 10 * 60    # ...in this many seconds, from anyone, before it stops answering for a while


def _pass_tries_left(db, clock: Clock) -> int:
    since = utc_iso(clock.now() - timedelta(seconds=PASS_WINDOW))
    wrong = db.execute("SELECT COUNT(*) FROM audit WHERE action = 'visitor.pass_wrong' AND at >= ?", (since,)).fetchone()[0]
    return PASS_TRIES - wrong


SIGNOUT_PAUSE = 30  # seconds between sign-out tries once PASS_TRIES wrong codes came in PASS_WINDOW


def _since_last_wrong(db, clock: Clock) -> float:
    last = db.execute("SELECT MAX(at) FROM audit WHERE action = 'visitor.pass_wrong'").fetchone()[0]
    if not last:
        return float("inf")
    from kiosk.core.clock import parse_iso
    return (clock.now() - parse_iso(last)).total_seconds()


def _count_wrong(db, clock: Clock, code: str) -> None:
    """A wrong code that could have been one (five letters of the alphabet) counts towards the limit; an
    empty tap or a typo of another length cannot find anyone, so it does not use up everyone's tries."""
    if re.fullmatch(f"[{CODE_ALPHABET}]{{5}}", _pass_code(code)):
        with write(db):
            audit.record(db, clock, VISITOR, "visitor.pass_wrong", "visits", None)  # no code, no person


def check_pass(db: sqlite_utils.Database, clock: Clock, code: str, tz: str = "Asia/Shanghai") -> dict:
    """A returning visitor proves who they are with their earlier badge's code (typed, or its QR scanned).
    Returns {"expected": today's pre-registration host or None} and nothing about the person; an unknown
    code is refused with the same words whatever the reason (never signed in, anonymised, mistyped) and
    audited, and after PASS_TRIES wrong codes in PASS_WINDOW the touchscreen sends everyone to the desk,
    so the 25^5 codes cannot be walked. A deny-list match raises SeeTheDesk like the typed flow."""
    if _pass_tries_left(db, clock) <= 0:
        raise VisitorError("too many wrong codes: please see the desk", field="pass_code")
    details = details_by_pass(db, code, clock) or _invitation(db, clock, code, tz)
    if not details:
        _count_wrong(db, clock, code)
        raise VisitorError("that code is not known here: check your badge, or sign in with your phone number",
                           field="pass_code")
    check_deny(db, clock, name=details["name"], phone=details["phone"])
    return {"expected": expected_host(db, clock, details["phone"], details["name"], tz)}


def expected_host(db: sqlite_utils.Database, clock: Clock, phone: str, name: str,
                  tz: str = "Asia/Shanghai") -> dict | None:
    """For the visitor who typed their own phone and name: today's pre-registration with its host
    ({"id", "name", "phone"}), or None. Both must match: a phone alone tells a stranger nothing."""
    try:
        phone = clean_phone(phone)
    except VisitorError:
        return None
    today = clock.now().astimezone(ZoneInfo(tz)).date().isoformat()
    wanted = fold_name(name)
    for row in db.query("SELECT e.id AS expected_id, e.name AS visitor, h.id, h.name, h.phone FROM expected_visitors e"
                        " JOIN hosts h ON h.id = e.host_id WHERE e.phone = ? AND e.expected_on = ? ORDER BY e.id",
                        (phone, today)):
        if wanted and fold_name(row["visitor"]) == wanted:
            return {"expected_id": row["expected_id"], "id": row["id"], "name": row["name"], "phone": row["phone"]}
    return None


def sign_in(db: sqlite_utils.Database, clock: Clock, visitor: Visitor, *, actor: Actor = VISITOR,
            tz: str = "Asia/Shanghai") -> SignedIn:
    """Register a visit (self service when actor is the visitor; at the counter with an ID check).

    A returning visitor is one whose phone AND name match an earlier visit, or who gave their earlier
    badge's code (`pass_code`); their organisation, and their purpose when none was chosen (purpose ""),
    are then copied from that visit (never shown back to the screen)."""
    self_service = actor.role == "visitor"
    proven: dict = {}
    if visitor.pass_code:
        if _pass_tries_left(db, clock) <= 0:
            raise VisitorError("too many wrong codes: please see the desk", field="pass_code")
        proven = details_by_pass(db, visitor.pass_code, clock)
        invited = {} if proven else _invitation(db, clock, visitor.pass_code, tz)
        given = proven or invited
        # A code proves its own holder only: a name or phone typed beside it must be theirs, or the
        # code is no proof (the same words as an unknown code: nothing about whose it is).
        if not given or (visitor.name.strip() and fold_name(visitor.name) != fold_name(given["name"])) or (
                visitor.phone.strip() and normalise_phone(visitor.phone) != normalise_phone(given["phone"])):
            raise VisitorError("that code is not known here: check your badge, or sign in with your phone number",
                               field="pass_code")
        visitor = replace(visitor, name=visitor.name or given["name"], phone=visitor.phone or given["phone"],
                          organisation=visitor.organisation or proven.get("organisation", ""))
    chosen_purpose = visitor.purpose  # "" : not chosen; a returning visitor's last purpose, else a meeting
    if not chosen_purpose:
        visitor = replace(visitor, purpose="meeting")
    values = _validate(db, visitor, self_service=self_service)
    id_type, id_number = "", ""
    if not self_service:
        if visitor.id_type not in ID_TYPES:
            raise VisitorError("choose the type of identity document", field="id_type")
        # an IdDocumentError (a Refusal naming the field) says what is wrong with the number
        number = check_id_document(visitor.id_type, visitor.id_number, today=clock.now().astimezone(ZoneInfo(tz)).date())
        id_type = visitor.id_type
        id_number = number if settings.get(db, "store_full_id_numbers") else mask_document(id_type, number)
    entry = _deny_match(db, values["name"], values["phone"], number if id_type else "")
    if entry is not None:
        with write(db):
            audit.record(db, clock, actor, "visitor.deny_match", "deny_list", entry["id"])
        raise SeeTheDesk(entry)
    with write(db):
        if visitor.pass_code and (not details_by_pass(db, visitor.pass_code, clock) if proven
                                  else not _invitation(db, clock, visitor.pass_code, tz)):
            # used by another sign-in between the check and this transaction: single use holds
            raise VisitorError("that code is not known here: check your badge, or sign in with your phone number",
                               field="pass_code")
        last = proven or _last_visit(db, values["phone"], values["name"])
        if last and not values["organisation"]:
            values["organisation"] = last["organisation"]
        purpose = chosen_purpose or (last["purpose"] if last and last["purpose"] in PURPOSES else "meeting")
        expected = expected_host(db, clock, values["phone"], values["name"], tz)
        code = _new_code(db)
        visit_id = db.execute(
            "INSERT INTO visits (signed_in_at, name, phone, organisation, host_id, host_name, purpose, party_size,"
            " registered_by, actor_id, actor, id_type, id_number, privacy_accepted, signout_code, expected_id)"
            " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (utc_iso(clock.now()), values["name"], values["phone"], values["organisation"], values["host"][0],
             values["host"][1], purpose, visitor.party_size, "self" if self_service else "staff", actor.id, actor.name,
             id_type, id_number, int(visitor.privacy_accepted or not self_service), code,
             expected["expected_id"] if expected else None)).lastrowid
        audit.record(db, clock, actor, "visitor.sign_in", "visits", visit_id, None,
                     {"host": values["host"][1], "party_size": visitor.party_size, "by": "self" if self_service else "staff"})
        possible = _deny_possible(db, number) if id_type else None
        if possible is not None:  # the staff alert reads it as "possible" (deny_alerts' basis)
            audit.record(db, clock, actor, "visitor.deny_match", "deny_list", possible["id"], None,
                         deny_match_audit(possible))
        host_phone = db.execute("SELECT phone FROM hosts WHERE id = ?", (values["host"][0],)).fetchone()[0]
        if expected:
            audit.record(db, clock, actor, "visitor.expected_arrived", "visits", visit_id, None,
                         {"host": values["host"][1], "extension": host_phone})
    return SignedIn(visit_id, code, last is not None, expected is not None, values["host"][1], host_phone,
                    possible["reason"] if possible is not None else "")


def greeting(party_size: int, returning: bool, expected: bool = False) -> str:
    """The greeting msgid by party size and returning status (the domain brief's rule); an expected visitor
    is told their host is expecting them (the msgid takes {host})."""
    if expected:
        return "Welcome — {host} is expecting you"
    if returning:
        return "Welcome back!" if party_size == 1 else "Welcome back, all of you!"
    return {1: "Welcome!", 2: "Welcome, both of you!"}.get(party_size, "Welcome, everyone!")


def sign_out_by_code(db: sqlite_utils.Database, clock: Clock, code: str) -> str:
    """The visitor (or a scanner) enters the badge code; returns the host's name for the goodbye."""
    if _pass_tries_left(db, clock) <= 0 and _since_last_wrong(db, clock) < SIGNOUT_PAUSE:
        # The same count as the sign-in's badge codes, so the codes cannot be walked; but past it the
        # sign-out only slows down (one try per SIGNOUT_PAUSE) instead of closing for everyone: a stranger
        # typing ten made-up codes must not keep every visitor from signing out (outside test F9).
        raise VisitorError("too many wrong codes: please see the desk", field="code")
    code = _pass_code(code)
    # Only a visit still on site answers. A code of a visit already signed out (or anonymised) gets the
    # same words as a code never issued, and counts as wrong: "already signed out" told a stranger trying
    # codes that this one had been someone's visit (and let them test codes without using up tries).
    row = db.execute("SELECT v.id, v.host_name FROM visits v WHERE v.signout_code = ? AND v.anonymised_at IS NULL"
                     " AND NOT EXISTS (SELECT 1 FROM visit_signouts s WHERE s.visit_id = v.id)", (code,)).fetchone()
    if row is None:
        _count_wrong(db, clock, code)
        raise VisitorError("no visit with that code", field="code")
    try:
        _sign_out(db, clock, row[0], "code", VISITOR)
    except VisitorError:  # signed out by staff between the look-up and the write: the same words again
        raise VisitorError("no visit with that code", field="code") from None
    return row[1]


def sign_out(db: sqlite_utils.Database, clock: Clock, actor: Actor, visit_id: int) -> None:
    """Staff sign a visitor out from the on-site list."""
    _sign_out(db, clock, visit_id, "staff", actor)


def _sign_out(db, clock: Clock, visit_id: int, kind: str, actor: Actor) -> None:
    with write(db):
        if db.execute("SELECT 1 FROM visit_signouts WHERE visit_id = ?", (visit_id,)).fetchone():
            raise VisitorError("already signed out", field="code")
        db.execute("INSERT INTO visit_signouts (visit_id, at, kind, actor_id, actor) VALUES (?, ?, ?, ?, ?)",
                   (visit_id, utc_iso(clock.now()), kind, actor.id, actor.name))
        audit.record(db, clock, actor, f"visitor.sign_out.{kind}", "visits", visit_id)


def auto_sign_out(db: sqlite_utils.Database, clock: Clock, tz: str) -> int:
    """At the configured time of day, everyone still on site is signed out (flagged automatic)."""
    when = settings.get(db, "auto_signout_time")
    if not when:
        return 0
    local = clock.now().astimezone(ZoneInfo(tz))
    if local.strftime("%H:%M") < when:
        return 0
    cutoff = utc_iso(local.replace(hour=int(when[:2]), minute=int(when[3:5]), second=0, microsecond=0))
    # Only the visits still open (visits_open, kept by triggers; migration 0018), and only those that
    # came before the cut-off: with nobody left on site this is one index probe, whatever the history.
    ids = [row[0] for row in db.execute("SELECT visit_id FROM visits_open WHERE signed_in_at < ?"
                                        " ORDER BY signed_in_at, visit_id", (cutoff,))]
    for visit_id in ids:
        _sign_out(db, clock, visit_id, "auto", Actor("system"))
    return len(ids)


def on_site(db: sqlite_utils.Database) -> list[dict]:
    """Everyone in the building now (staff screens only), with roll-call marks."""
    return list(db.query(
        "SELECT v.id, v.signed_in_at, v.name, v.organisation, v.host_name, v.party_size, v.phone,"
        " EXISTS (SELECT 1 FROM rollcall_marks r WHERE r.visit_id = v.id) AS located"
        " FROM visits_open o CROSS JOIN visits v ON v.id = o.visit_id"   # who is open now, not every visit ever
        " ORDER BY o.signed_in_at, o.visit_id"))


def on_site_count(db: sqlite_utils.Database) -> int:
    """How many visits are open now (parties, not heads): one count over the open-visits table."""
    return db.execute("SELECT COUNT(*) FROM visits_open").fetchone()[0]


def mark_located(db: sqlite_utils.Database, clock: Clock, actor: Actor, visit_id: int) -> None:
    """Evacuation roll call: this visitor is accounted for (whole party, outside any roll call)."""
    with write(db):
        db.execute("INSERT INTO rollcall_marks (visit_id, at, actor_id, actor) VALUES (?, ?, ?, ?)",
                   (visit_id, utc_iso(clock.now()), actor.id, actor.name))


# --- the roll call in a drill (issue 13) ---------------------------------------------------------------
def start_rollcall(db: sqlite_utils.Database, clock: Clock, actor: Actor) -> int:
    """Start a roll call: from now on marks count for it; everyone on site starts as missing."""
    with write(db):
        rollcall_id = db.execute("INSERT INTO rollcalls (started_at, actor_id, actor) VALUES (?, ?, ?)",
                                 (utc_iso(clock.now()), actor.id, actor.name)).lastrowid
        audit.record(db, clock, actor, "visitors.rollcall_start", "rollcalls", rollcall_id)
    return rollcall_id


def rollcall_list(db: sqlite_utils.Database, rollcall_id: int) -> list[dict]:
    """Everyone on site with `safe`, the heads of the party accounted for in this roll call (the newest
    mark wins), plus anyone who signed out after the roll call started (marked or not: a sign-out, above
    all the automatic one, does not account for anybody) or was marked in it."""
    return list(db.query(
        "SELECT v.id, v.signed_in_at, v.name, v.organisation, v.host_name, v.party_size, v.phone,"
        " COALESCE((SELECT COALESCE(r.heads, v.party_size) FROM rollcall_marks r WHERE r.visit_id = v.id"
        "           AND r.rollcall_id = :rc ORDER BY r.id DESC LIMIT 1), 0) AS safe"
        " FROM visits v WHERE v.id IN (SELECT visit_id FROM visits_open"
        "   UNION SELECT visit_id FROM rollcall_marks WHERE rollcall_id = :rc"
        "   UNION SELECT s.visit_id FROM visit_signouts s INDEXED BY visit_signouts_at"
        "     CROSS JOIN visits w ON w.id = s.visit_id"
        "     WHERE s.at >= (SELECT started_at FROM rollcalls WHERE id = :rc)"
        "     AND w.signed_in_at <= (SELECT started_at FROM rollcalls WHERE id = :rc))"
        " ORDER BY v.signed_in_at, v.id", {"rc": rollcall_id}))


def mark_safe(db: sqlite_utils.Database, clock: Clock, actor: Actor, rollcall_id: int, visit_id: int,
              heads: int, tapped_at: str = "") -> None:
    """Record that `heads` of a visit's party are accounted for in a roll call (0 undoes). A new row
    every time: the drill's history reads back tap by tap. `tapped_at` (UTC ISO) is when the warden
    tapped, for a mark written later (the database was busy); it is used only between the roll call's
    start and now, else the mark is dated now."""
    rows = list(db.query("SELECT party_size FROM visits WHERE id = ?", (visit_id,)))
    if not rows:
        raise VisitorError("no such visit")
    party = rows[0]["party_size"]
    if not isinstance(heads, int) or isinstance(heads, bool) or not 0 <= heads <= party:
        raise VisitorError("a party of {party} cannot have {heads} accounted for", field="heads",
                           party=party, heads=heads)
    _open_one(db, rollcall_id)  # an ended roll call takes no more marks
    with write(db):
        now = utc_iso(clock.now())
        started = db.execute("SELECT started_at FROM rollcalls WHERE id = ?", (rollcall_id,)).fetchone()[0]
        tapped = _as_utc_iso(tapped_at)
        at = tapped if tapped and started <= tapped <= now else now
        db.execute("INSERT INTO rollcall_marks (visit_id, at, actor_id, actor, rollcall_id, heads)"
                   " VALUES (?, ?, ?, ?, ?, ?)", (visit_id, at, actor.id, actor.name, rollcall_id, heads))


@dataclass(frozen=True)
class OpenRollCall:
    """A roll call started and not ended (a sign-out, a crash or a restart came first), with its count."""

    id: int
    started_at: str
    started_by: str
    accounted: int
    missing: int
    total: int


def _tally(rows: list[dict]) -> tuple[int, int, int]:
    total = sum(int(r["party_size"]) for r in rows)
    accounted = sum(min(int(r["safe"]), int(r["party_size"])) for r in rows)
    return accounted, total - accounted, total


def resume_cutoff(db: sqlite_utils.Database, clock: Clock) -> str:
    """The start (UTC ISO) before which an open roll call is too old to resume: now less the configured
    `rollcall_resume_hours` (12 by default)."""
    hours = settings.get(db, "rollcall_resume_hours")
    try:
        hours = int(hours)
    except (TypeError, ValueError):
        hours = settings.DEFAULTS["rollcall_resume_hours"]
    return utc_iso(clock.now() - timedelta(hours=max(1, hours)))


def open_rollcall(db: sqlite_utils.Database, clock: Clock | None = None) -> OpenRollCall | None:
    """The newest roll call that has not been ended, with heads accounted for and missing from its marks
    in the database; None when every roll call was ended (one indexed probe, then the drill's list).

    With a clock (the desk binds one), a roll call started more than `rollcall_resume_hours` ago is not
    offered: a drill weeks ago is over, and resuming it would mark today's visitors against it. Its record
    stays as it is (append-only: nothing is written to end it)."""
    row = db.execute("SELECT r.id, r.started_at, r.actor FROM rollcalls r WHERE NOT EXISTS"
                     " (SELECT 1 FROM rollcall_ends e WHERE e.rollcall_id = r.id) ORDER BY r.id DESC LIMIT 1").fetchone()
    if row is None:
        return None
    if clock is not None and _as_utc_iso(row[1]) < resume_cutoff(db, clock):
        return None  # the newest open one is too old, so every older one is too
    accounted, missing, total = _tally(rollcall_list(db, row[0]))
    return OpenRollCall(row[0], row[1], row[2], accounted, missing, total)


def resume_rollcall(db: sqlite_utils.Database, clock: Clock, actor: Actor, rollcall_id: int) -> list[dict]:
    """Carry on with an open roll call (audited: who picked it up, when); returns its list with the marks.
    One older than `rollcall_resume_hours` is refused (start a new one; the old record stays)."""
    _open_one(db, rollcall_id)
    started = db.execute("SELECT started_at FROM rollcalls WHERE id = ?", (rollcall_id,)).fetchone()[0]
    if _as_utc_iso(started) < resume_cutoff(db, clock):
        raise VisitorError("this roll call is too old to resume: start a new one")
    with write(db):
        audit.record(db, clock, actor, "visitors.rollcall_resume", "rollcalls", rollcall_id)
    return rollcall_list(db, rollcall_id)


def end_rollcall(db: sqlite_utils.Database, clock: Clock, actor: Actor, rollcall_id: int) -> OpenRollCall:
    """End a roll call: a record of when, by whom and the count from its stored marks (audited). Ending one
    already ended is refused."""
    _open_one(db, rollcall_id)
    rows = rollcall_list(db, rollcall_id)
    accounted, missing, total = _tally(rows)
    with write(db):
        db.execute("INSERT INTO rollcall_ends (rollcall_id, ended_at, accounted, missing, total, actor_id, actor)"
                   " VALUES (?, ?, ?, ?, ?, ?, ?)", (rollcall_id, utc_iso(clock.now()), accounted, missing, total,
                                                     actor.id, actor.name))
        audit.record(db, clock, actor, "visitors.rollcall_end", "rollcalls", rollcall_id,
                     after={"accounted": accounted, "missing": missing, "total": total})
    started = db.execute("SELECT started_at, actor FROM rollcalls WHERE id = ?", (rollcall_id,)).fetchone()
    return OpenRollCall(rollcall_id, started[0], started[1], accounted, missing, total)


def _as_utc_iso(text) -> str:
    """A moment with its offset, rewritten as utc_iso writes it (so string order is time order); else ""."""
    if not isinstance(text, str) or not 0 < len(text) <= 40:
        return ""
    try:
        moment = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        return ""
    return utc_iso(moment) if moment.tzinfo is not None else ""


def _open_one(db: sqlite_utils.Database, rollcall_id: int) -> None:
    if db.execute("SELECT 1 FROM rollcalls WHERE id = ?", (rollcall_id,)).fetchone() is None:
        raise VisitorError("start the roll call first")
    if db.execute("SELECT 1 FROM rollcall_ends WHERE rollcall_id = ?", (rollcall_id,)).fetchone() is not None:
        raise VisitorError("this roll call has already ended")


def search(db: sqlite_utils.Database, text: str, limit: int = 50, tz: str = "Asia/Shanghai") -> list[dict]:
    """Past visits by name, phone, organisation or host (full-text, trigram; short text scans), or all
    visits of a local day when the text is a date (2026-11-20); a name typed in pinyin or initials ("Wang
    Fang", "wf") also finds 王芳 (`kiosk.visitors.namesearch`), newest first."""
    from kiosk.visitors import namesearch
    from kiosk.input.namekeys import fold_query
    letters = fold_query(text)
    # Two letters typed are initials ("wf"): the pinyin index answers; the substring scan of every visit's
    # name, phone, organisation and host (no index can serve '%wf%') is what made such a search slow.
    found = [] if len(letters) == 2 and re.fullmatch(r"\s*[A-Za-z]{2}\s*", text or "") else _search_text(db, text, limit, tz)
    pinyin = namesearch.by_pinyin(db, text, limit)
    if not pinyin:
        return found
    seen = {row["id"] for row in found}
    merged = found + [row for row in pinyin if row["id"] not in seen]
    return sorted(merged, key=lambda row: row["id"], reverse=True)[:limit]


def _search_text(db: sqlite_utils.Database, text: str, limit: int, tz: str) -> list[dict]:
    # Control characters are never part of a name: a NUL ended FTS5's quoted string ("unterminated string")
    text = "".join(ch for ch in (text or "") if unicodedata.category(ch)[0] != "C").strip()
    if not text:
        return []
    if re.fullmatch(r"\d{4}-\d{2}-\d{2}", text):
        try:
            day = date.fromisoformat(text)
        except ValueError:
            return []
        start = datetime(day.year, day.month, day.day, tzinfo=ZoneInfo(tz))
        return list(db.query("SELECT * FROM visits WHERE signed_in_at >= ? AND signed_in_at < ?"
                             " ORDER BY id DESC LIMIT ?", (utc_iso(start), utc_iso(start + timedelta(days=1)), limit)))
    if len(text) >= 3:
        quoted = '"' + text.replace('"', '""') + '"'
        # Newest first straight from the index: FTS5 walks rowids in order and stops at the limit,
        # so a common name does not sort every match in a year of visits.
        sql = ("SELECT v.* FROM visits v WHERE v.id IN (SELECT rowid FROM visits_fts WHERE visits_fts MATCH ?"
               " ORDER BY rowid DESC LIMIT ?) ORDER BY v.id DESC")
        return list(db.query(sql, (quoted, limit)))
    like = "%" + text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"  # literal text
    return list(db.query("SELECT * FROM visits WHERE name LIKE ?1 ESCAPE '\\' OR phone LIKE ?1 ESCAPE '\\'"
                         " OR organisation LIKE ?1 ESCAPE '\\' OR host_name LIKE ?1 ESCAPE '\\' ORDER BY id DESC LIMIT ?2",
                         (like, limit)))


RETENTION_BATCH = 1000   # visits anonymised per transaction: the write lock is held for milliseconds


def apply_retention(db: sqlite_utils.Database, clock: Clock, days: int | None = None, *,
                    batch: int = RETENTION_BATCH, progress: Callable[[int], None] | None = None,
                    stop: Callable[[], bool] | None = None, scrub: bool = True) -> int:
    """Anonymise visits older than the retention period; keeps time, host, purpose and party size.

    Works in batches of `batch` visits, each its own transaction with its own audit row, through the
    partial index of visits not yet anonymised (migration 0018): a catch-up of a million visits never
    holds the write lock for long, and a run killed halfway leaves only whole batches done; the next
    run goes on from there (what is done is marked by anonymised_at itself). `progress(done)` is
    called after each batch; `stop()` returning True ends the run between batches.
    """
    days = settings.get(db, "visitor_retention_days") if days is None else days
    cutoff = utc_iso(clock.now() - timedelta(days=days))
    batch = max(1, int(batch))
    count = 0
    while stop is None or not stop():
        with write(db):
            ids = [row[0] for row in db.execute(
                "SELECT id FROM visits INDEXED BY visits_to_anonymise WHERE anonymised_at IS NULL"
                " AND signed_in_at < ? ORDER BY signed_in_at, id LIMIT ?", (cutoff, batch))]
            if not ids:
                break
            marks = ",".join("?" * len(ids))
            done = db.execute("UPDATE visits SET name = '', phone = '', organisation = '', id_number = '',"
                              f" anonymised_at = ? WHERE id IN ({marks}) AND anonymised_at IS NULL",
                              (utc_iso(clock.now()), *ids)).rowcount
            audit.record(db, clock, Actor("system"), "visitor.retention", "visits", None, None,
                         {"anonymised": done, "older_than_days": days, "first_id": ids[0], "last_id": ids[-1]})
        count += done
        if progress is not None:
            progress(count)
        if len(ids) < batch:
            break
        time.sleep(0)  # let a waiting thread (the UI's sale or sign-in) take the write lock between batches
    # What the anonymisation does not reach (expected visitors, badge documents...) by the inventory;
    # then the index and the file are scrubbed so the blanked words are gone from disk too.
    # ``scrub`` False: the caller (kiosk.visitors.housekeeping) runs the inventory's retention and the
    # scrub itself, so that a blocked scrub is reported and retried instead of ignored.
    if not scrub:
        return count
    from kiosk.core import erasure
    if not erasure.apply_retention(db, clock) and count:
        erasure.scrub_files(db)
    return count


_LATIN_WORD = re.compile(r"[a-z]+")
_CJK = re.compile(r"[\u3400-\u9fff\uf900-\ufaff]+")


def _name_words(folded: str) -> list[str]:
    """The name's Latin words plus the toneless pinyin of its Chinese (王建国 -> wang jian guo)."""
    words = _LATIN_WORD.findall(folded)
    chinese = "".join(_CJK.findall(folded))
    if chinese:
        from pypinyin import lazy_pinyin  # the data loads once, on the first search
        pinyin = [w for w in lazy_pinyin(chinese) if _LATIN_WORD.fullmatch(w)]
        return pinyin + [w for w in words if w not in pinyin]
    return words


def _host_matches(name: str, query: str) -> bool:
    """At least two characters of the name's Chinese, or a whole pinyin syllable or Latin word (or the first
    three letters of a Latin word), or the initials of the full name (王建国: "wjg"; Emma Clarke: "ec"). Literal
    text only: `_` and `%` are characters, not wildcards."""
    folded = unicodedata.normalize("NFKC", name).casefold()
    if _CJK.search(query):
        return len(query) >= 2 and query in folded
    if not re.fullmatch(r"[a-z]+( [a-z]+)*", query):
        return False
    words = _name_words(folded)
    latin = _LATIN_WORD.findall(folded)
    chinese = "".join(_CJK.findall(folded))
    pinyin = words[:len(chinese)] if chinese else []
    parts = query.split()
    # A prefix of a Latin word (3+ letters: "emm" for Emma) still answers; a pinyin syllable only whole:
    # "zho" or "hon" walked the directory five names at a time (outside test F14).
    if len(parts) > 1:
        return all(p in words or (len(p) >= 3 and any(w.startswith(p) for w in latin)) for p in parts) and (
            " ".join(latin).find(query) >= 0 or " ".join(pinyin).find(query) >= 0)
    initials = {"".join(w[0] for w in group) for group in (pinyin, latin) if len(group) >= 2}
    return (any(query == w for w in words) or (len(query) >= 3 and any(w.startswith(query) for w in latin))
            or query in initials or query == "".join(pinyin) or query == "".join(latin))


@dataclass(frozen=True)
class HostAnswer:
    """The directory's answer to a visitor: at most HOST_RESULTS names, and whether more matched (the
    screen then asks for more letters; how many more, and who, is never said)."""

    hosts: list[dict]
    more: bool = False


def host_answer(db: sqlite_utils.Database, text: str) -> HostAnswer:
    """`find_hosts` for the visitor screen, saying also whether the answer was capped."""
    found = _matching_hosts(db, text)
    return HostAnswer(found[:HOST_RESULTS], len(found) > HOST_RESULTS)


def find_hosts(db: sqlite_utils.Database, text: str, limit: int = HOST_RESULTS) -> list[dict]:
    """The host directory answers, it does not list: nothing for fewer than two characters, names only
    (a department lists nobody), at most five answers. Matched in Python: the directory is small."""
    return _matching_hosts(db, text)[:max(0, min(limit, HOST_RESULTS))]


def _matching_hosts(db: sqlite_utils.Database, text: str) -> list[dict]:
    """Every active host the query matches (never shown whole: callers cap it)."""
    query = re.sub(r"\s+", " ", unicodedata.normalize("NFKC", text or "").casefold()).strip()
    if len(query) < 2:
        return []
    return [dict(row) for row in db.query("SELECT id, name FROM hosts WHERE active = 1 ORDER BY name")
            if _host_matches(row["name"], query)]


def staff_find_hosts(db: sqlite_utils.Database, text: str, limit: int = 10) -> list[dict]:
    """Staff at the counter search the directory by name or department (wildcards escaped)."""
    text = (text or "").strip()
    if not text:
        return []
    like = "%" + text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
    found = list(db.query("SELECT id, name, department FROM hosts WHERE active = 1 AND (name LIKE ? ESCAPE '\\'"
                          " OR department LIKE ? ESCAPE '\\') ORDER BY name LIMIT ?", (like, like, limit)))
    from kiosk.input.namekeys import fold_query, matches
    if len(found) < limit and fold_query(text):  # 王芳 by "wang fang" or "wf" (the directory is small)
        seen = {row["id"] for row in found}
        found += [dict(row) for row in db.query("SELECT id, name, department FROM hosts WHERE active = 1"
                                                " ORDER BY name LIMIT 5000")
                  if row["id"] not in seen and matches(row["name"], text)][:limit - len(found)]
    return found


def add_host(db: sqlite_utils.Database, clock: Clock, actor: Actor, name: str, department: str = "",
             phone: str = "") -> int:
    """Add a person visitors can come to see (audited)."""
    name = clean_text(name, "name", required=True, limit=40)
    department = clean_text(department, "department", required=False, limit=40)
    with write(db):
        host_id = db.execute("INSERT INTO hosts (name, department, phone) VALUES (?, ?, ?)",
                             (name, department, phone)).lastrowid
        audit.record(db, clock, actor, "host.add", "hosts", host_id, None, {"name": name})
    return host_id


def add_to_deny_list(db: sqlite_utils.Database, clock: Clock, actor: Actor, *, name: str = "", phone: str = "",
                     reason: str, id_type: str = "", id_number: str = "") -> int:
    """Staff flag a name, a phone number and/or an identity document (kept masked); a match at sign-in
    alerts the desk, never the visitor."""
    name = clean_text(name, "name", required=False, limit=40)
    if not (name or (phone or "").strip() or (id_number or "").strip()):
        raise VisitorError("a name or a phone number is needed", field="name")
    reason = clean_text(reason, "reason", required=True, limit=200)
    masked, keyed = "", ""
    with write(db):
        if (id_number or "").strip():
            number = check_id_document(id_type, id_number)  # IdDocumentError if wrong
            masked, keyed = mask_document(id_type, number), idhash.id_hash(db, number)
        entry = db.execute("INSERT INTO deny_list (name, phone, reason, added_at, actor_id, actor, id_number,"
                           " id_hash) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                           (name, clean_phone(phone) if (phone or "").strip() else "", reason, utc_iso(clock.now()),
                            actor.id, actor.name, masked, keyed)).lastrowid
        audit.record(db, clock, actor, "deny_list.add", "deny_list", entry, None, {"reason": reason})
    return entry


def deny_entries(db: sqlite_utils.Database) -> list[dict]:
    """The deny list in force (lifted entries are kept but no longer match), newest first."""
    return list(db.query("SELECT * FROM deny_list d WHERE NOT EXISTS (SELECT 1 FROM deny_list_lifts l"
                         " WHERE l.entry_id = d.id) ORDER BY d.id DESC"))


def lift_deny(db: sqlite_utils.Database, clock: Clock, actor: Actor, entry_id: int, reason: str) -> None:
    """A manager takes an entry off the list: a new record with who, when and why."""
    if actor.role != "manager":
        raise VisitorError("a manager must approve", field="deny")
    reason = clean_text(reason, "reason", required=True, limit=200)
    with write(db):
        if not db.execute("SELECT 1 FROM deny_list WHERE id = ?", (entry_id,)).fetchone():
            raise VisitorError("no such entry", field="deny")
        if db.execute("SELECT 1 FROM deny_list_lifts WHERE entry_id = ?", (entry_id,)).fetchone():
            raise VisitorError("already lifted", field="deny")
        db.execute("INSERT INTO deny_list_lifts (entry_id, at, actor_id, actor, reason) VALUES (?, ?, ?, ?, ?)",
                   (entry_id, utc_iso(clock.now()), actor.id, actor.name, reason))
        audit.record(db, clock, actor, "deny_list.lift", "deny_list", entry_id, None, {"reason": reason})


def hosts(db: sqlite_utils.Database) -> list[dict]:
    """The whole host directory, for staff keeping it (visitors only ever search it)."""
    return list(db.query("SELECT * FROM hosts ORDER BY active DESC, name"))


def set_host_active(db: sqlite_utils.Database, clock: Clock, actor: Actor, host_id: int, active: bool) -> None:
    """Someone left or came back: hosts are retired, never deleted (past visits name them)."""
    with write(db):
        if audit.update_changed(db, clock, actor, "host.change", "hosts", host_id, {"active": int(active)}) is None:
            raise VisitorError("no such host", field="host")


def add_expected(db: sqlite_utils.Database, clock: Clock, actor: Actor, *, name: str, phone: str, host_id: int,
                 expected_on: str) -> int:
    """Staff pre-register a visitor for a day (local date, YYYY-MM-DD). On arrival the visitor proves who
    they are with their phone and name, or with the invitation code staff give them (`expected_on` lists it)."""
    name = clean_text(name, "name", required=True, limit=40)
    phone = clean_phone(phone)
    try:
        date.fromisoformat(expected_on)
    except (TypeError, ValueError):
        raise VisitorError("the day must look like 2026-11-23", field="expected_on") from None
    if db.execute("SELECT 1 FROM hosts WHERE id = ? AND active = 1", (host_id,)).fetchone() is None:
        raise VisitorError("choose whom you are visiting", field="host")
    with write(db):
        entry = db.execute("INSERT INTO expected_visitors (name, phone, host_id, expected_on, actor_id, actor,"
                           " invite_code) VALUES (?, ?, ?, ?, ?, ?, ?)",
                           (name, phone, host_id, expected_on, actor.id, actor.name, _new_code(db))).lastrowid
        audit.record(db, clock, actor, "visitor.expected", "expected_visitors", entry, None,
                     {"host_id": host_id, "expected_on": expected_on})
    return entry


def expected_on(db: sqlite_utils.Database, day: str) -> list[dict]:
    """Who is expected on a local day, with whether they have arrived (staff screens only)."""
    return list(db.query(
        "SELECT e.id, e.name, e.phone, h.name AS host_name, e.invite_code,"
        " EXISTS (SELECT 1 FROM visits v WHERE v.expected_id = e.id) AS arrived"
        " FROM expected_visitors e LEFT JOIN hosts h ON h.id = e.host_id WHERE e.expected_on = ? ORDER BY e.name",
        (day,)))


def deny_alerts(db: sqlite_utils.Database, since_iso: str) -> list[dict]:
    """Deny-list matches since a moment, newest first: for staff only (the visitor was told 'see the desk')."""
    return list(db.query(
        "SELECT a.at, a.actor AS by_whom, d.name, d.phone, d.reason,"
        " COALESCE(json_extract(a.after, '$.basis'), '') AS basis FROM audit a"
        " JOIN deny_list d ON CAST(d.id AS TEXT) = a.record_id"
        " WHERE a.action = 'visitor.deny_match' AND a.record_table = 'deny_list' AND a.at >= ? ORDER BY a.id DESC",
        (since_iso,)))


def seed_demo(db: sqlite_utils.Database, clock: Clock) -> list[str]:
    """Demo mode: a host directory."""
    if db.execute("SELECT COUNT(*) FROM hosts").fetchone()[0]:
        return []
    system = Actor("system")
    for name, department in [("李经理 Li Na", "会籍部 Membership"), ("王建国 Wang Jianguo", "行政部 Admin"),
                             ("张敏 Zhang Min", "财务部 Finance"), ("陈晓红 Chen Xiaohong", "赛事部 Events"),
                             ("刘洋 Liu Yang", "工程部 Facilities"), ("赵磊 Zhao Lei", "餐饮部 Catering"),
                             ("Emma Clarke", "Pro shop"), ("周伟 Zhou Wei", "总经理办公室 GM office")]:
        add_host(db, clock, system, name, department)
    return ["host directory"]


def name_character_counts(db: sqlite_utils.Database) -> NameCounts:
    """This desk's visitors' names as counts of characters by position, for the name keyboard's ranking
    (kiosk.input.learned: characters only, each in at least three names; never a whole name). Read
    from the visits still on record, newest first and bounded, so an anonymised visit no longer counts."""
    rows = db.execute("SELECT name FROM visits WHERE name != '' ORDER BY id DESC LIMIT ?", [MAX_NAMES * 2])
    return count_name_characters((row[0] for row in rows), COMPOUND_SURNAMES)
