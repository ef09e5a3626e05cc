"""Backups and restores against hostile paths and files: `?`, `#`, `%`, emoji and full-width characters in
folder names; empty and foreign SQLite files that must never count as a verified backup."""
from __future__ import annotations

import json
import os
import re
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
from kiosk.core import storage
from kiosk.core.audit import SYSTEM

HOSTILE = ["data?x", "stick#1", "100%25", "a?mode=rw#b", "备份 ？＃📦", "x&immutable=1"]


def seeded(folder: Path, clock) -> Path:
    from kiosk.demo import accounts
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / "kiosk.db"
    database = db_mod.connect(path)
    accounts.ensure_demo(database, clock)
    database.close()
    return path


def strays(root: Path, expected: set[Path]) -> set[Path]:
    """Files under root that nobody meant to make (what an unescaped URI creates: `data`, `stick`...)."""
    return {p for p in root.rglob("*") if p.is_file()} - expected


@pytest.mark.parametrize("name", HOSTILE)
def test_uri_escapes_every_uri_character(tmp_path, name):
    path = tmp_path / name / "kiosk.db"
    uri = storage.sqlite_uri(path)
    assert "?" not in uri[:-len("?mode=ro")] and "#" not in uri
    path.parent.mkdir()
    sqlite3.connect(path).execute("CREATE TABLE t (x)").connection.commit()
    conn = sqlite3.connect(uri, uri=True)
    assert conn.execute("SELECT name FROM sqlite_master").fetchall() == [("t",)]
    with pytest.raises(sqlite3.OperationalError):  # read-only really is read-only
        conn.execute("INSERT INTO t VALUES (1)")
    conn.close()
    assert strays(tmp_path, {path}) == set()


