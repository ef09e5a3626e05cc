"""`kiosk printer ...` and `kiosk receipt ...`: test page, queue, previews and reprints."""
from __future__ import annotations

from pathlib import Path

import click

from kiosk.cli import words
from kiosk.cli.words import CliRefusal, CliUsage, say

from kiosk.cli.main import ROW_ID, build_context, config_option, db_option
from kiosk.cli.params import FilePath, Whole


def test_page(terminal_id: str):
    """A page that shows everything a printer must do: both languages, ¥, sizes, QR, barcode."""
    from kiosk.printing.documents import QR, Barcode, Pair, Receipt, Rule, Text
    return Receipt(
        kind="test", lang="zh_CN", title="打印机测试页 Printer test", number=f"{terminal_id}-TEST",
        header=("前台服务中心 Front Desk",),
        blocks=(
            Text("简体中文：欢迎光临，谢谢惠顾。"), Text("English: Welcome, thank you."),
            Text("粗体 Bold", bold=True), Text("大字 Large", size=2), Text("居中 Centre", align="center"),
            Text("右对齐 Right", align="right"), Rule(),
            Pair("金额 Amount", "¥1,234.50"), Pair("负数 Negative", "-¥3.00"), Rule("="),
            QR(f"{terminal_id}-TEST"), Barcode(f"{terminal_id}-TEST"),
        ),
        footer=("ABCDEFGHIJKLMNOPQRSTUVWXYZ 0123456789",),
    )


@click.group("printer", cls=words.Group)
def printer_group() -> None:
    """The receipt printer."""


@printer_group.command("test")
@config_option
@db_option
@click.option("--kick", is_flag=True, help="Also open the cash drawer.")
def printer_test(config_path: Path | None, db_path: Path | None, kick: bool) -> None:
    """Print a test page now (both languages, QR, barcode, cut)."""
    from hardware import devices
    from hardware.printer.connections import PrinterError
    from hardware.printer.escpos import render
    from kiosk.core.errors import Msg
    ctx = build_context(config_path, db_path)
    cfg = ctx.config.section("printer")
    printer = devices.open_printer(cfg)
    if printer is None:
        raise CliRefusal("no printer configured ([printer] kind = 'none')")
    profile = devices.printer_profile(cfg)
    receipt = test_page(ctx.terminal_id)
    try:
        result = printer.send(render(receipt, profile, kick=kick), receipt)
    except PrinterError as exc:
        # The connection's own detail (English, with the OS's words) goes to the log; the line says the state.
        import logging
        logging.getLogger(__name__).warning("printer test on %s: %s: %s", printer.name, exc.state, exc.detail)
        raise CliRefusal("the printer {name} {trouble}", name=printer.name,
                         trouble=Msg(TROUBLE.get(exc.state, TROUBLE["error"]))) from None
    if result.saved:
        click.echo(say("{name}: test page saved as {path}", name=printer.name, path=result.saved))
    else:
        click.echo(say("{name}: {result}", name=printer.name, result=say(result.detail)))


# What a printer test that failed says, by the printer's state (hardware.printer.connections.PrinterError).
TROUBLE = {"offline": "is offline or cannot be reached: check its power, cable and address",
           "paper_out": "is out of paper: load a roll and try again",
           "cover_open": "has its cover open: close it and try again",
           "error": "reports an error: switch it off and on, then try again"}


@printer_group.command("queue")
@config_option
@db_option
@click.option("--limit", default=20, show_default=True, type=Whole(1, 10_000))
def printer_queue(config_path: Path | None, db_path: Path | None, limit: int) -> None:
    """List recent print jobs and their status."""
    from kiosk.printing import queue as printqueue
    ctx = build_context(config_path, db_path, reads_only=True)  # only reads: works on a read-only card
    for job in printqueue.recent(ctx.db, limit):
        click.echo(f"{job.id}\t{job.kind}\t{job.receipt_no or '-'}"
                   f"\t{say(printqueue.STATUS_TEXT.get(job.status, job.status))}\t{say(job.detail) if job.detail else ''}")


@click.group("receipt", cls=words.Group)
def receipt_group() -> None:
    """Receipts: previews and reprints."""


def _find_job(db, kind: str | None, record_id: str | None, job_id: int | None):
    from kiosk.printing import queue as printqueue
    if job_id is not None:
        try:
            return printqueue.get(db, job_id)
        except KeyError:
            raise CliRefusal("no print job {job}", job=job_id) from None
    row = db.execute("SELECT id FROM print_jobs WHERE kind = ? AND record_id = ? AND reprint_of IS NULL "
                     "ORDER BY id LIMIT 1", (kind, str(record_id))).fetchone()
    if row is None:
        raise CliRefusal("no {kind} receipt for record {record}", kind=kind, record=record_id)
    return printqueue.get(db, row[0])


@receipt_group.command("preview")
@config_option
@db_option
@click.option("--kind", help="Receipt kind: sale, refund, fee, eod, badge, lftag, lfclaim, lfhandover...")
@click.option("--id", "record_id", help="The record's id (e.g. the sale's).")
@click.option("--job", "job_id", type=ROW_ID, help="Or a print job id.")
@click.option("--png", type=FilePath(dir_okay=False, path_type=Path), help="Write the paper as a PNG.")
@click.option("--escpos", type=FilePath(dir_okay=False, path_type=Path), help="Write the ESC/POS bytes.")
def receipt_preview(config_path, db_path, kind, record_id, job_id, png, escpos) -> None:
    """Show what would be printed for a stored receipt."""
    from hardware import devices
    from hardware.printer.escpos import render
    from hardware.printer.png import render_png
    from kiosk.printing.documents import KIND_CODES, layout
    if job_id is None and not (kind and record_id):
        raise CliUsage("give --kind and --id, or --job")
    if kind and kind not in KIND_CODES:
        raise CliRefusal("{option}: expected one of {choices}", option="--kind", choices=", ".join(KIND_CODES))
    ctx = build_context(config_path, db_path, reads_only=True)  # only reads: works on a read-only card
    job = _find_job(ctx.db, kind, record_id, job_id)
    if job.receipt is None:
        raise CliRefusal("job {job} is a drawer opening, nothing to preview", job=job.id)
    cfg = ctx.config.section("printer")
    if png:
        render_png(job.receipt, cfg["paper_mm"]).save(png)
        click.echo(say("wrote {path}", path=png))
    if escpos:
        escpos.write_bytes(render(job.receipt, devices.printer_profile(cfg), kick=job.kick_drawer))
        click.echo(say("wrote {path}", path=escpos))
    if not png and not escpos:
        from hardware.printer.png import PAPERS
        for line, _ in layout(job.receipt, PAPERS[cfg["paper_mm"]].columns):
            click.echo(line)


@receipt_group.command("reprint")
@config_option
@db_option
@click.option("--job", "job_id", type=ROW_ID, required=True)
@click.option("--user", "user_name", required=True, help="Who asks for the reprint (an account name).")
def receipt_reprint(config_path, db_path, job_id: int, user_name: str) -> None:
    """Queue a reprint of a past receipt (marked REPRINT on paper)."""
    from kiosk.core import auth
    from kiosk.printing import queue as printqueue
    ctx = build_context(config_path, db_path)
    user = next((u for u in auth.users(ctx.db) if u.name == user_name), None)
    if user is None:
        raise CliRefusal("no account named {name}", name=repr(user_name))
    _find_job(ctx.db, None, None, job_id)
    new_id = printqueue.reprint(ctx.db, ctx.clock, user.actor(), job_id)
    click.echo(say("queued reprint as job {job}", job=new_id))
