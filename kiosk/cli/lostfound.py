"""`kiosk lostfound ...`: the register from the command line (same services as the screen)."""
from __future__ import annotations

from pathlib import Path

import click

from kiosk.cli import words
from kiosk.cli.words import code, said, say

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
    from kiosk.printing.documents import local_time
    tz = ctx.config.get("site", "timezone")   # stored UTC, shown as the desk's local day
    for item in items:
        click.echo(f"{item.ref}\t{code('lost_status', item.status)}\t{code('lost_category', item.category)}"
                   f"\t{item.description}\t{item.storage}"
                   f"\t{local_time(ctx.db, item.created_at, '%Y-%m-%d', tz=tz)}")
    if not items:
        click.echo(say("no items"))


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
    from kiosk.printing.documents import local_time
    tz = ctx.config.get("site", "timezone")
    click.echo(f"{item.ref}: {item.description} ({code('lost_category', item.category)}, x{item.quantity})"
               f" — {code('lost_status', item.status)}")
    click.echo(say("found {when} at {place}; handed in by {who}; stored at {storage}",
                   when=local_time(ctx.db, item.found_at, tz=tz), place=item.found_place, who=item.handed_in_name,
                   storage=item.storage))
    for event in lostfound.custody(ctx.db, item.id):
        click.echo(f"  {local_time(ctx.db, event['at'], '%Y-%m-%d %H:%M:%S', tz=tz)}  {code('lost_status', event['status']):<12}"
                   f" {event['actor']}  {_detail(lostfound, event)}")


def _detail(lostfound, event: dict) -> str:
    """A custody event's stored English detail in the site's language, as the screen reads it."""
    msgid, values = lostfound.detail_message(event)
    return say(msgid, **{k: say(v) if k in lostfound.TRANSLATED_VALUES else v for k, v in values.items()})
