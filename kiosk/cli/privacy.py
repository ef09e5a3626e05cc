"""`kiosk privacy find|erase` (PIPL art. 47) and the manager approval shared by CLI acts that need one."""
from __future__ import annotations

from pathlib import Path

import click

from kiosk.cli import words
from kiosk.cli.words import CliUsage, code, say

from kiosk.cli.main import approve_manager, build_context, config_option, db_option


def _person(phone: str, name: str, id_number: str):
    from kiosk.core.erasure import Person
    if not (phone or name or id_number):
        raise CliUsage("give --phone, --name or --id")
    return Person(phone=phone, name=name, id_number=id_number)


_WHO = [click.option("--phone", default="", help="The person's phone number (any format)."),
        click.option("--name", default="", help="The person's name."),
        click.option("--id", "id_number", default="", help="The person's identity document number.")]


def _who(fn):
    for option in reversed(_WHO):
        fn = option(fn)
    return fn


def _copies(ctx, person, *, live=None, erase_actor=None, people=(), words=()):
    """Backups and export files: surveyed (find) or erased (erase, ``erase_actor`` the manager)."""
    from kiosk.privacy import everywhere
    folders = dict(backup_folder=ctx.config.get("backup", "folder") or "",
                   export_folder=ctx.config.get("export", "folder") or "")
    if erase_actor is None:
        return everywhere.survey(ctx.db, Path(ctx.db_path), ctx.clock, person, live=live, **folders)
    return everywhere.erase_copies(ctx.db, Path(ctx.db_path), ctx.clock, erase_actor, person,
                                   people=list(people), words=list(words), **folders)


def _report_copies(ctx, copies, *, erased: bool) -> bool:
    """Say, in the box's language, what the backups and exports hold or what was done to them; returns
    whether anything may still hold the person (a backup not reachable or not erasable)."""
    from kiosk.privacy import backups as b
    _ = ctx.language._
    if erased:
        click.echo(_("Backups erased: {n}").format(n=copies.count(b.ERASED)))
        for item in copies.backups:
            if item.outcome == b.ERASED:
                click.echo(f"  {item.replaced} -> {item.path.name}")
    else:
        holding = [item for item in copies.backups if item.outcome == b.ERASED]
        click.echo(_("Backups holding this person: {n}").format(n=len(holding)))
        for item in holding:
            click.echo(f"  {item.path}")
    click.echo(_("Backups without this person: {n}").format(n=copies.count(b.CLEAN)))
    for item in copies.backups:
        if item.outcome == b.NOT_REACHABLE:
            msg = _("still holds this person (not reachable: plug in the USB stick or mount the share, then erase again): {file}")  # noqa: E501
            click.echo("  " + msg.format(file=item.path))
        elif item.outcome == b.FAILED:
            click.echo("  " + _("still holds this person (could not be erased: {reason}): {file}").format(
                reason=item.reason, file=item.path))
    ex = copies.exports
    if erased:
        click.echo(_("Export files rewritten without this person: {n}").format(n=len(ex.rewritten)))
        for path in ex.rewritten:
            click.echo(f"  {path}")
        click.echo(_("Export files removed (re-export the range for new ones): {n}").format(n=len(ex.removed)))
        for path in ex.removed:
            click.echo(f"  {path}")
    else:
        click.echo(_("Export files holding this person: {n}").format(n=len(ex.rewritten) + len(ex.removed)))
        for path in ex.rewritten + ex.removed:
            click.echo(f"  {path}")
    for path in ex.left:
        msg = _("still holds this person (not an export file, left alone: delete it yourself if it should go): {file}")  # noqa: E501
        click.echo("  " + msg.format(file=path))
    for folder in ex.not_reachable:
        msg = _("Export folder not reachable (a USB stick taken away?): exports there may still hold this person: {folder}")  # noqa: E501
        click.echo("  " + msg.format(folder=folder))
    if not ex.not_reachable and not copies.still_holding() and not ex.left:
        return False
    return True


def _report_candidates(ctx, found) -> None:
    """Rows whose stored identity number is only a mask consistent with the one asked for: listed masked
    (never a full number) for the manager to check against the person; erased only once their name or
    phone confirms them (asked again with --name or --phone)."""
    if not found.candidates:
        return
    _ = ctx.language._
    click.echo(_("Possible matches by a masked identity number: {n} (not erased on a mask alone)").format(
        n=len(found.candidates)))
    for c in found.candidates:
        click.echo(f"  {c.table} #{c.rowid}\t{c.id_number}\t{c.name or '-'}\t{c.phone or '-'}\t{c.since or '-'}")
    click.echo("  " + _("Check them with the person; to include the ones that are theirs, ask again with their --name or --phone as well."))  # noqa: E501


