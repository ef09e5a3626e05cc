"""Staff find a past visit by the visitor's name as they would type it in pinyin (王芳: "Wang Fang",
"wangfang", "wf"; 曾: zeng), through `kiosk.input.namekeys.NameIndex`.

One index per database, in this process, filled from the visits table by id (records: new ids only) on
each search, or ahead of time by `warm` on a background job. It holds keys and ids, not names; every
answer is re-read from the table and checked again, so a visit anonymised since it was indexed is dropped
from the index, never shown. The index goes with the process (nothing of it is written anywhere)."""
from __future__ import annotations

import threading

import sqlite_utils

from kiosk.input.namekeys import NameIndex, fold_query, matches, MIN_QUERY

BATCH = 5_000
_INDEXES: dict[tuple, NameIndex] = {}
_GUARD = threading.Lock()
MAX_INDEXES = 4  # databases one process searches (the app has one; tests make many)


def _identity(db: sqlite_utils.Database) -> tuple:
    """Which database this is: its file and its first visit (a new database at the same path differs)."""
    files = tuple(row[2] for row in db.execute("PRAGMA database_list") if row[1] == "main")
    first = db.execute("SELECT uid FROM visits ORDER BY id LIMIT 1").fetchone()
    return files + ((first[0] if first else ""),)


def index_for(db: sqlite_utils.Database, *, limit_rows: int | None = None) -> NameIndex:
    """The database's index, brought up to date with visits added since (at most `limit_rows` read now)."""
    key = _identity(db)
    with _GUARD:
        index = _INDEXES.get(key)
        if index is None:
            while len(_INDEXES) >= MAX_INDEXES:
                _INDEXES.pop(next(iter(_INDEXES)))
            index = _INDEXES[key] = NameIndex()
    # One catch-up at a time: the screen's search does not wait for the builder thread (it answers from
    # what is indexed so far), the builder waits for a search's few rows.
    if not index.building.acquire(blocking=limit_rows is None):
        return index
    try:
        read = 0
        while limit_rows is None or read < limit_rows:
            rows = db.execute("SELECT id, name FROM visits WHERE id > ? ORDER BY id LIMIT ?",
                              (index.last_id, min(BATCH, limit_rows or BATCH))).fetchall()
            if not rows:
                break
            read += index.add(rows)
            if len(rows) < BATCH and limit_rows is None:
                break
    finally:
        index.building.release()
    return index


SYNC_ROWS = 2_000  # visits a search indexes on the spot; a longer backlog is built on a thread
_BUILDERS: dict[tuple, threading.Thread] = {}


def warm(db: sqlite_utils.Database) -> int:
    """Build the index ahead of the first search (a background job); returns the visits indexed."""
    return index_for(db).count


def _catch_up(db: sqlite_utils.Database) -> NameIndex:
    """The index for a search on the UI thread: new visits since the last search are indexed now (a few);
    a backlog (the first search after a start on a big register) is built by a thread with its own
    connection, and the search answers from what is indexed so far (the plain text search still runs)."""
    index = index_for(db, limit_rows=SYNC_ROWS)
    backlog = db.execute("SELECT EXISTS (SELECT 1 FROM visits WHERE id > ?)", (index.last_id,)).fetchone()[0]
    files = [row[2] for row in db.execute("PRAGMA database_list") if row[1] == "main" and row[2]]
    if backlog and files:
        key = _identity(db)
        with _GUARD:
            running = _BUILDERS.get(key)
            if running is None or not running.is_alive():
                thread = threading.Thread(target=_build, args=(files[0],), name="pinyin-index", daemon=True)
                _BUILDERS[key] = thread
                thread.start()
    return index


def _build(path: str) -> None:
    from kiosk.core import db as db_mod
    try:
        conn = db_mod.connect(path, migrate=False)
        try:
            index_for(conn)
        finally:
            conn.close()
    except Exception:  # a vanished or locked database: the next search tries again
        import logging
        logging.getLogger(__name__).warning("pinyin index build stopped", exc_info=True)


def by_pinyin(db: sqlite_utils.Database, text: str, limit: int = 50) -> list[dict]:
    """Visits whose name is found by pinyin or initials typed, newest first; [] for a non-pinyin query."""
    query = fold_query(text)
    if len(query) < MIN_QUERY:
        return []
    index = _catch_up(db)
    out: list[dict] = []
    stale: list[int] = []
    wanted = index.find(query, limit=limit * 4 + 20)
    for start in range(0, len(wanted), 500):
        chunk = wanted[start:start + 500]
        marks = ",".join("?" * len(chunk))
        rows = {row["id"]: row for row in db.query(f"SELECT * FROM visits WHERE id IN ({marks})", chunk)}
        for visit_id in chunk:
            row = rows.get(visit_id)
            if row is None or not matches(row["name"], query):
                stale.append(visit_id)  # blanked or erased since: out of the index too
                continue
            out.append(row)
            if len(out) >= limit:
                break
        if len(out) >= limit:
            break
    index.forget(stale)
    return out
