"""Verified backups of the database to a second place, rotated; restore with a dry run.

A backup is SQLite's online backup API run inside one read transaction of a read-only connection:
the copy is the database as it was at that snapshot, however busy the desk is (WAL readers never
block writers). The rows of every table are counted in that same transaction, and again in the copy.

Nothing half-written is ever taken for a backup: the copy is written under a hidden ``.partial``
name, switched to rollback-journal mode (no -wal/-shm beside it on a stick), checked
(``integrity_check``, the same row counts and schema version), fsynced, described in a sidecar
``<name>.json`` (its SHA-256, counts, times; written to a temporary name, fsynced, renamed) and only then
renamed to ``kiosk-<site>-<terminal>-<UTC time>.db``, and the folder is fsynced. A listing takes only a ``.db`` whose
sidecar exists; restore checks the digest, the integrity and the counts again.

Rotation keeps the newest backup of each of the last 7 days, 4 ISO weeks and 12 months (by the
site's local date), configurable, for each kiosk (site and terminal) apart; partial files left by a killed
run of this host are removed.
"""
from __future__ import annotations

import errno
import fcntl
import json
import logging
import os
import re
import secrets
import signal
import sqlite3
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Callable
from zoneinfo import ZoneInfo

from kiosk.core import storage
from kiosk.core.clock import Clock, parse_iso, utc_iso
from kiosk.core.errors import Msg, Refusal
from kiosk.core.paths import file_sha256

# kiosk-<site>-<terminal>-<UTC time to the ms>.db (ids reduced to [A-Za-z0-9_]; the sidecar holds them whole).
# Several kiosks may back up to one share: each rotates only its own site+terminal's backups. Older
# versions wrote kiosk-<UTC time>.db (no ids): those rotate among themselves. A copy a restore sets aside in
# before-restore/ starts with its database's file name and "--" (kiosk.db--kiosk-SITE-T01-<time>.db): two
# databases sharing a data folder each rotate their own copies only (outside attack, issue 19).
NAME = re.compile(r"^(?:(?P<owner>.+)--)?kiosk-(?:(?P<site>[A-Za-z0-9_]+)-(?P<terminal>[A-Za-z0-9_]+)-)?"
                  r"(?P<stamp>\d{8}T\d{9}Z)\.db$")
OWNER_SEP = "--"
STAMP = "%Y%m%dT%H%M%S"
CLOCK_SKEW = timedelta(minutes=5)  # how far ahead a backup row may be dated and still count (clock drift)
STEP_PAGES = 512          # pages per backup step (progress between steps; the read snapshot is held)
STALE_PARTIAL_S = 3600    # a .partial older than this, or whose process is gone, is a killed run's
# What a run leaves while it works: .<name>.<pid>-<random token>.partial and SQLite's own -journal beside it
# (the copy is written in rollback-journal mode), plus the sidecar's .partial. Older runs wrote
# .<host>.<pid> or .<pid> there (kept recognised, removed only once idle).
PARTIAL = re.compile(r"\.(?:db|json)\.(?:(?P<token>\d+-[0-9a-f]{12})|(?:[A-Za-z0-9-]+\.)?\d+)\.partial(?:-journal|-wal|-shm)?$")
Progress = Callable[[float, str], None]
log = logging.getLogger(__name__)


# Test-only fault points: a process whose environment names one of the steps marked fault_point("...") is SIGKILLed
# there (tests/core/test_core_restore_kill.py kills real `kiosk restore` processes at each of them).
FAULT_ENV = "KIOSK_RESTORE_FAULT"


def fault_point(point: str) -> None:
    """SIGKILL this process when the environment names this step (tests only: unset, it does nothing);
    ``eio@<step>`` raises an I/O error there instead (a write fault: a dying SD card, a file size limit)."""
    wanted = os.environ.get(FAULT_ENV)
    if wanted == point:
        os.kill(os.getpid(), signal.SIGKILL)
    if wanted == f"eio@{point}":
        raise OSError(errno.EIO, f"injected write fault ({point})")


class BackupError(Refusal, RuntimeError):
    """A backup or restore refused or failed; nothing was replaced."""


@dataclass(frozen=True)
class Policy:
    """How many backups rotation keeps: the newest of each of the last N days, ISO weeks and months."""

    daily: int = 7
    weekly: int = 4
    monthly: int = 12


@dataclass(frozen=True)
class Backup:
    """One verified backup file in a folder (its sidecar read)."""

    path: Path
    taken_at: datetime            # the snapshot's time (UTC), from the name
    sha256: str
    bytes: int
    counts: dict[str, int]
    schema_version: int
    site_id: str = ""             # whose backup: the source database's site and terminal ("" before ids)
    terminal_id: str = ""
    database_id: str = ""         # the source database's own random id ("" before it had one)

    @property
    def rows(self) -> int:
        return sum(self.counts.values())

    @property
    def owner(self) -> str:
        """The database file name a before-restore copy is named after ('' for a backup, or an older copy)."""
        match = NAME.match(self.path.name)
        return (match.group("owner") or "") if match else ""

    @property
    def group(self) -> tuple[str, str]:
        """Whose backup by the configured ids: site and terminal (what the name says)."""
        return (self.site_id, self.terminal_id)

    def same_source(self, group: tuple[str, str], database_id: str) -> bool:
        """Whether this backup may be of the database with these ids: site and terminal, and its own random
        id where both have one (what restore's "another kiosk's backup" warning asks)."""
        return self.group == group and (not self.database_id or not database_id or self.database_id == database_id)

    def owned_by(self, group: tuple[str, str], database_id: str) -> bool:
        """Whether rotation may count this backup as that database's: the same site and terminal and the same
        random id, both present or both absent. Two databases left at the default SITE/T01 in one folder
        differ only by that id, so a backup with an id is never rotated by a run without one (an older
        version's database, or one opened read-only before it got its id), nor the other way round."""
        return self.group == group and self.database_id == database_id


