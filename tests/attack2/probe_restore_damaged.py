"""Probe: a DAMAGED live file (one page overwritten, plus committed records only in its WAL) restored under
RLIMIT_FSIZE at many sizes: after a failed restore the damaged file and its WAL must be back where they were
(byte for byte), never an empty or half-copied file; after a successful one the whole backup.
Usage: python -m tests.attack2.probe_restore_damaged TPL_DB BACKUP WORKDIR"""
from __future__ import annotations

import hashlib
import shutil
import sqlite3
import sys
from pathlib import Path

from tests.attack2.probe_restore_sweep import counts, kiosk
from tests.core.test_core_restore_damaged import _damage


def digest(p: Path) -> str:
    return hashlib.sha256(p.read_bytes()).hexdigest()[:12] if p.exists() else "-"


def main():
    tpl, bak, work = Path(sys.argv[1]), Path(sys.argv[2]), Path(sys.argv[3])
    _, in_backup = counts(bak)
    hi = bak.stat().st_size
    for s in (4096, 65536, hi // 2, hi - 4096, hi, hi + 8192, hi + hi // 50, hi + hi // 10, hi * 2):
        home = work / f"d{s}"
        shutil.rmtree(home, ignore_errors=True); home.mkdir(parents=True)
        live = home / "kiosk.db"
        shutil.copy(tpl, live)
        _damage(live, "audit")
        c = sqlite3.connect(live); c.execute("PRAGMA wal_autocheckpoint=0")
        c.execute("CREATE TABLE wal_only(x)"); c.execute("INSERT INTO wal_only VALUES (7)"); c.commit()
        shutil.copy(f"{live}-wal", home / "w"); c.close(); shutil.copy(home / "w", f"{live}-wal")
        (home / "w").unlink()
        before = (digest(live), digest(Path(f"{live}-wal")))
        g = kiosk(["restore", "--db", str(live), "--yes", str(bak)], home, fsize=s)
        after = (digest(live), digest(Path(f"{live}-wal")))
        try:
            ok, now = counts(live)
            state = "backup" if now == in_backup and ok == "ok" else f"{ok} {now}"
        except Exception as e:  # noqa: BLE001
            state = f"unreadable: {e}"
        back = "damaged file back byte for byte" if after == before else f"CHANGED {before}->{after}"
        aside = sorted(p.name for p in (home / "before-restore").iterdir()) if (home / "before-restore").exists() else []
        msg = (g.stdout + g.stderr).strip().splitlines()
        print(f"fsize={s}: rc={g.returncode} {'TRACEBACK' if 'Traceback' in g.stderr else ''} "
              f"{back if g.returncode else state} size={live.stat().st_size if live.exists() else 'MISSING'}"
              f" aside={aside}\n   msg: {msg[-1][:200] if msg else ''}")


if __name__ == "__main__":
    main()
