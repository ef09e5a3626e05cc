"""An erasure while another connection holds a read: the file scrub is retried for a bounded time and,
when still blocked, the manager is told it is incomplete and what to do (never a claimed success); the
manager is also told that exports and backups are not changed, with the backup files found."""
from __future__ import annotations

import sqlite3

from click.testing import CliRunner

from kiosk.core import backup as backup_mod
from kiosk.core import db as db_mod
from kiosk.core import erasure
from kiosk.core.erasure import Person
from tests.core.test_core_erasure import NAME, PHONE, _fill, _scan


def _reader(path):
    """A second connection mid-read (the running app's query, a report, a backup's snapshot)."""
    reader = sqlite3.connect(path, isolation_level=None)
    reader.execute("BEGIN")
    reader.execute("SELECT count(*) FROM visits").fetchone()
    return reader


def test_a_blocked_scrub_is_reported_then_retried_until_the_reader_ends(tmp_path, clock):
    path = tmp_path / "data" / "kiosk.db"
    database = db_mod.connect(path)
    boss = _fill(database, clock)
    reader = _reader(path)
    blocked = erasure.erase(database, clock, boss.actor(), Person(phone=PHONE), scrub_wait=0)
    assert blocked and blocked.scrubbed is False
    assert database.execute("SELECT count(*) FROM audit WHERE action = 'privacy.scrub_incomplete'").fetchone() == (1,)
    # the rows are blanked (the erasure itself is saved) ...
    assert database.execute("SELECT count(*) FROM visits WHERE name = ?", (NAME,)).fetchone() == (0,)
    reader.execute("COMMIT")
    # ... and a later scrub, when the reader has gone, takes the bytes off the disk
    assert erasure.scrub_files(database, wait=0) is True
    assert _scan(tmp_path / "data") == []
    reader.close()


def test_the_scrub_waits_for_a_reader_that_ends_within_the_bound(tmp_path, clock):
    path = tmp_path / "data" / "kiosk.db"
    database = db_mod.connect(path)
    boss = _fill(database, clock)
    reader = _reader(path)
    waits = []

    def sleep(seconds):  # the reader's query ends while the scrub waits (no real sleeping)
        waits.append(seconds)
        if reader.in_transaction:
            reader.execute("COMMIT")

    done = erasure.erase(database, clock, boss.actor(), Person(name=NAME), scrub_wait=60, sleep=sleep)
    assert done.scrubbed is True and waits
    reader.close()
    assert _scan(tmp_path / "data") == []


def test_cli_erase_says_the_scrub_is_incomplete_and_lists_backups(tmp_path, clock, monkeypatch):
    from kiosk.cli.main import main
    data = tmp_path / "data"
    path = data / "kiosk.db"
    database = db_mod.connect(path)
    _fill(database, clock)
    database.conn.close()
    stick = tmp_path / "stick ｕｓｂ 备份"
    stick.mkdir()
    made = backup_mod.make_backup(path, stick, clock=clock, policy=None).backup
    config = tmp_path / "kiosk.toml"
    config.write_text(f'[site]\nlanguage = "zh_CN"\n[backup]\nfolder = "{stick}"\n[export]\nfolder = "{tmp_path}"\n',
                      encoding="utf-8")
    monkeypatch.setattr(erasure, "SCRUB_WAIT_S", 0)
    reader = _reader(path)
    runner = CliRunner()
    found = runner.invoke(main, ["privacy", "find", "--config", str(config), "--db", str(path), "--phone", PHONE,
                                 "--manager", "王经理"], input="9999\n")
    assert found.exit_code == 0, found.output
    assert "含有此人信息的备份：1 个" in found.output and str(made.path) in found.output
    assert str(path) not in found.output, "the live database is never taken for an export file"
    erased = runner.invoke(main, ["privacy", "erase", "--config", str(config), "--db", str(path), "--phone", PHONE,
                                  "--manager", "王经理", "--yes"], input="9999\n")
    assert erased.exit_code == 3, erased.output
    assert "文件清理未完成" in erased.output and "kiosk privacy scrub" in erased.output
    assert made.path.name in erased.output and "已删除此人信息的备份：1 个" in erased.output
    reader.execute("COMMIT")
    reader.close()
    scrub = runner.invoke(main, ["privacy", "scrub", "--config", str(config), "--db", str(path), "--manager", "王经理"],
                          input="9999\n")
    assert scrub.exit_code == 0 and "文件清理已完成" in scrub.output, scrub.output
    assert _scan(data) == [], "the live database, its WAL and the before-restore folder are clean"
    assert not _scan(stick), "the backup was erased too"
    assert path.exists()
