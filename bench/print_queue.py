"""The print queue's cost with a year (or ten) of history, and how fast a committed job reaches the wire.

Run: .venv/bin/python bench/print_queue.py [--jobs 1000000] [--polls 2000] [--sends 40].
1. One poll of the idle worker (kiosk.printing.queue.next_job + queued_count, what it runs before it
   sleeps) on a database holding --jobs printed jobs, against the same poll on an empty database in
   the same run (the baseline). Target: p95 <= 1 ms, and the ratio near 1 (cost independent of history).
2. Commit-to-first-byte: a job is enqueued (committed) while the supervised worker idles; timed until
   the first byte arrives at a printer on 127.0.0.1 (tests/printing/fault_printer.py, mode ok).
   Baseline in the same run: connecting to a bare listener on 127.0.0.1 and sending one byte.
"""
from __future__ import annotations

import argparse
import socket
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.stats import describe, percentile  # noqa: E402
from hardware.printer.connections import NetworkPrinter  # noqa: E402
from hardware.printer.escpos import PrinterProfile  # noqa: E402
from hardware.printer.worker import PrintWorker  # noqa: E402
from kiosk.core import config  # noqa: E402
from kiosk.core import db as db_mod  # noqa: E402
from kiosk.core.audit import SYSTEM  # noqa: E402
from kiosk.core.clock import SystemClock  # noqa: E402
from kiosk.core.context import Context  # noqa: E402
from kiosk.printing import queue as printqueue  # noqa: E402
from tests import receipt_samples  # noqa: E402
from tests.printing.fault_printer import FaultTcpPrinter  # noqa: E402


def fill(path: Path, jobs: int) -> None:
    """`jobs` printed jobs with their events and queue rows, written in bulk."""
    database = db_mod.connect(path)
    conn = database.conn
    conn.execute("BEGIN")
    conn.execute(
        "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < ?)"
        " INSERT INTO print_jobs (id, created_at, kind, record_table, record_id, receipt_no, document, actor)"
        " SELECT i, '2026-01-01T00:00:00+00:00', 'sale', 'sales', i, 'T01-S-' || i, NULL, 'bench' FROM n", (jobs,))
    for status in ("queued", "sending", "printed"):
        conn.execute("INSERT INTO print_job_events (job_id, at, status) SELECT id, created_at, ? FROM print_jobs",
                     (status,))
    conn.execute("INSERT INTO print_queue (job_id, status, attempts, detail, updated_at)"
                 " SELECT id, 'printed', 0, 'printed', created_at FROM print_jobs")
    conn.execute("COMMIT")
    conn.execute("ANALYZE")
    database.close()


def time_polls(path: Path, polls: int) -> list[float]:
    database = db_mod.connect(path)
    times = []
    for _ in range(polls):
        began = time.perf_counter()
        assert printqueue.next_job(database) is None
        printqueue.queued_count(database)
        times.append(time.perf_counter() - began)
    database.close()
    return times


def time_first_byte(path: Path, sends: int) -> tuple[list[float], list[float]]:
    fake = FaultTcpPrinter("ok").start()
    arrivals: list[float] = []
    original = fake._handle

    def handle(conn, number):
        conn.settimeout(5)
        first = conn.recv(1, socket.MSG_PEEK)
        if first:
            arrivals.append(time.perf_counter())
        original(conn, number)
    fake._handle = handle
    ctx = Context(config=config.validate({}), db_path=path, clock=SystemClock())
    worker = PrintWorker(ctx, NetworkPrinter("127.0.0.1", fake.port, status_timeout=1.0),
                         PrinterProfile(80, "gb18030"), poll=5.0).start()
    database = db_mod.connect(path)
    times = []
    try:
        time.sleep(0.3)
        for i in range(sends):
            before = len(arrivals)
            job = printqueue.enqueue(database, ctx.clock, SYSTEM, receipt_samples.sale("zh_CN"),
                                     record_table="sales", record_id=i)
            committed = time.perf_counter()
            while len(arrivals) == before:
                time.sleep(0.0002)
            times.append(arrivals[before] - committed)
            while printqueue.get(database, job).status != "printed":
                time.sleep(0.001)
    finally:
        worker.stop()
    baseline = _baseline(sends)
    fake.stop()
    database.close()
    return times, baseline


def _baseline(sends: int) -> list[float]:
    """Connect to a bare listener on 127.0.0.1 and send one byte; timed until it has arrived there."""
    import threading
    server = socket.socket()
    server.bind(("127.0.0.1", 0))
    server.listen(8)
    arrived: list[float] = []

    def serve() -> None:
        for _ in range(sends):
            conn, _ = server.accept()
            with conn:
                if conn.recv(1):
                    arrived.append(time.perf_counter())
    thread = threading.Thread(target=serve, daemon=True)
    thread.start()
    times = []
    for i in range(sends):
        began = time.perf_counter()
        with socket.create_connection(server.getsockname()) as sock:
            sock.sendall(b"\x10")
            while len(arrived) <= i:
                time.sleep(0.0001)
        times.append(arrived[i] - began)
    thread.join(2)
    server.close()
    return times


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--jobs", type=int, default=1_000_000)
    parser.add_argument("--polls", type=int, default=2000)
    parser.add_argument("--sends", type=int, default=40)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        full, empty = Path(tmp) / "full.db", Path(tmp) / "empty.db"
        began = time.perf_counter()
        fill(full, args.jobs)
        db_mod.connect(empty).close()
        print(f"filled {args.jobs:,} printed jobs in {time.perf_counter() - began:.1f} s")
        base = time_polls(empty, args.polls)
        heavy = time_polls(full, args.polls)
        print(describe("poll, empty queue, no history (baseline)", base))
        print(describe(f"poll, empty queue, {args.jobs:,} printed jobs", heavy))
        ratio = statistics.median(heavy) / statistics.median(base)
        p95 = percentile(heavy, 0.95) * 1000
        print(f"ratio of medians {ratio:.2f}; p95 {p95:.3f} ms (target <= 1 ms: {'met' if p95 <= 1 else 'NOT met'})")
        first, baseline = time_first_byte(full, args.sends)
        print(describe("commit to first byte on the wire (idle worker woken by the waker)", first))
        print(describe("baseline: TCP connect + one byte to a bare listener on 127.0.0.1", baseline))
        print(f"ratio of medians {statistics.median(first) / statistics.median(baseline):.2f}")


if __name__ == "__main__":
    main()
