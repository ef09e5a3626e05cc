"""The visitor register: self sign-in at the touchscreen, registration at the counter, sign-out,
who is on site (fire roll call), search, the deny list and the retention job.

Functions a visitor's own screen calls never return another visitor's data.
"""
from __future__ import annotations

import re
import secrets
import unicodedata
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import sqlite_utils

from kiosk.core import audit
from kiosk.core.text import clean_text as shared_clean_text
from kiosk.core import settings
from kiosk.core.audit import VISITOR, Actor
from kiosk.core.clock import Clock, utc_iso
from kiosk.core.db import write
from kiosk.core.errors import Refusal
from kiosk.core.privacy import (IdDocumentError, check_id_document,  # noqa: F401 (re-exported)
                                  fold_name, mask_document, normalise_phone)

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


@dataclass(frozen=True)
class SignedIn:
    visit_id: int
    code: str
    returning: bool
    expected: bool
    host_name: str
    host_phone: str = ""


def _is_emoji(ch: str) -> bool:
    return unicodedata.category(ch) == "So" or ord(ch) >= 0x1F000


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
    """The first entry in force that matches a phone (normalised), a name (folded) or an identity number.

    Compared in Python over the entries in force: the list is short, and stored entries written before
    normalisation (with spaces, +86, full-width digits) still match."""
    phone, name, number = normalise_phone(phone), fold_name(name), fold_name(id_number)
    for entry in deny_entries(db):
        if phone and entry["phone"] and normalise_phone(entry["phone"]) == phone:
            return entry
        if name and entry["name"] and fold_name(entry["name"]) == name:
            return entry
        if number and entry.get("id_number") and fold_name(entry["id_number"]) == number:  # masks compared
            return entry
    return None


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
    while True:
        code = "".join(secrets.choice(CODE_ALPHABET) for _ in range(5))
        if not db.execute("SELECT 1 FROM visits WHERE signout_code = ?", (code,)).fetchone():
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


def details_by_pass(db: sqlite_utils.Database, code: str) -> dict:
    """The visitor's own details from the code on their earlier badge (having the badge is the proof):
    name and organisation of that visit, or {} (an unknown or anonymised code tells nothing)."""
    code = (code or "").strip().upper()
    if not re.fullmatch(f"[{CODE_ALPHABET}]{{5}}", code):
        return {}
    row = next(db.query("SELECT name, phone, organisation FROM visits WHERE signout_code = ? AND anonymised_at IS NULL",
                        (code,)), None)
    return dict(row) if row and row["name"] else {}


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

    A returning visitor is one whose phone AND name match an earlier visit; their organisation is then
    copied from it when left blank (never shown back to the screen)."""
    self_service = actor.role == "visitor"
    values = _validate(db, visitor, self_service=self_service)
    id_type, id_number = "", ""
    if not self_service:
        if visitor.id_type not in ID_TYPES:
            raise VisitorError("choose the type of identity document", field="id_type")
        # an IdDocumentError (a Refusal naming the field) says what is wrong with the number
        number = check_id_document(visitor.id_type, visitor.id_number, today=clock.now().astimezone(ZoneInfo(tz)).date())
        id_type = visitor.id_type
        id_number = number if settings.get(db, "store_full_id_numbers") else mask_document(id_type, number)
    entry = _deny_match(db, values["name"], values["phone"], mask_document(id_type, id_number) if id_type else "")
    if entry is not None:
        with write(db):
            audit.record(db, clock, actor, "visitor.deny_match", "deny_list", entry["id"])
        raise SeeTheDesk(entry)
    with write(db):
        last = _last_visit(db, values["phone"], values["name"])
        if last and not values["organisation"]:
            values["organisation"] = last["organisation"]
        expected = expected_host(db, clock, values["phone"], values["name"], tz)
        code = _new_code(db)
        visit_id = db.execute(
            "INSERT INTO visits (signed_in_at, name, phone, organisation, host_id, host_name, purpose, party_size,"
            " registered_by, actor_id, actor, id_type, id_number, privacy_accepted, signout_code, expected_id)"
            " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (utc_iso(clock.now()), values["name"], values["phone"], values["organisation"], values["host"][0],
             values["host"][1], visitor.purpose, visitor.party_size, "self" if self_service else "staff", actor.id, actor.name,
             id_type, id_number, int(visitor.privacy_accepted or not self_service), code,
             expected["expected_id"] if expected else None)).lastrowid
        audit.record(db, clock, actor, "visitor.sign_in", "visits", visit_id, None,
                     {"host": values["host"][1], "party_size": visitor.party_size, "by": "self" if self_service else "staff"})
        host_phone = db.execute("SELECT phone FROM hosts WHERE id = ?", (values["host"][0],)).fetchone()[0]
        if expected:
            audit.record(db, clock, actor, "visitor.expected_arrived", "visits", visit_id, None,
                         {"host": values["host"][1], "extension": host_phone})
    return SignedIn(visit_id, code, last is not None, expected is not None, values["host"][1], host_phone)


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
    code = (code or "").strip().upper()
    row = db.execute("SELECT id, host_name FROM visits WHERE signout_code = ?", (code,)).fetchone()
    if row is None:
        raise VisitorError("no visit with that code", field="code")
    _sign_out(db, clock, row[0], "code", VISITOR)
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
    count = 0
    for visit in on_site(db):
        if visit["signed_in_at"] < cutoff:
            _sign_out(db, clock, visit["id"], "auto", Actor("system"))
            count += 1
    return count


def on_site(db: sqlite_utils.Database) -> list[dict]:
    """Everyone in the building now (staff screens only), with roll-call marks."""
    return list(db.query(
        "SELECT v.id, v.signed_in_at, v.name, v.organisation, v.host_name, v.party_size, v.phone,"
        " EXISTS (SELECT 1 FROM rollcall_marks r WHERE r.visit_id = v.id) AS located"
        " FROM visits v WHERE NOT EXISTS (SELECT 1 FROM visit_signouts s WHERE s.visit_id = v.id)"
        " ORDER BY v.signed_in_at"))


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
    mark wins), plus anyone who signed out after the roll call started and was marked in it."""
    return list(db.query(
        "SELECT v.id, v.signed_in_at, v.name, v.organisation, v.host_name, v.party_size, v.phone,"
        " COALESCE((SELECT COALESCE(r.heads, v.party_size) FROM rollcall_marks r WHERE r.visit_id = v.id"
        "           AND r.rollcall_id = :rc ORDER BY r.id DESC LIMIT 1), 0) AS safe"
        " FROM visits v WHERE NOT EXISTS (SELECT 1 FROM visit_signouts s WHERE s.visit_id = v.id)"
        "   OR EXISTS (SELECT 1 FROM rollcall_marks r WHERE r.visit_id = v.id AND r.rollcall_id = :rc)"
        " ORDER BY v.signed_in_at, v.id", {"rc": rollcall_id}))


