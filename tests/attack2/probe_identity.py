"""Probe (outside attack 2, issue 19 identity): run every --db command on odd SQLite files and report
exit code, first output line, and whether the file (and its -wal/-shm) changed. CLI only.
Usage: python tests/attack2/probe_identity.py WORKDIR"""
from __future__ import annotations

import hashlib
import os
import shutil
import sqlite3
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
PY = sys.executable
COMMANDS = [["visitors", "onsite"], ["db", "check"], ["db", "migrate"], ["db", "init"], ["lostfound", "list"],
            ["backup", "--to", "{out}"], ["demo", "init"], ["restore", "--dry-run", "{bak}"]]


def kiosk(args, home):
    env = dict(os.environ, KIOSK_HOME=str(home), SDL_VIDEODRIVER="offscreen", KIOSK_LANG="")
    return subprocess.run([PY, "-m", "kiosk", *args], cwd=ROOT, env=env, capture_output=True, text=True,
                          timeout=120)


def state(path: Path):
    out = {}
    for p in [path, Path(str(path) + "-wal"), Path(str(path) + "-shm"), Path(str(path) + "-journal")]:
        if p.exists():
            st = p.stat()
            out[p.name] = (hashlib.sha256(p.read_bytes()).hexdigest()[:12], st.st_mtime_ns, st.st_size)
    return out


def make_variants(work: Path, base: Path) -> dict[str, Path]:
    v: dict[str, Path] = {}

    def copy(name):
        d = work / name
        d.mkdir(parents=True, exist_ok=True)
        p = d / "kiosk.db"
        shutil.copy(base, p)
        return p

    p = copy("appid_other")
    c = sqlite3.connect(p); c.execute("PRAGMA application_id=1234"); c.commit(); c.close()
    v["appid_other"] = p

    d = work / "foreign_sm"; d.mkdir(exist_ok=True); p = d / "kiosk.db"
    c = sqlite3.connect(p)
    c.executescript("""CREATE TABLE schema_migrations (version INTEGER PRIMARY KEY, name TEXT);
        INSERT INTO schema_migrations VALUES (20230101, 'create_users'), (20230202, 'add_email');
        CREATE TABLE users (id INTEGER PRIMARY KEY, email TEXT); INSERT INTO users(email) VALUES ('a@b');""")
    c.commit(); c.close(); v["foreign_sm_bigver"] = p

    d = work / "foreign_sm2"; d.mkdir(exist_ok=True); p = d / "kiosk.db"
    c = sqlite3.connect(p)
    c.executescript("""CREATE TABLE schema_migrations (version INTEGER PRIMARY KEY, name TEXT);
        INSERT INTO schema_migrations VALUES (1, 'init');
        CREATE TABLE users (id INTEGER PRIMARY KEY, email TEXT); INSERT INTO users(email) VALUES ('a@b');""")
    c.commit(); c.close(); v["foreign_sm_v1_othername"] = p

    d = work / "foreign_sm3"; d.mkdir(exist_ok=True); p = d / "kiosk.db"
    c = sqlite3.connect(p)
    c.executescript("""CREATE TABLE schema_migrations (version TEXT PRIMARY KEY);
        INSERT INTO schema_migrations VALUES ('20230101120000');
        CREATE TABLE users (id INTEGER PRIMARY KEY, email TEXT);""")
    c.commit(); c.close(); v["foreign_rails"] = p

    d = work / "empty0"; d.mkdir(exist_ok=True); p = d / "kiosk.db"; p.write_bytes(b""); v["empty0"] = p

    p = copy("analyst")
    c = sqlite3.connect(p)
    c.executescript("""CREATE TABLE analyst_notes (id INTEGER PRIMARY KEY, t TEXT);
        CREATE VIEW analyst_day AS SELECT date('now') AS d;""")
    c.commit(); c.close(); v["analyst_extra"] = p

    p = copy("dropidx")
    c = sqlite3.connect(p)
    idx = c.execute("SELECT name FROM sqlite_master WHERE type='index' AND sql IS NOT NULL LIMIT 1").fetchone()[0]
    c.execute(f'DROP INDEX "{idx}"'); c.commit(); c.close(); v["dropped_index:" + idx] = p

    p = copy("dropview")
    c = sqlite3.connect(p)
    row = c.execute("SELECT name FROM sqlite_master WHERE type='view' LIMIT 1").fetchone()
    if row:
        c.execute(f'DROP VIEW "{row[0]}"'); c.commit(); v["dropped_view:" + row[0]] = p
    c.close()

    # kiosk db with an open WAL (copied mid-write): copy main file + wal while a writer holds uncheckpointed data
    d = work / "midwal"; d.mkdir(exist_ok=True)
    src = work / "_walsrc.db"; shutil.copy(base, src)
    w = sqlite3.connect(src); w.execute("PRAGMA journal_mode=WAL"); w.execute("PRAGMA wal_autocheckpoint=0")
    w.execute("CREATE TABLE IF NOT EXISTS _probe(x)")  # an analyst-ish table in the WAL
    w.execute("UPDATE settings SET value = value WHERE 0"); w.commit()
    p = d / "kiosk.db"
    shutil.copy(src, p); shutil.copy(str(src) + "-wal", str(p) + "-wal")
    w.close(); v["midwal"] = p
    return v


def main() -> None:
    work = Path(sys.argv[1]); work.mkdir(parents=True, exist_ok=True)
    base = work / "_base" / "kiosk.db"
    if not base.exists():
        kiosk(["demo", "init", "--db", str(base)], work)
    bakdir = work / "_bak"; bakdir.mkdir(exist_ok=True)
    kiosk(["backup", "--db", str(base), "--to", str(bakdir)], work)
    bak = sorted(bakdir.glob("*.db"))[-1]
    variants = make_variants(work, base)
    only = sys.argv[2:] or None
    for name, path in variants.items():
        if only and not any(o in name for o in only):
            continue
        for ro in (False, True):
            if ro:
                os.chmod(path, 0o444)
            for cmd in COMMANDS:
                out = work / "_out" / name.replace(":", "_"); out.mkdir(parents=True, exist_ok=True)
                args = [a.format(out=out, bak=bak) for a in cmd]
                before = state(path)
                got = kiosk(args + ["--db", str(path)] if cmd[0] != "restore" else
                            [args[0], "--db", str(path), *args[1:]], work)
                after = state(path)
                text = (got.stdout + got.stderr).strip().splitlines()
                first = text[-1] if text else ""
                tb = "TRACEBACK " if "Traceback" in got.stderr else ""
                changed = "" if before == after else f" CHANGED {before} -> {after}"
                print(f"[{name}{' ro' if ro else ''}] {' '.join(cmd[:2])}: rc={got.returncode} {tb}{first[:160]}{changed}")
            if ro:
                os.chmod(path, 0o644)


if __name__ == "__main__":
    main()
