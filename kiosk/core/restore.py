"""Restore a verified backup over the live database, keeping the current file aside first.

``plan`` reads both files and says, table by table, how many rows each holds and when its newest
record was made (the newest UUIDv7 ``uid`` carries its own time), so ``kiosk restore --dry-run`` shows
what would be replaced. A file is refused unless it verifies: its sidecar (digest, row counts) is
whole and matches, ``integrity_check`` is ok, it is a kiosk database and its schema is not newer
than this program's.

The restore itself is SQLite's backup API run from the backup into the live file: one transaction
in the live database's own journal (WAL), so a restore killed halfway leaves the old content, and
a running app's connections see the new content on their next read. The current content is first
copied aside with ``kiosk.core.backup.make_backup`` (verified like any backup) into
``<data folder>/before-restore/``; a current file too damaged to copy is moved aside as it is. A write fault
is not damage: a sound file whose copy aside cannot be written (full or failing disk) stops the restore, untouched,
and a damaged file moved aside goes back when the journal or the copy in cannot be written (issue 19).

**The desk's writes are never lost** (outside attack 2): the live file's write lock is taken (``BEGIN IMMEDIATE``,
waiting the busy timeout) before the copy aside, so that copy holds every commit, and kept until the copy in holds
the lock itself (:func:`_copy_in` checks ``data_version`` across the hand-over and abandons the copy if anything
committed); a desk that keeps writing past the busy timeout is refused ("stop the kiosk"). A fault after the copy in
says the backup is restored and what the next start finishes, never "nothing was restored".

**Journaled.** Before the page copy a journal file (``<database>.restore-journal``, JSON, fsynced) names
the backup, the copy set aside and the backup's row counts; it is removed only after the restore's record
(the backups row, its audit and the series guard) has committed. A restore killed in between leaves the
journal: the next open of the database for writing (:func:`recover_interrupted`, from
``kiosk.core.context``) records a failed restore saying whether the backup's content or the old one is now
in the file, moves every series past the copy set aside, and the manager's backup line shows it.

A restore started while an earlier one's journal is still there (killed, and no start in between) records
that one first (:func:`recover_interrupted`), or counts the copies it set aside when the file cannot be opened:
its numbers and its erasures would otherwise go with its journal (outside attack, issue 19). The erasure
records (the audit's proof) of the copy set aside that the restored file lacks are carried in too.

**Leftovers are swept, audited** (:func:`sweep`, on the next open for writing and before each restore): partial
copies a killed restore left in before-restore/ (``backup.sweep_partials``), a sidecar whose copy never got its
name, a copy whose sidecar a killed rotation had removed, a half-written journal beside the database; one audit
row (``database.restore_leftovers_removed``) names every file.

**before-restore/ is per database and rotated**: a copy is named after its database's file
(``kiosk.db--kiosk-SITE-T01-<time>.db``; an older copy without that name belongs to the file its sidecar names as
its source); after each restore the ``[backup] keep_before_restore`` newest copies of that database are kept
(:func:`rotate_aside`; another database in the same data folder keeps all of its own), never one an unresolved
journal names, and never one that an erasure has not reached (kiosk.privacy.backups marks
a copy it erased with ``erased_at``; a copy older than an erasure that did not reach it waits for the
next erasure pass, which the manager is told to run). Every removal is audited.

Test-only fault points (``KIOSK_RESTORE_FAULT=<step>``: the process SIGKILLs itself there; ``eio@<step>``: an EIO
is raised there) mark each step for tests/core/test_core_restore_kill.py and test_core_restore_write_fault.py.
"""
from __future__ import annotations

import glob
import json
import logging
import os
import sqlite3
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from typing import Any, Callable

from kiosk.core import backup as backup_mod
from kiosk.core import storage
from kiosk.core.clock import Clock
from kiosk.core.errors import Msg
from kiosk.core.paths import file_sha256

ASIDE = "before-restore"
JOURNAL_SUFFIX = ".restore-journal"
KEEP_ASIDE = 5                      # [backup] keep_before_restore's default
# Tables a start-up writes to (settings mirrored, their audit, the backups record): not compared when
# telling whether an interrupted restore's content is the backup's.
_WRITTEN_ON_OPEN = {"settings", "audit", "backups", "schema_migrations"}
log = logging.getLogger(__name__)
FAULT_ENV = backup_mod.FAULT_ENV
_fault = backup_mod.fault_point


@dataclass(frozen=True)
class TableChange:
    """One table: rows and newest record time now and in the backup."""

    table: str
    current: int | None
    restored: int | None
    current_newest: datetime | None
    restored_newest: datetime | None


@dataclass(frozen=True)
class Plan:
    """What a restore would do."""

    file: Path
    live: Path
    backup: backup_mod.Backup
    live_exists: bool
    live_readable: bool
    changes: list[TableChange]
    live_origin: tuple[str, str] | None = None   # this database's site and terminal (None: unreadable)
    # Numbers issued since the backup (series name -> (last in the backup, last in the live file)): receipt
    # numbers, fee numbers, lost-and-found references already printed. The restore moves each series past
    # them, so none is ever issued again to another sale (a gap in the series, never a repeat).
    advanced: dict[str, tuple[int, int]] = field(default_factory=dict)
    live_database_id: str = ""                   # this database's own random id ('' when none)

    @property
    def other_kiosk(self) -> bool:
        """Whether the backup was made by another site or terminal than this database's (a shared folder
        holds several kiosks' backups: restoring the wrong one replaces this desk's records with theirs)."""
        if not self.backup.site_id or self.live_origin is None:
            return False
        return not self.backup.same_source(self.live_origin, self.live_database_id)


