"""Printing to a real TCP listener on 127.0.0.1 acting as a network receipt printer."""
from __future__ import annotations

import threading
import time

import pytest

from hardware.printer.connections import NetworkPrinter, PrinterError
from hardware.devices import start_printer
from kiosk.core import config
from kiosk.printing import queue as printqueue
from kiosk.core.audit import SYSTEM
from kiosk.core.context import Context
from tests import receipt_samples
from tests.fake_printer import PAPER_OUT, FakeNetworkPrinter
from tests.waiting import wait_until


@pytest.fixture
def printer():
    fake = FakeNetworkPrinter().start()
    yield fake
    fake.stop()


def network_ctx(db_path, clock, port: int, chinese: str = "gb18030", paper_mm: int = 80) -> Context:
    cfg = config.validate({"printer": {"kind": "network", "host": "127.0.0.1", "port": port,
                                       "chinese": chinese, "paper_mm": paper_mm}})
    return Context(config=cfg, db_path=db_path, clock=clock)


def states(ctx) -> list[dict]:
    seen: list[dict] = []
    lock = threading.Lock()

    def on_state(event):
        with lock:
            seen.append(event.data)
    ctx.bus.subscribe("printer.state", on_state)
    return seen


def test_receipts_arrive_and_read_right(printer, db_path, clock):
    ctx = network_ctx(db_path, clock, printer.port)
    for make in (receipt_samples.sale, receipt_samples.fee):
        printqueue.enqueue(ctx.db, clock, SYSTEM, make("zh_CN"), record_table="test", record_id=1,
                           kick_drawer=make is receipt_samples.sale)
    handle = start_printer(ctx, poll=0.05, max_backoff=0.2)
    try:
        sale, fee = printer.wait_for(2)
    finally:
        handle.stop()
    assert sale.find("找零").text.endswith("¥97.50") and sale.kicks == [(0, 50, 100)]
    assert sale.qr == ["T01-S-000042"]
    assert fee.find("缴费人").text.endswith("王小明") and not fee.kicks
    assert fee.find("金额").text.endswith("¥680.00")
    jobs = printqueue.recent(ctx.db)
    assert [j.status for j in jobs] == ["printed", "printed"] and all(j.detail == "printed" for j in jobs)


def test_printer_off_keeps_jobs_queued_then_prints_each_once(db_path, clock):
    fake = FakeNetworkPrinter()
    probe = FakeNetworkPrinter().start()  # find a free port, then leave it closed: printer off
    port = probe.port
    probe.stop()
    ctx = network_ctx(db_path, clock, port)
    seen = states(ctx)
    printqueue.enqueue(ctx.db, clock, SYSTEM, receipt_samples.sale("en"), record_table="t", record_id=1)
    printqueue.enqueue(ctx.db, clock, SYSTEM, receipt_samples.badge("en"), record_table="t", record_id=2)
    handle = start_printer(ctx, poll=0.05, max_backoff=0.2)
    try:
        wait_until(lambda: any(s["state"] == "offline" for s in seen))
        assert printqueue.queued_count(ctx.db) == 2
        assert any(s.get("queued") == 2 and "no printer at" in s["detail"] for s in seen)
        fake.port = port
        fake.start()  # switched on again
        papers = fake.wait_for(2)
        wait_until(lambda: printqueue.queued_count(ctx.db) == 0)
    finally:
        handle.stop()
        fake.stop()
    assert [p.find(n).text.strip() for p, n in zip(papers, ("T01-S", "T01-B"))] == \
        ["No. T01-S-000042", "No. T01-B-000120"]  # in order
    time.sleep(0.3)
    assert len(fake.papers()) == 2, "nothing printed twice"


def test_listener_stopped_mid_job_is_resent_once_as_a_marked_copy(printer, db_path, clock):
    ctx = network_ctx(db_path, clock, printer.port, chinese="raster", paper_mm=58)  # a big raster job
    printer.die_after_bytes = 3000  # switched off after 3 kB of the first job
    job_id = printqueue.enqueue(ctx.db, clock, SYSTEM, receipt_samples.sale("zh_CN"), record_table="t", record_id=9,
                                kick_drawer=True)
    handle = start_printer(ctx, poll=0.05, max_backoff=0.2)
    try:
        wait_until(lambda: printqueue.get(ctx.db, job_id).status == "unconfirmed"
                   and printqueue.queued_count(ctx.db) == 0)
    finally:
        handle.stop()
    assert len(printer.jobs) == 2, "the original was cut off; one copy followed, nothing more"
    assert len(printer.jobs[0]) == 3000
    whole = printer.papers()
    assert len(whole) == 1, "exactly one complete receipt: the copy"
    assert whole[0].images and whole[0].qr == ["T01-S-000042"] and not whole[0].kicks, "a copy never opens the drawer"
    copy = printqueue.get(ctx.db, job_id + 1)
    assert copy.reprint_of == job_id and copy.status == "printed" and copy.receipt.mark.startswith("副本 / COPY")
    events = [r["status"] for r in ctx.db.query("SELECT status FROM print_job_events WHERE job_id = ? ORDER BY id",
                                                   (job_id,))]
    assert events == ["queued", "sending", "unconfirmed"]


def test_out_of_paper_is_not_trusted_as_printed(printer, db_path, clock):
    printer.paper = PAPER_OUT
    with pytest.raises(PrinterError) as err:
        NetworkPrinter("127.0.0.1", printer.port, status_timeout=0.5).send(b"\x1b@hello\n", None)
    assert err.value.state == "paper_out"
    assert not printer.papers()


def test_silent_printer_is_unconfirmed_not_ok(printer):
    printer.silent = True
    result = NetworkPrinter("127.0.0.1", printer.port, status_timeout=0.2).send(b"\x1b@hi\n\x1dV\x00", None)
    assert not result.confirmed and result.silent and "gives no status" in result.detail


def test_device_file_printer_gets_the_exact_bytes(tmp_path):
    from hardware.printer.escpos import PrinterProfile, render
    from hardware.printer.connections import EscposDevicePrinter
    device = tmp_path / "lp0"
    device.write_bytes(b"")
    data = render(receipt_samples.fee("zh_CN"), PrinterProfile(58, "gb18030"))
    result = EscposDevicePrinter("file", devfile=str(device)).send(data, None)
    assert device.read_bytes() == data
    assert not result.confirmed  # a device file cannot answer a status query


def test_serial_printer_over_a_pty(tmp_path):
    import os
    import select

    from hardware.printer.escpos import PrinterProfile, render
    from hardware.phone.simulator import PtyLine
    from hardware.printer.connections import EscposDevicePrinter
    from tests.escpos_decoder import decode
    line = PtyLine(tmp_path, "usb-Printer-if00")
    data = render(receipt_samples.badge("en"), PrinterProfile(80, "gb18030"))
    got = bytearray()
    try:
        EscposDevicePrinter("serial", devfile=line.path).send(data, None)
        while select.select([line.master], [], [], 0.5)[0]:
            chunk = os.read(line.master, 65536)
            if not chunk:
                break
            got += chunk
    finally:
        line.close()
    paper = decode(bytes(got).split(b"\x10\x04\x04")[0])  # the printer's status query follows the job
    assert paper.qr == ["SO:K7Q2"] and paper.find("Sign-out code K7Q2").bold
