"""The erasures a restore carried in (kiosk.core.erasure_ledger), applied again to the rows the restored file
brought back: each person whose name, phone or identity column hashes into the ledger is erased once more,
and so is each person only *mentioned* in free text (a call note "哨兵欧阳娜娜 left her umbrella", a
complaint's text, a lost item's description; outside tester, issue 16).

The ledger holds keyed hashes only, so free text is searched by hashing candidate words and looking the
hashes up, never by reading a value back: every run of 2 to ``MAX_HAN`` Han characters, and of each longer
length the ledger records for a name (migration 0048: a 12-character Uyghur name), 〇 counted as Han (spaces
and any middle dot inside a run dropped, folded exactly as the erasure folds a name:
kiosk.core.privacy.fold_name, so a traditional spelling is its simplified one), every 1 to ``MAX_WORDS``
consecutive words of any alphabet (Unicode letters, NFKC: "Nguyễn Văn An"; folded the same way: "Li Na" is
"lina"), and every sequence of digit groups with up to three separators of any kind between them, up to a
whole number's digits however many groups (NFKC, normalised as a phone number is: "139—8765—4321",
"1 3 9 8 7 6 5 4 3 2 1"). A candidate that hashes into the ledger
is erased as the person's name or phone, through the erasure itself, which cuts it from every free text as
the original erasure did. Distinct texts are read once (SELECT DISTINCT) and each distinct candidate is
hashed once (the HMAC's key fed once, kiosk.core.erasure_ledger.hasher). A restore also names the file it
replaced (the verified copy set aside, ``before``): a text that file held word for word in the same column
is skipped, since every erasure in the ledger had been applied to it (unless that file was itself waiting
for a re-erasure: then nothing is skipped), so restoring last night's backup scans only what changed since.
See docs/design.md for the times on a large file."""
from __future__ import annotations

import json
import logging
import re
import sqlite3
import unicodedata
from pathlib import Path

from kiosk.core import erasure, erasure_ledger, settings, storage
from kiosk.core.audit import SYSTEM
from kiosk.core.clock import Clock
from kiosk.core.db import write
from kiosk.core.erasure import KEPT_TABLES, SKIP_TABLES, Person
from kiosk.core.inventory import DOCUMENT, MENTION, TEXT, personal_columns
from kiosk.core.namefold import t2s_text
from kiosk.core.privacy import HAN, LETTER, NAME_GAP, PHONE_GAP, legacy_normalise_phone, normalise_phone

log = logging.getLogger(__name__)


def people(db, before: str | Path | None = None) -> list[Person]:
    """The people the ledger names who are found again in this database's own columns (name, phone and
    identity columns are compared by their hashes; free text is then searched by the erasure itself)."""
    wanted: dict[str, set[tuple[str, str]]] = {}
    for _at, kind, hashed, tag in db.execute("SELECT at, kind, digest, key_tag FROM erasure_ledger"):
        wanted.setdefault(tag, set()).add((kind, hashed))
    keys = {tag: key for tag, key in erasure_ledger.keys(db).items() if tag in wanted}
    if not keys:
        return []
    tables = set(db.table_names())
    found: dict[tuple[str, str], str] = {}
    for item in personal_columns():
        kind = erasure_ledger.KINDS.get(item.kind)
        if kind is None or item.table in SKIP_TABLES or item.table not in tables or item.column == "id_hash":
            continue
        for (value,) in db.execute(f"SELECT DISTINCT {item.column} FROM {item.table} WHERE {item.column} != ''"
                                   f" AND {item.column} != '***'"):
            value = str(value)
            for tag, key in keys.items():
                if any((kind, d) in wanted[tag] for d in erasure_ledger.digests(key, kind, value)):
                    found.setdefault((kind, erasure_ledger.normalise(kind, value)), value)
    for kind, value in mentioned(db, wanted, keys, tables, clean=_clean_texts(before)):
        found.setdefault((kind, erasure_ledger.normalise(kind, value)), value)
    return [Person(**{kind: value}) for (kind, _), value in sorted(found.items())]


