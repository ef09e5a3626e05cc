"""Every backup attempt is a row with its reason — refused ones too (no folder, a read-only stick, a full
share, a folder that is gone) — and the manager's screen says that reason in its own language. Real
read-only bind mounts and a real full tmpfs; the CLI in the box's language (zh_CN by default, en when the
configuration says so)."""
from __future__ import annotations

import json
import sqlite3
from pathlib import Path

import pytest
from click.testing import CliRunner

from kiosk.cli.main import main
from kiosk.core import backup as backup_mod
from kiosk.core import config as config_mod
from kiosk.core import db as db_mod
from kiosk.core.context import Context
from tests import storage_faults as faults
from tests.core.test_core_backup import seeded


def rows(db: Path) -> list[tuple]:
    conn = sqlite3.connect(db)
    try:
        return conn.execute("SELECT outcome, destination, error, reason FROM backups ORDER BY id").fetchall()
    finally:
        conn.close()


def invoke(*args: str, env: dict | None = None):
    return CliRunner().invoke(main, list(args), env=env)


def english_config(tmp_path: Path) -> Path:
    path = tmp_path / "kiosk.toml"
    path.write_text('[site]\nlanguage = "en"\n', "utf-8")
    return path


def test_a_read_only_stick_is_an_attempt_recorded_with_its_reason_said_of_the_folder(tmp_path, clock):
    faults.need_mount()
    source = seeded(tmp_path, clock)
    (tmp_path / "stick").mkdir()
    with faults.read_only_view(tmp_path / "stick", tmp_path / "ro") as ro:
        result = invoke("backup", "--db", str(source), "--to", str(ro))
        assert result.exit_code == 1 and "Traceback" not in result.output, result.output
        assert f"备份到 {ro} 失败：磁盘或 U 盘为只读" in result.output, result.output  # the folder, in Chinese
        assert ".partial" not in result.output, "the hidden partial file is nobody's business"
        assert list(ro.iterdir()) == []
    outcome, destination, error, reason = rows(source)[-1]
    assert (outcome, destination) == ("failed", str(ro)) and "read-only" in error
    stored = json.loads(reason)
    assert stored["msgid"].startswith("The backup to {folder} failed") and stored["translated"] == ["reason"]
    # The manager's line reads it back translated.
    from kiosk.core.clock import SystemClock
    database = db_mod.connect(source)
    state = backup_mod.status(database, SystemClock())  # the CLI stamped the row with the real time
    database.close()
    assert state.last_ok is None and state.last_failed is not None
    assert "磁盘或 U 盘为只读" in state.reason.message("zh_CN") and str(ro) in state.reason.message("zh_CN")
    assert "read-only" in state.reason.message("en")


def test_a_full_stick_a_missing_folder_and_no_folder_are_each_recorded(tmp_path, clock):
    faults.need_mount()
    source = seeded(tmp_path, clock)
    with faults.tmpfs(tmp_path / "small", 256) as small:
        faults.fill(small)
        result = invoke("backup", "--db", str(source), "--to", str(small))
        assert result.exit_code == 1 and "磁盘或 U 盘已满" in result.output, result.output
        assert not [p for p in small.iterdir() if p.name != "filler.bin"], "nothing half-written kept"
    result = invoke("backup", "--db", str(source), "--to", str(tmp_path / "pulled out" / "stick #1"))
    assert result.exit_code == 1 and "Traceback" not in result.output
    result = invoke("backup", "--db", str(source))  # no --to, no [backup] folder
    assert result.exit_code == 1 and "没有备份文件夹" in result.output, result.output
    found = rows(source)
    assert [r[0] for r in found] == ["failed"] * 3
    assert [r[1] for r in found] == [str(tmp_path / "small"), str(tmp_path / "pulled out" / "stick #1"), ""]
    assert all(json.loads(r[3]).get("msgid") for r in found), "each with its reason"


