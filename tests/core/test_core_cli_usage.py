"""click's own usage errors speak the site's language, and no date, number or text typed on the command line
ends in a traceback or a foreign sentence: year 0001, 9999-12-31, year 0000, 30-digit numbers, negative days,
NaN, NUL and escape bytes, over every date and number option of every command (found by walking the tree).
The exit status of a usage error stays click's: 2."""
from __future__ import annotations

import ast
import re
from pathlib import Path

import click
import pytest
from click.testing import CliRunner

from kiosk.cli import params
from kiosk.cli.main import LAZY_COMMANDS, main
from kiosk.core import i18n
from tests.core.test_core_cli_language import english_words

CJK = re.compile(r"[\u4e00-\u9fff]")
# Control bytes must never reach the terminal raw (repr() shows them as \x00, \x1b).
RAW_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    root = tmp_path_factory.mktemp("cli usage")
    zh, en = root / "zh.toml", root / "en.toml"
    zh.write_text('[site]\nlanguage = "zh_CN"\n', "utf-8")
    en.write_text('[site]\nlanguage = "en"\n', "utf-8")
    db = root / "k.db"
    assert CliRunner().invoke(main, ["demo", "init", "--config", str(zh), "--db", str(db)]).exit_code == 0
    return {"zh": str(zh), "en": str(en), "db": str(db), "out": str(root / "out")}


def _invoke(site, path: list[str], rest: list[str], lang: str = "zh"):
    command = main
    for name in path:
        command = command.get_command(click.Context(command), name) if isinstance(command, click.Group) else None
    takes = command is None or any(p.name in ("config_path", "db_path") for p in command.params)
    config = ["--config", site[lang]] if command is None or any(p.name == "config_path" for p in command.params) else []
    if not takes:   # a command with neither (phone simulate): the default language, zh_CN
        rest = [a for a in rest if a not in ("--db", site["db"])]
    return CliRunner().invoke(main, [*path, *config, *rest])


def _checked_usage_error(result, typed: list[str]) -> str:
    """A usage error in Chinese: exit 2, no traceback, every line but the syntax line free of English."""
    text = result.output
    assert result.exit_code == 2, text
    assert result.exception is None or isinstance(result.exception, SystemExit), repr(result.exception)
    assert "Traceback" not in text and "数字太大" not in text, text
    assert "错误：" in text and not RAW_CONTROL.search(text), text
    sentences = "\n".join(line for line in text.splitlines() if not line.startswith("用法："))
    # What may stay Latin besides: the codes a choice takes (typed as shown), metavars, the program's name.
    typed = [*typed, *(repr(v)[1:-1] for v in typed)]   # a value is quoted escaped (repr)
    shown = [*typed, "--help", "NAME", "PATH", "main", "staff", "manager", "held", "claimed", "handed_over", "disposed"]
    assert not english_words(sentences, shown), (text, english_words(sentences, shown))
    return text


CLICK_ERRORS = [  # (command path, arguments, a part of the Chinese sentence)
    (["demo", "seed"], ["--end-day", "30/11/2026"], "不是日期"),
    (["demo", "seed"], ["--end-day", "0001-01-01"], "超出了本机可记录的日期范围"),
    (["demo", "seed"], ["--bogus"], "没有选项 '--bogus'"),
    (["demo", "seed"], ["--day"], "没有选项 '--day'"),         # "did you mean" suggestions too
    (["demo", "seed"], ["--days"], "需要一个值"),
    (["demo", "seed"], ["--days", "many"], "不是整数"),
    (["demo", "seed"], ["--days", "7", "extra"], "多出了参数"),
    (["user", "rename"], [], "缺少参数 'NAME'"),
    (["user", "add"], ["--name", "王五"], "缺少选项 '--role'"),
    (["user", "add"], ["--name", "王五", "--role", "boss"], "应为以下之一"),
    (["lostfound", "list"], ["--status", "lost"], "应为以下之一"),
    (["catalogue", "import"], ["/nowhere/catalogue.csv", "--manager", "x"], "不存在"),
    (["export"], ["--out", "/tmp"], "缺少选项 '--date'"),
    (["nosuch"], [], "没有命令 'nosuch'"),
]


