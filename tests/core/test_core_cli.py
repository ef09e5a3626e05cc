"""The command line: clear output, clear errors, same library underneath."""
from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from kiosk.cli.main import main

ROOT = Path(__file__).resolve().parents[2]


def run(*args: str):
    return CliRunner().invoke(main, list(args), catch_exceptions=False)


def test_user_add_list_and_db_check(tmp_path):
    db = str(tmp_path / "k.db")
    result = run("user", "add", "--db", db, "--name", "Wang Fang", "--role", "manager", "--pin", "4826")
    assert result.exit_code == 1 and "kiosk db init" in result.output  # never an empty database by accident
    assert run("db", "init", "--db", db).exit_code == 0
    result = run("user", "add", "--db", db, "--name", "Wang Fang", "--role", "manager", "--pin", "4826")
    assert result.exit_code == 0 and "已添加经理 'Wang Fang'" in result.output
    approve = ("--manager", "Wang Fang", "--manager-pin", "4826")
    result = run("user", "add", "--db", db, "--name", "Wang Fang", "--role", "staff", "--pin", "1234", *approve)
    assert result.exit_code == 1 and "已有名为" in result.output
    result = run("user", "add", "--db", db, "--name", "Li", "--role", "staff", "--pin", "12", *approve)
    assert result.exit_code == 1 and "PIN 码必须是 4 到 8 位数字" in result.output
    assert "经理\tWang Fang" in run("user", "list", "--db", db).output   # the default site: zh_CN
    result = run("db", "check", "--db", db)
    assert result.exit_code == 0
    assert "完整性：正常" in result.output and "结构版本：" in result.output


def test_db_check_on_missing_and_corrupt_files(tmp_path):
    result = run("db", "check", "--db", str(tmp_path / "nope.db"))
    assert result.exit_code == 1 and "no database at" in result.output
    bad = tmp_path / "bad.db"
    bad.write_bytes(b"this is not a database" * 100)
    result = CliRunner().invoke(main, ["db", "check", "--db", str(bad)])
    assert result.exit_code != 0
    assert "not a kiosk database" in result.output, "a clear message, not a traceback"
    assert isinstance(result.exception, SystemExit)


def test_db_check_finds_a_stock_balance_that_disagrees_with_its_movements(tmp_path, clock):
    from kiosk.counter import sales as counter
    from kiosk.core import db as db_mod
    path = tmp_path / "k.db"
    database = db_mod.connect(path)
    counter.seed_demo(database, clock)
    assert "完整性：正常" in run("db", "check", "--db", str(path)).output
    with db_mod.write(database):  # someone edits the balance by hand, bypassing the movements
        database.execute("UPDATE stock_levels SET quantity = quantity + 5 WHERE product_id = 1")
    database.close()
    result = run("db", "check", "--db", str(path))
    assert result.exit_code == 1 and "结存" in result.output and "出入库合计" in result.output, result.output


def test_config_check(tmp_path):
    good = tmp_path / "good.toml"
    good.write_text('[site]\nid = "LOBBY1"\nlanguage = "en"\n[printer]\nkind = "network"\nhost = "10.0.0.9"\n')
    result = run("config", "check", str(good))
    # in the language the checked file names (kiosk config check follows it, not the box's default)
    assert result.exit_code == 0 and ": OK (phone: " in result.output, result.output
    bad = tmp_path / "bad.toml"
    bad.write_text('[phone]\ndetector = "at"\ncadance = "CN"\n')
    result = run("config", "check", str(bad))
    assert result.exit_code == 1
    # in the box's language (no box configuration here: the shipped default, zh_CN), the file named once
    assert result.output.startswith(f"错误：配置文件 {bad} 无法使用：") and "[phone] 未知的键 'cadance'" in result.output
    assert "[phone] port：detector = 'at' 时须填写串口设备路径" in result.output, result.output


def test_bad_config_stops_start_up_with_a_message(tmp_path):
    bad = tmp_path / "bad.toml"
    bad.write_text('[ui]\nstaff_idle_seconds = 5\n')
    result = run("run", "--config", str(bad), "--db", str(tmp_path / "k.db"))
    assert result.exit_code == 1
    assert "[ui] staff_idle_seconds = 5：应为15 到 3600 之间的数" in result.output and str(bad) in result.output


@pytest.mark.parametrize("size", ["800x480", "1024x600", "1280x800"])
def test_demo_app_starts_and_draws_at_each_screen_size(tmp_path, size, artifacts):
    shot = artifacts / "screenshots" / f"run_demo_home_{size}.png"
    shot.unlink(missing_ok=True)
    env = dict(os.environ, SDL_VIDEODRIVER="offscreen", KIOSK_HOME=str(tmp_path))
    assert run("db", "init", "--db", str(tmp_path / "k.db")).exit_code == 0  # `run` never creates one
    proc = subprocess.run([sys.executable, "-m", "kiosk", "run", "--demo", "--db", str(tmp_path / "k.db"),
                           "--size", size, "--screenshot", str(shot)],
                          cwd=ROOT, env=env, capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stderr[-2000:]
    assert "演示登录：" in proc.stdout
    from PIL import Image
    with Image.open(shot) as image:
        assert image.size == tuple(int(v) for v in size.split("x"))
        # Something was drawn: the picture is not one flat colour.
        assert len(image.convert("L").getcolors(maxcolors=1_000_000)) > 10
