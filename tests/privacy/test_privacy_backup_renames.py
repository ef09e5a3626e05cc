"""An erasure rewrites a backup under a new name; the `backups` row keeps the name it was made under, and a
`backup_renames` record (written before the files move) links old -> new. Restore, the status line and the
list of an unplugged stick's copies find the new name - also after a SIGKILL at each step of the rename."""
from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from kiosk.core import backup as backup_mod
from kiosk.core import db as db_mod
from kiosk.core import renames
from kiosk.core import restore as restore_mod
from kiosk.core.audit import SYSTEM
from kiosk.core.erasure import Person
from kiosk.privacy import backups as pbackups
from tests.core.test_core_erasure import NAME, PHONE, _fill

ROOT = Path(__file__).resolve().parents[2]

# Erase the person from every backup of the live database, SIGKILLing itself at a chosen step:
# "recorded" (the rename record written, no file moved), or after the Nth os.replace of the switch
# (1: the new sidecar in place; 2: the new file in place, the old one not yet removed).
KILLER = r"""
import os, signal, sys
from pathlib import Path
from kiosk.core import db as db_mod, renames
from kiosk.core.audit import SYSTEM
from kiosk.core.clock import SystemClock
from kiosk.core.erasure import Person
from kiosk.privacy import backups as pbackups
live, folder, phone, step = sys.argv[1:5]
db = db_mod.connect(live, create=False)
if step == "recorded":
    real = renames.record
    def record(*a, **k):
        real(*a, **k)
        os.kill(os.getpid(), signal.SIGKILL)
    renames.record = record
elif step != "none":
    real_replace, calls = os.replace, [0]
    def replace(src, dst):
        real_replace(src, dst)
        calls[0] += 1
        if calls[0] == int(step):
            os.kill(os.getpid(), signal.SIGKILL)
    os.replace = replace
pbackups.erase_everywhere(db, Path(live), folder, Person(phone=phone), SystemClock(), actor=SYSTEM)
print("done")
"""


def _kill_at(live: Path, folder: Path, step: str) -> int:
    proc = subprocess.run([sys.executable, "-c", KILLER, str(live), str(folder), PHONE, step], cwd=ROOT,
                          capture_output=True, text=True, timeout=120)
    return proc.returncode


@pytest.fixture
def kiosk(tmp_path, clock):
    live, folder = tmp_path / "data" / "kiosk.db", tmp_path / "backups"
    folder.mkdir()
    database = db_mod.connect(live)
    boss = _fill(database, clock)
    made = backup_mod.make_backup(live, folder, clock=clock, policy=None)
    backup_mod.record_result(database, clock, boss.actor(), made)
    database.conn.close()
    return live, folder, made.backup.path


def _renames(live):
    database = db_mod.connect(live, create=False)
    try:
        return [tuple(r) for r in database.execute("SELECT old_file, new_file, reason, actor FROM backup_renames")]
    finally:
        database.conn.close()


def test_the_rename_is_recorded_and_every_reader_finds_the_new_name(kiosk, clock):
    live, folder, old = kiosk
    assert _kill_at(live, folder, "none") == 0
    (new,) = [b.path for b in backup_mod.backups(folder)]
    assert new != old and not old.exists()
    assert _renames(live) == [(str(old), str(new), "erasure", "system")]
    database = db_mod.connect(live, create=False)
    try:
        assert database.execute("SELECT file FROM backups WHERE kind = 'backup'").fetchone()[0] == str(old), \
            "the backups row is not changed"
        assert renames.current_name(database, old) == new
        assert backup_mod.status(database, clock).file == str(new)
        # the copies of a folder that is not plugged in are listed under their new names
        assert pbackups.recorded_files(database, folder) == [str(new)]
        import sqlite3
        with pytest.raises(sqlite3.IntegrityError):
            database.execute("UPDATE backup_renames SET new_file = 'x'")
        with pytest.raises(sqlite3.IntegrityError):
            database.execute("DELETE FROM backup_renames")
    finally:
        database.conn.close()
    # restore by the name the manager knows (the one in the backups record, or printed that night)
    from kiosk.cli.main import main
    result = CliRunner().invoke(main, ["restore", "--db", str(live), str(old), "--dry-run"])
    assert result.exit_code == 0, result.output
    assert new.name in result.output
    assert restore_mod.plan(live, old).file == new


@pytest.mark.parametrize("step", ["recorded", "1", "2"])
def test_a_kill_mid_rename_leaves_a_name_that_resolves_to_a_whole_copy(kiosk, step):
    live, folder, old = kiosk
    assert _kill_at(live, folder, step) != 0, "killed"
    rows = _renames(live)
    assert len(rows) == 1 and rows[0][0] == str(old), "recorded before any file moved"
    database = db_mod.connect(live, create=False)
    try:
        current = renames.current_name(database, old)
    finally:
        database.conn.close()
    assert current.is_file(), (step, current)
    assert current == (old if step in ("recorded", "1") else Path(rows[0][1]))
    restore_mod.verify(current)            # digest, integrity, counts: a whole copy either way
    assert restore_mod.plan(live, old).file == current
    # the next erasure finishes the job; the chain ends at an erased copy that exists
    assert _kill_at(live, folder, "none") == 0
    backup_mod.rotate(folder, backup_mod.Policy(), now=__import__("time").time())
    database = db_mod.connect(live, create=False)
    try:
        final = renames.current_name(database, old)
    finally:
        database.conn.close()
    assert final.is_file() and [b.path for b in backup_mod.backups(folder)] == [final]
    assert not pbackups.look(final, Person(phone=PHONE, name=NAME))[0].hits
    restore_mod.verify(final)


def test_a_database_from_before_0041_and_an_unknown_name_resolve_to_themselves(tmp_path):
    import sqlite3
    conn = sqlite3.connect(tmp_path / "old.db")
    assert renames.current_name(conn, tmp_path / "x.db") == tmp_path / "x.db"
    conn.close()
    assert renames.current_name_for(tmp_path / "missing.db", "/nowhere/x.db") == Path("/nowhere/x.db")
