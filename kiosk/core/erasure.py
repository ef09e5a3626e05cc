"""Find and erase one person's data everywhere the inventory says it can be (PIPL art. 47), and the
retention job for the declared periods. Counts and money stay: only the personal columns are blanked.

Everything here reads :mod:`kiosk.core.inventory`; nothing names an area's table by itself. After an
erasure the full-text index is merged (its old segments still held the words), the WAL is checkpointed
and truncated, and the free pages are given back in small steps (kiosk.core.compact), so with ``PRAGMA secure_delete`` the bytes are gone from the
database, its WAL and its free pages.
"""
from __future__ import annotations

import contextlib
import json
import re
import unicodedata
from dataclasses import dataclass, field
from datetime import timedelta

import sqlite_utils

from kiosk.core import audit, settings
from kiosk.core.audit import Actor
from kiosk.core import records
from kiosk.core.clock import Clock, utc_iso
from kiosk.core.db import write
from kiosk.core.errors import Refusal
from kiosk.core.inventory import (AUDIT_KEYS, COMPLAINT_CLOSED_AT, LINKED, TRAILS, DOCUMENT, IMAGE, ID_NUMBER,
                                  MENTION, NAME, PHONE, TEXT, Personal, personal_columns)
from kiosk.core import erasure_ledger, idhash
from kiosk.core.namefold import t2s_text
from kiosk.core.privacy import (HAN, LETTER, NAME_GAP, PHONE_GAP, fold_name, id_consistent, mask_id_number, mask_name, mask_phone,
                                normalise_phone)
from kiosk.core.uid import uuid7

ERASED = "***"
# Where an erasure does not reach: a derived index (cleaned through its content table) and the host
# directory (staff, kept while they work here; a manager retires or renames them).
SKIP_TABLES = ("visits_fts", "hosts")
# Found and listed, but kept by an erasure: the deny list is the desk's safety record about that person
# (a manager lifts an entry; its append-only triggers are not relaxed).
KEPT_TABLES = ("deny_list",)
MIN_TEXT = 2  # shorter names are not searched inside free text (one character would match everywhere)


class ErasureError(Refusal, ValueError):
    """An erasure or search that cannot be done as asked."""


@dataclass(frozen=True)
class Person:
    """Who is looked for: any of a phone, a name, an identity number (as typed)."""

    phone: str = ""
    name: str = ""
    id_number: str = ""

    def needles(self) -> list[str]:
        """Texts searched inside free text and JSON (raw and JSON-escaped forms)."""
        return Needles.of([self]).raw


