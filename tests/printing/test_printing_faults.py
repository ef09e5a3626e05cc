"""Misbehaving printers: every fault mode of tests/printing/fault_printer.py, each with a run of mixed jobs.

For each mode: every job ends printed, unconfirmed or held (none stuck); no original comes out twice;
every resend is a marked copy; the drawer pulses once per cash sale and fee and never on a copy;
the originals that came out did so in queue order.
"""
from __future__ import annotations

import re
from dataclasses import replace

import pytest

from hardware.printer.connections import NetworkPrinter, SerialPrinter
from hardware.printer.escpos import PrinterProfile
from hardware.printer.worker import PrintWorker
from kiosk.core import config
from kiosk.core.audit import SYSTEM
from kiosk.core.context import Context
from kiosk.printing import queue as printqueue
from kiosk.printing.documents import Pair, Receipt, Rule, Text
from tests import receipt_samples
from tests.escpos_decoder import decode
from tests.printing.fault_printer import MODES, FaultPtyPrinter, FaultTcpPrinter
from tests.waiting import wait_until

LONG_ZH = "黑色双肩包内有笔记本电脑充电器和一把蓝色雨伞以及三本中文书籍" * 3  # 96 wide characters


def lf_tag(lang: str, number: str) -> Receipt:
    return Receipt(kind="lftag", lang=lang, title="失物标签", number=number,
                   blocks=(Text(LONG_ZH), Pair("存放位置", "A1 架 " + LONG_ZH[:30]), Pair("拾获地点", LONG_ZH)))


def eod(lang: str, number: str) -> Receipt:
    return Receipt(kind="eod", lang=lang, title="日结报表", number=number,
                   blocks=tuple(Pair(f"现金 {i:02d}", f"¥{i * 1000:,}.00") for i in range(30)) + (Rule(),))


def card_sale(lang: str, number: str) -> Receipt:
    sale = receipt_samples.sale(lang, number)
    return replace(sale, blocks=tuple(b if not (isinstance(b, Pair) and b.left in ("现金", "Cash"))
                                      else Pair("银行卡", "参考号 884213") for b in sale.blocks))


# (maker, kicks the drawer?)
MIX = (
    (receipt_samples.sale, True), (card_sale, False), (receipt_samples.fee, True), (lf_tag, False),
    (receipt_samples.badge, False), (receipt_samples.sale, True), (eod, False),
)


def enqueue_mix(ctx) -> dict[int, tuple[str, bool]]:
    """Queue the mixed run; {job id: (receipt number, kicks)}."""
    out = {}
    for i, (make, kick) in enumerate(MIX):
        number = f"T01-X-{i + 1:06d}"
        receipt = make("zh_CN" if i % 2 == 0 else "en", number)
        job_id = printqueue.enqueue(ctx.db, ctx.clock, SYSTEM, replace(receipt, number=number),
                                    record_table="t", record_id=i, kick_drawer=kick)
        out[job_id] = (number, kick)
    return out


def make_ctx(db_path, clock) -> Context:
    return Context(config=config.validate({}), db_path=db_path, clock=clock)


def run(ctx, printer, jobs, *, attempts: int = 5, timeout: float = 60.0) -> list:
    waker = printqueue.Waker()
    worker = PrintWorker(ctx, printer, PrinterProfile(80, "gb18030"), poll=0.05, max_backoff=0.1,
                         first_backoff=0.02, attempts=attempts, waker=waker).start()
    try:
        wait_until(lambda: printqueue.queued_count(ctx.db) == 0, timeout=timeout)
    finally:
        worker.stop()
    return [printqueue.get(ctx.db, job_id) for job_id in range(1, max(jobs) + 50)
            if ctx.db.execute("SELECT 1 FROM print_jobs WHERE id = ?", (job_id,)).fetchone()]


NUMBER = re.compile(r"T01-X-\d{6}")


def papers_of(raw_jobs: list[bytes]):
    """(complete?, paper or None, raw) for every job the printer received."""
    out = []
    for raw in raw_jobs:
        body = raw.replace(b"\x10\x04\x01", b"").replace(b"\x10\x04\x02", b"").replace(b"\x10\x04\x04", b"")
        if not body:
            continue  # a status round only: the job was not sent
        try:
            paper = decode(body)
        except (IndexError, ValueError, UnicodeDecodeError):
            out.append((False, None, body))
            continue
        out.append((bool(paper.cuts), paper, body))
    return out


