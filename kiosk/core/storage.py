"""Storage faults as sentences: what went wrong with which file, and what to do about it.

SQLite and the OS report faults in English codes (``SQLITE_FULL``, ``EROFS``). The person at the
desk — or the manager at the command line — needs "the disk holding /var/lib/kiosk/kiosk.db is full:
free some space". :func:`classify` turns a ``sqlite3.Error`` or a storage ``OSError`` into a
:class:`StorageFault` (a :class:`~kiosk.core.errors.Refusal`, so screens translate it with
``show_refusal``/``message_of`` and the CLI prints it), by the error's code, never by its text.

Which file: an ``OSError`` names its own; a SQLite error does not, so :func:`remember_database`
(called by ``kiosk.core.db.connect``) keeps the last database opened in this process.
"""
from __future__ import annotations

import errno
import os
import sqlite3
import urllib.parse
from pathlib import Path

from kiosk.core.errors import Refusal

# Primary SQLite result codes (the low byte of sqlite_errorcode); extended codes share them.
SQLITE_PERM, SQLITE_BUSY, SQLITE_LOCKED, SQLITE_READONLY = 3, 5, 6, 8
SQLITE_IOERR, SQLITE_CORRUPT, SQLITE_FULL, SQLITE_CANTOPEN, SQLITE_NOTADB = 10, 11, 13, 14, 26

# kind -> the English sentence (a msgid; zh_CN in data/locale/zh_CN/LC_MESSAGES/core.po).
MESSAGES: dict[str, str] = {
    "read_only": "The database {path} cannot be written: its disk is read-only or write-protected. Make it"
                 " writable (remount the disk read-write, or fix the file's owner and permissions), then try"
                 " again.",
    "disk_full": "The disk holding {path} is full. Free some space (old exports or backups) and try again;"
                 " nothing half-written was kept.",
    "corrupt": "The database {path} is damaged. Stop the kiosk and restore the last good backup"
               " (kiosk restore).",
    "not_database": "{path} is not a kiosk database (another kind of file, or damaged beyond reading). Check"
                    " the path, or restore a backup (kiosk restore).",
    "not_kiosk": "{path} is not a kiosk database: it is another program's SQLite file, not the front desk's."
                 " Nothing was written to it. Check the path (--db, or [database] path in the configuration) and the data"
                 " folder; create a new kiosk database elsewhere with: kiosk db init --db NEW_PATH",
    "incomplete": "The kiosk database {path} is missing part of its schema ({missing}): another program or a"
                  " disk fault changed it. Nothing was written to it. Stop the kiosk, see kiosk db check, and"
                  " restore the last good backup (kiosk restore).",
    "locked": "The database {path} is busy: another program holds it. Wait a moment and try again; if it"
              " stays busy, close the other program (or restart the kiosk).",
    "newer_schema": "The database {path} has schema version {version}, newer than this program knows (latest"
                    " {latest}): it was written by a newer kiosk version. Install that version, or restore a"
                    " backup made for this one.",
    "missing": "There is no database at {path}. Check the path (--db or [database] path in the"
               " configuration), or create one with: kiosk db init",
    "missing_folder": "The folder {folder} does not exist, so there is no database at {path}. Check the"
                      " path (was a USB stick or share removed?), or create one with: kiosk db init",
    "no_access": "The kiosk may not open {path}. Give the kiosk user access to the file and its folder.",
    "io": "The disk holding {path} could not be read or written (a disk or USB stick fault). Check the disk;"
          " if it keeps failing, restore a backup to a sound disk.",
}

_LAST: list[str] = [""]  # the database this process opened last (for SQLite errors, which name no file)


class StorageFault(Refusal):
    """A storage fault: ``kind`` is one of :data:`MESSAGES`; params name the file (``path``)."""

    def __init__(self, kind: str, path: str | os.PathLike, **params) -> None:
        if kind not in MESSAGES:
            raise ValueError(f"unknown storage fault kind {kind!r}")
        self.kind = kind
        super().__init__(MESSAGES[kind], None, path=str(path), **params)


def sqlite_uri(path: str | os.PathLike, *, mode: str = "ro", immutable: bool = False) -> str:
    """The SQLite URI that opens the file at path (``sqlite3.connect(..., uri=True)``), read-only by default.

    The one place such URIs are made: the absolute path is percent-escaped, so a ``?`` or ``#`` (or ``%``)
    in a folder or file name is part of the name, not the start of URI parameters — unescaped,
    ``/media/stick#1/kiosk.db`` would open (and create) ``/media/stick``. ``immutable`` tells SQLite the
    file cannot change (no locks, no -shm): only for a file on a medium nothing else can write."""
    absolute = os.path.abspath(os.fspath(path))
    uri = f"file://{urllib.parse.quote(absolute, safe='/')}?mode={mode}"
    return uri + ("&immutable=1" if immutable else "")


def cannot_write(path: str | os.PathLike) -> bool:
    """Whether nothing can be written at the database at path: its file or folder not writable, its file
    system mounted read-only, or its disk full. A reader then opens it read-only (:func:`reader_uri`)."""
    path = Path(path)
    try:
        if not os.access(path.parent, os.W_OK) or (path.exists() and not os.access(path, os.W_OK)):
            return True  # access(2) also says EROFS on a read-only mount, whatever the user
    except OSError:
        return True
    return _read_only_fs(path) or _disk_full(path)


