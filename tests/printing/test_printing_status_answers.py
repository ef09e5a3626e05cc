"""Printers whose status answers cannot be trusted, on a real TCP socket (and a pty for the baud rate).

An after-job confirmation may only come from one valid status byte read after the job was written:
doubled answers, stale bytes, garbage and silence from a printer that used to answer all end
unconfirmed (or, when nothing of the job went out, waiting as an original), never "printed".
"""
from __future__ import annotations

import os
import pty
import socket
import struct
import threading
import time
import tty
from dataclasses import replace

import pytest

from hardware.printer.connections import NetworkPrinter, PrinterError, SerialPrinter
from hardware.printer.escpos import PrinterProfile
from hardware.printer.worker import PrintWorker
from kiosk.core import config
from kiosk.core.audit import SYSTEM
from kiosk.core.context import Context
from kiosk.printing import queue as printqueue
from tests import receipt_samples
from tests.waiting import wait_until

QUERY = b"\x10\x04"


def _query_ends(buf: bytes) -> list[int]:
    out, i = [], 0
    while True:
        i = buf.find(QUERY, i)
        if i < 0 or i + 2 >= len(buf):
            return out
        out.append(i + 3)
        i += 3


class OddPrinter:
    """A TCP printer with one misbehaviour (mode), applied from connection `from_conn` on."""

    def __init__(self, mode: str, from_conn: int = 0) -> None:
        self.mode, self.from_conn = mode, from_conn
        self.received: list[bytearray] = []
        self.connections = 0
        self.server = socket.socket()
        self.server.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        if mode == "never_read":
            self.server.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
        self.server.bind(("127.0.0.1", 0))
        self.server.listen(8)
        self.port = self.server.getsockname()[1]
        self.running = True
        threading.Thread(target=self._serve, daemon=True).start()

    def stop(self) -> None:
        self.running = False
        self.server.close()

    def _serve(self) -> None:
        while self.running:
            try:
                conn, _ = self.server.accept()
            except OSError:
                return
            n = self.connections
            self.connections += 1
            threading.Thread(target=self._handle, args=(conn, n), daemon=True).start()

    def _handle(self, conn: socket.socket, n: int) -> None:
        mode = self.mode if n >= self.from_conn else "ok"
        buf = bytearray()
        self.received.append(buf)
        conn.settimeout(0.1)
        answered, started = 0, time.monotonic()
        try:
            while self.running and time.monotonic() - started < 30:
                if mode == "never_read":
                    time.sleep(0.05)
                    continue
                try:
                    chunk = conn.recv(65536)
                except socket.timeout:
                    continue
                if not chunk:
                    return
                buf += chunk
                ends = _query_ends(bytes(buf))
                while answered < len(ends):
                    after_job = ends[answered] > 9
                    answered += 1
                    if mode == "ok":
                        conn.sendall(b"\x12")
                    elif mode in ("double_reply", "double_reply_cut"):
                        if after_job:
                            conn.close()  # takes the job, never confirms it
                            return
                        conn.sendall(b"\x12\x12")
                        if mode == "double_reply_cut" and answered == 3:
                            while len(buf) < 300:
                                more = conn.recv(65536)
                                if not more:
                                    break
                                buf += more
                            conn.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
                            conn.close()  # reset after 300 bytes of the job
                            return
                    elif mode == "garbage":
                        conn.sendall(b"\xff")
                        if after_job:
                            conn.close()
                            return
                    elif mode == "garbage_after":
                        conn.sendall(b"\xff" if after_job else b"\x12")
        except OSError:
            return
        finally:
            try:
                conn.close()
            except OSError:
                pass


@pytest.fixture
def ctx(db_path, clock):
    return Context(config=config.validate({}), db_path=db_path, clock=clock)


def enqueue(ctx, count: int = 3) -> list[int]:
    ids = []
    for i in range(count):
        number = f"T01-X-{i + 1:06d}"
        receipt = replace(receipt_samples.sale("zh_CN", number), number=number)
        ids.append(printqueue.enqueue(ctx.db, ctx.clock, SYSTEM, receipt, record_table="t", record_id=i,
                                      kick_drawer=True))
    return ids


