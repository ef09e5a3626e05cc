"""The ``kiosk`` command: a thin click wrapper over the library. No arguments: run the app.

Sub-command groups load lazily so ``kiosk`` starts the UI without importing every area.
"""
from __future__ import annotations

import importlib
import sys
from pathlib import Path

import click

from kiosk.cli import words as _words
from kiosk.cli.words import speak_through_click
from kiosk.core.paths import default_config_path

speak_through_click()   # click's own usage errors and prompts in the site's language (kiosk.cli.words)

# name -> "module:attribute" of a click command; loaded only when used.
LAZY_COMMANDS: dict[str, str] = {
    "db": "kiosk.cli.core:db_group",
    "config": "kiosk.cli.core:config_group",
    "user": "kiosk.cli.core:user_group",
    "demo": "kiosk.cli.core:demo_group",
    "run": "kiosk.cli.core:run_cmd",
    "printer": "kiosk.cli.printer:printer_group",
    "receipt": "kiosk.cli.printer:receipt_group",
    "phone": "kiosk.cli.phone:phone_group",
    "lostfound": "kiosk.cli.lostfound:lostfound_group",
    "export": "kiosk.cli.export:export_cmd",
    "catalogue": "kiosk.cli.catalogue:catalogue_group",
    "visitors": "kiosk.cli.visitors:visitors_group",
    "complaints": "kiosk.cli.complaints:complaints_group",
    "privacy": "kiosk.cli.privacy:privacy_group",
    "backup": "kiosk.cli.backup:backup_cmd",
    "restore": "kiosk.cli.backup:restore_cmd",
}


class LazyGroup(_words.Group):
    """A group whose sub-commands are imported on first use (its help in the site's language, as theirs)."""

    def main(self, args=None, prog_name=None, complete_var=None, standalone_mode=True, **extra):
        """click's main, in the site's language from the first word parsed (see kiosk.cli.words.begin)."""
        from kiosk.cli import words
        words.begin(sys.argv[1:] if args is None else list(args))
        try:
            return super().main(args, prog_name, complete_var, standalone_mode, **extra)
        finally:
            words.end()

    def parse_args(self, ctx: click.Context, args: list[str]) -> list[str]:
        """Every argument of the command line, the sub-command's too, is free of control characters
        (kiosk.cli.params.control_character): a usage error, exit status 2, before anything is read."""
        from kiosk.cli.params import control_character, shown
        from kiosk.cli.words import say
        bad = control_character(args)
        if bad is not None:
            raise click.UsageError(say("{value} holds a control character", value=shown(bad)), ctx)
        return super().parse_args(ctx, args)

    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted(set(super().list_commands(ctx)) | set(LAZY_COMMANDS))

    def get_command(self, ctx: click.Context, name: str) -> click.Command | None:
        if name in LAZY_COMMANDS:
            module, attr = LAZY_COMMANDS[name].split(":")
            return getattr(importlib.import_module(module), attr)
        return super().get_command(ctx, name)

    def invoke(self, ctx: click.Context):
        """A storage fault (read-only, full, corrupt, not a database, locked, newer schema, missing)
        stops any command with a sentence naming the file and what to do, never a traceback."""
        from kiosk.cli import words
        from kiosk.core.errors import Refusal
        try:
            return super().invoke(ctx)
        except OverflowError:  # a number past SQLite's 64-bit integers reached a query: say so, no traceback
            raise words.said(words.CliRefusal("that number is too large")) from None
        except click.ClickException as exc:
            if isinstance(exc, words.Said) or type(exc) is not click.ClickException:
                raise           # ours already, or click's own usage errors (shown with the usage line)
            raise words.Said(exc.format_message()) from None
        except Refusal as exc:   # a command's or a service's refusal: in the site's language
            from kiosk.core import storage
            if isinstance(exc, storage.StorageFault):   # with the English under it, for the technician
                raise words.Said(fault_text(exc)) from None
            raise words.said(exc) from None
        except Exception as exc:  # noqa: BLE001  (only storage faults are caught; the rest re-raised)
            from kiosk.core import storage
            fault = storage.classify(exc)
            if fault is None:
                raise
            raise words.Said(fault_text(fault)) from None


def fault_text(fault) -> str:
    """A storage fault for the command line: in the box's language, with the English under it (the
    technician who reads the terminal may not read the site's language), set apart as that: its own line,
    labelled in the site's language ("英文：")."""
    from kiosk.cli.words import say, site_lang
    lang = site_lang()
    local, english = fault.message(lang), str(fault)
    return local if local == english else f"{local}\n{say('in English: {text}', text=english)}"


# An id or a count typed on the command line: SQLite's integers are 64-bit, so anything larger is refused
# as a usage error (in the site's language) instead of reaching a query as an OverflowError.
from kiosk.cli.params import FilePath, Whole  # noqa: E402  (after LazyGroup: params imports words only)