_SCRUB_INCOMPLETE = ("The erasure is saved, but the file scrub is incomplete: another program (the kiosk app,"
                     " a backup or a report) was reading the database, so the erased values may still be in"
                     " its write-ahead log and free pages. Close that program (or stop the kiosk service) and"
                     " run: kiosk privacy scrub --manager NAME")


def _say(ctx, msgid: str, *, err: bool = False, **params) -> None:
    """One message in the box's language; a problem (err) has the English under it when that differs, for
    the technician who is called to act on it (as storage faults). A success line is the site's language only."""
    text = ctx.language._(msgid).format(**params)
    click.echo(text, err=err)
    english = msgid.format(**params)
    if err and english != text:
        click.echo(english, err=err)


@click.group("privacy", cls=words.Group)
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
        audit.record(ctx.db, ctx.clock, actor, "privacy.find", None, None, None,
                     {"rows": found.tables(), "candidates": len(found.candidates)})
    if not found.hits:
        click.echo(say("no records hold this person's data"))
    for (table, column), ids in sorted(found.hits.items()):
        click.echo(f"{code('record_table', table)}\t{table}.{column}\t" + say("{count} rows", count=len(ids)) + "\t"
                   + say("ids {ids}", ids=", ".join(map(str, ids[:20]))) + (" ..." if len(ids) > 20 else ""))
    _report_candidates(ctx, found)
    _report_copies(ctx, _copies(ctx, _person(phone, name, id_number), live=found), erased=False)


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
    live = erasure.find(ctx.db, person)
    _report_candidates(ctx, live)
    preview = live.tables()
    copies = _copies(ctx, person, live=live)
    held_elsewhere = [b for b in copies.backups if b.outcome != "clean"] or copies.exports.rewritten \
        or copies.exports.removed
    if not preview and not held_elsewhere:
        click.echo(say("no records hold this person's data"))
        _report_copies(ctx, copies, erased=False)
        return
    click.echo(say("will erase: {rows}", rows=say(", ").join(f"{code('record_table', t)} {n}" for t, n in preview.items())
                   or say("(the database holds none)")))
    _report_copies(ctx, copies, erased=False)
    if not yes:
        click.confirm(say("erase?"), abort=True)
    done = erasure.erase(ctx.db, ctx.clock, actor, person) if preview else erasure.Erased()
    click.echo(say("erased: {rows}", rows=say(", ").join(f"{code('record_table', t)} {n}" for t, n in done.items())))
    # The virtual printer's pictures of their badges and slips (found before the erasure blanked the jobs)
    from kiosk.core.paths import state_dir
    from kiosk.privacy import receipts
    pictures = receipts.erase_jobs(ctx.db, ctx.clock, actor, receipts.receipt_folder(
        ctx.config.get("printer", "output_dir") or "", state_dir()), receipts.jobs_of(live))
    click.echo(ctx.language._("Receipt pictures removed: {n}").format(n=len(pictures.removed)))
    # The backups and the export folder next: the same inventory, the same matcher (kiosk.privacy).
    copies = _copies(ctx, person, erase_actor=actor, people=live.people, words=live.words)
    still = _report_copies(ctx, copies, erased=True)
    if not done.scrubbed:
        _say(ctx, _SCRUB_INCOMPLETE, err=True)
        raise SystemExit(3)
    if still:
        _say(ctx, "Some copies could not be erased: they are listed above. The erasure is not complete until they are.",
             err=True)
        raise SystemExit(4)


@privacy_group.command("scrub")
@config_option
@db_option
@click.option("--manager", required=True, help="The manager (their PIN is asked).")
@click.option("--pin", default=None, hidden=True)
def privacy_scrub(config_path: Path | None, db_path: Path | None, manager: str, pin: str | None) -> None:
    """Finish an erasure's file scrub (checkpoint the WAL, vacuum) once no other program reads the database."""
    from kiosk.core import audit, erasure
    from kiosk.core.db import write
    ctx = build_context(config_path, db_path)
    actor = approve_manager(ctx, manager, pin)
    done = erasure.scrub_files(ctx.db)
    with write(ctx.db):
        audit.record(ctx.db, ctx.clock, actor, "privacy.scrub", None, None, None, {"complete": done})
    if not done:
        _say(ctx, _SCRUB_INCOMPLETE, err=True)
        raise SystemExit(3)
    _say(ctx, "The file scrub is complete.")
