"""Migration 0011 (one house plan): it carries a real pre-0011 database row for row and fen for fen,
and the schema it leaves keeps its promises (append-only, one actor convention, ids made on the box)."""
from __future__ import annotations

import re
import shutil
import sqlite3
from datetime import datetime, timezone
from pathlib import Path

import pytest
from click.testing import CliRunner

from kiosk.core import db as db_mod
from kiosk.core import records
from kiosk.core import uid
from kiosk.core.clock import FakeClock

# The rows the code before 0011 (commit 68c85cd) wrote, as INSERTs; made by data/make_legacy_db.py.
LEGACY_ROWS = Path(__file__).parent / "data" / "legacy_0010_rows.sql"
LEGACY_VERSION = 10
# What the fixture must not carry: the old triggers derive it, the runner writes it.
DERIVED_TABLES = ("stock_levels", "visits_fts", "schema_migrations")
UUID7 = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$")
ORIGIN = db_mod.Origin("HQ", "T09")

# Money that must reconcile to the fen before and after (the old and the new schema name it alike).
MONEY_SQL = {
    "sales": "SELECT COUNT(*), COALESCE(SUM(total_fen), 0) FROM sales",
    "payments by method": "SELECT group_concat(method || '=' || total, ',') FROM"
                          " (SELECT method, SUM(amount_fen) AS total FROM payments GROUP BY method ORDER BY method)",
    "fees": "SELECT COUNT(*), COALESCE(SUM(amount_fen), 0) FROM fee_collections",
    "fee voids": "SELECT COUNT(*), COALESCE(SUM(c.amount_fen), 0) FROM fee_voids v"
                 " JOIN fee_collections c ON c.id = v.collection_id",
    "voids and refunds": "SELECT kind, COUNT(*), SUM(amount_fen) FROM sale_reversals GROUP BY kind ORDER BY kind",
    "reversal lines": "SELECT COUNT(*), COALESCE(SUM(total_fen), 0) FROM reversal_lines",
    "cash handovers": "SELECT COUNT(*), COALESCE(SUM(amount_fen), 0) FROM cash_handovers",
    "closes": "SELECT COUNT(*), SUM(expected_fen), SUM(counted_fen), SUM(variance_fen) FROM shift_closes",
    "stock": "SELECT group_concat(product_id || '=' || quantity, ',') FROM"
             " (SELECT product_id, SUM(quantity) AS quantity FROM stock_movements GROUP BY product_id)",
}
# Who acted, before (old column) and after (the one convention).
ACTORS = {
    "visits": ("CASE registered_by WHEN 'self' THEN 'visitor' ELSE staff_id END",
               "CASE registered_by WHEN 'self' THEN 'visitor' ELSE actor_id END"),
    "shifts": ("opened_by_id || opened_by", "actor_id || actor"),
    "shift_closes": ("closed_by_id || closed_by", "actor_id || actor"),
    "sale_reversals": ("approved_by_id || approved_by || '/' || actor", "approver_id || approver || '/' || actor"),
    "fee_voids": ("approved_by_id || approved_by || '/' || actor", "approver_id || approver || '/' || actor"),
    "lf_items": ("received_by_id || received_by", "actor_id || actor"),
    "lf_handovers": ("handed_by_id || handed_by || received_by", "actor_id || actor || received_by"),
    "lf_disposals": ("authorised_by || actor", "approver || actor"),
    "deny_list": ("added_by", "actor"),
    "expected_visitors": ("added_by", "actor"),
    "cash_handovers": ("handed_by || received_by", "actor || received_by"),
    "auth_events": ("user_id", "actor_id"),
    "audit": ("table_name || record_id", "record_table || record_id"),
    "stock_movements": ("ref_table || ref_id", "record_table || record_id"),
}


