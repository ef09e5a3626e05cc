"""Core sub-commands: run, db check, config check, user add, demo seed."""
from __future__ import annotations

import sqlite3
import sys
from pathlib import Path

import click

from kiosk.cli.main import build_context, config_option, db_option


@click.command("run")
@config_option
@db_option
@click.option("--demo", is_flag=True, help="Force demo mode: simulated phone line, virtual printer, demo data.")
@click.option("--size", default=None, help="Window size WxH, e.g. 800x480 (overrides the configuration).")
@click.option("--screenshot", type=click.Path(path_type=Path), default=None,
              help="Save a screenshot of the first drawn screen to this PNG and quit.")
@click.option("--first-frame-exit", is_flag=True, hidden=True,
              help="Print the wall time of the first drawn frame and quit (start-up benchmark).")
def run_cmd(config_path: Path | None, db_path: Path | None, demo: bool, size: str | None,
            screenshot: Path | None, first_frame_exit: bool) -> None:
    """Run the touchscreen app."""
    ctx = build_context(config_path, db_path)
    from kiosk.demo import accounts as demo_mod
    if demo or ctx.config.demo:
        created = demo_mod.ensure_demo(ctx.db, ctx.clock)
        if created:
            click.echo("Demo data created: " + ", ".join(created))
        click.echo(demo_mod.LOGIN_HINT)
    from screens.launch import launch  # Kivy is imported only here
    launch(ctx, demo=demo or ctx.config.demo, size=size, screenshot=screenshot, first_frame_exit=first_frame_exit)


@click.group("db")
def db_group() -> None:
    """Database maintenance."""


@db_group.command("check")
@config_option
@db_option
def db_check(config_path: Path | None, db_path: Path | None) -> None:
    """Run PRAGMA integrity_check and foreign_key_check, compare stock balances with their movements,
    check every record table's append-only triggers, print the schema version."""
    from kiosk.core import db as db_mod
    ctx = build_context(config_path, db_path)
    if not ctx.db_path.exists():
        raise click.ClickException(f"no database at {ctx.db_path}")
    try:
        database = db_mod.connect(ctx.db_path, migrate=False)
        database.execute("SELECT COUNT(*) FROM sqlite_master").fetchone()
    except sqlite3.DatabaseError as exc:  # not a database, or its header is damaged: say so, no traceback
        raise click.ClickException(f"{ctx.db_path} is not a kiosk database or is damaged ({exc}): restore it"
                                   " from a backup") from None
    version, latest = db_mod.schema_version(database), db_mod.migrations()[-1].version
    if version > latest:  # a newer program wrote it: our idea of its tables and triggers is out of date
        raise click.ClickException(f"{ctx.db_path} has schema version {version}, newer than this software "
                                   f"knows ({latest}): check it with the version that wrote it")
    result = db_mod.integrity_check(database)
    if "stock_levels" in database.table_names():
        from kiosk.counter.sales import stock_mismatches
        result = [r for r in result if r != "ok"] + [f"stock {m}" for m in stock_mismatches(database)] or ["ok"]
    # Before `kiosk db migrate` has run 0011 this lists the guards the old schema lacked.
    result = [r for r in result if r != "ok"] + db_mod.append_only_problems(database) or ["ok"]
    result = [r for r in result if r != "ok"] + db_mod.foreign_key_problems(database) or ["ok"]
    click.echo(f"database: {ctx.db_path}")
    click.echo(f"schema version: {version} (latest {latest})")
    click.echo("integrity: " + "; ".join(result))
    if result != ["ok"]:
        sys.exit(1)


@db_group.command("migrate")
@config_option
@db_option
def db_migrate(config_path: Path | None, db_path: Path | None) -> None:
    """Create or upgrade the database schema."""
    from kiosk.core import db as db_mod
    ctx = build_context(config_path, db_path)
    click.echo(f"schema version: {db_mod.schema_version(ctx.db)}")


@click.group("config")
def config_group() -> None:
    """Box configuration."""


@config_group.command("check")
@click.argument("path", type=click.Path(path_type=Path))
def config_check(path: Path) -> None:
    """Validate a configuration file without starting the UI."""
    from kiosk.core import config
    try:
        cfg = config.load(path)
    except config.ConfigError as exc:
        raise click.ClickException(f"configuration problem:\n{exc}") from None
    click.echo(f"{path}: OK (phone: {cfg.get('phone', 'detector')}, printer: {cfg.get('printer', 'kind')}, "
               f"language: {cfg.get('site', 'language')})")


@click.group("user")
def user_group() -> None:
    """Staff and manager accounts."""


@user_group.command("add")
@config_option
@db_option
@click.option("--name", required=True, help="Display name on the sign-in screen.")
@click.option("--role", type=click.Choice(["staff", "manager"]), required=True)
@click.option("--pin", default=None, help="4-8 digits (prompted, hidden, when not given).")
def user_add(config_path: Path | None, db_path: Path | None, name: str, role: str, pin: str | None) -> None:
    """Add a staff or manager account."""
    from kiosk.core import auth
    from kiosk.core.audit import SYSTEM
    ctx = build_context(config_path, db_path)
    if pin is None:
        pin = click.prompt("PIN", hide_input=True, confirmation_prompt=True)
    try:
        user = auth.add_user(ctx.db, ctx.clock, SYSTEM, name, role, pin)
    except auth.AuthError as exc:
        raise click.ClickException(str(exc)) from None
    click.echo(f"added {user.role} {user.name!r} (id {user.id})")