ROW_ID = Whole(1, 2**63 - 1)
COUNT = Whole(0, 1_000_000)


def config_option(fn):
    """--config PATH (default: KIOSK_CONFIG or the platform config file if it exists)."""
    return click.option("--config", "config_path", type=FilePath(dir_okay=False, path_type=Path),
                        default=None, help="Box configuration (TOML).")(fn)


def db_option(fn):
    """--db PATH overrides the database location."""
    return click.option("--db", "db_path", type=FilePath(dir_okay=False, path_type=Path), default=None,
                        help="SQLite database file (default: platform data folder).")(fn)


def resolve_config(config_path: Path | None) -> Path | None:
    """An explicit --config must exist; the default file is optional (defaults = demo mode)."""
    if config_path is not None:
        return config_path
    default = default_config_path()
    return default if default.exists() else None


def build_context(config_path: Path | None, db_path: Path | None, *, create: bool = False, open_db: bool = True,
                  reads_only: bool = False):
    """Context for a CLI command; configuration errors become a clean CLI error.

    create: only `kiosk db init` and `kiosk demo init` make a new database; every other command
    refuses a missing file or folder (a mistyped --db must not read as an empty building).
    open_db: open (and migrate) the database now, so every storage fault stops the command before it
    does anything (`db check` opens the file itself, without migrating).
    reads_only: the command only reads: where nothing can be written (read-only mount, full disk) the
    database is opened read-only instead of refused."""
    from kiosk.core import context
    from kiosk.core.config import ConfigError
    try:
        ctx = context.build(resolve_config(config_path), db_path, create=create, read_only=None if reads_only else False)
    except ConfigError as exc:
        from kiosk.cli.words import Said
        raise Said(config_problem(exc)) from None
    from kiosk.cli.words import remember
    remember(ctx.config.get("site", "language"))
    if open_db:
        ctx.db  # noqa: B018  (opening is the point: faults surface here, as messages)
    return ctx


def config_problem(exc) -> str:
    """A configuration file's problems (a ConfigError) in the site's language: the file, each problem,
    and what to do. The language is the one the command started in (the file itself could not be read)."""
    from kiosk.cli.words import say
    return say("the configuration file {path} cannot be used:\n  {problems}\nCorrect the file (check it with: "
               "kiosk config check {path}) and run the command again.", path=exc.path,
               problems="\n  ".join(exc.lines(say)))


def approve_manager(ctx, manager: str, pin: str | None):
    """The named manager's actor after their PIN (prompted, hidden, when not given); a ClickException else."""
    from kiosk.core import auth
    account = next((u for u in auth.users(ctx.db, role="manager") if u.name == manager), None)
    from kiosk.cli.words import CliRefusal
    if account is None:
        raise CliRefusal("no manager account named {name}", name=repr(manager))
    if pin is None:
        from kiosk.cli.words import say
        pin = click.prompt(say("PIN of {name}", name=manager), hide_input=True)
    return auth.verify_manager(ctx.db, ctx.clock, account.id, pin).actor()  # a wrong PIN: its refusal, translated


def _show_version(ctx: click.Context, _param: click.Parameter, value: bool) -> None:
    """--version: click's version_option binds its sentence at import, before the language is known; this
    one says it (click's msgid, its Chinese in click.po) when it is asked for."""
    if not value or ctx.resilient_parsing:
        return
    import importlib.metadata
    from kiosk.cli.words import click_gettext
    click.echo(click_gettext("%(prog)s, version %(version)s")
               % {"prog": ctx.find_root().info_name, "version": importlib.metadata.version("frontdesk-kiosk")})
    ctx.exit()


def _quiet_logs() -> None:
    """A command tells its outcome in the site's language itself; the modules' English log lines (Python's
    last-resort handler prints warnings bare on stderr) show only when KIOSK_LOG_LEVEL asks for them."""
    import logging
    import os
    level = os.environ.get("KIOSK_LOG_LEVEL", "").upper()
    if level:
        logging.basicConfig(level=level, format="%(levelname)s %(name)s: %(message)s")
    elif not logging.root.handlers:
        logging.root.addHandler(logging.NullHandler())


@click.group(cls=LazyGroup, invoke_without_command=True)
@click.option("--version", is_flag=True, expose_value=False, is_eager=True, callback=_show_version,
              help="Show the version and exit.")
@click.pass_context
def main(ctx: click.Context) -> None:
    """Front Desk Kiosk. Without a sub-command, runs the touchscreen app."""
    if ctx.invoked_subcommand not in (None, "run"):
        _quiet_logs()
    if ctx.invoked_subcommand is None:
        ctx.invoke(LazyGroup.get_command(main, ctx, "run"))


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
