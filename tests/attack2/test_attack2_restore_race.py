"""Outside attack 2 on the restore (issue 19): a desk still writing while `kiosk restore --yes` runs.

restore.py says a running app's connections see the restored content on their next read, and nothing stops a
restore while the desk is up. A sale whose transaction (receipt number issued) is open when the restore starts
commits while the restore waits for the write lock; the restore then copies the backup over it. Today the sale
is in neither the copy set aside (taken from the snapshot before the commit) nor the restored file, and the
series is below its number: the next sale prints receipt 161 a second time."""
from __future__ import annotations

import os
import shutil
import sqlite3
import subprocess
import sys
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def kiosk(*args: str, home: Path) -> subprocess.CompletedProcess:
    env = dict(os.environ, KIOSK_HOME=str(home))
    env.pop("KIOSK_RESTORE_FAULT", None)
    return subprocess.run([sys.executable, "-m", "kiosk", *args], cwd=ROOT, env=env, capture_output=True,
                          text=True, timeout=300)


def test_a_sale_committed_during_the_restore_is_kept_aside_and_its_number_never_reissued(tmp_path):
    live, bk = tmp_path / "kiosk.db", tmp_path / "bk"
    bk.mkdir()
    assert kiosk("demo", "init", "--db", str(live), home=tmp_path).returncode == 0
    assert kiosk("backup", "--db", str(live), "--to", str(bk), home=tmp_path).returncode == 0
    backup = sorted(bk.glob("*.db"))[-1]
    issued: dict[str, int] = {}

    def desk() -> None:
        conn = sqlite3.connect(live, isolation_level=None, timeout=60)
        conn.execute("BEGIN IMMEDIATE")
        conn.execute("INSERT INTO series (name, last) VALUES ('receipt:sale', 0) ON CONFLICT(name) DO NOTHING")
        number = conn.execute("UPDATE series SET last = last + 1 WHERE name = 'receipt:sale' RETURNING last"
                              ).fetchone()[0]
        conn.execute("CREATE TABLE sale_in_flight (receipt INTEGER)")
        conn.execute("INSERT INTO sale_in_flight VALUES (?)", (number,))
        time.sleep(5)   # the receipt prints; the manager starts the restore meanwhile
        conn.execute("COMMIT")
        issued["receipt"] = number
        conn.close()

    writer = threading.Thread(target=desk)
    writer.start()
    time.sleep(1)
    got = kiosk("restore", "--db", str(live), "--yes", str(backup), home=tmp_path)
    writer.join()
    assert issued, "the desk's sale did not commit"
    conn = sqlite3.connect(f"file:{live}?mode=ro", uri=True)
    last = conn.execute("SELECT last FROM series WHERE name = 'receipt:sale'").fetchone()
    conn.close()
    if got.returncode == 0:
        asides = sorted((tmp_path / "before-restore").glob("*.db"))
        kept = [a for a in asides if sqlite3.connect(f"file:{a}?mode=ro", uri=True).execute(
            "SELECT COUNT(*) FROM sqlite_master WHERE name = 'sale_in_flight'").fetchone()[0]]
        assert kept, "the committed sale is in neither the restored file nor the copy set aside"
        assert last is not None and last[0] >= issued["receipt"], f"receipt {issued['receipt']} will be issued again"
    else:   # refusing (the desk is running) is as good: then nothing may be lost
        conn = sqlite3.connect(f"file:{live}?mode=ro", uri=True)
        assert conn.execute("SELECT COUNT(*) FROM sale_in_flight").fetchone()[0] == 1
        conn.close()
