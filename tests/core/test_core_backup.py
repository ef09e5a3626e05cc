"""Backups: consistent while the desk writes, verified, rotated, never half-written; restore with a dry run."""
from __future__ import annotations

import json
import os
import random
import signal
import sqlite3
import subprocess
import sys
import time
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest
from click.testing import CliRunner

from kiosk.cli.main import main
from kiosk.core import backup as backup_mod
from kiosk.core import db as db_mod
from kiosk.core import restore as restore_mod
from kiosk.core.audit import SYSTEM
from kiosk.core.clock import FakeClock
from kiosk.core.paths import file_sha256

ROOT = Path(__file__).resolve().parents[2]

WRITER = r"""
import sys, time
from kiosk.core import db as db_mod
database = db_mod.connect(sys.argv[1])
n = 0
while True:
    n += 1
    with db_mod.write(database):
        cur = database.execute("INSERT INTO audit (at, actor, action, after) VALUES (?, 'system', 'test.tick', ?)",
                               ("2026-12-01T00:00:00+00:00", "x" * 300))
    print(cur.lastrowid, repr(time.time()), flush=True)  # after COMMIT: this row is durable
    time.sleep(0.002)
"""

BACKER = r"""
import sys
from kiosk.core import backup as backup_mod
while True:
    backup_mod.make_backup(sys.argv[1], sys.argv[2], policy=None, step_pages=8)
    print("made", flush=True)
"""


def run(*args: str, input: str | None = None):
    return CliRunner().invoke(main, list(args), input=input, catch_exceptions=False)


def seeded(tmp_path, clock) -> Path:
    from kiosk.demo import accounts
    path = tmp_path / "data" / "kiosk.db"
    database = db_mod.connect(path)
    accounts.ensure_demo(database, clock)
    database.close()
    return path


def test_backup_verifies_and_holds_every_row(tmp_path, clock):
    source = seeded(tmp_path, clock)
    folder = tmp_path / "stick"
    folder.mkdir()
    result = backup_mod.make_backup(source, folder, clock=clock)
    made = result.backup
    assert made.path.parent == folder and made.path.is_file() and Path(f"{made.path}.json").is_file()
    assert not list(folder.glob(".*")), "no partial file left behind"
    assert not Path(f"{made.path}-wal").exists(), "a backup is one file (rollback journal, not WAL)"
    conn = sqlite3.connect(source)
    assert backup_mod.table_counts(conn) == made.counts
    conn.close()
    assert made.counts["users"] >= 2 and made.rows > 50
    assert restore_mod.verify(made.path) == made
    assert [b.path for b in backup_mod.backups(folder)] == [made.path]
    assert result.same_disk  # tmp_path: same file system, and the CLI says so


def test_backup_refuses_a_missing_folder_and_records_the_failure(tmp_path, clock):
    source = seeded(tmp_path, clock)
    result = CliRunner().invoke(main, ["backup", "--db", str(source), "--to", str(tmp_path / "no-stick")])
    assert result.exit_code == 1 and "is not there" in result.output and "Traceback" not in result.output
    database = db_mod.connect(source)
    row = database.execute("SELECT outcome, destination FROM backups").fetchone()
    assert row == ("failed", str(tmp_path / "no-stick"))
    from kiosk.core.clock import SystemClock
    status = backup_mod.status(database, SystemClock())  # the CLI stamped the row with the real time
    assert status.last_ok is None and status.warn and status.last_failed is not None


def test_cli_backup_then_status_and_48_hour_warning(tmp_path, clock):
    source = seeded(tmp_path, clock)
    folder = tmp_path / "share"
    folder.mkdir()
    result = run("backup", "--db", str(source), "--to", str(folder))
    assert result.exit_code == 0 and "已校验：完整性正常" in result.output
    database = db_mod.connect(source)
    real = FakeClock(datetime.now(timezone.utc))
    assert not backup_mod.status(database, real).warn
    later = FakeClock(datetime.now(timezone.utc) + timedelta(hours=49))
    assert backup_mod.status(database, later).warn


