"""Carry one person's erasure into every backup the kiosk keeps.

A backup is a whole database: the person's rows are in it as they were. For each backup file found
(the configured backup folder, ``before-restore/`` beside the database, and every folder a good backup
was recorded to) this opens a private copy, applies the same erasure through the same inventory
(:func:`kiosk.core.erasure.find` and :func:`~kiosk.core.erasure.blank_found`, no audit row so the row
counts stay those of the sidecar), merges the full-text index, VACUUMs (``secure_delete``), then checks
the copy again: ``integrity_check``, the sidecar's row counts and schema version, the person not found
by ``find``, and a raw byte scan (UTF-8 and UTF-16) finding none of their texts.

Replacing a backup never leaves a broken one (a power cut at any moment leaves the old copy, the new
copy, or both): the erased copy is written under a hidden partial name (which backup rotation removes
when its process is gone), gets its own sidecar and a *new* backup name — the snapshot's time plus the
first free millisecond — then the old file and its sidecar are removed. A listing only ever sees whole
pairs: a sidecar without its file, or a file without its sidecar, is not a backup (kiosk.core.backup).

A recorded folder that is not there now (a USB stick not plugged in, a share not mounted) cannot be
opened: its recorded backups are listed as still holding the person, for the manager to plug in and
run the erasure again (it finds the person in the backups even when the live database no longer does).
"""
from __future__ import annotations

import json
import os
import shutil
import sqlite3
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path
from typing import Callable

import sqlite_utils

from kiosk.core import backup as backup_mod
from kiosk.core import erasure, renames, storage
from kiosk.core.audit import SYSTEM, Actor
from kiosk.core.clock import Clock, utc_iso
from kiosk.core.paths import file_sha256
from kiosk.privacy import scan

# What happened to one backup file.
ERASED = "erased"            # the person was in it; replaced by an erased, verified copy
CLEAN = "clean"              # nothing of the person in it
NOT_REACHABLE = "not_reachable"  # its folder is not there now: it still holds the person, as far as we know
FAILED = "failed"            # could not be erased (damaged, older schema, a check failed): kept as it was


@dataclass
class CopyOutcome:
    """One backup file and what the erasure did with it (``path`` the new name when replaced)."""

    path: Path
    outcome: str
    rows: dict[str, int] = field(default_factory=dict)
    reason: str = ""
    replaced: Path | None = None   # the old file's name, when it was replaced


def backup_folders(db: sqlite_utils.Database, db_path: Path, configured: str) -> list[Path]:
    """Every folder that may hold this kiosk's backups: the configured one, ``before-restore/`` beside the
    database, and every folder a good backup was recorded to (the backups record table)."""
    from kiosk.core import restore as restore_mod
    folders = [configured, str(Path(db_path).parent / restore_mod.ASIDE)] if configured else \
        [str(Path(db_path).parent / restore_mod.ASIDE)]
    try:
        folders += [r[0] for r in db.execute("SELECT DISTINCT destination FROM backups WHERE kind = 'backup'"
                                             " AND outcome = 'ok' AND destination != ''")]
    except sqlite3.Error:  # a database from before the backups table: the known folders only
        pass
    return [Path(f) for f in dict.fromkeys(os.path.abspath(f) for f in folders if f)]


def recorded_files(db: sqlite_utils.Database, folder: Path) -> list[str]:
    """Backup files recorded as made into ``folder`` (for a folder that cannot be opened now)."""
    try:
        rows = db.execute("SELECT file FROM backups WHERE kind = 'backup' AND outcome = 'ok' AND destination IN (?, ?)"
                          " ORDER BY id", (str(folder), os.path.abspath(folder))).fetchall()
    except sqlite3.Error:
        return []
    # each under the name it has now (an erasure renames the copies it rewrites: kiosk.core.renames)
    return list(dict.fromkeys(str(renames.current_name(db, r[0])) for r in rows if r[0]))


def _open(path: Path, *, read_only: bool) -> sqlite_utils.Database:
    if read_only:
        conn = sqlite3.connect(storage.sqlite_uri(path), uri=True)
    else:
        conn = sqlite3.connect(str(path), isolation_level=None)
        conn.execute("PRAGMA secure_delete=ON")   # blanked values and freed pages are zeroed on disk
        conn.execute("PRAGMA journal_mode=DELETE")  # a backup stays one file (no -wal/-shm on a stick)
    return sqlite_utils.Database(conn)