def _build_legacy(path: Path) -> Path:
    """The schema of the real migrations 0001-0010 (run by the project's runner), then the old rows.

    Foreign keys are on while the rows go in, so a fixture out of foreign-key order fails here.
    """
    database = db_mod.connect(path, migrate=False)
    assert db_mod.apply_migrations(database, upto=LEGACY_VERSION) == list(range(1, LEGACY_VERSION + 1))
    database.conn.executescript("BEGIN;\n" + LEGACY_ROWS.read_text("utf-8") + "\nCOMMIT;")
    database.conn.execute("PRAGMA journal_mode=DELETE")  # one file, so copies of it are whole
    database.close()
    return path


def _load_legacy(template: Path, path: Path) -> Path:
    shutil.copyfile(template, path)
    return path


def _fts_find(conn, name: str) -> list[int]:
    """Visit ids the old full-text index finds for a name (a quoted phrase: the trigram tokenizer)."""
    phrase = '"' + name.replace('"', '""') + '"'
    return [r for (r,) in conn.execute("SELECT rowid FROM visits_fts WHERE visits_fts MATCH ? ORDER BY rowid",
                                       (phrase,))]


def _snapshot(conn, actors_column: int) -> dict:
    counts = {t: conn.execute(f"SELECT COUNT(*) FROM {t}").fetchone()[0] for t in records.record_names(LEGACY_VERSION)}
    money = {name: conn.execute(sql).fetchall() for name, sql in MONEY_SQL.items()}
    actors = {t: conn.execute(f"SELECT {cols[actors_column]} FROM {t} ORDER BY rowid").fetchall()
              for t, cols in ACTORS.items()}
    return {"counts": counts, "money": money, "actors": actors}


@pytest.fixture(scope="module")
def legacy_template(tmp_path_factory) -> Path:
    """Built once per module; each test migrates its own copy."""
    return _build_legacy(tmp_path_factory.mktemp("legacy") / "legacy.db")


@pytest.fixture
def legacy_path(legacy_template, tmp_path) -> Path:
    """A database as the code before 0011 made it: two seeded days and a full counter day."""
    return _load_legacy(legacy_template, tmp_path / "legacy.db")


@pytest.fixture
def migrated(legacy_path):
    database = db_mod.connect(legacy_path, origin=ORIGIN)
    yield database
    database.close()


def test_the_legacy_database_is_really_pre_0011_and_touches_every_record_table(legacy_path):
    conn = sqlite3.connect(legacy_path)
    assert max(v for (v,) in conn.execute("SELECT version FROM schema_migrations")) == LEGACY_VERSION
    assert conn.execute("PRAGMA user_version").fetchone()[0] == LEGACY_VERSION
    empty = [t for t in records.record_names(LEGACY_VERSION) if not conn.execute(f"SELECT 1 FROM {t} LIMIT 1").fetchone()]
    assert empty == []
    assert "staff_id" in [row[1] for row in conn.execute("PRAGMA table_info(visits)")]
    assert "uid" not in [row[1] for row in conn.execute("PRAGMA table_info(sales)")]


def test_the_rows_fixture_is_small_text_of_base_tables_only():
    text = LEGACY_ROWS.read_text("utf-8")  # text: it decodes, and holds no NUL
    assert "\x00" not in text and LEGACY_ROWS.stat().st_size < 1_000_000
    filled = set(re.findall(r"^INSERT INTO (\w+) ", text, re.M))
    assert set(records.record_names(LEGACY_VERSION)) <= filled
    assert {t for t in filled if t.startswith(DERIVED_TABLES)} == set()
    # The schema comes from the migrations, never from the fixture.
    assert re.findall(r"^\s*(CREATE|DROP|ALTER|UPDATE|DELETE|REPLACE|PRAGMA|BEGIN|COMMIT)\b", text, re.M | re.I) == []