@pytest.mark.parametrize("path, args, part", CLICK_ERRORS, ids=[" ".join(c[0] + c[1]) for c in CLICK_ERRORS])
def test_clicks_own_usage_errors_are_in_the_site_language(site, path, args, part):
    rest = args if path == ["nosuch"] else ["--db", site["db"], *args]
    result = CliRunner().invoke(main, [*path, *rest, "--config", site["zh"]]) if path == ["nosuch"] \
        else _invoke(site, path, rest)
    text = _checked_usage_error(result, [*path, *args])
    assert part in text, text
    if path != ["nosuch"] and "需要一个值" not in part:
        assert text.startswith("用法：") and "查看帮助" in text, text   # the usage and --help lines too


@pytest.mark.parametrize("path, args, part", CLICK_ERRORS[:4])
def test_an_english_site_keeps_clicks_english(site, path, args, part):
    result = _invoke(site, path, ["--db", site["db"], *args], lang="en")
    assert result.exit_code == 2 and "Error: " in result.output and "Usage:" in result.output
    assert not CJK.search(result.output), result.output


def test_the_language_of_one_command_does_not_leak_into_the_next(site):
    zh = _invoke(site, ["demo", "seed"], ["--db", site["db"], "--bogus"])
    en = _invoke(site, ["demo", "seed"], ["--db", site["db"], "--bogus"], lang="en")
    assert "没有选项" in zh.output and "No such option" in en.output and not CJK.search(en.output)
    assert click.exceptions._("Usage:") == "Usage:"   # outside a command click's texts are click's


# --- every date and number option, walked from the command tree --------------------------------------------
def _commands(group: click.Group, prefix: list[str]):
    ctx = click.Context(group)
    for name in (LAZY_COMMANDS if group is main else group.list_commands(ctx)):
        command = group.get_command(ctx, name)
        if isinstance(command, click.Group):
            yield from _commands(command, [*prefix, name])
        else:
            yield [*prefix, name], command


def _typed_options() -> list[tuple[list[str], str, click.ParamType]]:
    out = []
    for path, command in _commands(main, []):
        for param in command.params:
            if isinstance(param, click.Option) and isinstance(param.type, (params.Day, params.Whole, params.Number)):
                out.append((path, param.opts[0], param.type))
    return out


HOSTILE = {params.Day: ["0001-01-01", "9999-12-31", "0000-01-01", "1999-12-31", "2100-01-01", "2026-02-30",
                        "2026-13-01", "20261130", "2026-W48-1", "２０２６-１１-３０", "-2026-01-01", "2026-01-01\x00"],
           params.Whole: ["9" * 30, "9" * 400, str(2**63), "-1", "-99999999999999999999", "1e3", "3.5", "²", "0x10",
                          "", "7\x1b[2J"],
           params.Number: ["nan", "inf", "-inf", "1e999", "9" * 400, "-1", "abc", "", "1\x00"]}
CASES = [(path, option, value) for path, option, kind in _typed_options() for value in HOSTILE[type(kind)]
         # a value a Whole accepts is no failure: --seed 0, --limit 1 ...
         if not (isinstance(kind, params.Whole) and value.lstrip("-").isdigit() and value.isascii()
                 and kind.low <= int(value) <= kind.high)]
# Options validated in the command body (free text read there): the same hostile days and months.
BODY = [(["export"], ["--date", v, "--out", "OUT", "--manager", "x"]) for v in HOSTILE[params.Day]] + \
       [(["export"], ["--date", "2026-11-30", "--to", v, "--out", "OUT", "--manager", "x"])
        for v in HOSTILE[params.Day]] + \
       [(["complaints", "export-month"], ["--month", v, "--out", "OUT"])
        for v in ("0001-01", "9999-12", "0000-00", "2026-13", "2026\x00-01", "9" * 400)]


def test_the_walk_finds_every_date_and_number_option():
    found = {(" ".join(path), option) for path, option, _ in _typed_options()}
    assert {("demo seed", "--end-day"), ("demo seed", "--days"), ("demo seed", "--seed"), ("printer queue", "--limit"),
            ("receipt reprint", "--job"), ("db check", "--budget"), ("complaints calendar", "--holiday"),
            ("phone simulate", "--speed"), ("visitors search", "--limit")} <= found, found


