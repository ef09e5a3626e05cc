"""A visitor sign-in committed, and a search, on a register of 1,000,000 past visits.

Run: .venv/bin/python bench/visitors_bench.py [--visits 1000000] [--runs 200].
Targets on this machine: sign-in p95 <= 10 ms, search p95 <= 50 ms.
The sign-in is kiosk.visitors.sign_in: validation, deny-list check, returning-visitor and expected-visitor
look-ups, a unique sign-out code, the visit row with its FTS5 (trigram) index entry and the audit row, in
one durable transaction. Searches mix a name, a phone fragment, an organisation and a host.
Baseline, same run and same file: a raw sqlite3 INSERT of a visit-sized row (no index, no FTS, no audit),
and a LIKE '%...%' scan over the same million rows (what the search would cost without FTS).
"""
from __future__ import annotations

import argparse
import sqlite3
import statistics
import sys
import tempfile
import time
from datetime import date, datetime, timezone
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from kiosk.core import db as db_mod  # noqa: E402
from kiosk.demo import seed
from kiosk.visitors import service as visitors
from stats import describe, percentile  # noqa: E402  (bench/stats.py)
from kiosk.core.clock import FakeClock  # noqa: E402

TZ = "Asia/Shanghai"
QUERIES = ["王芳", "138", "华为技术", "Emma Clarke", "Anna Smith", "张敏", "顺丰速运", "1391"]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--visits", type=int, default=1_000_000)
    parser.add_argument("--runs", type=int, default=200)
    args = parser.parse_args()
    path = Path(tempfile.mkdtemp(prefix="kiosk-bench-visits-")) / "visits.db"
    clock = FakeClock(datetime(2026, 11, 23, 1, 0, tzinfo=timezone.utc))
    db = db_mod.connect(path)
    began = time.perf_counter()
    days = 365
    made = seed.seed(db, clock, days=days, tz_name=TZ, calls=0, sales=0, visitors=-(-args.visits // days),
                     end_day=date(2026, 11, 22))
    print(f"seeded {made['visitors']:,} visits in {time.perf_counter() - began:.0f} s;"
          f" file {path.stat().st_size / 1e6:.0f} MB")
    hosts = [r[0] for r in db.execute("SELECT id FROM hosts")]
    # Rare queries too: one visitor's phone number and a name nobody has (a LIKE scan reads every row).
    middle = db.execute("SELECT phone FROM visits ORDER BY id LIMIT 1 OFFSET ?", (made["visitors"] // 2,)).fetchone()[0]
    QUERIES.extend([middle, "不存在的人"])
    for i in range(20):  # warm the page cache as a running kiosk would have it
        visitors.search(db, QUERIES[i % len(QUERIES)])

    sign_ins = []
    for i in range(args.runs):
        clock.advance(20)
        visitor = visitors.Visitor(name=f"访客{i}", phone=f"1770000{i:04d}", host_id=hosts[i % len(hosts)],
                                   purpose="meeting", organisation="Bench Ltd", privacy_accepted=True)
        t = time.perf_counter()
        visitors.sign_in(db, clock, visitor, tz=TZ)
        sign_ins.append(time.perf_counter() - t)
    searches, hits = [], 0
    for i in range(args.runs):
        t = time.perf_counter()
        hits += len(visitors.search(db, QUERIES[i % len(QUERIES)]))
        searches.append(time.perf_counter() - t)
    db.close()

    raw = sqlite3.connect(path, isolation_level=None)
    raw.execute("PRAGMA synchronous=FULL")
    raw.execute("CREATE TABLE raw_visits (signed_in_at TEXT, name TEXT, phone TEXT, organisation TEXT, host TEXT)")
    raw_inserts = []
    for i in range(args.runs):
        t = time.perf_counter()
        raw.execute("BEGIN IMMEDIATE")
        raw.execute("INSERT INTO raw_visits VALUES (?, ?, ?, ?, ?)", ("2026-11-23T09:00:00", f"访客{i}",
                                                                      f"1770000{i:04d}", "Bench Ltd", "Emma"))
        raw.execute("COMMIT")
        raw_inserts.append(time.perf_counter() - t)
    scans = []
    for i in range(min(args.runs, 24)):
        like = f"%{QUERIES[i % len(QUERIES)]}%"
        t = time.perf_counter()
        raw.execute("SELECT * FROM visits WHERE name LIKE ? OR phone LIKE ? OR organisation LIKE ? OR host_name LIKE ?"
                    " ORDER BY id DESC LIMIT 50", (like, like, like, like)).fetchall()
        scans.append(time.perf_counter() - t)
    raw.close()

    print(describe("sign-in (validation, FTS, audit)", sign_ins))
    print(describe("raw sqlite3 insert", raw_inserts))
    print(describe(f"search (FTS5 trigram, 50 newest; {hits / args.runs:.0f} hits avg)", searches))
    print(describe("LIKE scan, same queries", scans))
    print(f"ratios (median): sign-in {statistics.median(sign_ins) / statistics.median(raw_inserts):.1f}x raw insert;"
          f" search {statistics.median(searches) / statistics.median(scans):.3f}x a LIKE scan")
    print(f"targets: sign-in p95 <= 10 ms {'met' if percentile(sign_ins, 0.95) <= 0.010 else 'NOT met'};"
          f" search p95 <= 50 ms {'met' if percentile(searches, 0.95) <= 0.050 else 'NOT met'}")


if __name__ == "__main__":
    main()
