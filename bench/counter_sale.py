"""Commit a 5-line sale on a database holding a year of sales.

Run: .venv/bin/python bench/counter_sale.py [--per-day 300] [--sales 300]. Target: p95 <= 15 ms.
What is timed is kiosk.counter.sell: the sale, its lines, five stock movements, the payment, the
gapless receipt number, the audit row and the stored print job (the receipt document built from the
records), in one durable transaction (WAL, synchronous=FULL). Baseline, same run and same file: raw
sqlite3 inserting the same number of rows in one transaction each, with no checks and no receipt.
"""
from __future__ import annotations

import argparse
import sqlite3
import statistics
import sys
import tempfile
import time
from datetime import date, datetime, timedelta, timezone
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from kiosk.counter import sales as counter  # noqa: E402
from kiosk.core import db as db_mod
from kiosk.demo import seed
from kiosk.core.audit import Actor  # noqa: E402
from stats import describe, percentile  # noqa: E402  (bench/stats.py)
from kiosk.core.clock import FakeClock, utc_iso  # noqa: E402
from kiosk.counter.sales import Payment  # noqa: E402

TZ = "Asia/Shanghai"
LAST = date(2026, 11, 22)
STAFF = Actor("Bench Staff", None, "staff")


def time_sales(path: Path, clock: FakeClock, count: int) -> list[float]:
    db = db_mod.connect(path)
    products = counter.products(db)[:5]
    cart = {p.id: 1 + i % 2 for i, p in enumerate(products)}
    from kiosk.counter import shifts
    if shifts.current(db, "T01") is None:  # sales need an open counter
        shifts.open_shift(db, clock, STAFF, "T01", float_fen=0)
    times = []
    for i in range(count):
        clock.advance(37)
        payment = Payment("cash", tendered_fen=100_000) if i % 3 == 0 else Payment("mobile", reference=f"M{i:08d}")
        began = time.perf_counter()
        counter.sell(db, clock, STAFF, "T01", cart, payment)
        times.append(time.perf_counter() - began)
    db.close()
    return times


def time_raw_inserts(path: Path, count: int) -> list[float]:
    """The same row count per sale (1 sale + 5 lines + 5 movements + payment + audit + job) with plain sqlite3."""
    conn = sqlite3.connect(path, isolation_level=None)
    conn.execute("PRAGMA synchronous=FULL")
    conn.execute("CREATE TABLE IF NOT EXISTS raw_rows (id INTEGER PRIMARY KEY, a TEXT, b INTEGER, c INTEGER)")
    times = []
    for i in range(count):
        began = time.perf_counter()
        conn.execute("BEGIN IMMEDIATE")
        conn.executemany("INSERT INTO raw_rows (a, b, c) VALUES (?, ?, ?)",
                         [(f"row {i}-{k}", i, k) for k in range(14)])
        conn.execute("COMMIT")
        times.append(time.perf_counter() - began)
    conn.close()
    return times


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--per-day", type=int, default=300, help="seeded sales per day over 365 days")
    parser.add_argument("--sales", type=int, default=300, help="timed sales")
    args = parser.parse_args()
    path = Path(tempfile.mkdtemp(prefix="kiosk-bench-sale-")) / "year.db"
    clock = FakeClock(datetime(2026, 11, 23, 1, 0, tzinfo=timezone.utc))
    db = db_mod.connect(path)
    began = time.perf_counter()
    made = seed.seed(db, clock, days=365, tz_name=TZ, calls=0, visitors=0, sales=args.per_day, end_day=LAST)
    lines = db.execute("SELECT COUNT(*) FROM sale_lines").fetchone()[0]
    db.close()
    print(f"seeded a year: {made['sales']:,} sales, {lines:,} lines in {time.perf_counter() - began:.1f} s;"
          f" file {path.stat().st_size / 1e6:.0f} MB")
    clock.set(clock.now() + timedelta(hours=1))
    time_sales(path, clock, 20)  # warm the page cache as a running kiosk would have it
    ours = time_sales(path, clock, args.sales)
    raw = time_raw_inserts(path, args.sales)
    print(describe("kiosk sale (5 lines)", ours))
    print(describe("raw sqlite3, 14 rows", raw))
    print(f"ratio (median): {statistics.median(ours) / statistics.median(raw):.2f}x raw inserts;"
          f" target p95 <= 15 ms: {'met' if percentile(ours, 0.95) <= 0.015 else 'NOT met'}")
    print(f"at {utc_iso(clock.now())}; database {path}")


if __name__ == "__main__":
    main()