def test_no_option_uses_clicks_english_number_or_date_types():
    """click's INT/FLOAT/IntRange/DateTime say "is not a valid integer" with the type's English name in the
    sentence, and DateTime takes year 0001: every such option uses kiosk.cli.params instead."""
    english = (click.types.IntParamType, click.types.FloatParamType, click.DateTime)
    offenders = [(" ".join(path), p.name) for path, command in _commands(main, []) for p in command.params
                 if isinstance(p.type, english)]
    assert not offenders, offenders


@pytest.mark.parametrize("path, option, value", CASES, ids=[f"{' '.join(p)} {o} {v[:12]!r}" for p, o, v in CASES])
def test_hostile_dates_and_numbers_are_usage_errors_in_the_site_language(site, path, option, value):
    result = _invoke(site, path, [option, value, "--db", site["db"]] if path[0] != "phone" else [option, value])
    text = _checked_usage_error(result, [*path, value])
    assert option in text or "控制字符" in text, text


@pytest.mark.parametrize("path, args", BODY, ids=[" ".join(p + a)[:60] for p, a in BODY])
def test_hostile_days_read_by_the_command_itself(site, path, args):
    args = [site["out"] if a == "OUT" else a for a in args]
    result = _invoke(site, path, ["--db", site["db"], *args])
    _checked_usage_error(result, [*path, *args])


@pytest.mark.parametrize("args", [
    ["export", "--db", "k\x00.db", "--date", "2026-11-30", "--out", "o"],
    ["backup", "--to", "/tmp/b\x00"],
    ["restore", "/tmp/b\x00", "--dry-run"],
    ["config", "check", "/tmp/\x00.toml"],
    ["lostfound", "show", "LF\x00"],
    ["receipt", "preview", "--kind", "sale", "--id", "1\x1b[2J"],
    ["user", "add", "--name", "a\x1b]0;owned\x07", "--role", "staff", "--pin", "1234"],
    ["phone", "watch", "--port", "/dev/tty\x00", "--kind", "at", "--seconds", "0.1"],
    ["visitors", "search", "王\u0085", "--manager", "x"],
])
def test_control_bytes_anywhere_on_the_line_are_refused_before_anything_runs(site, args):
    result = CliRunner().invoke(main, [*args, "--config", site["zh"]])
    text = _checked_usage_error(result, args)
    assert "含有控制字符" in text and "\\x" in text, text     # shown escaped, never played to the terminal


def test_a_day_out_of_range_is_refused_by_the_core_too(db, clock):
    """The screen's pickers and the library reach the same limit: a RangeError, never an OverflowError."""
    from datetime import date
    from kiosk.demo import seed
    from kiosk.core.errors import Refusal
    from kiosk.reports.summary import RangeError, range_bounds
    for day in (date(1, 1, 1), date(9999, 12, 31)):
        with pytest.raises(RangeError) as refused:
            range_bounds(day, day, "Asia/Shanghai")
        assert "超出了本机可记录的日期范围" in refused.value.message("zh_CN")
    with pytest.raises(Refusal) as refused:
        seed.seed(db, clock, days=3, tz_name="Asia/Shanghai", end_day=date(2000, 1, 2))
    assert refused.value.message("zh_CN") != refused.value.msgid


# --- the catalogue holds every sentence click can show --------------------------------------------------------
# click's texts a user of `kiosk` never sees: errors in a program's own declarations, Windows, shell completion.
DEVELOPERS_ONLY = {"Could not determine name for option with declarations {decls!r}",
                   "Name '{name}' defined twice", "Boolean option {decl!r} cannot use the same flag for true/false.",
                   "Arguments take exactly one parameter declaration, got {length}: {decls}.",
                   "DeprecationWarning: The command {name!r} is deprecated.{extra_message}",
                   "DeprecationWarning: The {param_type} {name!r} is deprecated.{extra_message}",
                   "Unknown color {colour!r}", "Unknown standard stream '{name}'", "Choice({choices})", "d",
                   "Windows error: {error}"}


def _click_msgids() -> set[str]:
    found = set()
    root = Path(click.__file__).parent
    for path in root.glob("*.py"):
        if path.name in ("shell_completion.py", "_winconsole.py"):
            continue
        for node in ast.walk(ast.parse(path.read_text("utf-8"))):
            if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id in ("_", "ngettext"):
                found |= {a.value for a in node.args if isinstance(a, ast.Constant) and isinstance(a.value, str)}
    return {m for m in found if not m.startswith("No options defined")} - DEVELOPERS_ONLY


