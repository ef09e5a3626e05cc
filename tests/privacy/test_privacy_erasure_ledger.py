"""An erasure survives a restore (issue 16): the erasure ledger's keyed hashes are carried into the restored
file in the restore's own transaction and the erasure is applied again to what the backup brought back; a
process killed (SIGKILL, a real child) at the copy's record or in the middle of the re-erasure leaves the work
pending, and the next writable open finishes it. Checked by a raw byte scan of the database and its WAL."""
from __future__ import annotations

import json
import signal
import sqlite3
import subprocess
import sys
from pathlib import Path

from click.testing import CliRunner

from kiosk.cli.main import main
from kiosk.core import backup as backup_mod
from kiosk.core import context
from kiosk.core import db as db_mod
from kiosk.core import erasure_ledger, erasure_reapply, idhash
from kiosk.core.erasure import Person
from tests.core.test_core_erasure import NAME, PHONE, _fill
from tests.privacy.test_privacy_copies import _cli, _leaks, site  # noqa: F401  (the fixture)

ROOT = Path(__file__).resolve().parents[2]


def _erase(site) -> None:
    out = _cli(site, "privacy", "erase", "--phone", PHONE, "--name", NAME, "--manager", "王经理", "--yes")
    # 4: the fixture's stick is not plugged in, so its copy is listed as not erased yet
    assert out.exit_code == 4 and "STICK" in out.output, out.output


def _unreached(site) -> Path:
    """The backup on the stick: taken before the erasure, never reached by it."""
    return backup_mod.backups(site["pristine"])[0].path


def _db_files(site) -> list[Path]:
    return [p for p in (site["db"], Path(f"{site['db']}-wal")) if p.exists()]


def _value(db: Path, sql: str):
    conn = sqlite3.connect(db)
    try:
        return conn.execute(sql).fetchone()[0]
    finally:
        conn.close()


def test_restoring_a_backup_the_erasure_never_reached_erases_the_person_again(site):
    _erase(site)
    visits = _value(site["db"], "SELECT COUNT(*) FROM visits")
    done = CliRunner().invoke(main, ["restore", "--db", str(site["db"]), "--config", str(site["config"]),
                                     str(_unreached(site)), "--yes"])
    assert done.exit_code == 0, done.output
    assert "再次执行" in done.output or "applied again" in done.output
    assert _value(site["db"], "SELECT COUNT(*) FROM visits") == visits, "the visits are counted, only blanked"
    assert _value(site["db"], f"SELECT COUNT(*) FROM visits WHERE name = '{NAME}' OR phone = '{PHONE}'") == 0
    assert _value(site["db"], "SELECT COUNT(*) FROM audit WHERE action = 'privacy.erase_reapplied'") >= 1
    assert _value(site["db"], "SELECT COUNT(*) FROM audit WHERE action = 'privacy.erase_carried'") >= 1
    assert not erasure_ledger.pending(db_mod.connect(site["db"], create=False))
    leaks = [f for path in _db_files(site) for f in _leaks(path)]
    assert not leaks, leaks


def test_the_restored_file_keeps_the_ledger_so_a_second_old_restore_is_erased_too(site):
    _erase(site)
    for _ in range(2):
        done = CliRunner().invoke(main, ["restore", "--db", str(site["db"]), str(_unreached(site)), "--yes"])
        assert done.exit_code == 0, done.output
        assert _value(site["db"], f"SELECT COUNT(*) FROM visits WHERE phone = '{PHONE}'") == 0
    assert _value(site["db"], "SELECT COUNT(*) FROM erasure_ledger") >= 2   # phone and name, never the values
    leaks = [f for path in _db_files(site) for f in _leaks(path)]
    assert not leaks, leaks


def test_a_backup_the_erasure_reached_is_restored_without_a_second_pass(site):
    _erase(site)
    reached = backup_mod.backups(site["backups"])[0].path
    done = CliRunner().invoke(main, ["restore", "--db", str(site["db"]), str(reached), "--yes"])
    assert done.exit_code == 0, done.output
    assert _value(site["db"], "SELECT COUNT(*) FROM audit WHERE action = 'privacy.erase_reapplied'") == 0


KILLER = """
import os, signal, sys
from kiosk.core import backup, erasure, restore
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
else:   # in the middle of the re-erasure: after the first person's transaction
    real = erasure.erase_as
    def erase_as(*a, **k):
        result = real(*a, **k)
        os.kill(os.getpid(), signal.SIGKILL)
        return result
    erasure.erase_as = erase_as
restore.restore(sys.argv[1], sys.argv[2], clock=SystemClock(), actor=SYSTEM)
"""


