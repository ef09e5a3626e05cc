"""Probe: a desk still running (restore's help says stop it; nothing enforces it, and the module says a running
app's connections see the new content) is in the middle of a sale when `kiosk restore --yes` starts: its write
transaction (a receipt number issued: series receipt:sale +1, and a record) commits while the restore waits for
the write lock. That committed sale must be in the copy set aside, and the series must go past its number
(never a receipt number twice). Usage: python -m tests.attack2.probe_restore_racing_writer LIVE BACKUP WORKDIR"""
from __future__ import annotations

import shutil
import sqlite3
import subprocess
import sys
import threading
import time
from pathlib import Path

from tests.attack2.probe_restore_sweep import kiosk


def main():
    tpl, bak, work = Path(sys.argv[1]), Path(sys.argv[2]), Path(sys.argv[3])
    shutil.rmtree(work, ignore_errors=True); work.mkdir(parents=True)
    live = work / "kiosk.db"
    shutil.copy(tpl, live)
    subprocess.run([sys.executable, "-m", "kiosk", "visitors", "onsite", "--db", str(live)], capture_output=True)
    issued = {}

    def desk():
        c = sqlite3.connect(live, isolation_level=None, timeout=30)
        c.execute("BEGIN IMMEDIATE")
        n = c.execute("UPDATE series SET last = last + 1 WHERE name = 'receipt:sale' RETURNING last").fetchone()[0]
        c.execute("CREATE TABLE sale_in_flight (receipt INTEGER)")
        c.execute("INSERT INTO sale_in_flight VALUES (?)", (n,))
        time.sleep(6)          # the printer prints the receipt; the restore starts meanwhile
        c.execute("COMMIT")
        issued["receipt"] = n
        c.close()

    t = threading.Thread(target=desk); t.start()
    time.sleep(1)
    g = kiosk(["restore", "--db", str(live), "--yes", str(bak)], work)
    t.join()
    print("restore rc", g.returncode, (g.stdout + g.stderr).strip().splitlines()[-1][:160])
    print("receipt printed by the desk:", issued)
    c = sqlite3.connect(f"file:{live}?mode=ro", uri=True)
    print("live series receipt:sale =", c.execute("SELECT last FROM series WHERE name='receipt:sale'").fetchone())
    c.close()
    for aside in sorted((work / "before-restore").glob("*.db")):
        a = sqlite3.connect(f"file:{aside}?mode=ro", uri=True)
        has = a.execute("SELECT COUNT(*) FROM sqlite_master WHERE name='sale_in_flight'").fetchone()[0]
        print("aside", aside.name, "holds the committed sale:", bool(has),
              "series:", a.execute("SELECT last FROM series WHERE name='receipt:sale'").fetchone())
        a.close()


if __name__ == "__main__":
    main()
