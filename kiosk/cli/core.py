"""Core sub-commands: run, db check, config check, user add, demo seed."""
from __future__ import annotations

import re
import sqlite3
import sys
from pathlib import Path

import click

from kiosk.cli import words
from kiosk.cli.words import CliRefusal, CliUsage, Said, said, say, site_lang

from kiosk.cli.main import build_context, config_option, config_problem, db_option
from kiosk.cli.params import FilePath, Number


@click.command("run", cls=words.Command)
@config_option
@db_option
@click.option("--demo", is_flag=True, help="Force demo mode: simulated phone line, virtual printer, demo data.")
@click.option("--size", default=None, help="Window size WxH, e.g. 800x480 (overrides the configuration).")
@click.option("--screenshot", type=FilePath(path_type=Path), default=None,
              help="Save a screenshot of the first drawn screen to this PNG and quit.")
@click.option("--first-frame-exit", is_flag=True, hidden=True,
              help="Print the wall time of the first drawn frame and quit (start-up benchmark).")
def run_cmd(config_path: Path | None, db_path: Path | None, demo: bool, size: str | None,
            screenshot: Path | None, first_frame_exit: bool) -> None:
    """Run the touchscreen app.

    A database that cannot be used (full disk, read-only card, damaged, missing) does not stop the app:
    it shows the fault on screen, naming the file and what to do, and opens the desk once it clears."""
    from kiosk.cli.main import fault_text
    from kiosk.core import storage
    ctx = build_context(config_path, db_path, open_db=False)  # the app opens it (and shows what fails)
    if size is not None and not re.fullmatch(r"\d+x\d+", size.strip().lower()):   # before demo data, in words
        raise CliUsage("{option} must look like 800x480, got {value}", option="--size", value=repr(size))
    from kiosk.demo import accounts as demo_mod
    if demo or ctx.config.demo:
        try:
            created = demo_mod.ensure_demo(ctx.db, ctx.clock)
        except (storage.StorageFault, sqlite3.Error, OSError) as exc:
            fault = storage.classify(exc, ctx.db_path)
            if fault is None:
                raise
            ctx.close()
            click.echo(fault_text(fault), err=True)  # and on the screen, until it clears
        else:
            if created:
                click.echo(say("Demo data created: {items}", items=_listed(created)))
        click.echo(say(demo_mod.LOGIN_HINT, **demo_mod.LOGIN_VALUES))
    from screens.launch import launch  # Kivy is imported only here
    launch(ctx, demo=demo or ctx.config.demo, size=size, screenshot=screenshot, first_frame_exit=first_frame_exit)


@click.group("db", cls=words.Group)
def db_group() -> None:
    """Database maintenance."""


@db_group.command("check")
@config_option
@db_option
@click.option("--quick", is_flag=True, help="Bounded check for start-up and the status bar (about a second):"
              " the header and quick_check table by table within the budget; the full check is for the night.")