MAX_HAN = 8      # the Han names a ledger row made before migration 0048 (no length) is looked for up to
HAN_LIMIT = 64   # the longest Han run tried, whatever the ledger records (a pasted page is not a name)
MAX_WORDS = 6    # Latin words in a name ("Maria de la Cruz", "Jan van der Berg", "Nguyễn Văn An")
MAX_DIGITS = 15  # the longest phone number (E.164): a number typed digit by digit is 15 groups at most
_HAN_RUN = re.compile(f"[{HAN}](?:{NAME_GAP}*[{HAN}])*")
_NAME_GAP = re.compile(f"{NAME_GAP}+")
# a word of any alphabet (str.isalpha letters that are not Han: Vietnamese ễ, Polish ł, Greek, Cyrillic),
# apostrophes and hyphens inside (O'Brien, Jean-Luc); the text is NFKC first (composed: one letter each)
_LATIN_WORD = re.compile(f"{LETTER}(?:{LETTER}|['\\-])*")
_DIGITS = re.compile(rf"\d+(?:{PHONE_GAP}\d+)*")


def name_lengths(db) -> tuple[int, ...]:
    """The lengths of Han run tried for the ledger's names: every one of 2..MAX_HAN (a ledger row made
    before migration 0048 carries no length), and each longer folded length a row records (up to
    HAN_LIMIT) - only those: a ledger holding one 12-character name adds one length, not four."""
    lengths = set(range(2, MAX_HAN + 1))
    try:
        lengths |= {int(n) for (n,) in db.execute("SELECT DISTINCT folded_length FROM erasure_ledger"
                                                  " WHERE kind = 'name' AND folded_length IS NOT NULL")
                    if 2 <= int(n) <= HAN_LIMIT}
    except sqlite3.Error:   # a ledger before 0048
        pass
    return tuple(sorted(lengths))


def _name_candidates(text: str, into: set[str], lengths: tuple[int, ...] = tuple(range(2, MAX_HAN + 1))) -> None:
    """Every Han run's substrings of the given ``lengths`` (2..MAX_HAN by default) and every 1..MAX_WORDS
    consecutive Latin words of ``text`` (already folded: NFKC, case, simplified)."""
    for run in _HAN_RUN.findall(text):
        run = _NAME_GAP.sub("", run)
        n = len(run)
        for size in lengths:
            if size > n:
                break
            for start in range(n - size + 1):
                into.add(run[start:start + size])
    words = _LATIN_WORD.findall(text)
    for i in range(len(words)):
        joined = ""
        for word in words[i:i + MAX_WORDS]:
            joined += _NAME_GAP.sub("", word)
            if len(joined) >= erasure.MIN_TEXT:
                into.add(joined)


def _phone_candidates(text: str, into: set[str]) -> None:
    """Every sequence of consecutive digit groups (a phone number written with separators, or digit by
    digit) of 6 to MAX_DIGITS + 4 digits (a country code and a trunk 0 in front), as its digits."""
    for run in _DIGITS.findall(text):
        groups = re.findall(r"\d+", run)
        for i in range(len(groups)):
            joined = ""
            for group in groups[i:]:
                joined += group
                if len(joined) > MAX_DIGITS + 4:
                    break
                if len(joined) >= 6:
                    into.add(joined)


def _free_text_columns(tables: set[str]) -> list[tuple[str, str]]:
    """The (table, column) of every free-text column an erasure searches (the kept and skipped tables out)."""
    out: list[tuple[str, str]] = []
    for item in personal_columns():
        if item.kind in (TEXT, DOCUMENT, MENTION) and item.table not in SKIP_TABLES + KEPT_TABLES \
                and item.table in tables and (item.table, item.column) not in out:
            out.append((item.table, item.column))
    return out