def test_every_sentence_click_marks_is_in_the_chinese_catalogue():
    catalogue = i18n.catalogue("zh_CN")
    missing = sorted(m for m in _click_msgids() if m not in catalogue)
    assert not missing, "add to data/locale/zh_CN/LC_MESSAGES/click.po:\n" + "\n".join(map(repr, missing))
    for msgid in _click_msgids():   # click fills {name!r} and %(prog)s: the translation keeps each one
        assert set(re.findall(r"\{\w*(?:![rs])?\}|%\(\w+\)s", msgid)) == \
            set(re.findall(r"\{\w*(?:![rs])?\}|%\(\w+\)s", catalogue[msgid])), msgid


def test_every_click_module_that_marks_text_is_routed():
    from kiosk.cli import words
    root = Path(click.__file__).parent
    marking = {f"click.{p.stem}" for p in root.glob("*.py") if "from gettext import" in p.read_text("utf-8")
               and p.stem not in ("shell_completion", "_winconsole")}
    assert marking <= set(words.CLICK_MODULES), marking - set(words.CLICK_MODULES)


# --- every help page and every command's ordinary output, walked from the command tree ------------------------
# Words a page may keep in Latin beside the allow-list: the technical names Chinese writes as they are, and the
# codes a choice or a configuration takes (typed as shown).
TERMS = ["TOML", "SQLite", "PRAGMA", "integrity_check", "foreign_key_check", "quick_check", "WAL", "VACUUM", "QR",
         "PNG", "ESC/POS", "JSON", "BOM", "Excel", "XLSX", "PDF", "RI", "Ctrl-C", "AT", "OK", "IANA", "CUPS",
         "SHA-256", "sha256", "systemctl stop kiosk", "kiosk db init", "kiosk config check", "by-id", "ring_output", "pulse",
         "level", "[phone]", "[backup]", "folder", "DIR", "badge", "lftag", "lfclaim", "lfhandover", "answered_ring2",
         "unanswered_6", "abandoned_3", "cid_before_ring1", "cid_after_ring1", "unplug_mid_call",
         "zh_CN", "en", "at", "ri", "line", "CN", "US", "UK", "simulated", "virtual", "x"]


def _english(text: str, terms: list[str], *, page: bool = False) -> list[str]:
    """english_words, with each allowed term removed as a whole word only ("at" never eats "catalogue"), and
    on a help page what is typed as shown (the usage line, metavars, choice lists) too."""
    text = re.sub(r"(?:/[^\s：，（）'\"]+)+", " ", text)         # paths first: a term must not cut one open
    for term in sorted(terms, key=len, reverse=True):
        text = re.sub(rf"(?<![A-Za-z0-9_]){re.escape(term)}(?![A-Za-z0-9_])", " ", text)
    return english_words(_without_syntax(text) if page else text, [])


def _help_page(site, path: list[str]):
    """`kiosk <path> --help` on the zh_CN site (KIOSK_CONFIG: groups take no --config)."""
    return CliRunner(env={"KIOSK_CONFIG": site["zh"]}).invoke(main, [*path, "--help"])


def _groups_and_commands():
    out = [([], main)]
    def walk(group, prefix):
        ctx = click.Context(group)
        for name in (LAZY_COMMANDS if group is main else group.list_commands(ctx)):
            command = group.get_command(ctx, name)
            out.append(([*prefix, name], command))
            if isinstance(command, click.Group):
                walk(command, [*prefix, name])
    walk(main, [])
    return out


PAGES = [path for path, _ in _groups_and_commands()]


def test_every_command_and_group_speaks_the_site_language():
    from kiosk.cli import words
    plain = [" ".join(path) or "kiosk" for path, command in _groups_and_commands()
             if not isinstance(command, words.SpeaksHelp)]
    assert not plain, f"make these cls=words.Command / words.Group: {plain}"


def test_every_help_text_has_its_chinese():
    """Each docstring and option help, as click shows it, is a catalogue entry (the class of failure: a new
    command or option written in English only)."""
    import inspect
    catalogue = i18n.catalogue("zh_CN")
    texts = {inspect.cleandoc(t): " ".join(path) or "kiosk" for path, command in _groups_and_commands()
             for t in [command.help, command.short_help, *(p.help for p in command.params
                                                             if not getattr(p, "hidden", False))] if t}
    missing = sorted(f"{where}: {text!r}" for text, where in texts.items() if text not in catalogue)
    assert len(texts) > 100 and not missing, "add to data/locale/zh_CN/LC_MESSAGES/cli.po:\n" + "\n".join(missing)


