"""Find and erase one person's data everywhere the inventory says it can be (PIPL art. 47), and the
retention job for the declared periods. Counts and money stay: only the personal columns are blanked.

Everything here reads :mod:`kiosk.core.inventory`; nothing names an area's table by itself. After an
erasure the full-text index is merged (its old segments still held the words), the WAL is checkpointed
and truncated, and the file is vacuumed, so with ``PRAGMA secure_delete`` the bytes are gone from the
database, its WAL and its free pages.
"""
from __future__ import annotations

import contextlib
import json
from dataclasses import dataclass, field
from datetime import timedelta

import sqlite_utils

from kiosk.core import audit, settings
from kiosk.core.audit import Actor
from kiosk.core import records
from kiosk.core.clock import Clock, utc_iso
from kiosk.core.db import write
from kiosk.core.errors import Refusal
from kiosk.core.inventory import DOCUMENT, ID_NUMBER, NAME, PHONE, TEXT, Personal, personal_columns
from kiosk.core.privacy import fold_name, mask_document, normalise_phone
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
        out = []
        phone = normalise_phone(self.phone)
        if len(phone) >= 6:
            out.append(phone)
        name = (self.name or "").strip()
        if len(name) >= MIN_TEXT:
            out += [name, json.dumps(name)[1:-1]]
        number = fold_name(self.id_number).upper()
        if len(number) >= 6:
            out.append(number)
        return list(dict.fromkeys(n for n in out if n))


@dataclass
class Found:
    """Rows that hold the person's data: {(table, column): [rowid, ...]}."""

    hits: dict[tuple[str, str], list[int]] = field(default_factory=dict)

    def tables(self) -> dict[str, int]:
        counts: dict[str, set[int]] = {}
        for (table, _), ids in self.hits.items():
            counts.setdefault(table, set()).update(ids)
        return {table: len(ids) for table, ids in sorted(counts.items())}


def _matches(item: Personal, value: str, person: Person) -> bool:
    if not value:
        return False
    if item.kind == PHONE:
        return bool(person.phone) and normalise_phone(value) == normalise_phone(person.phone)
    if item.kind == NAME:
        return bool(person.name.strip()) and fold_name(value) == fold_name(person.name)
    if item.kind == ID_NUMBER:
        if not person.id_number.strip():
            return False
        stored = fold_name(value).upper()
        typed = fold_name(person.id_number).upper()
        return stored in {typed} | {mask_document(kind, typed) for kind in ("id_card", "other")}
    return any(needle in value for needle in person.needles())


def find(db: sqlite_utils.Database, person: Person) -> Found:
    """Every row of every declared personal column that holds this person's data."""
    if not (person.phone.strip() or person.name.strip() or person.id_number.strip()):
        raise ErasureError("give a phone number, a name or an identity number", field="person")
    tables = set(db.table_names())
    found = Found()
    for item in personal_columns():
        if item.table in SKIP_TABLES or item.table not in tables:
            continue
        if item.kind in (TEXT, DOCUMENT):
            needles = person.needles()
            if not needles:
                continue
            condition = " OR ".join(f"instr({item.column}, ?) > 0" for _ in needles)
            rows = db.execute(f"SELECT rowid, {item.column} FROM {item.table} WHERE {condition}", needles)
        else:
            rows = db.execute(f"SELECT rowid, {item.column} FROM {item.table} WHERE {item.column} != ''")
        ids = [rowid for rowid, value in rows if _matches(item, str(value or ""), person)]
        if ids:
            found.hits[(item.table, item.column)] = ids
    return found


@contextlib.contextmanager
def _erasing(db: sqlite_utils.Database):
    """Inside one write transaction, let the append-only triggers pass blanking updates."""
    with write(db):
        db.execute("INSERT INTO privacy_erasing (request) VALUES (?)", (uuid7(),))
        try:
            yield
        finally:
            db.execute("DELETE FROM privacy_erasing")


