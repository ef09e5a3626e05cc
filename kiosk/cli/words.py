"""The command line speaks the site's language: refusals, usage mistakes and the ``Error:`` line.

A command says no by raising :class:`CliRefusal` (a :class:`~kiosk.core.errors.Refusal`: an English
msgid with its values as params, translated in data/locale/zh_CN/LC_MESSAGES/cli.po); any refusal a
service raises reaches the user the same way. ``kiosk.cli.main.LazyGroup`` turns each into a
:class:`Said` in the language of the box: the configuration the command was given (``--config``, else
the default file), remembered by ``build_context`` once it has loaded it. A technician reading a
Chinese terminal still finds the option names (``--manager``) and paths as typed.

click's own sentences (usage errors, "Missing option", "No such option", bad choices, the ``Usage:`` and
``Try ... --help`` lines, prompts' "Repeat for confirmation") are marked in click's modules with
``gettext``; :func:`speak_through_click` routes them to the site's catalogue (click.po) for the length of
one ``kiosk`` command, whose language :func:`begin` reads from the ``--config`` typed (click fails on an
unknown option before any option is processed, so the arguments are read as typed).

Help texts (a command's docstring, its options' ``help=``, ``--version``) are built when the modules are
imported, before :func:`begin` knows the language; :class:`SpeaksHelp` (the class of every ``kiosk``
command and group) looks each one up in the catalogue when the help is formatted. The English stays in the
code as the msgid; the Chinese lives in cli.po (tests/core/test_core_cli_usage.py fails on a missing one).
"""
from __future__ import annotations

import inspect
import re
import unicodedata
from contextlib import contextmanager

import click

from kiosk.core.errors import Refusal

_LANG: dict[str, str] = {}   # the language of the configuration this process's command loaded


class CliRefusal(Refusal):
    """A command refused: a msgid and its values, said in the site's language."""

    exit_code = 1


class CliUsage(CliRefusal):
    """The command was given the wrong options (exit status 2, as click's own usage errors)."""

    exit_code = 2


def remember(lang: str) -> None:
    """The site language of the configuration the command runs with (build_context calls it)."""
    _LANG["site"] = lang


def site_lang() -> str:
    """The language to speak: the loaded configuration's, else the given or default file's, else zh_CN."""
    if "site" in _LANG:
        return _LANG["site"]
    if "args" in _LANG:
        return _LANG["args"]
    try:
        from kiosk.core import config
        from kiosk.core.paths import default_config_path
        current = click.get_current_context(silent=True)
        given = None
        while current is not None and given is None:
            given = current.params.get("config_path")
            current = current.parent
        if given is None and default_config_path().exists():
            given = default_config_path()
        return config.load(given).get("site", "language")
    except Exception:  # noqa: BLE001  (no readable configuration: the shipped default)
        return "zh_CN"


def say(msgid: str, **params) -> str:
    """msgid in the site's language with its values filled in."""
    return Refusal(msgid, None, **params).message(site_lang())


def code(vocabulary: str, value: str | None) -> str:
    """A stored code (a visit's purpose, an item's status...) as the screens and exports name it, in the
    site's language (kiosk.reports.codes); a code no vocabulary knows is shown as it is."""
    from kiosk.reports.codes import label
    return label(vocabulary, value, site_lang())


class Said(click.ClickException):
    """A ClickException whose ``Error:`` word is in the site's language too."""

    def show(self, file=None) -> None:  # noqa: D102  (click's hook)
        click.echo(say("Error: {message}", message=self.format_message()), err=True, file=file)


def said(exc: Refusal) -> Said:
    """A refusal as the command line shows it."""
    out = Said(exc.message(site_lang()))
    out.exit_code = getattr(exc, "exit_code", 1)
    return out


def _typed_config(args: list[str]) -> str | None:
    """The value of the last --config in the arguments as typed (``--config X`` or ``--config=X``)."""
    found = None
    for i, arg in enumerate(args):
        if arg == "--":
            break
        if arg == "--config" and i + 1 < len(args):
            found = args[i + 1]
        elif arg.startswith("--config="):
            found = arg.split("=", 1)[1]
    return found