def _texts(found: erasure.Found, person: erasure.Person) -> list[str]:
    """The texts a raw scan looks for: what find searched (the person and what their own rows said)."""
    needles = found.needles.raw if found.needles is not None else erasure.Needles.of([person]).raw
    return [t for t in needles if len(t) >= erasure.MIN_TEXT]


def look(path: Path, person: erasure.Person) -> tuple[erasure.Found | None, list[str], str]:
    """What of the person a backup file holds: (found rows, texts to scan for, problem). Read only."""
    try:
        db = _open(path, read_only=True)
    except sqlite3.Error as exc:
        return None, [], f"unreadable: {exc}"
    try:
        found = erasure.find(db, person)
        return found, _texts(found, person), ""
    except sqlite3.Error as exc:
        return None, [], f"unreadable: {exc}"
    finally:
        db.close()


def _is_index(table: str) -> bool:
    """A full-text index's own tables: merging the index (which drops the erased words' old segments)
    changes how many rows they hold; every record and state table must keep its count."""
    return table == "visits_fts" or table.startswith("visits_fts_")


def _counts(path: Path) -> dict[str, int]:
    conn = sqlite3.connect(storage.sqlite_uri(path), uri=True)
    try:
        return backup_mod.table_counts(conn)
    finally:
        conn.close()


def _kept(found: erasure.Found) -> bool:
    """Whether the person is in a table an erasure keeps (the deny list: lifted by a manager, never erased)."""
    return any(table in erasure.KEPT_TABLES for table in found.tables())


def _erasable(found: erasure.Found) -> bool:
    return any(table not in erasure.KEPT_TABLES for table in found.tables())


def _free_name(folder: Path, old: backup_mod.Backup) -> Path:
    """The erased copy's name: the same kiosk and snapshot time, the first free millisecond after it (a
    name is never reused, so the old and new copies can both exist for a moment)."""
    moment = old.taken_at
    while True:
        moment += timedelta(milliseconds=1)
        stamp = f"{moment.strftime(backup_mod.STAMP)}{moment.microsecond // 1000:03d}Z"
        prefix = "kiosk-" if backup_mod.NAME.match(old.path.name).group("site") is None else \
            f"kiosk-{backup_mod.name_id(old.site_id)}-{backup_mod.name_id(old.terminal_id)}-"
        if old.owner:   # a before-restore copy keeps its database's name (its rotation counts it)
            prefix = f"{old.owner}{backup_mod.OWNER_SEP}{prefix}"
        name = folder / f"{prefix}{stamp}.db"
        if not name.exists() and not Path(f"{name}.json").exists():
            return name


def _private_file(path: Path) -> None:
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    try:
        os.fchmod(fd, 0o600)
    except OSError:  # a FAT or exFAT stick takes no modes (its mount's umask=0077 keeps it private)
        pass
    finally:
        os.close(fd)


def _fsync(path: Path, *, folder: bool = False) -> None:
    if folder:
        backup_mod.fsync_dir(path)
        return
    try:
        backup_mod.fsync_file(path)
    except OSError:
        pass


def _partial(final: Path) -> Path:
    # The backup module's partial pattern (.<name>.<pid>-<token>.partial): its rotation leaves a run it
    # does not know alone while it writes and removes a killed one's leftovers (and -journal) once idle.
    return final.parent / f".{final.name}.{backup_mod.run_token()}.partial"


def _remove(path: Path) -> None:
    try:
        path.unlink()
    except OSError:
        pass


