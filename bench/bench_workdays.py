"""Complaint deadline arithmetic: medians and p95 of add_working_minutes/add_working_days over 2,000 random
starts (2025-2027), against a baseline measured in the same run: the fallback calendar (weekends only,
no package look-ups). Run: .venv/bin/python bench/bench_workdays.py"""
from __future__ import annotations

import random
import statistics
import time
from datetime import datetime, timedelta, timezone

from kiosk.complaints.workdays import WorkCalendar, WorkingHours, add_working_days, add_working_minutes

TZ = "Asia/Shanghai"


def measure(fn, starts) -> tuple[float, float]:
    times = []
    for start in starts:
        t0 = time.perf_counter()
        fn(start)
        times.append(time.perf_counter() - t0)
    times.sort()
    return statistics.median(times) * 1e6, times[int(len(times) * 0.95)] * 1e6


def main() -> None:
    random.seed(12)
    starts = [datetime(2025, 1, 1, tzinfo=timezone.utc) + timedelta(minutes=random.randrange(3 * 365 * 1440))
              for _ in range(2000)]
    hours = WorkingHours()
    for name, cal in (("fallback (baseline)", WorkCalendar(use_package=False)), ("chinese-calendar", WorkCalendar())):
        for label, fn in (("10 min", lambda s: add_working_minutes(s, 10, cal, hours, TZ)),
                          ("2 working days", lambda s: add_working_days(s, 2, cal, hours, TZ)),
                          ("30 working days", lambda s: add_working_days(s, 30, cal, hours, TZ))):
            med, p95 = measure(fn, starts)
            print(f"{name:20} {label:16} median {med:8.1f} us  p95 {p95:8.1f} us")
            results.setdefault(label, []).append(med)
    for label, (base, real) in results.items():
        print(f"ratio package/baseline {label:16} {real / base:.2f}")


results: dict[str, list[float]] = {}

if __name__ == "__main__":
    main()