def test_the_apps_nightly_job_records_a_refused_attempt_too(tmp_path, clock):
    faults.need_mount()
    source = seeded(tmp_path, clock)
    (tmp_path / "stick").mkdir()
    Context(config=config_mod.load(None), db_path=source, clock=clock).db.close()  # gets its database id
    backup_mod.init_target(source, tmp_path / "stick")  # the real backup stick, then write-protected
    with faults.read_only_view(tmp_path / "stick", tmp_path / "ro") as ro:
        cfg = config_mod.validate({"backup": {"folder": str(ro), "at": "02:00"}}, "<test>")
        ctx = Context(config=cfg, db_path=source, clock=clock)
        try:
            with pytest.raises(backup_mod.BackupError):
                backup_mod.nightly(ctx)
            state = backup_mod.status(ctx.db, clock)
        finally:
            ctx.close()
    assert state.reason is not None and "read-only" in state.reason.message("en")
    cfg = config_mod.validate({"backup": {"folder": "", "at": "02:00"}}, "<test>")
    ctx = Context(config=cfg, db_path=source, clock=clock)
    try:
        with pytest.raises(backup_mod.BackupError):
            backup_mod.nightly(ctx)
        assert "没有配置备份文件夹" in backup_mod.status(ctx.db, clock).reason.message("zh_CN")
    finally:
        ctx.close()


def test_a_backup_of_a_read_only_database_says_it_is_not_recorded_in_the_boxs_language(tmp_path, clock):
    faults.need_mount()
    source = seeded(tmp_path, clock)
    (tmp_path / "stick").mkdir()
    with faults.read_only_view(source.parent, tmp_path / "ro") as ro:
        result = invoke("backup", "--config", str(english_config(tmp_path)), "--db", str(ro / "kiosk.db"), "--to",
                        str(tmp_path / "stick"))
        assert result.exit_code == 0, result.output
        assert "this backup attempt is not recorded" in result.output and "verified: integrity ok" in result.output
        result = invoke("backup", "--db", str(ro / "kiosk.db"), "--to", str(tmp_path / "stick"))
        assert result.exit_code == 0 and "没有记录在其中" in result.output and "已校验" in result.output


def test_every_backup_and_restore_line_is_in_the_boxs_language(tmp_path, clock):
    source = seeded(tmp_path, clock)
    folder = tmp_path / "share"
    folder.mkdir()
    made = backup_mod.make_backup(source, folder, clock=clock).backup
    zh = invoke("restore", "--db", str(source), "--dry-run", str(made.path))
    assert zh.exit_code == 0 and "试运行：没有做任何更改" in zh.output and "已校验" in zh.output, zh.output
    assert "dry run" not in zh.output and "verified" not in zh.output and "table" not in zh.output
    en = invoke("restore", "--config", str(english_config(tmp_path)), "--db", str(source), "--dry-run", str(made.path))
    assert en.exit_code == 0 and "dry run: nothing changed" in en.output, en.output
    missing = invoke("restore", "--db", str(source), str(tmp_path / "no such backup.db"))
    assert missing.exit_code == 1 and "Traceback" not in missing.output


def test_a_backup_dated_in_the_future_does_not_silence_the_nightly_run_or_the_warning(tmp_path, clock):
    """A Pi has no clock battery: one backup taken while the date was a year ahead, then the clock put right."""
    from datetime import timedelta

    from kiosk.core.audit import SYSTEM
    source = seeded(tmp_path, clock)
    database = db_mod.connect(source)
    try:
        now = clock.now()
        clock.set(now + timedelta(days=365))
        backup_mod.record(database, clock, SYSTEM, kind="backup", started=clock.now(), outcome="ok",
                          file="/media/kiosk/K/kiosk-future.db", destination="/media/kiosk/K", rows=5)
        clock.set(now)
        state = backup_mod.status(database, clock)
        assert state.last_ok is None and state.warn, "a backup from the future is no backup"
        assert backup_mod.due(database, clock, "Asia/Shanghai", clock.now().strftime("%H:%M"))
        # A real one now counts, and the nightly is no longer due.
        backup_mod.record(database, clock, SYSTEM, kind="backup", started=clock.now(), outcome="ok",
                          file="/media/kiosk/K/kiosk-now.db", destination="/media/kiosk/K", rows=5)
        state = backup_mod.status(database, clock)
        assert state.file == "/media/kiosk/K/kiosk-now.db" and not state.warn
    finally:
        database.close()