def erase_backup(old: backup_mod.Backup, person: erasure.Person, clock: Clock,
                 before_switch: Callable[[Path, Path], None] | None = None) -> CopyOutcome:
    """Erase the person from one backup, replacing it by a verified erased copy (see the module).

    ``before_switch(old, new)`` runs once the erased copy is verified and before any file moves: the
    caller records the rename there (kiosk.core.renames), so a kill mid-rename leaves the record."""
    if file_sha256(old.path) != old.sha256:
        return CopyOutcome(old.path, FAILED, reason="its digest does not match its record (damaged): not changed")
    found, texts, problem = look(old.path, person)
    if found is None:
        return CopyOutcome(old.path, FAILED, reason=problem)
    kept = _kept(found)
    if not _erasable(found) and (kept or not scan.holds(old.path, texts)):
        return CopyOutcome(old.path, CLEAN)
    final = _free_name(old.path.parent, old)
    partial = _partial(final)
    side_partial = _partial(Path(f"{final}.json"))
    try:
        _private_file(partial)
        shutil.copyfile(old.path, partial)
        db = _open(partial, read_only=False)
        try:
            if "privacy_erasing" not in db.table_names():
                return CopyOutcome(old.path, FAILED, reason="a backup from before erasure existed: restore it to"
                                   " a spare database and erase there")
            found = erasure.find(db, person)
            with erasure.erasing(db):
                rows = erasure.blank_found(db, found, utc_iso(clock.now()))
            if "visits_fts" in db.table_names():
                db.execute("INSERT INTO visits_fts(visits_fts) VALUES ('optimize')")
            db.execute("VACUUM")
            still = erasure.find(db, person)
        finally:
            db.close()
        problems = backup_mod.verify_file(partial, version=old.schema_version)
        counts = _counts(partial)
        for table in sorted(set(counts) | set(old.counts)):
            if not _is_index(table) and counts.get(table) != old.counts.get(table):
                problems.append(f"{table}: {counts.get(table)} rows, expected {old.counts.get(table)}")
        if _erasable(still):
            problems.append("the person is still found in the copy")
        if not kept and scan.holds(partial, texts):  # a kept deny-list entry holds their words on purpose
            problems.append("the person's words are still in the copy's bytes")
        if problems:
            return CopyOutcome(old.path, FAILED, reason="; ".join(problems[:3]))
        _switch(old, partial, side_partial, final, counts, before_switch,
                erased_at=utc_iso(clock.now()), erased_from=old.path.name, erasures=_meta(old).get("erasures", 0) + 1)
        return CopyOutcome(final, ERASED, rows, replaced=old.path)
    except (sqlite3.Error, OSError, ValueError) as exc:
        return CopyOutcome(old.path, FAILED, reason=f"{type(exc).__name__}: {exc}")
    finally:
        for leftover in (partial, side_partial, Path(f"{partial}-journal")):
            _remove(leftover)


def _meta(old: backup_mod.Backup) -> dict:
    return json.loads(Path(f"{old.path}.json").read_text("utf-8"))


def _switch(old: backup_mod.Backup, partial: Path, side_partial: Path, final: Path, counts: dict,
            before_switch: Callable[[Path, Path], None] | None, **marks) -> None:
    """Put a verified rewritten copy in the old one's place under its new name (see the module)."""
    _fsync(partial)
    meta = _meta(old)
    meta.update(sha256=file_sha256(partial), bytes=partial.stat().st_size, counts=counts, **marks)
    _private_file(side_partial)
    with open(side_partial, "w", encoding="utf-8") as handle:
        json.dump(meta, handle, sort_keys=True)
        handle.flush()
        os.fsync(handle.fileno())
    if before_switch is not None:
        before_switch(old.path, final)
    # Order matters for a power cut: the sidecar first (alone it is no backup), then the file (now
    # old and new are both whole backups), then the old file, then its sidecar.
    os.replace(side_partial, f"{final}.json")
    _fsync(final.parent, folder=True)
    os.replace(partial, final)
    _fsync(final.parent, folder=True)
    old.path.unlink()
    _fsync(final.parent, folder=True)
    _remove(Path(f"{old.path}.json"))
    _fsync(final.parent, folder=True)


# What the retention pass did with one backup file (beside CLEAN, NOT_REACHABLE and FAILED above).
RETAINED = "retained"   # held data past its period: replaced by a verified copy without it
DELETED = "deleted"     # held data past its period and could not be rewritten: deleted (backups may be)


