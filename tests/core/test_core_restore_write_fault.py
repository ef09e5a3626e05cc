"""A restore that meets a write fault at any of its steps leaves the current database where it was, whole
(issue 19, outside tester: a write fault while copying the live file aside moved the sound file aside as
"damaged", the copy in failed too, and an empty file was left at the live path).

Real `kiosk restore` processes, the fault either real (RLIMIT_FSIZE through preexec_fn: SQLite reports it as
an I/O error, the path a dying SD card's EIO takes) or injected (``KIOSK_RESTORE_FAULT=eio@<step>`` raises an
EIO there): while copying the live file aside, while writing the journal, while copying the backup in; for a
sound live file and for a damaged one (moved aside as it is, then put back)."""
from __future__ import annotations

import hashlib
import os
import resource
import shutil
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

from kiosk.core import backup as backup_mod
from kiosk.core import restore as restore_mod
from tests.core.test_core_restore_damaged import _damage

ROOT = Path(__file__).resolve().parents[2]
ASIDE_FAILED = "could not be copied aside into"
RESTORE_FAILED = "The restore into"


def kiosk(*args: str, home: Path, fsize: int | None = None, fault: str | None = None) -> subprocess.CompletedProcess:
    env = dict(os.environ, KIOSK_HOME=str(home))
    env.pop(backup_mod.FAULT_ENV, None)
    if fault:
        env[backup_mod.FAULT_ENV] = fault

    def limit() -> None:
        if fsize is not None:
            resource.setrlimit(resource.RLIMIT_FSIZE, (fsize, fsize))
    return subprocess.run([sys.executable, "-m", "kiosk", *args], cwd=ROOT, env=env, capture_output=True,
                          text=True, timeout=300, preexec_fn=limit)


@pytest.fixture(scope="module")
def made(tmp_path_factory) -> Path:
    """data/kiosk.db (seeded, ~2 MB), data/small.db (a new database, < 1 MB), bk/ with kiosk.db's backup."""
    root = tmp_path_factory.mktemp("write-fault")
    data, bk = root / "data", root / "bk"
    data.mkdir()
    bk.mkdir()
    for args in (("demo", "init", "--db", str(data / "kiosk.db")), ("demo", "seed", "--db", str(data / "kiosk.db"),
                 "--days", "2"), ("backup", "--db", str(data / "kiosk.db"), "--to", str(bk)),
                 ("demo", "init", "--db", str(data / "small.db"))):
        got = kiosk(*args, home=root)
        assert got.returncode == 0, got.stderr
    (root / "en.toml").write_text('[site]\nlanguage = "en"\n', "utf-8")
    return root


@pytest.fixture
def home(made, tmp_path) -> Path:
    shutil.copytree(made, tmp_path / "h")
    return tmp_path / "h"


def _backup(home: Path) -> Path:
    [file] = (home / "bk").glob("*.db")
    return file


def _content(db: Path) -> dict[str, int]:
    """Every table's rows, read-only, after an integrity check (the file whole and openable)."""
    conn = sqlite3.connect(f"file:{db}?mode=ro", uri=True)
    try:
        assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        return backup_mod.table_counts(conn)
    finally:
        conn.close()


def _bytes(db: Path) -> dict[str, str]:
    return {s: hashlib.sha256(Path(f"{db}{s}").read_bytes()).hexdigest()
            for s in ("", "-wal") if Path(f"{db}{s}").exists() and Path(f"{db}{s}").stat().st_size}


def _left_clean(db: Path) -> None:
    """No journal, no partial, nothing moved aside as damaged, nothing empty named as a copy."""
    assert not restore_mod.journal_path(db).exists()
    leftovers = [p.name for p in db.parent.iterdir() if ".partial" in p.name or p.name.endswith("-journal")]
    assert not leftovers, leftovers
    aside = db.parent / restore_mod.ASIDE
    names = sorted(p.name for p in aside.iterdir()) if aside.is_dir() else []
    assert not [n for n in names if ".damaged-" in n or ".partial" in n], names
    for copy in backup_mod.backups(aside) if aside.is_dir() else []:
        assert copy.path.stat().st_size > 0 and restore_mod.verify(copy.path)