def _without_syntax(text: str) -> str:
    """A help page without what is typed as shown: the usage line, metavars and choice lists."""
    lines = [line for line in text.splitlines() if not line.startswith("用法：")]
    text = "\n".join(lines)
    text = re.sub(r"\[[\w|-]+(?:\|[\w-]+)+\]", " ", text)          # [held|claimed|...] choices
    return re.sub(r"\b[A-Z][A-Z_]+\b(?=\s)", " ", text)           # metavars (TEXT, NAME, RING_OUTPUT)


@pytest.mark.parametrize("path", PAGES, ids=[" ".join(p) or "kiosk" for p in PAGES])
def test_every_help_page_is_in_the_site_language(site, path):
    result = _help_page(site, path)
    assert result.exit_code == 0, result.output
    text = result.output
    assert CJK.search(text) and "选项" in text and "显示此帮助并退出" in text, text
    command = dict((tuple(p), c) for p, c in _groups_and_commands())[tuple(path)]
    typed = [*TERMS, *(LAZY_COMMANDS if command is main else getattr(command, "commands", {})),   # sub-commands
             *(c for p in command.params if isinstance(p.type, click.Choice) for c in p.type.choices)]
    assert not _english(text, typed, page=True), (text, _english(text, typed, page=True))


def test_the_version_and_its_help_are_in_the_site_language(site):
    page = _help_page(site, []).output
    assert "显示版本并退出" in page and "Show the version" not in page, page
    version = CliRunner(env={"KIOSK_CONFIG": site["zh"]}).invoke(main, ["--version"])
    assert version.exit_code == 0 and "版本" in version.output and "version" not in version.output, version.output
    english = CliRunner(env={"KIOSK_CONFIG": site["en"]}).invoke(main, ["--version"])
    assert ", version " in english.output and not CJK.search(english.output), english.output


def test_an_english_site_reads_english_help(site):
    for path in (["db", "check"], ["user"], []):
        text = CliRunner(env={"KIOSK_CONFIG": site["en"]}).invoke(main, [*path, "--help"]).output
        assert "Show this message and exit." in text and not CJK.search(text), text
    assert "Run PRAGMA integrity_check" in CliRunner(env={"KIOSK_CONFIG": site["en"]}).invoke(
        main, ["db", "check", "--help"]).output
    # and the help objects are left as they were: the next Chinese page is Chinese, the next English one English
    assert "检查数据库" in _help_page(site, ["db", "check"]).output


# Every command's ordinary (successful) output on a zh_CN site, one run each, in an order that gives each
# something to show. Not run here: `run` (the touchscreen app) and `phone watch` (a serial device; it prints
# JSON event records for tools): tests/core/test_core_cli_language_leftovers.py runs both in both languages.
NOT_RUN = {("run",), ("phone", "watch")}
NEWCOMER = "新同事"
LOG_FILES = [log.name for log in __import__("kiosk.reports.logs", fromlist=["LOGS"]).LOGS]  # as on the stick