class Needles:
    """What is looked for inside free text and JSON: names case-, width- and space-insensitively
    (NFKC + casefold) and in either script (traditional characters folded to simplified, one for one:
    張偉明 is 张伟明), phone digits with up to three separators of any kind between any two of them
    (spaces, any dash - the em dash a Chinese IME types -, slashes, dots, brackets; full-width digits
    folded by NFKC: kiosk.core.privacy.PHONE_GAP) or +86 in front, identity
    numbers case-insensitively; plus the JSON-escaped form of each name (``\\u`` escapes)."""

    def __init__(self, patterns: list[re.Pattern], raw: list[str], shields: list[re.Pattern] | None = None):
        self.patterns, self.raw = patterns, raw
        # Longer names of other people that hold one of these names (王伟东 for 王伟): a match inside
        # one of them is that other person, never this one (outside tester, issue 16).
        self.shields = shields or []
        # one alternation for the fast test (a row is read once, not once per needle)
        self.any = re.compile("|".join(f"(?:{p.pattern})" for p in patterns)) if patterns else None

    @classmethod
    def of(cls, people: list["Person"], *, shields: list[str] = ()) -> "Needles":
        """The needles of these people; ``shields`` are other people's longer names (`longer_names`)."""
        patterns: list[re.Pattern] = []
        raw: list[str] = []
        for person in people:
            phone = normalise_phone(person.phone)
            if len(phone) >= 6 and phone.isdigit():
                sep = PHONE_GAP
                # the country code only where it is plainly one: after + or 00 (any separators), or bare
                # "86" right before the number (at most a space or dash between) - never "会议室86：" (a
                # room number before a colon: outside attack 16b)
                patterns.append(re.compile(r"(?<!\d)(?:(?:\+|00)86" + sep + r"(?:[(（]?0[)）]?)?" + sep
                                           + r"|86[ \-]?(?:\(0\)[ \-]?)?)?" + sep.join(phone) + r"(?!\d)"))
                raw.append(phone)
            name = fold_name(person.name)
            if len(name) >= MIN_TEXT:
                patterns.append(_name_pattern(name))
                escaped = json.dumps((person.name or "").strip())[1:-1]
                patterns.append(re.compile(_bounded(escaped.casefold(), re.escape(escaped.casefold()))))
                raw += [(person.name or "").strip(), escaped]
            number = fold_name(person.id_number)
            if len(number) >= 6:
                patterns.append(re.compile(re.escape(number)))
                raw.append(number.upper())
        unique = {p.pattern: p for p in patterns}
        # a shield guards wherever it is written (no word boundaries: it only ever spares text)
        guards = {p.pattern: p for p in (_name_pattern(fold_name(s), shield=True) for s in shields if fold_name(s))}
        return cls(list(unique.values()), list(dict.fromkeys(n for n in raw if n)), list(guards.values()))

    @classmethod
    def words(cls, texts: list[str]) -> "Needles":
        """Plain texts matched as they are (folded: width and case), for a row's other personal words."""
        folded = [t2s_text(unicodedata.normalize("NFKC", t).casefold()).strip() for t in texts]
        patterns = [re.compile(re.escape(f)) for f in dict.fromkeys(folded) if len(f) >= MIN_TEXT]
        return cls(patterns, [t for t in texts if len(t) >= MIN_TEXT])

    def spans(self, value: str) -> list[tuple[int, int]]:
        """Where in ``value`` (original indexes) any needle occurs, merged; never inside a shield."""
        if not self._quick(value):  # the fast whole-string test first (most rows mention no one)
            return []
        folded, index = _fold_with_index(value)
        guarded = [(m.start(), m.end()) for shield in self.shields for m in shield.finditer(folded)]
        found = []
        for pattern in self.patterns:
            for m in pattern.finditer(folded):
                if m.end() > m.start() and not any(s <= m.start() and m.end() <= e for s, e in guarded):
                    found.append((index[m.start()], index[m.end() - 1] + 1))
        merged: list[tuple[int, int]] = []
        for start, end in sorted(found):
            if merged and start <= merged[-1][1]:
                merged[-1] = (merged[-1][0], max(end, merged[-1][1]))
            else:
                merged.append((start, end))
        return merged

    def hits(self, value: str) -> bool:
        """Whether any needle occurs in value (folded as a whole), other than inside a shield."""
        if not self._quick(value):
            return False
        return not self.shields or bool(self.spans(value)) or not _locatable(value)

    def _quick(self, value: str) -> bool:
        if not value or not self.patterns:
            return False
        return bool(self.any.search(_fold_text(value)))

    def replace(self, value: str) -> str:
        """``value`` with every occurrence replaced by ERASED; the whole value when a match is found only
        in the text folded as a whole (a name with combining marks) and cannot be located in the original."""
        spans = self.spans(value)
        if not spans and self.hits(value):
            return ERASED
        for start, end in reversed(spans):
            value = value[:start] + ERASED + value[end:]
        return value


# What may follow a two-character Han name directly and still leave it that name (王伟来电, 王伟先生, 王伟的,
# 王伟说): particles, titles, common verbs and time words. Any other Han character after it makes the
# mention another, longer name (王伟东, 王伟华: outside attack 16b), which is not cut. Given-name characters
# (明, 东, 华...) are deliberately not here.
NAME_FOLLOWERS = ("的地得之和与跟及或同等们也都还已又再就才只很"
                  "先女小老师总经主医教律博院工夫太姐哥弟妹叔姨爷奶"
                  "来去说讲问答打电致在是有无没不要想会能可将把被给让叫请找见到回从向对为于替帮拿取送放留寄收交"
                  "今昨前后上下午晚早这那此某处家里外"
                  "签登入离出进借还丢捡认领办")


def _bounded(name: str, body: str) -> str:
    """``body`` (the pattern of ``name``) with a word boundary at each end that is a letter of an
    alphabet: no other letter right before or after ("Li Na" is not inside "Carolina"); a Han end is
    free (哨兵Li Na)."""
    if name and re.match(LETTER, name[0]):
        body = rf"(?<!{LETTER})" + body
    if name and re.match(LETTER, name[-1]):
        body += rf"(?!{LETTER})"
    return body


def _name_pattern(name: str, *, shield: bool = False) -> re.Pattern:
    """A folded name, found with spaces or middle dots (NAME_GAP) between its characters; a Latin name on
    word boundaries; a two-character Han name not when another Han character that is not a NAME_FOLLOWERS
    one follows it (王伟 is not in 王伟东, and is in 王伟来电)."""
    body = rf"{NAME_GAP}*".join(re.escape(ch) for ch in name)
    if shield:
        return re.compile(body)
    body = _bounded(name, body)
    if len(name) == 2 and all(re.match(f"[{HAN}]", ch) for ch in name):
        body += rf"(?!(?![{NAME_FOLLOWERS}])[{HAN}])"
    return re.compile(body)


def _locatable(value: str) -> bool:
    """Whether folding character by character gives the same text as folding the whole (it does not for
    a name written with combining marks: then a match cannot be placed, and the value counts whole)."""
    return _fold_with_index(value)[0] == _fold_text(value)