def test_uri_of_a_relative_path_is_absolute(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    assert storage.sqlite_uri("a#b.db") == f"file://{tmp_path}/a%23b.db?mode=ro"
    assert storage.sqlite_uri("x.db", immutable=True).endswith("?mode=ro&immutable=1")


@pytest.mark.parametrize("name", HOSTILE)
def test_backup_and_restore_through_hostile_folder_names(tmp_path, clock, name):
    source = seeded(tmp_path / name / "data", clock)
    folder = tmp_path / name / f"stick{name}"
    folder.mkdir()
    made = backup_mod.make_backup(source, folder, clock=clock).backup
    assert made.counts["users"] >= 2 and made.schema_version > 0
    assert restore_mod.verify(made.path) == made
    the_plan = restore_mod.plan(source, made.path)
    assert the_plan.live_readable and any(c.table == "users" and c.current == c.restored for c in the_plan.changes)
    restore_mod.restore(source, made.path, clock=clock, actor=SYSTEM)
    # Nothing beside the intended files: an unescaped `file:` URI would have made `data`, `stick`, `a`...
    left = {p for p in strays(tmp_path, set()) if p.parent not in (source.parent, folder)
            and restore_mod.ASIDE not in p.parts}
    assert left == set(), left


def _foreign(path: Path, how: str) -> Path:
    conn = sqlite3.connect(path)
    if how == "tables_only":
        conn.execute("CREATE TABLE notes (x)")
        conn.execute("INSERT INTO notes VALUES (?)", ("\x00\x1b[2J\U0001F4E6",))
    elif how == "kiosk_tables_schema_0":
        conn.execute("CREATE TABLE settings (key, value)")
        conn.execute("CREATE TABLE audit (id)")
    elif how == "empty_db":
        conn.execute("PRAGMA user_version = 7")  # a header, no tables
    conn.commit()
    conn.close()
    return path


@pytest.mark.parametrize("how", ["zero_bytes", "empty_db", "tables_only", "kiosk_tables_schema_0"])
def test_verify_file_refuses_what_is_not_a_kiosk_database(tmp_path, how):
    path = tmp_path / "copy.db"
    if how == "zero_bytes":
        path.write_bytes(b"")
    else:
        _foreign(path, how)
    problems = backup_mod.verify_file(path)
    assert problems and "not a kiosk database" in problems[0], problems
    # given the file's own (empty) counts and version, still refused: matching nothing proves nothing
    assert backup_mod.verify_file(path, counts={}, version=0)


def test_verify_file_of_a_missing_file_says_so_and_creates_nothing(tmp_path):
    problems = backup_mod.verify_file(tmp_path / "gone#1.db")
    assert problems and problems[0].startswith("unreadable")
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize("how", ["empty_db", "tables_only"])
def test_a_foreign_source_never_becomes_a_backup_nor_rotates_a_good_one_away(tmp_path, clock, how):
    good_source = seeded(tmp_path / "data", clock)
    folder = tmp_path / "stick"
    folder.mkdir()
    good = backup_mod.make_backup(good_source, folder, clock=clock, policy=backup_mod.Policy(1, 0, 0)).backup
    junk = _foreign(tmp_path / "junk.db", how)
    clock.advance(60)
    with pytest.raises(backup_mod.BackupError):
        backup_mod.make_backup(junk, folder, clock=clock, policy=backup_mod.Policy(1, 0, 0))
    assert [b.path for b in backup_mod.backups(folder)] == [good.path]
    assert sorted(p.name for p in folder.iterdir()) == sorted([good.path.name, f"{good.path.name}.json"])


SUICIDE = r"""
import os, signal, sys
from kiosk.core import backup as backup_mod
def progress(fraction, what):
    if what == "copying" and fraction > 0.3:
        os.kill(os.getpid(), signal.SIGKILL)   # the power cut, mid-copy
backup_mod.make_backup(sys.argv[1], sys.argv[2], policy=None, step_pages=1, progress=progress)
"""
ROOT = Path(__file__).resolve().parents[2]


def _killed_mid_copy(source: Path, folder: Path) -> set[Path]:
    before = set(folder.iterdir())
    proc = subprocess.run([sys.executable, "-c", SUICIDE, str(source), str(folder)], cwd=ROOT,
                          env={**os.environ, "PYTHONPATH": str(ROOT)}, timeout=120)
    assert proc.returncode == -signal.SIGKILL
    return set(folder.iterdir()) - before


def test_a_killed_backup_leaves_a_partial_and_its_journal_and_rotation_removes_both(tmp_path, clock):
    source = seeded(tmp_path / "data", clock)
    folder = tmp_path / "share #1"
    folder.mkdir()
    left = _killed_mid_copy(source, folder)
    names = sorted(p.name for p in left)
    assert any(n.endswith(".partial") for n in names) and any(n.endswith(".partial-journal") for n in names), names
    assert all(re.search(r"\.\d+-[0-9a-f]{12}\.", n) for n in names), names  # pid + token, no host name
    assert backup_mod.backups(folder) == []
    removed = backup_mod.rotate(folder, backup_mod.Policy(), now=time.time())
    assert set(removed) == left and list(folder.iterdir()) == []
    made = backup_mod.make_backup(source, folder, clock=clock).backup  # and the folder still works
    assert [b.path for b in backup_mod.backups(folder)] == [made.path]


def test_rotation_never_removes_another_kiosks_partial_under_way_even_with_the_same_host_name(tmp_path, clock):
    """Every Raspberry Pi is called "raspberrypi": partial names carry pid + a random token, not the host.
    A partial of this machine's killed run (its token registered here, lock free) goes at once; another
    process's run under way (lock held) never; anything not registered here (another kiosk on the share,
    same host name and maybe the same pid) only once nobody has written to it for an hour."""
    import fcntl
    source = seeded(tmp_path / "data", clock)
    folder = tmp_path / "share"
    folder.mkdir()
    pid = os.getpid()  # the other kiosk's backup may well run under the same pid number
    theirs = [folder / f".kiosk-20261201T020000000Z.db.{pid}-aaaaaaaaaaaa.partial",
              folder / f".kiosk-20261201T020000000Z.db.{pid}-aaaaaaaaaaaa.partial-journal",
              folder / f".kiosk-20261201T020000000Z.db.json.{pid}-aaaaaaaaaaaa.partial"]
    runs = backup_mod.runs_folder()
    runs.mkdir(parents=True, exist_ok=True)
    killed, alive = "4194311-bbbbbbbbbbbb", "4194312-cccccccccccc"
    (runs / killed).write_text("")            # registered here, nobody holds its lock: killed
    holder = open(runs / alive, "a+")         # registered and locked: another process's backup under way
    fcntl.flock(holder, fcntl.LOCK_EX | fcntl.LOCK_NB)
    mine_dead = [folder / f".kiosk-20261201T020000000Z.db.{killed}.partial",
                 folder / f".kiosk-20261201T020000000Z.db.{killed}.partial-journal"]
    running = folder / f".kiosk-20261201T020000000Z.db.{alive}.partial"
    legacy_host = folder / f".kiosk-20261201T020000000Z.db.raspberrypi.{pid}.partial"  # the old naming
    try:
        for path in theirs + mine_dead + [running, legacy_host]:
            path.write_bytes(b"\x00" * 100)
        removed = backup_mod.make_backup(source, folder, clock=clock).removed  # a backup run rotates too
        removed += backup_mod.rotate(folder, backup_mod.Policy(), now=time.time())
        assert set(mine_dead) <= set(removed)
        assert all(p.exists() for p in theirs + [running, legacy_host])
        made = backup_mod.backups(folder)[0]
        assert backup_mod.run_token() not in made.path.name and "raspberrypi" not in made.path.name
        later = backup_mod.rotate(folder, backup_mod.Policy(), now=time.time() + 2 * 3600)
        assert set(later) == set(theirs) | {legacy_host}, later  # idle for two hours: nobody's run
        assert running.exists(), "a run holding its lock is never removed, however long it takes"
    finally:
        holder.close()
        for name in (killed, alive):
            (runs / name).unlink(missing_ok=True)


def test_partial_names_carry_pid_and_a_random_token_not_the_host(tmp_path, clock):
    import re
    import socket
    token = backup_mod.run_token()
    assert re.fullmatch(rf"{os.getpid()}-[0-9a-f]{{12}}", token)
    assert socket.gethostname() not in token
    assert backup_mod.PARTIAL.search(f".kiosk-x.db.{token}.partial").group("token") == token


def kiosk_db(folder: Path, clock, site: str, terminal: str) -> Path:
    from kiosk.core import settings
    path = seeded(folder, clock)
    database = db_mod.connect(path)
    settings.put(database, clock, SYSTEM, db_mod.ORIGIN_KEY, {"site_id": site, "terminal_id": terminal})
    database.close()
    return path


def test_kiosks_sharing_one_folder_keep_each_others_backups(tmp_path, clock):
    """Three kiosks (one with a hostile site id) back up nightly to one share, keeping 2 dailies each."""
    share = tmp_path / "share#nas?"
    share.mkdir()
    kiosks = {("HQ", "T01"): kiosk_db(tmp_path / "a", clock, "HQ", "T01"),
              ("HQ", "T02"): kiosk_db(tmp_path / "b", clock, "HQ", "T02"),
              ("北京-1/..", "T01"): kiosk_db(tmp_path / "c", clock, "北京-1/..", "T01")}
    policy = backup_mod.Policy(daily=2, weekly=0, monthly=0)
    made: dict = {k: [] for k in kiosks}
    for day in range(4):
        for key, source in kiosks.items():
            clock.set(datetime(2026, 11, 20, 18, 30, tzinfo=timezone.utc) + timedelta(days=day))
            result = backup_mod.make_backup(source, share, clock=clock, policy=policy, tz="Asia/Shanghai")
            assert result.backup.group == key
            made[key].append(result.backup.path)
    found = backup_mod.backups(share)
    for key, paths in made.items():
        mine = sorted(b.path for b in found if b.group == key)
        assert mine == sorted(paths[-2:]), (key, mine)
    names = [b.path.name for b in found]
    assert all(n.startswith(("kiosk-HQ-T01-", "kiosk-HQ-T02-", "kiosk-___1___-T01-")) for n in names), names
    assert all("/" not in n and ".." not in n for n in names)
    # A standalone rotation (no group) treats each kiosk apart too.
    assert backup_mod.rotate(share, backup_mod.Policy(1, 0, 0)) and len(backup_mod.backups(share)) == 3


def test_a_legacy_backup_name_still_lists_and_rotates_apart(tmp_path, clock):
    source = kiosk_db(tmp_path / "a", clock, "HQ", "T01")
    share = tmp_path / "share"
    share.mkdir()
    made = backup_mod.make_backup(source, share, clock=clock).backup
    legacy = share / "kiosk-20251101T000000000Z.db"
    legacy.write_bytes(made.path.read_bytes())
    meta = json.loads(Path(f"{made.path}.json").read_text())
    del meta["site_id"], meta["terminal_id"]
    Path(f"{legacy}.json").write_text(json.dumps(meta))
    old = backup_mod.read_backup(legacy)
    assert old is not None and old.group == ("", "")
    assert backup_mod.rotate(share, backup_mod.Policy(1, 0, 0)) == []  # each is its group's newest
    # A sidecar naming another kiosk than the file name does is not a backup (renamed by hand).
    meta["site_id"], meta["terminal_id"] = "HQ", "T09"
    Path(f"{made.path}.json").write_text(json.dumps(meta))
    assert backup_mod.read_backup(made.path) is None


def test_restore_dry_run_warns_about_another_kiosks_backup(tmp_path, clock):
    here = kiosk_db(tmp_path / "a", clock, "HQ", "T01")
    there = kiosk_db(tmp_path / "b", clock, "HQ", "T02")
    share = tmp_path / "share"
    share.mkdir()
    theirs = backup_mod.make_backup(there, share, clock=clock).backup
    clock.advance(1)
    mine = backup_mod.make_backup(here, share, clock=clock).backup
    assert restore_mod.plan(here, theirs.path).other_kiosk and not restore_mod.plan(here, mine.path).other_kiosk
    result = CliRunner().invoke(main, ["restore", "--db", str(here), "--dry-run", str(theirs.path)])
    assert result.exit_code == 0 and "站点 HQ 终端 T02" in result.output and "站点 HQ 终端 T01" in result.output
    assert "警告" not in CliRunner().invoke(main, ["restore", "--db", str(here), "--dry-run", str(mine.path)]).output


def test_two_kiosks_left_at_the_default_ids_never_rotate_each_others_backups(tmp_path, clock):
    """Outside test finding 3: both desks at SITE/T01 back up to one share the same day; the second run
    rotated the first desk's only backup away. Each database has its own random id now."""
    from click.testing import CliRunner

    from kiosk.cli.main import main
    share = tmp_path / "share"
    share.mkdir()
    a, b = seeded(tmp_path / "a", clock), seeded(tmp_path / "b", clock)
    for db in (a, b):  # opened as the app and every command open them: each gets its database id
        assert CliRunner().invoke(main, ["user", "list", "--db", str(db)]).exit_code == 0
        CliRunner().invoke(main, ["visitors", "onsite", "--db", str(db)])
    ids = {backup_mod.database_id_of(a), backup_mod.database_id_of(b)}
    assert len(ids) == 2 and "" not in ids
    first = backup_mod.make_backup(a, share, clock=clock).backup
    clock.advance(60)
    second = backup_mod.make_backup(b, share, clock=clock)
    assert first.path not in second.removed and first.path.exists(), "desk B's run removed desk A's backup"
    assert {x.path for x in backup_mod.backups(share)} == {first.path, second.backup.path}
    clock.advance(60)
    third = backup_mod.make_backup(a, share, clock=clock)  # A's own second backup that day rotates A's first
    assert first.path in third.removed and second.backup.path.exists()
    # Restoring B's backup into A is warned about, although the ids are the same.
    result = CliRunner().invoke(main, ["restore", "--db", str(a), "--dry-run", str(second.backup.path)])
    assert result.exit_code == 0 and "警告" in result.output and "另一个数据库" in result.output, result.output
    result = CliRunner().invoke(main, ["restore", "--db", str(a), "--dry-run", str(third.backup.path)])
    assert "警告" not in result.output