def test_the_old_triggers_rebuild_what_the_fixture_leaves_out(legacy_path):
    conn = sqlite3.connect(legacy_path)
    # The stock balance: one row per product that moved, each equal to the sum of its movements.
    levels = conn.execute("SELECT product_id, quantity FROM stock_levels ORDER BY product_id").fetchall()
    moved = conn.execute("SELECT product_id, SUM(quantity) FROM stock_movements GROUP BY product_id"
                         " ORDER BY product_id").fetchall()
    assert levels == moved and len(levels) >= 3
    # The visits full-text index: sound, one entry per visit, and it finds a seeded visitor by name.
    conn.execute("INSERT INTO visits_fts(visits_fts) VALUES ('integrity-check')")
    assert conn.execute("SELECT COUNT(*) FROM visits_fts_docsize").fetchone() == conn.execute(
        "SELECT COUNT(*) FROM visits").fetchone()
    visit_id, name = conn.execute("SELECT id, name FROM visits WHERE length(name) >= 3 ORDER BY id").fetchone()
    found = _fts_find(conn, name)
    assert visit_id in found
    assert found == [i for (i,) in conn.execute("SELECT id FROM visits WHERE instr(name || ' ' || phone || ' '"
                                                " || organisation || ' ' || host_name, ?) ORDER BY id", (name,))]
    assert _fts_find(conn, "不存在的访客") == []
    conn.close()
    # After 0011 the index still finds them, through the service and directly.
    from kiosk.cli.main import main
    from kiosk.visitors import service as visitors
    database = db_mod.connect(legacy_path, origin=ORIGIN)
    assert visit_id in [v["id"] for v in visitors.search(database, name)]
    assert _fts_find(database.conn, name) == found
    database.conn.execute("INSERT INTO visits_fts(visits_fts) VALUES ('integrity-check')")
    database.close()
    result = CliRunner().invoke(main, ["db", "check", "--db", str(legacy_path)])
    assert result.exit_code == 0, result.output
    # no --config: the shipped default site, zh_CN
    assert "完整性：正常" in result.output and f"结构版本：{db_mod.migrations()[-1].version}" in result.output


def test_migration_carries_every_row_every_fen_and_every_actor(legacy_path):
    conn = sqlite3.connect(legacy_path)
    before = _snapshot(conn, 0)
    conn.close()
    assert before["counts"]["sales"] > 100 and before["money"]["cash handovers"][0][1] > 0
    database = db_mod.connect(legacy_path, origin=ORIGIN)
    assert db_mod.schema_version(database) == db_mod.migrations()[-1].version
    after = _snapshot(database.conn, 1)
    assert after == before
    assert database.execute("PRAGMA foreign_key_check").fetchall() == []
    assert db_mod.integrity_check(database) == ["ok"]
    assert db_mod.append_only_problems(database) == []
    from kiosk.counter.sales import stock_mismatches
    assert stock_mismatches(database) == []


def test_existing_rows_get_unique_v7_ids_timed_at_their_own_moment_and_their_origin(migrated):
    seen = set()
    for table in records.record_names(LEGACY_VERSION):
        rows = migrated.execute(f"SELECT uid, site_id, terminal_id FROM {table}").fetchall()
        assert all(UUID7.match(u) for u, _, _ in rows), table
        assert {s for _, s, _ in rows} == {"HQ"}, table
        seen.update(u for u, _, _ in rows)
    assert len(seen) == sum(migrated.execute(f"SELECT COUNT(*) FROM {t}").fetchone()[0] for t in records.record_names(LEGACY_VERSION))
    for at, u in migrated.execute("SELECT at, uid FROM sales"):
        assert uid.time_ms(u) == int(datetime.fromisoformat(at.replace("Z", "+00:00")).timestamp() * 1000)
    # A line's id is timed at its sale; the shift's own terminal is kept and passed on to its close.
    sale_at, line_uid = migrated.execute("SELECT s.at, l.uid FROM sale_lines l JOIN sales s ON s.id = l.sale_id").fetchone()
    assert uid.time_ms(line_uid) == int(datetime.fromisoformat(sale_at.replace("Z", "+00:00")).timestamp() * 1000)
    assert migrated.execute("SELECT terminal_id FROM shifts").fetchall() == [("T01",)]
    assert migrated.execute("SELECT terminal_id FROM shift_closes").fetchall() == [("T01",)]
    assert {t for (t,) in migrated.execute("SELECT DISTINCT terminal_id FROM visits")} == {"T09"}