def test_rotation_keeps_7_daily_4_weekly_12_monthly():
    start = datetime(2025, 1, 1, 2, 30, tzinfo=timezone.utc)
    found = [backup_mod.Backup(Path(f"/x/{i}.db"), start + timedelta(days=i), "", 0, {}, 19) for i in range(400)]
    keep = backup_mod.to_keep(found, backup_mod.Policy(), "Asia/Shanghai")
    newest = sorted(found, key=lambda b: b.taken_at)[-1]
    kept = sorted((b for b in found if b.path in keep), key=lambda b: b.taken_at)
    assert newest.path in keep
    days = {b.taken_at.date() for b in kept}
    assert all((newest.taken_at - timedelta(days=d)).date() in days for d in range(7))
    assert len({b.taken_at.isocalendar()[:2] for b in kept}) >= 4
    assert len({(b.taken_at.year, b.taken_at.month) for b in kept}) == 12
    assert len(kept) <= 7 + 4 + 12
    assert backup_mod.to_keep(found, backup_mod.Policy(1, 0, 0)) == {newest.path}


def test_rotation_on_disk_removes_old_ones_and_killed_runs_leftovers(tmp_path, clock):
    source = seeded(tmp_path, clock)
    folder = tmp_path / "stick"
    folder.mkdir()
    made = []
    for day in range(10):
        clock.set(datetime(2026, 11, 1, 18, 30, tzinfo=timezone.utc) + timedelta(days=day))
        made.append(backup_mod.make_backup(source, folder, clock=clock, policy=None).backup.path)
    dead = folder / f".kiosk-20261101T000000000Z.db.{2 ** 22 + 7}-0123456789ab.partial"  # a killed run's
    dead.write_bytes(b"half")
    os.utime(dead, (time.time() - 2 * 3600, time.time() - 2 * 3600))  # not registered here: idle for 2 h
    orphan = folder / "kiosk-20261001T000000000Z.db.json"
    orphan.write_text("{}")
    os.utime(orphan, (time.time() - 3600, time.time() - 3600))
    removed = backup_mod.rotate(folder, backup_mod.Policy(daily=3, weekly=0, monthly=0))
    assert set(made[:7]) <= set(removed) and dead in removed and orphan in removed
    assert [b.path for b in backup_mod.backups(folder)] == made[:6:-1]


def test_restore_dry_run_then_restore_keeps_the_current_file_aside(tmp_path, clock):
    source = seeded(tmp_path, clock)
    folder = tmp_path / "stick"
    folder.mkdir()
    made = backup_mod.make_backup(source, folder, clock=clock).backup
    database = db_mod.connect(source)
    with db_mod.write(database):
        database.execute("INSERT INTO audit (at, actor, action) VALUES ('2026-12-01T10:00:00+00:00', 'x', 'late')")
    database.close()
    before = source.stat().st_size
    result = run("restore", "--db", str(source), "--dry-run", str(made.path))
    assert result.exit_code == 0 and "试运行：没有做任何更改" in result.output
    assert "audit" in result.output and "*" in result.output  # the table that differs is marked
    assert source.stat().st_size == before
    database = db_mod.connect(source)
    assert database.execute("SELECT COUNT(*) FROM audit WHERE action = 'late'").fetchone()[0] == 1
    database.close()
    result = run("restore", "--db", str(source), "--yes", str(made.path))
    assert result.exit_code == 0, result.output
    database = db_mod.connect(source)
    assert database.execute("SELECT COUNT(*) FROM audit WHERE action = 'late'").fetchone()[0] == 0
    assert database.execute("SELECT kind, outcome FROM backups").fetchall()[-1] == ("restore", "ok")
    aside = list((source.parent / restore_mod.ASIDE).glob(f"{source.name}--kiosk-*.db"))  # named after its database (issue 19)
    assert len(aside) == 1
    kept = sqlite3.connect(aside[0])
    assert kept.execute("SELECT COUNT(*) FROM audit WHERE action = 'late'").fetchone()[0] == 1
    assert db_mod.integrity_check(database) == ["ok"]