def _newest(conn: sqlite3.Connection, table: str) -> datetime | None:
    """The time of the table's newest record, from its UUIDv7 uids (None for a table without them)."""
    columns = {r[1] for r in conn.execute(f'PRAGMA table_info("{table}")')}
    if "uid" not in columns:
        return None
    top = conn.execute(f'SELECT MAX(uid) FROM "{table}"').fetchone()[0]
    if not top or len(top) != 36:
        return None
    ms = int(top.replace("-", "")[:12], 16)
    return datetime.fromtimestamp(ms / 1000, timezone.utc)


def _survey(path: Path) -> dict[str, tuple[int, datetime | None]]:
    conn = sqlite3.connect(storage.sqlite_uri(path), uri=True)
    try:
        conn.execute("BEGIN")
        return {t: (n, _newest(conn, t)) for t, n in backup_mod.table_counts(conn).items()}
    finally:
        conn.close()


def verify(file: str | os.PathLike) -> backup_mod.Backup:
    """The backup at file when it verifies; BackupError saying why not otherwise."""
    from kiosk.core import db as db_mod
    file = Path(file)
    if not file.is_file():
        raise backup_mod.BackupError("There is no backup file at {file}.", file=str(file))
    found = backup_mod.read_backup(file)
    if found is None:
        raise backup_mod.BackupError("{file} is not a verified kiosk backup (its name or its .json record is"
                                     " missing or damaged).", file=str(file))
    if file_sha256(file) != found.sha256:
        raise backup_mod.BackupError("{file} has changed since it was made (its checksum differs): it is not"
                                     " restored.", file=str(file))
    problems = backup_mod.verify_file(file, counts=found.counts, version=found.schema_version)
    if problems:
        raise backup_mod.BackupError("{file} did not verify ({problem}): it is not restored.", file=str(file),
                                     problem=backup_mod.problem_reason(problems[0]))
    conn = sqlite3.connect(storage.sqlite_uri(file), uri=True)
    try:
        tables = {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
        done = ({r[0] for r in conn.execute("SELECT version FROM schema_migrations")}
                if "schema_migrations" in tables else set())
    finally:
        conn.close()
    if "settings" not in tables or "audit" not in tables:
        raise backup_mod.BackupError("{file} is not a kiosk database: it is not restored.", file=str(file))
    known = {m.version for m in db_mod.migrations()}
    latest = max(known)
    if done - known or found.schema_version > latest:
        raise db_mod.schema_too_new(str(file), max(list(done - known) + [found.schema_version]), latest,
                                  sorted(done - known))
    return found


def plan(live: str | os.PathLike, file: str | os.PathLike) -> Plan:
    """Verify the backup and compare it with the live database, table by table."""
    from kiosk.core import db as db_mod
    from kiosk.core import renames
    live = Path(live)
    db_mod.refuse_foreign(live)  # another program's file is never replaced (read-only look: nothing made beside it)
    file = renames.current_name_for(live, file)  # a copy an erasure rewrote under a new name
    found = verify(file)
    if not live.parent.is_dir():
        raise storage.missing(live)
    restored = _survey(file)
    current: dict[str, tuple[int, datetime | None]] = {}
    readable = False
    if live.is_file():
        try:
            current = _survey(live)
            # Counts can be read past a damaged page (the usual SD-card fault): such a file cannot be copied
            # aside verified either, so it is moved aside as it is (outside tester, issue 19).
            readable = _sound(live)
        except sqlite3.Error:
            readable = False  # damaged: it is moved aside as it is
    changes = [TableChange(t, current.get(t, (None, None))[0], restored.get(t, (None, None))[0],
                           current.get(t, (None, None))[1], restored.get(t, (None, None))[1])
               for t in sorted(set(current) | set(restored))]
    origin = backup_mod.origin_of(live) if readable else None
    advanced = {}
    if live.is_file():
        in_backup, in_live = series_of(file), series_of(live)
        advanced = {name: (in_backup.get(name, 0), last) for name, last in sorted(in_live.items())
                    if last > in_backup.get(name, 0)}
    return Plan(file, live, found, live.is_file(), readable, changes, origin, advanced,
                backup_mod.database_id_of(live) if readable else "")


def _sound(path: Path) -> bool:
    """Whether SQLite's quick check finds the file whole (read-only; a second or so on years of a desk)."""
    try:
        conn = sqlite3.connect(storage.reader_uri(path), uri=True)
    except sqlite3.Error:
        return False
    try:
        return conn.execute("PRAGMA quick_check(1)").fetchone()[0] == "ok"
    except sqlite3.Error:
        return False
    finally:
        conn.close()


def series_of(path: Path) -> dict[str, int]:
    """The last number of every series in a database file, read-only ({} when it cannot be read: damaged)."""
    try:
        conn = sqlite3.connect(storage.reader_uri(path), uri=True)
    except sqlite3.Error:
        return {}
    try:
        return {str(name): int(last) for name, last in conn.execute("SELECT name, last FROM series")}
    except (sqlite3.Error, ValueError, TypeError):
        return {}
    finally:
        conn.close()


def _issued(paths: list[Path]) -> dict[str, int]:
    """The highest number of every series in any of these files (the copies a restore set aside)."""
    issued: dict[str, int] = {}
    for path in paths:
        for name, last in series_of(Path(path)).items():
            issued[name] = max(issued.get(name, 0), last)
    return issued


def journal_path(live: str | os.PathLike) -> Path:
    """Where a restore in progress keeps its journal: beside the database."""
    return Path(f"{live}{JOURNAL_SUFFIX}")


def _write_journal(live: Path, the_plan: Plan, aside: Path | None, started: datetime,
                   earlier: list[Path] | None = None) -> Path:
    path = journal_path(live)
    partial = Path(f"{path}.{os.getpid()}.partial")
    data = {"file": str(the_plan.file), "sha256": the_plan.backup.sha256, "aside": str(aside or ""),
            # the copies an earlier restore killed before its record set aside, when its journal could not be
            # resolved first: their numbers and erasures count as much as this copy's
            "earlier": [str(p) for p in earlier or []],
            "started_at": started.astimezone(timezone.utc).isoformat(), "counts": the_plan.backup.counts,
            "rows": the_plan.backup.rows, "schema_version": the_plan.backup.schema_version, "pid": os.getpid()}
    fd = os.open(partial, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    try:
        try:
            _fault("journal-writing")
            os.write(fd, json.dumps(data, ensure_ascii=False).encode("utf-8"))
            os.fsync(fd)
        finally:
            os.close(fd)
    except OSError:
        partial.unlink(missing_ok=True)   # a journal that could not be written whole is none
        raise
    _fault("journal-partial")
    os.replace(partial, path)
    backup_mod.fsync_dir(path.parent)
    return path


def _journal_partials(live: Path) -> list[Path]:
    """Journals a killed restore left half-written beside the database (its process gone: never a running one's)."""
    out = []
    try:
        entries = list(Path(live).parent.iterdir())
    except OSError:
        return out
    lead = f"{Path(live).name}{JOURNAL_SUFFIX}."
    for path in entries:
        pid = path.name[len(lead):-len(".partial")] if path.name.startswith(lead) and path.name.endswith(".partial") \
            else ""
        if pid.isdigit() and (not _alive(int(pid)) or _idle(path)):   # idle: its pid reused by another process
            out.append(path)
    return out


def _idle(path: Path) -> bool:
    try:
        return datetime.now().timestamp() - path.stat().st_mtime > backup_mod.STALE_PARTIAL_S
    except OSError:
        return False


def _alive(pid: int) -> bool:
    if pid == os.getpid():
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except OSError:   # someone else's process (EPERM): alive
        return True
    return True


def _lone_copies(folder: Path) -> list[Path]:
    """Copies in before-restore/ whose sidecar is gone: a rotation killed between removing the sidecar and the
    file (the sidecar goes first). No listing shows them and no erasure reaches them: they are no copy."""
    try:
        entries = list(folder.iterdir())
    except OSError:
        return []
    return [p for p in entries if backup_mod.NAME.match(p.name) and p.is_file() and not Path(f"{p}.json").exists()]


def sweep(live: Path) -> list[Path]:
    """Remove what killed restores left: partial copies and sidecars alone in before-restore/ (kiosk.core.backup
    .sweep_partials), copies whose sidecar a killed rotation removed, half-written journals beside the database.
    Returns what went; the caller audits it (:func:`audit_swept`)."""
    live = Path(live)
    folder = live.parent / ASIDE
    removed = backup_mod.sweep_partials(folder) if folder.is_dir() else []
    for path in _lone_copies(folder) + _journal_partials(live):
        try:
            os.unlink(path)
        except FileNotFoundError:
            continue
        except OSError as exc:
            log.warning("could not remove %s left by a killed restore: %s", path, exc)
            continue
        removed.append(path)
    if removed:
        backup_mod.fsync_dir(folder if folder.is_dir() else live.parent)
        log.warning("removed what a killed restore left: %s", ", ".join(p.name for p in removed))
    return removed


def audit_swept(database, clock: Clock, actor, removed: list[Path]) -> None:
    """One audit row naming every file :func:`sweep` removed (nothing is removed unaudited)."""
    if not removed:
        return
    from kiosk.core import audit
    from kiosk.core.db import write
    with write(database):
        audit.record(database, clock, actor, "database.restore_leftovers_removed", "backups", None,
                     before={"files": [str(p) for p in removed]}, after={"reason": "left by a killed restore"})


def settle_earlier(live: str | os.PathLike, clock: Clock) -> RestoreInterrupted | None:
    """An earlier restore killed before its record, recorded now (what :func:`restore` does first, and the next
    start would): a plan made after this describes the file the new restore replaces, not the one before the
    settling (``kiosk restore`` prints its plan after it). The interruption recorded, or None."""
    return _settle(Path(live), clock)[0]


def _resolve_earlier(live: Path, clock: Clock) -> list[Path]:
    """An earlier restore killed before its record is recorded first (as the next start would); returns the copies
    it set aside when that cannot be done (the file does not open), so this restore still counts them."""
    return _settle(live, clock)[1]


def _settle(live: Path, clock: Clock) -> tuple[RestoreInterrupted | None, list[Path]]:
    """The earlier killed restore recorded (its interruption), and the copies its journal still names when it
    could not be (the file does not open)."""
    path = journal_path(live)
    if not path.exists() or not live.is_file():
        return None, []
    from kiosk.core import db as db_mod
    from kiosk.core.errors import Refusal
    problem = None
    try:
        database = db_mod.connect(live, create=False)
        try:
            problem = recover_interrupted(database, live, clock)
            reapply_pending(database, clock)
        finally:
            database.close()
    except (sqlite3.Error, OSError, Refusal) as exc:
        log.warning("the interrupted restore of %s could not be recorded before this one: %s", live, exc)
    return problem, (_journal_asides(path) if path.exists() else [])


def _journal_asides(path: Path) -> list[Path]:
    """The copies a journal names: its own and the earlier ones it carried."""
    try:
        data = json.loads(path.read_text("utf-8"))
    except (OSError, ValueError):
        return []
    if not isinstance(data, dict):
        return []
    named = [data.get("aside")] + list(data.get("earlier") or [])
    return [Path(p) for p in named if isinstance(p, str) and p]


def _merged(carried, more):
    """Two carried ledgers as one (rows in order, keys together)."""
    carried.rows = list(carried.rows) + [r for r in more.rows if r not in carried.rows]
    carried.keys = {**more.keys, **carried.keys}
    return carried


def _damaged_name(live: Path, aside_dir: Path, clock: Clock) -> Path:
    """Where a file too damaged to copy goes as it is: ``<name>.damaged-<UTC time>``, or the name its WAL already
    went to when a kill stopped the move before the file itself (the two stay a pair)."""
    wal = Path(f"{live}-wal")
    if not wal.exists() or wal.stat().st_size == 0:   # a reader since the kill may have made an empty one
        alone = sorted(p for p in aside_dir.glob(f"{glob.escape(live.name)}.damaged-*-wal")
                       if not Path(str(p)[:-len("-wal")]).exists())
        if alone:
            return Path(str(alone[-1])[:-len("-wal")])
    stamp = clock.now().astimezone(timezone.utc).strftime("%Y%m%dT%H%M%SZ")
    return aside_dir / f"{live.name}.damaged-{stamp}"


_WRITE_KINDS = ("disk_full", "io", "read_only", "no_access")


def _holds_nothing(live: Path) -> bool:
    """Whether the live file is empty with no WAL content (a failed copy or a mistake): nothing to keep aside,
    and never to be named as the database the restore replaced."""
    try:
        if live.stat().st_size:
            return False
        return not Path(f"{live}-wal").exists() or Path(f"{live}-wal").stat().st_size == 0
    except OSError:
        return False


def _write_reason(exc: BaseException) -> Msg:
    """Why writing failed, as a translatable reason (the copy's own, or its storage fault's)."""
    reason = getattr(exc, "params", {}).get("reason")
    if isinstance(reason, Msg):
        return reason
    fault = storage.classify(exc)
    if fault is not None and fault.kind in _WRITE_KINDS:
        return backup_mod._WRITE_SIDE[fault.kind]
    return Msg("the disk or USB stick could not be read or written")


def _aside_failed(live: Path, folder: Path, exc: BaseException) -> Exception:
    """The refusal for a sound database whose copy aside failed: the restore stops, the file untouched."""
    if isinstance(exc, storage.StorageFault) and exc.kind not in _WRITE_KINDS:
        return exc   # busy, missing...: its own sentence says what to do
    return backup_mod.BackupError(
        "The current database {db} could not be copied aside into {folder} before the restore ({reason})."
        " Nothing was restored: the database is where it was, whole. Free some space on that disk, or check"
        " the disk or SD card, then run the restore again.", db=str(live), folder=str(folder),
        reason=_write_reason(exc))


def _restore_failed(live: Path, exc: BaseException) -> Exception:
    """The refusal for a restore whose journal or copy in could not be written (nothing was restored)."""
    return backup_mod.BackupError(
        "The restore into {db} failed ({reason}). Nothing was restored: the database is where it was, as it"
        " was. Free some space on that disk, or check the disk or SD card, then run the restore again.",
        db=str(live), reason=_write_reason(exc))


def _desk_writing(live: Path) -> Exception:
    """The refusal for a restore that could not take the live database's write lock within the busy timeout
    (the desk is in the middle of a write, or kept writing): nothing was set aside or restored."""
    return backup_mod.BackupError(
        "The kiosk is writing to {db}: stop the kiosk (systemctl stop kiosk) and run the restore again. Nothing"
        " was restored.", db=str(live))


def _write_lock(live: Path) -> tuple[sqlite3.Connection, int]:
    """A connection holding the live database's write lock (BEGIN IMMEDIATE, waiting the busy timeout for a
    writer to finish) and its data_version under the lock.

    Taken before the copy aside: the copy's snapshot then holds every commit made before it, and nothing can
    commit after it (a sale committed while the restore waited was in neither file, its receipt number issued
    again: outside attack 2). Refuses with :func:`_desk_writing` when the lock cannot be had."""
    from kiosk.core import db as db_mod
    conn = sqlite3.connect(live, timeout=db_mod.busy_timeout_ms() / 1000, isolation_level=None)
    try:
        conn.execute("BEGIN IMMEDIATE")
        return conn, int(conn.execute("PRAGMA data_version").fetchone()[0])
    except sqlite3.OperationalError as exc:
        conn.close()
        if "locked" in str(exc) or "busy" in str(exc):
            raise _desk_writing(live) from exc
        raise (storage.classify(exc, live) or exc) from exc   # read-only, no access...: its own sentence
    except BaseException:
        conn.close()
        raise


def _restored_but(live: Path, file: Path, aside: Path | None, recorded: bool, exc: BaseException) -> Exception:
    """The sentence for a fault after the copy in: the backup's content IS in the database (never "nothing was
    restored", or an operator restores again thinking nothing changed); what did not finish is completed by the
    next open (kiosk.core.context: :func:`recover_interrupted` records it from the journal, moves every series
    past the copy set aside; pending erasures are applied again)."""
    if not recorded:
        return backup_mod.BackupError(
            "The backup {file} is now in {db}, but the restore could not be recorded ({reason}). Do not run the"
            " restore again: check the disk or SD card, then start the kiosk; its next start records the restore"
            " and keeps every number series past the numbers already issued. The previous database is kept at"
            " {aside}.", file=str(file), db=str(live), reason=_write_reason(exc), aside=str(aside or "-"))
    return backup_mod.BackupError(
        "The backup {file} is restored into {db} and recorded, but its last steps did not finish ({reason}): the"
        " erasures it carried over are applied again at the next start of the kiosk. Do not run the restore"
        " again: check the disk or SD card, then start the kiosk. The previous database is kept at {aside}.",
        file=str(file), db=str(live), reason=_write_reason(exc), aside=str(aside or "-"))


def _put_back(live: Path, aside: Path) -> None:
    """A damaged file moved aside for a restore that then failed goes back where it was, with its WAL.

    What the failed copy left at the live path (an empty or rolled-back file, its journal) holds nothing: its
    journal goes first (else it would be rolled back onto the file put back), then the file, then its WAL (a
    kill between leaves the WAL alone in before-restore/, where :func:`_damaged_name` pairs it again)."""
    for suffix in ("-journal", "-wal", "-shm"):
        leftover = Path(f"{live}{suffix}")
        try:
            leftover.unlink()
        except FileNotFoundError:
            continue
        log.warning("removed %s, left by the failed copy of the restore", leftover)
    for suffix in ("", "-wal"):
        there = Path(f"{aside}{suffix}")
        if there.exists():
            os.replace(there, Path(f"{live}{suffix}"))
    Path(f"{aside}-shm").unlink(missing_ok=True)   # an index only: SQLite makes it again from the WAL
    backup_mod.fsync_dir(live.parent)
    log.warning("the restore failed: the damaged database %s is back where it was", live)


def _drop_journal(live: Path) -> None:
    try:
        os.unlink(journal_path(live))
    except FileNotFoundError:
        return
    backup_mod.fsync_dir(Path(live).parent)


def restore(live: str | os.PathLike, file: str | os.PathLike, *, clock: Clock, actor,
            keep_aside: int = KEEP_ASIDE, also: Callable[[Any], None] | None = None) -> tuple[Plan, Path | None]:
    """Restore file over live (after keeping live aside); returns the plan and where the old file went.

    The erasure ledger of the replaced file is carried in and ``also(database)`` (the caller's own records)
    runs in the transaction that records the restore; the carried erasures are then applied again."""
    from kiosk.core import db as db_mod
    from kiosk.core import erasure_ledger, settings
    from kiosk.core.audit import SYSTEM
    # An earlier restore killed before its record (no start in between): recorded first, or its numbers and
    # erasures would be lost with its journal (outside attack, issue 19: receipt numbers twice, erased back).
    earlier = _resolve_earlier(Path(live), clock)
    the_plan = plan(live, file)
    live = the_plan.live
    carried = erasure_ledger.read(live) if the_plan.live_readable else erasure_ledger.Carried()
    for each in earlier:
        carried = _merged(carried, erasure_ledger.read(each))
    aside_dir = live.parent / ASIDE
    aside: Path | None = None
    swept: list[Path] = []
    verified_aside: Path | None = None   # a verified copy of the replaced file (the re-erasure reads it)
    moved = False   # the live file moved aside as it is (damaged): put back if the restore fails before its copy
    lock: sqlite3.Connection | None = None   # holds the live file's write lock from before the copy aside
    version = 0                               # its data_version under the lock (a commit since changes it)
    try:
        if the_plan.live_exists and not _holds_nothing(live):   # an empty file holds nothing: never "the original"
            try:
                aside_dir.mkdir(mode=0o700, exist_ok=True)
                os.chmod(aside_dir, 0o700)  # an older folder made 0755 is tightened too
            except OSError as exc:   # a file named before-restore, a read-only data folder: said, nothing touched
                if aside_dir.exists() and not aside_dir.is_dir():
                    raise backup_mod.BackupError(
                        "{folder} is a file, not a folder: the current database {db} cannot be kept aside there"
                        " before the restore. Nothing was restored: the database is where it was, whole. Move or"
                        " rename that file, then run the restore again.", folder=str(aside_dir), db=str(live)
                    ) from exc
                raise _aside_failed(live, aside_dir, exc) from exc
            # An earlier restore killed while it set the file aside left a partial copy as big as the database:
            # gone first, or it may leave no room for this copy (audited with the restore's record).
            swept = sweep(live)
            if the_plan.live_readable:
                lock, version = _write_lock(live)   # the desk's open sale commits first, into the copy aside
                try:
                    aside = backup_mod.make_backup(live, aside_dir, clock=clock, policy=None, owner=live.name,
                                                   progress=lambda _f, step: _fault(f"aside-{step}")).backup.path
                    verified_aside = aside
                except (backup_mod.BackupError, storage.StorageFault, sqlite3.Error, OSError) as exc:
                    # Only a file found damaged now is moved aside as it is. A sound one whose copy failed (a full or
                    # failing disk, a file size limit) stays where it is, untouched: moving it aside as "damaged"
                    # left an empty file at the live path when the copy in failed too (outside tester, issue 19).
                    if _sound(live):
                        raise _aside_failed(live, aside_dir, exc) from exc
                    log.warning("the current database is damaged (it could not be copied aside verified): moved"
                                " aside as it is")
                    aside = None
                    lock.close()   # a damaged file is moved, not locked
                    lock = None
            if aside is None:
                aside = _damaged_name(live, aside_dir, clock)
                # The WAL first, the file last: a kill between leaves the file (damaged, retried) and never its WAL
                # beside no file, where the restored file would take it over and its last records be lost.
                for suffix in ("-wal", "-shm", ""):
                    here, there = Path(f"{live}{suffix}"), Path(f"{aside}{suffix}")
                    if not here.exists():
                        continue
                    if suffix and there.exists() and (suffix == "-shm" or here.stat().st_size == 0):
                        here.unlink()   # an empty WAL or an index a reader made since: never over the pair's own
                    else:
                        os.replace(here, there)
                    moved = True
                    _fault("damaged-moving")
                backup_mod.fsync_dir(aside_dir)
        try:
            _fault("aside-made")
        except OSError as exc:
            if moved:
                _put_back(live, aside)
            raise _restore_failed(live, exc) from exc
        started = clock.now()
        # Never a receipt number twice: every series continues after the highest number issued, in the file
        # set aside (taken under the write lock: every number issued before the restore) or in the plan.
        issued = _issued(([aside] if aside is not None else []) + earlier)
        for name, (_, last) in the_plan.advanced.items():
            issued[name] = max(issued.get(name, 0), last)
        try:
            try:
                # before the copy: a kill from here on leaves a trace
                _write_journal(live, the_plan, aside, started, earlier)
            except OSError as exc:
                raise (storage.classify(exc, journal_path(live)) or exc) from exc
            _fault("journal-written")
            src = sqlite3.connect(storage.sqlite_uri(the_plan.file), uri=True)
            try:
                db_mod.make_private(live)
                dst = sqlite3.connect(live, timeout=db_mod.busy_timeout_ms() / 1000, isolation_level=None)
                try:
                    # The series moved past every number issued *in the copied pages*: the copy in's own commit
                    # carries them, so a desk waiting on the lock never issues a number of the restored series.
                    stage = _staged(src, issued)
                    try:
                        _copy_in(stage or src, dst, lock, version, live)
                    finally:
                        if stage is not None:
                            stage.close()
                    lock = None   # released by _copy_in once the copy in held the write lock itself
                    dst.execute("PRAGMA journal_mode=WAL")
                    problems = [r[0] for r in dst.execute("PRAGMA integrity_check")]
                    if problems != ["ok"]:   # SQLite's own English goes to the log, the sentence says what it means
                        log.warning("the restored database %s did not verify: %s", live, "; ".join(problems[:5]))
                        raise backup_mod.BackupError("The restored database did not verify ({problem}); the old one"
                                                     " is kept at {aside}.",
                                                     problem=backup_mod.problem_reason("integrity"), aside=str(aside))
                finally:
                    dst.close()
            except (sqlite3.Error, OSError, backup_mod.BackupError) as exc:
                _drop_journal(live)   # the copy is one transaction: it failed whole, the old content is there; said now
                if isinstance(exc, backup_mod.BackupError):
                    raise
                raise (storage.classify(exc, live) or exc) from exc
            finally:
                src.close()
        except (sqlite3.Error, OSError, storage.StorageFault) as exc:
            if moved:   # the damaged file goes back where it was: never an empty or half-copied file there instead
                _put_back(live, aside)
            fault = storage.classify(exc)
            if fault is not None and fault.kind in _WRITE_KINDS:
                raise _restore_failed(live, fault) from exc
            raise
    finally:
        if lock is not None:
            lock.close()   # rolls back: nothing was written through it
    recorded = False
    try:
        _fault("copied")
        database = db_mod.connect(live, create=False)  # migrates a backup from an older version
        try:
            with db_mod.write(database):
                audit_swept(database, clock, actor, swept)
                for name, last in sorted(issued.items()):
                    database.execute("INSERT INTO series (name, last) VALUES (?, ?) ON CONFLICT(name) DO UPDATE"
                                     " SET last = MAX(last, excluded.last)", (name, last))
                if erasure_ledger.carry(database, clock, carried) and verified_aside is not None:  # with the record
                    # the re-erasure skips the texts this copy holds unchanged, after a kill too
                    settings.put(database, clock, SYSTEM, erasure_ledger.BEFORE, str(verified_aside))
                if also is not None:
                    also(database)
                for each in ([aside] if aside is not None else []) + earlier:   # the proof of every erasure stays
                    erasure_ledger.carry_missing_records(database, each)
                backup_mod.record(database, clock, actor, kind="restore", started=started, outcome="ok",
                                  file=str(the_plan.file), destination=str(aside or ""), size=the_plan.backup.bytes,
                                  sha256=the_plan.backup.sha256, schema_version=the_plan.backup.schema_version,
                                  rows=the_plan.backup.rows)  # with the series: one transaction
            recorded = True
            _fault("recorded")
            _drop_journal(live)   # only now: the record is committed
            _fault("journal-dropped")
            reapply_pending(database, clock, before=verified_aside)
            _fault("reapplied")
            if aside is not None:
                rotate_aside(database, aside_dir, clock, actor, keep=keep_aside, live=live)
        finally:
            database.close()
    except (sqlite3.Error, OSError, storage.StorageFault) as exc:
        # The backup's content is in the file: said so (the journal, still there unless recorded, lets the next
        # open finish the record), never "nothing was restored".
        raise _restored_but(live, the_plan.file, aside, recorded, exc) from exc
    return the_plan, aside


def _copy_in(src: sqlite3.Connection, dst: sqlite3.Connection, lock: sqlite3.Connection | None, version: int,
             live: Path) -> None:
    """The backup's pages into the live file: one transaction in its journal (WAL).

    SQLite's backup API needs the destination's write lock, which ``lock`` holds (from before the copy aside):
    it is released just before the copy, and as soon as the copy's first step holds the lock itself, ``lock``'s
    data_version tells whether another connection committed in between. If one did (the desk's waiting sale),
    the copy is abandoned whole (its transaction rolled back) and the restore refused: that sale is in neither
    the copy set aside nor the backup. Steps are small so the first one never is the whole copy (its commit)."""
    if lock is not None:
        lock.execute("ROLLBACK")
    checked = lock is None

    def step(status: int, remaining: int, _total: int) -> None:
        nonlocal checked
        if not checked and status == sqlite3.SQLITE_OK:
            checked = True
            if int(lock.execute("PRAGMA data_version").fetchone()[0]) != version:
                raise _desk_writing(live)
        if remaining:
            _fault("copying")
    try:
        src.backup(dst, pages=16 if os.environ.get(FAULT_ENV) else 64, progress=step)
    finally:
        if lock is not None:
            lock.close()
    if not checked:   # the whole copy in one step (a backup of a few pages): checked after it, said loudly
        log.warning("the restore into %s was one step: a commit racing it could not be ruled out", live)


def _staged(src: sqlite3.Connection, issued: dict[str, int]) -> sqlite3.Connection | None:
    """The backup copied into memory with every series moved past the numbers issued before the restore (the copy
    set aside's, the plan's), or None when the backup's series already are (or it has none: an older schema, whose
    migration and the record's transaction move them). The backup file itself is never written."""
    if not issued:
        return None
    try:
        have = {str(n): int(v) for n, v in src.execute("SELECT name, last FROM series")}
    except (sqlite3.Error, ValueError, TypeError):
        return None
    if all(have.get(name, 0) >= last for name, last in issued.items()):
        return None
    stage = sqlite3.connect(":memory:", isolation_level=None)
    try:
        src.backup(stage)   # an in-memory destination takes the backup's page size: the copy in is page for page
        stage.execute("BEGIN")
        for name, last in sorted(issued.items()):
            stage.execute("INSERT INTO series (name, last) VALUES (?, ?) ON CONFLICT(name) DO UPDATE SET"
                          " last = MAX(last, excluded.last)", (name, last))
        stage.execute("COMMIT")
    except BaseException:
        stage.close()
        raise
    return stage


def reapply_pending(database, clock: Clock, *, before: Path | None = None) -> None:
    """The carried erasures applied again; a failure (a full disk) leaves them pending for the next open.
    ``before``: the verified copy of the replaced file (kiosk.core.erasure_reapply skips its unchanged texts)."""
    from kiosk.core import erasure_ledger, erasure_reapply
    if not erasure_ledger.pending(database):
        return
    try:
        erasure_reapply.reapply(database, clock, before=before)
    except (sqlite3.Error, OSError) as exc:
        log.error("the erasures carried by the restore could not be applied yet (retried at the next start): %s",
                  exc)


class RestoreInterrupted(backup_mod.BackupError):
    """A restore was killed between its page copy and its record (found on the next start)."""


def recover_interrupted(database, live: str | os.PathLike, clock: Clock) -> RestoreInterrupted | None:
    """Record a restore that was killed before its record (its journal is still there); None when none was.

    Called on every writable open (kiosk.core.context). If the journal's restore was in fact recorded
    (killed between the commit and the journal's removal) the journal is only removed."""
    from kiosk.core import db as db_mod
    from kiosk.core.audit import SYSTEM
    path = journal_path(live)
    if str(live) == ":memory:":
        return None
    # What a killed restore left (a partial copy as big as the database, a half-written journal): removed, audited
    # (never by a read-only open: it could not say so).
    if not db_mod.is_read_only(database):
        audit_swept(database, clock, SYSTEM, sweep(Path(live)))
    if not path.exists():
        return None
    try:
        data = json.loads(path.read_text("utf-8"))
        if not isinstance(data, dict):
            raise ValueError("not an object")
    except (OSError, ValueError):
        data = {}
    file, aside = str(data.get("file") or "?"), str(data.get("aside") or "")
    try:
        started = datetime.fromisoformat(str(data["started_at"]))
    except (KeyError, ValueError, TypeError):
        started = clock.now()
    from kiosk.core.clock import utc_iso

    def recorded() -> bool:
        # Its own record (killed after the commit, before the journal went), or this very journal's
        # interruption already recorded by another thread's first open (each thread opens its own connection).
        return database.execute("SELECT 1 FROM backups WHERE kind = 'restore' AND file = ? AND started_at >= ?",
                                (file, utc_iso(started))).fetchone() is not None
    if recorded():
        _drop_journal(Path(live))
        return None
    counts = data.get("counts") if isinstance(data.get("counts"), dict) else {}
    now_counts = backup_mod.table_counts(database.conn)
    compared = [t for t in counts if t not in _WRITTEN_ON_OPEN]
    restored = bool(compared) and all(now_counts.get(t) == counts[t] for t in compared)
    msgid = ("The restore from {file} started {when} was interrupted before it was recorded: the database now"
             " holds that backup's records. Check the day's records; the file set aside is {aside}." if restored else
             "The restore from {file} started {when} was interrupted before it was recorded: the database still"
             " holds its records from before the restore. Run the restore again if it is still wanted.")
    problem = RestoreInterrupted(msgid, file=file, when=started.astimezone(timezone.utc).strftime("%Y-%m-%d %H:%M UTC"),
                                 aside=aside or "-")
    asides = _journal_asides(path)
    issued = _issued(asides)
    with db_mod.write(database):
        if recorded():      # checked again under the write lock
            _drop_journal(Path(live))
            return None
        for name, last in sorted(issued.items()):     # never a receipt number twice, as after a whole restore
            database.execute("INSERT INTO series (name, last) VALUES (?, ?) ON CONFLICT(name) DO UPDATE SET"
                             " last = MAX(last, excluded.last)", (name, last))
        # The file set aside may hold erasures the backup predates: carried, applied again on this open.
        from kiosk.core import erasure_ledger
        for each in asides:
            erasure_ledger.carry(database, clock, erasure_ledger.read(each))
            # and the proof the erasures were asked and done (the restore's own record carries it: killed)
            erasure_ledger.carry_missing_records(database, each)
        backup_mod.record(database, clock, SYSTEM, kind="restore", started=min(started, clock.now()),
                          outcome="failed", file=file, destination=aside, sha256=str(data.get("sha256") or ""),
                          reason=problem)
    _fault("recovered")
    _drop_journal(Path(live))
    log.error("%s", problem)
    return problem


def _unreached(copy: backup_mod.Backup, erasures: list[str]) -> bool:
    """Whether an erasure made after this copy's snapshot has not reached it (it may still hold the person)."""
    try:
        meta = json.loads(Path(f"{copy.path}.json").read_text("utf-8"))
        erased_at = str(meta.get("erased_at") or "")
    except (OSError, ValueError):
        erased_at = ""
    from kiosk.core.clock import utc_iso
    taken = utc_iso(copy.taken_at)
    return any(at > taken and erased_at < at for at in erasures)


def _live_of(database) -> Path | None:
    """The file the connection is open on (None: in memory)."""
    try:
        for _seq, name, file in database.execute("PRAGMA database_list"):
            if name == "main" and file:
                return Path(file)
    except sqlite3.Error:
        pass
    return None


def copy_of(copy: backup_mod.Backup, live: Path) -> bool:
    """Whether a before-restore copy is this database's: named after its file (``kiosk.db--kiosk-...``), or an
    older copy without that name whose sidecar names this database's file as its source."""
    if copy.owner:
        return copy.owner == live.name
    try:
        source = json.loads(Path(f"{copy.path}.json").read_text("utf-8")).get("source")
    except (OSError, ValueError, AttributeError):
        return False   # whose it is cannot be told: never counted, never removed
    return isinstance(source, str) and bool(source) and Path(source).name == live.name


def _named_by_journals(folder: Path) -> set[Path]:
    """The copies every unresolved journal in the data folder names (an interrupted restore still needs them)."""
    named: set[Path] = set()
    try:
        journals = [p for p in folder.parent.iterdir() if p.name.endswith(JOURNAL_SUFFIX)]
    except OSError:
        return named
    for journal in journals:
        named |= {Path(os.path.abspath(p)) for p in _journal_asides(journal)}
    return named


def rotate_aside(database, folder: Path, clock: Clock, actor, *, keep: int = KEEP_ASIDE,
                 live: str | os.PathLike | None = None) -> list[Path]:
    """Keep the ``keep`` newest copies of this database (``live``, default the connection's file) in
    before-restore/ (and every one an erasure has not reached, and every one an unresolved journal names);
    remove the rest of its copies with their sidecars, each removal audited. Another database sharing the data
    folder keeps all of its own. Returns what was removed."""
    from kiosk.core import audit
    from kiosk.core.db import write
    live = Path(live) if live is not None else _live_of(database)
    # a killed restore's partial copy is no copy: not kept, not counted (removed, audited)
    swept = sweep(live) if live is not None else backup_mod.sweep_partials(folder)
    audit_swept(database, clock, actor, swept)
    if live is None:
        return swept
    named = _named_by_journals(folder)
    copies = [c for c in backup_mod.backups(folder) if copy_of(c, live)]
    if len(copies) <= keep:
        return swept
    # The erasures: this database's (carried ones keep their time) and the copy just set aside's (the live
    # file before the restore: its erasure records are carried into the restored one only afterwards).
    query = "SELECT at FROM audit WHERE action IN ('privacy.erase', 'privacy.erase_carried')"
    try:
        erasures = [r[0] for r in database.execute(query)]
        newest = copies[0].path
        conn = sqlite3.connect(storage.sqlite_uri(newest), uri=True)
        try:
            erasures += [r[0] for r in conn.execute(query)]
        finally:
            conn.close()
    except sqlite3.Error:
        return swept   # without the erasure record no copy can be shown safe to remove
    removed: list[Path] = swept
    for copy in copies[keep:]:
        if Path(os.path.abspath(copy.path)) in named:
            log.warning("before-restore copy %s kept: an interrupted restore's journal names it", copy.path)
            continue
        if _unreached(copy, erasures):
            log.warning("before-restore copy %s kept: an erasure has not reached it", copy.path)
            continue
        for victim in (Path(f"{copy.path}.json"), copy.path):   # sidecar first: a file alone is not a backup
            try:
                os.unlink(victim)
            except FileNotFoundError:
                pass
            _fault("rotating")
        backup_mod.fsync_dir(folder)
        with write(database):
            audit.record(database, clock, actor, "database.before_restore_removed", "backups", None,
                         before={"file": str(copy.path), "taken_at": copy.taken_at.isoformat()},
                         after={"kept": keep})
        removed.append(copy.path)
    return removed
