"""Keeping the file small without holding the write lock (issue 18).

A plain ``VACUUM`` rewrites the whole database inside one write transaction: on three years of a busy
desk (2 GB on an SD card) that held every other writer (a sale, a sign-in) for about 25 s. Instead:

- the full-text index is merged in small steps (FTS5 ``'merge'``), each its own short transaction, until it
  is one segment again - what ``'optimize'`` does in one go, and what an erasure needs (old segments
  still hold the words of an anonymised visit);
- free pages go back to the file system with ``PRAGMA incremental_vacuum(N)`` in small steps, which
  needs ``auto_vacuum=INCREMENTAL``. New databases get it at creation (``kiosk.core.db``); an existing
  file needs one full ``VACUUM`` to switch, done once by ``convert_when_quiet`` in the nightly quiet
  window with nobody at the desk, and never when the card lacks room for the copy.

With ``PRAGMA secure_delete=ON`` (every connection) freed pages are zeroed when they are freed, so the
erased bytes are gone from the file whether or not its free pages are given back; the vacuum is about
size, the merge and the WAL checkpoint about erasure.
"""
from __future__ import annotations

import logging
import shutil
import sqlite3
import time
from datetime import datetime
from pathlib import Path
from typing import Callable

import sqlite_utils

from kiosk.core.db import write

log = logging.getLogger(__name__)

INCREMENTAL = 2            # PRAGMA auto_vacuum's value for INCREMENTAL
FTS_MERGE_PAGES = 256      # FTS5 pages written per merge step (~1 MB): a few ms of write lock
VACUUM_STEP_PAGES = 512    # free pages given back per step (2 MB at 4 KiB pages)
STEP_PAUSE_S = 0.005       # between steps: a waiting writer (the UI's sale or sign-in) gets the lock
MAX_STEPS = 1_000_000      # a bound on every loop; never reached in practice
QUIET_HOURS = (3, 5)       # local hours [from, to) in which the one-off conversion VACUUM may run
QUIET_IDLE_S = 600         # ... and only when nobody has touched the screen for this long
ROOM_FACTOR = 2.2          # a VACUUM in WAL mode needs a temporary copy and a WAL as big as the file


def merge_fts(db: sqlite_utils.Database, table: str, *, pages: int = FTS_MERGE_PAGES,
              pause: Callable[[float], None] = time.sleep, max_steps: int = MAX_STEPS) -> int:
    """Merge the FTS5 index `table` into a single segment in steps of about `pages` pages, each its own
    transaction (FTS5: a negative 'merge' first puts every segment on one level, later positive ones
    carry that merge on; a step that changes fewer than 2 rows found nothing left to merge).
    Returns the number of steps that did work."""
    if not table.replace("_", "").isalnum():
        raise ValueError(f"not a table name: {table!r}")
    pages = max(1, int(pages))
    done = 0
    for step in range(max_steps):
        before = db.conn.total_changes
        with write(db):
            db.execute(f"INSERT INTO {table}({table}, rank) VALUES ('merge', ?)", (-pages if step == 0 else pages,))
        if db.conn.total_changes - before < 2:
            break
        done += 1
        pause(STEP_PAUSE_S)
    return done


def auto_vacuum(db: sqlite_utils.Database) -> int:
    """The file's auto_vacuum mode (0 none, 1 full, 2 incremental)."""
    return int(db.execute("PRAGMA auto_vacuum").fetchone()[0])


def incremental_vacuum(db: sqlite_utils.Database, *, pages: int = VACUUM_STEP_PAGES,
                       pause: Callable[[float], None] = time.sleep, max_steps: int = MAX_STEPS) -> int:
    """Give free pages back to the file system, `pages` at a time, each step its own short write.
    Returns the pages given back; 0 when the file is not INCREMENTAL (its free pages are reused by
    later writes instead) or another writer holds the lock (the pages wait for the next run)."""
    if auto_vacuum(db) != INCREMENTAL or db.conn.in_transaction:
        return 0
    pages = max(1, int(pages))
    freed = 0
    for _ in range(max_steps):
        free = int(db.execute("PRAGMA freelist_count").fetchone()[0])
        if not free:
            break
        try:
            # executescript steps the pragma to its end: execute() stops after the first page.
            db.conn.executescript(f"PRAGMA incremental_vacuum({pages})")
        except sqlite3.OperationalError as exc:   # busy or locked: the rest waits for the next run
            log.info("incremental vacuum stopped: %s", exc)
            break
        left = int(db.execute("PRAGMA freelist_count").fetchone()[0])
        if left >= free:
            break
        freed += free - left
        pause(STEP_PAUSE_S)
    return freed


def in_quiet_window(now_local: datetime, hours: tuple[int, int] = QUIET_HOURS) -> bool:
    """Whether local time `now_local` is in the nightly window [from, to) (may wrap past midnight)."""
    start, end = hours
    hour = now_local.hour
    return start <= hour < end if start <= end else (hour >= start or hour < end)


def has_room(path: str | Path, factor: float | None = None) -> bool:
    """Whether the file system holding `path` has room for a full VACUUM of it (copy + WAL)."""
    path = Path(path)
    factor = ROOM_FACTOR if factor is None else factor
    try:
        size = path.stat().st_size
        return shutil.disk_usage(path.parent).free >= factor * size
    except OSError:
        return False


def convert_when_quiet(db: sqlite_utils.Database, path: str | Path | None, now_local: datetime, *,
                       quiet: bool, busy_ms: int = 100) -> bool:
    """Switch an existing file to auto_vacuum=INCREMENTAL with its one full VACUUM - only inside the nightly
    window, when the caller says nobody is at the desk (`quiet`), and when the card has room. Another
    writer at that moment makes it give up at once (it waits `busy_ms`, not the busy timeout) and try
    again on a later night. Returns True when it converted the file."""
    if path is None or str(path) == ":memory:" or auto_vacuum(db) == INCREMENTAL:
        return False
    if not quiet or not in_quiet_window(now_local) or db.conn.in_transaction:
        return False
    if not has_room(path):
        log.warning("auto_vacuum conversion skipped: not enough free space beside %s", path)
        return False
    previous = int(db.execute("PRAGMA busy_timeout").fetchone()[0])
    db.execute(f"PRAGMA busy_timeout={int(busy_ms)}")
    started = time.monotonic()
    try:
        db.execute(f"PRAGMA auto_vacuum={INCREMENTAL}")
        db.execute("VACUUM")
        db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    except sqlite3.OperationalError as exc:
        log.info("auto_vacuum conversion put off: %s", exc)
        return False
    finally:
        db.execute(f"PRAGMA busy_timeout={previous}")
    log.info("database switched to incremental vacuum in %.1f s", time.monotonic() - started)
    return auto_vacuum(db) == INCREMENTAL
