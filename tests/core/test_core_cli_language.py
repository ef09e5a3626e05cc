"""Every refusal of every command speaks the site's language: each is run with a zh_CN site (and one with an
en site) and fails on an English word. What may stay Latin: option names as typed (--manager), paths, the
values the user typed, the config syntax quoted, and a few terms Chinese writes in Latin (PIN, CSV, UTF-8)."""
from __future__ import annotations

import re
from pathlib import Path

import pytest
from click.testing import CliRunner

from kiosk.cli.main import main
from kiosk.demo import accounts as demo

ALLOWED = {"PIN", "CSV", "UTF", "YYYY", "MM", "DD", "USB", "kiosk", "sudo", "root", "user", "unlock", "printer",
           "kind", "none", "csv", "xlsx", "pdf", "sale", "fee", "refund", "eod", "stocktake", "handover", "lf"}
WORD = re.compile(r"[A-Za-z]{2,}")
MANAGER, MANAGER_PIN = demo.DEMO_MANAGER
# A value typed by the user, made of Latin words on purpose: it must be shown as typed, and only it.
NOBODY = "Nobody Here"


def english_words(text: str, typed: list[str]) -> list[str]:
    for value in sorted(typed, key=len, reverse=True):
        text = text.replace(value, " ")
    text = re.sub(r"--role (manager|staff)", " ", text)      # an option with its value, as typed
    text = re.sub(r"--[a-z][a-z-]*", " ", text)             # option names as typed
    text = re.sub(r"(?:/[^\s：，（）'\"]+)+", " ", text)         # paths
    return [w for w in WORD.findall(text) if w not in ALLOWED]


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    root = tmp_path_factory.mktemp("cli 语言")
    db = root / "k.db"
    zh, en = root / "zh.toml", root / "en.toml"
    zh.write_text('[site]\nlanguage = "zh_CN"\n', "utf-8")
    en.write_text('[site]\nlanguage = "en"\n', "utf-8")
    out = CliRunner().invoke(main, ["demo", "init", "--config", str(zh), "--db", str(db)])
    assert out.exit_code == 0, out.output
    latin1 = root / "catalogue.csv"
    latin1.write_bytes("sku,name\nA1,caf\xe9\n".encode("latin-1"))
    fresh = root / "fresh.db"
    assert CliRunner().invoke(main, ["db", "init", "--config", str(zh), "--db", str(fresh)]).exit_code == 0
    return {"db": db, "zh": zh, "en": en, "root": root, "latin1": latin1, "fresh": fresh}


def cases(s) -> list[tuple[list[str], str]]:
    """(arguments after --config/--db, a part of the Chinese sentence) for each refusal."""
    out = str(s["root"] / "out")
    return [
        (["export", "--date", "2026-11-30", "--out", out, "--manager", NOBODY], "没有名为"),
        (["export", "--date", "2026-11-30", "--out", out], "导出须由经理"),
        (["export", "--date", "30/11/2026", "--out", out, "--manager", MANAGER, "--pin", MANAGER_PIN], "不是日期"),
        (["export", "--date", "2026-11-30", "--out", out, "--manager", MANAGER, "--pin", "0000"], ""),
        (["export", "--date", "2026-11-30", "--out", out, "--format", "doc", "--manager", MANAGER, "--pin",
          MANAGER_PIN], ""),
        (["export", "--date", "2020-01-01", "--to", "2026-01-01", "--out", out, "--manager", MANAGER, "--pin",
          MANAGER_PIN], ""),
        (["user", "add", "--name", "新人", "--role", "staff", "--pin", "1234"], "经理"),
        (["user", "rename", "--manager", MANAGER, "--pin", MANAGER_PIN, NOBODY, "x"], "没有名为"),
        (["user", "unlock", NOBODY], "--manager"),
        (["user", "deactivate", "--manager", NOBODY, "--pin", "1234", "x"], "没有名为"),
        (["receipt", "preview"], "--kind"),
        (["receipt", "preview", "--kind", "bogus", "--id", "1"], "应为以下之一"),
        (["privacy", "find", "--manager", MANAGER, "--pin", MANAGER_PIN], "--phone"),
        (["complaints", "export-month", "--month", "2026-13", "--out", out], "YYYY-MM"),
        (["catalogue", "import", str(s["latin1"]), "--manager", MANAGER, "--pin", MANAGER_PIN], "UTF-8"),
        (["lostfound", "show", "LF-NOPE-9"], ""),
    ]


