"""Outside attack 16: a restore of an older backup does not bring back a name or a phone number erased from
free text only (call notes, a complaint's text, a lost item's description), in either script, and the ledger
still holds nothing but keyed hashes. Real migrated file, real backup and restore."""
from __future__ import annotations

import hashlib
import hmac
import sqlite3
from pathlib import Path

import pytest

from kiosk.complaints import service as complaints
from kiosk.core import auth, erasure, erasure_ledger, erasure_reapply, idhash, restore
from kiosk.core import backup as backup_mod
from kiosk.core import db as db_mod
from kiosk.core.audit import SYSTEM
from kiosk.core.erasure import Person
from kiosk.core.privacy import legacy_fold_name
from kiosk.lostfound import service as lostfound
from kiosk.phone import calllog

TZ = "Asia/Shanghai"


@pytest.fixture
def desk(tmp_path, clock):
    path = tmp_path / "data" / "kiosk.db"
    database = db_mod.connect(path)
    boss = auth.add_user(database, clock, SYSTEM, "王经理", "manager", "9999").actor()
    staff = auth.add_user(database, clock, SYSTEM, "Li Na", "staff", "2468").actor()
    (tmp_path / "backups").mkdir()
    yield {"db": database, "path": path, "boss": boss, "staff": staff, "backups": tmp_path / "backups"}
    try:
        database.conn.close()
    except sqlite3.Error:
        pass


def _all_text(path: Path) -> list[str]:
    conn = sqlite3.connect(path)
    try:
        out = [r[0] for r in conn.execute("SELECT what || ' ' || why || ' ' || follow_up FROM call_notes")]
        out += [r[0] for r in conn.execute("SELECT what || ' ' || place FROM complaints")]
        out += [r[0] for r in conn.execute("SELECT description || ' ' || features FROM lf_items")]
        return out
    finally:
        conn.close()


def _backup_erase_restore(desk, clock, *people: Person) -> None:
    backup_mod.make_backup(desk["path"], desk["backups"], clock=clock, policy=None)
    clock.advance(3600)
    for person in people:
        erasure.erase(desk["db"], clock, desk["boss"], person)
    desk["db"].conn.close()
    clock.advance(3600)
    restore.restore(desk["path"], backup_mod.backups(desk["backups"])[0].path, clock=clock, actor=SYSTEM)


def test_names_and_numbers_mentioned_only_in_free_text_stay_erased_after_a_restore(desk, clock):
    db, staff = desk["db"], desk["staff"]
    calllog.add_note(db, clock, staff, call_id=None, category="inquiry", what="歐陽娜娜 left her umbrella",
                     why="请回电 139—8765—4321", follow_up="Mary Lee said thanks")
    calllog.add_note(db, clock, staff, call_id=None, category="inquiry", what="王伟东 asked about parking")
    complaints.take(db, clock, staff, TZ, kind="complaint", category="service", responsibility="company",
                    what="业主说欧阳娜娜在大堂大声喧哗", customer_name="赵先生", customer_contact="13800001111")
    lostfound.register_item(db, clock, staff, TZ, category="other", description="欧阳 娜娜的雨伞",
                            found_place="大堂", handed_in_kind="staff", handed_in_name="Li Na", storage="A1",
                            features="写着 139／8765／4321")
    _backup_erase_restore(desk, clock, Person(name="欧阳娜娜"), Person(phone="13987654321"),
                          Person(name="Mary Lee"))
    texts = " | ".join(_all_text(desk["path"]))
    for gone in ("欧阳娜娜", "歐陽娜娜", "欧阳 娜娜", "8765", "Mary Lee"):
        assert gone not in texts, (gone, texts)
    for kept in ("王伟东 asked about parking", "left her umbrella", "在大堂大声喧哗", "的雨伞", "said thanks"):
        assert kept in texts, (kept, texts)
    again = db_mod.connect(desk["path"], create=False)
    try:
        assert not erasure_ledger.pending(again)
        assert again.execute("SELECT COUNT(*) FROM audit WHERE action = 'privacy.erase_reapplied'").fetchone()[0] >= 3
        raw = " ".join(str(v) for row in again.execute("SELECT * FROM erasure_ledger").fetchall() for v in row)
        assert "娜娜" not in raw and "13987654321" not in raw and "mary" not in raw.casefold()
    finally:
        again.conn.close()


