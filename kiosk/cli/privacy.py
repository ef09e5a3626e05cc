"""`kiosk privacy find|erase` (PIPL art. 47) and the manager approval shared by CLI acts that need one."""
from __future__ import annotations

from pathlib import Path

import click

from kiosk.cli.main import approve_manager, build_context, config_option, db_option


def _person(phone: str, name: str, id_number: str):
    from kiosk.core.erasure import Person
    if not (phone or name or id_number):
        raise click.UsageError("give --phone, --name or --id")
    return Person(phone=phone, name=name, id_number=id_number)


_WHO = [click.option("--phone", default="", help="The person's phone number (any format)."),
        click.option("--name", default="", help="The person's name."),
        click.option("--id", "id_number", default="", help="The person's identity document number.")]


def _who(fn):
    for option in reversed(_WHO):
        fn = option(fn)
    return fn


@click.group("privacy")
def privacy_group() -> None:
    """A person's data: where it is, and erasing it on request."""


@privacy_group.command("find")
@config_option
@db_option
@_who
@click.option("--manager", required=True, help="The manager looking (their PIN is asked).")
@click.option("--pin", default=None, hidden=True)
def privacy_find(config_path: Path | None, db_path: Path | None, phone: str, name: str, id_number: str,
                 manager: str, pin: str | None) -> None:
    """List every table and how many rows hold this person's data."""
    from kiosk.core import audit, erasure
    from kiosk.core.db import write
    ctx = build_context(config_path, db_path)
    actor = approve_manager(ctx, manager, pin)
    found = erasure.find(ctx.db, _person(phone, name, id_number))
    with write(ctx.db):
        audit.record(ctx.db, ctx.clock, actor, "privacy.find", None, None, None, {"rows": found.tables()})
    if not found.hits:
        click.echo("no records hold this person's data")
    for (table, column), ids in sorted(found.hits.items()):
        click.echo(f"{table}.{column}\t{len(ids)} rows\tids {', '.join(map(str, ids[:20]))}"
                   + (" ..." if len(ids) > 20 else ""))


@privacy_group.command("erase")
@config_option
@db_option
@_who
@click.option("--manager", required=True, help="The approving manager (their PIN is asked).")
@click.option("--pin", default=None, hidden=True)
@click.option("--yes", is_flag=True, help="Do not ask for confirmation.")
def privacy_erase(config_path: Path | None, db_path: Path | None, phone: str, name: str, id_number: str,
                  manager: str, pin: str | None, yes: bool) -> None:
    """Erase this person's data from every table that holds it (counts and money totals stay)."""
    from kiosk.core import erasure
    ctx = build_context(config_path, db_path)
    actor = approve_manager(ctx, manager, pin)
    person = _person(phone, name, id_number)
    preview = erasure.find(ctx.db, person).tables()
    if not preview:
        click.echo("no records hold this person's data")
        return
    click.echo("will erase: " + ", ".join(f"{t} {n}" for t, n in preview.items()))
    if not yes:
        click.confirm("erase?", abort=True)
    done = erasure.erase(ctx.db, ctx.clock, actor, person)
    click.echo("erased: " + ", ".join(f"{t} {n}" for t, n in done.items()))
