"""What an erasure was asked to erase, kept as keyed hashes so that a restore cannot undo it (issue 16).

A manager's erasure writes, in its own transaction, the HMAC-SHA256 (kiosk_secrets' ``id_hmac``) of the
normalised phone, the folded name and the normalised identity number it was given (migration 0047). A
restore carries the ledger of the database it replaces into the restored file, in the restore's own
transaction, and marks it pending; the erasures are then applied again to whatever rows the restored file
brought back (kiosk.core.erasure_reapply), each its own erasure (audited ``privacy.erase_reapplied``), and
the mark is cleared last. A
kill at any point leaves the mark (or the restore's journal, kiosk.core.restore), and the next writable
open finishes the work (kiosk.core.context).

The hashes live beside their secret (a backup must carry both), so they keep a value from being read off
the ledger alone, not from someone holding the whole file and trying every phone number.
"""
from __future__ import annotations

import hashlib
import hmac
import json
import logging
import sqlite3
from dataclasses import dataclass, field
from pathlib import Path

from kiosk.core import idhash, settings, storage
from kiosk.core.audit import SYSTEM
from kiosk.core.clock import Clock
from kiosk.core.inventory import ID_NUMBER, NAME, PHONE
from kiosk.core.privacy import fold_name, legacy_fold_name, legacy_normalise_phone, normalise_phone

log = logging.getLogger(__name__)
PENDING = "erasure_reapply_pending"
BEFORE = "erasure_reapply_before"
KINDS = {PHONE: "phone", NAME: "name", ID_NUMBER: "id_number"}
_NORMALISE = {"phone": normalise_phone, "name": fold_name, "id_number": idhash.normalise_id}
# How older ledger rows were normalised (before outside attack 16: no traditional-to-simplified step in a
# name, fewer phone separators dropped): a value is compared by both, so a carried older row still finds.
_LEGACY = {"phone": legacy_normalise_phone, "name": legacy_fold_name}
MAX_LENGTH = 200   # the folded_length column's bound (migration 0048)


def key_tag(key: bytes) -> str:
    """A short public name of a secret (which secret a hash was made with)."""
    return hashlib.sha256(b"erasure-ledger:" + key).hexdigest()[:16]


def digest(key: bytes, kind: str, value: str) -> str:
    """The keyed hash of a value as compared ('' when it normalises to nothing)."""
    normal = _NORMALISE[kind](value or "")
    if not normal.strip() or "*" in normal:
        return ""   # a mask is many people's: never a ledger entry
    return hmac.new(key, f"{kind}:{normal}".encode("utf-8"), hashlib.sha256).hexdigest()


def digests(key: bytes, kind: str, value: str) -> set[str]:
    """The keyed hashes a value may have in a ledger: as normalised now, and as older rows normalised it."""
    found = {digest(key, kind, value)}
    legacy = _LEGACY.get(kind)
    if legacy is not None:
        normal = legacy(value or "")
        if normal.strip() and "*" not in normal:
            found.add(hmac.new(key, f"{kind}:{normal}".encode("utf-8"), hashlib.sha256).hexdigest())
    return found - {""}


def hasher(key: bytes, kind: str):
    """A fast keyed hash of already-normalised values of one kind (the HMAC's key and prefix fed once):
    ``hasher(key, "name")(fold_name(x)) == digest(key, "name", x)``. For the restore's search of free text
    (kiosk.core.erasure_reapply), which hashes many candidate words."""
    base = hmac.new(key, f"{kind}:".encode("utf-8"), hashlib.sha256)

    def hashed(normal: str) -> str:
        h = base.copy()
        h.update(normal.encode("utf-8"))
        return h.hexdigest()
    return hashed


def record(db, at: str, *, phone: str = "", name: str = "", id_number: str = "") -> int:
    """Add the hashes of an erasure request (inside its transaction); returns how many were new."""
    key = idhash.secret(db)
    if not key:
        return 0
    tag, added = key_tag(key), 0
    for kind, value in (("phone", phone), ("name", name), ("id_number", id_number)):
        hashed = digest(key, kind, value)
        if hashed:
            # a name's folded length (migration 0048): how long a run of text the re-erasure must try
            length = min(len(fold_name(value)), MAX_LENGTH) if kind == "name" else None
            added += db.execute("INSERT OR IGNORE INTO erasure_ledger (at, kind, digest, key_tag, folded_length)"
                                " VALUES (?, ?, ?, ?, ?)", (at, kind, hashed, tag, length)).rowcount
    return added


@dataclass
class Carried:
    """A database's ledger read from its file: rows (at, kind, digest, key_tag, folded_length) and secrets
    by tag."""

    rows: list[tuple] = field(default_factory=list)
    keys: dict[str, str] = field(default_factory=dict)


