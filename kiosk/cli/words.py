"""The command line speaks the site's language: refusals, usage mistakes and the ``Error:`` line.

A command says no by raising :class:`CliRefusal` (a :class:`~kiosk.core.errors.Refusal`: an English
msgid with its values as params, translated in data/locale/zh_CN/LC_MESSAGES/cli.po); any refusal a
service raises reaches the user the same way. ``kiosk.cli.main.LazyGroup`` turns each into a
:class:`Said` in the language of the box: the configuration the command was given (``--config``, else
the default file), remembered by ``build_context`` once it has loaded it. A technician reading a
Chinese terminal still finds the option names (``--manager``) and paths as typed.
"""
from __future__ import annotations

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


class Said(click.ClickException):
    """A ClickException whose ``Error:`` word is in the site's language too."""

    def show(self, file=None) -> None:  # noqa: D102  (click's hook)
        click.echo(say("Error: {message}", message=self.format_message()), err=True, file=file)


def said(exc: Refusal) -> Said:
    """A refusal as the command line shows it."""
    out = Said(exc.message(site_lang()))
    out.exit_code = getattr(exc, "exit_code", 1)
    return out