def test_dangling_expected_visitor_becomes_null_but_other_broken_references_stop_the_migration(
        legacy_template, tmp_path):
    path = _load_legacy(legacy_template, tmp_path / "a.db")
    conn = sqlite3.connect(path)
    conn.execute("UPDATE visits SET expected_id = 99999 WHERE id = (SELECT MIN(id) FROM visits)")  # no FK before
    conn.commit()
    conn.close()
    database = db_mod.connect(path, origin=ORIGIN)
    assert database.execute("SELECT expected_id FROM visits ORDER BY id LIMIT 1").fetchone() == (None,)
    assert database.execute("SELECT COUNT(*) FROM visits WHERE expected_id IS NOT NULL").fetchone()[0] == 1
    database.close()

    path = _load_legacy(legacy_template, tmp_path / "b.db")
    conn = sqlite3.connect(path)
    conn.execute("PRAGMA foreign_keys=OFF")
    conn.execute("INSERT INTO payments (sale_id, method, amount_fen) VALUES (424242, 'cash', 100)")
    conn.commit()
    conn.close()
    with pytest.raises(RuntimeError, match="pointing nowhere.*payments"):
        db_mod.connect(path, origin=ORIGIN)
    conn = sqlite3.connect(path)  # rolled back whole: still the old schema, still version 10
    assert max(v for (v,) in conn.execute("SELECT version FROM schema_migrations")) == 10
    assert "staff_id" in [row[1] for row in conn.execute("PRAGMA table_info(visits)")]
    assert conn.execute("SELECT COUNT(*) FROM payments").fetchone()[0] > 0


@pytest.mark.parametrize("table", records.record_names(LEGACY_VERSION))
def test_every_record_table_refuses_update_and_delete(migrated, table):
    row = migrated.execute(f"SELECT rowid FROM {table} LIMIT 1").fetchone()[0]
    count = migrated.execute(f"SELECT COUNT(*) FROM {table}").fetchone()[0]
    with pytest.raises(sqlite3.DatabaseError, match=f"{table} is append-only"):
        migrated.execute(f"UPDATE {table} SET uid = uid WHERE rowid = ?", (row,))
    with pytest.raises(sqlite3.DatabaseError, match=f"{table} is append-only"):
        migrated.execute(f"UPDATE {table} SET site_id = 'X' WHERE rowid = ?", (row,))
    with pytest.raises(sqlite3.DatabaseError, match=f"{table} is append-only"):
        migrated.execute(f"DELETE FROM {table} WHERE rowid = ?", (row,))
    assert migrated.execute(f"SELECT COUNT(*) FROM {table}").fetchone()[0] == count


def test_anonymisation_still_works_and_is_the_only_update_visits_allow(migrated):
    from kiosk.visitors import service as visitors
    name = migrated.execute("SELECT name FROM visits WHERE name != '' ORDER BY id LIMIT 1").fetchone()[0]
    assert visitors.search(migrated, name[:3] if len(name) >= 3 else name)
    keep = migrated.execute("SELECT id, uid, host_name, actor FROM visits ORDER BY id").fetchall()
    later = FakeClock(datetime(2027, 6, 1, tzinfo=timezone.utc))
    total = migrated.execute("SELECT COUNT(*) FROM visits").fetchone()[0]
    assert visitors.apply_retention(migrated, later, days=30) == total
    assert migrated.execute("SELECT COUNT(*) FROM visits WHERE name || phone || organisation || id_number != ''"
                            ).fetchone()[0] == 0
    assert migrated.execute("SELECT id, uid, host_name, actor FROM visits ORDER BY id").fetchall() == keep
    if len(name) >= 3:
        assert visitors.search(migrated, name) == []  # the full-text index followed
    with pytest.raises(sqlite3.DatabaseError, match="only anonymisation"):  # not twice, not differently
        migrated.execute("UPDATE visits SET anonymised_at = '2027-07-01T00:00:00Z' WHERE id = ?", (keep[0][0],))