def _ordinary(root: Path) -> list[tuple[list[str], str]]:
    from kiosk.demo import accounts as demo
    manager, pin = demo.DEMO_MANAGER
    approve = ["--manager", manager, "--pin", pin]
    out, backups, fresh = str(root / "out"), str(root / "backups"), str(root / "fresh.db")
    return [
        (["demo", "init"], ""), (["demo", "seed", "--days", "3", "--force"], ""),
        (["db", "check"], ""), (["db", "check", "--quick"], ""), (["db", "migrate"], ""), (["db", "init"], ""),
        (["db", "init", "--db", fresh], ""),
        (["config", "check", "ZH"], ""),
        (["user", "add", "--name", NEWCOMER, "--role", "staff", "--pin", "2580", "--manager", manager,
          "--manager-pin", pin], ""),
        (["user", "list"], ""),
        (["user", "rename", *approve, NEWCOMER, NEWCOMER + "二"], ""),
        (["user", "reset-pin", *approve, NEWCOMER + "二"], "3690\n3690\n"),
        (["user", "deactivate", *approve, NEWCOMER + "二"], ""), (["user", "reactivate", *approve, NEWCOMER + "二"], ""),
        (["user", "unlock", *approve, NEWCOMER + "二"], ""),
        (["user", "change-pin", NEWCOMER + "二"], "3690\n4826\n4826\n"),
        (["printer", "test"], ""), (["printer", "queue", "--limit", "5"], ""),
        (["receipt", "preview", "--job", "1"], ""), (["receipt", "reprint", "--job", "1", "--user", manager], ""),
        (["phone", "simulate", "--scenario", "answered_ring2", "--speed", "1000", "--pause", "0",
          "--link-dir", str(root)], ""),
        (["lostfound", "list"], ""), (["lostfound", "list", "--due"], ""), (["lostfound", "show", "LF-2026-0001"], ""),
        (["export", "--date", "DAY", "--out", out, *approve], ""),
        (["catalogue", "export", str(root / "goods.csv")], ""), (["catalogue", "import", str(root / "goods.csv"),
                                                                    *approve], ""),
        (["visitors", "host-add", "李四", "--department", "行政部", *approve], ""),
        (["visitors", "onsite"], ""), (["visitors", "search", "王", *approve], ""), (["visitors", "housekeeping"], ""),
        (["complaints", "list"], ""), (["complaints", "duties"], ""), (["complaints", "month", "--month", "MONTH"], ""),
        (["complaints", "export-month", "--month", "MONTH", "--out", out, *approve], ""),
        (["complaints", "calendar", "--show"], ""),
        (["privacy", "find", "--phone", "13800138000", *approve], ""),
        (["privacy", "erase", "--phone", "13800138000", "--yes", *approve], ""),
        (["privacy", "scrub", *approve], ""),
        (["backup", "--to", backups], ""), (["restore", "BACKUP", "--dry-run"], ""),
    ]


# Columns that hold what people typed (names, descriptions, places): shown as they are, in any script.
DATA = {"users": ["name"], "hosts": ["name", "department"], "visits": ["name", "organisation", "host_name"],
        "lf_items": ["description", "features", "storage", "found_place", "handed_in_name", "brand", "colour"],
        "complaints": ["what", "place", "topic", "customer_name"], "products": ["name_zh", "name_en"],
        "fee_types": ["name_zh", "name_en"], "call_notes": ["what", "caller_name", "place"]}


def _data_words(db_path: str) -> set[str]:
    import sqlite3
    con = sqlite3.connect(db_path)
    try:
        return {word for table, cols in DATA.items() for col in cols
                for (value,) in con.execute(f"SELECT {col} FROM {table}") for word in re.findall(r"[A-Za-z]{2,}",
                                                                                                 value or "")}
    finally:
        con.close()


def test_every_commands_ordinary_output_is_in_the_site_language(tmp_path):
    from datetime import date, timedelta
    zh = tmp_path / "zh.toml"
    zh.write_text('[site]\nlanguage = "zh_CN"\n', "utf-8")
    (tmp_path / "out").mkdir()
    (tmp_path / "backups").mkdir()
    db = str(tmp_path / "k.db")
    runs = _ordinary(tmp_path)
    walked = {tuple(path) for path, _ in _commands(main, [])}
    covered = {tuple(args[:2]) if tuple(args[:2]) in walked else (args[0],) for args, _ in runs}
    assert walked - NOT_RUN == covered, f"add an ordinary run for {sorted(walked - NOT_RUN - covered)}"
    yesterday = (date.today() - timedelta(days=1)).isoformat()
    checked = 0
    for args, typed_in in runs:
        last_month = (date.today().replace(day=1) - timedelta(days=1)).isoformat()[:7]   # a month that is over
        args = [{"ZH": str(zh), "DAY": yesterday, "MONTH": last_month}.get(a, a) for a in args]
        if args[0] == "restore":
            args[1] = str(sorted((tmp_path / "backups").glob("*.db"))[-1])
        head = 2 if tuple(args[:2]) in walked else 1
        extra = [] if args[0] in ("config", "phone") else ["--config", str(zh)] + ([] if "--db" in args else ["--db", db])
        result = CliRunner(env={"KIOSK_CONFIG": str(zh)}).invoke(main, [*args[:head], *extra, *args[head:]],
                                                                   input=typed_in or None)
        text = result.output
        assert result.exit_code == 0 and result.exception is None, (args, text, result.exception)
        assert text.strip() and "Traceback" not in text, (args, text)
        typed = [a for a in args if not a.startswith("--")] + [str(tmp_path), db]
        if args[0] == "restore":   # its table of tables names each as SQLite does, for the technician
            import sqlite3
            typed += [name for (name,) in sqlite3.connect(db).execute("SELECT name FROM sqlite_master")]
        allowed = [*TERMS, *_data_words(db), *LOG_FILES, "kiosk phone watch", "summary", "fee", "sale", "Demo",
                   "Staff", "Manager"]
        # record numbers as printed on their slips (LF-2026-0001, TS2612-00002, T01-F-000016): codes
        # table.column as a technician types it in SQL (privacy find), and a checksum's hex digits
        left = _english(re.sub(r"\b[A-Z]{1,3}\d*(?:-[A-Z]?\d+)+\b|\b[A-Z]{1,3}\d+-\d+\b|\b[a-z_]+\.[a-z_]+\b"
                               r"|\b[0-9a-f]{12,}\b", " ", text), [*allowed, *typed])
        assert not left, (args, text, left)
        checked += 1
    assert checked == len(runs) > 35



