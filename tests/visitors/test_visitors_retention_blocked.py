"""A retention run that cannot finish is never marked done: the database locked by another process, a row
its guard will not let it blank, the file scrub kept from checkpointing by a reader that will not let go.
It is recorded as blocked, retried with a back-off, shown on the manager's settings screen (zh_CN and en),
and marked done only by a run that got through. The two other retention periods are on that screen too."""
from __future__ import annotations

import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest

from kiosk.core import db as db_mod
from kiosk.core import retention, settings
from kiosk.visitors import housekeeping
from kiosk.visitors import service as visitors
from tests.uikit import app_test, find, kiosk_app_factory, open_section, settle, shot, sign_in_as, tap

TZ = "Asia/Shanghai"
ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def old_visit(tmp_path, clock):
    database = db_mod.connect(tmp_path / "kiosk.db")
    visitors.seed_demo(database, clock)
    host = visitors.find_hosts(database, "Emma")[0]["id"]
    visitors.sign_in(database, clock, visitors.Visitor("哨兵欧阳娜娜", "13987654321", host, "meeting",
                                                       privacy_accepted=True), tz=TZ)
    clock.advance(40 * 24 * 3600)
    return database, tmp_path / "kiosk.db"


def _names(database) -> list[str]:
    return [r[0] for r in database.execute("SELECT name FROM visits")]