def run(ctx, printer, *, attempts: int = 3, timeout: float = 60.0) -> tuple[PrintWorker, list]:
    states: list[str] = []
    ctx.bus.set_delivery(lambda fn: fn())
    ctx.bus.subscribe("printer.state", lambda event: states.append(event.data["state"]))
    worker = PrintWorker(ctx, printer, PrinterProfile(80), poll=0.05, max_backoff=0.1, first_backoff=0.02,
                         attempts=attempts, waker=printqueue.Waker()).start()
    try:
        wait_until(lambda: printqueue.queued_count(ctx.db) == 0, timeout=timeout)
    finally:
        worker.stop()
    return worker, states


def statuses(ctx) -> dict[int, tuple[str, int | None]]:
    return {r["id"]: (r["status"], r["reprint_of"]) for r in ctx.db.query(
        "SELECT j.id, j.reprint_of, q.status FROM print_jobs j JOIN print_queue q ON q.job_id = j.id")}


@pytest.mark.parametrize("mode", ["double_reply", "double_reply_cut", "garbage", "garbage_after"])
def test_doubled_stale_or_garbage_answers_never_confirm_a_job(mode, ctx):
    fake = OddPrinter(mode)
    try:
        originals = enqueue(ctx)
        run(ctx, NetworkPrinter("127.0.0.1", fake.port, timeout=3.0, status_timeout=0.5))
    finally:
        fake.stop()
    jobs = statuses(ctx)
    assert all(status != "printed" for status, _ in jobs.values()), jobs
    for job_id in originals:  # each original spent once, then one marked copy (also unconfirmed)
        assert jobs[job_id][0] == "unconfirmed"
        assert [j for j, (_, of) in jobs.items() if of == job_id], jobs
    assert sum(b.count(b"\x1bp") for b in fake.received) <= len(originals)  # never a second pulse


def test_a_doubled_answer_with_the_job_still_on_the_wire_is_not_a_confirmation():
    fake = OddPrinter("double_reply")
    try:
        result = NetworkPrinter("127.0.0.1", fake.port, timeout=3.0, status_timeout=0.5).send(b"\x1b@" + b"x" * 500, None)
    except PrinterError as exc:  # the closed connection seen while asking after the job
        assert exc.sent
    else:
        assert not result.confirmed and not result.silent, result


def test_a_printer_that_answered_once_and_stops_reading_is_offline_not_printed(ctx):
    fake = OddPrinter("never_read", from_conn=1)  # the first job goes through and is confirmed
    try:
        first, second = enqueue(ctx, 2)
        _, states = run(ctx, NetworkPrinter("127.0.0.1", fake.port, timeout=1.0, status_timeout=0.3), attempts=2)
    finally:
        fake.stop()
    jobs = statuses(ctx)
    assert jobs[first][0] == "printed"
    assert jobs[second][0] in ("held", "unconfirmed"), jobs  # never "printed: no status"
    assert jobs[second][0] == "held"  # not one byte of it went out: it waits as an original
    assert "offline" in states
    assert printqueue.attention_count(ctx.db) == 1


def test_a_send_that_never_completes_is_a_failure_after_the_first_byte():
    fake = OddPrinter("never_read")
    printer = NetworkPrinter("127.0.0.1", fake.port, timeout=0.5, status_timeout=0.2)
    started = time.monotonic()
    try:
        with pytest.raises(PrinterError) as caught:
            printer.send(b"\x1b@" + b"x" * 20_000_000, None)
    finally:
        fake.stop()
    assert caught.value.sent and "stopped reading" in caught.value.detail
    assert time.monotonic() - started < 10


def test_printer_and_worker_learn_that_a_printer_answers_status(ctx):
    """Both keep the flag (the worker's copy covers python-escpos printers, which do not keep it)."""
    fake = OddPrinter("ok")
    printer = NetworkPrinter("127.0.0.1", fake.port, timeout=1.0, status_timeout=0.3)
    try:
        first = enqueue(ctx, 1)[0]
        worker, _ = run(ctx, printer)
        assert statuses(ctx)[first][0] == "printed" and worker.answers_status and printer.answers_status
    finally:
        fake.stop()


