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