def begin(args: list[str]) -> None:
    """A new command starts: forget the last one's language (tests run many in one process) and take
    the language of the configuration named in the arguments, else the default file, else zh_CN."""
    from kiosk.core import config
    from kiosk.core.paths import default_config_path
    _LANG.clear()
    lang, path = "zh_CN", None
    try:
        typed = _typed_config([str(a) for a in args])
        path = typed if typed is not None else (default_config_path() if default_config_path().exists() else None)
        lang = config.load(path).get("site", "language")
    except config.ConfigError:   # invalid elsewhere: its problems are said in the language it asks for
        lang = named_language(path) or lang
    except Exception:  # noqa: BLE001  (unreadable: the command itself will say so; speak the default)
        pass
    _LANG["args"] = lang


def named_language(path) -> str | None:
    """[site] language of a file that does not validate, when it is readable TOML and names a known one."""
    import tomllib
    from kiosk.core.config import LANGUAGES
    try:
        with open(path, "rb") as handle:
            lang = tomllib.load(handle).get("site", {}).get("language")
    except (OSError, ValueError, TypeError, AttributeError):
        return None
    return lang if lang in LANGUAGES else None


def end() -> None:
    """The command is over: click's texts go back to English (help texts built later stay click's)."""
    _LANG.clear()


def click_gettext(msgid: str) -> str:
    """click's gettext while a command runs: its msgid in the command's language (English outside one)."""
    lang = _LANG.get("site") or _LANG.get("args")
    if lang is None or lang == "en":
        return msgid
    from kiosk.core.i18n import gettext
    return gettext(msgid, lang)


def click_ngettext(singular: str, plural: str, n: int) -> str:
    """click's ngettext: Chinese has one form, so each of click's two msgids is its own entry."""
    return click_gettext(singular if n == 1 else plural)


# click's modules that mark user-facing text (each binds ``_ = gettext.gettext`` at import). A module
# missing from a later click is skipped; tests/core/test_core_cli_usage.py fails if a sentence stays English.
CLICK_MODULES = ("click.core", "click.exceptions", "click.types", "click.parser", "click.formatting",
                 "click.decorators", "click.termui", "click.utils", "click._termui_impl")


def speak_through_click() -> None:
    """Route click's gettext and ngettext to :func:`click_gettext` (idempotent)."""
    import importlib
    for name in CLICK_MODULES:
        try:
            module = importlib.import_module(name)
        except ImportError:
            continue
        if hasattr(module, "_"):
            module._ = click_gettext
        if hasattr(module, "ngettext"):
            module.ngettext = click_ngettext


# --- help texts in the command's language -------------------------------------------------------------------
def help_text(text: str | None) -> str | None:
    """A help text as click shows it (cleaned like a docstring), in the running command's language."""
    if not text:
        return text
    return click_gettext(inspect.cleandoc(text))


def _first_sentence(text: str, limit: int) -> str:
    """A translated help's short form for a group's command list: its first sentence, cut to the limit
    (Chinese has no spaces for click's word-by-word shortening)."""
    first = " ".join(text.partition("\n\n")[0].split())
    for stop in ("。", "；", "：", "（"):
        head, found, _ = first.partition(stop)
        if found and head:
            first = head
    return first if len(first) <= limit else first[:max(limit - 1, 1)] + "…"


@contextmanager
def _in_language(command: click.Command, ctx: click.Context):
    """For the length of one help page: the command's and its parameters' help texts translated."""
    params = command.get_params(ctx)
    saved = (command.help, command.epilog, [p.help for p in params])   # put back: the objects are shared
    command.help, command.epilog = help_text(command.help), help_text(command.epilog)
    for param in params:
        param.help = help_text(param.help)
    try:
        yield
    finally:
        command.help, command.epilog = saved[0], saved[1]
        for param, text in zip(params, saved[2]):
            param.help = text


# --- wrapping Chinese help by the columns it takes ------------------------------------------------------------
# click wraps at spaces and counts characters: a Chinese sentence (no spaces) came out as one word broken
# anywhere (inside "cid_before_ring1"), two columns a character overflowing the terminal, "。" alone on a line.
_WIDE_CHARS = "\u2e80-\u9fff\uf900-\ufaff\ufe30-\ufe4f\uff00-\uffef"
_WIDE = re.compile(f"[{_WIDE_CHARS}]")
_TOKEN = re.compile(f"[{_WIDE_CHARS}]|[^\\s{_WIDE_CHARS}]+|\\s+")
_NO_LINE_START = set("。，、）：；！？」』】》”’")


