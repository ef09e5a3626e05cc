"""An erasure by one key (a phone alone, a name alone) takes every personal column of every row found to
be the person's, and free text is searched case-, width- and separator-insensitively (issue 16 re-test)."""
from __future__ import annotations

import os

import pytest

from kiosk.core import auth, erasure
from kiosk.core import db as db_mod
from kiosk.core.audit import SYSTEM
from kiosk.core.erasure import Person
from tests.core.test_core_erasure import NAME, ORG, PHONE, TZ, _fill, _scan


@pytest.fixture
def database(tmp_path):
    return db_mod.connect(tmp_path / "data" / "kiosk.db")


def _text_columns(database):
    """Every declared personal text column's non-empty values, as (table.column, value)."""
    tables = set(database.table_names())
    for item in erasure.personal_columns():
        if item.table not in tables or item.kind == erasure.IMAGE:
            continue
        for (value,) in database.execute(f"SELECT {item.column} FROM {item.table} WHERE {item.column} != ''"):
            yield f"{item.table}.{item.column}", str(value)


@pytest.mark.parametrize("person", [Person(phone=PHONE), Person(name=NAME), Person(phone="+86 139-8765-4321"),
                                    Person(name=" 哨兵欧阳娜娜 ")], ids=["phone", "name", "phone-typed", "name-spaced"])
def test_one_key_erases_the_whole_rows_it_finds(tmp_path, database, clock, person):
    boss = _fill(database, clock)
    erasure.erase(database, clock, boss.actor(), person)
    left = [(where, value[:60]) for where, value in _text_columns(database)
            if NAME in value or ORG in value or PHONE in value or NAME[2:] in value]
    assert left == []
    row = database.execute("SELECT name, phone, organisation, id_number, anonymised_at FROM visits"
                           " WHERE purpose = 'delivery'").fetchone()
    assert row[:4] == ("", "", "", "") and row[4]
    # the other visitor keeps everything; counts stay
    assert database.execute("SELECT count(*) FROM visits WHERE name = 'Someone Else' AND phone = '13500000000'"
                            ).fetchone() == (1,)
    assert database.execute("SELECT count(*) FROM visits").fetchone() == (3,)
    assert _scan(tmp_path / "data") == []


def test_free_text_is_matched_in_any_case_width_and_spacing(database, clock):
    from kiosk.lostfound import service as lostfound
    from kiosk.phone import calllog
    from kiosk.visitors import service as visitors
    visitors.seed_demo(database, clock)
    boss = auth.add_user(database, clock, SYSTEM, "王经理", "manager", "9999")
    desk = auth.add_user(database, clock, SYSTEM, "Li Na", "staff", "2468").actor()
    other = auth.add_user(database, clock, SYSTEM, "Wu Fang", "staff", "1357").actor()
    # Notes taken by someone else's call, mentioning the person in every spelling a desk uses
    for text in ("ZHANG WEI (139-1111-2222) asked about parking", "ｚｈａｎｇ　ｗｅｉ rang, +86 139 1111 2222",
                 "call back zhang  wei on (139)1111.2222", "not her: 1391111222233 and 0139111122220"):
        calllog.add_note(database, clock, desk, call_id=None, category="inquiry", what=text,
                         caller_name="Front gate", caller_number="13800000000")
    lostfound.register_item(database, clock, other, TZ, category="bag", description="black bag", found_place="lobby",
                            handed_in_kind="customer", handed_in_name="ZHANG WEI", handed_in_contact="139 1111 2222",
                            storage="A1")
    found = erasure.find(database, Person(name="zhang wei", phone="139-1111-2222"))
    assert found.tables()["call_notes"] == 3 and found.tables()["lf_items"] == 1
    erasure.erase(database, clock, boss.actor(), Person(name="zhang wei", phone="139-1111-2222"))
    notes = [r[0] for r in database.execute("SELECT what FROM call_notes ORDER BY id")]
    assert notes == ["*** (***) asked about parking", "*** rang, ***", "call back *** on (***",
                     "not her: 1391111222233 and 0139111122220"]
    # the front gate's own details are not the person's: they stay
    assert database.execute("SELECT count(*) FROM call_notes WHERE caller_name = 'Front gate'").fetchone() == (4,)
    blob = " ".join(str(r[0]) + str(r[1]) for r in database.execute("SELECT before, after FROM audit"))
    assert "zhang wei" not in blob.casefold() and "1111" not in blob, blob


def test_an_erasure_leaves_no_visit_marked_anonymised_but_filled(database, clock):
    """A mention of the name in another visitor's company only cuts the words, and does not mark that
    visit anonymised (retention would then skip it); a partly-blanked marked visit is healed by retention."""
    from kiosk.visitors import service as visitors
    visitors.seed_demo(database, clock)
    boss = auth.add_user(database, clock, SYSTEM, "王经理", "manager", "9999")
    host = visitors.find_hosts(database, "Emma")[0]["id"]
    visitors.sign_in(database, clock, visitors.Visitor("张三", "13933334444", host, "meeting",
                                                       organisation=f"{NAME}的公司", privacy_accepted=True), tz=TZ)
    erasure.erase(database, clock, boss.actor(), Person(name=NAME))
    assert database.execute("SELECT name, organisation, anonymised_at FROM visits").fetchone() == (
        "张三", "***的公司", None)
    # an older erasure left a marked row partly filled: the retention job clears it
    with erasure._erasing(database):
        database.execute("UPDATE visits SET name = '', anonymised_at = '2026-11-30T00:00:00Z'")
    assert erasure.apply_retention(database, clock)["visits"] == 1
    assert database.execute("SELECT name, phone, organisation FROM visits").fetchone() == ("", "", "")


def test_needles_cut_only_the_person_out_of_hostile_text():
    needles = erasure.Needles.of([Person(name="Zhang Wei", phone="+86 139 1111 2222")])
    long_note = ("😀\x00\x1b" * 2000) + "ｚｈａｎｇ·ｗｅｉ" + "\u200b" * 500 + "00861391111-2222" + "x" * 5000
    out = needles.replace(long_note)
    assert out == ("😀\x00\x1b" * 2000) + "***" + "\u200b" * 500 + "***" + "x" * 5000
    # a name only found when the text is folded as a whole (combining marks) goes whole, never stays
    assert needles.replace("Zha\u0301ng Wei") == "Zha\u0301ng Wei"  # an accent makes it another name
    spelled = erasure.Needles.of([Person(name="Zhá")])
    assert spelled.replace("call Zha\u0301 now") == "***"
    # digits of the phone inside a longer number, or other people's numbers, stay
    for text in ("13911112222333", "913911112222", "139 1111 2223", ""):
        assert needles.replace(text) == text
