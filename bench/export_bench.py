"""Export a busy day and a 31-day month in CSV, Excel and PDF; compare with sqlite-utils' own CSV dump.

Run: .venv/bin/python bench/export_bench.py [--runs 3] [--month-only --month-db DB] [--screen].
Targets: a day <= 3 s, a month (~333,000 rows) <= 10 s in all three formats.
Volumes per day: 2,000 visitors, 500 calls, 1,000 sales — each area is seeded only once its tables
exist (the script prints which were skipped). Baseline, same run: sqlite-utils' query API and csv.writer
dumping every exported log's query over the same range.
"""
from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
from datetime import date, datetime, timezone
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from kiosk.core import db as db_mod  # noqa: E402
from kiosk.reports import export
from kiosk.reports import logs as export_logs
from kiosk.demo import seed
from kiosk.core.clock import FakeClock, utc_iso  # noqa: E402
from kiosk.reports.summary import range_bounds  # noqa: E402

TZ = "Asia/Shanghai"
LAST = date(2026, 11, 22)


def baseline(db_path: Path, first: date, last: date) -> float:
    """sqlite-utils' own query API dumping the same logs' rows through csv.writer (to /dev/null): the floor
    of any CSV export. In-process on our connection, since the logs' SQL calls the functions the kiosk
    registers on it (labels in the reader's language); the `sqlite-utils` CLI does not have them."""
    import csv
    start, end = range_bounds(first, last, TZ)
    db = db_mod.connect(db_path)
    logs, _ = export_logs.split_available(db)
    export_logs.register_functions(db, "zh_CN")   # the logs' SQL calls them (an export registers them too)
    began = time.perf_counter()
    with open(os.devnull, "w", newline="", encoding="utf-8") as sink:
        out = csv.writer(sink)
        for log in logs:
            for row in db.query(log.sql, {"start": utc_iso(start), "end": utc_iso(end)}):
                out.writerow(row.values())
    took = time.perf_counter() - began
    db.close()
    return took


CPU: list[float] = []   # process CPU seconds (all threads) of the last run() call's runs


def run(db_path: Path, first: date, last: date, formats: tuple[str, ...], runs: int) -> tuple[list[float], dict]:
    """Wall seconds of each run (and their CPU seconds in CPU: on a shared box the load average makes wall
    time a measure of the neighbours; CPU time is what the export itself costs)."""
    times, rows = [], {}
    CPU.clear()
    clock = FakeClock(datetime(2026, 11, 23, 2, 0, tzinfo=timezone.utc))
    for i in range(runs):
        out = Path(tempfile.mkdtemp(prefix="kiosk-bench-"))
        db = db_mod.connect(db_path)
        began, cpu = time.perf_counter(), time.process_time()
        result = export.run_export(db, clock, first=first, last=last, tz_name=TZ, destination=out, formats=formats,
                                   actor=__import__("kiosk.core.audit", fromlist=["SYSTEM"]).SYSTEM)
        times.append(time.perf_counter() - began)
        CPU.append(time.process_time() - cpu)
        rows = result.rows
        db.close()
    return times, rows


def run_isolated(db_path: Path, first: date, last: date, runs: int) -> list[float]:
    """Wall seconds of the reports screen's own path (screens.reports.reports_section.export_job): the export in
    a child process (kiosk.core.isolated), its start-up and imports included, progress coming back on a pipe."""
    from kiosk.core import isolated
    from kiosk.core.audit import SYSTEM
    clock = FakeClock(datetime(2026, 11, 23, 2, 0, tzinfo=timezone.utc))
    times = []
    for _ in range(runs):
        out = Path(tempfile.mkdtemp(prefix="kiosk-bench-"))
        seen: list[float] = []
        began = time.perf_counter()
        isolated.run_with_db("kiosk.reports.export:run_export", db_path, clock, lambda f, step: seen.append(f),
                             first=first, last=last, tz_name=TZ, destination=out, formats=FORMATS_ALL, actor=SYSTEM)
        times.append(time.perf_counter() - began)
        assert seen and seen[-1] == 1.0, "the screen saw its progress reach 100 %"
    return times


FORMATS_ALL = ("csv", "xlsx", "pdf")


def describe(times: list[float]) -> str:
    ordered = sorted(times)
    p95 = ordered[min(len(ordered) - 1, int(round(0.95 * (len(ordered) - 1))))]
    return f"median {statistics.median(times):.2f} s, p95 {p95:.2f} s"


def days_of(first: date, last: date) -> int:
    return (last - first).days + 1


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--month-only", action="store_true", help="skip the busy day and the baseline")
    parser.add_argument("--month-db", type=Path, help="a month already seeded by this script (skips seeding it)")
    parser.add_argument("--screen", action="store_true",
                        help="also time the month as the reports screen runs it (in a child process)")
    args = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="kiosk-bench-db-"))
    day_db, month_db = work / "day.db", args.month_db or work / "month.db"
    clock = FakeClock(datetime(2026, 11, 23, 2, 0, tzinfo=timezone.utc))
    to_seed = ((day_db, 1),) if args.month_db else ((day_db, 1), (month_db, 31))
    for path, days in to_seed[-1:] if args.month_only else to_seed:
        if args.month_only and args.month_db:
            break
        db = db_mod.connect(path)
        began = time.perf_counter()
        made = seed.seed(db, clock, days=days, tz_name=TZ, visitors=2000, calls=500, sales=1000, end_day=LAST)
        print(f"seeded {days} day(s) in {time.perf_counter() - began:.1f} s: {made}")
        db.close()
    cases = (("busy day", day_db, LAST, LAST, 3.0), ("31-day month", month_db, date(2026, 10, 23), LAST, 10.0))
    if args.month_only:
        cases = cases[1:]
    for name, path, first, last, target in cases:
        for formats in (("csv",), ("xlsx",), ("pdf",), ("csv", "xlsx", "pdf")):
            times, rows = run(path, first, last, formats, args.runs)
            label = "+".join(formats)
            verdict = ("OK" if statistics.median(times) <= target else "OVER TARGET") if len(formats) == 3 else ""
            load = os.getloadavg()
            print(f"{name:13s} {label:13s} {describe(times)}  cpu median {statistics.median(CPU):.2f} s"
                  f" p95 {sorted(CPU)[-1]:.2f} s  load {load[0]:.1f}/{load[1]:.1f}  rows={sum(rows.values())}"
                  f" {verdict}", flush=True)
        if args.screen and days_of(first, last) > 1:
            times = run_isolated(path, first, last, args.runs)
            verdict = "OK" if statistics.median(times) <= target else "OVER TARGET"
            load = os.getloadavg()
            print(f"{name:13s} {'screen path':13s} {describe(times)}  (child process, start-up included)"
                  f"  load {load[0]:.1f}/{load[1]:.1f} {verdict}", flush=True)
        if args.month_only:
            continue
        base = [baseline(path, first, last) for _ in range(args.runs)]
        csv_times, _ = run(path, first, last, ("csv",), args.runs)
        print(f"{name:13s} sqlite-utils CSV baseline: {describe(base)}; "
              f"ratio ours/baseline (csv) = {statistics.median(csv_times) / statistics.median(base):.2f}")
    _, missing = export_logs.split_available(db_mod.connect(month_db))
    print("logs not exported (tables not there yet): " + (", ".join(m.name for m in missing) or "none"))


if __name__ == "__main__":
    main()
