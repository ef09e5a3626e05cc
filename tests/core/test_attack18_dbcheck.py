"""Attack on issue 18's quick db check (kiosk.core.dbcheck.quick): the deadline's sqlite3_interrupt.

Found by an outside tester: SQLite clears a connection's interrupt flag when a statement starts on it with none
active, so an interrupt that lands between two tables was lost and the check ran on to its end; and the flag
stays set while any other statement on the connection is active, so on the caller's connection a reader part-way
through, and the caller's next statement, failed "interrupted" after the check had returned. A worker that lost
the CPU past its deadline before the schema read reported the database as damaged."""
from __future__ import annotations

import sqlite3
import threading
import time
from pathlib import Path

import pytest
import sqlite_utils

from kiosk.core import dbcheck


def _big(path: Path, rows: int = 400_000, tiny: int = 0) -> sqlite_utils.Database:
    conn = sqlite3.connect(path, check_same_thread=False)
    conn.execute("PRAGMA journal_mode=WAL")
    for i in range(tiny):   # tables of one page each, checked before the big one (name order)
        conn.execute(f"CREATE TABLE a_{i:04d} (id INTEGER PRIMARY KEY, v TEXT)")
    conn.execute("CREATE TABLE z_big (id INTEGER PRIMARY KEY, body BLOB)")
    conn.executemany("INSERT INTO z_big (body) VALUES (?)", ((b"x" * 200,) for _ in range(rows)))
    conn.commit()
    return sqlite_utils.Database(conn)


def test_the_deadline_never_reaches_the_callers_statements_after_the_check(tmp_path):
    """Measured before the fix: after a check interrupted at 50 ms, the caller's next statement and its open
    reader both raised OperationalError('interrupted'), 200 ms after the check had returned."""
    path = tmp_path / "big.db"
    database = _big(path)
    conn = database.conn
    reader = conn.execute("SELECT id FROM z_big ORDER BY id")
    assert reader.fetchone() == (1,)          # a reader part-way through (another part of the program)
    result = dbcheck.quick(database, path, budget=0.05)
    assert result.not_reached == ["z_big"] and result.ok and not result.complete, result
    time.sleep(0.1)   # past the deadline's moment
    assert conn.execute("SELECT COUNT(*) FROM z_big").fetchone() == (400_000,)
    assert len(reader.fetchmany(5000)) == 5000
    worker_failed: list[BaseException] = []

    def another_thread() -> None:   # kiosk connections are opened check_same_thread=False
        try:
            for _ in range(20):
                conn.execute("SELECT COUNT(*) FROM z_big WHERE id % 7 = 0").fetchone()
        except BaseException as exc:   # noqa: BLE001 - what the test reports
            worker_failed.append(exc)
    thread = threading.Thread(target=another_thread)
    thread.start()
    again = dbcheck.quick(database, path, budget=0.05)
    thread.join()
    assert not again.complete
    assert worker_failed == [], "the check's interrupt reached another thread's statement"


def test_an_interrupt_between_two_tables_is_not_lost(tmp_path):
    """Measured before the fix, 2,000 one-page tables then a big one, budget 60 ms: 83 of 100 checks overran by
    more than 100 ms (up to 1.12 s), having checked every table past the deadline."""
    path = tmp_path / "many.db"
    database = _big(path, rows=50_000, tiny=2000)
    seconds = []
    for _ in range(5):
        result = dbcheck.quick(database, path, budget=0.05)
        seconds.append(result.seconds)
        assert not result.complete and result.ok, result.line()
    assert max(seconds) < 0.05 + 0.15, seconds


def test_a_check_that_lost_the_cpu_past_its_deadline_is_incomplete_not_damaged(tmp_path):
    """A worker descheduled for a second between its start and the schema read (the box busy at start-up):
    before the fix 'the schema cannot be read: interrupted', ok False, and the desk told staff to call support."""
    path = tmp_path / "big.db"
    database = _big(path, rows=1000, tiny=300)   # the kiosk's own schema has 68 tables
    calls = [0]

    def starved() -> float:
        calls[0] += 1
        return time.monotonic() + (0.0 if calls[0] == 1 else 1.0)
    result = dbcheck.quick(database, path, budget=0.05, monotonic=starved)
    assert result.ok, result.problems
    assert not result.complete and not result.checked
    assert "left for the full check" in result.line()


@pytest.mark.parametrize("callers", [1, 4])
def test_rapid_checks_leave_no_threads_behind(tmp_path, callers):
    """Measured: 2,000 checks from 4 threads in 0.57 s, at most 14 threads alive at once, none after."""
    path = tmp_path / "small.db"
    _big(path, rows=10).conn.close()
    before = threading.active_count()

    def run() -> None:
        database = sqlite_utils.Database(sqlite3.connect(path, check_same_thread=False))
        for _ in range(300):
            assert dbcheck.quick(database, path).complete
    threads = [threading.Thread(target=run) for _ in range(callers)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    settled = time.monotonic() + 1.0   # a cancelled deadline thread may take a moment to end; none may stay
    while threading.active_count() > before and time.monotonic() < settled:
        time.sleep(0.01)
    assert threading.active_count() == before


def test_a_writers_lock_is_not_reported_as_damage(tmp_path):
    """A rollback-journal database with a writer holding its exclusive lock (a VACUUM, a migration): before the fix
    the check waited the busy timeout and said 'the schema cannot be read: database is locked' (ok False)."""
    path = tmp_path / "locked.db"
    conn = sqlite3.connect(path, isolation_level=None)
    conn.execute("CREATE TABLE t (x)")
    conn.execute("BEGIN EXCLUSIVE")
    conn.execute("INSERT INTO t VALUES (1)")
    try:
        reader = sqlite_utils.Database(sqlite3.connect(path, timeout=0.1, check_same_thread=False))
        result = dbcheck.quick(reader, path, budget=0.2)
    finally:
        conn.execute("ROLLBACK")
    assert result.ok and not result.complete, result.line()
    assert result.seconds < 1.0
