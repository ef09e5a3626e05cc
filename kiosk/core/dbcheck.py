"""Database checks that fit the box: a quick one for start-up and the status bar, a full one for the night.

`quick` is bounded by a time budget (default 1 s), whatever the size of the file: it reads the file's
header, then runs ``PRAGMA quick_check(<table>)`` table by table — the state the desk works from first
(settings, accounts, series, print queue, stock, what is open now), then the records —
and stops at the budget through SQLite's progress handler. What it did not reach it names; the nightly
full check (`kiosk db check`: integrity_check, foreign keys, triggers, stock) covers every page.

`summary_problems` is part of the full check: the "open now" tables of migration 0018 (visits_open,
callbacks_open, lf_item_status, complaints_open) must say exactly what the records say.
"""
from __future__ import annotations

import sqlite3
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

import sqlite_utils

from kiosk.core import records
from kiosk.core.config import Text

# A table the quick check found damaged; SQLite's own words (English) are the detail, set apart as its.
DAMAGED = "{table}: damaged (SQLite says: {detail})"

QUICK_BUDGET = 0.75  # seconds: the check stops within it (interrupted mid-table); set-up and wrap-up stay under 1 s
HEADER = b"SQLite format 3\x00"
# The state the desk works from, checked first: a damaged page here breaks the desk at once.
FIRST = ("settings", "users", "series", "schema_migrations", "print_queue", "stock_levels", "products", "fee_types",
         "hosts", "visits_open", "callbacks_open", "lf_item_status", "complaints_open")


@dataclass
class QuickResult:
    """What the quick check found; `complete` is False when the budget ran out first."""

    problems: list[str] = field(default_factory=list)
    checked: list[str] = field(default_factory=list)
    not_reached: list[str] = field(default_factory=list)
    seconds: float = 0.0

    @property
    def ok(self) -> bool:
        return not self.problems

    @property
    def complete(self) -> bool:
        return not self.not_reached

    def line(self, lang: str = "en") -> str:
        """One line for the CLI (in the site's language) and the log (English); each problem is a
        sentence in that language, SQLite's own English only inside it, marked as what SQLite says."""
        from kiosk.core.i18n import gettext
        state = gettext("ok", lang) if self.ok else problems_text(self.problems[:5], lang)
        reach = (gettext("{checked} tables checked", lang) if self.complete else
                 gettext("{checked} tables checked, {left} left for the full check", lang))
        return gettext("quick check: {state} ({reach}, {ms} ms)", lang).format(
            state=state, reach=reach.format(checked=len(self.checked), left=len(self.not_reached)),
            ms=f"{self.seconds * 1000:.0f}")


def problems_text(problems: list[str], lang: str) -> str:
    """Problems as one line in lang: each a sentence of this module's (a Text) translated; SQLite's own
    words stay only as the detail a sentence quotes."""
    from kiosk.core.i18n import gettext
    return gettext("; ", lang).join(p.said(lambda m: gettext(m, lang)) if isinstance(p, Text) else p
                                    for p in problems)


def header_problems(path: str | Path) -> list[str]:
    """The first 100 bytes: the magic string, a power-of-two page size, and a size on disk that holds the
    pages the header claims (a truncated copy fails here before anything reads a page)."""
    path = Path(path)
    try:
        with path.open("rb") as handle:
            head = handle.read(100)
    except OSError as exc:
        from kiosk.core.errors import os_reason
        return [Text("cannot read the file: {reason}", reason=Text(os_reason(exc)))]
    if len(head) < 100 or not head.startswith(HEADER):
        return [Text("not an SQLite database (header)")]
    page_size = int.from_bytes(head[16:18], "big")
    page_size = 65536 if page_size == 1 else page_size
    if page_size < 512 or page_size & (page_size - 1):
        return [Text("damaged header: page size {size}", size=page_size)]
    pages = int.from_bytes(head[28:32], "big")
    size = path.stat().st_size
    # With WAL the header's page count can lag behind the file; a file shorter than it claims is cut short.
    if pages and size < pages * page_size:
        return [Text("the file is cut short: {size} bytes, the header counts {pages} pages of {page_size}",
                     size=size, pages=pages, page_size=page_size)]
    return []


