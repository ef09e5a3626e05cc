"""The job lifecycle's rules without a printer: cancel and retry refusals, a crash between send and
mark, the waker, and the poll's plan (through the partial index, never over history)."""
from __future__ import annotations

import time

import pytest

from hardware.printer.connections import PrinterError, SendResult
from hardware.printer.escpos import PrinterProfile
from hardware.printer.worker import PrintWorker
from kiosk.core import audit, config
from kiosk.core.audit import SYSTEM, Actor
from kiosk.core.context import Context
from kiosk.printing import queue as printqueue
from tests import receipt_samples
from tests.waiting import wait_until

STAFF = Actor("李娜", None, "staff")


class Recorder:
    """A printer that records what it is sent and can be told to fail."""

    virtual, name = False, "recorder"

    def __init__(self, fail: PrinterError | Exception | None = None) -> None:
        self.sent: list[bytes] = []
        self.fail = fail

    def send(self, data, receipt):
        if self.fail is not None:
            raise self.fail
        self.sent.append(data)
        return SendResult(True, "printed")


def ctx_for(db_path, clock) -> Context:
    return Context(config=config.validate({}), db_path=db_path, clock=clock)


@pytest.mark.parametrize("reason, message", [
    ("", "Say why the job is cancelled"), ("   ", "Say why the job is cancelled"),
    ("长" * 201, "The reason is too long (at most {n} characters)"),
    ("ok\x00", "The reason has control characters"), ("ok\u202e", "The reason has control characters"),
    ("ok\x1bp\x00", "The reason has control characters"),
])
def test_cancel_needs_a_clean_reason(db, clock, reason, message):
    job = printqueue.enqueue(db, clock, STAFF, receipt_samples.fee(), record_table="fees", record_id=1)
    printqueue.mark(db, clock, job, "held", "x")
    with pytest.raises(printqueue.PrintRefusal) as refused:
        printqueue.cancel(db, clock, STAFF, job, reason)
    assert refused.value.msgid == message and refused.value.field == "reason"
    assert printqueue.get(db, job).status == "held" and not audit.entries(db, table="print_jobs")


def test_cancel_and_retry_are_audited_and_only_where_they_make_sense(db, clock):
    job = printqueue.enqueue(db, clock, STAFF, receipt_samples.fee(), record_table="fees", record_id=1)
    with pytest.raises(printqueue.PrintRefusal):
        printqueue.retry(db, clock, STAFF, job)  # queued, not held
    printqueue.mark(db, clock, job, "held", "x", attempts=5)
    printqueue.retry(db, clock, STAFF, job)
    assert (printqueue.get(db, job).status, printqueue.get(db, job).attempts) == ("queued", 0)
    printqueue.cancel(db, clock, STAFF, job, "客户不要收据 🙂")
    assert printqueue.get(db, job).status == "cancelled" and printqueue.next_job(db) is None
    with pytest.raises(printqueue.PrintRefusal):
        printqueue.cancel(db, clock, STAFF, job, "again")
    printed = printqueue.enqueue(db, clock, STAFF, receipt_samples.fee(), record_table="fees", record_id=2)
    printqueue.mark(db, clock, printed, "printed")
    with pytest.raises(printqueue.PrintRefusal):
        printqueue.cancel(db, clock, STAFF, printed, "too late")
    entries = audit.entries(db, table="print_jobs")
    assert sorted(e["action"] for e in entries) == ["print.cancel", "print.retry"]


def test_a_crash_between_send_and_mark_is_unconfirmed_at_next_start_never_an_original(db_path, clock):
    ctx = ctx_for(db_path, clock)
    sale = printqueue.enqueue(ctx.db, clock, SYSTEM, receipt_samples.sale(), record_table="sales", record_id=1,
                              kick_drawer=True)
    later = printqueue.enqueue(ctx.db, clock, SYSTEM, receipt_samples.badge(), record_table="visits", record_id=1)
    printqueue.mark(ctx.db, clock, sale, "sending")  # then the power went
    printer = Recorder()
    worker = PrintWorker(ctx, printer, PrinterProfile(), poll=0.05, waker=printqueue.Waker()).start()
    try:
        wait_until(lambda: printqueue.queued_count(ctx.db) == 0)
    finally:
        worker.stop()
    assert printqueue.get(ctx.db, sale).status == "unconfirmed"
    copy = printqueue.get(ctx.db, later + 1)
    assert copy.reprint_of == sale and copy.receipt.mark.startswith("副本 / COPY — ") and copy.status == "printed"
    assert len(printer.sent) == 2 and all(b"\x1bp" not in data for data in printer.sent), "no drawer pulse"
    assert printqueue.get(ctx.db, later).status == "printed"


