"""Every `kiosk` command that only reads works on a database it cannot write: a read-only bind mount of
the data folder and a full tmpfs (real mounts; we run as root, so chmod would prove nothing). Nothing is
created beside the file (no -wal, no -shm), the output is the same as on a writable copy, and a command
that must write still refuses with the file named."""
from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from tests import storage_faults as faults
from tests.core.test_core_storage_cli import demo_db, invoke

# (argv after the command, a piece of its output on a sound database: the shipped default site speaks zh_CN)
READERS = [
    (["visitors", "onsite"], "在场："),
    (["user", "list"], "经理"),
    (["lostfound", "list"], ""),
    (["complaints", "list"], ""),
    (["complaints", "duties"], ""),
    (["complaints", "month", "--month", "2026-11"], ""),
    (["printer", "queue"], ""),
    (["catalogue", "export"], ""),
    (["db", "check"], "完整性：正常"),
    (["db", "check", "--quick"], ""),
]


def _run(argv: list[str], db: Path):
    return invoke([*argv, "--db", str(db)])


def _sound_outputs(db: Path) -> dict:
    found = {}
    for argv, expected in READERS:
        result = _run(argv, db)
        assert result.exit_code == 0, (argv, result.output)
        assert expected in result.output, (argv, result.output)
        found[" ".join(argv)] = result.output
    return found


def _check_all(db: Path, sound: dict) -> list[str]:
    problems = []
    for argv, _ in READERS:
        result = _run(argv, db)
        key = " ".join(argv)
        if result.exit_code != 0 or "Traceback" in result.output:
            problems.append(f"{key}: exit {result.exit_code}: {result.output.strip()[-300:]}")
        elif argv[:2] != ["db", "check"] and result.output.replace(str(db), "DB") != sound[key].replace(str(db), "DB"):
            problems.append(f"{key}: output differs from the writable copy's:\n{result.output}\n---\n{sound[key]}")
    return problems


def test_every_reading_command_works_on_a_read_only_mount(tmp_path, monkeypatch):
    faults.need_mount()
    monkeypatch.setenv("KIOSK_BUSY_TIMEOUT_MS", "200")
    folder = tmp_path / "data"
    folder.mkdir()
    demo_db(folder / "kiosk.db")
    copy = tmp_path / "copy"
    copy.mkdir()
    shutil.copy(folder / "kiosk.db", copy / "kiosk.db")
    sound = _sound_outputs(copy / "kiosk.db")
    before = {p.name: p.read_bytes() for p in folder.iterdir()}
    with faults.read_only_view(folder, tmp_path / "ro") as ro:
        problems = _check_all(ro / "kiosk.db", sound)
        assert not problems, "\n".join(problems)
        result = invoke(["user", "add", "--db", str(ro / "kiosk.db"), "--name", "Li", "--role", "staff", "--pin", "2468"])
        assert result.exit_code == 1 and "read-only" in result.output and str(ro / "kiosk.db") in result.output
        # Audited reads (a manager's PIN, the lookup or export of personal data must be recorded) are refused
        # with the same sentence rather than run unrecorded; `kiosk backup` gets the data off the card.
        out = tmp_path / "out"
        out.mkdir()
        for argv in (["export", "--date", "2026-12-01", "--out", str(out), "--manager", "Demo Manager 演示经理", "--key", "x"],
                     ["privacy", "find", "--phone", "13800000000", "--manager", "Demo Manager 演示经理", "--pin", "1234"],
                     ["visitors", "search", "张", "--manager", "Demo Manager 演示经理", "--pin", "9999"]):
            result = invoke([*argv, "--db", str(ro / "kiosk.db")])
            assert result.exit_code != 0 and "Traceback" not in result.output, (argv, result.output)
            assert str(ro / "kiosk.db") in result.output and "read-only" in result.output, (argv, result.output)
    assert {p.name: p.read_bytes() for p in folder.iterdir()} == before, "nothing at all was written"


def test_every_reading_command_works_on_a_full_disk(tmp_path, monkeypatch):
    faults.need_mount()
    monkeypatch.setenv("KIOSK_BUSY_TIMEOUT_MS", "200")
    with faults.tmpfs(tmp_path / "small", 8192) as small:
        db = demo_db(small / "kiosk.db")
        copy = tmp_path / "copy.db"
        shutil.copy(db, copy)
        sound = _sound_outputs(copy)
        filler = faults.fill(small)
        problems = _check_all(db, sound)
        assert not problems, "\n".join(problems)
        assert sorted(p.name for p in small.iterdir()) == ["filler.bin", "kiosk.db"]
        filler.unlink()