@dataclass
class BackupResult:
    """What one backup run made (and what rotation removed)."""

    backup: Backup
    started_at: datetime
    finished_at: datetime
    same_disk: bool
    removed: list[Path] = field(default_factory=list)


def _now(clock: Clock | None) -> datetime:
    return clock.now() if clock is not None else datetime.now(timezone.utc)


def table_counts(conn: sqlite3.Connection) -> dict[str, int]:
    """Rows per table (every table but SQLite's own), read in the connection's current transaction."""
    names = [r[0] for r in conn.execute(
        "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name")]
    return {name: conn.execute(f'SELECT COUNT(*) FROM "{name}"').fetchone()[0] for name in names}


def same_disk(a: Path, b: Path) -> bool:
    """Whether two paths live on one file system (a backup there dies with the SD card)."""
    try:
        return os.stat(a).st_dev == os.stat(b).st_dev
    except OSError:
        return False


def make_backup(source: str | os.PathLike, folder: str | os.PathLike, *, clock: Clock | None = None,
                policy: Policy | None = Policy(), tz: str = "UTC", progress: Progress | None = None,
                step_pages: int = STEP_PAGES, marked_only: bool = False, owner: str = "") -> BackupResult:
    """Copy the database at source into folder, verify the copy, then rotate the folder (policy None:
    keep everything). marked_only: only into a folder prepared for this database (init_target; the
    nightly run and `kiosk backup` to the configured folder). owner: the name starts with it and "--" (a restore's
    copy in before-restore/ is named after its database's file). Raises BackupError (folder missing or not
    this kiosk's, copy did not verify) or StorageFault."""
    source, folder = Path(source), Path(folder)
    if not source.is_file():
        raise storage.missing(source)
    if not folder.is_dir():
        raise BackupError("The backup folder {folder} is not there (is the USB stick plugged in, or the share"
                          " mounted?).", folder=str(folder))
    if marked_only:
        check_target(source, folder)
    private_folder(folder)
    started = _now(clock)
    site_id, terminal_id = origin_of(source)
    database_id = database_id_of(source)
    final = _free_name(folder, started, site_id, terminal_id, owner)
    with _claimed_run() as token:
        finished = _copy_verified(source, folder, final, started, (site_id, terminal_id, database_id), progress,
                                  step_pages, clock, token)
    made = read_backup(final)  # read back as any later listing will (the name holds the time to the ms)
    if made is None:
        raise BackupError("The backup copy did not verify ({problem}); it was not kept.",
                          problem=Msg("its description file could not be read back"))
    if progress:
        progress(1.0, "verified")
    removed = rotate(folder, policy, tz=tz, group=made.group, database_id=made.database_id) if policy is not None else []
    return BackupResult(made, started, finished, same_disk(source, folder), removed)


def _copy_verified(source: Path, folder: Path, final: Path, started: datetime, ids: tuple[str, str, str],
                   progress: Progress | None, step_pages: int, clock: Clock | None, token: str) -> datetime:
    """Copy, verify, fsync, write the sidecar and give the copy its final name; returns when it finished.
    Nothing is left but the finished backup: a failure removes the partial files (a kill leaves them to
    rotation)."""
    partial = folder / f".{final.name}.{token}.partial"
    site_id, terminal_id, database_id = ids
    try:
        counts, version = _copy(source, partial, progress, step_pages)
        _verify_copy(partial, counts, version)
        digest, size = file_sha256(partial), partial.stat().st_size
        fsync_file(partial)
        finished = _now(clock)
        _write_sidecar(final, {"format": 1, "sha256": digest, "bytes": size, "counts": counts,
                               "schema_version": version, "source": str(source),
                               "site_id": site_id, "terminal_id": terminal_id, "database_id": database_id,
                               "started_at": utc_iso(started), "finished_at": utc_iso(finished)}, token)
        fault_point("backup-sidecar")
        os.replace(partial, final)
        fsync_dir(folder)
    except (sqlite3.Error, OSError) as exc:
        _remove_partial(partial)
        # The source is opened read-only: a write-side fault (full, read-only, I/O, access) is the folder's.
        fault = storage.classify(exc, final)
        if getattr(exc, "kiosk_source", False) or (
                fault is not None and fault.kind in ("corrupt", "not_database", "locked", "newer_schema")):
            fault = storage.classify(exc, source)
        if fault is None or (fault.kind in _WRITE_SIDE and not getattr(exc, "kiosk_source", False)):
            # The folder's fault (read-only stick, full share, pulled out, odd file system): said of the
            # folder, not of a hidden .partial file the manager never sees.
            fault = BackupError("The backup to {folder} failed: {reason}. Nothing was kept; try another USB stick"
                                " or folder.", folder=str(folder),
                                reason=_WRITE_SIDE.get(fault.kind) if fault is not None else _reason(exc))
        raise fault from exc
    except BaseException:
        _remove_partial(partial)
        raise
    return finished