def _run(s, config: Path, args: list[str], db: Path | None = None):
    head, rest = args[:2] if args[0] in ("user", "receipt", "privacy", "complaints", "catalogue", "lostfound") \
        else args[:1], args[2:] if args[0] in ("user", "receipt", "privacy", "complaints", "catalogue",
                                               "lostfound") else args[1:]
    return CliRunner().invoke(main, [*head, "--config", str(config), "--db", str(db or s["db"]), *rest])


def test_every_refusal_is_in_the_site_language(site):
    for args, part in cases(site):
        db = site["fresh"] if args[:2] == ["user", "add"] else None
        result = _run(site, site["zh"], args, db)
        text = result.output
        assert result.exit_code != 0, (args, text)
        assert "Traceback" not in text and result.exception is None or isinstance(result.exception, SystemExit), \
            (args, text, result.exception)
        assert text.startswith("错误："), (args, text)
        assert part in text, (args, text)
        typed = [a for a in args if not a.startswith("--")]
        if "--kind" in args:   # the codes to type are shown as they must be typed
            from kiosk.printing.documents import KIND_CODES
            typed += list(KIND_CODES)
        assert not english_words(text, typed), (args, text, english_words(text, typed))


def test_an_english_site_reads_english(site):
    for args, _ in cases(site)[:3]:
        result = _run(site, site["en"], args)
        assert result.output.startswith("Error: ") and not re.search(r"[\u4e00-\u9fff]", result.output
                                                                     .replace(MANAGER, "")), result.output


def test_account_lines_and_prompts_in_the_site_language(site):
    db = site["root"] / "acc.db"
    zh = str(site["zh"])
    CliRunner().invoke(main, ["db", "init", "--config", zh, "--db", str(db)])
    first = CliRunner().invoke(main, ["user", "add", "--config", zh, "--db", str(db), "--name", "王经理", "--role",
                                      "manager", "--pin", "2468"])
    assert first.exit_code == 0 and "已添加经理 '王经理'" in first.output, first.output
    second = CliRunner().invoke(main, ["user", "add", "--config", zh, "--db", str(db), "--name", "李员工", "--role",
                                       "staff", "--pin", "1357", "--manager", "王经理"], input="2468\n")
    assert second.exit_code == 0, second.output
    assert "王经理 的 PIN 码" in second.output and "已添加员工 '李员工'" in second.output
    assert not english_words(second.output, ["王经理", "李员工"]), second.output


def test_onsite_speaks_the_site_language_on_the_desks_clock(tmp_path):
    """The roll-call list: times on the site's clock (stored UTC), the count in the site's language."""
    from datetime import datetime, timezone
    from kiosk.core import db as db_mod
    from kiosk.core.clock import FakeClock
    from kiosk.visitors import service as visitors
    from kiosk.visitors.service import Visitor
    db = tmp_path / "k.db"
    zh, en = tmp_path / "zh.toml", tmp_path / "en.toml"
    zh.write_text('[site]\nlanguage = "zh_CN"\ntimezone = "Asia/Shanghai"\n', "utf-8")
    en.write_text('[site]\nlanguage = "en"\ntimezone = "America/New_York"\n', "utf-8")
    assert CliRunner().invoke(main, ["demo", "init", "--config", str(zh), "--db", str(db)]).exit_code == 0
    database = db_mod.connect(db)
    host, host_name = database.execute("SELECT id, name FROM hosts ORDER BY id LIMIT 1").fetchone()
    clock = FakeClock(datetime(2026, 12, 3, 23, 30, tzinfo=timezone.utc))   # 07:30 on the 4th in Shanghai
    visitors.sign_in(database, clock, Visitor(name="王伟", phone="13800138000", host_id=host, purpose="meeting",
                                              party_size=3, privacy_accepted=True))
    database.close()
    result = CliRunner().invoke(main, ["visitors", "onsite", "--config", str(zh), "--db", str(db)])
    assert result.exit_code == 0, result.output
    assert "2026-12-04 07:30\t王伟\tx3" in result.output and "23:30" not in result.output, result.output
    assert "在场：1 批来访，共 3 人" in result.output and not english_words(result.output, ["王伟", host_name]), result.output
    english = CliRunner().invoke(main, ["visitors", "onsite", "--config", str(en), "--db", str(db)]).output
    assert "2026-12-03 18:30\t王伟" in english and "on site: 3 people in 1 visits" in english, english


