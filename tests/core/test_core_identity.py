"""A kiosk database knows itself (issue 19 item 1): PRAGMA application_id, and the tables its migrations made.

Another program's SQLite file is refused byte for byte untouched (whatever its user_version or table
names); a kiosk database from before the mark is recognised by its bookkeeping and stamped; a kiosk
database that lost a table is refused by the commands and listed by `db check`."""
from __future__ import annotations

import hashlib
import sqlite3
import time

import pytest
from click.testing import CliRunner

from kiosk.core import db as db_mod
from kiosk.core import storage


def _digest(path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


@pytest.mark.parametrize("upto", [1, 5, 11, 20, None])
def test_the_expected_schema_read_from_the_migrations_is_what_they_make(upto):
    database = db_mod.connect(":memory:", migrate=False)
    db_mod.apply_migrations(database, upto=upto)
    made = {(kind, name.lower()) for name, kind in database.execute("SELECT name, type FROM sqlite_master")
            if not name.startswith("sqlite_")}
    expected = {(kind, name) for name, (kind, _) in db_mod.expected_schema(db_mod.applied_migrations(database)).items()}
    assert expected <= made
    # Only SQLite's own, FTS5's shadow tables and the runner's bookkeeping are not a migration's.
    assert {name for _, name in made - expected} <= {"schema_migrations", "visits_fts_config",
                                                   "visits_fts_data", "visits_fts_docsize", "visits_fts_idx"}
    assert db_mod.schema_problems(database) == []


def test_a_new_database_carries_the_kiosk_mark(tmp_path):
    database = db_mod.connect(tmp_path / "k.db")
    assert database.execute("PRAGMA application_id").fetchone()[0] == db_mod.APPLICATION_ID


def test_a_kiosk_database_from_before_the_mark_is_recognised_and_stamped(tmp_path):
    path = tmp_path / "k.db"
    db_mod.connect(path).close()
    conn = sqlite3.connect(path)
    conn.execute("PRAGMA application_id = 0")   # as every kiosk database was before
    conn.commit()
    conn.close()
    reader = db_mod.connect(path, create=False, read_only=True)   # read-only: accepted, not written
    assert reader.execute("PRAGMA application_id").fetchone()[0] == 0
    reader.close()
    database = db_mod.connect(path, create=False)
    assert database.execute("PRAGMA application_id").fetchone()[0] == db_mod.APPLICATION_ID


@pytest.mark.parametrize("kind", ["other_app_id", "rails_migrations", "our_table_names", "user_version_only_tables"])
@pytest.mark.parametrize("read_only", [False, True])
def test_another_programs_file_is_refused_untouched(tmp_path, kind, read_only):
    path = tmp_path / "theirs.db"
    conn = sqlite3.connect(path)
    if kind == "other_app_id":
        db_mod.connect(tmp_path / "k.db").close()   # even our whole schema under another program's id
        conn.close()
        path = tmp_path / "k.db"
        conn = sqlite3.connect(path)
        conn.execute("PRAGMA application_id = 1234")
    elif kind == "rails_migrations":
        conn.execute("CREATE TABLE schema_migrations (version TEXT PRIMARY KEY)")
        conn.execute("INSERT INTO schema_migrations VALUES ('20240101000000')")
        conn.execute("PRAGMA user_version = 7")
    elif kind == "our_table_names":
        conn.execute("CREATE TABLE settings (key TEXT, value TEXT)")
        conn.execute("CREATE TABLE visits (name TEXT)")
    else:
        conn.execute("CREATE TABLE notes (body TEXT)")
        conn.execute("PRAGMA user_version = 12")
    conn.commit()
    conn.close()
    before = _digest(path)
    for create in (False, True):
        with pytest.raises(storage.StorageFault) as refused:
            db_mod.connect(path, create=create, read_only=read_only)
        assert refused.value.kind == "not_kiosk" and str(path) in str(refused.value)
        assert "不是" in refused.value.message("zh_CN")
    assert _digest(path) == before


def test_a_kiosk_database_that_lost_a_table_is_refused_and_db_check_lists_what_is_gone(tmp_path):
    from kiosk.cli.main import main
    path = tmp_path / "k.db"
    db_mod.connect(path).close()
    conn = sqlite3.connect(path)
    conn.execute("DROP TABLE hosts")
    conn.execute("DROP INDEX audit_at")
    conn.execute("DROP TRIGGER visits_open_on_sign_in")
    conn.commit()
    conn.close()
    before = _digest(path)
    with pytest.raises(storage.StorageFault) as refused:
        db_mod.connect(path, create=False)
    assert refused.value.kind == "incomplete" and "hosts" in str(refused.value)
    with pytest.raises(storage.StorageFault):
        db_mod.connect(path, create=False, read_only=True)
    assert _digest(path) == before
    zh = tmp_path / "zh.toml"
    zh.write_text('[site]\nlanguage = "zh_CN"\n', "utf-8")
    for quick in ([], ["--quick"]):
        result = CliRunner().invoke(main, ["db", "check", *quick, "--config", str(zh), "--db", str(path)])
        assert result.exit_code == 1, result.output
        for said in ("缺少数据表：hosts", "缺少索引：audit_at", "缺少触发器：visits_open_on_sign_in"):
            assert said in result.output, result.output
    onsite = CliRunner().invoke(main, ["visitors", "onsite", "--config", str(zh), "--db", str(path)])
    assert onsite.exit_code != 0 and "缺少部分结构" in onsite.output and "Traceback" not in onsite.output
    assert _digest(path) == before


def test_the_identity_check_is_cheap(tmp_path):
    path = tmp_path / "k.db"
    db_mod.connect(path).close()
    conn = sqlite3.connect(path)
    db_mod.check_identity(conn, str(path), create=False)   # warms the per-migration cache, as the first open
    started = time.perf_counter()
    for _ in range(20):
        db_mod.check_identity(conn, str(path), create=False)
    conn.close()
    assert (time.perf_counter() - started) / 20 < 0.01   # a pragma pair and a sqlite_master read


def _migrations_app(path, versions, *, wal=False):
    """Another program with its own migration bookkeeping shaped as ours (version INTEGER, name TEXT)."""
    conn = sqlite3.connect(path)
    if wal:
        conn.execute("PRAGMA journal_mode=WAL")
    conn.execute("CREATE TABLE schema_migrations (version INTEGER PRIMARY KEY, name TEXT)")
    conn.executemany("INSERT INTO schema_migrations VALUES (?, ?)", [(v, f"step_{v}") for v in versions])
    conn.execute("CREATE TABLE users (id INTEGER PRIMARY KEY, email TEXT)")
    conn.commit()
    conn.close()
    return path


@pytest.mark.parametrize("versions", [[20230101, 20230202], [49, 50], [1000]])
@pytest.mark.parametrize("read_only", [False, True])
def test_a_foreign_migrations_table_with_versions_we_do_not_ship_is_not_a_newer_kiosk(tmp_path, versions, read_only):
    """Outside attack 2: none of our rows and no mark is another program's file, not "a newer kiosk's"."""
    path = _migrations_app(tmp_path / "theirs.db", versions)
    before = _digest(path)
    with pytest.raises(storage.StorageFault) as refused:
        db_mod.connect(path, create=False, read_only=read_only)
    assert refused.value.kind == "not_kiosk"
    assert _digest(path) == before and not (tmp_path / "theirs.db-wal").exists()


@pytest.mark.parametrize("mark", [True, False])
def test_a_kiosk_database_with_a_later_migration_is_still_newer(tmp_path, mark):
    """Our rows (with or without the mark) plus one we do not ship: a newer kiosk's database, said so."""
    path = tmp_path / "k.db"
    db_mod.connect(path).close()
    conn = sqlite3.connect(path)
    conn.execute("INSERT INTO schema_migrations (version, name) VALUES (9999, 'from_the_future')")
    if not mark:
        conn.execute("PRAGMA application_id = 0")
    conn.commit()
    conn.close()
    with pytest.raises(db_mod.SchemaTooNew):
        db_mod.connect(path, create=False)


@pytest.mark.parametrize("wal", [False, True])
def test_a_refused_file_keeps_its_mode_and_gets_nothing_beside_it(tmp_path, wal):
    """The identity is looked at read-only before the chmod, the WAL switch or a restore's plan."""
    import os
    from kiosk.core import restore as restore_mod
    path = _migrations_app(tmp_path / "theirs.db", [49], wal=wal)
    os.chmod(path, 0o664)
    listing = sorted(p.name for p in tmp_path.iterdir())
    for attempt in (lambda: db_mod.connect(path, create=False), lambda: db_mod.connect(path, read_only=True),
                    lambda: db_mod.refuse_foreign(path), lambda: restore_mod.plan(path, tmp_path / "none.db")):
        with pytest.raises(storage.StorageFault) as refused:
            attempt()
        assert refused.value.kind == "not_kiosk"
    assert oct(path.stat().st_mode & 0o777) == "0o664"
    assert sorted(p.name for p in tmp_path.iterdir()) == listing