def _blank(db, item: Personal, ids: list[int], person: Person | None, now: str) -> None:
    anonymised = next((t for t in records.RECORD_TABLES if t.name == item.table and t.anonymise), None)
    for start in range(0, len(ids), 500):
        chunk = ids[start:start + 500]
        marks = ",".join("?" * len(chunk))
        if anonymised is not None and item.table != "visits":
            # A table whose guard allows only the anonymising update (complaints): every personal column
            # of the row goes at once, with the moment, exactly as its own retention job does.
            blanks = ", ".join(f"{column} = ''" for column in anonymised.anonymise)
            db.execute(f"UPDATE {item.table} SET {blanks}, anonymised_at = ? WHERE anonymised_at IS NULL"
                       f" AND rowid IN ({marks})", [now, *chunk])
            continue
        if item.kind in (NAME, PHONE, ID_NUMBER) or item.table == "print_jobs" or person is None:
            db.execute(f"UPDATE {item.table} SET {item.column} = '' WHERE rowid IN ({marks})", chunk)
        else:  # free text and JSON: only the person's words go, the rest of the note stays
            for rowid, value in db.execute(f"SELECT rowid, {item.column} FROM {item.table} WHERE rowid IN ({marks})",
                                           chunk).fetchall():
                for needle in person.needles():
                    value = value.replace(needle, ERASED)
                db.execute(f"UPDATE {item.table} SET {item.column} = ? WHERE rowid = ?", (value, rowid))
        if item.table == "visits":
            db.execute(f"UPDATE visits SET anonymised_at = ? WHERE anonymised_at IS NULL AND rowid IN ({marks})",
                       [now, *chunk])


def erase(db: sqlite_utils.Database, clock: Clock, actor: Actor, person: Person) -> dict[str, int]:
    """A manager's erasure request: blank the person's data in every declared table; returns rows changed
    by table. Audited with the counts only (never the values erased)."""
    if actor.role != "manager":
        raise ErasureError("a manager must approve", field="manager")
    found = find(db, person)
    now = utc_iso(clock.now())
    with _erasing(db):
        for (table, column), ids in found.hits.items():
            if table in KEPT_TABLES:
                continue
            item = next(p for p in personal_columns(table) if p.column == column)
            _blank(db, item, ids, person, now)
        done = {t: n for t, n in found.tables().items() if t not in KEPT_TABLES}
        audit.record(db, clock, actor, "privacy.erase", None, None, None,
                     {"rows": done, "kept": {t: n for t, n in found.tables().items() if t in KEPT_TABLES}})
    scrub_files(db)
    return done


def apply_retention(db: sqlite_utils.Database, clock: Clock) -> dict[str, int]:
    """Blank every declared personal column whose period is over (visits are anonymised by their own
    job; this covers what that job leaves: expected visitors, badge documents...)."""
    changed: dict[str, int] = {}
    tables = set(db.table_names())
    now = utc_iso(clock.now())
    with _erasing(db):
        for item in personal_columns():
            if not item.retention or item.table in SKIP_TABLES + KEPT_TABLES or item.table == "visits" or item.table not in tables:
                continue
            cutoff = utc_iso(clock.now() - timedelta(days=settings.get(db, item.retention)))
            if len(cutoff) > 10 and item.since == "expected_on":
                cutoff = cutoff[:10]  # a local date column: whole days
            where = f" AND ({item.where})" if item.where else ""
            ids = [r[0] for r in db.execute(f"SELECT rowid FROM {item.table} WHERE {item.column} != ''"
                                            f" AND {item.since} < ?{where}", (cutoff,))]
            if ids:
                _blank(db, item, ids, None, now)
                changed[item.table] = max(changed.get(item.table, 0), len(ids))
        if changed:
            audit.record(db, clock, Actor("system"), "privacy.retention", None, None, None, {"rows": changed})
    if changed:
        scrub_files(db)
    return changed


def scrub_files(db: sqlite_utils.Database) -> None:
    """Make erased bytes unrecoverable: merge the full-text index (dropping old segments), then
    checkpoint and truncate the WAL and vacuum (secure_delete zeroes the freed pages)."""
    tables = set(db.table_names())
    if "visits_fts" in tables:
        db.execute("INSERT INTO visits_fts(visits_fts) VALUES ('optimize')")
    db.conn.commit()
    db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    db.execute("VACUUM")
    db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
