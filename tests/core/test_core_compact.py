"""The file kept small without holding the write lock (kiosk.core.compact, issue 18): the full-text merge and
the vacuum go in steps another writer gets between; an old file switches to incremental vacuum only in the
nightly quiet window, with room on the card, and gives up at once when someone writes."""
from __future__ import annotations

import sqlite3
import threading
import time
from datetime import datetime

import pytest

from kiosk.core import compact
from kiosk.core import db as db_mod
from kiosk.core import erasure
from kiosk.core.db import write

SECRET = "哨兵欧阳娜娜🙂ＦＵＬＬ"   # CJK, emoji and full-width: every byte form must leave the file


def _visits_like(path, rows: int = 3000, *, incremental: bool = True):
    """A plain table with an FTS5 index kept by triggers, as visits/visits_fts (many segments: one
    transaction per 100 rows)."""
    conn = sqlite3.connect(path, isolation_level=None)
    if incremental:
        conn.execute("PRAGMA auto_vacuum=INCREMENTAL")
    conn.execute("PRAGMA secure_delete=ON")
    conn.execute(f"PRAGMA application_id={db_mod.APPLICATION_ID}")  # the kiosk's mark: connect() opens it
    conn.execute("PRAGMA journal_mode=WAL")
    conn.executescript("""
        CREATE TABLE visits(id INTEGER PRIMARY KEY, name TEXT, note TEXT);
        CREATE VIRTUAL TABLE visits_fts USING fts5(name, content='visits', content_rowid='id');
        CREATE TRIGGER visits_ai AFTER INSERT ON visits BEGIN INSERT INTO visits_fts(rowid, name) VALUES (new.id, new.name); END;
        CREATE TRIGGER visits_au AFTER UPDATE ON visits BEGIN
            INSERT INTO visits_fts(visits_fts, rowid, name) VALUES ('delete', old.id, old.name);
            INSERT INTO visits_fts(rowid, name) VALUES (new.id, new.name); END;
        INSERT INTO visits_fts(visits_fts, rank) VALUES ('automerge', 0);
    """)  # no automatic merging: one segment per transaction, as a busy desk's index before a merge
    for start in range(0, rows, 100):
        conn.execute("BEGIN")
        conn.executemany("INSERT INTO visits(name, note) VALUES (?, ?)",
                         [(f"{SECRET if n < 100 else '常客'}{n} 访客 w{n}a w{n}b w{n}c \x1b\u200b", "备注" * 400)
                          for n in range(start, start + 100)])
        conn.execute("COMMIT")
    conn.close()
    return db_mod.connect(path, migrate=False)


def _secret_on_disk(folder) -> list[str]:
    found = []
    for path in folder.iterdir():
        data = path.read_bytes()
        found += [f"{path.name}:{codec}" for codec in ("utf-8", "utf-16-le")
                  if SECRET[:6].encode(codec) in data]
    return found


def test_a_new_database_is_incremental_and_memory_is_left_alone(tmp_path):
    made = db_mod.connect(tmp_path / "新 数据库 ＤＢ" / "kiosk.db")
    assert compact.auto_vacuum(made) == compact.INCREMENTAL
    assert compact.incremental_vacuum(db_mod.connect(":memory:")) == 0


def test_merge_and_vacuum_go_in_steps_that_another_writer_gets_between(tmp_path):
    database = _visits_like(tmp_path / "k.db")
    database.execute("UPDATE visits SET name = '' WHERE id <= 2000")
    database.conn.commit()
    other = sqlite3.connect(tmp_path / "k.db", isolation_level=None, timeout=0)
    other.execute("CREATE TABLE IF NOT EXISTS sales(n)")
    wrote = []

    def pause(seconds):  # between two steps the write lock is free: a sale that will not wait gets in
        other.execute("INSERT INTO sales VALUES (?)", (len(wrote),))
        wrote.append(seconds)

    merged = compact.merge_fts(database, "visits_fts", pages=4, pause=pause)
    assert merged >= 2 and len(wrote) == merged
    assert database.execute("SELECT count(*) FROM visits_fts WHERE visits_fts MATCH '访客'").fetchone()[0] == 1000
    database.execute("UPDATE visits SET note = '' WHERE id <= 2000")   # the rows shrink, whole pages come free
    database.execute("DELETE FROM visits WHERE id > 1000")
    database.conn.commit()
    database.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    size = (tmp_path / "k.db").stat().st_size
    freed = compact.incremental_vacuum(database, pages=8, pause=pause)
    database.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    assert freed > 1000 and database.execute("PRAGMA freelist_count").fetchone()[0] == 0
    assert (tmp_path / "k.db").stat().st_size < size * 0.6
    assert other.execute("SELECT count(*) FROM sales").fetchone()[0] == len(wrote)
    assert database.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    other.close()