def test_an_unrelated_note_is_untouched_by_the_re_erasure(desk, clock):
    db, staff = desk["db"], desk["staff"]
    calllog.add_note(db, clock, staff, call_id=None, category="inquiry", what="张伟明 called, 139-1234-5678")
    calllog.add_note(db, clock, staff, call_id=None, category="inquiry", what="欧阳娜娜 called")
    _backup_erase_restore(desk, clock, Person(name="欧阳娜娜"))
    texts = _all_text(desk["path"])
    assert texts[0].startswith("张伟明 called, 139-1234-5678") and "欧阳娜娜" not in texts[1]


def test_an_older_ledger_row_of_a_traditional_name_still_finds_it_in_free_text(desk, clock):
    """A ledger row written before names were folded to simplified hashed 歐陽娜娜 as typed: a restore
    still finds that spelling in a note (the traditional form is hashed as it was, too)."""
    db, staff = desk["db"], desk["staff"]
    calllog.add_note(db, clock, staff, call_id=None, category="inquiry", what="歐陽娜娜 left her umbrella")
    key = idhash.secret(db)
    old = hmac.new(key, f"name:{legacy_fold_name('歐陽娜娜')}".encode(), hashlib.sha256).hexdigest()
    with db.conn:
        db.execute("INSERT INTO erasure_ledger (at, kind, digest, key_tag) VALUES (?, 'name', ?, ?)",
                   ("2026-12-01T00:00:00Z", old, erasure_ledger.key_tag(key)))
    assert old in erasure_ledger.digests(key, "name", "歐陽娜娜")
    people = erasure_reapply.people(db)
    assert [p.name for p in people if p.name] == ["歐陽娜娜"]


def test_texts_the_replaced_file_held_unchanged_are_not_searched_unless_it_was_pending(desk, clock, tmp_path):
    """The replaced file (the copy set aside) had every ledger erasure applied, so a text it held word for
    word needs no search; one that was itself waiting for a re-erasure proves nothing."""
    db, staff = desk["db"], desk["staff"]
    calllog.add_note(db, clock, staff, call_id=None, category="inquiry", what="欧阳娜娜 left her umbrella")
    erasure_ledger.record(db, "2026-12-01T00:00:00Z", name="欧阳娜娜")
    db.conn.commit()
    same = tmp_path / "same.db"
    src = sqlite3.connect(desk["path"])
    dst = sqlite3.connect(same)
    src.backup(dst)
    src.close()
    assert [p.name for p in erasure_reapply.people(db)] == ["欧阳娜娜"]
    assert erasure_reapply.people(db, same) == []
    with dst:
        dst.execute("INSERT OR REPLACE INTO settings (key, value, updated_at) VALUES (?, 'true', '2026-12-01')",
                    (erasure_ledger.PENDING,))
    dst.close()
    assert [p.name for p in erasure_reapply.people(db, same)] == ["欧阳娜娜"]


def test_the_restore_records_the_replaced_copy_for_the_re_erasure_and_clears_it(desk, clock):
    db, staff = desk["db"], desk["staff"]
    calllog.add_note(db, clock, staff, call_id=None, category="inquiry", what="欧阳娜娜 left her umbrella")
    _backup_erase_restore(desk, clock, Person(name="欧阳娜娜"))
    conn = sqlite3.connect(desk["path"])
    try:
        said = [r[0] for r in conn.execute("SELECT after FROM audit WHERE action = 'setting.change'"
                                           " AND record_id = ? ORDER BY id", (erasure_ledger.BEFORE,))]
        left = conn.execute("SELECT value FROM settings WHERE key = ?", (erasure_ledger.BEFORE,)).fetchone()
    finally:
        conn.close()
    assert left is None or left[0] == "null", left
    assert len(said) == 2 and "before-restore" in said[0] and said[1] in (None, "null"), said
    assert "欧阳娜娜" not in " ".join(_all_text(desk["path"]))
