"""`kiosk backup` and `kiosk restore`: thin commands over kiosk.core.backup and kiosk.core.restore.

Every line they print is in the box's language ([site] language), like the screens: a technician on a
zh site reads Chinese, and a refusal prints the English under it (kiosk.cli.main.fault_text)."""
from __future__ import annotations

from pathlib import Path

import click

from kiosk.cli import words
from kiosk.cli.words import CliRefusal

from kiosk.cli.main import build_context, config_option, db_option
from kiosk.cli.params import FilePath


def _lang(ctx) -> str:
    """The box's language (the configuration's [site] language)."""
    return ctx.config.get("site", "language")


def tr(msgid: str, lang: str, **params) -> str:
    """msgid in lang with its values filled in (values never go into the msgid)."""
    from kiosk.core.i18n import gettext
    text = gettext(msgid, lang)
    for name, value in params.items():
        text = text.replace("{" + name + "}", str(value))
    return text


def _when(moment, tz: str) -> str:
    """A moment on the desk's clock (the site's zone, as every other line the box shows), or "-"."""
    if not moment:
        return "-"
    from datetime import timezone
    from zoneinfo import ZoneInfo
    aware = moment if moment.tzinfo else moment.replace(tzinfo=timezone.utc)   # stored times are UTC
    return aware.astimezone(ZoneInfo(tz)).strftime("%Y-%m-%d %H:%M:%S")


def _refused(exc) -> click.ClickException:
    from kiosk.cli.main import fault_text
    return click.ClickException(fault_text(exc))


@click.command("backup", cls=words.Command)
@config_option
@db_option
@click.option("--to", "folder", type=FilePath(file_okay=False, path_type=Path), default=None,
              help="Folder to write to (default: [backup] folder in the configuration).")
@click.option("--keep-all", is_flag=True, help="Do not rotate old backups away.")
@click.option("--init-target", is_flag=True, help="Mark the folder (a USB stick, a share) as this kiosk's backup"
              " place; the nightly backup writes only to a marked folder.")
def backup_cmd(config_path: Path | None, db_path: Path | None, folder: Path | None, keep_all: bool,
               init_target: bool = False) -> None:
    """Copy the database (consistent while the app runs), verify the copy, rotate old ones.

    To the configured [backup] folder only when it was marked with --init-target (a stranger's stick with
    the same label is never written to); --to DIR writes where the person typing chose."""
    from kiosk.core import backup as backup_mod
    from kiosk.core import db as db_mod
    from kiosk.core.audit import SYSTEM
    ctx = build_context(config_path, db_path, reads_only=True, open_db=False)  # a failing card's last backup runs
    lang = _lang(ctx)
    try:
        recorded = not db_mod.is_read_only(ctx.db)
    except db_mod.SchemaTooNew as exc:
        # A newer program's database: this one must not write into it, but a page copy needs no schema
        # knowledge — the one file to copy before touching versions is backed up (marked with its schema).
        click.echo(tr("note: {db} has a newer schema ({version}) than this program knows; it is backed up as it is, and the backup is not recorded in it.", lang,  # noqa: E501
                      db=ctx.db_path, version=exc.version),
                   err=True)
        recorded = None
    target = folder or ctx.config.get("backup", "folder")
    started = ctx.clock.now()
    if init_target:
        if not target:
            raise _refused(backup_mod.BackupError("No backup folder: give --to DIR or set [backup] folder in the box"
                                                  " configuration."))
        try:
            marker = backup_mod.init_target(ctx.db_path, target)
        except backup_mod.Refusal as exc:
            raise _refused(exc) from None
        click.echo(tr("marked as this kiosk's backup place: {path}", lang, path=marker))
        return

    def progress(fraction: float, step: str) -> None:
        word = tr("copying", lang) if step == "copying" else tr("verified", lang)
        click.echo(f"\r{word} {fraction:4.0%}", nl=False, err=True)
    try:
        if not target:
            raise backup_mod.BackupError("No backup folder: give --to DIR or set [backup] folder in the box"
                                         " configuration.")
        result = backup_mod.make_backup(ctx.db_path, target, clock=ctx.clock,
                                        policy=None if keep_all else backup_mod.policy_from(ctx.config),
                                        tz=ctx.config.get("site", "timezone"), progress=progress,
                                        marked_only=folder is None)
    except Exception as exc:  # noqa: BLE001  (every attempt is recorded with its reason; then said)
        click.echo("", err=True)
        refusal = backup_mod.as_refusal(exc)
        if recorded:
            try:
                backup_mod.record_failure(ctx.db, ctx.clock, SYSTEM, started=started, destination=str(target or ""),
                                          exc=refusal)
            except Exception as also:  # noqa: BLE001  (the database failed too: say both)
                click.echo(tr("note: this failed attempt could not be recorded in {db}: {reason}", lang,
                              db=ctx.db_path, reason=backup_mod.as_refusal(also).message(lang)), err=True)
        elif recorded is False:
            click.echo(_not_recorded(ctx, lang), err=True)
        if isinstance(exc, (backup_mod.Refusal, OSError)) or refusal is not exc:
            raise _refused(refusal) from None
        raise
    click.echo("", err=True)
    if recorded:
        backup_mod.record_result(ctx.db, ctx.clock, SYSTEM, result)
    elif recorded is False:
        click.echo(_not_recorded(ctx, lang), err=True)
    made = result.backup
    click.echo(tr("backup: {file}", lang, file=made.path))
    click.echo(tr("verified: integrity ok, {rows} rows in {tables} tables, schema {schema}, {bytes} bytes, sha256 {sha}", lang,  # noqa: E501
                  rows=made.rows, tables=len(made.counts), schema=made.schema_version,
                  bytes=made.bytes, sha=made.sha256[:16]))
    if result.same_disk:
        click.echo(tr("warning: the backup is on the same disk as the database; it will not survive that disk. Use a USB stick or a network share.", lang),  # noqa: E501
                   err=True)
    for path in result.removed:
        click.echo(tr("rotated away: {name}", lang, name=path.name))


