"""Outside attack 2 on issue 19 (database identity) and the restore fixes: real `kiosk` processes.

Failing today:
- another program's SQLite file whose own schema_migrations(version INTEGER, name TEXT) holds versions our
  migrations do not have (timestamps, or simply > 48) passes check_identity as "a newer kiosk's database":
  the first command switches it to WAL (header bytes 18-19 written, -wal/-shm made) and every command says
  "written by a newer kiosk version: install that version";
- `kiosk restore` over another program's file: the dry run answers "no changes" with exit 0 and the real
  one either replaces it (foreign application_id: restored, exit 0, though every other command refuses the
  file) or refuses with a disk-fault sentence ("could not be read or written... free some space");
- a before-restore path that is a file: a FileExistsError traceback, no sentence.
- a fault right after the copy aside / right after the copy in names "(file)" instead of the database."""
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

ROOT = Path(__file__).resolve().parents[2]


def kiosk(*args: str, home: Path, fault: str | None = None) -> subprocess.CompletedProcess:
    env = dict(os.environ, KIOSK_HOME=str(home), SDL_VIDEODRIVER="offscreen")
    env.pop("KIOSK_RESTORE_FAULT", None)
    if fault:
        env["KIOSK_RESTORE_FAULT"] = fault
    return subprocess.run([sys.executable, "-m", "kiosk", *args], cwd=ROOT, env=env, capture_output=True,
                          text=True, timeout=300)


def state(path: Path) -> dict:
    return {p.name: hashlib.sha256(p.read_bytes()).hexdigest()
            for p in (path, Path(f"{path}-wal")) if p.exists() and p.stat().st_size}   # -shm: an index only


def migrations_app(path: Path, versions: list[int]) -> Path:
    """Another program with its own simple migration bookkeeping (version INTEGER, name TEXT)."""
    conn = sqlite3.connect(path)
    conn.execute("CREATE TABLE schema_migrations (version INTEGER PRIMARY KEY, name TEXT)")
    conn.executemany("INSERT INTO schema_migrations VALUES (?, ?)", [(v, f"step_{v}") for v in versions])
    conn.execute("CREATE TABLE users (id INTEGER PRIMARY KEY, email TEXT)")
    conn.execute("INSERT INTO users (email) VALUES ('a@example.com')")
    conn.commit()
    conn.close()
    return path


@pytest.fixture(scope="module")
def kiosk_backup(tmp_path_factory) -> Path:
    root = tmp_path_factory.mktemp("a2-bk")
    db = root / "kiosk.db"
    assert kiosk("demo", "init", "--db", str(db), home=root).returncode == 0
    (root / "bk").mkdir()
    assert kiosk("backup", "--db", str(db), "--to", str(root / "bk"), home=root).returncode == 0
    return sorted((root / "bk").glob("*.db"))[-1]


@pytest.mark.parametrize("versions", [[20230101, 20230202], [49, 50], [1000]])
@pytest.mark.parametrize("command", [["visitors", "onsite"], ["lostfound", "list"], ["db", "check"]])
def test_a_foreign_migrations_table_is_refused_untouched(tmp_path, versions, command):
    path = migrations_app(tmp_path / "other-app.db", versions)
    before = state(path)
    got = kiosk(*command, "--db", str(path), home=tmp_path)
    assert got.returncode != 0
    assert state(path) == before, "another program's file was written (switched to WAL)"
    assert "not a kiosk database" in got.stderr, got.stderr[-300:]   # not "written by a newer kiosk version"


@pytest.mark.parametrize("kind", ["notes", "appid"])
def test_restore_over_another_programs_file_says_so(tmp_path, kind, kiosk_backup):
    path = tmp_path / "kiosk.db"
    if kind == "notes":
        conn = sqlite3.connect(path)
        conn.execute("CREATE TABLE notes (id INTEGER PRIMARY KEY, body TEXT)")
        conn.execute("INSERT INTO notes (body) VALUES ('someone else''s')")
        conn.commit()
        conn.close()
    else:   # a kiosk-looking file another program has claimed (every other command refuses it)
        shutil.copy(kiosk_backup, path)
        conn = sqlite3.connect(path)
        conn.execute("PRAGMA application_id = 1234")
        conn.commit()
        conn.close()
        assert "not a kiosk database" in kiosk("visitors", "onsite", "--db", str(path), home=tmp_path).stderr
    before = state(path)
    dry = kiosk("restore", "--db", str(path), "--dry-run", str(kiosk_backup), home=tmp_path)
    real = kiosk("restore", "--db", str(path), "--yes", str(kiosk_backup), home=tmp_path)
    assert state(path) == before, "another program's file was replaced by a restore"
    assert real.returncode != 0 and "not a kiosk database" in real.stderr, real.stderr[-400:]
    assert "not a kiosk database" in dry.stdout + dry.stderr, (dry.returncode, (dry.stdout + dry.stderr)[-300:])


def test_a_before_restore_path_that_is_a_file_gets_a_sentence(tmp_path, kiosk_backup):
    data = tmp_path / "data"
    data.mkdir()
    shutil.copy(kiosk_backup, data / "kiosk.db")
    assert kiosk("visitors", "onsite", "--db", str(data / "kiosk.db"), home=tmp_path).returncode == 0
    (data / "before-restore").write_text("a file, not a folder")
    before = state(data / "kiosk.db")
    got = kiosk("restore", "--db", str(data / "kiosk.db"), "--yes", str(kiosk_backup), home=tmp_path)
    assert state(data / "kiosk.db") == before
    assert got.returncode != 0 and "Traceback" not in got.stderr, got.stderr[-500:]
    assert any("\u4e00" <= ch <= "\u9fff" for ch in got.stderr)


@pytest.mark.parametrize("step", ["aside-made", "copied"])
def test_a_fault_after_a_step_names_the_database(tmp_path, kiosk_backup, step):
    data = tmp_path / "data"
    data.mkdir()
    shutil.copy(kiosk_backup, data / "kiosk.db")
    got = kiosk("restore", "--db", str(data / "kiosk.db"), "--yes", str(kiosk_backup), home=tmp_path,
                fault=f"eio@{step}")
    assert got.returncode != 0
    assert "(file)" not in got.stderr and "（file）" not in got.stderr, got.stderr[-400:]


@pytest.mark.parametrize("command", [["visitors", "onsite"], ["db", "migrate"], ["db", "check"]])
def test_a_refused_file_keeps_its_permissions(tmp_path, command):
    """make_private runs before check_identity: another program's file (or a text file) refused as "not
    a kiosk database... nothing was written to it" is chmod'ed 0600 all the same (its group loses access)."""
    path = tmp_path / "other-app.db"
    conn = sqlite3.connect(path)
    conn.execute("CREATE TABLE notes (id INTEGER PRIMARY KEY, body TEXT)")
    conn.commit()
    conn.close()
    os.chmod(path, 0o664)
    got = kiosk(*command, "--db", str(path), home=tmp_path)
    assert got.returncode != 0 and "not a kiosk database" in got.stderr
    assert oct(path.stat().st_mode & 0o777) == "0o664"