def _due(path: Path, clock: Clock, days: dict[str, int]) -> tuple[int | None, str]:
    """How many rows of this backup hold data past its period (None: it cannot be read, and why)."""
    try:
        db = _open(path, read_only=True)
    except sqlite3.Error as exc:
        return None, f"unreadable: {exc}"
    try:
        return sum(len(ids) for _, ids in erasure.retention_due(db, clock, days)), ""
    except sqlite3.Error as exc:
        return None, f"unreadable: {exc}"
    finally:
        db.close()


def retain_backup(old: backup_mod.Backup, clock: Clock, days: dict[str, int],
                  before_switch: Callable[[Path, Path], None] | None = None) -> CopyOutcome:
    """Bring one backup to the retention periods: a copy with everything past its period blanked (the same
    inventory as the live job), verified like an erased copy (integrity, schema, the same row counts,
    nothing past its period left), put in place under a new name. A backup that holds data past its
    period but cannot be rewritten (damaged, unreadable, from before erasure existed) is deleted: the
    privacy rules allow deleting a backup, never keeping one past the period. A failure of the disk
    while rewriting (no room) keeps it and reports FAILED, for the next pass."""
    due, problem = _due(old.path, clock, days)
    if due == 0:
        return CopyOutcome(old.path, CLEAN)
    if due is None or file_sha256(old.path) != old.sha256:
        problem = problem or "its digest does not match its record (damaged)"
        # What cannot be read cannot be shown to hold old data: deleted only once the snapshot itself is
        # older than the shortest period (then everything personal in it is past its period).
        if old.taken_at < clock.now() - timedelta(days=min(days.values())):
            return _delete(old, problem)
        return CopyOutcome(old.path, FAILED, reason=problem)
    final = _free_name(old.path.parent, old)
    partial = _partial(final)
    side_partial = _partial(Path(f"{final}.json"))
    try:
        _private_file(partial)
        shutil.copyfile(old.path, partial)
        db = _open(partial, read_only=False)
        try:
            if "privacy_erasing" not in db.table_names():
                db.close()
                return _delete(old, "a backup from before erasure existed: its old data cannot be blanked")
            rows = erasure.retention_blank(db, clock, erasure.retention_due(db, clock, days))
            if "visits_fts" in db.table_names():
                db.execute("INSERT INTO visits_fts(visits_fts) VALUES ('optimize')")
            db.execute("VACUUM")
            left = sum(len(ids) for _, ids in erasure.retention_due(db, clock, days))
        finally:
            db.close()
        problems = backup_mod.verify_file(partial, version=old.schema_version)
        counts = _counts(partial)
        for table in sorted(set(counts) | set(old.counts)):
            if not _is_index(table) and counts.get(table) != old.counts.get(table):
                problems.append(f"{table}: {counts.get(table)} rows, expected {old.counts.get(table)}")
        if left:
            problems.append(f"{left} rows still hold data past their period")
        if problems:
            return _delete(old, "; ".join(problems[:3]))
        # retention is not an erasure: restore_guard's erased_at is left as it was
        _switch(old, partial, side_partial, final, counts, before_switch,
                retained_at=utc_iso(clock.now()), retained_from=old.path.name)
        return CopyOutcome(final, RETAINED, rows, replaced=old.path)
    except OSError as exc:
        return CopyOutcome(old.path, FAILED, reason=f"{type(exc).__name__}: {exc}")
    except (sqlite3.Error, ValueError) as exc:
        return _delete(old, f"{type(exc).__name__}: {exc}")
    finally:
        for leftover in (partial, side_partial, Path(f"{partial}-journal")):
            _remove(leftover)


def _delete(old: backup_mod.Backup, reason: str) -> CopyOutcome:
    """Delete a backup that holds data past its period and cannot be rewritten: the sidecar first (a file
    alone is no backup), then the file."""
    try:
        for victim in (Path(f"{old.path}.json"), old.path):
            _remove(victim)
        _fsync(old.path.parent, folder=True)
    except OSError as exc:  # pragma: no cover - the folder vanished between the listing and now
        return CopyOutcome(old.path, FAILED, reason=f"{reason}; not deleted: {exc}")
    if old.path.exists():
        return CopyOutcome(old.path, FAILED, reason=f"{reason}; could not be deleted")
    return CopyOutcome(old.path, DELETED, reason=reason)