def longer_names(db: sqlite_utils.Database, people: list["Person"]) -> list[str]:
    """Other people's names on record that hold one of these names (王伟东 and 王伟东 only, for 王伟):
    the shields of `Needles.of`, so erasing 王伟 leaves 王伟东's lost item and call note alone."""
    names = {fold_name(p.name) for p in people if len(fold_name(p.name)) >= MIN_TEXT}
    if not names:
        return []
    tables = set(db.table_names())
    found: set[str] = set()
    for item in personal_columns():
        if item.kind != NAME or item.table in SKIP_TABLES or item.table not in tables:
            continue
        for person in people:
            raw = (person.name or "").strip()
            if len(fold_name(raw)) < MIN_TEXT:
                continue
            for (other,) in db.execute(f"SELECT DISTINCT {item.column} FROM {item.table}"
                                       f" WHERE instr({item.column}, ?) > 0 AND {item.column} != ? LIMIT 200",
                                       [raw, raw]):
                folded = fold_name(str(other or ""))
                if folded not in names and any(n in folded for n in names):
                    found.add(str(other))
    return sorted(found)


def _fold_text(value: str) -> str:
    """Free text as searched: NFKC + casefold, traditional characters made simplified one for one."""
    return t2s_text(unicodedata.normalize("NFKC", value).casefold())


def _fold_with_index(value: str) -> tuple[str, list[int]]:
    """NFKC + casefold + simplified characters (_fold_text), character by character, keeping for each
    folded character the index of the original one it came from (so a match can be cut out of the original text)."""
    out: list[str] = []
    index: list[int] = []
    for i, ch in enumerate(value):
        folded = t2s_text(unicodedata.normalize("NFKC", ch).casefold())
        out.append(folded)
        index.extend([i] * len(folded))
    return "".join(out), index


@dataclass
class Found:
    """Rows that hold the person's data: {(table, column): [rowid, ...]}; ``owned`` names the rows found
    to be the person's own (by an exact name, phone or identity number, or a print job or audit row of
    such a row): every personal column of those goes whole, whichever key found them."""

    hits: dict[tuple[str, str], list[int]] = field(default_factory=dict)
    owned: dict[str, set[int]] = field(default_factory=dict)
    needles: Needles | None = None
    people: list = field(default_factory=list)   # the person as asked, and as their own rows name them
    # Other short personal texts of their own rows (their organisation...): a copy made of those rows (an
    # export's line) loses them too, beside the name - but not where another person's line holds them.
    words: list = field(default_factory=list)
    # Rows of someone else that only lost the person's words (an anonymised-guard table: complaints)
    cut: dict[str, set[int]] = field(default_factory=dict)
    # Rows that may be the person's but nothing proves it: their stored identity number is a mask (or the
    # number asked for is) consistent with the one asked for, and no phone, name or hash says yes or no.
    # Listed for the manager to confirm (by asking again with the person's name or phone); never erased
    # on a mask alone: one mask is shared by many documents.
    candidates: list["Candidate"] = field(default_factory=list)

    def tables(self) -> dict[str, int]:
        counts: dict[str, set[int]] = {}
        for (table, _), ids in self.hits.items():
            counts.setdefault(table, set()).update(ids)
        return {table: len(ids) for table, ids in sorted(counts.items())}

    def add(self, table: str, column: str, ids) -> None:
        ids = sorted(set(self.hits.get((table, column), [])) | set(ids))
        if ids:
            self.hits[(table, column)] = ids


@dataclass(frozen=True)
class Candidate:
    """A row that may hold the person: everything in it masked for the manager's eyes (never a full
    identity number, even when the site stores them whole)."""

    table: str
    rowid: int
    id_number: str          # masked
    name: str = ""          # masked (王*明)
    phone: str = ""         # masked (138****8000)
    since: str = ""         # when the row's period started (its date), to tell visits apart


def _matches(item: Personal, value: str, person: Person, db=None) -> bool:
    if not value:
        return False
    if item.kind == PHONE:
        return bool(person.phone) and normalise_phone(value) == normalise_phone(person.phone)
    if item.kind == NAME:
        return bool(person.name.strip()) and fold_name(value) == fold_name(person.name)
    if item.kind == ID_NUMBER:
        if not person.id_number.strip():
            return False
        if item.column == "id_hash":  # the deny list's keyed hash: only a full number typed can be compared
            return db is not None and idhash.same_id(db, person.id_number, value)
        stored = fold_name(value).upper()
        typed = fold_name(person.id_number).upper()
        # the same number, or a mask consistent with it either way round (a full number against a stored
        # 110101********1234, a typed mask against a stored mask or a stored full number)
        return stored == typed or id_consistent(stored, typed)
    return Needles.of([person]).hits(value)


def _columns(table: str) -> list[Personal]:
    """The table's personal columns, each once (the first declaration of a column)."""
    seen: dict[str, Personal] = {}
    for item in personal_columns(table):
        seen.setdefault(item.column, item)
    return list(seen.values())