def read(path: str | Path | None) -> Carried:
    """The ledger of the database file at path (empty when it has none or cannot be read)."""
    carried = Carried()
    if path is None or not Path(path).is_file():
        return carried
    try:
        conn = sqlite3.connect(storage.sqlite_uri(Path(path)), uri=True)
        try:
            tables = {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
            if "erasure_ledger" not in tables:
                return carried
            columns = {r[1] for r in conn.execute("PRAGMA table_info(erasure_ledger)")}
            length = "folded_length" if "folded_length" in columns else "NULL"   # a file before 0048
            carried.rows = conn.execute(f"SELECT at, kind, digest, key_tag, {length} FROM erasure_ledger"
                                        " ORDER BY id").fetchall()
            carried.keys = dict(conn.execute("SELECT tag, value FROM erasure_keys").fetchall())
            own = conn.execute("SELECT value FROM kiosk_secrets WHERE name = 'id_hmac'").fetchone()
            if own is not None:
                carried.keys[key_tag(bytes.fromhex(own[0]))] = own[0]
        finally:
            conn.close()
    except (sqlite3.Error, ValueError) as exc:
        log.warning("the erasure ledger of %s could not be read: %s", path, exc)
        return Carried()
    return carried


def carry(db, clock: Clock, carried: Carried) -> int:
    """Put a carried ledger into this database (inside the caller's transaction) and mark it pending
    when any of it was new here (an erasure this file predates); returns the rows that were new."""
    if not carried.rows:
        return 0
    own = idhash.secret(db)
    own_tag = key_tag(own) if own else ""
    for tag, value in carried.keys.items():
        if tag != own_tag:
            db.execute("INSERT OR IGNORE INTO erasure_keys (tag, value) VALUES (?, ?)", (tag, value))
    added = sum(db.execute("INSERT OR IGNORE INTO erasure_ledger (at, kind, digest, key_tag, folded_length)"
                           " VALUES (?, ?, ?, ?, ?)", (tuple(row) + (None,))[:5]).rowcount for row in carried.rows)
    if added:
        settings.put(db, clock, SYSTEM, PENDING, True)
    return added


# The audit rows that record an erasure (the proof it was asked and done): carried into a restored file.
RECORD_ACTIONS = ("privacy.erase", "privacy.erase_copies", "privacy.scrub", "privacy.erase_reapplied",
                  "privacy.erase_carried")


def records(path: str | Path, since: str = "") -> list[tuple]:
    """The erasure records (at, actor_id, actor, action, after) in the audit of the file at path made after
    ``since`` (an ISO time; '' for all), oldest first; [] when it cannot be read."""
    if not Path(path).is_file():
        return []
    try:
        conn = sqlite3.connect(storage.sqlite_uri(Path(path)), uri=True)
        try:
            return conn.execute(f"SELECT at, actor_id, actor, action, after FROM audit WHERE action IN"
                                f" ({','.join('?' * len(RECORD_ACTIONS))}) AND at > ? ORDER BY id",
                                (*RECORD_ACTIONS, since)).fetchall()
        finally:
            conn.close()
    except sqlite3.Error:
        return []


def carry_records(db, rows: list[tuple]) -> int:
    """Put erasure records into a restored database as ``privacy.erase_carried`` rows (their time, manager and
    counts as recorded), inside the caller's transaction; returns how many."""
    for at, _actor_id, actor, action, after in rows:
        try:
            data = json.loads(after or "{}")
        except ValueError:
            data = {}
        data = data if isinstance(data, dict) else {}
        if action != "privacy.erase_carried":   # carried again by a later restore: keeps what it was
            data = {"carried_from": action, "at": at, **data}
        db.execute("INSERT INTO audit (at, actor_id, actor, action, record_table, record_id, before,"
                   " after) VALUES (?, NULL, ?, 'privacy.erase_carried', NULL, NULL, NULL, ?)",
                   (at, actor, json.dumps(data, ensure_ascii=False)))
    return len(rows)


def carry_missing_records(db, path: str | Path) -> int:
    """The erasure records of the file at path that this database lacks (none recorded at the same time),
    carried in (a restore killed before its record: the copy set aside holds the proof); returns how many."""
    present = {r[0] for r in db.execute(f"SELECT at FROM audit WHERE action IN"
                                        f" ({','.join('?' * len(RECORD_ACTIONS))})", RECORD_ACTIONS)}
    return carry_records(db, [r for r in records(path) if r[0] not in present])


def normalise(kind: str, value: str) -> str:
    """The value as hashed (one person's two spellings normalise alike)."""
    return _NORMALISE[kind](value or "")


def keys(db) -> dict[str, bytes]:
    """Every secret the ledger's hashes were made with, by tag: this file's own and carried ones."""
    found = {tag: bytes.fromhex(value) for tag, value in db.execute("SELECT tag, value FROM erasure_keys")}
    own = idhash.secret(db)
    if own:
        found[key_tag(own)] = own
    return found


def pending(db) -> bool:
    """Whether a carried ledger still waits to be applied."""
    try:
        return bool(settings.get(db, PENDING))
    except sqlite3.Error:
        return False


__all__ = ["record", "read", "carry", "records", "carry_records", "carry_missing_records", "RECORD_ACTIONS", "pending", "keys", "digest", "key_tag", "normalise", "Carried", "PENDING", "BEFORE", "KINDS",
           "digests", "hasher"]
