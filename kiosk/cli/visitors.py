"""`kiosk visitors ...`: who is on site, search, the host directory, and the timed jobs (same services
as the screens). Names and phone numbers print only here, for staff at the box."""
from __future__ import annotations

from pathlib import Path

import click

from kiosk.cli import words
from kiosk.cli.words import code, said, say

from kiosk.cli.main import build_context, config_option, db_option
from kiosk.cli.params import Whole


@click.group("visitors", cls=words.Group)
def visitors_group() -> None:
    """The visitor register."""


@visitors_group.command("onsite")
@config_option
@db_option
def v_onsite(config_path: Path | None, db_path: Path | None) -> None:
    """Everyone signed in and not yet signed out (the roll-call list)."""
    from kiosk.visitors import service as visitors
    ctx = build_context(config_path, db_path, reads_only=True)  # a fire roll call on a failing card still runs
    rows = visitors.on_site(ctx.db)
    from kiosk.printing.documents import local_time   # stored UTC, shown on the desk's clock like the screen
    tz = ctx.config.get("site", "timezone")
    for r in rows:
        click.echo(f"{local_time(ctx.db, r['signed_in_at'], tz=tz)}\t{r['name']}\tx{r['party_size']}"
                   f"\t{r['organisation']}\t{r['host_name']}")
    click.echo(say("on site: {people} people in {visits} visits", people=sum(r["party_size"] for r in rows),
                   visits=len(rows)))


@visitors_group.command("search")
@config_option
@db_option
@click.argument("text")
@click.option("--limit", default=50, show_default=True, type=Whole(1, 1000))
@click.option("--manager", required=True, help="The manager looking (their PIN is asked).")
@click.option("--pin", default=None, hidden=True)
def v_search(config_path: Path | None, db_path: Path | None, text: str, limit: int, manager: str,
             pin: str | None) -> None:
    """Past visits by name, phone, organisation or host (a manager's act: names and phones, audited)."""
    from kiosk.cli.main import approve_manager
    from kiosk.core import audit
    from kiosk.core.db import write
    from kiosk.visitors import service as visitors
    ctx = build_context(config_path, db_path)
    actor = approve_manager(ctx, manager, pin)
    rows = visitors.search(ctx.db, text, limit=limit)
    with write(ctx.db):  # who looked, how many rows they saw; never what was searched for
        audit.record(ctx.db, ctx.clock, actor, "visitor.search", None, None, None, {"rows": len(rows), "limit": limit})
    from kiosk.printing.documents import local_time
    tz = ctx.config.get("site", "timezone")
    for r in rows:
        click.echo(f"{local_time(ctx.db, r['signed_in_at'], tz=tz)}\t{r['name'] or say('(anonymised)')}"
                   f"\t{r['phone']}\t{r['organisation']}\t{r['host_name']}"
                   f"\t{code('purpose', r['purpose'])}")
    if not rows:
        click.echo(say("no visits found"))


@visitors_group.command("housekeeping")
@config_option
@db_option
def v_housekeeping(config_path: Path | None, db_path: Path | None) -> None:
    """Run the timed jobs now: automatic sign-out (when configured) and the daily anonymisation."""
    from kiosk.visitors import housekeeping
    ctx = build_context(config_path, db_path)
    done = housekeeping.run_due(ctx.db, ctx.clock, ctx.config.get("site", "timezone"))
    click.echo(say("signed out automatically: {count}", count=done.signed_out))
    click.echo(say("anonymised: {count}", count=say("already ran today") if done.anonymised is None
                   else done.anonymised))
    if done.retention is not None and done.retention.ok and done.anonymised is not None:
        # the day's run went through: the backups and the receipt pictures follow the same periods
        from kiosk.core.paths import state_dir
        from kiosk.privacy import backups as b
        from kiosk.privacy import receipts, retention as beyond
        out = beyond.run(ctx.db, Path(ctx.db_path), ctx.clock, backup_folder=ctx.config.get("backup", "folder") or "",
                         receipt_folder=receipts.receipt_folder(ctx.config.get("printer", "output_dir") or "", state_dir()))
        click.echo(say("backups rewritten past retention: {rewritten}, deleted: {deleted}",
                       rewritten=sum(1 for o in out.backups if o.outcome == b.RETAINED),
                       deleted=sum(1 for o in out.backups if o.outcome == b.DELETED)))
        click.echo(say("receipt pictures removed: {count}", count=len(out.receipts.removed)))
        for item in out.still_holding():
            click.echo(say("  may still hold data past its period ({reason}): {path}", reason=item.reason,
                           path=item.path), err=True)
    if done.retention is not None and not done.retention.ok:
        from kiosk.core import retention
        from kiosk.core.clock import utc_iso
        from kiosk.printing.documents import local_time   # on the desk's clock, as every other time here
        nxt = done.retention.next_try
        when = local_time(ctx.db, utc_iso(nxt), tz=ctx.config.get("site", "timezone")) if nxt else "-"
        click.echo(say("retention blocked ({problem}), try {tries}; next try after {when}",
                       problem=say(retention.PROBLEMS.get(done.retention.problem, done.retention.problem)),
                       tries=done.retention.tries, when=when), err=True)
        raise SystemExit(3)


@visitors_group.command("host-add")
@config_option
@db_option
@click.argument("name")
@click.option("--department", default="", help="Shown next to the name when a visitor searches.")
@click.option("--manager", required=True, help="The approving manager (their PIN is asked).")
@click.option("--pin", default=None, hidden=True)
def v_host_add(config_path: Path | None, db_path: Path | None, name: str, department: str, manager: str,
               pin: str | None) -> None:
    """Add a person visitors can come to see (a manager's change to the directory, audited as theirs)."""
    from kiosk.cli.main import approve_manager
    from kiosk.visitors import service as visitors
    ctx = build_context(config_path, db_path)
    actor = approve_manager(ctx, manager, pin)
    try:
        host_id = visitors.add_host(ctx.db, ctx.clock, actor, name, department)
    except visitors.VisitorError as exc:
        raise said(exc) from None
    click.echo(say("host {id}: {name}", id=host_id, name=name))
