"""Storage, configuration, audit, auth and money: the platform's foundations."""
from __future__ import annotations

import re
import sqlite3

import pytest

from kiosk.core import audit
from kiosk.core import auth
from kiosk.core import config
from kiosk.core import db as db_mod
from kiosk.core import money
from kiosk.core import series
from kiosk.core import settings
from kiosk.core.audit import SYSTEM


def test_migrations_set_schema_version_and_pragmas(db):
    assert db_mod.schema_version(db) == db_mod.migrations()[-1].version
    assert db.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    assert db.execute("PRAGMA foreign_keys").fetchone()[0] == 1
    assert db.execute("PRAGMA synchronous").fetchone()[0] == 2  # FULL
    assert db_mod.integrity_check(db) == ["ok"]


def test_audit_is_append_only(db, clock):
    with db_mod.write(db):
        row_id = audit.record(db, clock, SYSTEM, "test.action", "x", 1, {"a": 1}, {"a": 2})
    with pytest.raises(sqlite3.DatabaseError, match="append-only"):
        db.execute("UPDATE audit SET actor = 'mallory' WHERE id = ?", (row_id,))
    with pytest.raises(sqlite3.DatabaseError, match="append-only"):
        db.execute("DELETE FROM audit")
    [entry] = audit.entries(db, table="x", record_id=1)
    assert entry["before"] == '{"a": 1}' and entry["after"] == '{"a": 2}'


def test_series_is_gapless_across_rollback(db):
    with db_mod.write(db):
        assert series.next_number(db, "sale") == 1
    with pytest.raises(RuntimeError):
        with db_mod.write(db):
            assert series.next_number(db, "sale") == 2
            raise RuntimeError("sale failed")
    with db_mod.write(db):
        assert series.next_number(db, "sale") == 2
    with pytest.raises(RuntimeError):
        series.next_number(db, "sale")  # outside a transaction


def test_pins_are_hashed_and_lock_after_five_failures(db, clock):
    user = auth.add_user(db, clock, SYSTEM, "Li Na", "staff", "2468")
    stored = db.execute("SELECT pin_hash FROM users").fetchone()[0]
    assert "2468" not in stored and stored.startswith("scrypt$")
    assert auth.sign_in(db, clock, user.id, "2468") == user
    for _ in range(4):
        with pytest.raises(auth.AuthError, match="wrong PIN"):
            auth.sign_in(db, clock, user.id, "0000")
    with pytest.raises(auth.LockedOut):
        auth.sign_in(db, clock, user.id, "0000")
    with pytest.raises(auth.LockedOut):  # even the right PIN waits out the lock
        auth.sign_in(db, clock, user.id, "2468")
    clock.advance(61)
    assert auth.sign_in(db, clock, user.id, "2468") == user
    assert [e["action"] for e in audit.entries(db, table="users")] == [
        "user.add", "user.sign_in", "user.locked", "user.sign_in"]


@pytest.mark.parametrize("pin", ["", "12", "abcd", "123456789", "12 34"])
def test_bad_pins_are_refused(db, clock, pin):
    with pytest.raises(auth.AuthError, match="4 to 8 digits"):
        auth.add_user(db, clock, SYSTEM, "X", "staff", pin)


def test_settings_changes_are_audited(db, clock):
    assert settings.get(db, "visitor_retention_days") == 30
    settings.put(db, clock, SYSTEM, "visitor_retention_days", 14)
    assert settings.get(db, "visitor_retention_days") == 14
    [entry] = audit.entries(db, table="settings")
    assert (entry["before"], entry["after"]) == ("30", "14")


@pytest.mark.parametrize("text,fen", [("12.5", 1250), ("¥1,234.56", 123456), ("0.005", 1), ("0.004", 0),
                                      ("3元", 300), (" 7 ", 700), (".5", 50), ("2.675", 268)])
def test_parse_amount_rounds_half_up(text, fen):
    assert money.parse_amount(text) == fen


@pytest.mark.parametrize("text", ["", "abc", "1.2.3", "-5", "1e5", "99999999999"])
def test_parse_amount_rejects(text):
    with pytest.raises(money.AmountError):
        money.parse_amount(text)


def test_format_fen():
    assert money.format_fen(123450) == "¥1,234.50"
    assert money.format_fen(-300) == "-¥3.00"


def test_config_names_file_key_and_expectation(tmp_path):
    path = tmp_path / "kiosk.toml"
    path.write_text('[site]\nlanguage = "fr"\n[phone]\nrings_before_prompt = "three"\nbogus = 1\n[printer]\npaper_mm = 57\n')
    with pytest.raises(config.ConfigError) as err:
        config.load(path)
    text = str(err.value)
    assert f"{path}: [site] language = 'fr': expected one of zh_CN, en" in text
    assert "[phone] rings_before_prompt = 'three': expected a number from 1 to 10" in text
    assert "[phone] unknown key 'bogus'" in text
    assert "[printer] paper_mm = 57: expected 58 or 80" in text


def test_config_rejects_bool_for_number_and_bad_toml(tmp_path):
    path = tmp_path / "k.toml"
    path.write_text("[ui]\nwidth = true\n")
    with pytest.raises(config.ConfigError, match="width = True"):
        config.load(path)
    path.write_text("[ui\n")
    with pytest.raises(config.ConfigError, match="not valid TOML"):
        config.load(path)


