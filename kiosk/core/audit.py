"""The append-only audit log: who did what, when, to which record, with before/after."""
from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any, Callable

import sqlite_utils

from kiosk.core.clock import Clock, utc_iso


@dataclass(frozen=True)
class Actor:
    """Who is acting: a signed-in person, a visitor at the touchscreen, or the system."""

    name: str
    id: int | None = None
    role: str = "system"  # staff | manager | visitor | system

    @property
    def is_manager(self) -> bool:
        return self.role == "manager"


SYSTEM = Actor("system")
VISITOR = Actor("visitor", role="visitor")


def _json(value: Any) -> str | None:
    if value is None:
        return None
    return json.dumps(value, ensure_ascii=False, sort_keys=True, default=str)


def record(
    db: sqlite_utils.Database,
    clock: Clock,
    actor: Actor,
    action: str,
    table: str | None = None,
    record_id: Any = None,
    before: Any = None,
    after: Any = None,
) -> int:
    """Append one audit row; call it inside the same transaction as the change it describes."""
    cursor = db.execute(
        "INSERT INTO audit (at, actor_id, actor, action, record_table, record_id, before, after)"
        " VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
        (utc_iso(clock.now()), actor.id, actor.name, action, table,
         None if record_id is None else str(record_id), _json(before), _json(after)),
    )
    return cursor.lastrowid


def entries(db: sqlite_utils.Database, *, table: str | None = None, record_id: Any = None,
            since: str | None = None, until: str | None = None) -> list[dict]:
    """Audit rows, oldest first, optionally for one record or a time range (UTC ISO bounds)."""
    where, params = [], []
    if table is not None:
        where.append("record_table = ?"); params.append(table)
    if record_id is not None:
        where.append("record_id = ?"); params.append(str(record_id))
    if since is not None:
        where.append("at >= ?"); params.append(since)
    if until is not None:
        where.append("at < ?"); params.append(until)
    sql = "SELECT * FROM audit" + (" WHERE " + " AND ".join(where) if where else "") + " ORDER BY id"
    return list(db.query(sql, params))


def update_changed(db: sqlite_utils.Database, clock: Clock, actor: Actor, action: str, table: str, record_id: int,
                   changes: dict[str, Any], check: Callable[[dict], None] | None = None) -> dict | None:
    """Write only the fields that really change, with one audit row holding before and after.

    Call inside the caller's write transaction; table and field names come from code, never from input.
    check(changed) may raise to refuse the change. Returns what changed, or None when there is no such record.
    """
    fields = list(changes)
    row = db.execute(f"SELECT {', '.join(fields)} FROM {table} WHERE id = ?", (record_id,)).fetchone()
    if row is None:
        return None
    before = dict(zip(fields, row))
    changed = {k: v for k, v in changes.items() if before[k] != v}
    if check is not None:
        check(changed)
    if changed:
        db.execute(f"UPDATE {table} SET {', '.join(f'{k} = ?' for k in changed)} WHERE id = ?",
                   (*changed.values(), record_id))
        record(db, clock, actor, action, table, record_id, {k: before[k] for k in changed}, changed)
    return changed