def find(db: sqlite_utils.Database, person: Person) -> Found:
    """Every row of every declared personal column that holds this person's data.

    1. rows whose name, phone or identity number is the person's (exact, folded) are theirs;
    2. the names, phones and numbers held in those rows are looked for too (an erasure by phone alone
       also finds the name on the roll-call list and in the notes);
    3. print jobs and audit rows of their rows are theirs; every personal column of their rows is listed;
    4. free text and JSON anywhere are searched for any of those, case- and width-insensitively."""
    if not (person.phone.strip() or person.name.strip() or person.id_number.strip()):
        raise ErasureError("give a phone number, a name or an identity number", field="person")
    tables = set(db.table_names())
    found = Found()
    exact_kinds = (NAME, PHONE, ID_NUMBER)
    usable = [i for i in personal_columns() if i.table not in SKIP_TABLES and i.table in tables]
    given = {NAME: bool(person.name.strip()), PHONE: bool(person.phone.strip()), ID_NUMBER: bool(person.id_number.strip())}
    by_table: dict[str, list[Personal]] = {}
    for item in usable:
        if item.kind in exact_kinds and given[item.kind]:
            by_table.setdefault(item.table, []).append(item)
    for table, items in by_table.items():
        # Whose row is it? A phone number (or a full identity number) the row holds decides: the same is
        # theirs, another is someone else's - a namesake (张伟 with another phone) is not the person, and a
        # caller-ID label ("OUYANG") beside their number does not make the call someone else's. Without
        # one, the name decides. A stored mask (*****5432, one document in ten thousand) proves nothing.
        where = " OR ".join(f"{i.column} != ''" for i in items)
        select = ", ".join(f"COALESCE({i.column}, '')" for i in items)
        matched: dict[str, list[int]] = {}
        for rowid, *values in db.execute(f"SELECT rowid, {select} FROM {table} WHERE {where}"):
            typed_masked = "*" in person.id_number
            results = [(item, _matches(item, str(value), person, db),
                        item.kind == ID_NUMBER and ("*" in str(value) or typed_masked))
                       for item, value in zip(items, values) if str(value or "")]
            strong = [ok for item, ok, masked in results if item.kind == PHONE or (item.kind == ID_NUMBER and not masked)]
            names = [ok for item, ok, _ in results if item.kind == NAME]
            if strong:
                if not all(strong):
                    continue  # their phone or number is not this row's: someone else's
            elif not (names and all(names)):
                # no phone, no full number: the name must match (a mask alone proves nothing). A mask
                # consistent with the number asked for, and nothing saying otherwise, makes a candidate.
                if not names and any(ok for item, ok, masked in results if item.kind == ID_NUMBER and masked):
                    found.candidates.append(_candidate(db, table, rowid))
                continue
            for item, ok, _ in results:
                if ok:
                    matched.setdefault(item.column, []).append(rowid)
        for column, ids in matched.items():
            found.add(table, column, ids)
            found.owned.setdefault(table, set()).update(ids)
    # What their own rows say about them is looked for as well (one step: not the rows that finds).
    people = [person]
    for table, ids in found.owned.items():
        cols = {i.kind: i.column for i in _columns(table) if i.kind in exact_kinds}
        if not cols:
            continue
        select = ", ".join(f"COALESCE({cols[k]}, '')" if k in cols else "''" for k in exact_kinds)
        for chunk in _chunks(sorted(ids)):
            for name, phone, number in db.execute(
                    f"SELECT {select} FROM {table} WHERE rowid IN ({','.join('?' * len(chunk))})", chunk):
                people.append(Person(phone=str(phone), name=str(name), id_number=str(number)))
    needles = Needles.of(people, shields=longer_names(db, people))
    found.needles, found.people = needles, people
    for table, ids in found.owned.items():
        texts = [i.column for i in _columns(table) if i.kind == TEXT]
        for column in texts:
            for chunk in _chunks(sorted(ids)):
                for (value,) in db.execute(f"SELECT {column} FROM {table} WHERE rowid IN ({','.join('?' * len(chunk))})"
                                           f" AND length({column}) BETWEEN {MIN_TEXT} AND 200", chunk):
                    if isinstance(value, str) and value.strip() and value.strip() not in found.words:
                        found.words.append(value.strip())
    # Print jobs (badges, claim slips) and audit rows of their rows.
    for table in ("print_jobs", "audit"):
        if table not in tables:
            continue
        for source, ids in list(found.owned.items()):
            if source in KEPT_TABLES:
                continue
            for chunk in _chunks(sorted(ids)):
                linked = [r for (r,) in db.execute(
                    f"SELECT rowid FROM {table} WHERE record_table = ? AND record_id IN ({','.join('?' * len(chunk))})",
                    [source, *chunk])]
                if linked:
                    found.owned.setdefault(table, set()).update(linked)
    # Free text and JSON anywhere.
    for item in usable:
        if item.kind not in (TEXT, DOCUMENT, MENTION):
            continue
        rows = db.execute(f"SELECT rowid, {item.column} FROM {item.table} WHERE {item.column} != ''")
        found.add(item.table, item.column, [rowid for rowid, value in rows if needles.hits(str(value or ""))])
    # Every other personal column of their own rows (a picture, the organisation, the note...).
    for table, ids in found.owned.items():
        for item in _columns(table):
            if item.kind == MENTION:  # about the thing, not the person: only their words go (found above)
                continue
            for chunk in _chunks(sorted(ids)):
                present = f"length({item.column}) > 0" if item.kind == IMAGE else f"COALESCE({item.column}, '') != ''"
                found.add(table, item.column, [r for (r,) in db.execute(
                    f"SELECT rowid FROM {table} WHERE {present} AND rowid IN ({','.join('?' * len(chunk))})", chunk)])
    return found


