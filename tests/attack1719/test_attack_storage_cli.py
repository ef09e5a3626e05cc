"""Outside attack on issue 19 item 1: SQLite files that are not (or no longer) a whole kiosk database.
Every command must answer with a sentence (no traceback), never write into a file that is not a kiosk
database, and `db check` must not call a database healthy that no command can open."""
from __future__ import annotations

import hashlib
import os
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


def kiosk(*args: str, home: Path, timeout: int = 120) -> subprocess.CompletedProcess:
    env = dict(os.environ, KIOSK_HOME=str(home), SDL_VIDEODRIVER="offscreen")
    return subprocess.run([sys.executable, "-m", "kiosk", *args], cwd=ROOT, env=env, capture_output=True,
                          text=True, timeout=timeout)


def digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def foreign(path: Path, user_version: int) -> Path:
    """Another program's SQLite file (many set user_version for their own schema)."""
    conn = sqlite3.connect(path)
    conn.execute("CREATE TABLE notes (id INTEGER PRIMARY KEY, body TEXT)")
    conn.execute("INSERT INTO notes (body) VALUES ('someone else''s data')")
    conn.execute(f"PRAGMA user_version = {user_version}")
    conn.commit()
    conn.close()
    return path


@pytest.mark.parametrize("user_version", [3, 12, 48])
@pytest.mark.parametrize("command", [["visitors", "onsite"], ["db", "migrate"], ["lostfound", "list"]])
def test_a_foreign_sqlite_file_is_refused_untouched(tmp_path, user_version, command):
    path = foreign(tmp_path / "other-app.db", user_version)
    before = digest(path)
    got = kiosk(*command, "--db", str(path), home=tmp_path)
    assert "Traceback" not in got.stderr + got.stdout, (got.stderr[-600:])
    assert got.returncode != 0
    assert digest(path) == before, "the command wrote kiosk tables into another program's database"


def test_db_init_refuses_a_foreign_database(tmp_path):
    path = foreign(tmp_path / "other-app.db", 0)
    got = kiosk("db", "init", "--db", str(path), home=tmp_path)
    tables = [r[0] for r in sqlite3.connect(path).execute("SELECT name FROM sqlite_master")]
    assert got.returncode != 0 and tables == ["notes"], (got.stdout[-300:], len(tables))


def test_run_shows_a_fault_screen_for_a_foreign_database(tmp_path):
    path = foreign(tmp_path / "other-app.db", 3)
    got = kiosk("run", "--db", str(path), "--size", "800x480", "--screenshot", str(tmp_path / "s.png"), home=tmp_path)
    assert "Traceback" not in got.stderr, got.stderr[-600:]


def test_db_check_does_not_call_a_database_with_a_missing_table_healthy(tmp_path):
    path = tmp_path / "kiosk.db"
    assert kiosk("db", "init", "--db", str(path), home=tmp_path).returncode == 0
    conn = sqlite3.connect(path)
    conn.execute("DROP TABLE settings")
    conn.commit()
    conn.close()
    onsite = kiosk("visitors", "onsite", "--db", str(path), home=tmp_path)
    check = kiosk("db", "check", "--db", str(path), home=tmp_path)
    assert "Traceback" not in onsite.stderr, onsite.stderr[-400:]
    assert check.returncode != 0, check.stdout   # today: "完整性：正常", exit 0, while every command fails
