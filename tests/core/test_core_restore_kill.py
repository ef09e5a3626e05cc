"""Hostile: `kiosk restore` SIGKILLed (real child processes) at every step it has and at random moments, then the
database opened the way the app opens it (kiosk.core.context), and checked each time (issue 19):

* no series number is ever issued twice: every series continues past the highest number of the replaced file
  and of the backup;
* no erased person comes back: the name and phone erased after the backup are in no byte of the live file
  (database and WAL);
* nothing half-made is left: no partial copy, partial journal or lone file in the data folder or in
  before-restore/, and every file the clean-up removed is named in the audit;
* the journal is always resolved (gone, and the restore recorded ok or failed);
* the database holds either the whole backup or the whole old content, never a mix;
* a second restore run straight after a killed one (no app start in between) keeps all of the above.
"""
from __future__ import annotations

import json
import os
import random
import shutil
import signal
import sqlite3
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import pytest

from kiosk.core import backup as backup_mod
from kiosk.core import config as config_mod
from kiosk.core import context
from kiosk.core import db as db_mod
from kiosk.core import restore as restore_mod
from kiosk.core import series
from kiosk.core.clock import FakeClock
from tests.core.test_core_erasure import NAME, PHONE, _fill

ROOT = Path(__file__).resolve().parents[2]
OLD_MARK, LATER = "哨兵旧主机", "Later Caller"   # only in the old content (added after the backup)
POINTS = ("aside-copying", "backup-sidecar", "aside-made", "journal-partial", "journal-written", "copied", "recorded",
          "journal-dropped", "reapplied", "rotating")


def _issue(database, name: str, count: int) -> None:
    with db_mod.write(database):
        for _ in range(count):
            series.next_number(database, name)


@pytest.fixture(scope="module")
def template(tmp_path_factory) -> Path:
    """A data folder: kiosk.db (the person erased after the backup, numbers issued after it, a host and a visit
    the backup lacks), bk/ with the backup, before-restore/ full enough that a restore rotates."""
    from kiosk.core import erasure
    from kiosk.visitors import service as visitors
    root = tmp_path_factory.mktemp("kill-template")
    data = root / "data"
    data.mkdir()
    db = data / "kiosk.db"
    clock = FakeClock()
    ctx = context.Context(config=config_mod.validate({}, "<template>"), db_path=db, clock=clock)
    database = ctx.db
    boss = _fill(database, clock)
    _issue(database, "receipt:sale", 3)
    _issue(database, "lostfound:2026", 2)
    (root / "bk").mkdir()
    backup_mod.make_backup(db, root / "bk", clock=clock, policy=None)
    clock.advance(60)
    _issue(database, "receipt:sale", 4)      # printed after the backup: never to be issued again
    _issue(database, "receipt:fee", 5)       # a series the backup does not have at all
    erasure.erase(database, clock, boss.actor(), erasure.Person(name=NAME, phone=PHONE))
    visitors.add_host(database, clock, boss.actor(), OLD_MARK)
    host = visitors.find_hosts(database, OLD_MARK)[0]["id"]
    visitors.sign_in(database, clock, visitors.Visitor(LATER, "13311112222", host, "meeting",
                                                       privacy_accepted=True), tz="Asia/Shanghai")
    aside = data / restore_mod.ASIDE
    aside.mkdir(mode=0o700)
    for _ in range(restore_mod.KEEP_ASIDE):  # a full before-restore/: the restore's rotation removes one
        clock.advance(1)
        backup_mod.make_backup(db, aside, clock=clock, policy=None)
    ctx.close()
    return root


def _copy(template: Path, where: Path) -> tuple[Path, Path]:
    shutil.copytree(template, where)
    return where / "data" / "kiosk.db", backup_mod.backups(where / "bk")[0].path


def _content(db: Path) -> tuple[frozenset, int]:
    conn = sqlite3.connect(db)
    try:
        hosts = frozenset(r[0] for r in conn.execute("SELECT name FROM hosts"))
        later = conn.execute("SELECT COUNT(*) FROM visits WHERE name = ?", (LATER,)).fetchone()[0]
        return hosts, later
    finally:
        conn.close()


