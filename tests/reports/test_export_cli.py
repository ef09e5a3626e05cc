"""USB stick detection from /proc/mounts and /sys/block, and the `kiosk export` / `kiosk demo seed` commands."""
from __future__ import annotations

import csv
import io
from pathlib import Path

from click.testing import CliRunner

from kiosk.cli.main import main
from kiosk.reports.usb import destinations, removable_drives

MOUNTS = """\
/dev/mmcblk0p2 / ext4 rw,noatime 0 0
proc /proc proc rw,nosuid 0 0
tmpfs /run tmpfs rw,nosuid 0 0
/dev/sda1 /mnt/stick vfat rw,relatime 0 0
/dev/sdb1 /mnt/ro\\040stick vfat ro,relatime 0 0
/dev/sdc1 /media/pi/MY\\040USB exfat rw 0 0
/dev/nvme0n1p1 /data ext4 rw 0 0
"""


def _sys_block(root: Path) -> Path:
    block = root / "block"
    for disk, removable, parts in (("mmcblk0", "0", ["mmcblk0p2"]), ("sda", "1", ["sda1"]), ("sdb", "1", ["sdb1"]),
                                   ("sdc", "0", ["sdc1"]), ("nvme0n1", "0", ["nvme0n1p1"])):
        (block / disk).mkdir(parents=True)
        (block / disk / "removable").write_text(removable + "\n")
        for part in parts:
            (block / disk / part).mkdir()
    return block


def test_removable_drives_from_mounts_and_sysfs(tmp_path):
    mounts = tmp_path / "mounts"
    mounts.write_text(MOUNTS)
    found = removable_drives(mounts, _sys_block(tmp_path))
    # sda1: removable flag; sdc1: automounted under /media (USB-SATA bridges often say removable=0);
    # sdb1 is read-only; the SD card, NVMe and pseudo filesystems are not sticks.
    assert [str(d.path) for d in found] == ["/mnt/stick", "/media/pi/MY USB"]
    assert found[1].label == "MY USB" and all(d.removable for d in found)
    with_ro = removable_drives(mounts, _sys_block(tmp_path / "b"), writable_only=False)
    assert "/mnt/ro stick" in [str(d.path) for d in with_ro]


def test_configured_folder_comes_after_sticks(tmp_path):
    mounts = tmp_path / "mounts"
    mounts.write_text(MOUNTS)
    out = destinations(tmp_path / "exports", proc_mounts=mounts, sys_block=_sys_block(tmp_path))
    assert out[-1].path == tmp_path / "exports" and not out[-1].removable
    assert destinations(None, proc_mounts=tmp_path / "missing")[:] == []


def test_cli_seed_then_export(tmp_path):
    db = tmp_path / "k.db"
    runner = CliRunner()
    assert runner.invoke(main, ["db", "init", "--db", str(db)]).exit_code == 0
    seeded = runner.invoke(main, ["demo", "seed", "--days", "2", "--calls", "30", "--db", str(db)])
    assert seeded.exit_code == 0, seeded.output
    # Nothing after now (the real clock): yesterday's 30 calls, and today's up to this moment.
    import re
    assert 30 <= int(re.search(r"来电：(\d+)", seeded.output).group(1)) <= 60, seeded.output
    out = tmp_path / "out"
    out.mkdir()
    from datetime import datetime
    from zoneinfo import ZoneInfo
    from datetime import timedelta
    # Yesterday: a whole seeded day (today's part stops at the real clock's now).
    today = datetime.now(ZoneInfo("Asia/Shanghai")).date() - timedelta(days=1)
    refused = runner.invoke(main, ["export", "--date", str(today), "--out", str(out), "--db", str(db)])
    assert refused.exit_code != 0 and "导出须由经理" in refused.output, "no credentials: no export"
    assert not list(out.iterdir())
    DEMO_MANAGER = ("M", "9999")
    runner.invoke(main, ["user", "add", "--db", str(db), "--name", "M", "--role", "manager", "--pin", "9999"])
    wrong = runner.invoke(main, ["export", "--date", str(today), "--out", str(out), "--db", str(db),
                                 "--manager", DEMO_MANAGER[0]], input="0000\n")
    assert wrong.exit_code != 0 and "PIN 码错误" in wrong.output and not list(out.iterdir())
    result = runner.invoke(main, ["export", "--date", str(today), "--out", str(out), "--db", str(db),
                                  "--format", "csv,pdf", "--lang", "en", "--manager", DEMO_MANAGER[0]],
                           input=DEMO_MANAGER[1] + "\n")
    assert result.exit_code == 0, result.output
    from kiosk.core import audit
    from kiosk.core import db as db_mod0
    [entry] = [e for e in audit.entries(db_mod0.connect(db)) if e["action"] == "export.run"]
    assert entry["actor"] == DEMO_MANAGER[0] and '"formats": ["csv", "pdf"]' in entry["after"]
    assert str(out) in entry["after"] and '"calls": 30' in entry["after"]
    folder = out / f"kiosk-export-{today}"
    rows = list(csv.reader(io.StringIO((folder / "calls.csv").read_text("utf-8-sig"), newline="")))
    assert len(rows) == 31 and rows[0][0] == "Call"
    assert (folder / f"kiosk-export-{today}.pdf").exists() and not list(folder.glob("*.xlsx"))
    from kiosk.core import db as db_mod
    from kiosk.reports import logs as export_logs
    _, missing = export_logs.split_available(db_mod.connect(db))
    for pending in missing:  # logs of areas not landed yet are named, never faked
        assert f"missing log {pending.name}" in result.output