_WRITE_SIDE = {kind: Msg(text) for kind, text in (
    ("read_only", "the disk or USB stick is read-only"), ("disk_full", "the disk or USB stick is full"),
    ("no_access", "the kiosk may not write there"), ("io", "the disk or USB stick could not be read or written"),
    ("missing", "the folder is gone (was the USB stick removed?)"),
    ("missing_folder", "the folder is gone (was the USB stick removed?)"))}


def _reason(exc: BaseException):
    """Why a copy failed, as a translatable reason (never the OS's or SQLite's English text alone)."""
    from kiosk.core.errors import Msg, os_reason
    if isinstance(exc, OSError) and exc.errno is not None:
        return os_reason(exc)
    return Msg("the disk or USB stick could not be read or written")


def name_id(value: str) -> str:
    """A site or terminal id as it goes into a backup's name (letters, digits, '_'; at most 32)."""
    return re.sub(r"[^A-Za-z0-9_]", "_", value)[:32] or "_"


def origin_of(source: Path) -> tuple[str, str]:
    """The site and terminal the source database stamps its records with (the configuration's mirror;
    the defaults when none was mirrored). Read read-only: a failing disk still gets its last backup."""
    from kiosk.core import db as db_mod
    try:
        conn = sqlite3.connect(storage.reader_uri(source), uri=True)
    except sqlite3.Error:
        origin = None
    else:
        try:
            row = conn.execute("SELECT value FROM settings WHERE key = ?", (db_mod.ORIGIN_KEY,)).fetchone()
            value = json.loads(row[0]) if row else None
            origin = (str(value["site_id"]), str(value["terminal_id"])) if isinstance(value, dict) else None
        except (sqlite3.Error, ValueError, KeyError, TypeError):
            origin = None  # the copy's own checks say what is wrong with the file
        finally:
            conn.close()
    default = db_mod.Origin()
    return origin or (default.site_id, default.terminal_id)


MARKER = ".kiosk-backup-target"  # in a folder prepared with `kiosk backup --init-target`


def init_target(source: str | os.PathLike, folder: str | os.PathLike) -> Path:
    """Mark folder (a USB stick, a share) as this database's backup place: the nightly backup writes only
    where it finds this database's id in the marker, so a stranger's stick that happens to carry the same
    label (KINGSTON, SANDISK...) is never handed every name and phone number. Several kiosks may mark one
    share; each adds its own id."""
    folder = Path(folder)
    if not folder.is_dir():
        raise BackupError("The backup folder {folder} is not there (is the USB stick plugged in, or the share"
                          " mounted?).", folder=str(folder))
    database_id = database_id_of(Path(source))
    if not database_id:
        raise BackupError("{db} has no database id yet: open it once with the kiosk (any command) and try again.",
                          db=str(source))
    ids = sorted(set(target_ids(folder)) | {database_id})
    marker = folder / MARKER
    tmp = folder / f".{MARKER}.{run_token()}.partial"
    try:
        _create_private(tmp)
        with open(tmp, "w", encoding="utf-8") as handle:
            json.dump({"format": 1, "database_ids": ids}, handle)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(tmp, marker)
        fsync_dir(folder)
    except OSError as exc:
        _remove_quietly(tmp)
        raise storage.classify(exc, marker) or BackupError(
            "The backup to {folder} failed: {reason}. Nothing was kept; try another USB stick or folder.",
            folder=str(folder), reason=_reason(exc)) from exc
    return marker


def target_unmarked(source: str | os.PathLike, folder: str | os.PathLike | None) -> bool:
    """Whether the configured folder is there but not yet marked for this database (the nightly backup
    refuses it until a manager marks it: settings screen, or ``kiosk backup --init-target``)."""
    if not folder or not Path(folder).is_dir():
        return False
    database_id = database_id_of(Path(source))
    ids = target_ids(Path(folder))
    return not ids or bool(database_id) and database_id not in ids


def mark_target(db, clock: Clock, actor, source: str | os.PathLike, folder: str | os.PathLike) -> Path:
    """A manager marks folder as this kiosk's backup place (the same checks as ``--init-target``), audited."""
    from kiosk.core import audit
    from kiosk.core.db import write
    marker = init_target(source, folder)
    with write(db):
        audit.record(db, clock, actor, "backup.init_target", None, None, None, {"folder": str(folder)})
    return marker


def target_ids(folder: Path) -> list[str]:
    """The database ids a backup folder was prepared for ([] when it has no readable marker)."""
    try:
        data = json.loads((Path(folder) / MARKER).read_text("utf-8"))
        return [str(x) for x in data.get("database_ids", [])] if isinstance(data, dict) else []
    except (OSError, ValueError, TypeError, AttributeError):
        return []


