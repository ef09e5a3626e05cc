"""One erasure request carried everywhere the kiosk keeps the person: the live database
(kiosk.core.erasure), every backup (kiosk.privacy.backups) and the export folders (kiosk.privacy.exports).

``survey`` looks without changing anything (``kiosk privacy find``); ``erase_copies`` runs after the live
erasure and audits what it did to the copies in the live database (file names and counts, never a value).
The export files are searched for every name, phone and number the person's own rows held — in the live
database before its erasure and in every backup — so an erasure asked by phone alone also takes the name
out of last month's visitor list, even when the live database no longer knows that name."""
from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import sqlite_utils

from kiosk.core import audit, erasure
from kiosk.core.audit import Actor
from kiosk.core.clock import Clock
from kiosk.core.db import write
from kiosk.privacy import backups as backups_mod
from kiosk.privacy import exports as exports_mod


@dataclass
class Copies:
    """What the copies hold (survey) or what was done to them (erase)."""

    backups: list[backups_mod.CopyOutcome] = field(default_factory=list)
    exports: exports_mod.ExportOutcome = field(default_factory=exports_mod.ExportOutcome)
    export_roots: list[Path] = field(default_factory=list)
    words: list[str] = field(default_factory=list)

    def exports_left(self) -> bool:
        """Whether files that are not exports, in an export folder, still hold the person."""
        return bool(self.exports.left)

    def still_holding(self) -> list[backups_mod.CopyOutcome]:
        """Backups that (may) still hold the person after an erasure: not reachable, or failed."""
        return [b for b in self.backups if b.outcome in (backups_mod.NOT_REACHABLE, backups_mod.FAILED)]

    def count(self, outcome: str) -> int:
        return sum(1 for b in self.backups if b.outcome == outcome)

    def audit_data(self) -> dict:
        return {"backups": {"erased": [str(b.path) for b in self.backups if b.outcome == backups_mod.ERASED],
                            "replaced": [str(b.replaced) for b in self.backups if b.replaced],
                            "clean": self.count(backups_mod.CLEAN),
                            "failed": [f"{b.path}: {b.reason}" for b in self.backups if b.outcome == backups_mod.FAILED],
                            "not_reachable": [str(b.path) for b in self.backups
                                              if b.outcome == backups_mod.NOT_REACHABLE]},
                "exports": self.exports.audit_data()}


def _protected(db: sqlite_utils.Database, db_path: Path, backup_folder: str) -> tuple[Path, ...]:
    """What the export walk must never touch: the live database with its journals, and the backup folders."""
    live = [Path(f"{db_path}{suffix}") for suffix in ("", "-wal", "-shm", "-journal")]
    return tuple(live + backups_mod.backup_folders(db, db_path, backup_folder))


def people_in_backups(db: sqlite_utils.Database, db_path: Path, backup_folder: str,
                      person: erasure.Person, words: list[str] | None = None) -> list[erasure.Person]:
    """The person as every reachable backup's own rows name them (for the export search); the other
    personal words of those rows are added to ``words``."""
    people: list[erasure.Person] = []
    for folder in backups_mod.backup_folders(db, db_path, backup_folder):
        for found_backup in backups_mod.backup_mod.backups(folder):
            found, _, _ = backups_mod.look(found_backup.path, person)
            if found is not None:
                people += found.people
                if words is not None:
                    words += found.words
    return people


def survey(db: sqlite_utils.Database, db_path: Path, clock: Clock, person: erasure.Person, *,
           backup_folder: str, export_folder: str, live: erasure.Found | None = None) -> Copies:
    """Which backups and export files hold the person, changing nothing."""
    live = live or erasure.find(db, person)
    copies = Copies()
    copies.backups = backups_mod.erase_everywhere(db, db_path, backup_folder, person, clock, dry_run=True)
    roots, absent = exports_mod.export_folders(db, export_folder)
    copies.export_roots = roots
    everyone = [person, *live.people, *people_in_backups(db, db_path, backup_folder, person)]
    needles = erasure.Needles.of(everyone, shields=erasure.longer_names(db, everyone))
    copies.exports = exports_mod.erase_exports(roots, needles, clock, dry_run=True,
                                               protect=_protected(db, db_path, backup_folder))
    copies.words = list(live.words)
    copies.exports.not_reachable = absent
    return copies


def erase_copies(db: sqlite_utils.Database, db_path: Path, clock: Clock, actor: Actor, person: erasure.Person, *,
                 backup_folder: str, export_folder: str, people: list[erasure.Person],
                 words: list[str] = ()) -> Copies:
    """Erase the person from every backup and export file (after the live erasure: ``people`` are the
    person as the live database's own rows named them, found before erasing). Audited as
    ``privacy.erase_copies`` by the approving manager."""
    if actor.role != "manager":
        raise erasure.ErasureError("a manager must approve", field="manager")
    words = list(words)
    everyone = [person, *people, *people_in_backups(db, db_path, backup_folder, person, words)]
    copies = Copies()
    copies.backups = backups_mod.erase_everywhere(db, db_path, backup_folder, person, clock, actor=actor)
    roots, absent = exports_mod.export_folders(db, export_folder)
    copies.export_roots = roots
    copies.exports = exports_mod.erase_exports(roots, erasure.Needles.of(everyone, shields=erasure.longer_names(db, everyone)), clock, words=words,
                                               protect=_protected(db, db_path, backup_folder))
    copies.exports.not_reachable = absent
    with write(db):
        audit.record(db, clock, actor, "privacy.erase_copies", None, None, None, copies.audit_data())
    return copies