def test_an_anonymising_update_that_changes_anything_else_is_refused(db, clock):
    from kiosk.visitors import service as visitors
    host = visitors.add_host(db, clock, visitors.Actor("system"), "Li Na")
    visit = visitors.sign_in(db, clock, visitors.Visitor("王芳", "13800138000", host, "meeting", privacy_accepted=True))
    for extra in ("host_name = 'someone else'", "party_size = 2", "uid = '01890000-0000-7000-8000-000000000000'",  # well shaped, not its own
                  "terminal_id = 'T99'",
                  "signed_in_at = '2020-01-01T00:00:00Z'"):
        with pytest.raises(sqlite3.DatabaseError, match="only anonymisation"):
            db.execute("UPDATE visits SET name = '', phone = '', organisation = '', id_number = '',"
                       f" anonymised_at = 'now', {extra} WHERE id = ?", (visit.visit_id,))
    with pytest.raises(sqlite3.DatabaseError, match="only anonymisation"):  # a half anonymisation
        db.execute("UPDATE visits SET name = '', anonymised_at = 'now' WHERE id = ?", (visit.visit_id,))
    assert db.execute("SELECT name FROM visits").fetchone() == ("王芳",)


def test_every_table_is_declared_and_follows_the_conventions(db):
    tables = set(db.table_names())
    undeclared = {t for t in tables if t not in records.record_names() and not records.is_state_table(t)}
    assert undeclared == set()
    assert set(records.record_names()) <= tables and set(records.STATE_TABLES) <= tables
    for table in tables:
        columns = set(db[table].columns_dict)
        assert not columns & set(records.RETIRED_ACTOR_COLUMNS), table
        assert not columns & {"ref_table", "ref_id", "table_name"}, table
    for spec in records.RECORD_TABLES:
        columns = db[spec.name].columns_dict
        assert {"uid", "site_id", "terminal_id"} <= set(columns), spec.name
        assert ({"actor_id", "actor"} <= set(columns)) == spec.actor, spec.name
        assert ({"approver_id", "approver"} <= set(columns)) == spec.approver, spec.name
        assert "strict" in db.execute("SELECT sql FROM sqlite_master WHERE name = ?", (spec.name,)
                                      ).fetchone()[0].lower(), spec.name
        for ref in ("actor_id", "approver_id"):  # every person reference is a real foreign key
            if ref in columns:
                targets = {(fk.column, fk.other_table) for fk in db[spec.name].foreign_keys}
                assert (ref, "users") in targets, (spec.name, ref)
    assert ("expected_id", "expected_visitors") in {(fk.column, fk.other_table) for fk in db["visits"].foreign_keys}


def test_trigger_names_follow_one_style(db):
    names = {row[0]: row[1] for row in db.execute("SELECT name, tbl_name FROM sqlite_master WHERE type = 'trigger'")}
    guards = {n: t for n, t in names.items() if n.endswith(("_no_update", "_no_delete"))}
    assert set(records.append_only_triggers()) <= {(t, n) for n, t in guards.items()}
    odd = {n for n in names if re.search(r"_(ro|append_only)_[ud]$|_no_change$", n)}
    assert odd == set()


@pytest.mark.parametrize("sql, error", [
    ("INSERT INTO payments (sale_id, method, amount_fen) VALUES (1, 'cheque', 100)", "method IN"),
    ("INSERT INTO calls (started_at, detector) VALUES ('2026-11-23T01:00:00Z', 'pigeon')", "detector IN"),
    ("INSERT INTO call_events (call_id, at, kind) VALUES (1, '2026-11-23T01:00:00Z', 'exploded')", "kind IN"),
    ("INSERT INTO lf_reports (at, category, description, lost_on, owner_name, contact, actor)"
     " VALUES ('x', 'spaceship', 'd', '2026-11-23', 'o', 'c', 'a')", "category IN"),
    ("INSERT INTO print_jobs (created_at, kind, kick_drawer, actor) VALUES ('x', 'sale', 2, 'a')", "kick_drawer IN"),
])
def test_enumerated_columns_refuse_unknown_values(db, sql, error):
    with db_mod.write(db):
        db.execute("INSERT INTO sales (at, receipt_no, total_fen, actor) VALUES ('x', 'R1', 100, 'a')")
        db.execute("INSERT INTO calls (started_at, detector) VALUES ('x', 'at')")
    with pytest.raises(sqlite3.IntegrityError, match=error):
        db.execute(sql)


