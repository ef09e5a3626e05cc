"""The erasures a restore carried in (kiosk.core.erasure_ledger), applied again to the rows the restored file
brought back: each person whose name, phone or identity column hashes into the ledger is erased once more."""
from __future__ import annotations

import logging

from kiosk.core import erasure, erasure_ledger, settings
from kiosk.core.audit import SYSTEM
from kiosk.core.clock import Clock
from kiosk.core.db import write
from kiosk.core.erasure import SKIP_TABLES, Person
from kiosk.core.inventory import personal_columns

log = logging.getLogger(__name__)


def people(db) -> list[Person]:
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
                if (kind, erasure_ledger.digest(key, kind, value)) in wanted[tag]:
                    found.setdefault((kind, erasure_ledger.normalise(kind, value)), value)
    return [Person(**{kind: value}) for (kind, _), value in sorted(found.items())]


def reapply(db, clock: Clock) -> dict[str, int] | None:
    """Apply the carried erasures again when a restore left them pending; None when nothing was pending.
    Returns rows erased by table. Each person found is one erasure (audited); the mark goes last."""
    if not erasure_ledger.pending(db):
        return None
    total: dict[str, int] = {}
    for person in people(db):
        done = erasure.erase_as(db, clock, SYSTEM, person, action="privacy.erase_reapplied", scrub=False)
        for table, count in done.items():
            total[table] = total.get(table, 0) + count
    if total:
        erasure.scrub_files(db)
    with write(db):
        settings.put(db, clock, SYSTEM, erasure_ledger.PENDING, False)
    log.info("erasures applied again after a restore: %s", total or "nothing came back")
    return total


__all__ = ["people", "reapply"]