def test_a_locked_database_is_retried_not_marked_done(old_visit, clock):
    database, path = old_visit
    # Another process holds the write lock (a real one: a second process, not a mock).
    holder = subprocess.Popen([sys.executable, "-c", (
        "import sqlite3, sys, time\n"
        f"c = sqlite3.connect({str(path)!r}, isolation_level=None)\n"
        "c.execute('BEGIN IMMEDIATE'); print('locked', flush=True); sys.stdin.readline()\n")],
        stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
    try:
        assert holder.stdout.readline().strip() == "locked"
        database.execute("PRAGMA busy_timeout=200")
        done = housekeeping.run_due(database, clock, TZ)
        assert done.retention is not None and not done.retention.ok and done.retention.problem == "locked"
        assert done.retention.tries == 1 and done.anonymised is None
        assert settings.get(database, housekeeping.LAST_RETENTION_KEY) is None, "never marked done"
    finally:
        holder.stdin.write("\n")
        holder.stdin.close()
        holder.wait(10)
    # The lock could not be written either: the next minute's run tries again at once, and gets through.
    done = housekeeping.run_due(database, clock, TZ)
    assert done.retention.ok and done.anonymised == 1 and _names(database) == [""]
    assert settings.get(database, housekeeping.LAST_RETENTION_KEY) is not None
    assert retention.status(database).ok


def test_a_row_that_cannot_be_blanked_is_reported(old_visit, clock):
    database, _ = old_visit
    database.execute("CREATE TEMP TRIGGER refuse BEFORE UPDATE ON visits BEGIN SELECT RAISE(ABORT, 'no'); END")
    done = housekeeping.run_due(database, clock, TZ)
    assert not done.retention.ok and done.retention.problem == "refused"
    recorded = retention.status(database)
    assert recorded is not None and not recorded.ok and recorded.tries == 1
    assert _names(database) == ["哨兵欧阳娜娜"] and settings.get(database, housekeeping.LAST_RETENTION_KEY) is None
    # Not due again before its back-off: the minute job does not hammer it.
    clock.advance(60)
    assert housekeeping.run_due(database, clock, TZ).retention == recorded
    clock.advance(5 * 60)
    again = housekeeping.run_due(database, clock, TZ)
    assert again.retention.tries == 2 and (again.retention.next_try - again.retention.at).total_seconds() == 600
    assert again.retention.since == recorded.since, "blocked since the first failure"
    database.execute("DROP TRIGGER refuse")
    clock.advance(11 * 60)
    assert housekeeping.run_due(database, clock, TZ).retention.ok and _names(database) == [""]


def test_a_scrub_kept_from_finishing_by_a_reader_is_owed_until_done(old_visit, clock):
    database, path = old_visit
    reader = sqlite3.connect(path, isolation_level=None)
    reader.execute("BEGIN")
    reader.execute("SELECT COUNT(*) FROM visits").fetchone()   # a snapshot held open (a report mid-read)
    try:
        done = housekeeping.run_due(database, clock, TZ, scrub_wait=0.3)
        assert done.anonymised == 1 and _names(database) == [""], "the rows are blanked"
        assert not done.retention.ok and done.retention.problem == "scrub"
        assert settings.get(database, housekeeping.LAST_RETENTION_KEY) is None, "the scrub is owed: not done"
        assert not retention.status(database).ok
    finally:
        reader.execute("COMMIT")
        reader.close()
    clock.advance(6 * 60)
    done = housekeeping.run_due(database, clock, TZ, scrub_wait=2)
    assert done.retention.ok and done.anonymised == 0, "the owed scrub ran though nothing new was blanked"
    assert b"\xe6\xac\xa7\xe9\x98\xb3" not in path.read_bytes() and (
        not Path(f"{path}-wal").exists() or b"\xe6\xac\xa7\xe9\x98\xb3" not in Path(f"{path}-wal").read_bytes())


def test_the_cli_says_a_blocked_run_and_fails(old_visit, clock, monkeypatch):
    from click.testing import CliRunner
    from kiosk.cli.main import main
    database, path = old_visit
    database.conn.close()
    monkeypatch.setenv("KIOSK_BUSY_TIMEOUT_MS", "200")
    holder = sqlite3.connect(path, isolation_level=None)
    holder.execute("BEGIN IMMEDIATE")
    try:
        result = CliRunner().invoke(main, ["visitors", "housekeeping", "--db", str(path)])
    finally:
        holder.execute("ROLLBACK")
        holder.close()
    assert result.exit_code != 0
    assert "Traceback" not in result.output


def _blocked(ctx):
    status = retention.blocked(None, ctx.clock, "scrub")
    retention.save(ctx.db, ctx.clock, status)


@app_test(kiosk_app_factory(lang="zh_CN", seed=_blocked))
@pytest.mark.asyncio
async def test_the_manager_sees_a_blocked_retention_and_edits_the_other_periods(kivy_app):
    app = kivy_app
    db = app.ctx.db
    await sign_in_as(app, "manager")
    section = await open_section(app, "settings")
    await settle(app)
    line = section.ids.retention_status
    assert line.text.startswith("定期匿名化自") and "重试" in line.text and "其他程序正在读取" in line.text
    from screens.theme import DANGER
    assert list(line.color) == list(DANGER)
    shot(app, "settings_retention_blocked_zh.png")
    app.lang = "en"
    await settle(app)
    assert line.text.startswith("Retention blocked since") and "retrying at" in line.text
    app.lang = "zh_CN"
    await settle(app)
    lf, calls = section.ids.lostfound_retention_days, section.ids.call_note_retention_days
    assert (lf.text, calls.text) == ("180", "180")
    assert lf.height >= 47.5 and calls.height >= 47.5
    for box, bad in ((lf, "15"), (lf, "１２"), (calls, "6"), (calls, "99999999999999"), (lf, "1\x1b0")):
        box.text = bad
        await tap(app, find(section, text="保存设置"))
        assert box.error and section.error, (bad, section.error)
        assert ("16" if box is lf else "7") in section.error, section.error
        assert settings.get(db, "lostfound_retention_days") == 180 and settings.get(db, "call_note_retention_days") == 180
        box.text = "180"
    lf.text, calls.text = "365", "30"
    await tap(app, find(section, text="保存设置"))
    assert not section.error, section.error
    assert settings.get(db, "lostfound_retention_days") == 365 and settings.get(db, "call_note_retention_days") == 30
    changes = [r[0] for r in db.execute("SELECT record_id FROM audit WHERE action = 'setting.change'"
                                        " AND actor_id IS NOT NULL")]
    assert "lostfound_retention_days" in changes and "call_note_retention_days" in changes
    shot(app, "settings_retention_periods_zh.png")
    # A run that gets through clears the red line.
    app.ctx.clock.advance(60)
    app.retention_state = retention.Status(True, app.ctx.clock.now())
    section.load_retention_state()
    await settle(app)
    assert line.text.startswith("定期匿名化：上次运行于") and list(line.color) != list(DANGER)
