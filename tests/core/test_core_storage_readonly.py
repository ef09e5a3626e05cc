"""A failing SD card still answers the fire roll call and still gives its last backup: reads and the backup's
source open read-only when nothing can be written there (read-only mount, full disk)."""
from __future__ import annotations

import os
import sqlite3
from pathlib import Path

import pytest

from kiosk.core import backup as backup_mod
from kiosk.core import db as db_mod
from kiosk.core import restore as restore_mod
from kiosk.core import storage
import subprocess
import sys

from tests import storage_faults as faults
from tests.core.test_core_storage_cli import demo_db, invoke


def onsite_line(db: Path) -> str:
    result = invoke(["visitors", "onsite", "--db", str(db)])
    assert result.exit_code == 0 and "Traceback" not in result.output, result.output
    return [line for line in result.output.splitlines() if line.startswith("在场：")][0]   # the default site: zh_CN


DIES_WITH_ROWS_IN_ITS_WAL = r"""
import os, sys
from kiosk.core import db as db_mod
database = db_mod.connect(sys.argv[1])
database.execute("PRAGMA wal_autocheckpoint=0")
with db_mod.write(database):
    database.execute("INSERT INTO audit (at, actor, action, after) VALUES ('2026-12-01T00:00:00+00:00', 'system',"
                     " 'test.in_wal', ?)", ("\u202e📦" * 50,))
print(database.execute("SELECT COUNT(*) FROM audit").fetchone()[0], flush=True)
os._exit(0)  # the app dies: the rows are committed in the -wal, never checkpointed
"""
ROOT = Path(__file__).resolve().parents[2]


def dies_with_rows_in_its_wal(path: Path) -> int:
    done = subprocess.run([sys.executable, "-c", DIES_WITH_ROWS_IN_ITS_WAL, str(path)], cwd=ROOT, text=True,
                          capture_output=True, env={**os.environ, "PYTHONPATH": str(ROOT)}, timeout=120)
    assert done.returncode == 0, done.stderr
    assert Path(f"{path}-wal").stat().st_size > 0 and Path(f"{path}-shm").exists()
    return int(done.stdout)


def onsite_elsewhere(db: Path) -> str:
    """The roll call from another process (no connection of this one stays open on the file)."""
    done = subprocess.run([sys.executable, "-m", "kiosk", "visitors", "onsite", "--db", str(db)], cwd=ROOT,
                          text=True, capture_output=True, timeout=120)
    assert done.returncode == 0, done.stderr
    conn = sqlite3.connect(db)
    conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    conn.close()
    return [line for line in done.stdout.splitlines() if line.startswith("在场：")][0]   # the default site: zh_CN


def backed_up(db: Path, stick: Path) -> backup_mod.Backup:
    result = invoke(["backup", "--db", str(db), "--to", str(stick)])
    assert result.exit_code == 0 and "已校验：完整性正常" in result.output, result.output
    found = backup_mod.backups(stick)
    assert len(found) == 1 and restore_mod.verify(found[0].path) == found[0]
    return found[0]


@pytest.mark.parametrize("folder_name", ["data", "data?x#1"])
def test_roll_call_and_last_backup_on_a_read_only_mount(tmp_path, folder_name):
    faults.need_mount()
    folder = tmp_path / folder_name
    folder.mkdir()
    demo_db(folder / "kiosk.db")
    expected = onsite_elsewhere(folder / "kiosk.db")
    before = {p.name: p.read_bytes() for p in folder.iterdir()}
    stick = tmp_path / "stick"
    stick.mkdir()
    with faults.read_only_view(folder, tmp_path / "ro") as ro:
        db = ro / "kiosk.db"
        assert storage.cannot_write(db) and not Path(f"{db}-wal").exists()
        assert onsite_line(db) == expected
        made = backed_up(db, stick)
        assert made.counts["users"] > 0 and made.schema_version > 0
        # Writes are still refused, naming the file.
        result = invoke(["user", "add", "--db", str(db), "--name", "Li", "--role", "staff", "--pin", "2468",
                         "--manager", "Demo Manager 演示经理", "--manager-pin", "9999"])
        assert result.exit_code == 1 and "read-only" in result.output and str(db) in result.output
    assert {p.name: p.read_bytes() for p in folder.iterdir()} == before  # nothing at all was written


def test_read_only_mount_with_committed_rows_still_in_the_wal(tmp_path):
    """The app died with rows only in its -wal: a read-only reader must read them (immutable would not)."""
    faults.need_mount()
    folder = tmp_path / "data"
    folder.mkdir()
    path = demo_db(folder / "kiosk.db")
    held = dies_with_rows_in_its_wal(path)
    if True:
        stick = tmp_path / "stick"
        stick.mkdir()
        with faults.read_only_view(folder, tmp_path / "ro") as ro:
            database = db_mod.connect(ro / "kiosk.db", create=False, read_only=None)
            assert db_mod.is_read_only(database)
            assert database.execute("SELECT COUNT(*) FROM audit").fetchone()[0] == held
            database.close()
            made = backed_up(ro / "kiosk.db", stick)
            assert made.counts["audit"] == held


def test_roll_call_and_backup_on_a_full_disk(tmp_path, monkeypatch):
    faults.need_mount()
    monkeypatch.setenv("KIOSK_BUSY_TIMEOUT_MS", "200")
    stick = tmp_path / "stick"
    stick.mkdir()
    with faults.tmpfs(tmp_path / "small", 8192) as small:
        db = demo_db(small / "kiosk.db")
        expected = onsite_elsewhere(db)
        for each in small.glob("kiosk.db-*"):
            each.unlink()  # a clean shutdown: the card holds the main file alone
        filler = faults.fill(small)
        try:
            assert storage.cannot_write(db)
            assert onsite_line(db) == expected
            backed_up(db, stick)
        finally:
            filler.unlink()


def test_a_backup_source_that_cannot_be_read_is_named_not_the_folder(tmp_path):
    faults.need_mount()
    folder = tmp_path / "data"
    folder.mkdir()
    path = demo_db(folder / "kiosk.db")
    dies_with_rows_in_its_wal(path)
    if True:
        stick = tmp_path / "stick"
        stick.mkdir()
        with faults.read_only_view(folder, tmp_path / "ro") as ro:
            os.unlink(Path(f"{path}-shm"))  # a -wal with no -shm where none can be made: unreadable read-only
            with pytest.raises(storage.StorageFault) as caught:
                backup_mod.make_backup(ro / "kiosk.db", stick, policy=None)
            assert caught.value.params["path"] == str(ro / "kiosk.db")
            assert list(stick.iterdir()) == []
