"""Every `kiosk` sub-command against every storage fault: a message naming the file, never a traceback.

The commands are found by walking the click tree, so a command added later is tested too. Faults are
real: a missing file and a missing folder, junk, a damaged database, a newer schema, a read-only
mount, a full tmpfs, and a second process holding the write lock.
"""
from __future__ import annotations

import shutil
import signal
import subprocess
import sys
from pathlib import Path

import click
import pytest
from click.testing import CliRunner

from kiosk.cli import params
from kiosk.cli.main import main
from tests import storage_faults as faults

PIN_INPUT = "9999\n9999\n9999\n9999\n"
MANAGER = "Demo Manager 演示经理"
# Commands that serve forever on a sound database (the UI, the phone monitor): only the faults that stop
# them at once are tried on them.
SERVING = {"run", "phone watch", "phone simulate"}
# `kiosk run` serves on every fault too: the app shows the fault screen and retries until it clears
# (tests/core/test_core_storage_app.py drives that with a real KioskApp), so it is not run here.
ALWAYS_SERVING = {"run"}
STOPPING = {"missing", "missing_folder", "junk", "newer", "read_only"}
EXTRA = {"receipt preview": ["--job", "1"]}  # commands whose options are required together


def leaf_commands() -> list[tuple[str, click.Command]]:
    found = []

    def walk(cmd, path):
        if isinstance(cmd, click.Group):
            ctx = click.Context(cmd)
            for name in cmd.list_commands(ctx):
                walk(cmd.get_command(ctx, name), path + [name])
        elif any(p.name == "db_path" for p in cmd.params):
            found.append((" ".join(path), cmd))
    walk(main, [])
    return found


def args_for(name: str, cmd: click.Command, db: Path, scratch: Path) -> list[str]:
    """The command line with --db and a plausible value for every required parameter."""
    args = name.split() + ["--db", str(db)] + EXTRA.get(name, [])
    some_file = scratch / "input.csv"
    some_file.write_text("sku,name_zh,name_en,price\n", "utf-8")
    for p in cmd.params:
        if not p.required:
            continue
        if p.name in ("manager", "user_name"):
            value = MANAGER
        elif isinstance(p.type, click.Choice):
            value = p.type.choices[0]
        elif isinstance(p.type, click.Path):
            value = str(scratch if p.type.dir_okay and not p.type.file_okay else some_file)
            if p.name == "out":
                value = str(scratch)
        elif isinstance(p.type, (click.types.IntParamType, params.Whole, params.Number)):
            value = "1"
        elif isinstance(p.type, params.Day):
            value = "2026-11-01"
        elif p.name == "month_text":
            value = "2026-11"
        elif p.name == "first":
            value = "2026-11-01"
        else:
            value = "x"
        args += [p.opts[0], value] if isinstance(p, click.Option) else [value]
    return args


class Hung(Exception):
    pass


def invoke(args: list[str], seconds: int = 30):
    def alarm(signum, frame):
        raise Hung(" ".join(args))
    old = signal.signal(signal.SIGALRM, alarm)
    signal.alarm(seconds)
    try:
        return CliRunner().invoke(main, args, input=PIN_INPUT, catch_exceptions=True)
    finally:
        signal.alarm(0)
        signal.signal(signal.SIGALRM, old)


