"""A restore is journaled: a process killed (SIGKILL, in a real child process) between the page copy and its
record, or between the journal and the copy, leaves a journal that the next writable open reports and records;
before-restore/ keeps the configured newest copies, never one an erasure has not reached, removals audited."""
from __future__ import annotations

import json
import os
import signal
import sqlite3
import subprocess
import sys
from pathlib import Path

from click.testing import CliRunner

from kiosk.cli.main import main
from kiosk.core import backup as backup_mod
from kiosk.core import context
from kiosk.core import restore as restore_mod
from tests.days import yesterday

ROOT = Path(__file__).resolve().parents[2]


def cli(*args: str) -> str:
    result = CliRunner().invoke(main, list(args))
    assert result.exit_code == 0 and "Traceback" not in result.output, result.output
    return result.output


def _site(tmp_path: Path) -> tuple[Path, Path, dict[str, int], dict[str, int]]:
    db = tmp_path / "数据 dir" / "k.db"
    db.parent.mkdir()
    cli("demo", "init", "--db", str(db))
    cli("demo", "seed", "--db", str(db), "--days", "1", "--end-day", yesterday(), "--sales", "3", "--visitors", "2", "--calls", "0", "--seed", "3")
    bk = tmp_path / "bk"
    bk.mkdir()
    cli("backup", "--db", str(db), "--to", str(bk), "--keep-all")
    backed = restore_mod.series_of(db)
    cli("demo", "seed", "--db", str(db), "--days", "1", "--end-day", yesterday(), "--sales", "4", "--visitors", "0", "--calls", "0", "--seed", "9")
    return db, backup_mod.backups(bk)[0].path, backed, restore_mod.series_of(db)


KILLER = """
import os, signal, sys
from kiosk.core import backup, db as db_mod, restore
from kiosk.core.audit import SYSTEM
from kiosk.core.clock import SystemClock
where = sys.argv[3]
if where == "before-record":
    real = backup.record
    def record(*a, **k):
        if k.get("kind") == "restore":
            os.kill(os.getpid(), signal.SIGKILL)
        return real(*a, **k)
    backup.record = record
else:
    def make_private(path):
        os.kill(os.getpid(), signal.SIGKILL)
    db_mod.make_private = make_private
restore.restore(sys.argv[1], sys.argv[2], clock=SystemClock(), actor=SYSTEM)
"""


def _killed_restore(db: Path, file: Path, where: str) -> None:
    proc = subprocess.run([sys.executable, "-c", KILLER, str(db), str(file), where], cwd=ROOT,
                          capture_output=True, text=True, timeout=120)
    assert proc.returncode == -signal.SIGKILL, proc.stderr


def _restores(db: Path) -> list[tuple]:
    conn = sqlite3.connect(db)
    try:
        return conn.execute("SELECT outcome, file, destination, reason FROM backups WHERE kind = 'restore'").fetchall()
    finally:
        conn.close()


def test_a_kill_between_the_copy_and_its_record_is_reported_and_recorded_on_the_next_start(tmp_path):
    db, file, backed, issued = _site(tmp_path)
    _killed_restore(db, file, "before-record")
    journal = restore_mod.journal_path(db)
    assert journal.exists(), "the journal outlives the kill"
    assert json.loads(journal.read_text("utf-8"))["file"] == str(file)
    assert _restores(db) == []                                # the kill left no record: the journal is the trace
    ctx = context.build(None, db)
    try:
        ctx.db  # noqa: B018  (the next start: a writable open)
        rows = _restores(db)
        assert len(rows) == 1 and rows[0][0] == "failed" and rows[0][1] == str(file)
        assert "now holds that backup's records" in json.loads(rows[0][3])["msgid"]
        assert not journal.exists()
        after = restore_mod.series_of(db)
        assert all(after[n] >= issued[n] for n in issued), (after, issued)   # no receipt number twice
        state = backup_mod.status(ctx.db, ctx.clock)
        text = state.restore_problem.message("zh_CN")
        assert "中断" in text and str(file) in text and "interrupted" not in text
        audit = ctx.db.execute("SELECT COUNT(*) FROM audit WHERE action = 'database.restore'").fetchone()[0]
        assert audit == 1
    finally:
        ctx.close()
    # Opening again records nothing more.
    ctx = context.build(None, db)
    try:
        ctx.db  # noqa: B018
        assert len(_restores(db)) == 1
    finally:
        ctx.close()
    # A whole restore afterwards is recorded ok and the manager's line no longer shows the interruption.
    cli("restore", "--db", str(db), "--yes", str(file))
    # (the backup's own record table replaces the live one: the earlier rows are in the copy set aside)
    assert [r[0] for r in _restores(db)] == ["ok"]
    ctx = context.build(None, db)
    try:
        assert backup_mod.status(ctx.db, ctx.clock).restore_problem is None
    finally:
        ctx.close()