def test_new_rows_get_ids_site_and_terminal_without_the_insert_naming_them(tmp_path, clock):
    from kiosk.core import config as config_mod
    from kiosk.core.audit import SYSTEM
    from kiosk.core.context import Context
    from kiosk.core import audit
    raw = {"site": {"id": "DESK2", "site_id": "CLUB-7"}}
    ctx = Context(config=config_mod.validate(raw), db_path=tmp_path / "k.db", clock=clock)
    with db_mod.write(ctx.db):
        audit.record(ctx.db, clock, SYSTEM, "test.one")
    row = ctx.db.execute("SELECT uid, site_id, terminal_id FROM audit ORDER BY id DESC LIMIT 1").fetchone()
    assert UUID7.match(row[0]) and row[1:] == ("CLUB-7", "DESK2")
    # A worker thread's connection (opened without the configuration) stamps the same origin.
    worker = db_mod.connect(ctx.db_path)
    with db_mod.write(worker):
        audit.record(worker, clock, SYSTEM, "test.two")
    assert worker.execute("SELECT site_id, terminal_id FROM audit ORDER BY id DESC LIMIT 1").fetchone() == (
        "CLUB-7", "DESK2")
    ids = [r[0] for r in worker.execute("SELECT uid FROM audit ORDER BY id")]
    assert len(set(ids)) == len(ids) and ids == sorted(ids)  # made in order, they sort in order
    worker.close()
    ctx.close()


def test_a_database_newer_than_the_program_is_refused_with_a_clear_message(tmp_path):
    from kiosk.cli.main import main
    path = tmp_path / "k.db"
    database = db_mod.connect(path)
    database.execute("INSERT INTO schema_migrations (version, name) VALUES (97, 'from_the_future')")
    database.execute("PRAGMA user_version=97")
    database.conn.commit()
    database.close()
    with pytest.raises(db_mod.SchemaTooNew, match=r"schema version 97, newer than this program knows .*newer kiosk"):
        db_mod.connect(path)
    result = CliRunner().invoke(main, ["user", "list", "--db", str(path)])
    assert result.exit_code == 1
    assert "newer than this program knows" in result.output and "Traceback" not in result.output
    # A legacy database (no per-migration table) whose user_version is from the future, too.
    legacy = tmp_path / "old.db"
    conn = sqlite3.connect(legacy)
    conn.execute("PRAGMA user_version=500")
    conn.close()
    with pytest.raises(db_mod.SchemaTooNew, match="500"):
        db_mod.connect(legacy)


def test_db_check_names_a_missing_append_only_trigger(tmp_path):
    from kiosk.cli.main import main
    path = tmp_path / "k.db"
    db_mod.connect(path).close()
    ok = CliRunner().invoke(main, ["db", "check", "--db", str(path)])
    assert ok.exit_code == 0 and "完整性：正常" in ok.output
    conn = sqlite3.connect(path)
    conn.execute("DROP TRIGGER sale_lines_no_delete")
    conn.execute("DROP TRIGGER visits_no_update")
    conn.execute("CREATE TRIGGER visits_no_update BEFORE UPDATE ON hosts BEGIN SELECT 1; END")  # wrong table
    conn.commit()
    conn.close()
    result = CliRunner().invoke(main, ["db", "check", "--db", str(path)])
    assert result.exit_code == 1
    assert "表 sale_lines 缺少触发器 sale_lines_no_delete" in result.output
    assert "表 visits 缺少触发器 visits_no_update" in result.output