def test_a_newer_schema_database_is_still_backed_up_as_it_is(tmp_path, clock):
    """Outside test finding 11: the one file to copy before touching versions. Backed up verified, marked
    with its schema, not written into (older code must not write into a newer schema)."""
    source = faults.from_the_future(seeded(tmp_path, clock))
    before = source.read_bytes()
    folder = tmp_path / "stick"
    folder.mkdir()
    result = invoke("backup", "--db", str(source), "--to", str(folder))
    assert result.exit_code == 0 and "架构版本（9001）" in result.output and "已校验" in result.output, result.output
    made = backup_mod.backups(folder)[0]
    assert made.schema_version == 9001 and backup_mod.verify_file(made.path, counts=made.counts) == []
    assert source.read_bytes() == before, "nothing written into the newer database"
    refused = invoke("restore", "--db", str(tmp_path / "data" / "kiosk.db"), "--dry-run", str(made.path))
    assert refused.exit_code == 1 and "9001" in refused.output  # this program cannot restore it: said, not done


def test_the_nightly_backup_never_goes_to_a_strangers_stick_with_the_same_label(tmp_path, clock):
    """Outside test finding 2: a visitor's stick labelled KINGSTON mounts where the backup stick (also
    KINGSTON) was configured. Only a folder prepared with --init-target for this database is written to."""
    source = seeded(tmp_path, clock)
    ctx0 = Context(config=config_mod.load(None), db_path=source, clock=clock)
    ctx0.db  # noqa: B018  (the database's own id)
    ctx0.close()
    stranger = tmp_path / "media" / "KINGSTON"
    stranger.mkdir(parents=True)
    cfg_path = tmp_path / "kb.toml"
    cfg_path.write_text(f'[backup]\nfolder = "{stranger}"\n', "utf-8")
    result = invoke("backup", "--config", str(cfg_path), "--db", str(source))
    assert result.exit_code == 1 and "不是本终端的备份位置" in result.output, result.output
    assert list(stranger.iterdir()) == [], "not one byte of the database on a stranger's stick"
    cfg = config_mod.validate({"backup": {"folder": str(stranger), "at": "02:00"}}, "<test>")
    ctx = Context(config=cfg, db_path=source, clock=clock)
    try:
        with pytest.raises(backup_mod.BackupError):
            backup_mod.nightly(ctx)
        assert "init-target" in backup_mod.status(ctx.db, clock).reason.message("en")
    finally:
        ctx.close()
    assert list(stranger.iterdir()) == []
    # Another kiosk's marked stick is not ours either.
    (stranger / backup_mod.MARKER).write_text('{"format": 1, "database_ids": ["someone-else"]}', "utf-8")
    assert invoke("backup", "--config", str(cfg_path), "--db", str(source)).exit_code == 1
    # Prepared once, it takes the nightly backup; --to DIR still writes where the technician chose.
    assert invoke("backup", "--config", str(cfg_path), "--db", str(source), "--init-target").exit_code == 0
    result = invoke("backup", "--config", str(cfg_path), "--db", str(source))
    assert result.exit_code == 0 and len(backup_mod.backups(stranger)) == 1, result.output
    elsewhere = tmp_path / "chosen"
    elsewhere.mkdir()
    assert invoke("backup", "--db", str(source), "--to", str(elsewhere)).exit_code == 0