def _candidate(db: sqlite_utils.Database, table: str, rowid: int) -> Candidate:
    """The row masked for the manager: its identity number, name and phone masked, and its date."""
    kinds = {i.kind: i.column for i in _columns(table) if i.kind in (NAME, PHONE) or
             (i.kind == ID_NUMBER and i.column != "id_hash")}
    since = next((i.since for i in _columns(table) if i.retention), "")
    cols = [kinds.get(k, "''") for k in (ID_NUMBER, NAME, PHONE)]
    columns = {r[1] for r in db.execute(f"PRAGMA table_info({table})")}
    cols.append(since if since in columns else ("added_at" if "added_at" in columns else "''"))
    number, name, phone, when = db.execute(f"SELECT {', '.join(f'COALESCE({c}, {chr(39) * 2})' for c in cols)}"
                                           f" FROM {table} WHERE rowid = ?", (rowid,)).fetchone()
    return Candidate(table, rowid, mask_id_number(str(number)) if "*" not in str(number) else str(number),
                     mask_name(str(name)), mask_phone(str(phone)) if phone else "", str(when)[:10])


def _chunks(ids: list[int], size: int = 500):
    for start in range(0, len(ids), size):
        yield ids[start:start + size]


@contextlib.contextmanager
def _erasing(db: sqlite_utils.Database):
    """Inside one write transaction, let the append-only triggers pass blanking updates."""
    with write(db):
        db.execute("INSERT INTO privacy_erasing (request) VALUES (?)", (uuid7(),))
        try:
            yield
        finally:
            db.execute("DELETE FROM privacy_erasing")


def _blank(db, item: Personal, ids: list[int], found: Found | None, now: str) -> None:
    """Blank one column in these rows. Retention (``found`` None) and the person's own rows lose the
    whole value (an audit JSON: the values of its personal keys, then any mention); elsewhere only the
    person's words go from free text, the rest of the note stays."""
    anonymised = next((t for t in records.RECORD_TABLES if t.name == item.table and t.anonymise), None)
    owned = found.owned.get(item.table, set()) if found is not None else set()
    for chunk in _chunks(ids):
        marks = ",".join("?" * len(chunk))
        if item.kind == MENTION:
            # The item's description, a complaint's place: the person's words are cut out, the rest stays.
            if found is None or found.needles is None:
                continue
            for rowid, value in db.execute(f"SELECT rowid, {item.column} FROM {item.table} WHERE rowid IN ({marks})",
                                           chunk).fetchall():
                if isinstance(value, str) and value:
                    new = found.needles.replace(value)
                    if new != value:
                        db.execute(f"UPDATE {item.table} SET {item.column} = ? WHERE rowid = ?", (new, rowid))
            continue
        if anonymised is not None and item.table != "visits":
            # A table whose guard allows only the anonymising update (complaints): every personal column
            # of the person's own rows goes at once, with the moment, exactly as its own retention job does.
            mine = [r for r in chunk if found is None or r in owned]
            if mine:
                own_marks = ",".join("?" * len(mine))
                blanks = ", ".join(f"{column} = ''" for column in anonymised.anonymise)
                db.execute(f"UPDATE {item.table} SET {blanks}, anonymised_at = ? WHERE anonymised_at IS NULL"
                           f" AND rowid IN ({own_marks})", [now, *mine])
                blank_trails(db, item.table, mine)
            # Someone else's row that only mentions the person (王先生's open complaint "1201的李娜说…"): only
            # the person's words are cut from its free text; the complainant, their contact and the rest stay,
            # so it can still be handled and called back. The erasure's audit row lists these rows.
            others = [r for r in chunk if r not in mine]
            if others and found is not None and found.needles is not None and item.kind not in (NAME, PHONE, ID_NUMBER):
                for rowid, value in db.execute(f"SELECT rowid, {item.column} FROM {item.table} WHERE rowid IN"
                                               f" ({','.join('?' * len(others))})", others).fetchall():
                    new = found.needles.replace(value) if isinstance(value, str) and value else value
                    if new != value:
                        db.execute(f"UPDATE {item.table} SET {item.column} = ? WHERE rowid = ?", (new, rowid))
                        found.cut.setdefault(item.table, set()).add(rowid)
            continue
        if item.kind == IMAGE:  # an empty picture, not text: the column is a BLOB in a STRICT table
            db.execute(f"UPDATE {item.table} SET {item.column} = X'' WHERE rowid IN ({marks})", chunk)
            continue
        if item.table == "audit":
            for rowid, value in db.execute(f"SELECT rowid, {item.column} FROM audit WHERE rowid IN ({marks})",
                                           chunk).fetchall():
                if found is None or rowid in owned:
                    value = _without_people(value)
                if found is not None and found.needles is not None:
                    value = found.needles.replace(value or "")
                db.execute(f"UPDATE audit SET {item.column} = ? WHERE rowid = ?", (value, rowid))
            continue
        whole = [r for r in chunk if found is None or r in owned or item.kind in (NAME, PHONE, ID_NUMBER)
                 or item.table == "print_jobs"]
        if whole:
            db.execute(f"UPDATE {item.table} SET {item.column} = '' WHERE rowid IN ({','.join('?' * len(whole))})",
                       whole)
        for rowid, value in db.execute(f"SELECT rowid, {item.column} FROM {item.table} WHERE rowid IN ({marks})",
                                       chunk).fetchall():
            if rowid in whole or not value:
                continue
            db.execute(f"UPDATE {item.table} SET {item.column} = ? WHERE rowid = ?",
                       (found.needles.replace(value), rowid))
    if item.table == "visits":  # only a row that lost all its personal columns is marked anonymised
        done = ids if found is None else [r for r in ids if r in owned]
        for chunk in _chunks(done):
            db.execute(f"UPDATE visits SET anonymised_at = ? WHERE anonymised_at IS NULL"
                       f" AND rowid IN ({','.join('?' * len(chunk))})", [now, *chunk])