def test_an_unconfirmed_original_is_resolved_once_its_copy_prints(ctx):
    fake = OddPrinter("double_reply")
    try:
        original = enqueue(ctx, 1)[0]
        run(ctx, NetworkPrinter("127.0.0.1", fake.port, timeout=3.0, status_timeout=0.3))
    finally:
        fake.stop()
    assert printqueue.attention_count(ctx.db) == 2  # the original and its unconfirmed copy
    # A staff reprint that prints on a good printer resolves the original.
    good = OddPrinter("ok")
    try:
        copy = printqueue.reprint(ctx.db, ctx.clock, SYSTEM, original)
        run(ctx, NetworkPrinter("127.0.0.1", good.port, timeout=3.0, status_timeout=0.5))
    finally:
        good.stop()
    assert printqueue.get(ctx.db, copy).status == "printed"
    assert printqueue.get(ctx.db, original).status == "unconfirmed"  # its history stays true
    assert original not in [j.id for j in printqueue.attention(ctx.db)]
    assert printqueue.attention_count(ctx.db) == len(printqueue.attention(ctx.db)) == 1


def test_attention_count_is_bounded_by_the_unresolved_jobs(ctx):
    db = ctx.db
    start = db.execute("SELECT COALESCE(MAX(id), 0) FROM print_jobs").fetchone()[0] + 1
    with db.conn:
        db.conn.executemany(
            "INSERT INTO print_jobs (id, created_at, kind, record_table, record_id, reprint_of, kick_drawer, actor)"
            " VALUES (?, '2026-01-01T00:00:00+00:00', 'sale', 't', ?, ?, 0, 'x')",
            [(start + 2 * k + d, str(k), None if d == 0 else start + 2 * k) for k in range(20_000) for d in (0, 1)])
        db.conn.executemany(
            "INSERT INTO print_queue (job_id, status, resolved_by, updated_at) VALUES (?, ?, ?, '2026-01-01')",
            [(start + 2 * k + d, "unconfirmed" if d == 0 else "printed", start + 2 * k + 1 if d == 0 else None)
             for k in range(20_000) for d in (0, 1)])
    samples = []
    for _ in range(200):
        t = time.perf_counter()
        assert printqueue.attention_count(db) == 0
        samples.append(time.perf_counter() - t)
    samples.sort()
    assert samples[int(len(samples) * 0.95)] < 0.001, samples[-1]
    plan = " ".join(str(r) for r in db.execute(
        "EXPLAIN QUERY PLAN SELECT COUNT(*) FROM print_queue INDEXED BY print_queue_attention"
        " WHERE status IN ('held', 'unconfirmed') AND resolved_by IS NULL").fetchall())
    assert "print_queue_attention" in plan


def _slow_pty_printer(seconds_per_byte: float):
    """A serial printer on a pty that reads one byte every `seconds_per_byte` and answers queries."""
    master, slave = pty.openpty()
    tty.setraw(slave)
    path = os.ttyname(slave)
    running = threading.Event()
    running.set()

    def serve() -> None:
        buf = bytearray()
        answered = 0
        started = None
        while running.is_set():
            try:
                chunk = os.read(master, 1)
            except OSError:
                return
            buf += chunk
            # Paced like a UART, on a schedule from the first byte: a loaded box's late wake-ups must not add
            # up (a sleep per byte ran 40 % slow under the full suite and the job outran its wait).
            started = time.monotonic() if started is None else started
            time.sleep(max(0.0, started + len(buf) * seconds_per_byte - time.monotonic()))
            while answered < len(_query_ends(bytes(buf))):
                answered += 1
                os.write(master, b"\x12")

    threading.Thread(target=serve, daemon=True).start()
    return path, running, master, slave


def test_the_wait_after_a_job_follows_the_configured_baud_rate(ctx):
    assert SerialPrinter("/dev/null", 4800).job_seconds(1000) == pytest.approx(1000 * 15 / 4800)
    assert SerialPrinter("/dev/null", 9600).job_seconds(1000) >= 1.5
    assert SerialPrinter("/dev/null", 115200).job_seconds(1000) == pytest.approx(1.5)  # the printer's floor
    assert NetworkPrinter("127.0.0.1").job_seconds(1000) == pytest.approx(1.5)
    # A 4800-baud line carries a byte in about 2.1 ms: the old fixed 1.5 ms a byte gave up too early.
    path, running, master, slave = _slow_pty_printer(0.0026)
    try:
        printer = SerialPrinter(path, 4800, status_timeout=0.3, exclusive=False)
        result = printer.send(b"\x1b@" + b"x" * 1200, None)
    finally:
        running.clear()
        os.close(slave)
        os.close(master)
    assert result.confirmed, result
