"""The quick database check (start-up, status bar) and the "open now" tables the full check compares."""
from __future__ import annotations

import itertools
import sqlite3
from pathlib import Path

from click.testing import CliRunner

from kiosk.cli.main import main
from kiosk.core import db as db_mod
from kiosk.core import dbcheck
from kiosk.core.audit import Actor
from kiosk.demo import accounts as demo
from kiosk.demo import seed as seeder

TZ = "Asia/Shanghai"


def _seeded(path: Path, clock, days: int = 10):
    database = db_mod.connect(path)
    demo.ensure_demo(database, clock)
    seeder.seed(database, clock, days=days, tz_name=TZ, visitors=40, calls=20, sales=10)
    return database


def _close_for_surgery(database) -> None:
    database.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    database.close()


def _smash_root_page(path: Path, table: str) -> None:
    """Overwrite the b-tree header of a table's root page with bytes no page may start with."""
    conn = sqlite3.connect(path)
    root, = conn.execute("SELECT rootpage FROM sqlite_master WHERE name = ?", (table,)).fetchone()
    page_size, = conn.execute("PRAGMA page_size").fetchone()
    conn.close()
    with path.open("r+b") as handle:
        handle.seek((root - 1) * page_size)
        handle.write(b"\x07\xff\xff\xff\xff\xff\xff\xff" * 4)


def test_quick_check_is_ok_and_complete_on_a_sound_database(tmp_path, clock):
    path = tmp_path / "k.db"
    database = _seeded(path, clock)
    result = dbcheck.quick(database, path)
    assert result.ok and result.complete, result.line()
    assert result.checked[:3] == ["settings", "users", "series"], "the desk's own state first"
    assert {"visits", "print_jobs", "visits_open"} <= set(result.checked)
    assert "quick check: ok" in result.line()


def test_quick_check_finds_a_damaged_page_in_a_record_table(tmp_path, clock):
    path = tmp_path / "k.db"
    _close_for_surgery(_seeded(path, clock))
    _smash_root_page(path, "call_notes")
    database = db_mod.connect(path, migrate=False)
    result = dbcheck.quick(database, path)
    assert not result.ok and any(p.startswith("call_notes") for p in result.problems), result.problems
    runner = CliRunner().invoke(main, ["db", "check", "--quick", "--db", str(path)])
    assert runner.exit_code == 1 and "call_notes" in runner.output


def test_quick_check_stops_at_its_budget_and_names_what_it_left(tmp_path, clock):
    """A clock that runs out mid-way (no real waiting): the check stops, is still ok, says what is left."""
    path = tmp_path / "k.db"
    database = _seeded(path, clock, days=20)
    ticks = itertools.count()
    result = dbcheck.quick(database, path, budget=0.05, monotonic=lambda: next(ticks) * 0.0005)
    assert result.ok and not result.complete
    assert result.not_reached and set(result.checked).isdisjoint(result.not_reached)
    assert "left for the full check" in result.line()
    # and the connection is usable afterwards (the progress handler is gone)
    assert database.execute("SELECT COUNT(*) FROM visits").fetchone()[0] > 0


