"""The complaints section's refresh with 10,000 complaints that never close (resolved "not resolved", no
callback owed; a few hundred more unreachable on their callback): median and p95 of what one refresh reads
now - a page of 100 from the deadline index, the open count, today's first 200 duties, the prompt check,
the escalation proposals and the month-old count - against a baseline measured in the same run: reading
every open complaint with its events and sorting them (the first step of the refresh before the index).
Run: .venv/bin/python bench/complaints_refresh_bench.py [N]"""
from __future__ import annotations

import statistics
import sys
import tempfile
import time
from datetime import datetime, timedelta, timezone
from pathlib import Path

from kiosk.complaints import service
from kiosk.core.audit import Actor
from kiosk.core.clock import FakeClock
from kiosk.core.db import connect, write
from kiosk.reports import duties

STAFF = Actor("Li Na", None, "staff")
TZ = "Asia/Shanghai"


def measure(fn, runs: int) -> tuple[float, float]:
    times = []
    for _ in range(runs):
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
    times.sort()
    return statistics.median(times) * 1e3, times[min(len(times) - 1, int(len(times) * 0.95))] * 1e3


def seed(db, clock, n: int) -> None:
    start = datetime(2025, 12, 1, 1, 0, tzinfo=timezone.utc)
    with write(db):
        for i in range(n):
            clock.set(start + timedelta(minutes=50 * i))  # a year of them
            cid = service.take(db, clock, STAFF, TZ, kind="complaint", category="noise", responsibility="not_company",
                               what=f"楼上装修太吵 {i}", customer_name=f"住户{i}", place=f"{i % 40}号楼")
            if i % 30 == 0:
                service.resolve(db, clock, STAFF, TZ, cid, "resolved", "已协调")  # may owe no callback: closes
            else:
                service.resolve(db, clock, STAFF, TZ, cid, "not_resolved", "不归物业管")


def refresh(db, clock) -> None:
    service.open_page(db, limit=100)
    service.open_count(db)
    duties.today(db, clock, limit=200)
    duties.prompts(db, clock)
    service.escalation_proposals(db, clock)
    service.month_old_count(db, clock)


def baseline(db) -> None:
    rows = [(c.resolve_due, c) for c in service.open_complaints(db)]
    rows.sort(key=lambda pair: (pair[0] or "9999", pair[1].id))


def main() -> None:
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 10_000
    db = connect(Path(tempfile.mkdtemp()) / "kiosk.db")
    clock = FakeClock()
    t0 = time.perf_counter()
    seed(db, clock, n)
    print(f"seeded {n} complaints in {time.perf_counter() - t0:.1f} s; open now {service.open_count(db)}")
    clock.set(clock.now() + timedelta(hours=1))
    service.take(db, clock, STAFF, TZ, kind="complaint", category="facilities", responsibility="company",
                 what="电梯停了", customer_name="今天的")
    clock.set(clock.now() + timedelta(minutes=8))
    base = measure(lambda: baseline(db), runs=5)
    now = measure(lambda: refresh(db, clock), runs=30)
    print(f"baseline: read every open complaint + sort   median {base[0]:8.1f} ms  p95 {base[1]:8.1f} ms")
    print(f"refresh:  page 100 + count + duties 200 + prompts + proposals + month count"
          f"   median {now[0]:8.1f} ms  p95 {now[1]:8.1f} ms  (ratio {now[0] / base[0]:.3f})")
    for label, fn in (("open_page(100)", lambda: service.open_page(db, limit=100)),
                      ("duties.today(200)", lambda: duties.today(db, clock, limit=200)),
                      ("duties.prompts", lambda: duties.prompts(db, clock)),
                      ("escalation_proposals", lambda: service.escalation_proposals(db, clock))):
        med, p95 = measure(fn, runs=30)
        print(f"  {label:22} median {med:7.2f} ms  p95 {p95:7.2f} ms")
    db.close()


if __name__ == "__main__":
    main()