def mark_safe(db: sqlite_utils.Database, clock: Clock, actor: Actor, rollcall_id: int, visit_id: int,
              heads: int) -> None:
    """Record that `heads` of a visit's party are accounted for in a roll call (0 undoes). A new row
    every time: the drill's history reads back tap by tap."""
    rows = list(db.query("SELECT party_size FROM visits WHERE id = ?", (visit_id,)))
    if not rows:
        raise VisitorError("no such visit")
    party = rows[0]["party_size"]
    if not isinstance(heads, int) or isinstance(heads, bool) or not 0 <= heads <= party:
        raise VisitorError("a party of {party} cannot have {heads} accounted for", field="heads",
                           party=party, heads=heads)
    if db.execute("SELECT 1 FROM rollcalls WHERE id = ?", (rollcall_id,)).fetchone() is None:
        raise VisitorError("start the roll call first")
    with write(db):
        db.execute("INSERT INTO rollcall_marks (visit_id, at, actor_id, actor, rollcall_id, heads)"
                   " VALUES (?, ?, ?, ?, ?, ?)", (visit_id, utc_iso(clock.now()), actor.id, actor.name,
                                                   rollcall_id, heads))


def search(db: sqlite_utils.Database, text: str, limit: int = 50, tz: str = "Asia/Shanghai") -> list[dict]:
    """Past visits by name, phone, organisation or host (full-text, trigram; short text scans), or all
    visits of a local day when the text is a date (2026-11-20)."""
    text = (text or "").strip()
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