def records_anonymise(table: str) -> tuple[str, ...]:
    """The columns the table's anonymising update blanks (kiosk.core.records)."""
    return next((t.anonymise for t in records.RECORD_TABLES if t.name == table), ())


def blank_trails(db: sqlite_utils.Database, table: str, ids: list[int]) -> int:
    """Blank what goes with the anonymised rows ``ids`` of ``table`` (inventory.TRAILS: a complaint's
    follow-up notes and printed slip); returns the rows changed. Used by the erasure above and by an
    area's own retention job (kiosk.complaints), inside or outside a transaction."""
    trails = TRAILS.get(table, ())
    if not trails or not ids:
        return 0
    with _guarded(db):
        return _blank_trail_rows(db, trails, ids)


@contextlib.contextmanager
def _guarded(db: sqlite_utils.Database):
    """One write transaction inside the erasure guard: an erasure around us has its guard row already;
    otherwise one is put for this transaction only (and only ours is taken away)."""
    with write(db):
        own = None if db.execute("SELECT 1 FROM privacy_erasing").fetchone() else \
            db.execute("INSERT INTO privacy_erasing (request) VALUES (?)", (uuid7(),)).lastrowid
        try:
            yield
        finally:
            if own is not None:
                db.execute("DELETE FROM privacy_erasing WHERE id = ?", (own,))


def blank_linked(db: sqlite_utils.Database, table: str, ids: list[int]) -> dict[str, int]:
    """Blank, whole, every personal column of the rows that the erased rows ``ids`` of ``table`` point at
    (inventory.LINKED: a complaint's call note, its callbacks and the call's caller ID); returns the rows
    that still held something, by table. For an erasure request, inside or outside a transaction."""
    changed: dict[str, int] = {}
    with _guarded(db):
        for other, select in LINKED.get(table, ()):
            columns = _columns(other)
            held = " OR ".join(f"COALESCE({p.column}, '') != ''" for p in columns)
            for chunk in _chunks(ids):
                rows = [r[0] for r in db.execute(
                    f"SELECT rowid FROM {other} WHERE rowid IN ({select.format(ids=','.join('?' * len(chunk)))})"
                    f" AND ({held})", chunk)]
                for item in columns:
                    _blank(db, item, rows, None, "")
                if rows:
                    changed[other] = changed.get(other, 0) + len(rows)
    return changed


def _blank_trail_rows(db, trails, ids: list[int]) -> int:
    changed = 0
    for start in range(0, len(ids), 500):
        chunk = list(ids[start:start + 500])
        marks = ",".join("?" * len(chunk))
        for other, column, key, where in trails:
            extra = f" AND ({where})" if where else ""
            changed += db.execute(f"UPDATE {other} SET {column} = '' WHERE {column} != '' AND {key} IN ({marks})"
                                  f"{extra}", chunk).rowcount
    return changed


def _without_people(value: str | None) -> str:
    """An audited before/after JSON with the values of its personal keys (inventory.AUDIT_KEYS) blanked;
    anything that is not a JSON object goes whole."""
    try:
        data = json.loads(value or "")
    except ValueError:
        return ""
    if not isinstance(data, dict):
        return ""
    return json.dumps({k: ("" if k in AUDIT_KEYS else v) for k, v in data.items()}, ensure_ascii=False)