def test_db_check_is_not_fooled_by_a_decoy_trigger_a_broken_reference_or_a_newer_schema(tmp_path):
    from kiosk.cli.main import main
    path = tmp_path / "k.db"
    db_mod.connect(path).close()
    conn = sqlite3.connect(path)
    conn.execute("DROP TRIGGER visit_signouts_no_delete")  # a same-named trigger that blocks nothing
    conn.execute("CREATE TRIGGER visit_signouts_no_delete BEFORE DELETE ON visit_signouts BEGIN SELECT 1; END")
    conn.execute("DROP TRIGGER visits_no_update")  # "anonymisation" that would let a host name be rewritten
    conn.execute("CREATE TRIGGER visits_no_update BEFORE UPDATE ON visits WHEN NOT (new.name = '' AND"
                 " new.phone = '' AND new.organisation = '' AND new.id_number = '' AND old.anonymised_at IS NULL"
                 " AND new.anonymised_at IS NOT NULL) BEGIN SELECT RAISE(ABORT, 'visits is append-only (only"
                 " anonymisation may change a row)'); END")
    conn.execute("DROP TRIGGER sales_no_update")  # blocks only when never
    conn.execute("CREATE TRIGGER sales_no_update BEFORE UPDATE ON sales WHEN 0 BEGIN"
                 " SELECT RAISE(ABORT, 'sales is append-only'); END")
    conn.commit()
    conn.close()
    result = CliRunner().invoke(main, ["db", "check", "--db", str(path)])
    assert result.exit_code == 1
    assert "表 visit_signouts 的触发器 visit_signouts_no_delete 不阻止 DELETE" in result.output
    assert "表 sales 的触发器 sales_no_update 不阻止 UPDATE" in result.output
    assert "表 visits 的触发器 visits_no_update 不阻止 UPDATE" in result.output
    conn = sqlite3.connect(path)
    conn.execute("PRAGMA user_version=500")
    conn.commit()
    conn.close()
    newer = CliRunner().invoke(main, ["db", "check", "--db", str(path)])
    assert newer.exit_code != 0 and "500" in newer.output and "newer" in newer.output and "Traceback" not in newer.output


def test_db_check_names_a_broken_reference(tmp_path):
    from kiosk.cli.main import main
    path = tmp_path / "k.db"
    db_mod.connect(path).close()
    conn = sqlite3.connect(path)
    conn.execute("PRAGMA foreign_keys=OFF")
    conn.execute("INSERT INTO deny_list_lifts (entry_id, at, actor, reason, uid, site_id, terminal_id)"
                 " VALUES (424242, '2026-01-01T00:00:00Z', 'x', 'r', '00000000-0000-7000-8000-000000000000', 'S', 'T')")
    conn.commit()
    conn.close()
    result = CliRunner().invoke(main, ["db", "check", "--db", str(path)])
    assert result.exit_code == 1 and "deny_list_lifts 第" in result.output and "不存在的 deny_list" in result.output


def test_uuid7_shape_order_and_uniqueness():
    burst = [uid.uuid7() for _ in range(20000)]
    assert all(UUID7.match(u) for u in burst[:: 97])
    assert len(set(burst)) == len(burst) and burst == sorted(burst)
    same_ms = [uid.uuid7(now_ms=1_900_000_000_000) for _ in range(5000)]  # more than the 12-bit counter holds
    assert same_ms == sorted(same_ms) and len(set(same_ms)) == len(same_ms)
    assert all(UUID7.match(u) for u in same_ms)
    back = uid.uuid7(now_ms=1_000)  # the wall clock stepped back: still after the last id
    assert back > same_ms[-1]


@pytest.mark.parametrize("stamp, ms", [
    ("2026-11-23T01:02:03.456Z", 1795395723456), ("2026-11-23T01:02:03.456+00:00", 1795395723456),
    ("2026-11-23", 1795392000000), ("1969-01-01T00:00:00Z", 0), ("9999-12-31T23:59:59Z", 253402300799000),
])
def test_uuid7_for_a_stored_timestamp(stamp, ms):
    made = uid.uuid7_for(stamp)
    assert UUID7.match(made) and uid.time_ms(made) == ms


@pytest.mark.parametrize("junk", [None, "", "yesterday", "2026-13-45", "\x00"])
def test_uuid7_for_junk_still_makes_an_id_near_now(junk):
    made = uid.uuid7_for(junk)
    assert UUID7.match(made)
    assert abs(uid.time_ms(made) - datetime.now(timezone.utc).timestamp() * 1000) < 60_000