def apply_retention(db: sqlite_utils.Database, clock: Clock, days: int | None = None) -> int:
    """Anonymise visits older than the retention period; keeps time, host, purpose and party size."""
    days = settings.get(db, "visitor_retention_days") if days is None else days
    cutoff = utc_iso(clock.now() - timedelta(days=days))
    with write(db):
        count = db.execute("UPDATE visits SET name = '', phone = '', organisation = '', id_number = '',"
                           " anonymised_at = ? WHERE signed_in_at < ? AND anonymised_at IS NULL",
                           (utc_iso(clock.now()), cutoff)).rowcount
        if count:
            audit.record(db, clock, Actor("system"), "visitor.retention", "visits", None, None,
                         {"anonymised": count, "older_than_days": days})
    # What the anonymisation does not reach (expected visitors, badge documents...) by the inventory;
    # then the index and the file are scrubbed so the blanked words are gone from disk too.
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
    """At least two characters of the name's Chinese, or a whole pinyin syllable/Latin word (or the first
    three letters of one), or the initials of the full name (王建国: "wjg"; Emma Clarke: "ec"). Literal
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
    if len(parts) > 1:
        return all(p in words or (len(p) >= 3 and any(w.startswith(p) for w in words)) for p in parts) and (
            " ".join(latin).find(query) >= 0 or " ".join(pinyin).find(query) >= 0)
    initials = {"".join(w[0] for w in group) for group in (pinyin, latin) if len(group) >= 2}
    return (any(query == w or (len(query) >= 3 and w.startswith(query)) for w in words)
            or query in initials or query == "".join(pinyin) or query == "".join(latin))


def find_hosts(db: sqlite_utils.Database, text: str, limit: int = HOST_RESULTS) -> list[dict]:
    """The host directory answers, it does not list: nothing for fewer than two characters, names only
    (a department lists nobody), at most five answers. Matched in Python: the directory is small."""
    query = re.sub(r"\s+", " ", unicodedata.normalize("NFKC", text or "").casefold()).strip()
    if len(query) < 2:
        return []
    found = [dict(row) for row in db.query("SELECT id, name FROM hosts WHERE active = 1 ORDER BY name")
             if _host_matches(row["name"], query)]
    return found[:max(0, min(limit, HOST_RESULTS))]


def staff_find_hosts(db: sqlite_utils.Database, text: str, limit: int = 10) -> list[dict]:
    """Staff at the counter search the directory by name or department (wildcards escaped)."""
    text = (text or "").strip()
    if not text:
        return []
    like = "%" + text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
    return list(db.query("SELECT id, name, department FROM hosts WHERE active = 1 AND (name LIKE ? ESCAPE '\\'"
                         " OR department LIKE ? ESCAPE '\\') ORDER BY name LIMIT ?", (like, like, limit)))


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
    masked = ""
    if (id_number or "").strip():
        masked = mask_document(id_type, check_id_document(id_type, id_number))  # IdDocumentError if wrong
    with write(db):
        entry = db.execute("INSERT INTO deny_list (name, phone, reason, added_at, actor_id, actor, id_number)"
                           " VALUES (?, ?, ?, ?, ?, ?, ?)",
                           (name, clean_phone(phone) if (phone or "").strip() else "", reason, utc_iso(clock.now()),
                            actor.id, actor.name, masked)).lastrowid
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
    """Staff pre-register a visitor for a day (local date, YYYY-MM-DD); matched by phone on arrival."""
    name = clean_text(name, "name", required=True, limit=40)
    phone = clean_phone(phone)
    try:
        date.fromisoformat(expected_on)
    except (TypeError, ValueError):
        raise VisitorError("the day must look like 2026-11-23", field="expected_on") from None
    if db.execute("SELECT 1 FROM hosts WHERE id = ? AND active = 1", (host_id,)).fetchone() is None:
        raise VisitorError("choose whom you are visiting", field="host")
    with write(db):
        entry = db.execute("INSERT INTO expected_visitors (name, phone, host_id, expected_on, actor_id, actor)"
                           " VALUES (?, ?, ?, ?, ?, ?)", (name, phone, host_id, expected_on, actor.id,
                                                          actor.name)).lastrowid
        audit.record(db, clock, actor, "visitor.expected", "expected_visitors", entry, None,
                     {"host_id": host_id, "expected_on": expected_on})
    return entry


def expected_on(db: sqlite_utils.Database, day: str) -> list[dict]:
    """Who is expected on a local day, with whether they have arrived (staff screens only)."""
    return list(db.query(
        "SELECT e.id, e.name, e.phone, h.name AS host_name,"
        " EXISTS (SELECT 1 FROM visits v WHERE v.expected_id = e.id) AS arrived"
        " FROM expected_visitors e LEFT JOIN hosts h ON h.id = e.host_id WHERE e.expected_on = ? ORDER BY e.name",
        (day,)))


def deny_alerts(db: sqlite_utils.Database, since_iso: str) -> list[dict]:
    """Deny-list matches since a moment, newest first: for staff only (the visitor was told 'see the desk')."""
    return list(db.query(
        "SELECT a.at, a.actor AS by_whom, d.name, d.phone, d.reason FROM audit a"
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
