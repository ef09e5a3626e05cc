"""The virtual printer's receipt pictures (PNG files in the data folder's ``receipts/``, or the configured
``[printer] output_dir``) are paper in another form: a badge or a claim slip names a person. The stored
print job is the record (a reprint is made from it), so a picture may go at any time; these functions
make sure it goes no later than the record's personal data does.

* Retention: a picture older than the shortest period of any print document the inventory declares
  personal (badges: the visitors' period; claim slips: the lost-and-found period) is deleted. A file
  cannot say whose it is, so the shortest period is applied to every picture (earlier than the longest
  would need, never later).
* Erasure: the pictures of the person's print jobs (named by their "saved <file>" print event) are deleted.

Every run that removed a file is audited with the file names (kind and receipt number, no one's data).
"""
from __future__ import annotations

import os
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path

import sqlite_utils

from kiosk.core import audit, settings
from kiosk.core.audit import SYSTEM, Actor
from kiosk.core.clock import Clock
from kiosk.core.db import write
from kiosk.core.inventory import DOCUMENT, personal_columns

SAVED = "saved "   # the virtual printer's print-event detail: "saved <path>"


@dataclass
class Removed:
    """Picture files removed (names), and those that could not be (name: reason)."""

    removed: list[str] = field(default_factory=list)
    failed: list[str] = field(default_factory=list)


def receipt_folder(output_dir: str, state_dir: Path) -> Path:
    """Where the virtual printer puts its pictures (hardware.printer.connections.from_config's rule)."""
    return Path(output_dir) if output_dir else Path(state_dir) / "receipts"


def period_days(db: sqlite_utils.Database) -> int:
    """The shortest retention period (days) of the print documents the inventory declares personal."""
    keys = {p.retention for p in personal_columns("print_jobs") if p.kind == DOCUMENT and p.retention}
    return min(int(settings.get(db, key)) for key in keys)


def _pictures(folder: Path) -> list[Path]:
    try:
        # the printer's own leftovers (a .tmp.png of a write cut short) go by the same rule
        return sorted(p for p in folder.iterdir() if p.is_file() and p.suffix.lower() == ".png")
    except OSError:
        return []


def _remove(paths: list[Path], out: Removed) -> None:
    for path in paths:
        try:
            path.unlink()
            out.removed.append(path.name)
        except FileNotFoundError:
            continue
        except OSError as exc:
            out.failed.append(f"{path.name}: {exc.strerror or exc}")


def _audit(db: sqlite_utils.Database, clock: Clock, actor: Actor, reason: str, out: Removed, **extra) -> None:
    if out.removed or out.failed:
        with write(db):
            audit.record(db, clock, actor, "privacy.receipt_files", None, None, None,
                         {"reason": reason, "removed": out.removed[:500], "count": len(out.removed),
                          "failed": out.failed[:50], **extra})


def expire(db: sqlite_utils.Database, clock: Clock, folder: Path, *, actor: Actor = SYSTEM) -> Removed:
    """Delete the pictures older than the shortest personal print period (by the file's time); audited."""
    days = period_days(db)
    cutoff = (clock.now() - timedelta(days=days)).timestamp()
    old = []
    for path in _pictures(Path(folder)):
        try:
            if path.stat().st_mtime < cutoff:
                old.append(path)
        except OSError:
            continue
    out = Removed()
    _remove(old, out)
    _audit(db, clock, actor, "retention", out, older_than_days=days, folder=str(folder))
    return out


def files_of_jobs(db: sqlite_utils.Database, folder: Path, job_ids) -> list[Path]:
    """The pictures in ``folder`` that these print jobs were saved as (their "saved <file>" events)."""
    ids = sorted({int(i) for i in job_ids})
    names: set[str] = set()
    for start in range(0, len(ids), 500):
        chunk = ids[start:start + 500]
        for (detail,) in db.execute(f"SELECT detail FROM print_job_events WHERE detail LIKE 'saved %' AND job_id IN"
                                    f" ({','.join('?' * len(chunk))})", chunk):
            names.add(os.path.basename(str(detail)[len(SAVED):].strip()))
    return [Path(folder) / n for n in sorted(names) if n]


def erase_jobs(db: sqlite_utils.Database, clock: Clock, actor: Actor, folder: Path, job_ids) -> Removed:
    """Delete the pictures of these print jobs (a person's erasure: their badges, claim slips, the roll-call
    lists that named them); audited by the approving manager."""
    out = Removed()
    _remove([p for p in files_of_jobs(db, folder, job_ids) if p.is_file()], out)
    _audit(db, clock, actor, "erasure", out, folder=str(folder))
    return out


def jobs_of(found) -> set[int]:
    """The print jobs an erasure's find reached (its own, and those whose document names the person)."""
    ids = set(found.owned.get("print_jobs", set()))
    for (table, _column), rows in found.hits.items():
        if table == "print_jobs":
            ids.update(rows)
    return ids