def retention_everywhere(db: sqlite_utils.Database, db_path: Path, configured: str, clock: Clock, *,
                         actor: Actor = SYSTEM) -> list[CopyOutcome]:
    """Every backup of every folder brought to the live desk's retention periods (retain_backup); a
    recorded folder not there now lists its files as NOT_REACHABLE (they may hold old data: the manager
    is told to plug the stick in). Audited in the live database as ``privacy.backup_retention``."""
    from kiosk.core import audit, settings
    from kiosk.core.db import write
    keys = {p.retention for p in erasure.personal_columns() if p.retention} | {"complaint_retention_days"}
    days = {key: int(settings.get(db, key)) for key in keys}
    out: list[CopyOutcome] = []
    for folder in backup_folders(db, db_path, configured):
        if not folder.is_dir():
            out += [CopyOutcome(Path(f), NOT_REACHABLE, reason="its folder is not there (USB stick or share not"
                                " connected)") for f in recorded_files(db, folder)]
            continue
        _orphan_sidecars(folder)
        for found_backup in backup_mod.backups(folder):
            out.append(retain_backup(found_backup, clock, days,
                                     lambda old, new: renames.record(db, clock, actor, old, new, reason="retention")))
    if any(o.outcome != CLEAN for o in out):
        with write(db):
            audit.record(db, clock, actor, "privacy.backup_retention", None, None, None, {
                "retained": [f"{o.replaced} -> {o.path.name}" for o in out if o.outcome == RETAINED],
                "deleted": [f"{o.path}: {o.reason}" for o in out if o.outcome == DELETED],
                "failed": [f"{o.path}: {o.reason}" for o in out if o.outcome == FAILED],
                "not_reachable": [str(o.path) for o in out if o.outcome == NOT_REACHABLE],
                "clean": sum(1 for o in out if o.outcome == CLEAN)})
    return out


def _orphan_sidecars(folder: Path) -> None:
    """A sidecar whose backup file is gone (a power cut between removing an old copy and its sidecar) is
    no backup and holds no person: removed so the folder says only what it has."""
    try:
        entries = list(folder.iterdir())
    except OSError:
        return
    for entry in entries:
        name = entry.name
        if name.endswith(".db.json") and backup_mod.NAME.match(name[:-5]) and not (folder / name[:-5]).exists():
            _remove(entry)


def erase_everywhere(db: sqlite_utils.Database, db_path: Path, configured: str, person: erasure.Person,
                     clock: Clock, *, dry_run: bool = False, actor: Actor = SYSTEM) -> list[CopyOutcome]:
    """Every backup file of every folder: erased (or, ``dry_run``, only looked at: ERASED then means
    "holds the person"), with each unreachable folder's recorded files listed as NOT_REACHABLE."""
    out: list[CopyOutcome] = []
    for folder in backup_folders(db, db_path, configured):
        if not folder.is_dir():
            out += [CopyOutcome(Path(f), NOT_REACHABLE, reason="its folder is not there (USB stick or share not"
                                " connected)") for f in recorded_files(db, folder)]
            continue
        if not dry_run:
            _orphan_sidecars(folder)
        for found_backup in backup_mod.backups(folder):
            if dry_run:
                found, texts, problem = look(found_backup.path, person)
                if found is None:
                    out.append(CopyOutcome(found_backup.path, FAILED, reason=problem))
                elif _erasable(found) or (not _kept(found) and scan.holds(found_backup.path, texts)):
                    out.append(CopyOutcome(found_backup.path, ERASED, found.tables()))
                else:
                    out.append(CopyOutcome(found_backup.path, CLEAN))
                continue
            out.append(erase_backup(found_backup, person, clock,
                                    lambda old, new: renames.record(db, clock, actor, old, new)))
    return out


def texts_found(db_path_list: list[Path], person: erasure.Person) -> list[str]:
    """The texts (names, phones, numbers) the person's own rows hold in these backups, for the export scan:
    after the live erasure only the backups still know the name that went with a phone."""
    texts: list[str] = []
    for path in db_path_list:
        found, found_texts, _ = look(path, person)
        if found is not None:
            texts += found_texts
    return list(dict.fromkeys(texts))