def erase(db: sqlite_utils.Database, clock: Clock, actor: Actor, person: Person, *,
          scrub_wait: float | None = None, sleep=None) -> "Erased":
    """A manager's erasure request: blank the person's data in every declared table; returns rows changed
    by table (``.scrubbed`` False: the file scrub was blocked by another reader, see scrub_files).
    Audited with the counts only (never the values erased); its keyed hashes go to the erasure ledger
    (kiosk.core.erasure_ledger), so a restore of an older backup applies it again."""
    if actor.role != "manager":
        raise ErasureError("a manager must approve", field="manager")
    return erase_as(db, clock, actor, person, action="privacy.erase", scrub_wait=scrub_wait, sleep=sleep)


def erase_as(db: sqlite_utils.Database, clock: Clock, actor: Actor, person: Person, *, action: str,
             scrub: bool = True, scrub_wait: float | None = None, sleep=None) -> "Erased":
    """The erasure itself, audited as ``action``: one transaction for the rows, their audit row and the
    ledger's hashes; then the file scrub (``scrub`` False: the caller scrubs once for several)."""
    found = find(db, person)
    now = utc_iso(clock.now())
    with _erasing(db):
        done = blank_found(db, found, now)
        ledger = erasure_ledger.record(db, now, phone=person.phone, name=person.name, id_number=person.id_number)
        audit.record(db, clock, actor, action, None, None, None,
                     {"rows": done, "kept": {t: n for t, n in found.tables().items() if t in KEPT_TABLES},
                      "mention_cut": {t: sorted(ids) for t, ids in sorted(found.cut.items())}, "ledger": ledger})
    result = Erased(done)
    if not scrub:
        return result
    result.scrubbed = scrub_files(db, wait=scrub_wait, sleep=sleep)
    if not result.scrubbed:
        with write(db):
            audit.record(db, clock, actor, "privacy.scrub_incomplete", None, None, None, {"rows": done})
    return result


def blank_found(db: sqlite_utils.Database, found: Found, now: str) -> dict[str, int]:
    """Blank what ``find`` found (the kept tables left alone); returns rows by table. Must run inside
    ``erasing(db)``. No audit row: the live erasure audits around it, and a backup's copy is erased with
    its row counts unchanged (kiosk.privacy.backups re-verifies them)."""
    for (table, column), ids in found.hits.items():
        if table in KEPT_TABLES:
            continue
        item = next(p for p in _columns(table) if p.column == column)
        _blank(db, item, ids, found, now)
    return {t: n for t, n in found.tables().items() if t not in KEPT_TABLES}


erasing = _erasing  # public name for kiosk.privacy (a backup's copy is erased through the same guard)


def apply_retention(db: sqlite_utils.Database, clock: Clock, *, scrub: bool = True) -> "Erased":
    """Blank every declared personal column whose period is over (visits are anonymised by their own
    job; this covers what that job leaves: expected visitors, badge documents...). Returns rows by table;
    ``.scrubbed`` False when the file scrub was kept from finishing (``scrub`` False: not tried, the
    caller scrubs and reports - kiosk.visitors.housekeeping)."""
    changed: dict[str, int] = {}
    tables = set(db.table_names())
    now = utc_iso(clock.now())
    with _erasing(db):
        # A visit marked anonymised must hold nothing: an erasure of an older version of this module
        # blanked only the column that matched; the visits job skips marked rows, so they are healed here.
        heal = records_anonymise("visits")
        if "visits" in tables and heal:
            count = db.execute(f"UPDATE visits SET {', '.join(f'{c} = {chr(39) * 2}' for c in heal)}"
                               f" WHERE anonymised_at IS NOT NULL AND ({' OR '.join(f'{c} != {chr(39) * 2}' for c in heal)})"
                               ).rowcount
            if count:
                changed["visits"] = count
        for item in personal_columns():
            if not item.retention or item.table in SKIP_TABLES + KEPT_TABLES or item.table == "visits" or item.table not in tables:
                continue
            cutoff = utc_iso(clock.now() - timedelta(days=settings.get(db, item.retention)))
            if len(cutoff) > 10 and item.since == "expected_on":
                cutoff = cutoff[:10]  # a local date column: whole days
            where = f" AND ({item.where})" if item.where else ""
            present = f"length({item.column}) > 0" if item.kind == IMAGE else f"{item.column} != ''"
            ids = [r[0] for r in db.execute(f"SELECT rowid FROM {item.table} WHERE {present}"
                                            f" AND {item.since} < ?{where}", (cutoff,))]
            if ids:
                _blank(db, item, ids, None, now)
                changed[item.table] = max(changed.get(item.table, 0), len(ids))
        if changed:
            audit.record(db, clock, Actor("system"), "privacy.retention", None, None, None, {"rows": changed})
    result = Erased(changed)
    if changed and scrub:
        result.scrubbed = scrub_files(db)
    return result