def test_cli_errors_are_clear(tmp_path):
    db = tmp_path / "k.db"
    runner = CliRunner()
    runner.invoke(main, ["db", "init", "--db", str(db)])
    runner.invoke(main, ["user", "add", "--db", str(db), "--name", "M", "--role", "manager", "--pin", "9999"])
    cases = [
        (["--date", "2026-02-30"], "不是日期"),   # the site's language (zh_CN)
        (["--date", "2026-11-23", "--to", "2026-11-01"], "早于开始日期"),   # the site's language (zh_CN)
        (["--date", "2026-11-23", "--to", "2026-11-01", "--lang", "en"], "before the start date"),
        (["--date", "2026-11-23", "--format", "csv,docx"], "未知格式 docx"),
        (["--date", "2026-11-23", "--out", str(tmp_path / "gone"), "--lang", "en"], "does not exist"),
    ]
    for args, message in cases:
        if "--out" not in args:
            args = args + ["--out", str(tmp_path)]
        result = runner.invoke(main, ["export", "--db", str(db), "--manager", "M", *args], input="9999\n")
        assert result.exit_code != 0 and message in result.output, (args, result.output)


def test_cli_scheduled_export_with_the_configured_key(tmp_path):
    import hashlib
    db, out, config = tmp_path / "k.db", tmp_path / "out", tmp_path / "kiosk.toml"
    out.mkdir()
    config.write_text(f'[export]\nkey_sha256 = "{hashlib.sha256(b"s3cret-key").hexdigest()}"\n')
    runner = CliRunner()
    runner.invoke(main, ["db", "init", "--db", str(db)])
    base = ["export", "--config", str(config), "--db", str(db), "--date", "2026-11-23", "--out", str(out)]
    bad = runner.invoke(main, base + ["--key", "guess"])
    assert bad.exit_code != 0 and "导出密钥与配置的不一致" in bad.output
    good = runner.invoke(main, base, env={"KIOSK_EXPORT_KEY": "s3cret-key"})
    assert good.exit_code == 0, good.output


def test_demo_commands_refuse_a_sites_own_database_and_leave_it_untouched(tmp_path):
    """Outside test (issue 19): demo init/seed on a live site's file added a PIN-9999 manager and fake sales
    numbered in the real receipt series."""
    from kiosk.core import auth, db as db_mod
    from kiosk.core.audit import SYSTEM
    from kiosk.core.clock import SystemClock
    runner = CliRunner()
    site = tmp_path / "prod.db"
    assert runner.invoke(main, ["db", "init", "--db", str(site)]).exit_code == 0
    database = db_mod.connect(site)
    auth.add_user(database, SystemClock(), SYSTEM, "王经理", "manager", "4826")
    before = database.execute("SELECT COUNT(*) FROM users").fetchone()[0], database.execute(
        "SELECT COUNT(*) FROM audit").fetchone()[0]
    database.close()
    for command in (["demo", "init"], ["demo", "seed", "--days", "1"]):
        result = runner.invoke(main, [*command, "--db", str(site)])
        assert result.exit_code != 0 and "王经理" in result.output and "--force" in result.output, result.output
        assert "Traceback" not in result.output
    database = db_mod.connect(site)
    assert (database.execute("SELECT COUNT(*) FROM users").fetchone()[0],
            database.execute("SELECT COUNT(*) FROM audit").fetchone()[0]) == before, "nothing written"
    assert database.execute("SELECT COUNT(*) FROM sales").fetchone()[0] == 0
    database.close()
    # A fresh file is a demo one: seeded twice (the mark lets the second in), then demo init on top.
    demo = tmp_path / "demo.db"
    assert runner.invoke(main, ["db", "init", "--db", str(demo)]).exit_code == 0
    for command in (["demo", "seed", "--days", "1", "--visitors", "3", "--calls", "0", "--sales", "2"],
                    ["demo", "seed", "--days", "1", "--visitors", "3", "--calls", "0", "--sales", "2", "--seed", "2"],
                    ["demo", "init"]):
        result = runner.invoke(main, [*command, "--db", str(demo)])
        assert result.exit_code == 0, result.output
    forced = runner.invoke(main, ["demo", "seed", "--days", "1", "--visitors", "1", "--calls", "0", "--sales", "0",
                                  "--force", "--db", str(site)])
    assert forced.exit_code == 0, forced.output
