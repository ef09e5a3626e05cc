"""The retention periods carried beyond the live database, once a day after the live job has run
(kiosk.visitors.housekeeping): every backup brought to the periods (kiosk.privacy.backups.retain_backup:
rewritten without the old data, or deleted when it cannot be) and the virtual printer's receipt pictures
past the shortest print period deleted (kiosk.privacy.receipts). Both are audited in the live database."""
from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import sqlite_utils

from kiosk.core.audit import SYSTEM, Actor
from kiosk.core.clock import Clock
from kiosk.privacy import backups as backups_mod
from kiosk.privacy import receipts as receipts_mod


@dataclass
class Beyond:
    """What the pass did: one outcome per backup file, and the pictures removed."""

    backups: list[backups_mod.CopyOutcome] = field(default_factory=list)
    receipts: receipts_mod.Removed = field(default_factory=receipts_mod.Removed)

    def still_holding(self) -> list[backups_mod.CopyOutcome]:
        """Backups that may still hold data past its period (not reachable, or kept after a failure)."""
        return [b for b in self.backups if b.outcome in (backups_mod.NOT_REACHABLE, backups_mod.FAILED)]


def run(db: sqlite_utils.Database, db_path: Path, clock: Clock, *, backup_folder: str, receipt_folder: Path | None,
        actor: Actor = SYSTEM) -> Beyond:
    """Backups and receipt pictures brought to the retention periods (see the module)."""
    done = Beyond()
    done.backups = backups_mod.retention_everywhere(db, Path(db_path), backup_folder, clock, actor=actor)
    if receipt_folder is not None:
        done.receipts = receipts_mod.expire(db, clock, Path(receipt_folder), actor=actor)
    return done
