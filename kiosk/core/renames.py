"""Backup files renamed by an erasure (migration 0041, ``backup_renames``): the ``backups`` row keeps the
name a copy was made under (append-only), and each rename is a new record, old -> new, written before the
files move. A kill mid-rename leaves a record whose new file may not exist yet (or an old file already
gone): ``current_name`` follows the chain to the newest name that is on disk, so restore, the status line
and the list of copies on an unplugged stick name the file that is really there."""
from __future__ import annotations

import os
import sqlite3
from pathlib import Path

from kiosk.core.audit import Actor
from kiosk.core.clock import Clock, utc_iso
from kiosk.core.db import write


def _key(path: str | os.PathLike) -> str:
    return os.path.abspath(os.fspath(path))


def record(db, clock: Clock, actor: Actor, old: str | os.PathLike, new: str | os.PathLike,
           reason: str = "erasure") -> None:
    """Record that ``old`` is about to be replaced by ``new`` (call BEFORE moving the files)."""
    with write(db):
        db.execute("INSERT INTO backup_renames (at, old_file, new_file, reason, actor_id, actor)"
                   " VALUES (?, ?, ?, ?, ?, ?)", (utc_iso(clock.now()), _key(old), _key(new), reason, actor.id,
                                                  actor.name))


def chain(conn, file: str | os.PathLike) -> list[str]:
    """The names a file has had, from the name given to the newest recorded one (each name once)."""
    conn = getattr(conn, "conn", conn)
    names = [_key(file)]
    try:
        while len(names) < 1000:  # a cycle cannot be recorded (new != old, names never reused); bounded anyway
            row = conn.execute("SELECT new_file FROM backup_renames WHERE old_file = ? ORDER BY id DESC LIMIT 1",
                               (names[-1],)).fetchone()
            if row is None or row[0] in names:
                break
            names.append(row[0])
    except sqlite3.Error:  # a database from before 0041: no renames
        pass
    return names


def current_name(conn, file: str | os.PathLike) -> Path:
    """The newest name of the file that exists on disk (the newest recorded one when none does: a stick
    that is not plugged in), or the name given when it was never renamed."""
    names = chain(conn, file)
    for name in reversed(names):
        if Path(name).is_file():
            return Path(name)
    return Path(names[-1])


def current_name_for(live_db: str | os.PathLike, file: str | os.PathLike) -> Path:
    """``current_name`` read from a live database file (opened read-only; never migrated)."""
    live = Path(live_db)
    if not live.is_file():
        return Path(file)
    try:
        conn = sqlite3.connect(f"{live.resolve().as_uri()}?mode=ro", uri=True)
    except sqlite3.Error:
        return Path(file)
    try:
        return current_name(conn, file)
    finally:
        conn.close()
