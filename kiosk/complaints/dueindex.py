"""What each open complaint waits on now, kept as an index (migration 0040).

The complaint's events are the record; this module turns one complaint's view into the duties it owes
(start, resolve, a manager's decision, the callback, a manager's close) and
writes them to ``complaint_duties`` with the soonest one in ``complaints_open.next_due``. The service calls
:func:`sync` inside the transaction of every event, so the open list, today's duties and the quiet prompt
read index ranges (``ORDER BY due LIMIT n``) instead of every complaint left open.

A row computed before this index existed (or after ``kiosk db repair`` rebuilt ``complaints_open``) has
``next_due`` NULL: :func:`backfill` fills those, a bounded batch per call.
"""
from __future__ import annotations

from typing import Any, Callable

import sqlite_utils

from kiosk.complaints.rules import Rules
from kiosk.complaints.workdays import add_working_minutes
from kiosk.core.clock import parse_iso, utc_iso

# A kiosk.complaints.service.Complaint (the service imports this module, so it is not imported back)
Complaint = Any

# Duty kinds a complaint can owe (kiosk.reports.duties.KIND_LABELS holds their words)
START, RESOLVE, DECIDE, CALLBACK = "complaint_start", "complaint_resolve", "complaint_decide", "complaint_callback"
CLOSE = "complaint_close"
MANAGER_KINDS = (DECIDE, CLOSE)


def decide_due(c: Complaint, rules: Rules, tz: str) -> str:
    """When a manager should have decided a major proposal: within the general resolution time from the
    moment it was proposed (the 2-working-day major deadline runs from then too, whatever the manager does)."""
    since = parse_iso(c.major_since or c.taken_at)
    due = add_working_minutes(since, int(rules["general_resolve_minutes"]), rules.calendar_for(c.kind), rules.hours, tz)
    return utc_iso(due)


def duties_of(c: Complaint, rules: Rules, tz: str) -> list[tuple[str, str, bool]]:
    """(kind, due UTC ISO, only when due soon) for what this complaint owes now; empty once closed."""
    if c.status == "closed":
        return []
    out: list[tuple[str, str, bool]] = []
    if c.major_proposed:
        # Staff are refused every step but starting while it waits: the duty is the manager's decision.
        out.append((DECIDE, decide_due(c, rules, tz), False))
        if c.status == "open":
            out.append((START, c.start_due, False))
        return out
    if c.status == "open":
        out.append((START, c.start_due, False))
        out.append((RESOLVE, c.resolve_due, True))  # an unstarted one can also be about to miss resolution
    elif c.status == "started":  # also after a "not resolved" attempt: the real resolution is still owed
        out.append((RESOLVE, c.resolve_due, False))
    elif c.callback_required and not (c.callback_at and c.callback_outcome != "unreachable"):
        out.append((CALLBACK, c.callback_due or c.resolved_at or c.taken_at, False))
    else:
        # resolved (and called back) and major: a manager's close is owed, by its resolution deadline
        out.append((CLOSE, c.resolve_due if c.major else (c.resolved_at or c.taken_at), False))
    return out


def month_watched(c: Complaint) -> bool:
    """True while "unresolved for a month" may still propose it (not major, not declined for it, unresolved)."""
    return (c.kind == "complaint" and c.status in ("open", "started") and not c.major and not c.major_proposed
            and "unresolved_month" not in c.declined)


def sync(db: sqlite_utils.Database, c: Complaint, rules: Rules, tz: str) -> None:
    """Rewrite this complaint's duties and its open row from its view (inside the caller's transaction)."""
    db.execute("DELETE FROM complaint_duties WHERE complaint_id = ?", (c.id,))
    rows = duties_of(c, rules, tz)
    for kind, due, only_soon in rows:
        db.execute("INSERT INTO complaint_duties (complaint_id, kind, due, only_soon, major) VALUES (?, ?, ?, ?, ?)",
                   (c.id, kind, due, int(only_soon), int(c.major)))
    if c.status != "closed":
        soonest = min((due for _, due, only_soon in rows if not only_soon), default=c.taken_at)
        db.execute("UPDATE complaints_open SET next_due = ?, month_watch = ? WHERE complaint_id = ?",
                   (soonest, c.taken_at if month_watched(c) else None, c.id))


def backfill(db: sqlite_utils.Database, load: Callable[[list[int]], list[Complaint]], rules: Rules, tz: str,
             batch: int = 2000) -> int:
    """Compute the duties of open complaints that have none yet (next_due NULL), at most `batch` per call;
    returns how many. A read-only database is left as it is (its lists then miss those rows)."""
    from kiosk.core.db import is_read_only, write
    ids = [r[0] for r in db.execute("SELECT complaint_id FROM complaints_open WHERE next_due IS NULL LIMIT ?", (batch,))]
    if not ids or is_read_only(db):
        return 0
    with write(db):
        for c in load(ids):
            sync(db, c, rules, tz)
    return len(ids)
