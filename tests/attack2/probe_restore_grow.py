"""Probe: restore a backup LARGER than the live file under RLIMIT_FSIZE between the two sizes, so the fault
lands in the copy in / its WAL / the checkpoint / the record rather than in the copy aside.
Usage: python tests/attack2/probe_restore_grow.py TPL_DIR BACKUP WORKDIR"""
from __future__ import annotations

import shutil
import sys
from pathlib import Path

from tests.attack2.probe_restore_sweep import counts, kiosk


def main():
    tpl, bak, work = Path(sys.argv[1]), Path(sys.argv[2]), Path(sys.argv[3])
    live0 = tpl / "kiosk.db"
    _, before = counts(live0)
    _, in_backup = counts(bak)
    lo, hi = live0.stat().st_size, bak.stat().st_size
    print("live", lo, before, "backup", hi, in_backup)
    for s in sorted({lo + 4096, (lo + hi) // 2, hi - 4096, hi, hi + 4096, hi + 12288, hi + 40960, hi + hi // 50,
                     hi + hi // 10, hi + hi // 4}):
        home = work / f"g{s}"
        shutil.rmtree(home, ignore_errors=True); shutil.copytree(tpl, home)
        live = home / "kiosk.db"
        g = kiosk(["restore", "--db", str(live), "--yes", str(bak)], home, fsize=s)
        try:
            ok, now = counts(live)
        except Exception as e:  # noqa: BLE001
            ok, now = f"UNOPENABLE {e}", {}
        state = "before" if now == before else "backup" if now == in_backup else f"OTHER {now}"
        side = sorted(p.name for p in home.iterdir())
        onsite = kiosk(["visitors", "onsite", "--db", str(live)], home)
        dry = kiosk(["restore", "--db", str(live), "--dry-run", str(bak)], home)
        again = kiosk(["restore", "--db", str(live), "--yes", str(bak)], home)
        _, now2 = counts(live)
        msg = (g.stdout + g.stderr).strip().splitlines()
        print(f"fsize={s}: rc={g.returncode} {'TRACEBACK' if 'Traceback' in g.stderr else ''} check={ok} live={state}"
              f" files={side} onsite={onsite.returncode} dry={dry.returncode} again={again.returncode}"
              f" again_state={'backup' if now2 == in_backup else now2}\n   msg: {msg[-1][:240] if msg else ''}")
        for name, r in (("onsite", onsite), ("dry", dry), ("again", again)):
            if r.returncode != 0 or "Traceback" in r.stderr:
                print(f"   {name}: {(r.stdout + r.stderr).strip().splitlines()[-1][:300]}")


if __name__ == "__main__":
    main()
