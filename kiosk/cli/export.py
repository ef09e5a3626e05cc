"""``kiosk export`` and ``kiosk demo seed``: thin wrappers over kiosk.reports.export and kiosk.demo.seed."""
from __future__ import annotations

from datetime import date
from pathlib import Path

import click

from kiosk.cli import words
from kiosk.cli.words import CliRefusal, CliUsage, Said, said, say

from kiosk.cli.main import COUNT, build_context, config_option, db_option
from kiosk.cli.params import FilePath, Day, Whole, parse_day


def _day(text: str | None, option: str) -> date | None:
    """--date/--to: a day in range, or a usage error naming the option (the site's language)."""
    if text is None:
        return None
    try:
        return parse_day(text)
    except ValueError as exc:
        raise CliUsage("{option}: {problem}", option=option, problem=str(exc)) from None


def _approval(ctx, manager: str | None, pin: str | None, key: str | None):
    """Who approves this export: the manager after their PIN, or the system with the configured key."""
    import hashlib
    import hmac
    from kiosk.core.audit import Actor
    if manager:
        from kiosk.cli.main import approve_manager
        return approve_manager(ctx, manager, pin)
    expected = ctx.config.get("export", "key_sha256")
    if key is not None and expected:
        if hmac.compare_digest(hashlib.sha256(key.encode()).hexdigest(), expected):
            return Actor("export key", None, "system")
        raise CliRefusal("the export key does not match the configured one")
    raise CliUsage("an export is a manager's act: give --manager NAME (PIN asked), or the configured --key")


# The export's phases as its progress lines say them (msgids, cli.po); a log's name is its file's name.
PHASES = {"summary": "the summary", "read": "reading", "manifest": "the manifest", "written": "written",
          "saved": "saved", "csv": "CSV", "xlsx": "XLSX", "pdf": "PDF"}   # saved: the workbook's last step


@click.command("export", cls=words.Command)
@config_option
@db_option
@click.option("--date", "first", required=True, help="First (or only) local day, YYYY-MM-DD.")
@click.option("--to", "last", default=None, help="Last local day of a range, YYYY-MM-DD (inclusive).")
@click.option("--out", "out", required=True, type=FilePath(file_okay=False, path_type=Path),
              help="Destination folder (a USB stick's mount point or any folder).")
@click.option("--format", "formats", default="csv,xlsx,pdf", show_default=True,
              help="Comma-separated: csv, xlsx, pdf.")
@click.option("--lang", default=None, type=click.Choice(["zh_CN", "en"]), help="Language of titles (default: site).")
@click.option("--manager", default=None, help="The manager exporting (their PIN is asked).")
@click.option("--pin", default=None, hidden=True)
@click.option("--key", default=None, envvar="KIOSK_EXPORT_KEY", help="The configured export key (scheduled runs).")
def export_cmd(config_path: Path | None, db_path: Path | None, first: str, last: str | None, out: Path,
               formats: str, lang: str | None, manager: str | None, pin: str | None, key: str | None) -> None:
    """Export the daily logs for a day or a range (the same code as the reports screen): a manager's act,
    --manager NAME with their PIN, or the configured export key for a scheduled run."""
    from kiosk.reports.export import ExportError, parse_formats, run_export
    from kiosk.reports.summary import RangeError

    first_day = _day(first, "--date")
    last_day = _day(last, "--to") or first_day
    try:
        chosen = parse_formats(formats)
    except ExportError as exc:
        raise said(exc) from None
    ctx = build_context(config_path, db_path)
    if not ctx.db_path.exists():
        raise CliRefusal("no database at {path}", path=ctx.db_path)
    actor = _approval(ctx, manager, pin, key)

    shown = {"percent": -5, "phase": ""}

    def progress(fraction: float, step: str) -> None:
        """One line per 5 % or per new phase (read, csv, xlsx, pdf), on stderr: stdout stays the file list."""
        phase = step.split(":", 1)[0]
        percent = int(fraction * 100)
        if percent - shown["percent"] >= 5 or phase != shown["phase"] or fraction >= 1.0:
            shown.update(percent=percent, phase=phase)
            head, _, rest = step.partition(":")   # "read:visitors", "xlsx:汇总", "pdf:written"
            words_now = say(PHASES.get(head, head)) + (f": {say(PHASES.get(rest, rest))}" if rest else "")
            click.echo(f"{fraction:6.1%}  {words_now}", err=True)

    try:
        result = run_export(ctx.db, ctx.clock, first=first_day, last=last_day,
                            tz_name=ctx.config.get("site", "timezone"), destination=out, formats=chosen,
                            lang=lang or ctx.language.code, progress=progress, actor=actor)
    except (ExportError, RangeError) as exc:
        # In the language the manager asked for (or the site's), as the screen says it.
        message = exc.message(lang or ctx.language.code) if hasattr(exc, "message") else str(exc)
        raise Said(message) from None
    for path, size in result.files:
        click.echo(f"{size:>10,}  {path}")
    for name, count in result.rows.items():
        click.echo(say("rows {name}: {count}", name=name, count=count))
    for missing in result.missing:
        click.echo(say("missing log {name}: waiting for table(s) {tables}", name=missing.name,
                       tables=", ".join(missing.tables)), err=True)


@click.command("seed", cls=words.Command)
@config_option
@db_option
@click.option("--days", default=7, show_default=True, type=Whole(1, 400), help="Days of activity, ending on --end-day.")
@click.option("--end-day", type=Day(), default=None,
              help="The last day seeded (YYYY-MM-DD); default today, or yesterday before the desk opens.")
@click.option("--visitors", default=None, type=COUNT, help="Visitors per day (default: a weekday pattern).")
@click.option("--calls", default=None, type=COUNT, help="Calls per day.")
@click.option("--sales", default=None, type=COUNT, help="Sales per day.")
@click.option("--seed", "random_seed", default=1, show_default=True, type=Whole(0, 2**63 - 1), help="Random seed (same seed, same data).")
@click.option("--force", is_flag=True, help="Seed even a database that holds a site's own records.")
def seed_cmd(config_path: Path | None, db_path: Path | None, days: int, end_day: date | None,
             visitors: int | None, calls: int | None, sales: int | None, random_seed: int, force: bool) -> None:
    """Fill the database with realistic synthetic activity (for demos and benchmarks)."""
    from kiosk.demo import accounts as demo
    from kiosk.demo import seed

    ctx = build_context(config_path, db_path)
    if not force:
        try:
            demo.check_demo_target(ctx.db)   # never a site's books: fake sales would take its receipt numbers
        except demo.DemoRefusal as exc:
            raise said(exc) from None
    demo.mark_demo(ctx.db, ctx.clock)
    made = seed.seed(ctx.db, ctx.clock, days=days, tz_name=ctx.config.get("site", "timezone"),
                     visitors=visitors, calls=calls, sales=sales, random_seed=random_seed,
                     end_day=end_day, lang=ctx.language.code)
    for area, count in made.items():
        click.echo(say("{area}: {count}", area=say(area), count=count))   # each area's name is a msgid
