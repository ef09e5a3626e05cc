"""Issue 16 costs, each against a baseline measured in the same run:
- an audited insert with migration 0023's uid-shape triggers vs the same database with them dropped;
- check_pass (a badge code proof: count of wrong tries + lookup) vs a plain sign-in-code lookup, with 20,000
  visits and 2,000 wrong tries in the audit.
Prints medians, p95 (microseconds) and the ratio. Run: .venv/bin/python bench/privacy_bench.py"""
from __future__ import annotations

import statistics
import tempfile
import time
from pathlib import Path

from kiosk.core import db as db_mod
from kiosk.core.clock import FakeClock, utc_iso
from kiosk.visitors import service as visitors

N = 3000


def stats(times: list[float]) -> tuple[float, float]:
    times = sorted(times)
    return statistics.median(times) * 1e6, times[int(len(times) * 0.95)] * 1e6


def timed(fn, n: int = N) -> tuple[float, float]:
    out = []
    for i in range(n):
        t0 = time.perf_counter()
        fn(i)
        out.append(time.perf_counter() - t0)
    return stats(out)


def report(name: str, new: tuple[float, float], base: tuple[float, float]) -> None:
    print(f"{name}: median {new[0]:.1f} us, p95 {new[1]:.1f} us; baseline median {base[0]:.1f} us, "
          f"p95 {base[1]:.1f} us; ratio {new[0] / base[0]:.2f}")


def insert_bench() -> None:
    folder = Path(tempfile.mkdtemp())
    with_triggers, without = db_mod.connect(folder / "a.db"), db_mod.connect(folder / "b.db")
    for name, in without.execute("SELECT name FROM sqlite_master WHERE type = 'trigger' AND name LIKE '%uid_shape%'"
                                 ).fetchall():
        without.execute(f"DROP TRIGGER {name}")

    def insert(database):
        def one(i):
            database.execute("INSERT INTO audit (at, actor, action) VALUES ('2026-12-01T00:00:00Z', 'x', 'y')")
            database.conn.commit()
        return one
    timed(insert(with_triggers), 200), timed(insert(without), 200)  # warm-up
    report("audited insert with uid-shape triggers", timed(insert(with_triggers)), timed(insert(without)))


def pass_bench() -> None:
    database = db_mod.connect(Path(tempfile.mkdtemp()) / "c.db")
    clock = FakeClock()
    visitors.seed_demo(database, clock)
    host = visitors.find_hosts(database, "Emma")[0]["id"]
    codes = []
    with db_mod.write(database):
        for i in range(20000):
            code = visitors._new_code(database)
            database.execute("INSERT INTO visits (signed_in_at, name, phone, organisation, host_id, host_name, purpose,"
                             " party_size, registered_by, actor, privacy_accepted, signout_code) VALUES"
                             " (?, ?, ?, '', ?, 'Emma Clarke', 'meeting', 1, 'self', 'visitor', 1, ?)",
                             (utc_iso(clock.now()), f"访客{i}", f"139{i:08d}", host, code))
            codes.append(code)
        for _ in range(2000):
            database.execute("INSERT INTO audit (at, actor, action, record_table) VALUES (?, 'visitor',"
                             " 'visitor.pass_wrong', 'visits')", ("2026-01-01T00:00:00Z",))
    clock.advance(3600)
    proof = timed(lambda i: visitors.check_pass(database, clock, codes[i * 7 % len(codes)]))
    plain = timed(lambda i: database.execute("SELECT id, host_name FROM visits WHERE signout_code = ?",
                                             (codes[i * 7 % len(codes)],)).fetchone())
    report("check_pass (20k visits, 2k old wrong tries)", proof, plain)


if __name__ == "__main__":
    insert_bench()
    pass_bench()
