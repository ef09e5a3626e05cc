"""`kiosk complaints ...`: the complaints register from the command line (same services as the screen).

Commands that write act as "command line" with a manager's role: whoever has a shell on the box is
its administrator, and the audit says the change came from here.
"""
from __future__ import annotations

import re
from datetime import date
from pathlib import Path

import click

from kiosk.cli import words
from kiosk.cli.words import CliUsage, code, said, say

from kiosk.cli.main import build_context, config_option, db_option
from kiosk.cli.params import FilePath, Day


def _local(db, iso: str | None, tz: str) -> str:
    """A stored UTC moment as the desk reads it: the site's local time, to the minute."""
    from kiosk.printing.documents import local_time
    return local_time(db, iso, tz=tz) if iso else "-"


def _line(*fields: object) -> str:
    """One record on one tab-separated line: line breaks, tabs and control characters typed into a
    field are folded to spaces, so a field never breaks the line or the columns."""
    from kiosk.core.text import printable
    return "\t".join(printable(_CONTROLS.sub(" ", "" if f is None else str(f)), multiline=False) for f in fields)


_CONTROLS = re.compile(r"[\x00-\x1f\x7f-\x9f]")


def _cli_manager():
    from kiosk.core.audit import Actor
    return Actor("command line", None, "manager")


@click.group("complaints", cls=words.Group)
def complaints_group() -> None:
    """Complaints and service requests."""


@complaints_group.command("list")
@config_option
@db_option
def c_list(config_path: Path | None, db_path: Path | None) -> None:
    """Open complaints and requests, oldest first, with their deadlines."""
    from kiosk.complaints import service
    ctx = build_context(config_path, db_path, reads_only=True)  # only reads: works on a read-only card
    items = service.open_complaints(ctx.db)
    tz = ctx.config.get("site", "timezone")
    for c in items:
        major = say("MAJOR") if c.major else say("major?") if c.major_proposed else ""
        click.echo(_line(c.ref, code("complaint_kind", c.kind), code("complaint_category", c.category),
                         say(service.STATUS_LABELS.get(c.status, c.status)),
                         say("start by {when}", when=_local(ctx.db, c.start_due, tz)),
                         say("resolve by {when}", when=_local(ctx.db, c.resolve_due, tz)), major, c.what[:40]))
    if not items:
        click.echo(say("no open complaints"))


@complaints_group.command("duties")
@config_option
@db_option
def c_duties(config_path: Path | None, db_path: Path | None) -> None:
    """Today's duties: complaints, promised callbacks and lost-and-found handovers, in deadline order."""
    from kiosk.reports import duties
    ctx = build_context(config_path, db_path, reads_only=True)  # only reads: works on a read-only card
    listed = duties.today(ctx.db, ctx.clock)
    tz = ctx.config.get("site", "timezone")
    for d in listed:
        state = say("OVERDUE") if d.overdue else say("soon") if d.soon else ""
        click.echo(_line(_local(ctx.db, d.due_at, tz), state, say(duties.KIND_LABELS.get(d.kind, d.kind)), d.ref,
                         d.summary))
    if not listed:
        click.echo(say("nothing due"))


@complaints_group.command("month")
@config_option
@db_option
@click.option("--month", "month_text", required=True, help="YYYY-MM")
@click.option("--lang", type=click.Choice(["zh_CN", "en"]), default=None, help="Language of the report (default: site).")
def c_month(config_path: Path | None, db_path: Path | None, month_text: str, lang: str | None) -> None:
    """Print a month's report."""
    from kiosk.complaints import monthly
    from kiosk.reports.complaints_month import sections
    ctx = build_context(config_path, db_path, reads_only=True)  # only reads: works on a read-only card
    year, month = _month(month_text)
    report = monthly.build(ctx.db, ctx.clock, year, month, ctx.config.get("site", "timezone"))
    for title, rows in sections(report, lang or ctx.language.code):
        click.echo(title)
        for label, value in rows:
            click.echo(f"  {label}: {value}")


def _month(text: str) -> tuple[int, int]:
    try:
        year, month = (int(p) for p in text.split("-"))
        if not 1 <= month <= 12 or not 2000 <= year <= 2200:
            raise ValueError
    except ValueError:
        # a usage error (exit status 2), as click's own for a value it cannot read
        raise CliUsage("{option}: expected a month as YYYY-MM, not {value}", option="--month", value=repr(text)) from None
    return year, month


@complaints_group.command("export-month")
@config_option
@db_option
@click.option("--month", "month_text", required=True, help="YYYY-MM")
@click.option("--out", type=FilePath(path_type=Path), required=True)
@click.option("--formats", default="csv,xlsx,pdf", show_default=True)
@click.option("--lang", type=click.Choice(["zh_CN", "en"]), default=None, help="Language of the report (default: site).")
@click.option("--manager", default=None, help="The manager exporting (their PIN is asked).")
@click.option("--pin", default=None, hidden=True)
@click.option("--key", default=None, envvar="KIOSK_EXPORT_KEY", help="The configured export key (scheduled runs).")
def c_export_month(config_path: Path | None, db_path: Path | None, month_text: str, out: Path, formats: str,
                   lang: str | None, manager: str | None, pin: str | None, key: str | None) -> None:
    """Export a month's report (CSV, XLSX, PDF); this clears the manager's reminder. A manager's act (the
    report names places and topics that may name people): --manager NAME with their PIN, or the export key."""
    from kiosk.cli.export import _approval
    from kiosk.core.errors import Refusal
    from kiosk.reports.complaints_month import export_month
    year, month = _month(month_text)
    ctx = build_context(config_path, db_path)  # writes: the PIN check, the export record and its audit
    actor = _approval(ctx, manager, pin, key)
    try:
        files = export_month(ctx.db, ctx.clock, actor, ctx.config.get("site", "timezone"), year=year,
                             month=month, destination=out, formats=formats.split(","), lang=lang or ctx.language.code)
    except Refusal as exc:
        raise said(exc) from None
    for path in files:
        click.echo(str(path))


@complaints_group.command("calendar")
@config_option
@db_option
@click.option("--holiday", "holidays", multiple=True, type=Day(), help="YYYY-MM-DD, a day off (repeat)")
@click.option("--makeup", "makeup", multiple=True, type=Day(), help="YYYY-MM-DD, a make-up working day (repeat)")
@click.option("--show", is_flag=True, help="Only show the list and which years the package covers.")
def c_calendar(config_path: Path | None, db_path: Path | None, holidays: tuple[date, ...], makeup: tuple[date, ...],
               show: bool) -> None:
    """The fallback holiday list for years the holiday package does not cover (replaces the list)."""
    from kiosk.complaints import rules, service
    from kiosk.core import settings
    ctx = build_context(config_path, db_path)
    if not show:
        try:
            service.set_calendar(ctx.db, ctx.clock, _cli_manager(), [d.isoformat() for d in holidays],
                                 [d.isoformat() for d in makeup])
        except service.ComplaintError as exc:
            raise said(exc) from None
    cal = settings.get(ctx.db, "complaint_calendar")
    click.echo(say("holidays: {days}", days=", ".join(cal.get("holidays", [])) or "-"))
    click.echo(say("make-up days: {days}", days=", ".join(cal.get("makeup_days", [])) or "-"))
    year = ctx.clock.now().year
    calendar = rules.load(ctx.db).calendar
    for y in (year, year + 1):
        click.echo(f"{y}: " + say("holiday package" if calendar.covered(y) else "fallback: weekends + this list"))