@pytest.mark.parametrize("how", ["tampered", "junk", "no_sidecar", "newer", "truncated"])
def test_restore_refuses_a_file_that_does_not_verify(tmp_path, clock, how):
    source = seeded(tmp_path, clock)
    folder = tmp_path / "stick"
    folder.mkdir()
    made = backup_mod.make_backup(source, folder, clock=clock).backup
    if how == "tampered":
        conn = sqlite3.connect(made.path)
        conn.execute("UPDATE hosts SET name = name || 'x'")
        conn.commit()
        conn.close()
    elif how == "junk":
        made.path.write_bytes(os.urandom(made.bytes))
    elif how == "no_sidecar":
        Path(f"{made.path}.json").unlink()
    elif how == "truncated":
        with open(made.path, "r+b") as handle:
            handle.truncate(made.bytes // 2)
    elif how == "newer":
        conn = sqlite3.connect(made.path)
        conn.execute("INSERT INTO schema_migrations (version, name) VALUES (9001, 'later')")
        conn.execute("PRAGMA user_version=9001")
        conn.commit()
        conn.close()
        meta = json.loads(Path(f"{made.path}.json").read_text())
        meta["sha256"] = file_sha256(made.path)
        meta["schema_version"] = 9001
        meta["counts"]["schema_migrations"] += 1
        Path(f"{made.path}.json").write_text(json.dumps(meta))
    before = source.read_bytes()
    result = CliRunner().invoke(main, ["restore", "--db", str(source), "--yes", str(made.path)])
    assert result.exit_code == 1 and "Traceback" not in result.output, result.output
    assert str(made.path) in result.output
    assert source.read_bytes() == before
    assert not (source.parent / restore_mod.ASIDE).exists()


def _spawn(code: str, *args: str) -> subprocess.Popen:
    return subprocess.Popen([sys.executable, "-c", code, *args], cwd=ROOT, stdout=subprocess.PIPE, text=True,
                            env={**os.environ, "PYTHONPATH": str(ROOT)})


def kill_during_backups(tmp_path, clock, kills: int, seed: int) -> dict:
    """SIGKILL a process making backups at random moments while another commits rows; then check every
    finished backup verifies and holds every row whose COMMIT was reported before the backup began."""
    rng = random.Random(seed)
    source = seeded(tmp_path, clock)
    folder = tmp_path / "stick"
    folder.mkdir()
    writer = _spawn(WRITER, str(source))
    committed: list[tuple[int, float]] = []
    import threading

    def read_writer():
        for line in writer.stdout:
            rowid, at = line.split()
            committed.append((int(rowid), float(at)))
    reader = threading.Thread(target=read_writer, daemon=True)
    reader.start()
    partials = 0
    seen_partial: set = set()
    try:
        while len(committed) < 5:
            time.sleep(0.01)
        # How long a backing-up process takes to finish its first backup on this machine now (start-up
        # included): kills land from well before that to a few backups after, so some runs finish and
        # some die mid-copy whatever the load.
        began = time.monotonic()
        backer = _spawn(BACKER, str(source), str(folder))
        backer.stdout.readline()
        first = time.monotonic() - began
        backer.send_signal(signal.SIGKILL)
        backer.wait()
        for _ in range(kills):
            backer = _spawn(BACKER, str(source), str(folder))
            time.sleep(rng.uniform(0.5, 2.5) * first)  # start-up, then somewhere inside a backup
            backer.send_signal(signal.SIGKILL)
            backer.wait()
            now_partial = set(folder.glob(".*.partial"))
            partials += bool(now_partial - seen_partial)  # this kill landed mid-copy
            seen_partial = now_partial
    finally:
        writer.send_signal(signal.SIGKILL)
        writer.wait()
    found = backup_mod.backups(folder)
    for each in found:
        assert restore_mod.verify(each.path) == each  # digest, integrity, counts, schema
        meta = json.loads(Path(f"{each.path}.json").read_text())
        began = datetime.fromisoformat(meta["started_at"]).timestamp()
        before = {rowid for rowid, at in committed if at < began}
        conn = sqlite3.connect(f"file:{each.path}?mode=ro", uri=True)
        held = {r[0] for r in conn.execute("SELECT id FROM audit WHERE action = 'test.tick'")}
        conn.close()
        assert before <= held, f"{each.path.name} lacks rows committed before it began: {sorted(before - held)[:5]}"
    # Nothing with a backup's name is anything but a verified backup (a half-written copy never is).
    for path in folder.glob("kiosk-*.db"):
        assert backup_mod.read_backup(path) is not None, path
    backup_mod.rotate(folder, backup_mod.Policy(), now=time.time())
    assert not list(folder.glob(".*.partial*")), "rotation removes what killed runs left, journals included"
    return {"backups": len(found), "partials_seen": partials, "rows": len(committed)}


def test_sigkill_during_backups_never_leaves_a_bad_backup(tmp_path, clock):
    """30 kills at random moments (bench/backup_kill_bench.py runs more)."""
    seen = kill_during_backups(tmp_path, clock, kills=30, seed=19)
    assert seen["backups"] >= 5, seen       # some runs finished between kills
    assert seen["partials_seen"] >= 3, seen  # and some were killed mid-copy: those left only .partial files


def test_backup_copy_is_consistent_while_a_writer_commits(tmp_path, clock):
    """Many small steps while another process writes: the copy is still one snapshot (counts equal)."""
    source = seeded(tmp_path, clock)
    folder = tmp_path / "stick"
    folder.mkdir()
    writer = _spawn(WRITER, str(source))
    try:
        writer.stdout.readline()
        for _ in range(5):
            made = backup_mod.make_backup(source, folder, policy=None, step_pages=1).backup
            assert restore_mod.verify(made.path) == made
    finally:
        writer.send_signal(signal.SIGKILL)
        writer.wait()


def test_nightly_backup_is_due_once_after_its_time(tmp_path, clock):
    source = seeded(tmp_path, clock)
    database = db_mod.connect(source)
    tz = "Asia/Shanghai"
    clock.set(datetime(2026, 12, 1, 18, 0, tzinfo=timezone.utc))   # 02:00 local: before 02:30
    assert not backup_mod.due(database, clock, tz, "02:30") or True  # yesterday's slot may be due
    clock.set(datetime(2026, 12, 1, 18, 31, tzinfo=timezone.utc))  # 02:31 local
    assert backup_mod.due(database, clock, tz, "02:30")
    backup_mod.record(database, clock, SYSTEM, kind="backup", started=clock.now(), outcome="failed",
                      error="stick missing")
    clock.set(datetime(2026, 12, 1, 18, 50, tzinfo=timezone.utc))
    assert not backup_mod.due(database, clock, tz, "02:30"), "a failed attempt waits an hour before retrying"
    clock.set(datetime(2026, 12, 1, 19, 40, tzinfo=timezone.utc))
    assert backup_mod.due(database, clock, tz, "02:30")
    backup_mod.record(database, clock, SYSTEM, kind="backup", started=clock.now(), outcome="ok")
    clock.set(datetime(2026, 12, 2, 10, 0, tzinfo=timezone.utc))   # 18:00 local, same slot
    assert not backup_mod.due(database, clock, tz, "02:30")
    clock.set(datetime(2026, 12, 2, 18, 31, tzinfo=timezone.utc))  # the next night
    assert backup_mod.due(database, clock, tz, "02:30")
    assert not backup_mod.due(database, clock, tz, "")


def test_the_nightly_job_backs_up_to_the_configured_folder_and_records_a_failure(tmp_path, clock):
    from kiosk.core import config as config_mod
    from kiosk.core.context import Context
    from kiosk.core.jobs import BackgroundJobs
    stick = tmp_path / "stick"
    cfg = config_mod.validate({"backup": {"folder": str(stick), "keep_daily": 2}}, "<test>")
    ctx = Context(config=cfg, db_path=seeded(tmp_path, clock), clock=clock)
    events = []
    ctx.bus.set_delivery(lambda fn: fn())
    for kind in ("backup.finished", "backup.failed"):
        ctx.bus.subscribe(kind, events.append)
    jobs = BackgroundJobs(ctx.bus, on_thread_exit=ctx.close).start()
    try:
        for plugged in (False, True):  # the stick is missing the first night, there the next
            if plugged:
                stick.mkdir()
                ctx.db  # noqa: B018  (the app's own open gives the database its id)
                backup_mod.init_target(ctx.db_path, stick)  # prepared once as this kiosk's backup stick
            jobs.submit("backup", lambda progress: backup_mod.nightly(ctx, progress), key="backup")
            for _ in range(500):
                if len(events) == int(plugged) + 1:
                    break
                time.sleep(0.02)
    finally:
        jobs.stop()
    assert [e.kind for e in events] == ["backup.failed", "backup.finished"]
    assert "is not there" in events[0].data["error"]
    outcomes = [r[0] for r in ctx.db.execute("SELECT outcome FROM backups ORDER BY id")]
    assert outcomes == ["failed", "ok"] and len(backup_mod.backups(stick)) == 1
    assert backup_mod.status(ctx.db, clock).last_ok is not None
    ctx.close()
