"""Probe (issue 19.1, fire roll call): the SD card remounted read-only (ext4 errors=remount-ro) after
the app crashed with sign-ins still only in the WAL. `visitors onsite` must list them, or say it cannot.
Step 1 (this script, 'make'): a database with 3 visitors signed in now, left in WAL (process killed).
Step 2 (shell): bind-mount the folder read-only and run `kiosk visitors onsite --db ...`."""
import os, sys, signal
sys.path.insert(0, ".")
from pathlib import Path
from kiosk.core import db as kdb
from kiosk.core.clock import SystemClock
from kiosk.demo import accounts
from kiosk.visitors import service as visitors

path = Path(sys.argv[1])
d = kdb.connect(path)
clock = SystemClock()
accounts.ensure_demo(d, clock)
d.conn.execute("PRAGMA wal_autocheckpoint=0")
host = d.execute("SELECT id FROM hosts LIMIT 1").fetchone()[0]
for i, name in enumerate(["张三", "李四", "王五"]):
    visitors.sign_in(d, clock, visitors.Visitor(name=name, phone=f"1380013800{i}", host_id=host, purpose="meeting",
                                                 privacy_accepted=True))
print("on site in this process:", len(visitors.on_site(d)), "wal bytes", os.path.getsize(str(path) + "-wal"), flush=True)
os.kill(os.getpid(), signal.SIGKILL)   # a crash: no checkpoint at close
