"""What a killed restore leaves in before-restore/ is cleaned up, and a backup run rotates only its own
database's backups when several databases back up into one folder (real files; a partial copy is a
finished backup truncated, named as a run writes it)."""
from __future__ import annotations

import os
import shutil
import sqlite3
import time
from datetime import timedelta
from pathlib import Path

from kiosk.core import backup as backup_mod
from kiosk.core import context as context_mod
from kiosk.core import restore as restore_mod
from kiosk.core.audit import SYSTEM
from tests.core.test_core_backup_hostile import seeded

ONE_DAY = backup_mod.Policy(daily=1, weekly=0, monthly=0)


def opened(path: Path) -> Path:
    """A database opened as the app and every command open it: it gets its own random id."""
    ctx = context_mod.build(None, path)
    ctx.db  # noqa: B018
    assert backup_mod.database_id_of(path)
    return path


def _partial_beside(copy: Path, token: str, *, age_s: float) -> list[Path]:
    """A copy killed mid-write: the finished file cut in half under the run's partial name, its -journal
    beside it, both last written age_s ago (as a run whose process is gone leaves them)."""
    partial = copy.parent / f".{copy.name}.{token}.partial"
    data = copy.read_bytes()
    partial.write_bytes(data[: len(data) // 2])
    journal = Path(f"{partial}-journal")
    journal.write_bytes(b"\0" * 512)
    then = time.time() - age_s
    for path in (partial, journal):
        os.utime(path, (then, then))
    return [partial, journal]


def _restore_twice_leaving_a_partial(tmp_path, clock):
    live = seeded(tmp_path / "data", clock)
    stick = tmp_path / "stick"
    stick.mkdir()
    made = backup_mod.make_backup(live, stick, clock=clock).backup
    clock.advance(60)
    _, aside = restore_mod.restore(live, made.path, clock=clock, actor=SYSTEM)
    assert aside is not None and aside.parent.name == restore_mod.ASIDE
    # The next restore is killed while it copies the live file aside: its partial copy stays there.
    left = _partial_beside(aside, "4242-0123456789ab", age_s=backup_mod.STALE_PARTIAL_S + 60)
    assert {b.path for b in backup_mod.backups(aside.parent)} == {aside}
    return live, made, aside, left


def test_a_restore_sweeps_the_partial_copy_a_killed_restore_left_aside(tmp_path, clock):
    live, made, aside, left = _restore_twice_leaving_a_partial(tmp_path, clock)
    clock.advance(60)
    _, second = restore_mod.restore(live, made.path, clock=clock, actor=SYSTEM)
    folder = aside.parent
    assert not any(p.exists() for p in left), sorted(p.name for p in folder.iterdir())
    assert {b.path for b in backup_mod.backups(folder)} == {aside, second}   # the verified copies stay
    assert not [p for p in folder.iterdir() if ".partial" in p.name]


def test_opening_the_database_sweeps_before_restore_too(tmp_path, clock):
    """Nobody may restore again for months: the next writable open (the app, any command) removes it."""
    live, _, aside, left = _restore_twice_leaving_a_partial(tmp_path, clock)
    ctx = context_mod.build(None, live)
    ctx.db  # noqa: B018  (the open is the point)
    assert not any(p.exists() for p in left)
    assert aside.exists() and Path(f"{aside}.json").exists()


def test_rotate_aside_counts_no_partial_and_says_it_removed_it(tmp_path, clock):
    live, _, aside, left = _restore_twice_leaving_a_partial(tmp_path, clock)
    database = __import__("kiosk.core.db", fromlist=["connect"]).connect(live, create=False)
    try:
        removed = restore_mod.rotate_aside(database, aside.parent, clock, SYSTEM, keep=1)
    finally:
        database.close()
    assert set(left) <= set(removed) and aside.exists()


def test_a_partial_being_written_right_now_is_never_swept(tmp_path, clock):
    """Another process's restore under way (an unknown run, written a moment ago) and this process's own
    run keep their partials; only the idle or dead ones go."""
    live, _, aside, _ = _restore_twice_leaving_a_partial(tmp_path, clock)
    fresh = _partial_beside(aside, "777-aaaaaaaaaaaa", age_s=1)
    own_token = backup_mod.run_token()
    backup_mod._ACTIVE.add(own_token)
    try:
        own = _partial_beside(aside, own_token, age_s=backup_mod.STALE_PARTIAL_S * 10)
        backup_mod.sweep_partials(aside.parent)
        assert all(p.exists() for p in fresh + own)
    finally:
        backup_mod._ACTIVE.discard(own_token)
    assert set(own) <= set(backup_mod.sweep_partials(aside.parent, now=time.time()))   # its run is over now
    assert all(p.exists() for p in fresh)


def test_a_restore_killed_mid_copy_aside_for_real_leaves_nothing_after_the_next_open(tmp_path, clock):
    """The real thing: a process SIGKILLed while it copies the live file aside (its run's lock then free)."""
    from tests.core.test_core_backup_hostile import _killed_mid_copy
    live = seeded(tmp_path / "data", clock)
    folder = live.parent / restore_mod.ASIDE
    folder.mkdir(mode=0o700)
    left = _killed_mid_copy(live, folder)
    assert any(p.name.endswith(".partial") for p in left)
    ctx = context_mod.build(None, live)
    ctx.db  # noqa: B018
    assert list(folder.iterdir()) == []


# --- rotation in a folder several databases share -------------------------------------------------------
def _without_id(path: Path) -> Path:
    """A database as an older version left it: no database id (opened read-only since, it never got one)."""
    conn = sqlite3.connect(path)
    with conn:
        conn.execute("DELETE FROM settings WHERE key = 'database_id'")
    conn.close()
    assert backup_mod.database_id_of(path) == ""
    return path


def test_rotation_only_ever_removes_the_same_databases_backups(tmp_path, clock):
    share = tmp_path / "share"
    share.mkdir()
    a = opened(seeded(tmp_path / "a", clock))                         # both at the default SITE/T01
    b = opened(seeded(tmp_path / "b", clock))
    old = _without_id(opened(seeded(tmp_path / "old", clock)))
    assert backup_mod.database_id_of(a) != backup_mod.database_id_of(b)
    a1 = backup_mod.make_backup(a, share, clock=clock, policy=ONE_DAY).backup
    clock.advance(60)
    b1 = backup_mod.make_backup(b, share, clock=clock, policy=ONE_DAY).backup
    clock.advance(60)
    o1 = backup_mod.make_backup(old, share, clock=clock, policy=ONE_DAY).backup
    clock.advance(60)
    # The id-less database's second backup the same day: under the old rule it took every SITE/T01 backup
    # for its own and rotated a1 and b1 away. Now only the id-less one of its group, its first.
    o2 = backup_mod.make_backup(old, share, clock=clock, policy=ONE_DAY)
    assert o2.removed == [o1.path] and all(p.exists() for p in (a1.path, b1.path))
    clock.advance(60)
    a2 = backup_mod.make_backup(a, share, clock=clock, policy=ONE_DAY)   # rotates a1, its own, only
    assert a2.removed == [a1.path] and not a1.path.exists() and not Path(f"{a1.path}.json").exists()
    assert all(p.exists() for p in (b1.path, o2.backup.path))   # nor the id-less one (whose it is, unknown)
    clock.advance(timedelta(days=1).total_seconds())
    b2 = backup_mod.make_backup(b, share, clock=clock, policy=ONE_DAY)
    assert b2.removed == [b1.path]
    remaining = {x.path for x in backup_mod.backups(share)}
    assert remaining == {a2.backup.path, b2.backup.path, o2.backup.path}


def test_a_copied_backup_of_another_database_with_the_same_ids_is_not_rotated(tmp_path, clock):
    """A backup file copied in by hand from another kiosk left at SITE/T01 is that kiosk's: kept."""
    share, elsewhere = tmp_path / "share", tmp_path / "elsewhere"
    share.mkdir()
    elsewhere.mkdir()
    theirs = backup_mod.make_backup(opened(seeded(tmp_path / "b", clock)), elsewhere, clock=clock).backup
    for path in (theirs.path, Path(f"{theirs.path}.json")):
        shutil.copy2(path, share / path.name)
    mine = opened(seeded(tmp_path / "a", clock))
    for _ in range(3):
        clock.advance(60)
        backup_mod.make_backup(mine, share, clock=clock, policy=ONE_DAY)
    assert (share / theirs.path.name).exists()
    assert len(backup_mod.backups(share)) == 2
