"""The ``kiosk`` command: a thin click wrapper over the library. No arguments: run the app.

Sub-command groups load lazily so ``kiosk`` starts the UI without importing every area.
"""
from __future__ import annotations

import importlib
import sys
from pathlib import Path

import click

from kiosk.core.paths import default_config_path

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
}


class LazyGroup(click.Group):
    """A group whose sub-commands are imported on first use."""

    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted(set(super().list_commands(ctx)) | set(LAZY_COMMANDS))

    def get_command(self, ctx: click.Context, name: str) -> click.Command | None:
        if name in LAZY_COMMANDS:
            module, attr = LAZY_COMMANDS[name].split(":")
            return getattr(importlib.import_module(module), attr)
        return super().get_command(ctx, name)

    def invoke(self, ctx: click.Context):
        """A database newer than this program stops any command with the runner's own explanation."""
        try:
            return super().invoke(ctx)
        except RuntimeError as exc:
            from kiosk.core.db import SchemaTooNew
            if isinstance(exc, SchemaTooNew):
                raise click.ClickException(str(exc)) from None
            raise


def config_option(fn):
    """--config PATH (default: KIOSK_CONFIG or the platform config file if it exists)."""
    return click.option("--config", "config_path", type=click.Path(dir_okay=False, path_type=Path),
                        default=None, help="Box configuration (TOML).")(fn)


def db_option(fn):
    """--db PATH overrides the database location."""
    return click.option("--db", "db_path", type=click.Path(dir_okay=False, path_type=Path), default=None,
                        help="SQLite database file (default: platform data folder).")(fn)


def resolve_config(config_path: Path | None) -> Path | None:
    """An explicit --config must exist; the default file is optional (defaults = demo mode)."""
    if config_path is not None:
        return config_path
    default = default_config_path()
    return default if default.exists() else None


def build_context(config_path: Path | None, db_path: Path | None):
    """Context for a CLI command; configuration errors become a clean CLI error."""
    from kiosk.core import context
    from kiosk.core.config import ConfigError
    try:
        return context.build(resolve_config(config_path), db_path)
    except ConfigError as exc:
        raise click.ClickException(f"configuration problem:\n{exc}") from None


def approve_manager(ctx, manager: str, pin: str | None):
    """The named manager's actor after their PIN (prompted, hidden, when not given); a ClickException else."""
    from kiosk.core import auth
    account = next((u for u in auth.users(ctx.db, role="manager") if u.name == manager), None)
    if account is None:
        raise click.ClickException(f"no manager account named {manager!r}")
    if pin is None:
        pin = click.prompt("PIN", hide_input=True)
    try:
        return auth.verify_manager(ctx.db, ctx.clock, account.id, pin).actor()
    except auth.AuthError as exc:
        raise click.ClickException(str(exc)) from None


@click.group(cls=LazyGroup, invoke_without_command=True)
@click.version_option(package_name="frontdesk-kiosk")
@click.pass_context
def main(ctx: click.Context) -> None:
    """Front Desk Kiosk. Without a sub-command, runs the touchscreen app."""
    if ctx.invoked_subcommand is None:
        ctx.invoke(LazyGroup.get_command(main, ctx, "run"))


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
