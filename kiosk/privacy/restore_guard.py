"""A restore must not quietly undo an erasure (outside test F2b).

The erasure requests carried out after a backup's snapshot are in the live database's audit. A backup
that an erasure reached since (its sidecar's ``erased_at``, kiosk.privacy.backups) no longer holds the
people erased then; one that it did not reach (it was on a stick that was not plugged in) still does,
and restoring it would bring them back. ``kiosk restore`` refuses that unless told, and after any restore
the erasure records that the old file held are carried into the restored one (the proof that they were
asked and done must not go with the rows). Erasures since the ledger (migration 0047) are applied again to
the restored rows (kiosk.core.erasure_ledger): only older ones can still bring someone back."""
from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

from kiosk.core import erasure_ledger
from kiosk.core.clock import parse_iso, utc_iso

ACTIONS = erasure_ledger.RECORD_ACTIONS


@dataclass(frozen=True)
class Erasures:
    """Erasure records of the live database made after the backup's snapshot."""

    rows: list[tuple]          # (at, actor_id, actor, action, after)
    backup_erased_at: str      # when an erasure last reached this backup ('' never)

    @property
    def reapplied(self) -> int:
        """Erasures after the snapshot that the ledger applies again after the restore (migration 0047)."""
        return sum(1 for r in self.rows if an_erasure(r) and _ledgered(r[4]))

    @property
    def brings_back(self) -> bool:
        """Whether restoring would bring erased people back: an erasure after the snapshot that this
        backup was not erased by (its own erased_at is older) and that left no ledger to apply it again
        (one made before the ledger existed)."""
        newest = max((r[0] for r in self.rows if an_erasure(r) and not _ledgered(r[4])), default="")
        return bool(newest) and self.backup_erased_at < newest


def an_erasure(row: tuple) -> bool:
    """A person's erasure request: its own audit row, or one an earlier restore carried over."""
    return row[3] == "privacy.erase" or (row[3] == "privacy.erase_carried" and '"carried_from": "privacy.erase"'
                                         in (row[4] or ""))


def _ledgered(after: str | None) -> bool:
    """Whether an erasure's audit row says it wrote its hashes to the erasure ledger."""
    try:
        data = json.loads(after or "{}")
    except ValueError:
        return False
    return isinstance(data, dict) and "ledger" in data


def since_backup(live: Path, backup_file: Path, taken_at) -> Erasures:
    """The live database's erasure records after the backup was taken, and the backup's own erasure time."""
    try:
        meta = json.loads(Path(f"{backup_file}.json").read_text("utf-8"))
        erased_at = str(meta.get("erased_at") or "")
    except (OSError, ValueError):
        erased_at = ""
    return Erasures(erasure_ledger.records(live, utc_iso(taken_at)), erased_at)


def carry_forward(database, erasures: Erasures) -> int:
    """Put the erasure records into the restored database as ``privacy.erase_carried`` rows (their time,
    manager and counts as recorded), inside the restore's own transaction (kiosk.core.restore's ``also``);
    returns how many."""
    return erasure_ledger.carry_records(database, erasures.rows)


__all__ = ["Erasures", "since_backup", "carry_forward", "an_erasure", "parse_iso"]
