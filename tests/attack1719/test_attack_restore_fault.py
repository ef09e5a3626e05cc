"""Outside attack on issue 19 item 2: a restore that meets a write fault while it copies the current
database aside (EFBIG here through RLIMIT_FSIZE; on a dying SD card the same path is an EIO) moves the
healthy database aside as "damaged", then fails the copy too, and leaves a 0-byte file at the live
path: the kiosk has no database, the data sits in before-restore/ under a "damaged" name. A failed
restore must leave the current database where it was, whole."""
from __future__ import annotations

import os
import resource
import sqlite3
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def kiosk(*args: str, home: Path, fsize: int | None = None) -> subprocess.CompletedProcess:
    env = dict(os.environ, KIOSK_HOME=str(home))

    def limit():
        if fsize is not None:
            resource.setrlimit(resource.RLIMIT_FSIZE, (fsize, fsize))
    return subprocess.run([sys.executable, "-m", "kiosk", *args], cwd=ROOT, env=env, capture_output=True,
                          text=True, timeout=300, preexec_fn=limit)


def test_a_restore_failing_on_a_write_fault_leaves_the_live_database_in_place(tmp_path):
    live = tmp_path / "data" / "kiosk.db"
    live.parent.mkdir()
    assert kiosk("demo", "init", "--db", str(live), home=tmp_path).returncode == 0
    assert kiosk("demo", "seed", "--db", str(live), "--days", "2", home=tmp_path).returncode == 0
    backups = tmp_path / "backups"
    backups.mkdir()
    assert kiosk("backup", "--db", str(live), "--to", str(backups), home=tmp_path).returncode == 0
    [backup] = list(backups.glob("*.db"))
    before = sqlite3.connect(live).execute("SELECT COUNT(*) FROM audit").fetchone()[0]
    got = kiosk("restore", "--db", str(live), "--yes", str(backup), home=tmp_path, fsize=256 * 1024)
    assert got.returncode != 0 and "Traceback" not in got.stderr
    assert live.stat().st_size > 0, ("the live database is now an empty file; the real one was moved to",
                                     sorted(p.name for p in (live.parent / "before-restore").iterdir()))
    conn = sqlite3.connect(f"file:{live}?mode=ro", uri=True)
    assert conn.execute("SELECT COUNT(*) FROM audit").fetchone()[0] == before