def _refused(got: subprocess.CompletedProcess, sentence: str, db: Path) -> None:
    assert got.returncode != 0 and "Traceback" not in got.stderr, got.stderr
    assert sentence in got.stderr and str(db) in got.stderr, got.stderr
    assert "没有恢复任何内容" in got.stderr, got.stderr       # the site's language (zh_CN by default) first


def test_a_real_write_fault_copying_aside_leaves_the_database_and_a_second_restore_keeps_a_verified_copy(home):
    db = home / "data" / "kiosk.db"
    before = _content(db)
    got = kiosk("restore", "--db", str(db), "--yes", str(_backup(home)), home=home, fsize=256 * 1024)
    _refused(got, ASIDE_FAILED, db)
    assert _content(db) == before
    _left_clean(db)
    again = kiosk("restore", "--db", str(db), "--yes", str(_backup(home)), home=home)
    assert again.returncode == 0, again.stderr
    [kept] = backup_mod.backups(db.parent / restore_mod.ASIDE)  # the original: a verified, whole copy
    assert str(kept.path) in again.stdout and kept.path.stat().st_size > 0
    assert _content(kept.path) == before


@pytest.mark.parametrize("step, sentence", [("aside-copying", ASIDE_FAILED), ("journal-writing", RESTORE_FAILED),
                                            ("copying", RESTORE_FAILED)])
def test_an_injected_write_fault_at_each_step_leaves_the_sound_database_untouched(home, step, sentence):
    db = home / "data" / "kiosk.db"
    before = _content(db)
    got = kiosk("restore", "--db", str(db), "--yes", str(_backup(home)), home=home, fault=f"eio@{step}")
    _refused(got, sentence, db)
    assert _content(db) == before
    _left_clean(db)


def test_a_real_write_fault_copying_the_backup_in_leaves_the_database_untouched(home):
    db = home / "data" / "small.db"   # < 1 MB: its copy aside fits under the limit, the 2 MB backup does not
    before = _content(db)
    got = kiosk("restore", "--db", str(db), "--yes", str(_backup(home)), home=home, fsize=1024 * 1024)
    _refused(got, RESTORE_FAILED, db)
    assert _content(db) == before
    _left_clean(db)


@pytest.mark.parametrize("fault, fsize", [(None, 1024 * 1024), ("eio@journal-writing", None), ("eio@copying", None)])
def test_a_damaged_database_moved_aside_goes_back_when_the_restore_fails(home, fault, fsize):
    db = home / "data" / "small.db"
    _damage(db, "audit")
    before = _bytes(db)
    got = kiosk("restore", "--db", str(db), "--yes", str(_backup(home)), home=home, fsize=fsize, fault=fault)
    _refused(got, RESTORE_FAILED, db)
    assert _bytes(db) == before, "the damaged file, byte for byte, back where it was"
    _left_clean(db)


def test_the_message_is_in_english_on_an_english_site(home):
    db = home / "data" / "kiosk.db"
    got = kiosk("restore", "--config", str(home / "en.toml"), "--db", str(db), "--yes", str(_backup(home)),
                home=home, fault="eio@aside-copying")
    assert got.returncode != 0 and ASIDE_FAILED in got.stderr and "Free some space" in got.stderr, got.stderr
    assert "没有恢复" not in got.stderr


def test_an_empty_live_file_is_never_kept_as_the_original(home):
    db = home / "data" / "kiosk.db"
    empty = home / "data" / "empty.db"
    empty.touch()
    got = kiosk("restore", "--db", str(empty), "--yes", str(_backup(home)), home=home)
    assert got.returncode == 0, got.stderr
    assert _content(empty)["visits"] == _content(_backup(home))["visits"] > 0
    aside = empty.parent / restore_mod.ASIDE
    assert not aside.is_dir() or not [p for p in aside.iterdir() if p.name.startswith("empty.db")]
    assert "empty.db" not in got.stdout.split(str(_backup(home)))[-1]   # no "previous database is kept at"
    conn = sqlite3.connect(f"file:{empty}?mode=ro", uri=True)
    try:
        [(destination,)] = conn.execute("SELECT destination FROM backups WHERE kind = 'restore'").fetchall()
    finally:
        conn.close()
    assert destination == "" and db.exists()