@click.option("--budget", type=Number(0.05, 600), default=0.9, show_default=True, help="Seconds the quick check may take.")
def db_check(config_path: Path | None, db_path: Path | None, quick: bool = False, budget: float = 0.9) -> None:
    """Run PRAGMA integrity_check and foreign_key_check, compare stock balances with their movements,
    check every record table's append-only triggers, print the schema version."""
    from kiosk.core import db as db_mod
    from kiosk.core import storage
    ctx = build_context(config_path, db_path, open_db=False)
    if not ctx.db_path.is_file():
        raise storage.missing(ctx.db_path)
    if quick:
        _quick_check(ctx.db_path, budget)
        return
    # Read-only where nothing can be written (a read-only or full card): the repair tool must still look.
    database = db_mod.connect(ctx.db_path, migrate=False, create=False, read_only=None)  # faults: LazyGroup prints them
    try:
        database.execute("SELECT COUNT(*) FROM sqlite_master").fetchone()
    except sqlite3.DatabaseError as exc:  # not a database, or its header is damaged: say so, no traceback
        raise storage.classify(exc, ctx.db_path) or exc from None
    version, latest = db_mod.schema_version(database), db_mod.migrations()[-1].version
    if version > latest:  # a newer program wrote it: our idea of its tables and triggers is out of date
        raise db_mod.schema_too_new(str(ctx.db_path), version, latest, [])
    from kiosk.core.config import Text   # each problem said in the site's language; SQLite's own words quoted
    result = [r if r == "ok" else Text("SQLite says: {detail}", detail=r) for r in db_mod.integrity_check(database)]
    # Tables, indexes, triggers, views the migrations made that are gone: the commands refuse such a file.
    result = [r for r in result if r != "ok"] + _schema_lines(database) or ["ok"]
    if "stock_levels" in database.table_names():
        from kiosk.counter.sales import stock_mismatches
        result = [r for r in result if r != "ok"] + [Text("stock {problem}", problem=m)
                                                     for m in stock_mismatches(database)] or ["ok"]
    # Before `kiosk db migrate` has run 0011 this lists the guards the old schema lacked.
    result = [r for r in result if r != "ok"] + db_mod.append_only_problems(database) or ["ok"]
    result = [r for r in result if r != "ok"] + db_mod.foreign_key_problems(database) or ["ok"]
    from kiosk.core import dbcheck  # the "open now" tables (migration 0018) agree with their records
    result = [r for r in result if r != "ok"] + dbcheck.summary_problems(database) or ["ok"]
    click.echo(say("database: {path}", path=ctx.db_path))
    click.echo(say("schema version: {version} (latest {latest})", version=version, latest=latest))
    click.echo(say("integrity: {result}", result=say("ok") if result == ["ok"] else
                   dbcheck.problems_text(result, site_lang())))
    if result != ["ok"]:
        sys.exit(1)


def _quick_check(path: Path, budget: float) -> None:
    """`kiosk db check --quick`: exit 1 on a problem; what the budget did not reach is said, not failed."""
    from kiosk.core import db as db_mod
    from kiosk.core import dbcheck
    problems = dbcheck.header_problems(path)
    if problems:
        click.echo(say("database: {path}", path=path))
        click.echo(say("quick check: {result}", result=dbcheck.problems_text(problems, site_lang())))
        sys.exit(1)
    from kiosk.core import storage
    try:
        database = db_mod.connect(path, migrate=False, create=False, read_only=None)
        result = dbcheck.quick(database, path, budget=budget)
        result.problems = _schema_lines(database) + result.problems  # a pragma-free sqlite_master read
    except sqlite3.DatabaseError as exc:  # the storage message names the file and what to do
        raise storage.classify(exc, path) or exc from None
    click.echo(say("database: {path}", path=path))
    click.echo(result.line(site_lang()))
    if not result.ok:
        sys.exit(1)


MISSING = {"table": "missing table: {name}", "index": "missing index: {name}", "trigger": "missing trigger: {name}",
           "view": "missing view: {name}"}


def _schema_lines(database) -> list[str]:
    """What `db check` says of the kiosk schema objects that are gone, in the site's language (at most 20)."""
    from kiosk.core import db as db_mod
    found = db_mod.schema_problems(database)
    lines = [say(MISSING[kind], name=name) for kind, name in found[:20]]
    return lines + (["..."] if len(found) > 20 else [])


@db_group.command("migrate")
@config_option
@db_option
def db_migrate(config_path: Path | None, db_path: Path | None) -> None:
    """Upgrade an existing database's schema (`kiosk db init` creates one)."""
    from kiosk.core import db as db_mod
    ctx = build_context(config_path, db_path)
    click.echo(say("schema version: {version}", version=db_mod.schema_version(ctx.db)))


@click.group("config", cls=words.Group)
def config_group() -> None:
    """Box configuration."""