def _not_recorded(ctx, lang: str) -> str:
    return tr("note: {db} cannot be written (read-only or full disk): this backup attempt is not recorded in it.",
              lang, db=ctx.db_path)


@click.command("restore", cls=words.Command)
@config_option
@db_option
@click.argument("file", type=FilePath(dir_okay=False, path_type=Path))
@click.option("--dry-run", is_flag=True, help="Only show what would be replaced.")
@click.option("--yes", is_flag=True, help="Do not ask for confirmation.")
@click.option("--bring-back-erased", is_flag=True,
              help="Restore even a backup that still holds people erased after it was taken.")
def restore_cmd(config_path: Path | None, db_path: Path | None, file: Path, dry_run: bool, yes: bool,
                bring_back_erased: bool = False) -> None:
    """Replace the database with a verified backup; the current file is kept aside first.

    Stop the app first (systemctl stop kiosk): the desk must not take visitors during a restore."""
    from kiosk.core import restore as restore_mod
    from kiosk.core.audit import SYSTEM
    from kiosk.core.errors import Refusal
    ctx = build_context(config_path, db_path, open_db=False)
    lang = _lang(ctx)
    tz = ctx.config.get("site", "timezone")
    # An earlier restore killed before its record is settled first (restore() would do it before its copy):
    # the plan below then shows the file as the new restore finds it (its series moved past the copy set aside).
    interrupted = restore_mod.settle_earlier(ctx.db_path, ctx.clock)
    if interrupted is not None:
        click.echo(tr("an earlier restore was interrupted; it is recorded now:", lang), err=True)
        click.echo("  " + interrupted.message(lang), err=True)
    try:
        the_plan = restore_mod.plan(ctx.db_path, file)
    except Refusal as exc:
        raise _refused(exc) from None
    made = the_plan.backup
    click.echo(tr("backup: {file} (taken {when}, schema {schema}, verified)", lang, file=the_plan.file,
                  when=_when(made.taken_at, tz), schema=made.schema_version))
    line = tr("database: {db}", lang, db=the_plan.live)
    if not the_plan.live_exists:
        line += " " + tr("(missing: it will be created)", lang)
    elif not the_plan.live_readable:
        line += " " + tr("(unreadable: moved aside as it is)", lang)
    click.echo(line)
    if the_plan.other_kiosk:
        site, terminal = the_plan.live_origin
        if made.group == the_plan.live_origin:  # same ids, another database: two kiosks left at the defaults
            site, terminal = f"{site} ({tr('another database', lang)})", terminal
        click.echo(tr("warning: this backup was made by site {backup_site} terminal {backup_terminal}; this database is site {site} terminal {terminal}. Restoring it replaces this desk's records with that kiosk's.", lang,  # noqa: E501
                      backup_site=made.site_id, backup_terminal=made.terminal_id, site=site,
                      terminal=terminal), err=True)
    click.echo(f"{tr('table', lang):<28}{tr('now', lang):>9}{tr('backup', lang):>9}  "
               + tr("newest now / in backup", lang))
    for c in the_plan.changes:
        if c.current is None and c.restored is None:
            continue
        mark = "" if c.current == c.restored else "  *"
        click.echo(f"{c.table:<28}{'-' if c.current is None else c.current:>9}"
                   f"{'-' if c.restored is None else c.restored:>9}  {_when(c.current_newest, tz)} / "
                   f"{_when(c.restored_newest, tz)}{mark}")
    from kiosk.privacy import restore_guard
    erasures = restore_guard.since_backup(Path(the_plan.live), Path(the_plan.file), made.taken_at)
    if erasures.rows:
        click.echo(tr("erasure requests carried out after this backup was taken: {count} (their records are carried over)", lang,  # noqa: E501
                      count=sum(1 for r in erasures.rows if restore_guard.an_erasure(r))))
    if erasures.reapplied:
        click.echo(tr("those erasures are applied again to the restored records", lang))
    if erasures.brings_back:
        click.echo(tr("warning: this backup was not reached by those erasures (was it on a stick that was not plugged in?): restoring it brings the erased people back. Erase them again afterwards, or give --bring-back-erased to restore it anyway.", lang), err=True)  # noqa: E501
    for name, (restored, issued) in the_plan.advanced.items():
        click.echo(tr("series {name}: numbers {first} to {last} were issued after this backup; they stay used (the series continues at {next}, never repeating them)", lang,  # noqa: E501
                    name=name, first=restored + 1,
                      last=issued, next=issued + 1))
    if dry_run:
        click.echo(tr("dry run: nothing changed", lang))
        return
    if erasures.brings_back and not bring_back_erased:
        raise CliRefusal("refused: this backup still holds people erased since it was taken")
    if not yes:
        click.confirm(tr("Replace the database with this backup?", lang), abort=True)
    try:
        _, aside = restore_mod.restore(ctx.db_path, file, clock=ctx.clock, actor=SYSTEM,
                                       keep_aside=ctx.config.get("backup", "keep_before_restore"),
                                       also=lambda database: restore_guard.carry_forward(database, erasures))
    except Refusal as exc:
        raise _refused(exc) from None
    click.echo(tr("restored from {file}", lang, file=file))
    if aside:
        click.echo(tr("the previous database is kept at {path}", lang, path=aside))
