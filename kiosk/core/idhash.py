"""Keyed hashes of identity numbers (HMAC-SHA256 with a per-database secret, migration 0041).

The deny list keeps an identity number as its mask (for staff to read) and as this hash (to compare): a
mask is shared by many numbers (the same last four digits), so a mask alone never decides a match, and the
hash cannot be reversed without the secret (a bare SHA-256 of an 18-character resident ID could be walked:
the region, birth date and check digit leave about 10^7 candidates)."""
from __future__ import annotations

import hashlib
import hmac
import re
import secrets
import sqlite3
import unicodedata

_SEPARATORS = re.compile(r"[\s\-‐-―－·.]")


def normalise_id(number: str) -> str:
    """The number as hashed: NFKC (full-width digits and letters), upper case, no spaces, dashes or dots."""
    return _SEPARATORS.sub("", unicodedata.normalize("NFKC", number or "")).upper()


def secret(db) -> bytes:
    """This database's secret (made on first use if a database predates 0041's row)."""
    conn = getattr(db, "conn", db)
    row = conn.execute("SELECT value FROM kiosk_secrets WHERE name = 'id_hmac'").fetchone()
    if row is None:
        try:
            conn.execute("INSERT OR IGNORE INTO kiosk_secrets (name, value) VALUES ('id_hmac', ?)",
                         (secrets.token_hex(32),))
        except sqlite3.Error:  # a read-only connection: hash with nothing rather than fail the sign-in
            return b""
        row = conn.execute("SELECT value FROM kiosk_secrets WHERE name = 'id_hmac'").fetchone()
    return bytes.fromhex(row[0])


def id_hash(db, number: str) -> str:
    """The keyed hash (64 hex digits) of an identity number, or '' for no number or no secret."""
    value = normalise_id(number)
    key = secret(db) if value else b""
    if not value or not key:
        return ""
    return hmac.new(key, value.encode("utf-8"), hashlib.sha256).hexdigest()


def same_id(db, number: str, stored_hash: str) -> bool:
    """Whether a typed full number is the one whose hash is stored (constant-time compare)."""
    if not stored_hash or not number or "*" in number:
        return False  # a masked number proves nothing
    typed = id_hash(db, number)
    return bool(typed) and hmac.compare_digest(typed, stored_hash)