def test_a_lower_numbered_migration_landing_later_is_still_applied(tmp_path, monkeypatch):
    from kiosk.core.db import Migration
    shipped = db_mod.migrations()
    late = [m for m in shipped if m.version == 5]
    # 0011 rebuilds every area's record tables, so it waits for 5 too (it lands after it here), and
    # every later migration builds on 0011.
    monkeypatch.setattr(db_mod, "migrations", lambda: [m for m in shipped if m.version != 5 and m.version < 11])
    database = db_mod.connect(tmp_path / "k.db")
    assert "lf_items" not in database.table_names()
    monkeypatch.setattr(db_mod, "migrations", lambda: shipped)
    assert db_mod.apply_migrations(database) == [5] + [m.version for m in shipped if m.version >= 11]
    assert "lf_items" in database.table_names()
    assert db_mod.schema_version(database) == shipped[-1].version
    assert db_mod.apply_migrations(database) == [] and isinstance(late[0], Migration)


def test_migrating_up_to_a_number_builds_an_older_schema_and_the_rest_follows(tmp_path):
    shipped = [m.version for m in db_mod.migrations()]
    database = db_mod.connect(tmp_path / "k.db", migrate=False)
    assert db_mod.apply_migrations(database, upto=0) == []  # nothing below the first number
    assert db_mod.schema_version(database) == 0 and database.table_names() == ["schema_migrations"]
    assert db_mod.apply_migrations(database, upto=4) == [v for v in shipped if v <= 4]
    assert db_mod.schema_version(database) == 4 and "visits" in database.table_names()
    assert "lf_items" not in database.table_names()
    assert db_mod.apply_migrations(database, upto=4) == []  # again: nothing left below it
    assert db_mod.apply_migrations(database, upto=2) == []  # lower than what is there: nothing undone
    assert db_mod.schema_version(database) == 4
    assert db_mod.apply_migrations(database, upto=10_000) == [v for v in shipped if v > 4]
    assert db_mod.schema_version(database) == shipped[-1]
    database.close()
    # A database from the future is refused whatever the limit.
    future = db_mod.connect(tmp_path / "f.db")
    future.execute("INSERT INTO schema_migrations (version, name) VALUES (9999, 'later')")
    future.conn.commit()
    with pytest.raises(db_mod.SchemaTooNew):
        db_mod.apply_migrations(future, upto=1)
    future.close()


def test_managers_change_settings_checked_and_audited(db, clock):
    from kiosk.core import audit
    from kiosk.core import settings
    from kiosk.core.audit import Actor
    manager, staff = Actor("Zhou Min", None, "manager"), Actor("Li Na", None, "staff")
    with pytest.raises(settings.SettingError):
        settings.put_checked(db, clock, staff, {"visitor_retention_days": "60"})
    bad = [({"visitor_retention_days": "0"}, "from 1 to 3650"), ({"callback_due_minutes": "abc"}, "whole number"),
           ({"auto_signout_time": "25:00"}, "20:00"), ({"site_name": {"zh_CN": "前台", "en": ""}}, "Chinese and"),
           ({"privacy_notice": {"zh_CN": "保存一段时间", "en": "kept {days} days"}}, "{days}"),
           ({"demo_data": "x"}, "cannot be changed")]
    for values, message in bad:
        with pytest.raises(settings.SettingError, match=re.escape(message)):
            settings.put_checked(db, clock, manager, {"visitor_retention_days": "45", **values})
    assert settings.get(db, "visitor_retention_days") == 30, "nothing is written when one value is wrong"
    changed = settings.put_checked(db, clock, manager, {"visitor_retention_days": " 45 ", "auto_signout_time": "20:00",
                                                        "site_name": {"zh_CN": "绿谷球会", "en": "Green Valley"}})
    assert sorted(changed) == ["auto_signout_time", "site_name", "visitor_retention_days"]
    assert settings.get(db, "visitor_retention_days") == 45 and settings.localized(db, "site_name", "en") == "Green Valley"
    assert settings.put_checked(db, clock, manager, {"visitor_retention_days": "45"}) == []
    last = audit.entries(db, table="settings")[-1]
    assert last["actor"] == "Zhou Min" and last["action"] == "setting.change"


def test_receipts_print_local_time_in_the_configured_time_zone(tmp_path, clock):
    from kiosk.counter import sales as counter
    from kiosk.printing import queue as printqueue
    from kiosk.core.audit import Actor
    from kiosk.core.context import Context
    from kiosk.counter.sales import Payment
    ctx = Context(config=config.validate({"site": {"timezone": "Europe/London"}}, "<test>"),
                  db_path=tmp_path / "k.db", clock=clock)
    assert settings.get(ctx.db, "site_timezone") == "Europe/London", "mirrored from the box configuration"
    counter.seed_demo(ctx.db, clock)
    water = counter.by_sku(ctx.db, "DRK-001")
    from kiosk.counter import shifts
    shifts.open_shift(ctx.db, clock, Actor("Li Na", None, "staff"), "T01", float_fen=0)
    sale = counter.sell(ctx.db, clock, Actor("Li Na", None, "staff"), "T01", {water.id: 1}, Payment("card", reference="x"))
    header = printqueue.get(ctx.db, sale.job_id).receipt.header
    assert header[1].startswith("2026-11-23 01:00"), header   # 01:00 UTC is 01:00 in London in November
    ctx.close()
    again = Context(config=config.validate({"site": {"timezone": "Asia/Shanghai"}}, "<test>"),
                    db_path=tmp_path / "k.db", clock=clock)
    assert settings.site_timezone(again.db) == "Asia/Shanghai"
    again.close()
