"""The quiet duty check and the phone log's complaint links: medians and p95 over repeated runs, with
N open complaints in the register, against a baseline measured in the same run (the full "today's
duties" list, which the check used to run, on the UI thread). The check now runs on the background
worker; this says what it costs there. Run: .venv/bin/python bench/duties_bench.py"""
from __future__ import annotations

import statistics
import tempfile
import time
from pathlib import Path

from kiosk.complaints import service
from kiosk.core.audit import Actor
from kiosk.core.clock import FakeClock
from kiosk.core.db import connect, write
from kiosk.phone import calllog
from kiosk.reports import duties

STAFF = Actor("Li Na", None, "staff")


def measure(fn, runs: int = 30) -> tuple[float, float]:
    times = []
    for _ in range(runs):
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
    times.sort()
    return statistics.median(times) * 1e3, times[min(len(times) - 1, int(len(times) * 0.95))] * 1e3


def main() -> None:
    for open_count in (50, 500, 2000):
        db = connect(Path(tempfile.mkdtemp()) / "kiosk.db")
        clock = FakeClock()
        calls = []
        with write(db):
            for i in range(open_count):
                call_id = calllog.start_call(db, clock, "at")
                calls.append(call_id)
                note = calllog.add_note(db, clock, STAFF, call_id=call_id, category="complaint", what=f"噪音 {i}")
                service.take(db, clock, STAFF, "Asia/Shanghai", responsibility="company",
                             **service.from_call_note(db, note))
        base = measure(lambda: duties.today(db, clock), runs=10)
        check = measure(lambda: duties.prompts(db, clock), runs=10)
        links = measure(lambda: service.for_calls(db, calls[-100:]))
        print(f"{open_count:5} open  today() baseline median {base[0]:8.2f} ms p95 {base[1]:8.2f} ms | "
              f"prompts() median {check[0]:8.2f} ms p95 {check[1]:8.2f} ms (ratio {check[0] / base[0]:.2f}) | "
              f"for_calls(100) median {links[0]:6.3f} ms p95 {links[1]:6.3f} ms")
        db.close()


if __name__ == "__main__":
    main()