@user_group.command("list")
@config_option
@db_option
def user_list(config_path: Path | None, db_path: Path | None) -> None:
    """List active accounts."""
    from kiosk.core import auth
    ctx = build_context(config_path, db_path)
    for user in auth.users(ctx.db):
        click.echo(f"{user.id}\t{user.role}\t{user.name}")


def _account_id(ctx, name: str) -> int:
    row = ctx.db.execute("SELECT id FROM users WHERE name = ?", (name,)).fetchone()
    if row is None:
        raise click.ClickException(f"no account named {name!r}")
    return row[0]


def _manager_act(action):
    """A user sub-command a manager approves: --manager NAME, PIN prompted (hidden)."""
    action = click.option("--pin", default=None, hidden=True)(action)
    action = click.option("--manager", required=True, help="The approving manager (their PIN is asked).")(action)
    action = db_option(action)
    return config_option(action)


def _run(fn, *args) -> None:
    from kiosk.core import auth
    try:
        fn(*args)
    except auth.AuthError as exc:
        raise click.ClickException(str(exc)) from None


@user_group.command("rename")
@_manager_act
@click.argument("name")
@click.argument("new_name")
def user_rename(config_path, db_path, manager, pin, name, new_name) -> None:
    """Rename an account."""
    from kiosk.cli.main import approve_manager
    from kiosk.core import auth
    ctx = build_context(config_path, db_path)
    actor = approve_manager(ctx, manager, pin)
    _run(auth.rename_user, ctx.db, ctx.clock, actor, _account_id(ctx, name), new_name)
    click.echo(f"renamed {name!r} to {new_name!r}")


@user_group.command("reset-pin")
@_manager_act
@click.argument("name")
def user_reset_pin(config_path, db_path, manager, pin, name) -> None:
    """Set a new PIN for someone who forgot theirs (ends a lockout)."""
    from kiosk.cli.main import approve_manager
    from kiosk.core import auth
    ctx = build_context(config_path, db_path)
    actor = approve_manager(ctx, manager, pin)
    new_pin = click.prompt(f"new PIN for {name}", hide_input=True, confirmation_prompt=True)
    _run(auth.reset_pin, ctx.db, ctx.clock, actor, _account_id(ctx, name), new_pin)
    click.echo(f"PIN reset for {name!r}")


@user_group.command("deactivate")
@_manager_act
@click.argument("name")
def user_deactivate(config_path, db_path, manager, pin, name) -> None:
    """Someone left: their PIN stops working now."""
    _account_act(config_path, db_path, manager, pin, name, "set_active", False, done="deactivated")


@user_group.command("reactivate")
@_manager_act
@click.argument("name")
def user_reactivate(config_path, db_path, manager, pin, name) -> None:
    """Bring a deactivated account back."""
    _account_act(config_path, db_path, manager, pin, name, "set_active", True, done="reactivated")


@user_group.command("unlock")
@_manager_act
@click.argument("name")
def user_unlock(config_path, db_path, manager, pin, name) -> None:
    """End a lockout at once."""
    _account_act(config_path, db_path, manager, pin, name, "unlock", done="unlocked")


@user_group.command("change-pin")
@config_option
@db_option
@click.argument("name")
def user_change_pin(config_path, db_path, name) -> None:
    """Change your own PIN (the current one is asked first)."""
    from kiosk.core import auth
    ctx = build_context(config_path, db_path)
    old = click.prompt("current PIN", hide_input=True)
    new = click.prompt("new PIN", hide_input=True, confirmation_prompt=True)
    _run(auth.change_own_pin, ctx.db, ctx.clock, _account_id(ctx, name), old, new)
    click.echo("PIN changed")


@click.group("demo")
def demo_group() -> None:
    """Demo data."""


@demo_group.command("init")
@config_option
@db_option
def demo_init(config_path: Path | None, db_path: Path | None) -> None:
    """Create the demo accounts, catalogue, fee types and host directory (idempotent)."""
    from kiosk.demo import accounts as demo
    ctx = build_context(config_path, db_path)
    created = demo.ensure_demo(ctx.db, ctx.clock)
    click.echo("created: " + (", ".join(created) or "nothing (already there)"))
    click.echo(demo.LOGIN_HINT)


def _add_seed_command() -> None:
    """`kiosk demo seed` lives with the reports area (kiosk/cli/export.py)."""
    from kiosk.cli.export import seed_cmd
    demo_group.add_command(seed_cmd)


_add_seed_command()


def _account_act(config_path, db_path, manager: str, pin: str | None, name: str, action: str, *args,
                 done: str) -> None:
    """A manager's change to one account (kiosk.core.auth.<action>), with their PIN checked first."""
    from kiosk.cli.main import approve_manager
    from kiosk.core import auth
    ctx = build_context(config_path, db_path)
    actor = approve_manager(ctx, manager, pin)
    _run(getattr(auth, action), ctx.db, ctx.clock, actor, _account_id(ctx, name), *args)
    click.echo(f"{done} {name!r}")
