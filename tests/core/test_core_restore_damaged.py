"""A live database with one damaged page (the usual SD-card fault: its counts still read) is restored:
it cannot be copied aside verified, so it is moved aside as it is, and the dry run says so first
(outside tester, issue 19: the restore refused, and the desk had no way back)."""
from __future__ import annotations

import sqlite3
from pathlib import Path

from click.testing import CliRunner

from kiosk.cli.main import main
from kiosk.core import backup as backup_mod
from kiosk.core import restore as restore_mod
from tests.days import yesterday


def cli(*args: str, code: int = 0) -> str:
    result = CliRunner().invoke(main, list(args))
    assert result.exit_code == code and "Traceback" not in result.output, result.output
    return result.output


def _damage(db: Path, table: str) -> None:
    conn = sqlite3.connect(db)
    conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    page_size = conn.execute("PRAGMA page_size").fetchone()[0]
    (root,) = conn.execute("SELECT rootpage FROM sqlite_master WHERE name = ?", [table]).fetchone()
    conn.close()
    with open(db, "r+b") as fh:
        fh.seek((root - 1) * page_size)
        fh.write(b"\xff" * 64)


def test_a_file_with_a_damaged_page_is_moved_aside_as_it_is_and_the_backup_restored(tmp_path):
    db = tmp_path / "data" / "k.db"
    db.parent.mkdir()
    cli("demo", "init", "--db", str(db))
    cli("demo", "seed", "--db", str(db), "--days", "1", "--end-day", yesterday(), "--sales", "3", "--visitors", "2", "--calls", "0", "--seed", "3")
    bk = tmp_path / "bk"
    bk.mkdir()
    cli("backup", "--db", str(db), "--to", str(bk), "--keep-all")
    backup = backup_mod.backups(bk)[0].path
    _damage(db, "audit")
    assert not restore_mod._sound(db)
    the_plan = restore_mod.plan(db, backup)
    assert the_plan.live_exists and not the_plan.live_readable, "the dry run says it goes aside as it is"
    cli("restore", "--db", str(db), str(backup), "--yes")
    assert restore_mod._sound(db)
    conn = sqlite3.connect(db)
    assert conn.execute("SELECT COUNT(*) FROM audit").fetchone()[0] > 0
    assert conn.execute("SELECT outcome FROM backups WHERE kind = 'restore' ORDER BY id DESC").fetchone()[0] == "ok"
    conn.close()
    aside = list((db.parent / restore_mod.ASIDE).glob("k.db.damaged-*"))
    assert [p for p in aside if p.suffix not in (".db-wal", ".db-shm") and "-wal" not in p.name
            and "-shm" not in p.name], "the damaged file is kept, as it was"
    assert not restore_mod.journal_path(db).exists()


def test_a_sound_file_is_still_copied_aside_verified(tmp_path):
    db = tmp_path / "k.db"
    cli("demo", "init", "--db", str(db))
    bk = tmp_path / "bk"
    bk.mkdir()
    cli("backup", "--db", str(db), "--to", str(bk), "--keep-all")
    assert restore_mod.plan(db, backup_mod.backups(bk)[0].path).live_readable
    cli("restore", "--db", str(db), str(backup_mod.backups(bk)[0].path), "--yes")
    assert not list((tmp_path / restore_mod.ASIDE).glob("*.damaged-*"))
    assert backup_mod.backups(tmp_path / restore_mod.ASIDE), "a verified copy of the file it replaced"
