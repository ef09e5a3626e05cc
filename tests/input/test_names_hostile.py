"""Names a real desk meets (issue 17): ü written three ways, tone numbers and marks, compound surnames,
a Latin name beside a Chinese one, characters outside the BMP and the 8,105, endless input, and the
desk's own visitors' character counts (counts only, never a whole name)."""
from __future__ import annotations

import time

import pytest

from kiosk.input import learned
from kiosk.input.learned import NameCounts, count_name_characters
from kiosk.input.pinyin import COMPOUND_SURNAMES, normalise_input
from kiosk.visitors import service as visitors
from kiosk.visitors.service import Visitor
from tests.pinyin_support import cached_engine


@pytest.fixture(scope="module")
def engine():
    return cached_engine().load()


def texts(engine, typed, kind="surname", limit=6):
    return [c.text for c in engine.candidates(typed, limit, kind)]


@pytest.mark.parametrize("typed", ["lv", "lü", "lu:", "LǙ", "lǚ", "Lu:3"])
def test_u_umlaut_written_any_way_finds_lv(engine, typed):
    got = engine.candidates(typed, 6, "surname")
    assert got[0].text == "吕"
    assert all(c.consumed == len(typed) for c in got)   # the keyboard drops exactly what was typed


def test_tone_numbers_and_marks_are_read_as_syllable_ends(engine):
    assert texts(engine, "wang2xiao3ming2")[0] == "王晓明"
    assert texts(engine, "Wáng")[0] == "王"
    assert texts(engine, "zhang1")[0] == "张"
    # a tone number splits where the letters alone would not: xi1an1 is two syllables
    assert normalise_input("xi1an1")[0] == "xi'an'"
    assert engine.candidates("xi1an1", 1, "general")[0].consumed == len("xi1an1")
    # 0 and 6-9 are not tones: the pinyin ends there
    assert normalise_input("zhang7")[0] == "zhang"


@pytest.mark.parametrize("typed,word", [("ouyang", "欧阳"), ("ou1yang2", "欧阳"), ("sima", "司马"),
                                        ("zhuge", "诸葛"), ("shangguan", "上官"), ("yuchi", "尉迟"),
                                        ("moqi", "万俟"), ("ouy", "欧阳")])
def test_compound_surnames_come_first_however_typed(engine, typed, word):
    assert word in texts(engine, typed)[:2]


def test_a_latin_name_beside_a_chinese_one_ends_the_pinyin_at_the_first_other_character(engine):
    got = engine.candidates("anna王", 3, "surname")
    assert got and all(c.consumed == 4 for c in got)
    assert engine.candidates("王", None, "surname") == []
    assert engine.candidates("🙂", None, "surname") == [] and engine.candidates("１２３", None, "given") == []
    assert engine.candidates("\x00\x1b[2J", None, "given") == []


def test_rare_name_characters_are_reachable_in_name_fields(engine):
    ji_given = [c.text for c in engine.candidates("ji", None, "given")]
    assert "\U00020BB7" in ji_given                               # 𠮷, outside the BMP
    assert ji_given.index("\U00020BB7") > ji_given.index("吉")    # after the usual form
    assert "\U00020BB7" in [c.text for c in engine.candidates("ji", None, "surname")]
    assert "\u9ad9" in texts(engine, "gao", limit=3)              # 髙 beside 高
    assert "䶮" in [c.text for c in engine.candidates("yan", None, "given")]
    # not in a company or purpose field: the general ranking is untouched
    assert "\U00020BB7" not in [c.text for c in engine.candidates("ji", None, "general")]


def test_endless_and_hostile_input_ends_quickly(engine):
    for typed in ("a" * 5000, "zhuang" * 800, "lu:" * 2000, "1" * 5000, "ü" * 3000, "'" * 4000):
        start = time.perf_counter()
        got = engine.candidates(typed, 6, "given")
        assert time.perf_counter() - start < 2.0
        assert all(c.consumed <= len(typed) for c in got)
    letters, ends = normalise_input("lu:" * 2000)
    assert len(letters) == 64 and ends[-1] == 96


def test_counts_need_three_distinct_names_and_never_hold_a_name():
    names = ["覃梓睿", "覃一凡", "覃海", "覃海", "䶮明", "䶮明", "䶮明", "欧阳娜", "欧阳芳", "欧阳静",
             "Anna 王", "王🙂", "", "王", "王" * 40]
    counts = count_name_characters(names, COMPOUND_SURNAMES)
    assert counts.surname == {"覃": 3, "欧阳": 3}     # 覃海 twice is one name; one visitor's 䶮 is not shown
    assert counts.given == {}                           # no given-name character is in three names
    assert "䶮" not in counts.surname and "Anna" not in str(counts)
    assert not NameCounts()


def test_a_desk_that_registered_qin_surnames_offers_them_first_and_never_a_whole_name(engine):
    before = texts(engine, "qin")
    assert before[0] == "秦" and "覃" in before
    counts = count_name_characters([f"覃{g}" for g in "伟芳娜敏静丽强磊"] + ["钱梓睿"] * 9, COMPOUND_SURNAMES)
    try:
        engine.learn(counts)
        assert texts(engine, "qin")[0] == "覃"
        assert texts(engine, "qin", limit=None) and set(texts(engine, "qin", limit=None)) == set(
            c.text for c in engine.candidates("qin", None, "surname"))
        # nothing dropped, nothing added, and no other visitor's whole name offered
        for typed in ("qianzirui", "qzr"):
            assert "钱梓睿" not in [c.text for c in engine.candidates(typed, 6, "surname")][:1] or \
                   "钱梓睿" in [c.text for c in _unlearned(engine, typed)][:1]
        assert texts(engine, "qin", kind="general") == [c.text for c in engine.candidates("qin", 6, "general")]
    finally:
        engine.learn(NameCounts())
    assert texts(engine, "qin") == before


def _unlearned(engine, typed):
    site, engine._site = engine._site, None
    try:
        return engine.candidates(typed, 6, "surname")
    finally:
        engine._site = site


def test_rerank_keeps_every_candidate_and_the_places_of_others(engine):
    found = tuple(engine.candidates("yu", None, "given"))
    out = learned.rerank(found, {"钰": 50, "鱼": 9}, 2)
    assert sorted(c.text for c in out) == sorted(c.text for c in found)
    assert out[0].text == "钰"
    moved = {i for i, (a, b) in enumerate(zip(found, out)) if a is not b}
    assert all(len(found[i].text) == 1 for i in moved)


def test_the_desk_counts_only_visits_still_on_record(db, clock):
    visitors.seed_demo(db, clock)
    host = visitors.find_hosts(db, "Li Na")[0]["id"]
    for i, name in enumerate(["覃伟", "覃芳", "覃娜", "\U00020BB7野", "Anna 王"]):
        if i == 1:
            clock.advance(31 * 24 * 3600)   # 覃伟 is the oldest visit
        visitors.sign_in(db, clock, Visitor(name=name, phone=f"1380013800{i}", host_id=host, purpose="meeting",
                                            party_size=1, organisation="", privacy_accepted=True))
    assert db.execute("SELECT name FROM visits WHERE name = ?", ["\U00020BB7野"]).fetchone()  # stored whole
    assert visitors.name_character_counts(db).surname.get("覃") == 3
    assert visitors.apply_retention(db, clock) == 1               # 覃伟 anonymised
    assert "覃" not in visitors.name_character_counts(db).surname
