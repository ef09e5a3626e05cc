"""Backups hold every name and phone number: the copy, its sidecar and the before-restore copy are 0600 and
their folders 0700, whatever the umask (issue 16 re-test: they were created 0644)."""
from __future__ import annotations

import os
import stat
from pathlib import Path

from kiosk.core import backup as backup_mod
from kiosk.core import restore as restore_mod
from kiosk.core.audit import SYSTEM
from tests.core.test_core_backup import seeded


def _mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def test_backup_sidecar_and_before_restore_copy_are_owner_only_under_umask_0(tmp_path, clock):
    old = os.umask(0)
    try:
        source = seeded(tmp_path, clock)
        folder = tmp_path / "stick"
        folder.mkdir(mode=0o777)
        os.chmod(folder, 0o777)
        made = backup_mod.make_backup(source, folder, clock=clock, policy=None).backup
        assert _mode(made.path) == 0o600
        assert _mode(Path(f"{made.path}.json")) == 0o600
        assert _mode(folder) == 0o700
        aside_dir = source.parent / restore_mod.ASIDE
        aside_dir.mkdir(mode=0o755)
        os.chmod(aside_dir, 0o755)  # made by an older version
        clock.advance(2)
        _plan, aside = restore_mod.restore(source, made.path, clock=clock, actor=SYSTEM)
        assert aside is not None and aside.parent == aside_dir
        assert _mode(aside_dir) == 0o700
        assert [oct(_mode(p)) for p in aside_dir.iterdir()] == [oct(0o600)] * len(list(aside_dir.iterdir()))
        for suffix in ("", "-wal", "-shm"):
            if Path(f"{source}{suffix}").exists():
                assert _mode(Path(f"{source}{suffix}")) == 0o600
    finally:
        os.umask(old)


def test_a_folder_that_is_not_ours_or_cannot_take_modes_is_left_alone(tmp_path, monkeypatch):
    folder = tmp_path / "share"
    folder.mkdir()
    os.chmod(folder, 0o755)
    monkeypatch.setattr(os, "getuid", lambda: os.stat(folder).st_uid + 1)
    backup_mod.private_folder(folder)
    assert _mode(folder) == 0o755
    backup_mod.private_folder(tmp_path / "gone")  # no error for a folder that vanished
