"""`kiosk catalogue ...`: the goods catalogue as CSV (export for a spreadsheet, import back)."""
from __future__ import annotations

import sys
from pathlib import Path

import click

from kiosk.cli import words
from kiosk.cli.words import CliRefusal, say, site_lang

from kiosk.cli.main import approve_manager, build_context, config_option, db_option
from kiosk.cli.params import FilePath


@click.group("catalogue", cls=words.Group)
def catalogue_group() -> None:
    """The goods catalogue (CSV export and import)."""


@catalogue_group.command("export")
@config_option
@db_option
@click.argument("path", type=FilePath(dir_okay=False, path_type=Path), required=False)
def catalogue_export(config_path: Path | None, db_path: Path | None, path: Path | None) -> None:
    """Write every product to PATH (UTF-8 with BOM for Excel), or to standard output."""
    from kiosk.counter import catalogue_csv
    ctx = build_context(config_path, db_path, reads_only=True)  # only reads: works on a read-only card
    text = catalogue_csv.export_csv(ctx.db)
    if path is None:
        sys.stdout.write(text)
    else:
        path.write_text(text, encoding="utf-8-sig")
        click.echo(say("wrote {count} products to {path}", count=text.count(chr(10)) - 1, path=path))


@catalogue_group.command("import")
@config_option
@db_option
@click.argument("path", type=FilePath(exists=True, dir_okay=False, path_type=Path))
@click.option("--manager", required=True, help="The approving manager's name.")
@click.option("--pin", default=None, help="The manager's PIN (prompted, hidden, when not given).")
def catalogue_import(config_path: Path | None, db_path: Path | None, path: Path, manager: str,
                     pin: str | None) -> None:
    """Import a catalogue CSV: all rows or none; every bad line is listed."""
    from kiosk.counter import catalogue_csv
    from kiosk.counter.sales import CounterError
    ctx = build_context(config_path, db_path)
    approver = approve_manager(ctx, manager, pin)
    try:
        text = path.read_text(encoding="utf-8-sig")
    except UnicodeDecodeError as exc:
        raise CliRefusal("{path}: not UTF-8 text (save the sheet as CSV UTF-8)", path=path) from exc
    try:
        result = catalogue_csv.import_csv(ctx.db, ctx.clock, approver, text)
    except catalogue_csv.ImportError_ as exc:
        raise CliRefusal("{path}: nothing imported:\n  {problems}", path=path, problems="\n  ".join(exc.problems)) from exc
    except CounterError as exc:
        raise CliRefusal("{path}: nothing imported: {reason}", path=path, reason=exc.message(site_lang())) from exc
    click.echo(say("{added} added, {updated} updated, {unchanged} unchanged", added=result.added,
                   updated=result.updated, unchanged=result.unchanged))