def check_target(source: Path, folder: Path) -> None:
    """Refuse a folder not prepared as this database's backup place (see init_target)."""
    database_id = database_id_of(source)
    ids = target_ids(folder)
    if not ids or (database_id and database_id not in ids):
        raise BackupError("{folder} is not this kiosk's backup place (no marker made by kiosk backup"
                          " --init-target): a stranger's USB stick with the same label is never written to."
                          " To use it, run once: kiosk backup --init-target --to {folder}", folder=str(folder))


def database_id_of(source: Path) -> str:
    """The source database's own random id (settings 'database_id'), '' when it has none or is unreadable."""
    try:
        conn = sqlite3.connect(storage.reader_uri(source), uri=True)
    except sqlite3.Error:
        return ""
    try:
        row = conn.execute("SELECT value FROM settings WHERE key = 'database_id'").fetchone()
        value = json.loads(row[0]) if row else None
        return value if isinstance(value, str) else ""
    except (sqlite3.Error, ValueError, TypeError):
        return ""
    finally:
        conn.close()


def _free_name(folder: Path, moment: datetime, site_id: str, terminal_id: str, owner: str = "") -> Path:
    """[<owner>--]kiosk-<site>-<terminal>-<UTC time to the millisecond>.db, a millisecond later while that name
    is taken."""
    moment = moment.astimezone(timezone.utc)
    lead = f"{owner}{OWNER_SEP}" if owner else ""
    while True:
        name = folder / (f"{lead}kiosk-{name_id(site_id)}-{name_id(terminal_id)}-{moment.strftime(STAMP)}"
                         f"{moment.microsecond // 1000:03d}Z.db")
        if not name.exists() and not Path(f"{name}.json").exists():
            return name
        moment += timedelta(milliseconds=1)


def _copy(source: Path, partial: Path, progress: Progress | None, step_pages: int) -> tuple[dict[str, int], int]:
    """The online backup inside one read transaction: returns the snapshot's row counts and version."""
    try:
        src = sqlite3.connect(storage.reader_uri(source), uri=True, isolation_level=None)
    except sqlite3.Error as exc:
        exc.kiosk_source = True  # type: ignore[attr-defined]  (the fault is the source's, not the folder's)
        raise
    try:
        try:
            src.execute(f"PRAGMA busy_timeout={_busy_ms()}")
            src.execute("BEGIN")                       # the snapshot: counts and pages come from it alike
            counts = table_counts(src)
            version = src.execute("PRAGMA user_version").fetchone()[0]
        except sqlite3.Error as exc:
            exc.kiosk_source = True  # type: ignore[attr-defined]
            raise
        _create_private(partial)  # SQLite keeps an existing file's mode (and gives its journal the same)
        dst = sqlite3.connect(partial, isolation_level=None)
        try:
            # The pages copied say "WAL": opened in WAL mode, the copy would need a -shm file mapped into
            # memory, which FUSE file systems (fusefat, some exFAT and NTFS drivers) cannot map
            # (SQLITE_IOERR_SHMOPEN). In exclusive locking mode SQLite keeps the WAL index in the process's
            # own memory; nobody else opens a .partial anyway.
            dst.execute("PRAGMA locking_mode=EXCLUSIVE")
            def step(status, remaining, total):
                if progress and total:
                    progress(0.9 * (total - remaining) / total, "copying")
            src.backup(dst, pages=step_pages, progress=step)
            # The copy leaves WAL mode: a backup is one self-contained file (no -wal/-shm on the stick).
            dst.execute("PRAGMA journal_mode=DELETE")
        finally:
            dst.close()
        src.execute("ROLLBACK")
        return counts, version
    finally:
        src.close()


def _busy_ms() -> int:
    from kiosk.core.db import busy_timeout_ms
    return busy_timeout_ms()


def _verify_copy(path: Path, counts: dict[str, int], version: int) -> None:
    problems = verify_file(path, counts=counts, version=version)
    if problems:
        log.warning("backup copy %s did not verify: %s", path, "; ".join(problems[:5]))
        raise BackupError("The backup copy did not verify ({problem}); it was not kept.", problem=problem_reason(problems[0]))


def problem_reason(problem: str) -> Msg:
    """What verify_file's first problem means, as a translatable reason (the details go to the log: SQLite's
    own English text does not belong in a Chinese sentence)."""
    if problem.startswith("unreadable"):
        return Msg("it cannot be read: the database or the disk is damaged")
    if problem.startswith("integrity"):
        return Msg("it failed the integrity check: the database or the disk is damaged")
    if "not a kiosk database" in problem:
        return Msg("it is not a kiosk database")
    return Msg("its records differ from the database's (it changed during the copy, or the disk is failing)")


