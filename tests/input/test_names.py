"""Name-aware pinyin (issue 17): every GB 2312 character reachable from each of its readings, with
no cut-off; surname readings first; compound surnames; whole names and initials; handwriting."""
from __future__ import annotations

import json
import time

import pytest

from tests.pinyin_support import cached_engine


@pytest.fixture(scope="module")
def engine():
    return cached_engine().load()


def first(engine, pinyin, kind="surname"):
    return [c.text for c in engine.candidates(pinyin, 6, kind)]


@pytest.mark.parametrize("ch,syl", [("曾", "zeng"), ("单", "shan"), ("查", "zha"), ("翟", "zhai"),
                                    ("朴", "piao"), ("闫", "yan"), ("王", "wang")])
def test_surname_readings_come_first_in_the_surname_position(engine, ch, syl):
    assert first(engine, syl)[0] == ch


@pytest.mark.parametrize("ch,syl,above", [("解", "xie", "谢"), ("仇", "qiu", "邱"), ("覃", "qin", "秦"),
                                          ("区", "ou", "欧")])
def test_rarer_surname_readings_are_on_the_first_page_after_the_commoner_surname(engine, ch, syl, above):
    page = first(engine, syl)
    assert page[0] == above and ch in page[:3]


@pytest.mark.parametrize("word,pinyin", [("欧阳", "ouyang"), ("司马", "sima"), ("诸葛", "zhuge"),
                                         ("上官", "shangguan"), ("尉迟", "yuchi"), ("万俟", "moqi")])
def test_compound_surnames_are_offered_first(engine, word, pinyin):
    assert first(engine, pinyin)[0] == word


def test_whole_name_and_initials(engine):
    assert "王晓明" in first(engine, "wangxiaoming")
    assert "王晓明" in first(engine, "wxm")
    assert "单钰" in [c.text for c in engine.candidates("shanyu", 12, "surname")]


def test_given_name_position_ranks_by_name_frequency(engine):
    # 钰 was 86th for yu: now on the first page of a name field
    assert "钰" in first(engine, "yu", "given")
    assert first(engine, "wei", "given")[0] == "伟"
    # other fields keep the general ranking: 于/与 before the name character
    assert first(engine, "yu", "general")[0] != "钰"


def _charset():
    """The 8,105 General Standard characters with their table readings, plus GB 2312's 6,763 hanzi
    (rows 16-87) with pypinyin's, each reading as a toneless syllable."""
    from pypinyin.pinyin_dict import pinyin_dict

    from kiosk.input.pinyin import _toneless, general_standard
    chars: dict[str, set[str]] = {}
    standard = general_standard()
    for ch, readings in standard.items():
        chars.setdefault(ch, set()).update(filter(None, map(_toneless, readings.split(","))))
    gb = 0
    for code, readings in pinyin_dict.items():
        ch = chr(code)
        try:
            raw = ch.encode("gb2312")
        except UnicodeEncodeError:
            continue
        if len(raw) == 2 and 0xB0 <= raw[0] <= 0xF7:
            gb += 1
            chars.setdefault(ch, set()).update(filter(None, map(_toneless, readings.split(","))))
    return chars, len(standard), gb


def test_every_character_is_reachable_from_each_reading_without_cut_off(engine):
    chars, standard, gb = _charset()
    assert standard == 8105 and gb == 6763
    by_syllable: dict[str, set[str]] = {}
    for ch, syls in chars.items():
        for syl in syls:
            by_syllable.setdefault(syl, set()).add(ch)
    missing = []
    for syl, wanted in by_syllable.items():
        for kind in ("general", "surname", "given"):
            offered = {c.text for c in engine.candidates(syl, None, kind)}
            lost = wanted - offered
            if lost:
                missing.append((syl, kind, "".join(sorted(lost))))
    assert not missing, missing[:10]


def test_hostile_inputs_end_quickly(engine):
    for text in ("", "'''", "x" * 200, "zhuangzhuangzhuangzhuangzhuang", "a'b'c'd'e'f'g", "ü", "１２",
                 "wang\x00li", "🙂wang", "ｗａｎｇ"):
        start = time.perf_counter()
        for kind in ("general", "surname", "given"):
            engine.candidates(text, None, kind)
        assert time.perf_counter() - start < 2.0, text


def test_handwriting_recognises_a_character_from_its_strokes():
    from kiosk.input.handwriting import HandwritingUnavailable, Recognizer, normalise
    try:
        rec = Recognizer(prior=cached_engine().char_prior)
    except HandwritingUnavailable:
        pytest.skip("libzinnia0 / tegaki-zinnia-simplified-chinese not installed (scripts/bootstrap.sh)")
    # 王 written as four straight strokes in screen coordinates (y downwards)
    wang = [[(10, 10), (50, 10), (90, 10)], [(15, 50), (50, 50), (85, 50)], [(50, 10), (50, 50), (50, 90)],
            [(5, 90), (50, 90), (95, 90)]]
    start = time.perf_counter()
    guesses = rec.classify(wang, 10)
    assert time.perf_counter() - start < 0.05
    assert "王" in [g.text for g in guesses[:5]]
    # hostile input: nothing, NaN, one point, thousands of strokes
    assert rec.classify([]) == []
    assert rec.classify([[(float("nan"), 1.0)]]) == []
    assert isinstance(rec.classify([[(1, 1)]]), list)
    many = [[(i, i), (i + 1, i + 2)] for i in range(5000)]
    assert len(normalise(many)) <= 64
    assert isinstance(rec.classify(many), list)