def test_demo_init_and_db_check_speak_the_site_language(site):
    fresh = site["root"] / "demo-fresh.db"
    made = CliRunner().invoke(main, ["demo", "init", "--config", str(site["zh"]), "--db", str(fresh)]).output
    assert made.startswith("已创建：员工账户、经理账户、"), made
    assert f"演示登录：员工 '{demo.DEMO_STAFF[0]}'，PIN 码 {demo.DEMO_STAFF[1]}" in made, made
    again = CliRunner().invoke(main, ["demo", "init", "--config", str(site["zh"]), "--db", str(fresh)]).output
    assert again.startswith("已创建：无（已经存在）"), again
    names = [demo.DEMO_STAFF[0], demo.DEMO_MANAGER[0]]
    assert not english_words(made + again, names), made + again
    check = CliRunner().invoke(main, ["db", "check", "--config", str(site["zh"]), "--db", str(fresh)]).output
    assert "数据库：" in check and "结构版本：" in check and "完整性：正常" in check, check
    assert not english_words(check, [str(fresh)]), check
    quick = CliRunner().invoke(main, ["db", "check", "--quick", "--config", str(site["zh"]), "--db", str(fresh)])
    assert quick.exit_code == 0 and "快速检查：正常（已检查" in quick.output, quick.output
    en = CliRunner().invoke(main, ["db", "check", "--config", str(site["en"]), "--db", str(fresh)]).output
    assert "database: " in en and "integrity: ok" in en, en


@pytest.mark.parametrize("body, part", [
    ('[site]\nlanguage = "zh_CN"\ncolour = "blue"\n', "[site] 未知的键 'colour'（应为以下之一："),
    ('[site]\nlanguage = "zh_CN"\n[printer]\npaper_mm = 57\n', "[printer] paper_mm = 57：应为58 或 80"),
    ('[site]\nlanguage = "zh_CN"\n[printer]\nkind = "cups"\n', "[printer] cups_name：kind = 'cups' 时须填写 CUPS 打印机名称"),
    ('[site]\nlanguage = "zh_CN"\n[phone]\nbaudrate = 7\n', "应为以下之一：1200、2400"),
    ('[site]\nlanguage = "zh_CN"\n[nosuch]\n', "未知的段落 [nosuch]"),
])
def test_a_configuration_problem_names_the_file_and_what_to_do(tmp_path, body, part):
    bad = tmp_path / "坏的 kiosk.toml"
    bad.write_text(body, "utf-8")
    for args in (["user", "list", "--config", str(bad), "--db", str(tmp_path / "k.db")], ["config", "check", str(bad)]):
        result = CliRunner().invoke(main, args)
        text = result.output
        assert result.exit_code == 1 and "Traceback" not in text, text
        assert text.startswith(f"错误：配置文件 {bad} 无法使用：") and part in text, text
        assert f"请改正该文件（可用 kiosk config check {bad} 检查）" in text, text
        from kiosk.core.config import SCHEMA   # the file's own words: its sections and keys, as typed there
        keys = ["colour", "nosuch", "cups", "CUPS", "config", "check", *SCHEMA, *(k for keys in SCHEMA.values() for k in keys)]
        assert not english_words(text, [str(bad), *keys]), (text, english_words(text, [str(bad), *keys]))


def test_a_configuration_problem_on_an_english_site_reads_english(tmp_path):
    bad = tmp_path / "kiosk.toml"
    bad.write_text('[site]\nlanguage = "en"\ncolour = "blue"\n', "utf-8")
    text = CliRunner().invoke(main, ["user", "list", "--config", str(bad), "--db", str(tmp_path / "k.db")]).output
    assert text.startswith(f"Error: the configuration file {bad} cannot be used:"), text
    assert "[site] unknown key 'colour'" in text and "kiosk config check" in text and not CJK.search(text), text
    broken = tmp_path / "broken.toml"
    broken.write_bytes(b"[site\nlanguage = 'zh_CN'\n")      # not TOML at all: the shipped default, Chinese
    text = CliRunner().invoke(main, ["user", "list", "--config", str(broken), "--db", str(tmp_path / "k.db")]).output
    assert "不是有效的 TOML" in text and str(broken) in text, text


CJK = re.compile(r"[\u4e00-\u9fff]")
