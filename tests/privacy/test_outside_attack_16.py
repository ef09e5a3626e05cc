"""Outside attack on issue 16 (privacy and access that hold against a stranger at the screen).

Each test drives the real services on a real, migrated sqlite file (real backups and restores where it
matters); nothing of the code under test is mocked. The tests marked "defect" fail on the code as it was
handed over; the "held" ones are attacks that did not get through."""
from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from kiosk.core import auth, erasure, erasure_ledger, restore
from kiosk.core import backup as backup_mod
from kiosk.core import db as db_mod
from kiosk.core.audit import SYSTEM
from kiosk.core.erasure import Person
from kiosk.phone import calllog
from kiosk.visitors import service as visitors

TZ = "Asia/Shanghai"
NAME = "哨兵欧阳娜娜"
PHONE = "13987654321"


@pytest.fixture
def desk(tmp_path, clock):
    """A kiosk database with a manager, a staff member and the demo host directory."""
    path = tmp_path / "data" / "kiosk.db"
    database = db_mod.connect(path)
    visitors.seed_demo(database, clock)
    boss = auth.add_user(database, clock, SYSTEM, "王经理", "manager", "9999")
    staff = auth.add_user(database, clock, SYSTEM, "Li Na", "staff", "2468")
    host = visitors.find_hosts(database, "Emma")[0]["id"]
    yield {"db": database, "path": path, "boss": boss, "staff": staff, "host": host, "tmp": tmp_path}
    try:
        database.conn.close()
    except sqlite3.Error:
        pass


def _rows(path: Path, sql: str) -> list:
    conn = sqlite3.connect(path)
    try:
        return conn.execute(sql).fetchall()
    finally:
        conn.close()


# --------------------------------------------------------------------------------------------- defects
def test_restoring_an_old_backup_brings_back_a_name_erased_from_a_call_note(desk, clock):
    """Defect. Scenario: a caller who did not give a name on the caller-ID line is written into a call note
    by staff ("哨兵欧阳娜娜 left her umbrella in the lobby"). The nightly backup is taken. She asks to be
    forgotten; the manager runs the erasure by her name and the note now reads "*** left her umbrella".
    Next week the SD card is flaky and the manager restores last night's backup. The erasure ledger was
    carried into the restored file, but nothing is erased again: the note reads "哨兵欧阳娜娜 left her
    umbrella" once more. The ledger only matches its hashes against name/phone/ID columns, so a person who
    is only mentioned in free text (call notes, complaints' text, lost-item descriptions) comes back with
    every restore, although the erasure promised to survive one."""
    db, staff, boss = desk["db"], desk["staff"].actor(), desk["boss"].actor()
    calllog.add_note(db, clock, staff, call_id=None, category="inquiry",
                     what=f"{NAME} left her umbrella in the lobby")
    (desk["tmp"] / "backups").mkdir()
    backup_mod.make_backup(desk["path"], desk["tmp"] / "backups", clock=clock, policy=None)
    clock.advance(3600)
    erasure.erase(db, clock, boss, Person(name=NAME))
    assert NAME not in _rows(desk["path"], "SELECT what FROM call_notes")[0][0], "the live erasure cut the name"
    db.conn.close()
    clock.advance(3600)
    old = backup_mod.backups(desk["tmp"] / "backups")[0].path
    restore.restore(desk["path"], old, clock=clock, actor=SYSTEM)
    again = db_mod.connect(desk["path"], create=False)
    try:
        assert not erasure_ledger.pending(again)
        assert _rows(desk["path"], "SELECT COUNT(*) FROM erasure_ledger")[0][0] >= 1, "the ledger was carried"
    finally:
        again.conn.close()
    notes = [what for (what,) in _rows(desk["path"], "SELECT what FROM call_notes")]
    assert not any(NAME in what for what in notes), f"the restore brought the erased name back: {notes}"


def test_erasing_a_simplified_name_leaves_the_same_name_written_in_traditional_characters(desk, clock):
    """Defect. Scenario: a visitor from Hong Kong signs in at the touchscreen as 張偉明 (traditional). Later
    he phones and asks the desk to erase his data; the manager, on a simplified-Chinese system, types
    `kiosk privacy find/erase --name 张伟明`. The kiosk answers that nothing holds this person and the
    visit, with his name, stays on record. The deny list folds traditional to simplified (张三豐 ==
    张三丰), but find/erase (and the erasure ledger) compare names by width/case/spaces only, so a variant
    form of the same name is missed."""
    db = desk["db"]
    visitors.sign_in(db, clock, visitors.Visitor("張偉明", "13911112222", desk["host"], "meeting",
                                                 privacy_accepted=True), tz=TZ)
    found = erasure.find(db, Person(name="张伟明"))
    assert found.tables().get("visits"), "privacy find --name 张伟明 does not list the visit of 張偉明"
    erasure.erase(db, clock, desk["boss"].actor(), Person(name="张伟明"))
    left = _rows(desk["path"], "SELECT name FROM visits WHERE name != ''")
    assert left == [], f"the erased person's name is still on record: {left}"