def verify_file(path: Path, *, counts: dict[str, int] | None = None, version: int | None = None) -> list[str]:
    """What is wrong with a database copy: integrity, that it is a kiosk database at all (tables, the
    settings and audit tables, a schema version), and (when given) its row counts and version.

    An empty copy is never a good backup: rotation would count it as the day's and remove a real one."""
    try:
        conn = sqlite3.connect(storage.sqlite_uri(path), uri=True)
    except sqlite3.Error as exc:
        return [f"unreadable: {exc}"]
    try:
        integrity = [r[0] for r in conn.execute("PRAGMA integrity_check")]
        if integrity != ["ok"]:
            return ["integrity: " + "; ".join(integrity[:3])]
        tables = {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
        if not tables - {"sqlite_sequence"}:
            return ["no tables: not a kiosk database"]
        if "settings" not in tables or "audit" not in tables:
            return ["no settings or audit table: not a kiosk database"]
        found_version = conn.execute("PRAGMA user_version").fetchone()[0]
        if found_version <= 0:
            return ["schema version 0: not a kiosk database"]
        problems = []
        if version is not None and found_version != version:
            problems.append("schema version differs")
        if counts is not None:
            found = table_counts(conn)
            for table in sorted(set(counts) | set(found)):
                if counts.get(table) != found.get(table):
                    problems.append(f"{table}: {found.get(table)} rows, expected {counts.get(table)}")
        return problems
    except sqlite3.DatabaseError as exc:
        return [f"unreadable: {exc}"]
    finally:
        conn.close()


def fsync_file(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def fsync_dir(folder: Path) -> None:
    """Make a rename in folder durable (quietly skipped where the file system cannot open a folder)."""
    try:
        fd = os.open(folder, os.O_RDONLY | getattr(os, "O_DIRECTORY", 0))
    except OSError:  # some file systems (FAT on old kernels) cannot open a folder: the data is synced
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


def _write_sidecar(final: Path, meta: dict, token: str) -> None:
    sidecar = Path(f"{final}.json")
    tmp = final.parent / f".{sidecar.name}.{token}.partial"
    try:
        _create_private(tmp)
        with open(tmp, "w", encoding="utf-8") as handle:
            json.dump(meta, handle, sort_keys=True)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(tmp, sidecar)
    except BaseException:
        _remove_quietly(tmp)
        raise


def _remove_partial(partial: Path) -> None:
    """A failed copy and SQLite's journal beside it (a hot journal left alone would outlive it)."""
    for suffix in ("", "-journal", "-wal", "-shm"):
        _remove_quietly(Path(f"{partial}{suffix}"))


def _create_private(path: Path) -> None:
    """Create path empty, owner read/write only (0600) whatever the umask: a backup holds every name and
    phone number of the database (and its sidecar the source's path and counts)."""
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    try:
        os.fchmod(fd, 0o600)  # an existing file (a leftover .partial) keeps its mode unless told
    except OSError as exc:
        # FAT and exFAT keep no Unix modes: the kernel's vfat says EPERM, fusefat ENOSYS, others ENOTSUP.
        # The mount's own umask (kiosk-usb-mount: umask=0077) already makes every file owner-only there.
        if exc.errno not in (errno.EPERM, errno.ENOSYS, errno.ENOTSUP, errno.EOPNOTSUPP, errno.EACCES):
            raise
    finally:
        os.close(fd)


def private_folder(folder: Path) -> None:
    """A backup folder this user owns is made owner-only (0700); a stick or share that cannot take Unix
    modes (vfat, some mounts) or a folder owned by someone else is left as it is."""
    try:
        if folder.stat().st_uid == os.getuid() and (folder.stat().st_mode & 0o077):
            os.chmod(folder, 0o700)
    except OSError:
        pass


def _remove_quietly(path: Path) -> None:
    try:
        path.unlink()
    except OSError:
        pass


# --- listing and rotation -------------------------------------------------------------------------
def read_backup(path: Path) -> Backup | None:
    """The backup at path when its name is a backup's and its sidecar is whole; None otherwise."""
    match = NAME.match(path.name)
    if not match or not path.is_file():
        return None
    try:
        meta = json.loads(Path(f"{path}.json").read_text("utf-8"))
        stamp = match.group("stamp")
        taken = datetime.strptime(stamp[:15], STAMP).replace(microsecond=int(stamp[15:18]) * 1000,
                                                             tzinfo=timezone.utc)
        site_id, terminal_id = str(meta.get("site_id", "")), str(meta.get("terminal_id", ""))
        if match.group("site") is not None and (match.group("site"), match.group("terminal")) != (
                name_id(site_id), name_id(terminal_id)):
            return None  # the name and its record disagree: renamed by hand, or another kiosk's sidecar
        return Backup(path, taken, str(meta["sha256"]), int(meta["bytes"]),
                      {str(k): int(v) for k, v in meta["counts"].items()}, int(meta["schema_version"]),
                      site_id, terminal_id, str(meta.get("database_id") or ""))
    except (OSError, ValueError, KeyError, TypeError, AttributeError):
        return None


def backups(folder: str | os.PathLike) -> list[Backup]:
    """The folder's backups, newest first (partial files and files without a sidecar are not backups)."""
    folder = Path(folder)
    try:
        entries = list(folder.iterdir())
    except OSError:
        return []
    found = [b for b in (read_backup(p) for p in entries if p.suffix == ".db") if b is not None]
    return sorted(found, key=lambda b: b.taken_at, reverse=True)


def to_keep(found: list[Backup], policy: Policy, tz: str = "UTC") -> set[Path]:
    """Grandfather-father-son: the newest backup of each of the newest N days, weeks and months."""
    zone = ZoneInfo(tz)
    keep: set[Path] = set()
    ordered = sorted(found, key=lambda b: b.taken_at, reverse=True)
    if ordered:
        keep.add(ordered[0].path)  # the newest is never rotated away, whatever the policy
    for count, bucket in ((policy.daily, lambda d: d.date()), (policy.weekly, lambda d: d.isocalendar()[:2]),
                          (policy.monthly, lambda d: (d.year, d.month))):
        seen: list = []
        for each in ordered:
            key = bucket(each.taken_at.astimezone(zone))
            if key in seen:
                continue
            seen.append(key)
            if len(seen) > count:
                break
            keep.add(each.path)
    return keep


def rotate(folder: str | os.PathLike, policy: Policy, *, tz: str = "UTC", now: float | None = None,
           group: tuple[str, str] | None = None, database_id: str = "") -> list[Path]:
    """Remove backups the policy does not keep, and what killed runs left behind; returns what went.

    The policy applies to each kiosk's backups apart (site and terminal): on a share several kiosks write
    to, one kiosk's seven dailies never push out another's. group: rotate only that kiosk's backups (what a
    backup run does; another kiosk may keep a different policy)."""
    folder = Path(folder)
    if group is not None:  # a backup run: only this database's backups, told apart by its random id
        found = [b for b in backups(folder) if b.owned_by(group, database_id)]
        keep = to_keep(found, policy, tz)
    else:
        found = backups(folder)
        keep = set()
        for each_group in {(b.group, b.database_id) for b in found}:
            keep |= to_keep([b for b in found if (b.group, b.database_id) == each_group], policy, tz)
    removed = []
    for each in found:
        if each.path not in keep:
            for path in (each.path, Path(f"{each.path}.json")):
                _remove_quietly(path)
            removed.append(each.path)
    return removed + sweep_partials(folder, now=now)


def sweep_partials(folder: str | os.PathLike, *, now: float | None = None) -> list[Path]:
    """Remove what killed runs left in folder: partial copies with their journals (a run of this machine
    whose lock is free at once, anyone else's once idle for STALE_PARTIAL_S) and sidecars whose copy never
    got its name. A run under way is never touched. Returns what went ([] for a missing folder).

    Backup folders and before-restore/ alike: a restore killed while it set the current file aside leaves
    a partial copy as big as the database in the data folder, which no rotation of backups would reach."""
    folder = Path(folder)
    now = now if now is not None else datetime.now().timestamp()
    removed: list[Path] = []
    try:
        entries = list(folder.iterdir())
    except OSError:
        return removed
    for path in entries:
        if path.name.startswith(".") and PARTIAL.search(path.name) and _stale_partial(path, now):
            _remove_quietly(path)
            removed.append(path)
        elif path.name.endswith(".db.json") and not Path(str(path)[:-5]).exists() and (
                _older(path, now, 60) or not _copy_under_way(folder, path.name[:-5], now)):
            _remove_quietly(path)  # a sidecar whose copy never got its name (killed between the renames)
            removed.append(path)
    return removed


def _copy_under_way(folder: Path, final_name: str, now: float) -> bool:
    """Whether a run may still be about to give final_name to its copy: one of its partials is there and not
    a killed run's. The sidecar is renamed while the partial still exists and the partial only then becomes the
    copy, so a sidecar with neither its copy nor a live partial was left by a killed run (removed at once)."""
    try:
        partials = [p for p in folder.iterdir() if p.name.startswith(f".{final_name}.") and PARTIAL.search(p.name)]
    except OSError:
        return True
    return any(not _stale_partial(p, now) for p in partials) or (folder / final_name).exists()


def _older(path: Path, now: float, seconds: float) -> bool:
    try:
        return now - path.stat().st_mtime > seconds
    except OSError:
        return False


def run_token() -> str:
    """A new name for one backup run's partial files: the pid and a random token (``1234-9f3a5c0b7d21``).

    Not the host name: every Raspberry Pi is called "raspberrypi", so on a share two kiosks' partials
    looked like one machine's and one kiosk's rotation removed the other's backup under way."""
    return f"{os.getpid()}-{secrets.token_hex(6)}"


_ACTIVE: set[str] = set()  # this process's runs under way


def runs_folder() -> Path:
    """This machine's register of backup runs (a local, per-boot folder: never the shared backup folder)."""
    # Not tempfile.gettempdir(): a process that changed its own temp folder would not find the others'.
    return Path(os.environ.get("XDG_RUNTIME_DIR") or "/tmp") / "kiosk-backup-runs"


@contextmanager
def _claimed_run():
    """Hold a new run's lock in the local register while it works. A later rotation on this machine that
    finds the entry with its lock free knows the run failed or was killed (a failed run's own clean-up
    cannot reach a stick pulled out under it) and removes its partials at once."""
    token = run_token()
    _ACTIVE.add(token)
    handle = None
    try:
        folder = runs_folder()
        folder.mkdir(mode=0o700, parents=True, exist_ok=True)
        handle = open(folder / token, "a+")
        fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except OSError:  # no register (read-only /tmp...): partials of this run then age out by the idle rule
        if handle is not None:
            handle.close()
            handle = None
    finished = False
    try:
        yield token
        finished = True
    finally:
        _ACTIVE.discard(token)
        if handle is not None:
            if finished:  # nothing of it is left anywhere: forget it (a failed run's entry says "dead")
                _remove_quietly(runs_folder() / token)
            handle.close()


def _run_state(token: str) -> str:
    """'live' (a run under way on this machine: its lock is held), 'dead' (registered here, lock free:
    failed or killed) or 'unknown' (not registered here: another kiosk's, or from before a reboot)."""
    if token in _ACTIVE:
        return "live"
    try:
        handle = open(runs_folder() / token, "r")
    except OSError:
        return "unknown"
    try:
        fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except OSError:
        return "live"
    finally:
        handle.close()
    return "dead"


def _stale_partial(path: Path, now: float) -> bool:
    """Whether a partial file (or its -journal) was left by a killed run.

    A backup folder may be a share several kiosks write to. A run of this machine is known by its token
    in the local register: killed (lock free) is removed at once, alive never. Anything else — another
    kiosk's, one from before a reboot, an older version's name — only once nobody has written to it for
    STALE_PARTIAL_S: a run under way writes its copy continuously."""
    match = PARTIAL.search(path.name)
    if not match:
        return False
    token = match.group("token")
    if token is not None:
        state = _run_state(token)
        if state == "live":
            return False
        if state == "dead":
            return True
    return _older(path, now, STALE_PARTIAL_S)


# --- the record of backups in the database --------------------------------------------------------
def record(db, clock: Clock, actor, *, kind: str, started: datetime, outcome: str, file: str = "",
           destination: str = "", size: int = 0, sha256: str = "", schema_version: int = 0, rows: int = 0,
           on_same_disk: bool = False, error: str = "", reason: BaseException | None = None) -> int:
    """Append one row to the backups record table (and the audit, for a person's restore).

    reason: why it failed (any exception: a refusal keeps its msgid and values, so the manager's screen
    translates it; anything else is stored as a translated notice naming only its kind)."""
    from kiosk.core import audit
    from kiosk.core.db import write
    finished = max(_now(clock), started)
    refusal = as_refusal(reason) if reason is not None else None
    if refusal is not None and not error:
        error = str(refusal)
    with write(db):
        cursor = db.execute(
            "INSERT INTO backups (kind, started_at, finished_at, outcome, file, destination, bytes, sha256,"
            " schema_version, rows, same_disk, error, reason, actor_id, actor)"
            " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (kind, utc_iso(started), utc_iso(finished), outcome, file, destination, size, sha256, schema_version,
             rows, int(on_same_disk), error[:500], _reason_json(refusal), actor.id, actor.name))
        if kind == "restore":
            audit.record(db, clock, actor, "database.restore", "backups", cursor.lastrowid,
                         after={"file": file, "kept_aside": destination, "outcome": outcome})
    return cursor.lastrowid


def as_refusal(exc: BaseException) -> Refusal:
    """Any failure of a backup as a refusal: storage faults and refusals as they are, an SQLite or OS
    error as its storage sentence where it has one, anything else a notice naming its kind only."""
    if isinstance(exc, Refusal):
        return exc
    fault = storage.classify(exc)
    if fault is not None:
        return fault
    return BackupError("The backup failed ({error}); the details are in the log.", error=type(exc).__name__)


def _reason_json(refusal: Refusal | None) -> str:
    if refusal is None:
        return "{}"
    params = {k: v if isinstance(v, (int, float, bool)) or v is None else str(v) for k, v in refusal.params.items()}
    translated = sorted(k for k, v in refusal.params.items() if isinstance(v, Msg))
    return json.dumps({"msgid": refusal.msgid, "params": params, "translated": translated}, ensure_ascii=False)


def reason_of(text: str) -> Refusal | None:
    """The stored reason (backups.reason) as a refusal to translate; None when there is none."""
    try:
        data = json.loads(text or "{}")
        msgid = data.get("msgid") if isinstance(data, dict) else None
        if not isinstance(msgid, str) or not msgid:
            return None
        translated = set(data.get("translated") or [])
        params = {str(k): Msg(v) if k in translated and isinstance(v, str) else v
                  for k, v in (data.get("params") or {}).items()}
        return Refusal(msgid, None, **params)
    except (ValueError, TypeError, AttributeError):
        return None


def record_failure(db, clock: Clock, actor, *, started: datetime, destination: str, exc: BaseException) -> int:
    """The backups row of a failed or refused attempt, with its reason."""
    return record(db, clock, actor, kind="backup", started=started, outcome="failed", destination=destination,
                  reason=exc)


def record_result(db, clock: Clock, actor, result: BackupResult) -> int:
    """The backups row of a good backup."""
    b = result.backup
    return record(db, clock, actor, kind="backup", started=result.started_at, outcome="ok", file=str(b.path),
                  destination=str(b.path.parent), size=b.bytes, sha256=b.sha256, schema_version=b.schema_version,
                  rows=b.rows, on_same_disk=result.same_disk)


@dataclass(frozen=True)
class Status:
    """What the manager's screen says about backups."""

    last_ok: datetime | None
    file: str
    same_disk: bool
    last_failed: datetime | None
    error: str
    warn: bool          # none good for warn_hours (or never)
    reason: Refusal | None = None   # why the newest failure failed (translate with .message(lang))
    restore_problem: Refusal | None = None   # the newest restore failed (interrupted): what the manager must know


def status(db, clock: Clock, *, warn_hours: int = 48) -> Status:
    """The newest good backup and the newest failure after it (with its reason); warn after warn_hours
    without a good one."""
    # A row dated after now (a Pi has no clock battery: a backup taken while its date was a year ahead) is
    # not a good backup "from the future": it would keep the warning off and the nightly run away for a year.
    latest = utc_iso(clock.now() + CLOCK_SKEW)
    ok = db.execute("SELECT finished_at, file, same_disk FROM backups WHERE kind = 'backup' AND outcome = 'ok'"
                    " AND finished_at <= ? ORDER BY finished_at DESC, id DESC LIMIT 1", (latest,)).fetchone()
    failed = db.execute("SELECT finished_at, error, reason FROM backups WHERE kind = 'backup' AND outcome = 'failed'"
                        " AND finished_at > ? AND finished_at <= ? ORDER BY finished_at DESC, id DESC LIMIT 1",
                        (ok[0] if ok else "", latest)).fetchone()
    last_ok = parse_iso(ok[0]) if ok else None
    warn = last_ok is None or clock.now() - last_ok > timedelta(hours=warn_hours)
    reason = None
    if failed:
        reason = reason_of(failed[2]) or (BackupError("{error}", error=failed[1]) if failed[1] else None)
    newest_restore = db.execute("SELECT outcome, error, reason FROM backups WHERE kind = 'restore'"
                                " ORDER BY id DESC LIMIT 1").fetchone()
    restore_problem = None
    if newest_restore and newest_restore[0] == "failed":
        restore_problem = reason_of(newest_restore[2]) or BackupError("{error}", error=newest_restore[1])
    from kiosk.core import renames  # the name the newest good copy has now (an erasure may have renamed it)
    return Status(last_ok, str(renames.current_name(db, ok[1])) if ok and ok[1] else "", bool(ok and ok[2]),
                  parse_iso(failed[0]) if failed else None, failed[1] if failed else "", warn, reason, restore_problem)


def due(db, clock: Clock, tz: str, at: str, *, retry_minutes: int = 60) -> bool:
    """Whether the nightly backup should run now: past today's `at` (local HH:MM) with no good backup since,
    and no attempt in the last retry_minutes (a missing stick is tried again each hour, not each minute)."""
    if not at:
        return False
    zone = ZoneInfo(tz)
    now = clock.now().astimezone(zone)
    hour, minute = (int(x) for x in at.split(":"))
    slot = now.replace(hour=hour, minute=minute, second=0, microsecond=0)
    if now < slot:
        slot -= timedelta(days=1)  # before tonight's time: yesterday's slot is the one that counts
    since = utc_iso(slot.astimezone(timezone.utc))
    latest = utc_iso(clock.now() + CLOCK_SKEW)  # rows dated in the future (a clock set wrong, then put right)
    if db.execute("SELECT 1 FROM backups WHERE kind = 'backup' AND outcome = 'ok' AND started_at >= ?"
                  " AND started_at <= ?", (since, latest)).fetchone():
        return False
    last = db.execute("SELECT MAX(started_at) FROM backups WHERE kind = 'backup' AND started_at >= ?"
                      " AND started_at <= ?", (since, latest)).fetchone()[0]
    return last is None or clock.now() - parse_iso(last) >= timedelta(minutes=retry_minutes)


def policy_from(config) -> Policy:
    """The rotation configured in [backup]."""
    return Policy(config.get("backup", "keep_daily"), config.get("backup", "keep_weekly"),
                  config.get("backup", "keep_monthly"))


def nightly(ctx, progress: Progress | None = None, *, folder: str | None = None) -> BackupResult:
    """One backup as the app's background job runs it: to [backup] folder, rotated, recorded (a failure is
    recorded too, then raised so the job reports it)."""
    from kiosk.core.audit import SYSTEM
    target = folder or ctx.config.get("backup", "folder")
    started = _now(ctx.clock)
    try:
        if not target:
            raise BackupError("No backup folder is configured ([backup] folder in the box configuration).")
        result = make_backup(ctx.db_path, target, clock=ctx.clock, policy=policy_from(ctx.config),
                             tz=ctx.config.get("site", "timezone"), progress=progress, marked_only=True)
    except Exception as exc:  # noqa: BLE001  (every attempt is recorded with its reason, then re-raised)
        record_failure(ctx.db, ctx.clock, SYSTEM, started=started, destination=str(target or ""), exc=exc)
        raise
    record_result(ctx.db, ctx.clock, SYSTEM, result)
    return result