def _restore_proc(db: Path, file: Path, fault: str = "") -> subprocess.Popen:
    env = dict(os.environ, **{restore_mod.FAULT_ENV: fault, "PYTHONUNBUFFERED": "1"})
    return subprocess.Popen([sys.executable, "-m", "kiosk", "restore", "--db", str(db), "--yes", str(file)],
                            cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


def _leftovers(data: Path) -> list[str]:
    """What the data folder and before-restore/ hold that is not a database, its WAL, or a whole backup."""
    out = []
    for path in data.iterdir():
        if path.name in ("kiosk.db", "kiosk.db-wal", "kiosk.db-shm", restore_mod.ASIDE):
            continue
        out.append(path.name)
    aside = data / restore_mod.ASIDE
    for path in (aside.iterdir() if aside.is_dir() else []):
        if path.name.endswith(".db.json"):
            if not Path(str(path)[:-5]).is_file():
                out.append(f"{restore_mod.ASIDE}/{path.name} (sidecar alone)")
        elif backup_mod.read_backup(path) is None:
            out.append(f"{restore_mod.ASIDE}/{path.name}")
    return out


@dataclass(frozen=True)
class Expected:
    """What the template's files hold: the series of the live file and of the backup, the erasures' times."""

    old: dict[str, int]
    new: dict[str, int]
    erased: set[str]


def _expected(template: Path) -> Expected:
    db = template / "data" / "kiosk.db"
    return Expected(restore_mod.series_of(db), restore_mod.series_of(backup_mod.backups(template / "bk")[0].path),
                    _erased_at(db))


def _check(db: Path, expected: Expected, before_kill: list[str], what: str) -> str:
    """Open as the app does, then check every promise (all of them, then one failure listing each broken one);
    returns which content the file holds."""
    data = db.parent
    journal = restore_mod.journal_path(db)
    journal_left = journal.exists()
    ctx = context.build(None, db)
    try:
        ctx.db  # noqa: B018  (the next start: a writable open)
    finally:
        ctx.close()
    broken: list[str] = []
    if journal.exists():
        broken.append("the journal is still there")
    conn = sqlite3.connect(db)
    try:
        restores = conn.execute("SELECT outcome FROM backups WHERE kind = 'restore'").fetchall()
        audit = "\n".join(str(v) for row in conn.execute("SELECT before, after FROM audit") for v in row if v)
        erasures = {r[0] for r in conn.execute("SELECT at FROM audit WHERE action IN ('privacy.erase',"
                                               " 'privacy.erase_carried')")}
    finally:
        conn.close()
    if journal_left and not restores:
        broken.append("a journal left by the kill did not become a recorded restore")
    # Never a number twice.
    now = restore_mod.series_of(db)
    for name in sorted(set(expected.old) | set(expected.new)):
        issued = max(expected.old.get(name, 0), expected.new.get(name, 0))
        if now.get(name, 0) < issued:
            broken.append(f"series {name} continues at {now.get(name, 0) + 1}: numbers up to {issued} were issued")
    # No erased person back, in any byte of the live file.
    for path in (db, Path(f"{db}-wal")):
        if path.exists():
            blob = path.read_bytes()
            broken += [f"{text} is back in {path.name}" for text in (NAME, PHONE) if text.encode("utf-8") in blob]
    # The proof of the erasure stays with the records (its audit row, carried into a restored file).
    if not expected.erased <= erasures:
        broken.append("the erasure's audit record is gone")
    # Nothing half-made left, and what the clean-up removed is in the audit.
    broken += [f"left behind: {name}" for name in _leftovers(data)]
    broken += [f"{name} was removed without an audit record" for name in before_kill
               if name != journal.name and name.split("/")[-1].split(" ")[0] not in audit]
    # The whole backup or the whole old content.
    hosts, later = _content(db)
    held = "old" if OLD_MARK in hosts else "backup"
    if later != (1 if held == "old" else 0):
        broken.append("a mix of old and restored content")
    assert not broken, f"{what}: " + "; ".join(broken)
    return held


def _erased_at(db: Path) -> set[str]:
    conn = sqlite3.connect(db)
    try:
        return {r[0] for r in conn.execute("SELECT at FROM audit WHERE action = 'privacy.erase'")}
    finally:
        conn.close()


def _after_kill(db: Path) -> list[str]:
    return _leftovers(db.parent)


@pytest.mark.parametrize("point", POINTS)
def test_a_restore_killed_at_each_step_keeps_every_promise(template, tmp_path, point):
    db, file = _copy(template, tmp_path / "site")
    expected = _expected(template)
    proc = _restore_proc(db, file, point)
    out, err = proc.communicate(timeout=120)
    assert proc.returncode == -signal.SIGKILL, (point, out, err)
    _check(db, expected, _after_kill(db), point)


@pytest.mark.parametrize("point", POINTS)
def test_a_second_restore_straight_after_a_killed_one_keeps_every_promise(template, tmp_path, point):
    """No app start between: the second `kiosk restore` finds the first one's journal and copies."""
    db, file = _copy(template, tmp_path / "site")
    expected = _expected(template)
    proc = _restore_proc(db, file, point)
    proc.communicate(timeout=120)
    assert proc.returncode == -signal.SIGKILL
    again = _restore_proc(db, file)
    out, err = again.communicate(timeout=120)
    assert again.returncode == 0, (point, out, err)
    assert _check(db, expected, [], f"{point} then a whole restore") == "backup"


def _started(proc: subprocess.Popen) -> float:
    """Wait for the command's first line (the plan is made: the restore's own work starts); returns when."""
    line = proc.stdout.readline()
    assert line, proc.communicate(timeout=120)
    return time.monotonic()


def _kill_after(proc: subprocess.Popen, delay: float) -> bool:
    """SIGKILL the process after delay seconds (a real process at a random moment); whether it was still running."""
    time.sleep(delay)
    try:
        os.kill(proc.pid, signal.SIGKILL)
    except ProcessLookupError:
        pass
    proc.communicate(timeout=120)
    return proc.returncode == -signal.SIGKILL


def _state(db: Path) -> str:
    """Where a kill left the restore (for the tally): its journal, partial files, or neither."""
    marks = ["journal"] if restore_mod.journal_path(db).exists() else []
    marks += ["partial"] if [n for n in _leftovers(db.parent) if not n.endswith(restore_mod.JOURNAL_SUFFIX)] else []
    return "+".join(marks) or "clean"


def test_restores_killed_at_random_moments_keep_every_promise(template, tmp_path):
    expected = _expected(template)
    # How long the restore's own work takes here (from its first printed line to the end).
    db, file = _copy(template, tmp_path / "timed")
    proc = _restore_proc(db, file)
    begun = _started(proc)
    out, err = proc.communicate(timeout=120)
    work = time.monotonic() - begun
    assert proc.returncode == 0, (out, err)
    assert _check(db, expected, [], "unkilled") == "backup"
    rng = random.Random(int(os.environ.get("KIOSK_KILL_SEED", "19")))
    seen: dict[str, int] = {}
    deadline = time.monotonic() + float(os.environ.get("KIOSK_KILL_SECONDS", "15"))
    runs = killed = 0
    while time.monotonic() < deadline or runs < 8:
        db, file = _copy(template, tmp_path / f"run{runs}")
        proc = _restore_proc(db, file)
        _started(proc)
        delay = rng.uniform(0, 1.05 * work)
        killed += _kill_after(proc, delay)
        before = _after_kill(db)
        state = _state(db)
        if rng.random() < 0.3:  # now and then a second restore at once (no start between), itself killed
            second = _restore_proc(db, file)
            _started(second)
            _kill_after(second, rng.uniform(0, 1.05 * work))
            before, state = [], state + ", then again"
        held = _check(db, expected, before, f"run {runs} killed {delay:.3f} s into the work")
        seen[f"{state} -> {held}"] = seen.get(f"{state} -> {held}", 0) + 1
        shutil.rmtree(tmp_path / f"run{runs}")
        runs += 1
    print(f"{runs} runs, {killed} killed (the work takes {work:.2f} s): {sorted(seen.items())}")
    assert runs >= 8 and killed >= runs // 2


def test_a_recovery_killed_after_its_record_is_only_finished_by_the_next_start(template, tmp_path):
    """The second restore records the first one's interruption and is killed before it removes the journal."""
    db, file = _copy(template, tmp_path / "site")
    expected = _expected(template)
    for fault in ("copied", "recovered"):
        proc = _restore_proc(db, file, fault)
        proc.communicate(timeout=120)
        assert proc.returncode == -signal.SIGKILL, fault
    assert restore_mod.journal_path(db).exists()
    assert _check(db, expected, [], "recovery killed") == "backup"
    conn = sqlite3.connect(db)
    try:
        assert conn.execute("SELECT outcome FROM backups WHERE kind = 'restore'").fetchall() == [("failed",)], \
            "the interruption is recorded once"
    finally:
        conn.close()


def test_a_damaged_file_moved_aside_when_the_kill_lands_leaves_no_stale_wal_under_the_restored_one(template, tmp_path):
    """A file too damaged to copy is moved aside as it is, with its WAL: a kill between the moves must never
    leave the old WAL beside the database (SQLite would lay its pages over the restored file)."""
    site = tmp_path / "site"
    db, file = _copy(template, site)
    # A WAL with committed frames, as a desk that was running leaves it; then a damaged page in the main file.
    conn = sqlite3.connect(db)
    conn.execute("PRAGMA wal_autocheckpoint=0")
    with conn:
        conn.execute("UPDATE hosts SET name = name || ' (wal)' WHERE name = ?", (OLD_MARK,))
    shutil.copy(db, tmp_path / "main")
    shutil.copy(f"{db}-wal", tmp_path / "wal")
    conn.close()
    shutil.copy(tmp_path / "main", db)
    shutil.copy(tmp_path / "wal", f"{db}-wal")
    Path(f"{db}-shm").unlink(missing_ok=True)
    page = sqlite3.connect(f"file:{tmp_path / 'main'}?mode=ro", uri=True)
    size = page.execute("PRAGMA page_size").fetchone()[0]
    (root,) = page.execute("SELECT rootpage FROM sqlite_master WHERE name = 'audit'").fetchone()
    page.close()
    with open(db, "r+b") as fh:
        fh.seek((root - 1) * size)
        fh.write(b"\xff" * 64)
    assert not restore_mod.plan(db, file).live_readable
    proc = _restore_proc(db, file, "damaged-moving")
    proc.communicate(timeout=120)
    assert proc.returncode == -signal.SIGKILL
    assert db.exists() or not Path(f"{db}-wal").exists(), "a WAL beside no database: the next file would take it"
    again = _restore_proc(db, file)
    out, err = again.communicate(timeout=120)
    assert again.returncode == 0, (out, err)
    check = sqlite3.connect(db)
    try:
        assert check.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        assert not check.execute("SELECT COUNT(*) FROM hosts WHERE name LIKE '%(wal)'").fetchone()[0], \
            "the old WAL's pages are not in the restored file"
    finally:
        check.close()
    assert _content(db) == _content(file)
    kept = sorted(p.name for p in (db.parent / restore_mod.ASIDE).iterdir() if ".damaged-" in p.name)
    assert set(kept) - {f"{kept[0]}-shm"} == {kept[0], f"{kept[0]}-wal"}, f"the damaged file and its WAL, a pair: {kept}"
    for suffix in ("", "-wal"):   # read as someone rescuing it would: the pair copied out, its WAL replayed
        shutil.copy(db.parent / restore_mod.ASIDE / f"{kept[0]}{suffix}", tmp_path / f"rescued{suffix}")
    moved = sqlite3.connect(tmp_path / "rescued")
    try:   # its last records (in the WAL) are still there to be read
        assert moved.execute("SELECT COUNT(*) FROM hosts WHERE name LIKE '%(wal)'").fetchone()[0] == 1
    finally:
        moved.close()
