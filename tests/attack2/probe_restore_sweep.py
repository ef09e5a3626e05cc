"""Probe (outside attack 2, issue 19 restore write faults): `kiosk restore` under RLIMIT_FSIZE at many sizes
and under each injected eio@<step>; after each failure the live file must be whole, openable, and hold either
every record it held before or the whole backup; then `--dry-run` and a second (unlimited) restore must work.
Usage: python tests/attack2/probe_restore_sweep.py WORKDIR [wal]"""
from __future__ import annotations

import os
import resource
import shutil
import sqlite3
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
PY = sys.executable


def kiosk(args, home, fsize=None, fault=None):
    env = dict(os.environ, KIOSK_HOME=str(home))
    env.pop("KIOSK_RESTORE_FAULT", None)
    if fault:
        env["KIOSK_RESTORE_FAULT"] = fault

    def limit():
        if fsize is not None:
            resource.setrlimit(resource.RLIMIT_FSIZE, (fsize, fsize))
    return subprocess.run([PY, "-m", "kiosk", *args], cwd=ROOT, env=env, capture_output=True, text=True,
                          timeout=300, preexec_fn=limit)


def counts(path: Path):
    c = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    try:
        ok = c.execute("PRAGMA quick_check").fetchone()[0]
        n = {t: c.execute(f'SELECT COUNT(*) FROM "{t}"').fetchone()[0] for t in ("visits", "sales", "lf_items")}
        return ok, n
    finally:
        c.close()


def main():
    work = Path(sys.argv[1]); wal = "wal" in sys.argv[2:]
    tpl = work / "tpl"; bk = work / "bk"
    if not tpl.exists():
        tpl.mkdir(parents=True); bk.mkdir()
        db = tpl / "kiosk.db"
        for a in (["demo", "init", "--db", str(db)], ["demo", "seed", "--db", str(db), "--days", "1"],
                  ["backup", "--db", str(db), "--to", str(bk)], ["demo", "seed", "--db", str(db), "--days", "2"]):
            g = kiosk(a, work); assert g.returncode == 0, g.stderr
    bak = sorted(bk.glob("*.db"))[-1]
    size = (tpl / "kiosk.db").stat().st_size
    before_ok, before = counts(tpl / "kiosk.db")
    _, in_backup = counts(bak)
    print("live", size, before, "backup", bak.stat().st_size, in_backup)
    cases = [("fsize", s) for s in (4096, 65536, size // 2, size - 4096, size, size + 8192, size + size // 4,
                                     size * 3 // 2, size * 2, size * 3)]
    cases += [("fault", f"eio@{s}") for s in ("aside-copying", "aside-made", "journal-writing", "journal-written",
                                             "copying", "copied", "recorded", "journal-dropped", "reapplied",
                                             "rotating")]
    for kind, val in cases:
        home = work / f"{kind}-{str(val).replace('@', '_')}"
        shutil.rmtree(home, ignore_errors=True)
        shutil.copytree(tpl, home)
        live = home / "kiosk.db"
        if wal:   # committed records only in the WAL (an app that has not checkpointed yet)
            c = sqlite3.connect(live); c.execute("PRAGMA wal_autocheckpoint=0")
            c.execute("CREATE TABLE IF NOT EXISTS analyst_note(x)"); c.execute("INSERT INTO analyst_note VALUES (1)")
            c.commit()
            shutil.copy(str(live) + "-wal", home / "saved-wal"); c.close()
            shutil.copy(home / "saved-wal", str(live) + "-wal")
        g = kiosk(["restore", "--db", str(live), "--yes", str(bak)], home,
                  fsize=val if kind == "fsize" else None, fault=val if kind == "fault" else None)
        msg = (g.stdout + g.stderr).strip().splitlines()
        tb = "TRACEBACK" if "Traceback" in g.stderr else ""
        zh = any(ord(ch) > 0x3000 for ch in g.stderr)
        try:
            ok, now = counts(live)
        except Exception as e:  # noqa: BLE001
            ok, now = f"UNOPENABLE {e}", {}
        state = "before" if now == before else "backup" if now == in_backup else f"OTHER {now}"
        onsite = kiosk(["visitors", "onsite", "--db", str(live)], home)
        dry = kiosk(["restore", "--db", str(live), "--dry-run", str(bak)], home)
        again = kiosk(["restore", "--db", str(live), "--yes", str(bak)], home)
        try:
            ok2, now2 = counts(live)
        except Exception as e:  # noqa: BLE001
            ok2, now2 = f"UNOPENABLE {e}", {}
        print(f"{kind}={val}: rc={g.returncode} {tb} zh={zh} check={ok} live={state} onsite_rc={onsite.returncode}"
              f" dry_rc={dry.returncode} again_rc={again.returncode} again_state={'backup' if now2 == in_backup else now2}"
              f" {ok2}\n   msg: {msg[-1][:220] if msg else ''}")
        for name, r in (("onsite", onsite), ("dry", dry), ("again", again)):
            if r.returncode != 0 or "Traceback" in r.stderr:
                print(f"   {name}: {(r.stdout + r.stderr).strip().splitlines()[-1][:300]}")
        if wal:
            c = sqlite3.connect(f"file:{live}?mode=ro", uri=True)
            try:
                print("   analyst_note rows after first restore:", "n/a")
            finally:
                c.close()


if __name__ == "__main__":
    main()
