"""before-restore/ is per database (outside attack, issue 19): two databases sharing a data folder (both left at
the default site SITE and terminal T01) each keep their own ``keep_before_restore`` newest copies; a copy is named
after its database's file, an older copy without that name is counted by the source its sidecar names, a copy an
erasure rewrote keeps its database's name, and one an unresolved journal names is never rotated away. Every
removal is in the audit of the database whose copy it was."""
from __future__ import annotations

import json
import sqlite3
from pathlib import Path

from kiosk.core import backup as backup_mod
from kiosk.core import db as db_mod
from kiosk.core import restore as restore_mod
from kiosk.core.audit import SYSTEM
from kiosk.core.erasure import Person
from tests.core.test_core_erasure import NAME, _fill


def _site(tmp_path: Path, clock) -> tuple[Path, Path, Path, Path]:
    data = tmp_path / "data"
    data.mkdir()
    a, b = data / "a.db", data / "b.db"
    for path in (a, b):
        database = db_mod.connect(path)
        if path == a:
            _fill(database, clock)
        database.close()
    bk = tmp_path / "bk"
    bk.mkdir()
    made_a = backup_mod.make_backup(a, bk, clock=clock, policy=None).backup.path
    clock.advance(1)
    made_b = backup_mod.make_backup(b, bk, clock=clock, policy=None).backup.path
    return a, b, made_a, made_b


def _removed(*files: Path) -> list[str]:
    """The copies the audit of these files says were removed (a restore replaces the live audit with the
    backup's: each earlier restore's rotation is recorded in the copy set aside by the next one)."""
    out = []
    for db in files:
        conn = sqlite3.connect(db)
        try:
            out += [json.loads(r[0])["file"] for r in conn.execute(
                "SELECT before FROM audit WHERE action = 'database.before_restore_removed'")]
        finally:
            conn.close()
    return out


def test_two_databases_in_one_folder_rotate_only_their_own_copies(tmp_path, clock):
    a, b, made_a, made_b = _site(tmp_path, clock)
    aside = a.parent / restore_mod.ASIDE
    aside.mkdir(mode=0o700)
    # Two copies an older version set aside for a.db (no database in the name; the sidecar names the source).
    legacy = []
    for _ in range(2):
        clock.advance(1)
        legacy.append(backup_mod.make_backup(a, aside, clock=clock, policy=None).backup.path)
    assert all(p.name.startswith("kiosk-SITE-T01-") for p in legacy)
    for _ in range(3):
        clock.advance(1)
        restore_mod.restore(a, made_a, clock=clock, actor=SYSTEM, keep_aside=2)
    mine = [c for c in backup_mod.backups(aside) if restore_mod.copy_of(c, a)]
    assert len(mine) == 2 and all(c.path.name.startswith("a.db--kiosk-SITE-T01-") for c in mine)
    assert not any(p.exists() for p in legacy), "the older copies of a.db are a.db's: counted and rotated"
    assert set(map(str, legacy)) <= set(_removed(a, *[c.path for c in mine])), "every removal audited"
    for _ in range(3):
        clock.advance(1)
        restore_mod.restore(b, made_b, clock=clock, actor=SYSTEM, keep_aside=2)
    copies = backup_mod.backups(aside)
    assert {c.path for c in copies if restore_mod.copy_of(c, a)} == {c.path for c in mine}, \
        "b.db's restores never rotate a.db's copies away"
    assert len([c for c in copies if restore_mod.copy_of(c, b)]) == 2
    assert not [f for f in _removed(b) if "a.db" in Path(f).name]
    assert len(copies) == 4


def test_an_erased_copy_keeps_its_database_and_a_journal_keeps_its_copy(tmp_path, clock):
    from kiosk.privacy import backups as privacy_backups
    a, b, made_a, _ = _site(tmp_path, clock)
    for _ in range(2):
        clock.advance(1)
        restore_mod.restore(a, made_a, clock=clock, actor=SYSTEM, keep_aside=5)
    aside = a.parent / restore_mod.ASIDE
    oldest = backup_mod.backups(aside)[-1]
    outcome = privacy_backups.erase_backup(oldest, Person(name=NAME), clock)
    assert outcome.outcome == privacy_backups.ERASED, outcome
    rewritten = [c for c in backup_mod.backups(aside) if c.path != oldest.path]
    assert all(c.owner == "a.db" for c in rewritten) and len(rewritten) == 2, [c.path.name for c in rewritten]
    # An unresolved journal of a (a restore killed before its record) names the oldest copy: never rotated.
    named = min(rewritten, key=lambda c: c.taken_at).path
    restore_mod.journal_path(a).write_text(json.dumps({"file": str(made_a), "aside": str(named)}), "utf-8")
    database = db_mod.connect(a, create=False)
    try:
        removed = restore_mod.rotate_aside(database, aside, clock, SYSTEM, keep=1)
    finally:
        database.close()
    assert named.exists() and named not in removed
    assert len([c for c in backup_mod.backups(aside) if restore_mod.copy_of(c, a)]) == 2