@config_group.command("check")
@click.argument("path", type=FilePath(path_type=Path))
def config_check(path: Path) -> None:
    """Validate a configuration file without starting the UI."""
    from kiosk.core import config
    # Said in the language the checked file names (valid or not); a file that names none: the box's default.
    named = words.named_language(path)
    if named is not None:
        words.remember(named)
    try:
        cfg = config.load(path)
    except config.ConfigError as exc:
        raise Said(config_problem(exc)) from None
    click.echo(say("{path}: OK (phone: {phone}, printer: {printer}, language: {language})", path=path,
                   phone=words.code("detector", cfg.get("phone", "detector")), printer=cfg.get("printer", "kind"),
                   language=cfg.get("site", "language")))


@click.group("user", cls=words.Group)
def user_group() -> None:
    """Staff and manager accounts."""


@user_group.command("add")
@config_option
@db_option
@click.option("--name", required=True, help="Display name on the sign-in screen.")
@click.option("--role", type=click.Choice(["staff", "manager"]), required=True)
@click.option("--pin", default=None, help="4-8 digits (prompted, hidden, when not given).")
@click.option("--manager", default=None,
              help="The approving manager (their PIN is asked). Not needed only for the very first manager.")
@click.option("--manager-pin", default=None, hidden=True)
def user_add(config_path: Path | None, db_path: Path | None, name: str, role: str, pin: str | None,
             manager: str | None, manager_pin: str | None) -> None:
    """Add a staff or manager account (a manager approves, as on the accounts screen)."""
    from kiosk.cli.main import approve_manager
    from kiosk.core import auth
    from kiosk.core.audit import SYSTEM
    ctx = build_context(config_path, db_path)
    if auth.has_manager(ctx.db):
        # The same rule as the screen: every account change is a manager's act, with their PIN.
        if not manager:
            raise CliUsage("give --manager NAME: a manager approves every new account (their PIN is asked)")
        if manager_pin is None:
            manager_pin = click.prompt(say("PIN of {name}", name=manager), hide_input=True)
        actor = approve_manager(ctx, manager, manager_pin)
    elif role != "manager":
        raise CliUsage("the first account must be a manager (add them with --role manager)")
    else:
        actor = SYSTEM  # first run: no manager exists who could approve (the screen's first-run setup)
    if pin is None:
        pin = click.prompt(say("PIN of the new account"), hide_input=True, confirmation_prompt=True)
    try:
        user = auth.add_user(ctx.db, ctx.clock, actor, name, role, pin)
    except auth.AuthError as exc:
        raise said(exc) from None
    click.echo(say("added {role} {name} (id {id})", role=say(user.role.capitalize()), name=repr(user.name), id=user.id))


@user_group.command("list")
@config_option
@db_option
def user_list(config_path: Path | None, db_path: Path | None) -> None:
    """List active accounts."""
    from kiosk.core import auth
    ctx = build_context(config_path, db_path, reads_only=True)  # only reads: works on a read-only card
    for user in auth.users(ctx.db):
        click.echo(f"{user.id}\t{say(user.role.capitalize())}\t{user.name}")


def _account_id(ctx, name: str) -> int:
    row = ctx.db.execute("SELECT id FROM users WHERE name = ?", (name,)).fetchone()
    if row is None:
        raise CliRefusal("no account named {name}", name=repr(name))
    return row[0]


DONE = {"deactivated": "deactivated {name}", "reactivated": "reactivated {name}", "unlocked": "unlocked {name}"}


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
        raise said(exc) from None


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
    click.echo(say("renamed {name} to {new_name}", name=repr(name), new_name=repr(new_name)))


@user_group.command("reset-pin")
@_manager_act
@click.argument("name")
def user_reset_pin(config_path, db_path, manager, pin, name) -> None:
    """Set a new PIN for someone who forgot theirs (ends a lockout)."""
    from kiosk.cli.main import approve_manager
    from kiosk.core import auth
    ctx = build_context(config_path, db_path)
    actor = approve_manager(ctx, manager, pin)
    new_pin = click.prompt(say("new PIN for {name}", name=name), hide_input=True, confirmation_prompt=True)
    _run(auth.reset_pin, ctx.db, ctx.clock, actor, _account_id(ctx, name), new_pin)
    click.echo(say("PIN reset for {name}", name=repr(name)))


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
@config_option
@db_option
@click.option("--manager", default=None, help="The approving manager (their PIN is asked).")
@click.option("--pin", default=None, hidden=True)
@click.option("--console", "console", is_flag=True,
              help="Recovery when the only manager is locked out: run as root on the box, no PIN.")