def test_a_kill_before_the_copy_says_the_old_records_are_still_there(tmp_path):
    db, file, backed, issued = _site(tmp_path)
    before = sqlite3.connect(db).execute("SELECT COUNT(*) FROM sales").fetchone()[0]
    _killed_restore(db, file, "before-copy")
    ctx = context.build(None, db)
    try:
        ctx.db  # noqa: B018
        rows = _restores(db)
        assert len(rows) == 1 and "still holds its records from before" in json.loads(rows[0][3])["msgid"]
        assert ctx.db.execute("SELECT COUNT(*) FROM sales").fetchone()[0] == before
    finally:
        ctx.close()


def test_a_damaged_journal_is_still_reported(tmp_path):
    db, file, _, _ = _site(tmp_path)
    restore_mod.journal_path(db).write_bytes(b"\x00\xff{not json\x1b[2J")
    ctx = context.build(None, db)
    try:
        ctx.db  # noqa: B018
        rows = _restores(db)
        assert len(rows) == 1 and rows[0][0] == "failed"
        assert not restore_mod.journal_path(db).exists()
    finally:
        ctx.close()


def test_before_restore_keeps_the_newest_and_every_copy_an_erasure_has_not_reached(tmp_path):
    db, file, _, _ = _site(tmp_path)
    aside = db.parent / restore_mod.ASIDE
    cfg = tmp_path / "k.toml"
    cfg.write_text('[backup]\nkeep_before_restore = 2\n', "utf-8")
    for _ in range(3):
        cli("restore", "--config", str(cfg), "--db", str(db), "--yes", str(file))
    copies = backup_mod.backups(aside)
    assert len(copies) == 2
    oldest_kept = copies[-1]
    # An erasure after the oldest kept copy's snapshot that did not reach it (no erased_at in its sidecar).
    from datetime import timedelta

    from kiosk.core import db as db_mod
    from kiosk.core.clock import utc_iso
    database = db_mod.connect(db, create=False)
    with db_mod.write(database):
        database.execute("INSERT INTO audit (at, actor_id, actor, action, record_table, record_id, before, after)"
                         " VALUES (?, NULL, 'test', 'privacy.erase', NULL, NULL, NULL, '{}')",
                         (utc_iso(oldest_kept.taken_at + timedelta(milliseconds=1)),))
    database.close()
    for _ in range(2):
        cli("restore", "--config", str(cfg), "--db", str(db), "--yes", "--bring-back-erased", str(file))
    paths = [c.path for c in backup_mod.backups(aside)]
    assert oldest_kept.path in paths, "a copy an erasure has not reached is never removed"
    assert len(paths) == 3
    assert not [p for p in os.listdir(aside) if p.endswith(".json") and not (aside / p[:-5]).exists()]
    conn = sqlite3.connect(db)
    removed = conn.execute("SELECT COUNT(*) FROM audit WHERE action = 'database.before_restore_removed'").fetchone()[0]
    conn.close()
    assert removed >= 1


def test_two_threads_opening_at_once_record_the_interruption_once(tmp_path):
    import threading
    db, file, _, _ = _site(tmp_path)
    _killed_restore(db, file, "before-record")
    ctx = context.build(None, db)
    errors: list[BaseException] = []

    def open_here() -> None:
        try:
            ctx.db  # noqa: B018  (this thread's own connection, as a worker's first open)
        except BaseException as exc:  # noqa: BLE001
            errors.append(exc)
        finally:
            ctx.close()

    threads = [threading.Thread(target=open_here) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    assert not errors
    assert len(_restores(db)) == 1
