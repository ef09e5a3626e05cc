"""Issue 19's leftovers: `kiosk config check`, `kiosk printer test`, `kiosk phone watch` and `kiosk run` speak
the site's language in every line, and the quick database check's problems are sentences in it (SQLite's own
English only as the detail they quote). Each on a zh_CN site, with no English word left (paths, numbers,
command names and the configuration's own words allowed), and on an en site in English."""
from __future__ import annotations

import re
from pathlib import Path

import pytest
from click.testing import CliRunner

from kiosk.cli.main import main
from tests.core.test_core_cli_language import CJK, english_words

CONFIG_WORDS = ["zh_CN", "virtual", "kiosk", "SQLite", "JSON"]


def _site(root: Path, lang: str, extra: str = "") -> Path:
    path = root / f"{lang}.toml"
    path.write_text(f'[site]\nlanguage = "{lang}"\n{extra}', "utf-8")
    return path


# --- kiosk config check -----------------------------------------------------------------------------------------
def test_config_check_speaks_the_language_of_the_file_it_checks(tmp_path):
    zh, en = _site(tmp_path, "zh_CN"), _site(tmp_path, "en")
    said = CliRunner(env={"KIOSK_CONFIG": str(en)}).invoke(main, ["config", "check", str(zh)])
    assert said.exit_code == 0 and "：有效（电话：模拟" in said.output, said.output
    assert not english_words(said.output, [str(zh), *CONFIG_WORDS]), said.output
    said = CliRunner(env={"KIOSK_CONFIG": str(zh)}).invoke(main, ["config", "check", str(en)])
    assert said.exit_code == 0 and ": OK (phone: Simulated" in said.output and not CJK.search(said.output), said.output


def test_config_check_of_a_file_naming_no_language_speaks_the_box_default(tmp_path):
    zh, en = _site(tmp_path, "zh_CN"), _site(tmp_path, "en")
    bare = tmp_path / "bare.toml"
    bare.write_text('[phone]\ndetector = "simulated"\n', "utf-8")
    said = CliRunner(env={"KIOSK_CONFIG": str(en)}).invoke(main, ["config", "check", str(bare)]).output
    assert ": OK (phone: " in said and not CJK.search(said), said
    said = CliRunner(env={"KIOSK_CONFIG": str(zh)}).invoke(main, ["config", "check", str(bare)]).output
    assert "：有效（电话：" in said and not english_words(said, [str(bare), *CONFIG_WORDS]), said


def test_config_check_of_an_invalid_english_file_reads_english_on_a_chinese_box(tmp_path):
    zh = _site(tmp_path, "zh_CN")
    bad = tmp_path / "bad.toml"
    bad.write_text('[site]\nlanguage = "en"\ncolour = "blue"\n', "utf-8")
    said = CliRunner(env={"KIOSK_CONFIG": str(zh)}).invoke(main, ["config", "check", str(bad)])
    assert said.exit_code == 1 and said.output.startswith(f"Error: the configuration file {bad} cannot be used:")
    assert not CJK.search(said.output), said.output


