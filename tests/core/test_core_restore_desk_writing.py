"""A restore while the desk still writes (outside attack 2): the restore holds the live file's write lock from
before its copy aside, so a sale committing meanwhile is in the copy set aside and its receipt number is never
issued again; a commit slipping in between the lock's release and the copy in's own lock abandons the copy
whole; a lock not had within the busy timeout is refused with a sentence. And a fault after the copy in says
the backup is restored (tests/attack2/test_attack2_restore_race.py runs the real desk race)."""
from __future__ import annotations

import os
import shutil
import sqlite3
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

from kiosk.core import backup as backup_mod
from kiosk.core import restore as restore_mod

ROOT = Path(__file__).resolve().parents[2]


def kiosk(*args: str, home: Path, **env_more: str) -> subprocess.CompletedProcess:
    env = dict(os.environ, KIOSK_HOME=str(home))
    env.pop(backup_mod.FAULT_ENV, None)
    env.update(env_more)
    return subprocess.run([sys.executable, "-m", "kiosk", *args], cwd=ROOT, env=env, capture_output=True,
                          text=True, timeout=300)


@pytest.fixture(scope="module")
def made(tmp_path_factory) -> tuple[Path, Path]:
    root = tmp_path_factory.mktemp("desk-writing")
    live, bk = root / "tpl.db", root / "bk"
    bk.mkdir()
    assert kiosk("demo", "init", "--db", str(live), home=root).returncode == 0
    assert kiosk("backup", "--db", str(live), "--to", str(bk), home=root).returncode == 0
    (root / "en.toml").write_text('[site]\nlanguage = "en"\n', "utf-8")
    return live, sorted(bk.glob("*.db"))[-1]


def _digest(path: Path) -> list:
    conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    try:
        return conn.execute("SELECT name, last FROM series ORDER BY name").fetchall() + \
            conn.execute("SELECT COUNT(*) FROM sqlite_master").fetchall()
    finally:
        conn.close()


def test_a_commit_between_the_lock_and_the_copy_in_abandons_the_copy(tmp_path, made):
    tpl, backup = made
    live = tmp_path / "kiosk.db"
    shutil.copy(tpl, live)
    lock, version = restore_mod._write_lock(live)
    lock.execute("ROLLBACK")
    desk = sqlite3.connect(live, isolation_level=None)   # the desk's sale slips in
    desk.execute("CREATE TABLE sale_in_flight (receipt INTEGER)")
    desk.close()
    lock.execute("BEGIN IMMEDIATE")
    before = _digest(live)
    src = sqlite3.connect(f"file:{backup}?mode=ro", uri=True)
    dst = sqlite3.connect(live, isolation_level=None)
    with pytest.raises(backup_mod.BackupError) as got:
        restore_mod._copy_in(src, dst, lock, version, live)
    src.close()
    dst.close()
    assert "is writing to" in got.value.message("en")
    assert _digest(live) == before   # the copy in rolled back whole: the sale is still there


def test_a_desk_writing_longer_than_the_busy_timeout_is_refused(tmp_path, made):
    tpl, backup = made
    live = tmp_path / "kiosk.db"
    shutil.copy(tpl, live)
    assert kiosk("visitors", "onsite", "--db", str(live), home=tmp_path).returncode == 0
    held = threading.Event()

    def desk() -> None:
        conn = sqlite3.connect(live, isolation_level=None)
        conn.execute("BEGIN IMMEDIATE")
        conn.execute("UPDATE series SET last = last + 1")
        held.set()
        time.sleep(4)
        conn.execute("COMMIT")
        conn.close()
    writer = threading.Thread(target=desk)
    writer.start()
    held.wait()
    got = kiosk("restore", "--db", str(live), "--yes", "--config", str(made[0].parent / "en.toml"), str(backup),
                home=tmp_path, KIOSK_BUSY_TIMEOUT_MS="300")
    writer.join()
    assert got.returncode != 0 and "Traceback" not in got.stderr, got.stderr[-400:]
    assert "The kiosk is writing to" in got.stderr and str(live) in got.stderr
    assert not list((tmp_path / "before-restore").glob("*.db"))


@pytest.mark.parametrize("step,said", [("copied", "could not be recorded"), ("recorded", "and recorded"),
                                       ("reapplied", "and recorded")])
def test_a_fault_after_the_copy_in_says_the_backup_is_restored(tmp_path, made, step, said):
    tpl, backup = made
    live = tmp_path / "kiosk.db"
    shutil.copy(tpl, live)
    got = kiosk("restore", "--db", str(live), "--yes", "--config", str(made[0].parent / "en.toml"), str(backup),
                home=tmp_path, **{backup_mod.FAULT_ENV: f"eio@{step}"})
    assert got.returncode != 0 and "Traceback" not in got.stderr, got.stderr[-400:]
    assert said in got.stderr and "Do not run the restore again" in got.stderr and "Nothing was restored" \
        not in got.stderr, got.stderr[-600:]
    # the next open finishes what did not: the journal is gone, the restore recorded
    assert kiosk("visitors", "onsite", "--db", str(live), home=tmp_path).returncode == 0
    assert not restore_mod.journal_path(live).exists()
    conn = sqlite3.connect(f"file:{live}?mode=ro", uri=True)
    assert conn.execute("SELECT COUNT(*) FROM backups WHERE kind = 'restore'").fetchone()[0] == 1
    conn.close()


def test_a_before_restore_file_is_said_in_english_too(tmp_path, made):
    tpl, backup = made
    live = tmp_path / "kiosk.db"
    shutil.copy(tpl, live)
    (tmp_path / "before-restore").write_text("not a folder")
    got = kiosk("restore", "--db", str(live), "--yes", "--config", str(made[0].parent / "en.toml"), str(backup),
                home=tmp_path)
    assert got.returncode != 0 and "Traceback" not in got.stderr
    assert "is a file, not a folder" in got.stderr and str(tmp_path / "before-restore") in got.stderr


def test_the_copied_pages_carry_the_series_past_the_numbers_issued(tmp_path, made):
    """The copy in's own commit holds the series moved on: no moment where the restored file's series is behind."""
    tpl, backup = made
    live = tmp_path / "kiosk.db"
    shutil.copy(tpl, live)
    src = sqlite3.connect(f"file:{backup}?mode=ro", uri=True)
    stage = restore_mod._staged(src, {"receipt:sale": 999, "fee:new": 7})
    assert stage is not None
    dst = sqlite3.connect(live, isolation_level=None)
    restore_mod._copy_in(stage, dst, None, 0, live)
    stage.close()
    dst.close()
    assert restore_mod._staged(src, {"receipt:sale": 0}) is None   # nothing behind: copied from the file itself
    src.close()
    got = restore_mod.series_of(live)
    assert got["receipt:sale"] == 999 and got["fee:new"] == 7
    conn = sqlite3.connect(f"file:{live}?mode=ro", uri=True)
    assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    conn.close()
    assert backup_mod.verify_file(backup, counts=backup_mod.read_backup(backup).counts,
                                  version=backup_mod.read_backup(backup).schema_version) == []