def test_uuid7_clamps_times_outside_48_bits():
    assert uid.time_ms(uid.uuid7_at(-5)) == 0
    assert uid.time_ms(uid.uuid7_at(1 << 60)) == uid.MAX_MS


@pytest.mark.parametrize("site, ok", [("SITE", True), ("CLUB-7", True), ("A", True), ("A" * 16, True),
                                      ("hq", False), ("-HQ", False), ("HQ-", False), ("A" * 17, False),
                                      ("H Q", False), ("", False), ("总部", False)])
def test_site_id_is_validated(tmp_path, site, ok):
    from kiosk.core import config as config_mod
    path = tmp_path / "k.toml"
    path.write_text(f'[site]\nsite_id = "{site}"\n', encoding="utf-8")
    if ok:
        assert config_mod.load(path).get("site", "site_id") == site
    else:
        with pytest.raises(config_mod.ConfigError, match="site_id"):
            config_mod.load(path)


def test_the_example_configuration_names_the_site():
    from kiosk.core import config as config_mod
    example = Path(__file__).resolve().parents[2] / "deploy" / "kiosk.example.toml"
    text = example.read_text(encoding="utf-8")
    assert re.search(r'^site_id = "[A-Z0-9-]+"', text, re.M)
    assert config_mod.SCHEMA["site"]["site_id"].check(re.search(r'^site_id = "([^"]+)"', text, re.M).group(1))


@pytest.mark.parametrize("bad", ["-" * 36, "X" * 36, "01890000-0000-7000-8000-00000000000Z",
                                 "01890000-0000-4000-8000-000000000000",   # version 4, not 7
                                 "01890000-0000-7000-c000-000000000000",   # variant 110
                                 "01890000-0000-7000-8000-00000000000\x00",
                                 "01890000-0000-7000-8000-00000000000A",   # upper case: not its one form
                                 "01890000-0000-7000-8000-0000000000-0",   # a fifth dash in the hex
                                 "01890000-0000-7000-8000-0000000000000",  # 37 characters
                                 "0189 000-0000-7000-8000-000000000000", "01890000-0000-7000-8000-00000000000é"])
def test_a_record_uid_must_have_the_uuid7_shape_not_just_its_length(db, clock, bad):
    """Migration 0011's CHECK counted 36 characters; 0023's triggers check the shape on INSERT (an UPDATE
    of uid is refused by the append-only guards)."""
    with pytest.raises(sqlite3.DatabaseError, match="audit.uid is not a UUIDv7"):
        db.execute("INSERT INTO audit (at, actor, action, uid) VALUES ('2026-12-01T00:00:00Z', 'x', 'y', ?)", (bad,))
    with pytest.raises(sqlite3.DatabaseError, match="visits.uid is not a UUIDv7"):
        db.execute("INSERT INTO visits (signed_in_at, name, phone, organisation, host_id, host_name, purpose, party_size,"
                   " registered_by, actor, privacy_accepted, signout_code, uid) VALUES ('2026-12-01T00:00:00Z', 'x',"
                   " '1', '', NULL, 'h', 'meeting', 1, 'self', 'v', 1, 'AAAAA', ?)", (bad,))
    good = "01890000-0000-7000-8000-00000000000a"
    db.execute("INSERT INTO audit (at, actor, action, uid) VALUES ('2026-12-01T00:00:00Z', 'x', 'y', ?)", (good,))
    with pytest.raises(sqlite3.DatabaseError, match="append-only"):
        db.execute("UPDATE audit SET uid = ? WHERE uid = ?", (bad, good))


def test_every_record_table_checks_its_uid_shape(db):
    """A new record table needs its own <table>_uid_shape_insert trigger (see 0023)."""
    from kiosk.core import records
    triggers = {row[0] for row in db.execute("SELECT name FROM sqlite_master WHERE type = 'trigger'")}
    missing = [f"{t}_uid_shape_insert" for t in records.record_names() if f"{t}_uid_shape_insert" not in triggers]
    assert missing == []