def test_scrub_takes_the_words_off_the_disk_without_a_vacuum_holding_the_lock(tmp_path):
    folder = tmp_path / "data"
    folder.mkdir()
    database = _visits_like(folder / "kiosk.db")
    database.execute("UPDATE visits SET name = '' WHERE id <= 100")   # the visits that held the secret
    database.conn.commit()
    assert _secret_on_disk(folder), "the old FTS segments still hold the words before the scrub"
    # A writer that never waits keeps writing all through the scrub from another thread.
    stop, refused, wrote = threading.Event(), [], []

    def till():
        conn = sqlite3.connect(folder / "kiosk.db", isolation_level=None, timeout=0.05)
        conn.execute("CREATE TABLE IF NOT EXISTS sales(n)")
        while not stop.is_set():
            try:
                conn.execute("INSERT INTO sales VALUES (1)")
                wrote.append(1)
            except sqlite3.OperationalError:
                refused.append(1)
            time.sleep(0.002)
        conn.close()
    thread = threading.Thread(target=till)
    thread.start()
    try:
        assert erasure.scrub_files(database, wait=5) is True
    finally:
        stop.set()
        thread.join(10)
    assert _secret_on_disk(folder) == []
    assert wrote and len(refused) <= len(wrote) // 10 + 2, (len(wrote), len(refused))
    assert database.execute("PRAGMA freelist_count").fetchone()[0] == 0


def test_vacuum_gives_up_at_once_when_another_writer_holds_the_lock(tmp_path):
    database = _visits_like(tmp_path / "k.db", rows=500)
    database.execute("DELETE FROM visits")
    database.conn.commit()
    free = database.execute("PRAGMA freelist_count").fetchone()[0]
    holder = sqlite3.connect(tmp_path / "k.db", isolation_level=None)
    holder.execute("BEGIN IMMEDIATE")
    database.execute("PRAGMA busy_timeout=20")
    started = time.monotonic()
    assert compact.incremental_vacuum(database) == 0
    assert time.monotonic() - started < 2
    holder.execute("ROLLBACK")
    assert database.execute("PRAGMA freelist_count").fetchone()[0] == free
    assert compact.incremental_vacuum(database) == free


def test_an_old_file_keeps_its_free_pages_for_reuse_until_converted(tmp_path, monkeypatch):
    path = tmp_path / "k.db"
    database = _visits_like(path, rows=1000, incremental=False)
    database.execute("UPDATE visits SET note = ''")
    database.conn.commit()
    assert compact.auto_vacuum(database) == 0 and compact.incremental_vacuum(database) == 0
    night = datetime(2026, 12, 2, 3, 30)
    assert not compact.convert_when_quiet(database, path, night, quiet=False)            # someone at the desk
    assert not compact.convert_when_quiet(database, path, night.replace(hour=10), quiet=True)  # daytime
    monkeypatch.setattr(compact, "ROOM_FACTOR", 1e12)                                    # a full card
    assert not compact.convert_when_quiet(database, path, night, quiet=True)
    monkeypatch.undo()
    holder = sqlite3.connect(path, isolation_level=None)
    holder.execute("BEGIN IMMEDIATE")       # a sale mid-write at 03:30: the conversion gives up, fast
    started = time.monotonic()
    assert not compact.convert_when_quiet(database, path, night, quiet=True, busy_ms=50)
    assert time.monotonic() - started < 2
    holder.execute("ROLLBACK")
    holder.close()
    before = path.stat().st_size
    assert compact.convert_when_quiet(database, path, night, quiet=True)
    assert compact.auto_vacuum(database) == compact.INCREMENTAL
    assert path.stat().st_size < before and database.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    assert not compact.convert_when_quiet(database, path, night, quiet=True), "once only"
    assert database.execute("PRAGMA busy_timeout").fetchone()[0] == db_mod.busy_timeout_ms()


@pytest.mark.parametrize("hour, hours, inside", [(3, (3, 5), True), (5, (3, 5), False), (2, (3, 5), False),
                                                 (23, (22, 4), True), (1, (22, 4), True), (12, (22, 4), False)])
def test_quiet_window(hour, hours, inside):
    assert compact.in_quiet_window(datetime(2026, 12, 2, hour, 59), hours) is inside


def test_a_table_name_is_never_spliced_in_unchecked(tmp_path):
    database = db_mod.connect(tmp_path / "k.db")
    with pytest.raises(ValueError):
        compact.merge_fts(database, "visits_fts; DROP TABLE audit")
    with write(database):
        pass