def quick(db: sqlite_utils.Database, path: str | Path | None = None, budget: float = QUICK_BUDGET,
          monotonic=time.monotonic) -> QuickResult:
    """Check what fits in `budget` seconds: header, schema, then FIRST, the other state tables and the
    records in name order (sizes would need dbstat, which reads every page); never much longer."""
    result = QuickResult()
    started = monotonic()
    if path is not None:
        result.problems.extend(header_problems(path))
        if result.problems:
            result.seconds = monotonic() - started
            return result
    deadline = started + max(0.05, budget)
    # Its own connection to the file (attack 18): sqlite3_interrupt reaches every statement active on a
    # connection, and its flag stays set while any is, so on the caller's connection a reader part-way through
    # (or another thread's statement) failed "interrupted" after the check had returned.
    own = _own_connection(path, budget)
    conn = own if own is not None else db.conn
    conn.set_progress_handler(lambda: 1 if monotonic() > deadline else 0, 1000)
    # One table's quick_check is a single VM step, which the progress handler never interrupts: a big table
    # reached near the deadline ran on (1.7 s in all on three years of history). sqlite3_interrupt stops it
    # within milliseconds. SQLite clears the flag when a statement starts on an idle connection, so an
    # interrupt landing between two tables was lost (the check then ran on to the end): it is repeated every
    # few ms until the check ends, and no table is started past the deadline; the lock keeps it off whatever
    # this connection runs after the check.
    finished, guard, stop = [False], threading.Lock(), threading.Event()

    def interrupt() -> None:
        if stop.wait(max(0.0, deadline - monotonic())):
            return
        while True:
            with guard:
                if finished[0]:
                    return
                conn.interrupt()
            if stop.wait(0.005):
                return
    timer = threading.Thread(target=interrupt, name="dbcheck-deadline", daemon=True)
    timer.start()
    try:
        try:
            names = [r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")]
            names = [n for n in names if not n.startswith("sqlite_")]
            first = [n for n in FIRST if n in names]
            rest = sorted((n for n in names if n not in first),
                          key=lambda n: (not records.is_state_table(n), n))
            order = first + rest
        except sqlite3.DatabaseError as exc:
            if _stopped(exc):   # the deadline or a writer's lock, not damage: nothing reached, nothing wrong
                result.not_reached = ["sqlite_master"]
            else:
                result.problems.append(Text("the schema cannot be read (SQLite says: {detail})", detail=str(exc)))
            return result
        for position, table in enumerate(order):
            if monotonic() > deadline:
                result.not_reached = order[position:]
                break
            try:
                rows = [r[0] for r in conn.execute(f"PRAGMA quick_check('{table}')").fetchall()]
            except sqlite3.OperationalError as exc:
                if _stopped(exc):
                    result.not_reached = order[position:]
                    break
                result.problems.append(Text(DAMAGED, table=table, detail=str(exc)))
                continue
            except sqlite3.DatabaseError as exc:
                result.problems.append(Text(DAMAGED, table=table, detail=str(exc)))
                continue
            result.checked.append(table)
            result.problems.extend(Text(DAMAGED, table=table, detail=r) for r in rows if r != "ok")
    finally:
        with guard:
            finished[0] = True
        stop.set()
        timer.join()
        conn.set_progress_handler(None, 0)
        if own is not None:
            own.close()
        result.seconds = monotonic() - started
    return result


def _stopped(exc: sqlite3.Error) -> bool:
    """Whether `exc` is the check being stopped (its deadline, a lock held by a writer) rather than damage."""
    text = str(exc).lower()
    return "interrupt" in text or "locked" in text or "busy" in text


def _own_connection(path: str | Path | None, budget: float) -> sqlite3.Connection | None:
    """A read-only connection of the check's own to the file at `path` (None without a path, or if it will not
    open: the caller's connection is used then)."""
    if path is None:
        return None
    from kiosk.core import storage
    try:
        # waits for a lock no longer than the budget (a writer's lock is "not reached", never damage)
        return sqlite3.connect(storage.reader_uri(path), uri=True, timeout=max(0.05, budget), check_same_thread=False)
    except sqlite3.Error:
        return None


# The "open now" tables and the query over the records each must agree with (nightly: these walk history).
_SUMMARIES = {
    "visits_open": ("SELECT visit_id FROM visits_open",
                    "SELECT v.id FROM visits v WHERE NOT EXISTS (SELECT 1 FROM visit_signouts s WHERE s.visit_id = v.id)"),
    "callbacks_open": ("SELECT note_id FROM callbacks_open",
                       "SELECT n.id FROM call_notes n WHERE n.callback_due IS NOT NULL"
                       " AND NOT EXISTS (SELECT 1 FROM callbacks_done d WHERE d.note_id = n.id)"),
    "lf_item_status": ("SELECT item_id || ':' || status FROM lf_item_status",
                       "SELECT e.item_id || ':' || e.status FROM lf_events e"
                       " WHERE e.id = (SELECT MAX(l.id) FROM lf_events l WHERE l.item_id = e.item_id)"),
    "complaints_open": ("SELECT complaint_id FROM complaints_open",
                        "SELECT c.id FROM complaints c WHERE NOT EXISTS (SELECT 1 FROM complaint_events e"
                        " WHERE e.complaint_id = c.id AND e.kind = 'closed')"),
}


def summary_problems(db: sqlite_utils.Database) -> list[str]:
    """Where an "open now" table disagrees with its records (rows missing or left over), by table."""
    tables = set(db.table_names())
    problems = []
    for table, (kept, derived) in _SUMMARIES.items():
        if table not in tables:
            continue
        have = {r[0] for r in db.execute(kept)}
        want = {r[0] for r in db.execute(derived)}
        if have != want:
            problems.append(Text("{table} disagrees with its records: {missing} missing, {extra} extra", table=table,
                                 missing=len(want - have), extra=len(have - want)))
    return problems


def rebuild_summaries(db: sqlite_utils.Database) -> dict[str, int]:
    """Rebuild every "open now" table from its records (a repair after `summary_problems`); rows per table."""
    from kiosk.core.db import write
    out: dict[str, int] = {}
    with write(db):
        if "visits_open" in db.table_names():
            db.execute("DELETE FROM visits_open")
            db.execute("INSERT INTO visits_open (visit_id, signed_in_at) SELECT v.id, v.signed_in_at FROM visits v"
                       " WHERE NOT EXISTS (SELECT 1 FROM visit_signouts s WHERE s.visit_id = v.id)")
        if "callbacks_open" in db.table_names():
            db.execute("DELETE FROM callbacks_open")
            db.execute("INSERT INTO callbacks_open (note_id, due) SELECT n.id, n.callback_due FROM call_notes n"
                       " WHERE n.callback_due IS NOT NULL"
                       " AND NOT EXISTS (SELECT 1 FROM callbacks_done d WHERE d.note_id = n.id)")
        if "lf_item_status" in db.table_names():
            db.execute("DELETE FROM lf_item_status")
            db.execute("INSERT INTO lf_item_status (item_id, status, since, event_id)"
                       " SELECT e.item_id, e.status, e.at, e.id FROM lf_events e"
                       " WHERE e.id = (SELECT MAX(l.id) FROM lf_events l WHERE l.item_id = e.item_id)")
        if "complaints_open" in db.table_names():
            db.execute("DELETE FROM complaints_open")
            db.execute("INSERT INTO complaints_open (complaint_id) SELECT c.id FROM complaints c WHERE NOT EXISTS"
                       " (SELECT 1 FROM complaint_events e WHERE e.complaint_id = c.id AND e.kind = 'closed')")
            if "complaint_duties" in db.table_names():  # recomputed from the events on the next read (next_due NULL)
                db.execute("DELETE FROM complaint_duties WHERE complaint_id NOT IN (SELECT complaint_id FROM complaints_open)")
        for table in _SUMMARIES:
            if table in db.table_names():
                out[table] = db.execute(f"SELECT COUNT(*) FROM {table}").fetchone()[0]
    return out