# --- the quick database check's problems ----------------------------------------------------------------------
@pytest.mark.parametrize("damage", ["junk", "cut"])
def test_quick_check_problems_are_sentences_in_the_site_language(tmp_path, damage):
    zh, en = _site(tmp_path, "zh_CN"), _site(tmp_path, "en")
    db = tmp_path / "k.db"
    assert CliRunner().invoke(main, ["demo", "init", "--config", str(zh), "--db", str(db)]).exit_code == 0
    if damage == "junk":
        db.write_bytes(b"this is not a database at all, just a note somebody saved here" * 5)
    else:
        for extra in (Path(f"{db}-wal"), Path(f"{db}-shm")):
            extra.unlink(missing_ok=True)
        with db.open("r+b") as handle:
            handle.truncate(db.stat().st_size // 2)
    result = CliRunner().invoke(main, ["db", "check", "--quick", "--config", str(zh), "--db", str(db)])
    assert result.exit_code == 1 and "快速检查：" in result.output, result.output
    assert ("不是 SQLite 数据库" if damage == "junk" else "文件不完整") in result.output, result.output
    assert not english_words(result.output, [str(db), "SQLite"]), result.output
    english = CliRunner().invoke(main, ["db", "check", "--quick", "--config", str(en), "--db", str(db)]).output
    assert ("not an SQLite database" if damage == "junk" else "cut short") in english and not CJK.search(english)


def test_a_damaged_table_quotes_sqlite_as_the_detail_of_a_translated_sentence():
    from kiosk.core import dbcheck
    from kiosk.core.config import Text
    problem = Text(dbcheck.DAMAGED, table="visits", detail="database disk image is malformed")
    zh = dbcheck.problems_text([problem, Text("not an SQLite database (header)")], "zh_CN")
    assert zh == "visits：已损坏（SQLite 提示：database disk image is malformed）；不是 SQLite 数据库（文件头不符）", zh
    assert dbcheck.problems_text([problem], "en") == "visits: damaged (SQLite says: database disk image is malformed)"


# --- kiosk printer test -------------------------------------------------------------------------------------------
def test_printer_test_says_its_result_in_the_site_language(tmp_path, monkeypatch):
    monkeypatch.setenv("KIOSK_HOME", str(tmp_path / "home"))
    zh, en = _site(tmp_path, "zh_CN"), _site(tmp_path, "en")
    db = tmp_path / "k.db"
    assert CliRunner().invoke(main, ["db", "init", "--config", str(zh), "--db", str(db)]).exit_code == 0
    said = CliRunner().invoke(main, ["printer", "test", "--config", str(zh), "--db", str(db)])
    assert said.exit_code == 0 and "：测试页已保存为 " in said.output, said.output
    assert not english_words(said.output, [str(tmp_path), *CONFIG_WORDS]), said.output
    assert list((tmp_path / "home").rglob("*-test-*.png")), "the virtual printer saved the page"
    english = CliRunner().invoke(main, ["printer", "test", "--config", str(en), "--db", str(db), "--kick"]).output
    assert ": test page saved as " in english and not CJK.search(english), english


def test_a_printer_test_that_cannot_reach_the_printer_says_so_in_the_site_language(tmp_path, monkeypatch):
    import socket
    monkeypatch.setenv("KIOSK_HOME", str(tmp_path / "home"))
    with socket.socket() as closed:           # a port nobody listens on
        closed.bind(("127.0.0.1", 0))
        port = closed.getsockname()[1]
    printer = f'[printer]\nkind = "network"\nhost = "127.0.0.1"\nport = {port}\n'
    zh, en = _site(tmp_path, "zh_CN", printer), _site(tmp_path, "en", printer)
    db = tmp_path / "k.db"
    assert CliRunner().invoke(main, ["db", "init", "--config", str(zh), "--db", str(db)]).exit_code == 0
    said = CliRunner().invoke(main, ["printer", "test", "--config", str(zh), "--db", str(db)])
    assert said.exit_code == 1 and said.output.startswith(f"错误：打印机 127.0.0.1:{port} 离线或无法连接"), said.output
    assert not english_words(said.output, [str(tmp_path)]), said.output
    english = CliRunner().invoke(main, ["printer", "test", "--config", str(en), "--db", str(db)]).output
    assert english.startswith(f"Error: the printer 127.0.0.1:{port} is offline") and not CJK.search(english), english


def test_every_printer_result_a_connection_reports_has_its_chinese():
    """`kiosk printer test` (and `printer queue`) say a connection's SendResult detail as a msgid."""
    import ast
    from kiosk.core import i18n
    from kiosk.cli.printer import TROUBLE
    source = Path(__file__).resolve().parents[2] / "hardware" / "printer" / "connections.py"
    details = set(TROUBLE.values())
    for node in ast.walk(ast.parse(source.read_text("utf-8"))):
        if isinstance(node, ast.Call) and getattr(node.func, "id", None) == "SendResult" and len(node.args) > 1:
            detail = node.args[1]
            parts = [detail.left, detail.right] if isinstance(detail, ast.BinOp) else [detail]
            for part in parts:
                if isinstance(part, ast.Constant):
                    details.add(part.value)
                elif isinstance(part, ast.IfExp) and isinstance(part.body, ast.Constant):
                    details.add(detail.left.value + part.body.value)
    catalogue = i18n.catalogue("zh_CN")
    assert len(details) > 8 and not [d for d in details if d not in catalogue], \
        [d for d in details if d not in catalogue]


# --- kiosk phone watch --------------------------------------------------------------------------------------------
def _watch(config: Path, port: str, *extra: str) -> list[dict]:
    import json
    result = CliRunner().invoke(main, ["phone", "watch", "--config", str(config), "--kind", "ri", "--port", port,
                                       "--seconds", "0.6", *extra])
    assert result.exit_code == 0, result.output
    return [json.loads(text) for text in result.output.splitlines()]


# The records' keys and codes are the documented format tools read (docs/hardware.md): only what is written
# for a person (a state's detail, the --learn hint) is prose.
PROSE = ("detail", "hint")


def test_phone_watch_writes_its_details_and_hint_in_the_site_language(tmp_path, monkeypatch):
    monkeypatch.setenv("KIOSK_HOME", str(tmp_path / "home"))
    zh, en = _site(tmp_path, "zh_CN"), _site(tmp_path, "en")
    port = str(tmp_path / "by-id" / "usb-not-plugged-in")
    records = _watch(zh, port, "--learn")
    prose = [str(r[k]) for r in records for k in PROSE if r.get(k)]
    assert [r["event"] for r in records][-1] == "learned" and records[0]["state"] == "reconnecting", records
    assert f"正在等待 {port}" in prose and "已停止" in prose, prose
    assert any("没有检测到振铃" in p for p in prose), prose
    assert not english_words(" ".join(prose), [port, "RI"]), prose
    english = [str(r[k]) for r in _watch(en, port, "--learn") for k in PROSE if r.get(k)]
    assert f"waiting for {port}" in english and "stopped" in english and not CJK.search(" ".join(english)), english


def test_a_detector_detail_stays_english_for_the_log_and_the_call_log():
    from kiosk.core.config import Text
    detail = Text("lost {port}: {error}", port="/dev/ttyUSB0", error="device disconnected")
    assert detail == "lost /dev/ttyUSB0: device disconnected"
    from kiosk.core.i18n import gettext
    assert detail.said(lambda m: gettext(m, "zh_CN")) == "与 /dev/ttyUSB0 的连接中断（系统提示：device disconnected）"


# --- kiosk db check: the full check's problems ------------------------------------------------------------------
def test_full_check_problems_are_said_in_the_site_language(tmp_path):
    import sqlite3
    zh, en = _site(tmp_path, "zh_CN"), _site(tmp_path, "en")
    db = tmp_path / "k.db"
    assert CliRunner().invoke(main, ["demo", "init", "--config", str(zh), "--db", str(db)]).exit_code == 0
    conn = sqlite3.connect(db)
    conn.execute("UPDATE stock_levels SET quantity = quantity + 5 WHERE product_id = 1")   # bypassing movements
    conn.execute("DROP TRIGGER sales_no_update")
    conn.commit()
    conn.close()
    result = CliRunner().invoke(main, ["db", "check", "--config", str(zh), "--db", str(db)])
    assert result.exit_code == 1 and "完整性：" in result.output and "；库存 " in result.output, result.output
    assert "缺少触发器：sales_no_update" in result.output and "结存" in result.output, result.output   # the schema's own line
    assert "表 sales 缺少触发器 sales_no_update" in result.output, result.output
    skus = re.findall(r"库存 (\S+)：", result.output)
    assert not english_words(result.output, [str(db), *skus, "sales_no_update", "sales"]), result.output
    english = CliRunner().invoke(main, ["db", "check", "--config", str(en), "--db", str(db)]).output
    assert "balance" in english and "trigger sales_no_update on sales is missing" in english, english
    assert not CJK.search(english), english


def test_every_problem_the_full_check_can_name_has_its_chinese():
    """The problem lines of kiosk.core.db, kiosk.counter.sales and kiosk.core.dbcheck are Texts with msgids."""
    import ast
    from kiosk.core import i18n
    root = Path(__file__).resolve().parents[2]
    found = set()
    for name in ("kiosk/core/db.py", "kiosk/counter/sales.py", "kiosk/core/dbcheck.py", "hardware/phone/detectors.py"):
        for node in ast.walk(ast.parse((root / name).read_text("utf-8"))):
            if isinstance(node, ast.Call) and getattr(node.func, "id", None) == "Text" and node.args \
                    and isinstance(node.args[0], ast.Constant):
                found.add(node.args[0].value)
    from kiosk.core import dbcheck
    found.add(dbcheck.DAMAGED)
    catalogue = i18n.catalogue("zh_CN")
    assert len(found) >= 20 and not [m for m in found if m not in catalogue], [m for m in found if m not in catalogue]


# --- kiosk run ----------------------------------------------------------------------------------------------------
def _run_app(tmp_path: Path, config: Path, db: Path) -> tuple[str, str]:
    """`kiosk run --demo --screenshot` in its own process, with no display (the offscreen notice is printed)."""
    import os
    import subprocess
    import sys
    # Kivy's log (the app's log lines go into it, English, for the journal) is not what the command says
    env = {k: v for k, v in os.environ.items()
           if k not in ("DISPLAY", "WAYLAND_DISPLAY", "SDL_VIDEODRIVER", "KIVY_LOG_MODE", "KIOSK_LOG_LEVEL")}
    env.update(KIOSK_HOME=str(tmp_path / "home"), KIVY_NO_CONSOLELOG="1")
    shot = tmp_path / "shot.png"
    proc = subprocess.run([sys.executable, "-m", "kiosk", "run", "--config", str(config), "--db", str(db), "--demo",
                           "--screenshot", str(shot)], cwd=Path(__file__).resolve().parents[2], env=env,
                          capture_output=True, text=True, timeout=180)
    assert proc.returncode == 0 and "Traceback" not in proc.stderr, proc.stderr
    return proc.stdout, proc.stderr


def _without_the_technicians_english(text: str) -> str:
    """A storage fault's English line under the sentence, labelled for the technician (kiosk.cli.main.fault_text)."""
    return "\n".join(line for line in text.splitlines() if not line.startswith("英文："))


@pytest.mark.parametrize("database", ["sound", "junk"])
def test_run_says_its_start_up_lines_in_the_site_language(tmp_path, database):
    from kiosk.demo import accounts as demo
    zh, en = _site(tmp_path, "zh_CN"), _site(tmp_path, "en")
    db = tmp_path / "k.db"
    if database == "junk":
        db.write_bytes(b"not a database, a note somebody saved here " * 20)
    else:
        assert CliRunner().invoke(main, ["db", "init", "--config", str(zh), "--db", str(db)]).exit_code == 0
    out, err = _run_app(tmp_path, zh, db)
    assert f"截图已保存到 {tmp_path / 'shot.png'}" in out and "演示登录：" in out, out
    if database == "junk":
        assert "不是自助机数据库" in err and "\n英文：" in err, err   # and the fault screen shows it
    else:
        assert "已创建演示数据：" in out, out
    names = [demo.DEMO_STAFF[0], demo.DEMO_MANAGER[0]]
    text = _without_the_technicians_english(out + err).replace("kiosk restore", " ")   # a command to type
    assert not english_words(text, [str(tmp_path), *names]), (text, english_words(text, [str(tmp_path), *names]))
    out, err = _run_app(tmp_path, en, db)
    assert f"screenshot saved to {tmp_path / 'shot.png'}" in out and not CJK.search((out + err).replace(names[0], "")
                                                                                   .replace(names[1], "")), out + err


def test_run_refuses_a_bad_window_size_in_the_site_language(tmp_path):
    zh, en = _site(tmp_path, "zh_CN"), _site(tmp_path, "en")
    db = tmp_path / "k.db"
    said = CliRunner().invoke(main, ["run", "--config", str(zh), "--db", str(db), "--size", "big"])
    assert said.exit_code == 2 and said.output.startswith("错误：--size 的格式应为 800x480"), said.output
    assert not db.exists(), "refused before anything is opened or created"
    english = CliRunner().invoke(main, ["run", "--config", str(en), "--db", str(db), "--size", "big"]).output
    assert english.startswith("Error: --size must look like 800x480, got 'big'"), english