@click.argument("name")
def user_unlock(config_path, db_path, manager, pin, console, name) -> None:
    """End a lockout at once (a manager's PIN; or --console as root when no other manager can)."""
    ctx = build_context(config_path, db_path)  # a database it cannot use is named before anything else
    if not console:
        if not manager:
            raise CliUsage("give --manager NAME (or, as root when the only manager is locked out, --console)")
        _account_act(config_path, db_path, manager, pin, name, "unlock", done="unlocked")
        return
    import getpass
    import os
    from kiosk.core import auth
    if os.geteuid() != 0:
        raise CliRefusal("--console needs root on the box (sudo kiosk user unlock --console NAME)")
    operator = os.environ.get("SUDO_USER") or getpass.getuser()
    _run(auth.console_unlock, ctx.db, ctx.clock, _account_id(ctx, name), operator)
    click.echo(say("unlocked {name} (console recovery, audited)", name=repr(name)))


@user_group.command("change-pin")
@config_option
@db_option
@click.argument("name")
def user_change_pin(config_path, db_path, name) -> None:
    """Change your own PIN (the current one is asked first)."""
    from kiosk.core import auth
    ctx = build_context(config_path, db_path)
    old = click.prompt(say("current PIN"), hide_input=True)
    new = click.prompt(say("new PIN"), hide_input=True, confirmation_prompt=True)
    _run(auth.change_own_pin, ctx.db, ctx.clock, _account_id(ctx, name), old, new)
    click.echo(say("PIN changed"))


@click.group("demo", cls=words.Group)
def demo_group() -> None:
    """Demo data."""


@demo_group.command("init")
@config_option
@db_option
@click.option("--force", is_flag=True, help="Add demo data even to a database that holds a site's own records.")
def demo_init(config_path: Path | None, db_path: Path | None, force: bool) -> None:
    """Create the demo accounts, catalogue, fee types and host directory (idempotent)."""
    from kiosk.demo import accounts as demo
    ctx = build_context(config_path, db_path, create=True)  # one of the two commands that create a database
    if not force:
        try:
            demo.check_demo_target(ctx.db)
        except demo.DemoRefusal as exc:
            raise said(exc) from None
    created = demo.ensure_demo(ctx.db, ctx.clock)
    click.echo(say("created: {items}", items=_listed(created) or say("nothing (already there)")))
    click.echo(say(demo.LOGIN_HINT, **demo.LOGIN_VALUES))


def _listed(items: list[str]) -> str:
    """What demo data was made (each an English msgid from the area's seeder), in the site's language."""
    return say(", ").join(say(item) for item in items)   # the list separator is a msgid too: Chinese uses 、


def _add_seed_command() -> None:
    """`kiosk demo seed` lives with the reports area (kiosk/cli/export.py)."""
    from kiosk.cli.export import seed_cmd
    demo_group.add_command(seed_cmd)


_add_seed_command()


def _add_db_commands() -> None:
    """`kiosk db init` (and the backup helpers) live in kiosk/cli/db.py."""
    from kiosk.cli.db import db_init
    db_group.add_command(db_init)


_add_db_commands()


def _account_act(config_path, db_path, manager: str, pin: str | None, name: str, action: str, *args,
                 done: str) -> None:
    """A manager's change to one account (kiosk.core.auth.<action>), with their PIN checked first."""
    from kiosk.cli.main import approve_manager
    from kiosk.core import auth
    ctx = build_context(config_path, db_path)
    actor = approve_manager(ctx, manager, pin)
    _run(getattr(auth, action), ctx.db, ctx.clock, actor, _account_id(ctx, name), *args)
    click.echo(say(DONE[done], name=repr(name)))