def _killed_restore(db: Path, file: Path, where: str) -> None:
    proc = subprocess.run([sys.executable, "-c", KILLER, str(db), str(file), where], cwd=ROOT,
                          capture_output=True, text=True, timeout=120)
    assert proc.returncode == -signal.SIGKILL, proc.stderr


def _next_start(db: Path) -> None:
    ctx = context.build(None, db)
    try:
        ctx.db  # noqa: B018  (a writable open: the interrupted work is finished here)
        assert not erasure_ledger.pending(ctx.db)
    finally:
        ctx.close()


def test_a_restore_killed_before_its_record_still_erases_the_person_on_the_next_start(site):
    _erase(site)
    _killed_restore(site["db"], _unreached(site), "before-record")
    _next_start(site["db"])
    assert _value(site["db"], f"SELECT COUNT(*) FROM visits WHERE name = '{NAME}' OR phone = '{PHONE}'") == 0
    leaks = [f for path in _db_files(site) for f in _leaks(path)]
    assert not leaks, leaks


def test_a_restore_killed_in_the_middle_of_the_re_erasure_finishes_it_on_the_next_start(site):
    _erase(site)
    _killed_restore(site["db"], _unreached(site), "mid-reapply")
    assert _value(site["db"], "SELECT value FROM settings WHERE key = 'erasure_reapply_pending'") == "true"
    _next_start(site["db"])
    assert _value(site["db"], f"SELECT COUNT(*) FROM visits WHERE name = '{NAME}' OR phone = '{PHONE}'") == 0
    assert _value(site["db"], f"SELECT COUNT(*) FROM lf_claims WHERE claimant_name = '{NAME}'") == 0
    records = _value(site["db"], "SELECT COUNT(*) FROM backups WHERE kind = 'restore' AND outcome = 'ok'")
    assert records == 1, "the restore itself was recorded before the kill"


def test_a_ledger_carried_from_a_database_with_another_secret_still_finds_the_person(tmp_path, clock):
    """Two files with different secrets (a backup older than the secret, another terminal's file): the
    carried ledger brings its secret by its tag, and its hashes are compared with it."""
    first, second = db_mod.connect(tmp_path / "a.db"), db_mod.connect(tmp_path / "b.db")
    boss = _fill(first, clock)
    _fill(second, clock)
    assert idhash.secret(first) != idhash.secret(second)
    from kiosk.core import erasure
    erasure.erase(first, clock, boss.actor(), Person(phone=PHONE))
    first.conn.close()
    carried = erasure_ledger.read(tmp_path / "a.db")
    assert carried.rows and all(PHONE not in json.dumps(row) for row in carried.rows)
    with db_mod.write(second):
        assert erasure_ledger.carry(second, clock, carried) == len(carried.rows)
    assert [p.phone for p in erasure_reapply.people(second)] == [PHONE]
    done = erasure_reapply.reapply(second, clock)
    assert done and sum(done.values()) > 0
    assert second.execute("SELECT COUNT(*) FROM visits WHERE phone = ?", (PHONE,)).fetchone()[0] == 0
    assert erasure_reapply.reapply(second, clock) is None, "done once: nothing pending"
    assert erasure_reapply.people(second) == []


def test_the_ledger_never_holds_a_mask_or_an_empty_value(tmp_path, clock):
    database = db_mod.connect(tmp_path / "k.db")
    with db_mod.write(database):
        added = erasure_ledger.record(database, "2026-12-01T00:00:00Z", phone="  ", name="", id_number="110101********1234")
    assert added == 0
    with db_mod.write(database):
        assert erasure_ledger.record(database, "2026-12-01T00:00:00Z", phone="+86 139 8765 4321") == 1
        assert erasure_ledger.record(database, "2026-12-01T00:00:00Z", phone="13987654321") == 0, "normalised"


def test_an_erasure_older_than_the_ledger_still_refuses_a_backup_it_never_reached(site):
    """An erasure recorded before migration 0047 left no hashes: the restore cannot apply it again, so it
    is refused as before unless --bring-back-erased."""
    from kiosk.core.clock import utc_iso
    old = _unreached(site)
    database = db_mod.connect(site["db"], create=False)
    with db_mod.write(database):
        database.execute("INSERT INTO audit (at, actor_id, actor, action, record_table, record_id, before, after)"
                         " VALUES (?, NULL, '王经理', 'privacy.erase', NULL, NULL, NULL, '{\"rows\": {}}')",
                         (utc_iso(backup_mod.backups(site["pristine"])[0].taken_at.replace(year=2027)),))
    database.conn.close()
    refused = CliRunner().invoke(main, ["restore", "--db", str(site["db"]), str(old), "--yes"])
    assert refused.exit_code == 1, refused.output