def columns(text: str) -> int:
    """The terminal columns text takes (a Han character or full-width sign two, the rest one)."""
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def wrap_wide(text: str, limit: int) -> list[list[str]]:
    """Paragraphs (split at blank lines) of lines at most limit columns: a line breaks between two Han
    characters or at a space, never inside a Latin word or an identifier, and never before 。，、）."""
    paragraphs = []
    for paragraph in text.split("\n\n"):
        tokens: list[str] = []
        for token in _TOKEN.findall(" ".join(paragraph.split())):
            if tokens and token[0] in _NO_LINE_START and not tokens[-1].isspace():
                tokens[-1] += token
            else:
                tokens.append(token)
        lines, line = [], ""
        for token in tokens:
            if token.isspace():
                line += " " if line else ""
                continue
            if line.strip() and columns(line) + columns(token) > limit:
                lines.append(line.rstrip())
                line = ""
            line += token
        if line.strip():
            lines.append(line.rstrip())
        paragraphs.append(lines)
    return paragraphs


class WideFormatter(click.HelpFormatter):
    """click's help formatter, measuring and wrapping text with Han characters by the columns it takes
    (text without any is click's own layout, unchanged)."""

    def write_text(self, text: str) -> None:  # noqa: D102
        if not _WIDE.search(text):
            return super().write_text(text)
        indent = " " * self.current_indent
        paragraphs = wrap_wide(text, max(self.width - self.current_indent, 11))
        self.write("\n\n".join("\n".join(indent + line for line in lines) for lines in paragraphs) + "\n")

    def write_dl(self, rows, col_max: int = 30, col_spacing: int = 2) -> None:  # noqa: D102
        rows = list(rows)
        if not any(_WIDE.search(f"{first}{second}") for first, second in rows):
            return super().write_dl(rows, col_max, col_spacing)
        first_col = min(max(columns(first) for first, _ in rows), col_max) + col_spacing
        for first, second in rows:
            self.write(f"{'':>{self.current_indent}}{first}")
            if not second:
                self.write("\n")
                continue
            if columns(first) <= first_col - col_spacing:
                self.write(" " * (first_col - columns(first)))
            else:
                self.write("\n" + " " * (first_col + self.current_indent))
            lines = [line for para in wrap_wide(second, max(self.width - first_col - 2, 10)) for line in para]
            self.write((lines[0] if lines else "") + "\n")
            for line in lines[1:]:
                self.write(f"{'':>{first_col + self.current_indent}}{line}\n")


class Context(click.Context):
    """A kiosk command's context: its help pages are laid out by :class:`WideFormatter`."""

    formatter_class = WideFormatter


class SpeaksHelp:
    """Mixed into every kiosk command and group: help pages and the command list in the site's language."""

    context_class = Context

    def get_help_option(self, ctx: click.Context):  # noqa: D102
        option = super().get_help_option(ctx)
        if option is not None and not getattr(option, "kiosk_msgid", False):
            # click caches it with its help said once, in the language of that moment: keep the msgid
            option.help, option.kiosk_msgid = "Show this message and exit.", True
        return option

    def format_help(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:  # noqa: D102
        with _in_language(self, ctx):
            super().format_help(ctx, formatter)

    def get_short_help_str(self, limit: int = 45) -> str:  # noqa: D102
        if self.short_help or not self.help:
            return (help_text(self.short_help) or "").strip()
        translated = help_text(self.help)
        if translated == inspect.cleandoc(self.help):   # English (or not yet translated): click's shortening
            return super().get_short_help_str(limit)
        return _first_sentence(translated, limit)


class Command(SpeaksHelp, click.Command):
    """A kiosk command (``@click.command(cls=words.Command)``)."""


class Group(SpeaksHelp, click.Group):
    """A kiosk group: its sub-commands (``@group.command``) and sub-groups are kiosk ones too."""

    command_class = Command


Group.group_class = Group
