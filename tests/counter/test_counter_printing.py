"""Sale and fee receipts end to end: stored records → print queue → a TCP printer → what the paper says."""
from __future__ import annotations

import pytest
from click.testing import CliRunner

from hardware.devices import start_printer
from kiosk.core import config
from kiosk.counter import sales as counter
from kiosk.counter import fees, shifts
from kiosk.printing import queue as printqueue
from kiosk.core.audit import Actor
from kiosk.cli.main import main
from kiosk.core.context import Context
from kiosk.counter.sales import Payment
from tests.fake_printer import FakeNetworkPrinter
from tests.waiting import wait_until

STAFF = Actor("Li Na", None, "staff")


@pytest.mark.parametrize("lang", ["zh_CN", "en"])
def test_sale_and_fee_receipts_print_to_a_network_printer(db_path, clock, lang, artifacts):
    printer = FakeNetworkPrinter().start()
    cfg = config.validate({"printer": {"kind": "network", "host": "127.0.0.1", "port": printer.port,
                                       "chinese": "gb18030"}})
    ctx = Context(config=cfg, db_path=db_path, clock=clock)
    counter.seed_demo(ctx.db, clock)
    fees.seed_demo(ctx.db, clock)
    water = counter.by_barcode(ctx.db, "6901234567892")
    shifts.open_shift(ctx.db, clock, STAFF, "T01", float_fen=0)
    sale = counter.sell(ctx.db, clock, STAFF, "T01", {water.id: 3}, Payment("cash", tendered_fen=1000), lang=lang)
    green = next(f for f in fees.fee_types(ctx.db) if f.code == "GREEN18")
    fees.collect(ctx.db, clock, STAFF, "T01", fee_type_id=green.id, payer="王小明", lang=lang,
                 payment=Payment("card", reference="884213"))
    handle = start_printer(ctx, poll=0.05, max_backoff=0.2)
    try:
        paper_sale, paper_fee = printer.wait_for(2)
        wait_until(lambda: printqueue.queued_count(ctx.db) == 0)
    finally:
        handle.stop()
        printer.stop()
    zh = lang == "zh_CN"
    assert paper_sale.find("T01-S-000001").align == "center"
    assert paper_sale.find("找零" if zh else "Change").text.endswith("¥1.00")
    assert paper_sale.find("合计" if zh else "Total").text.endswith("¥9.00")
    assert paper_sale.find("3 x ¥3.00").text.endswith("¥9.00")
    assert paper_sale.kicks and paper_sale.qr == [sale.receipt_no]
    assert paper_fee.find("缴费人" if zh else "Payer").text.endswith("王小明")
    assert paper_fee.find("交易号" if zh else "Transaction ref.").text.endswith("884213")
    assert not paper_fee.kicks, "no drawer for a card payment"
    from hardware.printer.png import render_png
    for job in printqueue.recent(ctx.db):
        render_png(job.receipt, 80).save(artifacts / "receipts" / f"stored_{job.kind}_{lang}.png")


def test_receipt_preview_cli_renders_a_stored_sale(db_path, clock, tmp_path):
    from kiosk.core import db as db_mod
    database = db_mod.connect(db_path)
    counter.seed_demo(database, clock)
    water = counter.by_barcode(database, "6901234567892")
    shifts.open_shift(database, clock, STAFF, "T01", float_fen=0)
    counter.sell(database, clock, STAFF, "T01", {water.id: 1}, Payment("mobile", reference="WX1"))
    database.close()
    png = tmp_path / "sale.png"
    result = CliRunner().invoke(main, ["receipt", "preview", "--db", str(db_path), "--kind", "sale", "--id", "1",
                                       "--png", str(png)])
    assert result.exit_code == 0, result.output
    assert png.read_bytes().startswith(b"\x89PNG")
    text = CliRunner().invoke(main, ["receipt", "preview", "--db", str(db_path), "--kind", "sale", "--id", "1"]).output
    assert "T01-S-000001" in text and "¥3.00" in text
    missing = CliRunner().invoke(main, ["receipt", "preview", "--db", str(db_path), "--kind", "sale", "--id", "9"])
    assert missing.exit_code == 1 and "记录 9 没有 sale 类小票" in missing.output
