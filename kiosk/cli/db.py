"""`kiosk db init`: the one command (with `kiosk demo init`) that creates a database."""
from __future__ import annotations

from pathlib import Path

import click

from kiosk.cli import words
from kiosk.cli.words import say

from kiosk.cli.main import build_context, config_option, db_option


@click.command("init", cls=words.Command)
@config_option
@db_option
def db_init(config_path: Path | None, db_path: Path | None) -> None:
    """Create the database (and its folder) with the current schema; an existing one is only upgraded."""
    from kiosk.core import db as db_mod
    ctx = build_context(config_path, db_path, open_db=False)
    existed = ctx.db_path.is_file()
    ctx.create = True
    version = db_mod.schema_version(ctx.db)
    click.echo(say("upgraded: {path} (schema version {version})" if existed else
                   "created: {path} (schema version {version})", path=ctx.db_path, version=version))