def write_fault(path: str | os.PathLike) -> StorageFault | None:
    """Why nothing can be written at the database at path ("disk_full" or "read_only"), None when it can.

    Opening a WAL database whose -wal and -shm already exist writes nothing, so a full disk or a read-only
    folder only shows at the first write — a visitor's form. The app asks this at start-up instead."""
    if not cannot_write(path):
        return None
    return StorageFault("disk_full" if _disk_full(Path(path)) else "read_only", path)


def reader_uri(path: str | os.PathLike) -> str:
    """The read-only URI for reading a database that may sit where nothing can be written.

    A WAL database opened ``mode=ro`` still needs its -shm (and -wal) to exist or be creatable. Where
    nothing can be written and there is no -wal content, ``immutable=1`` reads the main file alone (it
    is the whole database then); with -wal content the -shm beside it must already exist (SQLite reads
    it), since skipping the -wal would skip committed records."""
    wal = Path(f"{path}-wal")
    try:
        has_wal = wal.stat().st_size > 0
    except OSError:
        has_wal = False
    return sqlite_uri(path, immutable=cannot_write(path) and not has_wal)


def remember_database(path: str | os.PathLike) -> None:
    """Note the database this process works on (named in messages about SQLite errors)."""
    _LAST[0] = str(path)


def last_database() -> str:
    """The database opened last in this process ('' before any)."""
    return _LAST[0]


def missing(path: str | os.PathLike) -> StorageFault:
    """The fault for a database file (or its folder) that is not there."""
    path = Path(path)
    if not path.parent.exists():
        return StorageFault("missing_folder", path, folder=str(path.parent))
    return StorageFault("missing", path)


def not_a_database(path: str | os.PathLike) -> StorageFault:
    """The fault for a file that is not a kiosk database (empty, another program's, damaged)."""
    return StorageFault("not_database", path)


def not_kiosk(path: str | os.PathLike) -> StorageFault:
    """The fault for another program's SQLite file (refused as it is: nothing is written to it)."""
    return StorageFault("not_kiosk", path)


def incomplete(path: str | os.PathLike, missing: list[str]) -> StorageFault:
    """The fault for a kiosk database whose tables are not all there (at most five named)."""
    return StorageFault("incomplete", path, missing=", ".join(missing[:5]) + (", ..." if len(missing) > 5 else ""))


def read_only(path: str | os.PathLike) -> StorageFault:
    """The fault for a database that cannot be written where it is."""
    return StorageFault("read_only", path)


def classify(exc: BaseException, path: str | os.PathLike | None = None) -> StorageFault | None:
    """The storage fault an exception means, or None when it is not one (a bug, a refusal, a network
    error): SQLite errors by their result code, OSErrors by errno."""
    if isinstance(exc, StorageFault):
        return exc
    where = str(path) if path is not None else ""
    if isinstance(exc, sqlite3.Error):
        where = where or last_database() or "(database)"
        code = getattr(exc, "sqlite_errorcode", None)
        primary = code & 0xFF if isinstance(code, int) else None
        if primary is None:  # an error raised by the sqlite3 module itself (closed connection...)
            return None
        return _by_sqlite_code(primary, where)
    if isinstance(exc, OSError) and exc.errno is not None:
        where = str(exc.filename) if exc.filename else (where or last_database() or "(file)")
        kind = _OS_KINDS.get(exc.errno)
        if kind == "missing":
            return missing(where)
        return StorageFault(kind, where) if kind else None
    return None


def _by_sqlite_code(primary: int, where: str) -> StorageFault | None:
    if primary == SQLITE_CANTOPEN:
        target = Path(where)
        if not target.parent.exists() or (not target.exists() and where != ":memory:"):
            return missing(where)
        return StorageFault("read_only" if not os.access(target.parent, os.W_OK) or _read_only_fs(target)
                            else "no_access", where)
    if primary == SQLITE_IOERR and _disk_full(Path(where)):
        return StorageFault("disk_full", where)  # a write that failed for want of space (SQLITE_IOERR_WRITE...)
    kind = {SQLITE_READONLY: "read_only", SQLITE_FULL: "disk_full", SQLITE_CORRUPT: "corrupt",
            SQLITE_NOTADB: "not_database", SQLITE_BUSY: "locked", SQLITE_LOCKED: "locked",
            SQLITE_IOERR: "io", SQLITE_PERM: "no_access"}.get(primary)
    return StorageFault(kind, where) if kind else None


_OS_KINDS = {errno.ENOSPC: "disk_full", errno.EDQUOT: "disk_full", errno.EFBIG: "disk_full",
             errno.EROFS: "read_only", errno.EACCES: "no_access", errno.EPERM: "no_access",
             errno.EIO: "io", errno.ENOENT: "missing", errno.ENOTDIR: "missing"}


def _disk_full(path: Path) -> bool:
    """True when the file system holding path has (next to) no free blocks left."""
    try:
        info = os.statvfs(path.parent)
    except OSError:
        return False
    return info.f_bavail * info.f_frsize < 64 * 1024


def _read_only_fs(path: Path) -> bool:
    """True when the file system holding path is mounted read-only (root ignores permissions, not this)."""
    try:
        return bool(os.statvfs(path.parent).f_flag & os.ST_RDONLY)
    except OSError:
        return False


def is_storage_error(exc: BaseException) -> bool:
    """Whether classify() has a sentence for this exception."""
    return classify(exc) is not None
