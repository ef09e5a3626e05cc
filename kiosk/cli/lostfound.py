"""`kiosk lostfound ...`: the register from the command line (same services as the screen)."""
from __future__ import annotations

from pathlib import Path

import click

from kiosk.cli import words
from kiosk.cli.words import said

from kiosk.cli.main import build_context, config_option, db_option


@click.group("lostfound", cls=words.Group)
def lostfound_group() -> None:
    """The lost-and-found register."""


@lostfound_group.command("list")
@config_option
@db_option
@click.option("--due", is_flag=True, help="Only items held longer than the handover period.")
@click.option("--status", type=click.Choice(["held", "claimed", "handed_over", "disposed"]), default="held",
              show_default=True)
def lf_list(config_path: Path | None, db_path: Path | None, due: bool, status: str) -> None:
    """List items (held by default)."""
    from kiosk.lostfound import service as lostfound
    ctx = build_context(config_path, db_path, reads_only=True)  # only reads: works on a read-only card
    items = lostfound.due_for_handover(ctx.db, ctx.clock) if due else lostfound.items_with_status(ctx.db, status)
    for item in items:
        click.echo(f"{item.ref}\t{item.status}\t{item.category}\t{item.description}\t{item.storage}\t{item.created_at[:10]}")
    if not items:
        click.echo("no items")


@lostfound_group.command("show")
@config_option
@db_option
@click.argument("ref")
def lf_show(config_path: Path | None, db_path: Path | None, ref: str) -> None:
    """One item and its chain of custody."""
    from kiosk.lostfound import service as lostfound
    ctx = build_context(config_path, db_path, reads_only=True)  # only reads: works on a read-only card
    try:
        item = lostfound.by_ref(ctx.db, ref)
    except lostfound.LostFoundError as exc:
        raise said(exc) from None
    click.echo(f"{item.ref}: {item.description} ({item.category}, x{item.quantity}) — {item.status}")
    click.echo(f"found {item.found_at[:16]} at {item.found_place}; handed in by {item.handed_in_name}; "
               f"stored at {item.storage}")
    for event in lostfound.custody(ctx.db, item.id):
        click.echo(f"  {event['at'][:19]}  {event['status']:<12} {event['actor']}  {event['detail']}")