def test_quick_check_refuses_files_that_are_not_a_database_or_are_cut_short(tmp_path, clock):
    junk = tmp_path / "junk.db"
    junk.write_bytes("不是数据库\x00\x1b[31m".encode() * 300)
    assert dbcheck.header_problems(junk) == ["not an SQLite database (header)"]
    result = CliRunner().invoke(main, ["db", "check", "--quick", "--db", str(junk)])
    # the default site's Chinese (kiosk.core.dbcheck.problems_text): "the header does not match"
    assert result.exit_code == 1 and "文件头不符" in result.output and "Traceback" not in result.output
    path = tmp_path / "k.db"
    _close_for_surgery(_seeded(path, clock))
    cut = tmp_path / "cut.db"
    cut.write_bytes(path.read_bytes()[: path.stat().st_size // 2])
    assert "cut short" in dbcheck.header_problems(cut)[0]
    empty = tmp_path / "empty.db"
    empty.write_bytes(b"")
    assert dbcheck.header_problems(empty)


def test_cli_quick_check_prints_one_line_and_the_full_check_compares_the_open_tables(tmp_path, clock):
    path = tmp_path / "k.db"
    database = _seeded(path, clock)
    result = CliRunner().invoke(main, ["db", "check", "--quick", "--db", str(path)])
    assert result.exit_code == 0 and "快速检查：正常" in result.output
    assert "完整性：正常" in CliRunner().invoke(main, ["db", "check", "--db", str(path)]).output
    with db_mod.write(database):  # a hand edit behind the triggers' back
        database.execute("DELETE FROM visits_open WHERE visit_id = (SELECT MAX(visit_id) FROM visits_open)")
        database.execute("INSERT INTO callbacks_open (note_id, due) SELECT MAX(id), '2000-01-01' FROM call_notes"
                         " WHERE id NOT IN (SELECT note_id FROM callbacks_open)")
    problems = dbcheck.summary_problems(database)
    assert any("visits_open" in p for p in problems) and any("callbacks_open" in p for p in problems)
    full = CliRunner().invoke(main, ["db", "check", "--db", str(path)])
    assert full.exit_code == 1 and "visits_open 与其记录不一致" in full.output
    dbcheck.rebuild_summaries(database)
    assert dbcheck.summary_problems(database) == []


def test_open_tables_follow_every_path_that_changes_them(db, clock):
    """Sign-ins and sign-outs (code, staff, automatic), callbacks promised and made, lost items through
    their lifecycle, complaints closed: the open tables agree with the records after each step."""
    from kiosk.core import settings
    from kiosk.core.audit import SYSTEM
    from kiosk.lostfound import service as lostfound
    from kiosk.phone import calllog
    from kiosk.visitors import service as visitors
    demo.ensure_demo(db, clock)
    staff = Actor("王芳", 1, "staff")
    host = db.execute("SELECT id FROM hosts WHERE active = 1 LIMIT 1").fetchone()[0]
    signed = [visitors.sign_in(db, clock, visitors.Visitor(name="Ｗａｎｇ　" * 7 if i == 0 else f"访客{i}",
                                                            phone=f"1390000000{i}", host_id=host, purpose="meeting",
                                                            privacy_accepted=True)) for i in range(4)]
    assert visitors.on_site_count(db) == len(visitors.on_site(db)) == 4
    visitors.sign_out_by_code(db, clock, signed[0].code)
    visitors.sign_out(db, clock, staff, signed[1].visit_id)
    assert dbcheck.summary_problems(db) == []
    settings.put(db, clock, SYSTEM, "auto_signout_time", "00:00")
    clock.advance(24 * 3600)   # the next day, after the sign-out time: whoever stayed overnight goes
    assert visitors.auto_sign_out(db, clock, TZ) == 2
    assert visitors.auto_sign_out(db, clock, TZ) == 0, "once"
    assert visitors.on_site(db) == [] and visitors.on_site_count(db) == 0
    note = calllog.add_note(db, clock, staff, call_id=None, category="inquiry", what="回电",
                            caller_number="13800138000", needs_callback=True)
    assert calllog.callback_counts(db, clock) == (1, 0)
    clock.advance(10 * 3600)
    assert calllog.callback_counts(db, clock) == (1, 1)
    calllog.complete_callback(db, clock, staff, note, "已回电")
    assert calllog.callback_counts(db, clock) == (0, 0) and calllog.open_callbacks(db) == []
    held_before = lostfound.status_count(db, "held")
    item = lostfound.register_item(db, clock, staff, TZ, category="umbrella", description="蓝色折叠伞",
                                   found_place="大堂", handed_in_kind="customer", handed_in_name="李娜", storage="柜子")
    assert lostfound.status_count(db, "held") == held_before + 1
    assert lostfound.items_with_status(db, "held")[-1].id == item.id, "held: oldest first, the new one last"
    handed = lostfound.status_count(db, "handed_over")
    lostfound.hand_over(db, clock, staff, "T01", [item.id], received_by="行政部 张伟")
    assert lostfound.status_count(db, "held") == held_before
    assert lostfound.items_with_status(db, "handed_over", limit=1)[0].id == item.id, "finished: newest first"
    assert lostfound.status_count(db, "handed_over") == handed + 1
    assert dbcheck.summary_problems(db) == []


def test_quick_check_interrupts_a_big_table_at_its_budget_and_leaves_the_connection_usable(tmp_path, clock):
    """One table's quick_check is a single VM step the progress handler cannot stop: on three years of history
    the check ran 0.8 s past its budget inside the audit table. The deadline interrupts it mid-table."""
    database = _seeded(tmp_path / "kiosk.db", clock, days=1)
    conn = database.conn
    conn.execute("CREATE TABLE aaa_bulk (id INTEGER PRIMARY KEY, body BLOB)")
    conn.executemany("INSERT INTO aaa_bulk (body) VALUES (?)", ((b"x" * 200,) for _ in range(400_000)))
    conn.commit()
    import time
    started = time.perf_counter()
    whole = conn.execute("PRAGMA quick_check('aaa_bulk')").fetchall()
    alone = time.perf_counter() - started
    assert whole == [("ok",)]
    result = dbcheck.quick(database, tmp_path / "kiosk.db", budget=0.05)
    assert result.seconds < max(0.05 + alone / 2, 0.2), (result.seconds, alone)
    assert result.not_reached and not result.problems, result
    time.sleep(0.1)   # past the timer's moment: nothing left to interrupt a later statement
    assert conn.execute("SELECT COUNT(*) FROM aaa_bulk").fetchone()[0] == 400_000
    assert dbcheck.quick(database, tmp_path / "kiosk.db").ok   # and a full budget still checks everything