def _clean_texts(before: str | Path | None) -> dict[tuple[str, str], set[str]]:
    """The free texts of the replaced file, by column, that every ledger erasure had reached (empty when
    there is no such file, it cannot be read, or it was itself waiting for a re-erasure)."""
    if before is None or not Path(before).is_file():
        return {}
    try:
        conn = sqlite3.connect(storage.sqlite_uri(Path(before)), uri=True)
        try:
            row = conn.execute("SELECT value FROM settings WHERE key = ?", (erasure_ledger.PENDING,)).fetchone()
            if row is not None and json.loads(row[0]):
                return {}
            tables = {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
            out: dict[tuple[str, str], set[str]] = {}
            for table, column in _free_text_columns(tables):
                if column not in {r[1] for r in conn.execute(f"PRAGMA table_info({table})")}:
                    continue
                out[(table, column)] = {v for (v,) in conn.execute(
                    f"SELECT DISTINCT {column} FROM {table} WHERE typeof({column}) = 'text'")}
            return out
        finally:
            conn.close()
    except (sqlite3.Error, ValueError) as exc:
        log.warning("the replaced file %s could not be read for the re-erasure (all text is searched): %s",
                    before, exc)
        return {}


def mentioned(db, wanted: dict[str, set[tuple[str, str]]], keys: dict[str, bytes], tables: set[str], *,
              clean: dict[tuple[str, str], set[str]] | None = None) -> list[tuple[str, str]]:
    """The (kind, value) of every ledger name or phone found in free text (see the module): values only
    in memory, as the erasure is given them. ``clean``: texts by column known to hold no one erased."""
    kinds = {kind for entries in wanted.values() for kind, _ in entries}
    if not kinds & {"name", "phone"}:
        return []
    names: set[str] = set()
    phones: set[str] = set()
    lengths = name_lengths(db) if "name" in kinds else ()
    for table, column in _free_text_columns(tables):
        skip = (clean or {}).get((table, column), set())
        for (value,) in db.execute(f"SELECT DISTINCT {column} FROM {table}"
                                   f" WHERE typeof({column}) = 'text' AND length({column}) >= 2"
                                   f" AND {column} != '***'"):
            if value in skip:
                continue
            plain = unicodedata.normalize("NFKC", value).casefold()
            if "name" in kinds:
                folded = t2s_text(plain)
                _name_candidates(folded, names, lengths)
                if folded != plain:   # an older ledger row hashed the traditional form as it was
                    _name_candidates(plain, names, lengths)
            if "phone" in kinds and any(ch.isdigit() for ch in plain):
                _phone_candidates(plain, phones)
    out: list[tuple[str, str]] = []
    for tag, key in keys.items():
        entries = wanted.get(tag, set())
        for kind, candidates, normalisers in (("name", names, ()),
                                              ("phone", phones, (normalise_phone, legacy_normalise_phone))):
            digests = {d for k, d in entries if k == kind}
            if not digests:
                continue
            hashed = erasure_ledger.hasher(key, kind)
            for candidate in candidates:
                forms = {f(candidate) for f in normalisers} if normalisers else {candidate}
                if any(form and hashed(form) in digests for form in forms):
                    out.append((kind, candidate))
    return sorted(set(out))


def reapply(db, clock: Clock, *, before: str | Path | None = None) -> dict[str, int] | None:
    """Apply the carried erasures again when a restore left them pending; None when nothing was pending.
    Returns rows erased by table. Each person found is one erasure (audited); the mark goes last.
    ``before``: the verified copy of the file the restore replaced (its unchanged texts are not searched)."""
    if not erasure_ledger.pending(db):
        return None
    total: dict[str, int] = {}
    recorded = settings.get(db, erasure_ledger.BEFORE)
    before = before or recorded
    for person in people(db, before):
        done = erasure.erase_as(db, clock, SYSTEM, person, action="privacy.erase_reapplied", scrub=False)
        for table, count in done.items():
            total[table] = total.get(table, 0) + count
    if total:
        erasure.scrub_files(db)
    with write(db):
        settings.put(db, clock, SYSTEM, erasure_ledger.PENDING, False)
        if recorded:
            settings.put(db, clock, SYSTEM, erasure_ledger.BEFORE, None)
    log.info("erasures applied again after a restore: %s", total or "nothing came back")
    return total


__all__ = ["people", "reapply"]