def demo_db(path: Path) -> Path:
    """A demo database made by another process, so no connection of this one stays open on it (SQLite
    shares one lock table per file within a process: an open read-write connection would change what a
    read-only mount of the same file does)."""
    done = subprocess.run([sys.executable, "-m", "kiosk", "demo", "init", "--db", str(path)], capture_output=True,
                          text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    import sqlite3
    conn = sqlite3.connect(path)  # fold the WAL in: the faults below start from one file
    conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    conn.close()
    return path


def run_all(db: Path, scratch: Path, fault: str, *, must_fail: bool, names_file: str | None = None) -> list[str]:
    """Problems found running every command against db (empty: all good)."""
    problems = []
    for name, cmd in leaf_commands():
        if name in ALWAYS_SERVING or (name in SERVING and fault not in STOPPING):
            continue
        result = invoke(args_for(name, cmd, db, scratch))
        out = result.output
        if result.exception is not None and not isinstance(result.exception, SystemExit):
            problems.append(f"{name}: {type(result.exception).__name__}: {result.exception}")
        elif "Traceback" in out:
            problems.append(f"{name}: traceback in output")
        elif must_fail and result.exit_code == 0:
            problems.append(f"{name}: exit 0 on {fault}: {out[-200:]!r}")
        elif must_fail and names_file and names_file not in out and name not in ("db init", "demo init", "restore"):
            problems.append(f"{name}: the message does not name {names_file}: {out[-300:]!r}")
    return problems


@pytest.mark.parametrize("fault", ["missing", "missing_folder", "junk", "newer", "zero_bytes", "header_only",
                                   "foreign"])
def test_every_command_refuses_a_database_it_cannot_use(tmp_path, fault, monkeypatch):
    monkeypatch.setenv("KIOSK_BUSY_TIMEOUT_MS", "200")
    scratch = tmp_path / "scratch"
    scratch.mkdir()
    db = {"missing": tmp_path / "kiosk.db", "missing_folder": tmp_path / "typo" / "kiosk.db",
          "junk": tmp_path / "junk.db", "newer": tmp_path / "future.db",
          "zero_bytes": tmp_path / "empty #1?.db", "header_only": tmp_path / "header.db",
          "foreign": tmp_path / "someone else's.db"}[fault]  # truncated (a full card, a killed copy)
    if fault == "junk":
        faults.junk(db)
    if fault == "newer":
        faults.from_the_future(demo_db(db))
    if fault == "zero_bytes":
        db.write_bytes(b"")
    if fault in ("header_only", "foreign"):  # a SQLite file, but not ours: never migrated into a site
        import sqlite3
        conn = sqlite3.connect(db)
        conn.execute("PRAGMA user_version = 0" if fault == "foreign" else "PRAGMA user_version = 3")
        if fault == "foreign":
            conn.execute("CREATE TABLE visits (name TEXT)")  # even a table named like ours
            conn.execute("INSERT INTO visits VALUES (?)", ("王小明\u202e📦" * 20,))
        conn.commit()
        conn.close()
    before = db.read_bytes() if db.exists() else None
    problems = []
    for name, cmd in leaf_commands():
        if name in ALWAYS_SERVING:
            continue  # the fault screen serves until the fault clears (test_core_storage_app)
        if name in ("db init", "demo init") and fault in ("missing", "missing_folder", "zero_bytes", "header_only",
                                                         "foreign"):
            continue  # these two create it: checked below
        result = invoke(args_for(name, cmd, db, scratch))
        if result.exception is not None and not isinstance(result.exception, SystemExit):
            problems.append(f"{name}: {type(result.exception).__name__}: {result.exception}")
        elif result.exit_code == 0 or "Traceback" in result.output:
            problems.append(f"{name}: exit {result.exit_code}: {result.output[-200:]!r}")
        elif str(db) not in result.output and not (name == "restore"):
            problems.append(f"{name}: message does not name {db}: {result.output[-200:]!r}")
    assert not problems, "\n".join(problems)
    # Nothing was created, nothing was changed.
    assert (db.read_bytes() if db.exists() else None) == before
    assert not (tmp_path / "typo").exists()
    if fault == "zero_bytes":
        said = invoke(["visitors", "onsite", "--db", str(db)]).output
        assert "not a kiosk database" in said and "0 people" not in said, said
        assert db.stat().st_size == 0 and not Path(f"{db}-wal").exists()
    if fault in ("header_only", "foreign"):
        said = invoke(["visitors", "onsite", "--db", str(db)]).output
        assert "not a kiosk database" in said and "0 people" not in said, said
    if fault in ("missing", "missing_folder", "zero_bytes"):
        if fault != "zero_bytes":
            assert "kiosk db init" in invoke(["visitors", "onsite", "--db", str(db)]).output
        result = invoke(["db", "init", "--db", str(db)])
        assert result.exit_code == 0 and db.is_file(), result.output
        result = invoke(["visitors", "onsite", "--db", str(db)])
        assert result.exit_code == 0 and "在场：0 批来访，共 0 人" in result.output


def test_a_mistyped_db_never_reads_as_an_empty_building(tmp_path):
    """The fire roll call: `visitors onsite --db typo/kiosk.db` must not say "0 people" and exit 0."""
    result = invoke(["visitors", "onsite", "--db", str(tmp_path / "typo" / "kiosk.db")])
    assert result.exit_code == 1
    assert "0 people" not in result.output and "does not exist" in result.output
    assert not (tmp_path / "typo").exists()


def test_every_command_on_a_damaged_database_gives_a_message(tmp_path, monkeypatch):
    monkeypatch.setenv("KIOSK_BUSY_TIMEOUT_MS", "200")
    scratch = tmp_path / "scratch"
    scratch.mkdir()
    db = faults.damage(demo_db(tmp_path / "kiosk.db"))
    problems = run_all(db, scratch, "corrupt", must_fail=False)
    assert not problems, "\n".join(problems)
    result = invoke(["db", "check", "--db", str(db)])
    assert result.exit_code != 0 and str(db) in result.output and "Traceback" not in result.output


def test_every_command_on_a_read_only_mount(tmp_path, monkeypatch):
    faults.need_mount()
    monkeypatch.setenv("KIOSK_BUSY_TIMEOUT_MS", "200")
    scratch = tmp_path / "scratch"
    scratch.mkdir()
    folder = tmp_path / "data"
    folder.mkdir()
    demo_db(folder / "kiosk.db")
    with faults.read_only_view(folder, tmp_path / "ro") as ro:
        db = ro / "kiosk.db"
        problems = run_all(db, scratch, "read_only", must_fail=False)
        assert not problems, "\n".join(problems)
        result = invoke(["user", "add", "--db", str(db), "--name", "Li", "--role", "staff", "--pin", "2468",
                         "--manager", "Demo Manager 演示经理", "--manager-pin", "9999"])
        assert result.exit_code == 1 and "read-only" in result.output and str(db) in result.output
        result = invoke(["db", "init", "--db", str(ro / "new" / "kiosk.db")])
        assert result.exit_code == 1 and "Traceback" not in result.output, result.output


def test_every_command_on_a_full_disk_then_recovers(tmp_path, monkeypatch):
    faults.need_mount()
    monkeypatch.setenv("KIOSK_BUSY_TIMEOUT_MS", "200")
    scratch = tmp_path / "scratch"
    scratch.mkdir()
    with faults.tmpfs(tmp_path / "small", 8192) as small:
        db = demo_db(small / "kiosk.db")
        filler = faults.fill(small)
        assert filler.stat().st_size > 1 << 20
        problems = run_all(db, scratch, "disk_full", must_fail=False)
        assert not problems, "\n".join(problems)
        add = ["user", "add", "--db", str(db), "--name", "Zhao Lei", "--role", "staff", "--pin", "2468",
           "--manager", "Demo Manager 演示经理", "--manager-pin", "9999"]
        result = invoke(add)
        assert result.exit_code == 1 and "is full" in result.output and str(db) in result.output, result.output
        filler.unlink()
        result = invoke(add)
        assert result.exit_code == 0, result.output + subprocess.run(["ls", "-la", str(small)], capture_output=True,
                                                                     text=True).stdout
        result = invoke(["db", "check", "--db", str(db)])
        assert "完整性：正常" in result.output, result.output


def test_every_command_while_another_process_holds_the_write_lock(tmp_path, monkeypatch):
    monkeypatch.setenv("KIOSK_BUSY_TIMEOUT_MS", "200")
    scratch = tmp_path / "scratch"
    scratch.mkdir()
    db = demo_db(tmp_path / "kiosk.db")
    add = ["user", "add", "--db", str(db), "--name", "Zhao Lei", "--role", "staff", "--pin", "2468",
           "--manager", "Demo Manager 演示经理", "--manager-pin", "9999"]
    with faults.write_lock_held(db):
        problems = run_all(db, scratch, "locked", must_fail=False)
        assert not problems, "\n".join(problems)
        result = invoke(add)
        assert result.exit_code == 1 and "busy" in result.output and str(db) in result.output, result.output
        assert "在场：" in invoke(["visitors", "onsite", "--db", str(db)]).output  # readers still read
    assert invoke(add).exit_code == 0  # the lock is gone: the same command works
    shutil.rmtree(scratch)


def test_every_storage_fault_has_its_chinese_sentence_with_the_same_placeholders():
    import re

    from kiosk.core import i18n, storage
    catalogue = i18n.catalogue("zh_CN")
    for kind, msgid in storage.MESSAGES.items():
        assert msgid in catalogue, kind
        assert set(re.findall(r"\{\w+\}", catalogue[msgid])) == set(re.findall(r"\{\w+\}", msgid)), kind
    fault = storage.StorageFault("disk_full", "/media/kiosk/U盘/kiosk.db")
    assert fault.message("zh_CN").startswith("存放 /media/kiosk/U盘/kiosk.db 的磁盘已满")