def test_every_sentence_a_command_says_has_its_chinese():
    """Each literal msgid handed to words.say (kiosk/cli), a configuration problem or expectation
    (kiosk.core.config.Text, Field) and the quick check's line (kiosk.core.dbcheck) is in the catalogue, with
    the same placeholders: a new line written in English only fails here before anyone runs the command."""
    catalogue = i18n.catalogue("zh_CN")
    root = Path(__file__).resolve().parents[2]
    files = [*sorted((root / "kiosk" / "cli").glob("*.py")), root / "kiosk/core/config.py", root / "kiosk/core/dbcheck.py"]
    found: dict[str, str] = {}
    for path in files:
        for node in ast.walk(ast.parse(path.read_text("utf-8"))):
            if not isinstance(node, ast.Call) or not node.args:
                continue
            name = getattr(node.func, "id", None) or getattr(node.func, "attr", None)
            if name == "Text" and path.name == "printer.py":
                continue   # the printer test page's documents.Text: bilingual on purpose
            args = [node.args[0]] if name in ("say", "Text", "gettext", "CliRefusal", "CliUsage") else \
                [node.args[2]] if name == "Field" and len(node.args) > 2 else []
            for arg in args:
                for value in ([arg.body, arg.orelse] if isinstance(arg, ast.IfExp) else [arg]):
                    if isinstance(value, ast.Constant) and isinstance(value.value, str) and value.value:
                        found.setdefault(value.value, f"{path.relative_to(root)}:{node.lineno}")
    from kiosk.cli import export, phone
    from kiosk.demo import accounts
    from kiosk.printing.queue import STATUS_TEXT
    dynamic = [accounts.LOGIN_HINT, *(v for v in export.PHASES.values() if not v.isupper()),   # CSV stays CSV
               *phone.STEP_WORDS.values(), *STATUS_TEXT.values(),
               "staff account", "manager account", "lost-and-found items", "goods catalogue", "fee types",
               "host directory", "calls", "lost items", "visitors", "sales", "fees", "complaints", "shifts"]
    found.update({m: "(a table of msgids)" for m in dynamic if m not in found})
    missing = sorted(f"{where}: {msgid!r}" for msgid, where in found.items() if msgid not in catalogue)
    assert len(found) > 150 and not missing, "add to data/locale/zh_CN/LC_MESSAGES/cli.po:\n" + "\n".join(missing)
    marks = re.compile(r"\{\w*\}")
    changed = [m for m in found if m in catalogue and set(marks.findall(m)) != set(marks.findall(catalogue[m]))]
    assert not changed, changed


def test_demo_seed_names_every_area_it_fills():
    """`kiosk demo seed` says each area by its msgid: an area added to the seeder must be added to cli.po."""
    import inspect
    from kiosk.demo import seed
    areas = set(re.findall(r'made\["([^"]+)"\]', inspect.getsource(seed)))
    catalogue = i18n.catalogue("zh_CN")
    assert areas and not [a for a in areas if a not in catalogue], areas
