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