def test_erasing_a_phone_number_misses_it_written_with_em_dashes_in_a_call_note(desk, clock):
    """Defect. Scenario: staff typing a call note with the Chinese IME write the callback number as
    "请回电 139—8765—4321" (the IME turns the dash key into an em dash). The caller later asks to be erased;
    the manager erases by phone 13987654321. Notes written "139 8765 4321" or "139-8765-4321" are cut to
    "***", but the em-dash one keeps the full number. The erasure promises phone numbers are found with
    spaces, dashes and brackets between the digits; the dashes a Chinese keyboard actually types
    (—, ／ and the like) are not among them."""
    db, staff = desk["db"], desk["staff"].actor()
    calllog.add_note(db, clock, staff, call_id=None, category="inquiry", what="请回电 139—8765—4321")
    calllog.add_note(db, clock, staff, call_id=None, category="inquiry", what="请回电 139-8765-4321")
    erasure.erase(db, clock, desk["boss"].actor(), Person(phone=PHONE))
    notes = [what for (what,) in _rows(desk["path"], "SELECT what FROM call_notes ORDER BY id")]
    assert notes[1] == "请回电 ***", notes   # the ASCII dash form is cut (held)
    assert "8765" not in notes[0] and "4321" not in notes[0], f"the em-dash number survived the erasure: {notes[0]}"


@pytest.mark.parametrize("typed", ["张三丰。", "张_三丰", "张三丰1", "张san丰"])
def test_a_deny_listed_visitor_signs_in_by_adding_a_full_stop_or_symbol_to_the_name(desk, clock, typed):
    """Defect. Scenario: staff put 张三丰 on the deny list. He comes back, and at the touchscreen types his
    name as "张三丰。" (the full stop key sits next to the letters), "张_三丰" (the 123 layer), "张三丰1", or
    half in pinyin "张san丰" (the IME did not offer the character he wanted). Each time the kiosk signs
    him in, prints a badge and alerts nobody. The name folding drops spaces, dots and width but keeps every
    other punctuation mark and digit, and a name half Han, half pinyin matches no form, so the list is
    dodged with one extra key."""
    db = desk["db"]
    visitors.add_to_deny_list(db, clock, desk["staff"].actor(), name="张三丰", reason="threatened staff")
    with pytest.raises(visitors.SeeTheDesk):
        visitors.sign_in(db, clock, visitors.Visitor(typed, "13600001111", desk["host"], "meeting",
                                                     privacy_accepted=True), tz=TZ)


# ---------------------------------------------------------------------------------------------- held
def test_held_a_signed_out_visitors_code_answers_like_a_code_never_issued(desk, clock):
    """Held. A stranger who picked up a thrown-away badge types its code at Sign out: the visit was already
    signed out, and the kiosk says exactly what it says for a made-up code (and counts it as wrong), so
    the badge does not even tell that it was a real visit."""
    db = desk["db"]
    done = visitors.sign_in(db, clock, visitors.Visitor(NAME, PHONE, desk["host"], "meeting",
                                                        privacy_accepted=True), tz=TZ)
    visitors.sign_out_by_code(db, clock, done.code)
    messages = []
    for code in (done.code, "ZZZZZ" if done.code != "ZZZZZ" else "YYYYY"):
        with pytest.raises(visitors.VisitorError) as refused:
            visitors.sign_out_by_code(db, clock, code)
        messages.append((refused.value.msgid, refused.value.field))
    assert messages[0] == messages[1]
    assert visitors.details_by_pass(db, done.code, clock) == {}


def test_held_a_strangers_phone_with_a_wrong_name_is_neither_recognised_nor_expected(desk, clock):
    """Held. A stranger types a real visitor's phone number (someone expected today) with a made-up name:
    no "welcome back", no host named, no company copied into the new record."""
    db = desk["db"]
    today = clock.now().date().isoformat()
    visitors.add_expected(db, clock, desk["staff"].actor(), name=NAME, phone=PHONE, host_id=desk["host"],
                          expected_on=today)
    visitors.sign_in(db, clock, visitors.Visitor(NAME, PHONE, desk["host"], "meeting", organisation="哨兵华为",
                                                 privacy_accepted=True), tz=TZ)
    stranger = visitors.sign_in(db, clock, visitors.Visitor("路人甲", PHONE, desk["host"], "", privacy_accepted=True),
                                tz=TZ)
    assert not stranger.returning and not stranger.expected
    assert visitors.expected_host(db, clock, PHONE, "路人甲", TZ) is None
    org = _rows(desk["path"], f"SELECT organisation FROM visits WHERE id = {stranger.visit_id}")[0][0]
    assert org == ""


def test_held_a_deactivated_staff_pin_stops_working_and_a_staff_actor_cannot_lift_the_deny_list(desk, clock):
    """Held. A manager deactivates a staff member who left: their PIN is refused at once. And a staff
    member cannot lift a deny-list entry or erase a person (manager-only acts)."""
    db, boss, staff = desk["db"], desk["boss"].actor(), desk["staff"]
    entry = visitors.add_to_deny_list(db, clock, staff.actor(), name="张三丰", reason="threatened staff")
    with pytest.raises(visitors.VisitorError):
        visitors.lift_deny(db, clock, staff.actor(), entry, "he apologised")
    with pytest.raises(erasure.ErasureError):
        erasure.erase(db, clock, staff.actor(), Person(name="张三丰"))
    auth.set_active(db, clock, boss, staff.id, False)
    with pytest.raises(auth.AuthError):
        auth.sign_in(db, clock, staff.id, "2468")
    for typed in ("張三豐", "zhang san feng", "Zhāng Sānfēng", "张 三 丰"):
        with pytest.raises(visitors.SeeTheDesk):
            visitors.check_deny(db, clock, name=typed)