def test_a_document_that_cannot_render_is_held_and_does_not_block(db_path, clock, monkeypatch):
    ctx = ctx_for(db_path, clock)
    bad = printqueue.enqueue(ctx.db, clock, SYSTEM, receipt_samples.sale(), record_table="sales", record_id=1)
    good = printqueue.enqueue(ctx.db, clock, SYSTEM, receipt_samples.badge(), record_table="visits", record_id=1)
    import hardware.printer.worker as worker_mod
    real = worker_mod.render

    def render(receipt, profile, **kw):
        if receipt.kind == "sale":
            raise UnicodeError("broken document")
        return real(receipt, profile, **kw)
    monkeypatch.setattr(worker_mod, "render", render)
    states = []
    ctx.bus.subscribe("printer.state", lambda e: states.append(e.data))
    worker = PrintWorker(ctx, Recorder(), PrinterProfile(), poll=0.05, waker=printqueue.Waker()).start()
    try:
        wait_until(lambda: printqueue.get(ctx.db, good).status == "printed")
    finally:
        worker.stop()
    assert printqueue.get(ctx.db, bad).status == "held" and "broken document" in printqueue.get(ctx.db, bad).detail
    assert any(s["state"] == "error" and s["reason"] == worker_mod.REASON_HELD for s in states)


def test_the_idle_worker_is_woken_by_a_commit_not_by_its_poll(db_path, clock):
    ctx = ctx_for(db_path, clock)
    waker = printqueue.Waker()
    printer = Recorder()
    worker = PrintWorker(ctx, printer, PrinterProfile(), poll=600.0, waker=waker).start()
    old = printqueue.waker
    printqueue.waker = waker  # enqueue wakes the module's waker
    try:
        time.sleep(0.2)
        began = time.monotonic()
        printqueue.enqueue(ctx.db, clock, SYSTEM, receipt_samples.badge(), record_table="visits", record_id=1)
        wait_until(lambda: printer.sent, timeout=5)
        assert time.monotonic() - began < 2.0
    finally:
        printqueue.waker = old
        worker.stop()


def test_the_poll_goes_through_the_partial_index(db):
    plan = " ".join(str(r[-1]) for r in db.execute(
        "EXPLAIN QUERY PLAN SELECT job_id FROM print_queue INDEXED BY print_queue_live"
        " WHERE status IN ('queued', 'sending') AND status = 'queued' ORDER BY job_id LIMIT 1"))
    assert "print_queue_live" in plan and "TEMP B-TREE" not in plan


@pytest.mark.parametrize("mode, state", [("paper_out", "paper_out"), ("down_then_up", "offline")])
def test_the_idle_worker_shows_what_the_printer_says_without_printing(db_path, clock, mode, state):
    from hardware.printer.connections import NetworkPrinter
    from tests.printing.fault_printer import FaultTcpPrinter
    fake = FaultTcpPrinter(mode, down=10 ** 6).start()
    ctx = ctx_for(db_path, clock)
    states = []
    ctx.bus.subscribe("printer.state", lambda e: states.append(e.data))
    worker = PrintWorker(ctx, NetworkPrinter("127.0.0.1", fake.port, status_timeout=1.0), PrinterProfile(),
                         poll=0.05, waker=printqueue.Waker(), probe_every=0.1).start()
    try:
        wait_until(lambda: any(s["state"] == state for s in states))
    finally:
        worker.stop()
        fake.stop()
    assert not any(b"\x1b@" in job for job in fake.job_bytes()), "a probe prints nothing"


def test_a_job_committed_inside_a_long_transaction_is_printed_at_its_commit_not_at_the_next_poll(db_path, clock):
    from kiosk.core.db import write
    ctx = ctx_for(db_path, clock)
    waker = printqueue.Waker()
    printer = Recorder()
    worker = PrintWorker(ctx, printer, PrinterProfile(), poll=600.0, waker=waker).start()
    old = printqueue.waker
    printqueue.waker = waker
    try:
        time.sleep(0.2)
        with write(ctx.db):  # a sale: the print job commits with the rest, 0.3 s later
            printqueue.enqueue(ctx.db, clock, SYSTEM, receipt_samples.badge(), record_table="visits", record_id=1)
            time.sleep(0.3)
            assert not printer.sent
        committed = time.monotonic()
        wait_until(lambda: printer.sent, timeout=5)
        assert time.monotonic() - committed < 1.0
    finally:
        printqueue.waker = old
        worker.stop()