# A copy of the database (a backup) is brought to the retention periods by the inventory alone: the
# visits, which the live desk anonymises through kiosk.visitors, and the complaints (kiosk.complaints,
# through the table's anonymising guard) are declared here for that, by their own periods.
_COPY_EXTRA: tuple[Personal, ...] = (
    Personal("complaints", "customer_name", NAME, "complaint_retention_days", COMPLAINT_CLOSED_AT),
)


def retention_due(db: sqlite_utils.Database, clock: Clock, days: dict[str, int] | None = None,
                  ) -> list[tuple[Personal, list[int]]]:
    """In a copy of the database (a backup), every declared personal column whose period is over, with the
    rows that still hold something: the visits and complaints included (see _COPY_EXTRA). ``days`` are the
    periods by settings key (the live desk's, which a manager may have shortened since the copy was
    made); a key missing from it is read from the copy."""
    tables = set(db.table_names())
    due: list[tuple[Personal, list[int]]] = []
    for item in (*personal_columns(), *_COPY_EXTRA):
        if not item.retention or item.table in SKIP_TABLES + KEPT_TABLES or item.table not in tables:
            continue
        period = (days or {}).get(item.retention)
        period = int(settings.get(db, item.retention) if period is None else period)
        cutoff = utc_iso(clock.now() - timedelta(days=period))
        if len(cutoff) > 10 and item.since == "expected_on":
            cutoff = cutoff[:10]
        where = f" AND ({item.where})" if item.where else ""
        if item.table in ("visits", "complaints"):
            where += " AND anonymised_at IS NULL"  # their own jobs' mark: one already done holds nothing
        present = f"length({item.column}) > 0" if item.kind == IMAGE else f"{item.column} != ''"
        ids = [r[0] for r in db.execute(f"SELECT rowid FROM {item.table} WHERE {present}"
                                        f" AND {item.since} < ?{where}", (cutoff,))]
        if ids:
            due.append((item, ids))
    return due


def retention_blank(db: sqlite_utils.Database, clock: Clock, due: list[tuple[Personal, list[int]]]) -> dict[str, int]:
    """Blank what ``retention_due`` found, inside one erasing transaction; no audit row (a backup's copy
    keeps its row counts: the live database audits what was done to its backups). Rows by table."""
    changed: dict[str, int] = {}
    now = utc_iso(clock.now())
    with _erasing(db):
        for item, ids in due:
            _blank(db, item, ids, None, now)
            changed[item.table] = max(changed.get(item.table, 0), len(ids))
    return changed


SCRUB_WAIT_S = 15.0  # how long a scrub waits for other connections' reads to end before it reports


class Erased(dict):
    """Rows erased by table (a dict, as before), and whether the file scrub finished: ``scrubbed`` False
    means another connection kept the old bytes in the WAL/file (see ``scrub_files``)."""

    scrubbed: bool = True


def scrub_files(db: sqlite_utils.Database, *, wait: float | None = None, monotonic=None, sleep=None) -> bool:
    """Make erased bytes unrecoverable: merge the full-text index (dropping old segments), then
    checkpoint and truncate the WAL (secure_delete zeroes the freed pages) and give the free pages back.

    Both the merge and the vacuum go in small steps, each its own short transaction
    (:mod:`kiosk.core.compact`): a full VACUUM held the write lock ~25 s on a 2 GB file, so a sale or a
    sign-in at that moment waited on its busy timeout (issue 18). A file not yet switched to
    auto_vacuum=INCREMENTAL keeps its (zeroed) free pages for later writes until the nightly conversion.

    A checkpoint cannot pass a snapshot another connection is still reading (the running app mid-query,
    a backup): it is retried for up to ``wait`` seconds. Returns False when it never got through - the
    erased values may then still be in the WAL and the old pages until that reader ends and someone
    runs ``kiosk privacy scrub`` (the caller must say so, never claim success)."""
    import time
    from kiosk.core import compact
    db.conn.commit()
    monotonic = monotonic or time.monotonic
    pause = sleep or time.sleep
    if "visits_fts" in set(db.table_names()):
        compact.merge_fts(db, "visits_fts", pause=pause)
    deadline = monotonic() + (SCRUB_WAIT_S if wait is None else wait)

    def checkpoint() -> bool:
        while True:
            busy = db.execute("PRAGMA wal_checkpoint(TRUNCATE)").fetchone()[0]
            if not busy:
                return True
            if monotonic() >= deadline:
                return False
            pause(0.1)

    # The busy handler would wait the connection's whole busy_timeout inside each try: this loop keeps
    # the waiting bounded and its own (a short handler per try), then the old timeout is put back.
    previous = db.execute("PRAGMA busy_timeout").fetchone()[0]
    db.execute("PRAGMA busy_timeout=50")
    try:
        first = checkpoint()
        # Another writer mid-step stops the vacuum: the free pages (already zeroed) wait for the next run.
        compact.incremental_vacuum(db, pause=pause)
        return checkpoint() and first
    finally:
        db.execute(f"PRAGMA busy_timeout={int(previous)}")