def check(all_jobs, jobs: dict[int, tuple[str, bool]], raw_jobs: list[bytes], *, whole_originals: bool) -> dict:
    """The assertions every mode must pass; returns counts for the mode's own checks."""
    statuses = {j.id: j.status for j in all_jobs}
    assert all(s in ("printed", "unconfirmed", "held") for s in statuses.values()), statuses  # none stuck
    copies = [j for j in all_jobs if j.is_copy]
    for copy in copies:  # every resend is a marked copy of an unconfirmed original, and at most one each
        assert copy.receipt.mark.startswith("副本 / COPY — ") and copy.receipt.reprint and not copy.kick_drawer
        assert statuses[copy.reprint_of] == "unconfirmed"
    assert len({c.reprint_of for c in copies}) == len(copies), "one copy per unconfirmed original, no more"
    assert {j.id for j in all_jobs if j.status == "unconfirmed" and not j.is_copy} == {c.reprint_of for c in copies}
    originals, kicks = [], 0
    for complete, paper, body in papers_of(raw_jobs):
        if paper is None:
            kicks += body.count(b"\x1bp\x00")  # a cut-off job: count a pulse that made it out
            continue
        kicks += len(paper.kicks)
        text = paper.text
        marked = "COPY" in text or "副本" in text
        number = NUMBER.search(text)
        if complete and number and not marked:
            originals.append(number.group(0))
        if marked:
            assert not paper.kicks, "a copy never opens the drawer"
    assert len(originals) == len(set(originals)), f"an original printed twice: {originals}"
    assert originals == sorted(originals), f"originals out of queue order: {originals}"
    cash = sum(1 for _, kick in jobs.values() if kick)
    assert kicks <= cash
    if whole_originals:
        assert kicks == cash, (kicks, cash)
        assert len(originals) == len(jobs)
    return {"originals": len(originals), "copies": len(copies), "kicks": kicks,
            "unconfirmed": sum(1 for s in statuses.values() if s == "unconfirmed"),
            "held": sum(1 for s in statuses.values() if s == "held")}


# What each mode must also show beyond the common checks.
EXPECT = {
    "ok": dict(whole=True, copies=0),
    "down_then_up": dict(whole=True, copies=0),
    "paper_out": dict(whole=True, copies=0),
    "close_mid": dict(whole=False, copies=2),
    "close_unconfirmed": dict(whole=True, copies=len(MIX)),
    "silent": dict(whole=True, copies=0),
    "slow": dict(whole=True, copies=0),
    "reset_mid": dict(whole=False, copies=2),
}


@pytest.mark.parametrize("mode", MODES)
def test_tcp_printer_in_every_fault_mode(mode, db_path, clock):
    fake = FaultTcpPrinter(mode, down=2, cut_at=400).start()
    ctx = make_ctx(db_path, clock)
    states: list[dict] = []
    ctx.bus.subscribe("printer.state", lambda e: states.append(e.data))
    try:
        jobs = enqueue_mix(ctx)
        all_jobs = run(ctx, NetworkPrinter("127.0.0.1", fake.port, timeout=5.0, status_timeout=1.0), jobs)
    finally:
        fake.stop()
    counts = check(all_jobs, jobs, fake.job_bytes(), whole_originals=EXPECT[mode]["whole"])
    assert counts["copies"] == EXPECT[mode]["copies"], counts
    assert counts["held"] == 0, counts
    if mode == "paper_out":
        assert any(s["state"] == "paper_out" for s in states)
    if mode == "down_then_up":
        assert any(s["state"] == "offline" for s in states)
    if mode == "close_unconfirmed":
        # Each original once, each copy once, then nothing more: no endless resends.
        assert counts["unconfirmed"] == 2 * len(MIX) and len(fake.job_bytes()) == 2 * len(MIX)


PTY_MODES = ("ok", "down_then_up", "paper_out", "silent", "slow")


@pytest.mark.parametrize("mode", PTY_MODES)
def test_serial_printer_on_a_pty_in_every_mode_it_has(mode, db_path, clock):
    fake = FaultPtyPrinter(mode, down=2).start()
    ctx = make_ctx(db_path, clock)
    states: list[dict] = []
    ctx.bus.subscribe("printer.state", lambda e: states.append(e.data))
    try:
        jobs = enqueue_mix(ctx)
        # Not exclusive: on a shared test box, another suite's reconnect loop may reopen a stale
        # /dev/pts/N path that the kernel has given to this pty, and hold its lock.
        all_jobs = run(ctx, SerialPrinter(fake.path, 115200, status_timeout=1.0, exclusive=False), jobs)
    finally:
        fake.stop()
    counts = check(all_jobs, jobs, fake.job_bytes(), whole_originals=True)
    assert counts["copies"] == 0 and counts["held"] == 0, counts
    if mode in ("paper_out", "down_then_up"):
        assert any(s["state"] == ("paper_out" if mode == "paper_out" else "offline") for s in states)


def test_a_printer_down_longer_than_the_attempts_holds_jobs_and_later_ones_still_print(db_path, clock):
    fake = FaultTcpPrinter("paper_out", down=3).start()  # first job meets 3 paper-out rounds
    ctx = make_ctx(db_path, clock)
    try:
        jobs = enqueue_mix(ctx)
        all_jobs = run(ctx, NetworkPrinter("127.0.0.1", fake.port, status_timeout=0.3), jobs, attempts=3)
    finally:
        fake.stop()
    first = all_jobs[0]
    assert first.status == "held" and first.attempts == 3 and "3 attempts" in first.detail
    assert [j.status for j in all_jobs[1:]] == ["printed"] * (len(MIX) - 1), "a held job never blocks later ones"
    check(all_jobs, jobs, fake.job_bytes(), whole_originals=False)
